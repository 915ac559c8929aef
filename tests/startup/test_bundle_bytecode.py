"""``vrdr bundle`` ships bytecode: each 3ds Max Python starts without compiling (issue 18.5).

3ds Max installs the package where the artist cannot write, so the bytecode Python would write
on first start never lands: without it in the package every start compiles from source.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from startup_helpers import ROOT, RUNNING_ABI, Wheelhouse

from vrdr_max.cli.main import main
from vrdr_max.deploy import bytecode
from vrdr_max.deploy.bundle import build
from vrdr_max.errors import InputError

TAG = sys.implementation.cache_tag


def _cached(source: str) -> str:
    folder, _, name = source.rpartition("/")
    return f"{folder}/__pycache__/{name[:-3]}.{TAG}.pyc"


def test_every_module_has_hash_checked_bytecode_for_the_running_python(
        bundle: Path, house: Wheelhouse) -> None:
    roots = [bundle / "Contents/python", bundle / f"Contents/vendor/{RUNNING_ABI}"]
    sources = [p for root in roots for p in root.rglob("*.py")]
    assert len(sources) > 50
    for source in sources:
        rel = source.relative_to(bundle).as_posix()
        pyc = (bundle / _cached(rel)).read_bytes()
        assert pyc[:4] == importlib.util.MAGIC_NUMBER, rel
        assert int.from_bytes(pyc[4:8], "little") == 0b11, rel  # checked hash (PEP 552)
        assert pyc[8:16] == importlib.util.source_hash(source.read_bytes()), rel


def test_a_start_from_the_package_compiles_nothing(bundle: Path) -> None:
    """Python finds every module's bytecode beside it: source is never compiled.

    The child refuses to compile (``compile`` raises) and cannot write bytecode, as in a
    read-only install folder; importing the CLI, the cfg reader and a vendored module works.
    """
    python, vendor = bundle / "Contents/python", bundle / f"Contents/vendor/{RUNNING_ABI}"
    code = ("import builtins, sys\n"
            "def refused(*args, **kwargs):\n    raise SystemError('compiled from source')\n"
            f"sys.path[:0] = [{str(python)!r}, {str(vendor)!r}]\n"
            "builtins.compile = refused\n"
            "import vrdr_max.cli.main, vrdr_max.cfgfile, vrdrtest_pure\n"
            "print(vrdr_max.cfgfile.__file__)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_relative_to(python)


def test_an_abi_without_its_python_gets_none_and_the_build_says_so(
        tmp_path: Path, house: Wheelhouse, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # Nothing to find but the running interpreter: no pyenv, only git on the PATH.
    git = shutil.which("git")
    assert git is not None  # the checkout's tracked files are packed
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "git").symlink_to(git)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    out = tmp_path / "out"
    code = main(["bundle", "--out", str(out), "--wheels", str(house.wheels),
                 "--lock", str(house.lock)])
    assert code == 0
    text = capsys.readouterr().out
    missing = sorted(set(house.abis) - {RUNNING_ABI})
    assert missing  # the wheelhouse holds every 3ds Max ABI
    for abi in missing:
        assert f"no bytecode for {abi}: no Python {bytecode.abi_version(abi)} found" in text
    tags = {p.name.rsplit(".", 2)[1] for p in out.rglob("*.pyc")}
    assert tags == {TAG}


def test_without_bytecode_the_package_holds_sources_only(tmp_path: Path,
                                                         house: Wheelhouse) -> None:
    result = build(tmp_path / "out", wheels=house.wheels, lock=house.lock, source=ROOT,
                   abis=house.abis, bytecode=False)
    assert result.bytecode == {}
    assert not list(result.folder.rglob("__pycache__"))


def test_the_bytecode_is_the_same_from_one_compile_to_the_next() -> None:
    """A fixed hash seed: set constants keep their order (a build must be reproducible)."""
    running = bytecode.find_interpreters([RUNNING_ABI])[RUNNING_ABI]
    assert running is not None
    source = {"pkg/m.py": b'def f(x):\n    return x in {"alpha", "beta", "gamma", "delta"}\n'}
    first = bytecode.compile_sources(running, source)
    bytecode._CACHE.clear()
    second = bytecode.compile_sources(running, source)
    assert first == second
    assert list(first) == [f"pkg/__pycache__/m.{TAG}.pyc"]


def test_a_python_given_for_an_abi_must_be_that_python(tmp_path: Path,
                                                       house: Wheelhouse) -> None:
    other = next(abi for abi in ("cp310", "cp311") if abi != RUNNING_ABI)
    with pytest.raises(InputError, match=rf"--python {other}=.*: not a Python 3\.1[01] that"):
        build(tmp_path / "out", wheels=house.wheels, lock=house.lock, source=ROOT,
              abis=house.abis, pythons={other: Path(sys.executable)})
    with pytest.raises(InputError, match="the package is not built for cp39"):
        build(tmp_path / "out", wheels=house.wheels, lock=house.lock, source=ROOT,
              abis=house.abis, pythons={"cp39": Path(sys.executable)})
    with pytest.raises(InputError, match="expected ABI=PATH"):
        bytecode.parse_python("cp310")
    with pytest.raises(InputError, match="not a CPython ABI tag"):
        bytecode.parse_python("py3=/usr/bin/python3")
    assert not (tmp_path / "out").exists()
