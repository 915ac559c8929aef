"""Test helpers for the 3ds Max package: a small local wheel folder and lock, a built bundle,
and the simulated 3ds Max start (a fresh Python process running ``max_start_driver.py``)."""

from __future__ import annotations

import ast
import builtins
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vrdr_max.deploy.bundle import ABIS, build

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("max_start_driver.py")
STARTUP_SCRIPT = ROOT / "startup_scripts" / "vrdr_startup.py"


def load_startup(path: Path = STARTUP_SCRIPT, name: str = "vrdr_startup") -> dict[str, Any]:
    """The start-up script's functions and constants, without its closing ``start()`` call.

    The script calls ``start()`` unconditionally on its last line (3ds Max's ``__name__`` is
    unknown); this loader compiles every statement but that one, so tests can call the
    functions without registering anything. It refuses a script whose last statement is not
    exactly ``start()``.
    """
    tree = ast.parse(path.read_text("utf-8"), str(path))
    last = tree.body[-1]
    assert (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
            and isinstance(last.value.func, ast.Name) and last.value.func.id == "start"
            and not last.value.args and not last.value.keywords), \
        "the start-up script must end with an unconditional start()"
    tree.body.pop()
    namespace: dict[str, Any] = {"__name__": name, "__builtins__": builtins}
    exec(compile(tree, str(path), "exec"), namespace)
    return namespace


RUNNING_ABI = f"cp{sys.version_info.major}{sys.version_info.minor}"
TIME = (1980, 1, 1, 0, 0, 0)


def make_wheel(folder: Path, name: str, version: str, tag: str, files: dict[str, str]) -> Path:
    """A minimal, deterministic wheel ``name-version-tag.whl`` holding ``files``."""
    dist = f"{name}-{version}.dist-info"
    entries = dict(files)
    entries[f"{dist}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    entries[f"{dist}/WHEEL"] = f"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: {tag}\n"
    entries[f"{dist}/RECORD"] = "".join(f"{p},,\n" for p in sorted(entries)) + f"{dist}/RECORD,,\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(entries):
            zf.writestr(zipfile.ZipInfo(path, date_time=TIME), entries[path])
    target = folder / f"{name}-{version}-{tag}.whl"
    target.write_bytes(buf.getvalue())
    return target


@dataclass
class Wheelhouse:
    """A local wheel folder and the lock that pins (and hashes) its wheels."""

    wheels: Path
    lock: Path
    abis: tuple[str, ...]


def make_wheelhouse(tmp: Path, abis: tuple[str, ...] = (*ABIS, RUNNING_ABI)) -> Wheelhouse:
    """Two fake dependencies: ``vrdrtest_core`` (one wheel per ABI) and ``vrdrtest_pure``."""
    abis = tuple(sorted(set(abis)))
    wheels = tmp / "wheels"
    wheels.mkdir(parents=True)
    core = [make_wheel(wheels, "vrdrtest_core", "1.0", f"{abi}-{abi}-win_amd64",
                       {"vrdrtest_core/__init__.py": f"ABI = {abi!r}\n"}) for abi in abis]
    pure = make_wheel(wheels, "vrdrtest_pure", "2.0", "py3-none-any",
                      {"vrdrtest_pure.py": "VALUE = 2\n"})

    def wheel_lines(paths: list[Path]) -> str:
        return "".join(
            f'    {{ url = "https://files.invalid/{p.name}", hash = "sha256:'
            f'{hashlib.sha256(p.read_bytes()).hexdigest()}", size = {p.stat().st_size} }},\n'
            for p in paths)

    lock = tmp / "uv.lock"
    lock.write_text(
        'version = 1\nrequires-python = ">=3.10"\n\n'
        '[[package]]\nname = "vrdr-max"\nversion = "0.1.0"\nsource = { editable = "." }\n'
        'dependencies = [\n    { name = "vrdrtest-core" },\n]\n\n'
        '[package.metadata]\nrequires-dist = [{ name = "vrdrtest-core" }]\n\n'
        '[[package]]\nname = "vrdrtest-core"\nversion = "1.0"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
        'dependencies = [\n    { name = "vrdrtest-pure" },\n]\n'
        f"wheels = [\n{wheel_lines(core)}]\n\n"
        '[[package]]\nname = "vrdrtest-pure"\nversion = "2.0"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
        f"wheels = [\n{wheel_lines([pure])}]\n", encoding="utf-8")
    return Wheelhouse(wheels, lock, abis)


def build_bundle(tmp: Path, house: Wheelhouse) -> Path:
    """The package built from this checkout with the local wheels; returns its folder."""
    return build(tmp / "out", wheels=house.wheels, lock=house.lock, source=ROOT,
                 abis=house.abis).folder


def simulate_start(bundle: Path, year: int, *flags: str) -> dict[str, Any]:
    """Start a simulated 3ds Max ``year`` with the package in a fresh Python process."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_API", "VRDR_STARTUP_RECORD")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory(prefix="vrdr-start-") as temp, \
            tempfile.TemporaryDirectory(prefix="vrdr-start-xdg-") as runtime:
        env["TMPDIR"] = temp  # what the start (and the driver) leave behind shows here
        env["XDG_RUNTIME_DIR"] = runtime  # else Qt 5 makes its own in TMPDIR (runtime-<user>)
        proc = subprocess.run([sys.executable, str(DRIVER), str(bundle), str(year), *flags],
                              capture_output=True, text=True, env=env, timeout=120, check=False)
        left = sorted(p.name for p in Path(temp).iterdir())
    assert proc.returncode == 0, proc.stderr
    assert left == [], f"the simulated start left {left} in the temp folder"
    result: dict[str, Any] = json.loads(proc.stdout)
    return result
