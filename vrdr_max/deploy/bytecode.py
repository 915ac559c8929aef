"""Compiled bytecode for the package: one ``.pyc`` per module and per Python of 3ds Max.

3ds Max installs the package where the artist cannot write (``%ProgramData%``), so without
bytecode in the package every start compiles vrdr, pydantic and qtpy from source again (the
panel opens 0.4 s later; docs/benchmarks.md). Each Python writes and reads its own
``__pycache__/<module>.cpython-3XX.pyc`` and its bytecode differs by version, so each needs its
own interpreter: 3.10 for 3ds Max 2024, 3.11 for 2025-2026, 3.13 for 2027.

The files are hash-checked (PEP 552, ``CHECKED_HASH``): they hold a hash of their source instead
of its time stamp, so copying the package (an installer, a zip) does not turn them stale, a
source edited after the build is compiled again as usual, and two builds of the same sources
with the same interpreters give the same bytes (the compiler runs with a fixed hash seed, which
fixes the order of set constants).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from vrdr_max.errors import InputError, quote

COMPILE_TIMEOUT_S = 600.0
"""Longest a target interpreter may take to compile the package's modules (about 2 s here)."""
PROBE_TIMEOUT_S = 30.0
"""Longest a candidate interpreter may take to say what it is."""
_ABI = re.compile(r"^cp3(\d{1,2})$")
_PYENV_VERSION = re.compile(r"^3\.(\d{1,2})\.(\d{1,3})$")

_PROBE = ("import importlib.util, json, sys; print(json.dumps({'version': "
          "'.'.join(map(str, sys.version_info[:3])), 'tag': sys.implementation.cache_tag, "
          "'magic': importlib.util.MAGIC_NUMBER.hex()}))")
"""What a candidate interpreter runs to say its version and its bytecode's tag and magic."""

_COMPILE = """\
import importlib.util, json, py_compile, sys
root, names = sys.argv[1], json.load(sys.stdin)
mode = py_compile.PycInvalidationMode.CHECKED_HASH
for name in names:
    source = root + "/" + name
    py_compile.compile(source, cfile=importlib.util.cache_from_source(source), dfile=name,
                       doraise=True, invalidation_mode=mode)
"""
"""What a target interpreter runs: compile each named source of ``root`` beside it.

``dfile`` (the path inside the package) is what the bytecode names as its file: Python puts
the real path in its place when it loads the module, and no path of the build machine ends
up in the package."""


@dataclass(frozen=True)
class Interpreter:
    """A Python that compiles bytecode for one 3ds Max ABI (``cp310``)."""

    abi: str
    command: tuple[str, ...]
    version: str
    tag: str
    magic: str


def abi_version(abi: str) -> str:
    """``cp310`` -> ``3.10``.

    Raises:
        InputError: not a CPython 3 ABI tag.
    """
    m = _ABI.match(abi)
    if m is None:
        raise InputError(f"{quote(abi)} is not a CPython ABI tag such as cp311")
    return f"3.{m.group(1)}"


def parse_python(text: str) -> tuple[str, Path]:
    """``--python cp310=PATH`` as (ABI, path).

    Raises:
        InputError: not of that form.
    """
    abi, sep, path = text.partition("=")
    if not sep or not path.strip():
        raise InputError(f"--python {quote(text)}: expected ABI=PATH, e.g. cp310=C:\\Python310"
                         "\\python.exe")
    abi_version(abi)
    return abi, Path(path.strip())


def _candidates(version: str, env: Mapping[str, str]) -> list[tuple[str, ...]]:
    """Commands that may run Python ``version`` here, best first.

    This interpreter when it is that version; pyenv's installs of it (newest patch first);
    ``python3.X`` on the PATH; on Windows, the ``py`` launcher.
    """
    found: list[tuple[str, ...]] = []
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        found.append((sys.executable,))
    root = Path(env.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    minor = version.split(".")[1]
    try:
        installs = [p for p in root.iterdir()
                    if (m := _PYENV_VERSION.match(p.name)) and m.group(1) == minor]
    except OSError:
        installs = []
    for install in sorted(installs, key=lambda p: int(p.name.rsplit(".", 1)[1]), reverse=True):
        for exe in (install / "bin" / f"python{version}", install / "python.exe"):
            if exe.is_file():
                found.append((str(exe),))
    on_path = shutil.which(f"python{version}", path=env.get("PATH"))
    if on_path:
        found.append((on_path,))
    launcher = shutil.which("py", path=env.get("PATH")) if os.name == "nt" else None
    if launcher:
        found.append((launcher, f"-{version}"))
    return list(dict.fromkeys(found))


_PROBED: dict[tuple[str, tuple[str, ...]], Interpreter | None] = {}
"""What each candidate turned out to be, in this process (a build asks for each ABI)."""


def _probe(abi: str, command: tuple[str, ...]) -> Interpreter | None:
    """What ``command`` is, when it runs CPython of ``abi``'s version; else None."""
    if (abi, command) not in _PROBED:
        _PROBED[abi, command] = _run_probe(abi, command)
    return _PROBED[abi, command]


def _run_probe(abi: str, command: tuple[str, ...]) -> Interpreter | None:
    try:
        done = subprocess.run([*command, "-I", "-c", _PROBE], capture_output=True, text=True,
                              timeout=PROBE_TIMEOUT_S, check=False)
        info = json.loads(done.stdout) if done.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None
    if not isinstance(info, dict) or info.get("tag") != f"cpython-{abi[2:]}":
        return None
    return Interpreter(abi, command, str(info["version"]), str(info["tag"]), str(info["magic"]))


def find_interpreters(abis: Iterable[str], given: Mapping[str, Path] | None = None,
                      env: Mapping[str, str] | None = None) -> dict[str, Interpreter | None]:
    """The interpreter that compiles each ABI's bytecode, or None where none is found.

    Args:
        abis: the ABIs of the package (``cp310``, ...).
        given: an interpreter per ABI named by the caller (``--python``); it must be that
            version.
        env: the environment to search (default: this process's).

    Raises:
        InputError: an interpreter given that is not CPython of its ABI's version.
    """
    environ = os.environ if env is None else env
    given = dict(given or {})
    out: dict[str, Interpreter | None] = {}
    for abi in sorted(set(abis)):
        version = abi_version(abi)
        if abi in given:
            found = _probe(abi, (str(given[abi]),))
            if found is None:
                raise InputError(f"--python {abi}={given[abi]}: not a Python {version} that "
                                 "runs here")
            out[abi] = found
            continue
        out[abi] = next((i for c in _candidates(version, environ)
                         if (i := _probe(abi, c)) is not None), None)
    unused = sorted(set(given) - set(out))
    if unused:
        raise InputError(f"--python {unused[0]}: the package is not built for {unused[0]}")
    return out


_CACHE: dict[tuple[tuple[str, ...], str, str], dict[str, bytes]] = {}
"""Bytecode already compiled in this process, by interpreter and sources (tests build often)."""


def compile_sources(interpreter: Interpreter, sources: Mapping[str, bytes]) -> dict[str, bytes]:
    """The bytecode of ``sources`` (path -> source bytes) for ``interpreter``'s Python.

    Returns:
        ``<folder>/__pycache__/<name>.<tag>.pyc`` -> bytecode, for every ``.py`` source.

    Raises:
        InputError: a source that does not compile, or an interpreter that fails.
    """
    names = sorted(p for p in sources if p.endswith(".py"))
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode() + b"\0" + hashlib.sha256(sources[name]).digest())
    key = (interpreter.command, interpreter.version, digest.hexdigest())
    if key in _CACHE:
        return dict(_CACHE[key])
    with tempfile.TemporaryDirectory(prefix="vrdr-bytecode-") as tmp:
        root = Path(tmp)
        for name in names:
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(sources[name])
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["PYTHONHASHSEED"] = "0"  # set constants in the same order on every build
        try:
            done = subprocess.run([*interpreter.command, "-c", _COMPILE, str(root)],
                                  input=json.dumps(names), capture_output=True, text=True,
                                  env=env, timeout=COMPILE_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise InputError(f"Python {interpreter.version} could not compile the package: "
                             f"{exc}") from None
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise InputError(f"Python {interpreter.version} could not compile the package: "
                             f"{why}")
        out: dict[str, bytes] = {}
        for name in names:
            folder, _, file = name.rpartition("/")
            cached = f"{folder}/__pycache__/{file[:-3]}.{interpreter.tag}.pyc".lstrip("/")
            out[cached] = (root / cached).read_bytes()
    _CACHE[key] = out
    return dict(out)
