"""``vrdr bundle``: contents, reproducibility, hashes, offline and download paths."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import zipfile
from pathlib import Path

import pytest
from startup_helpers import ROOT, Wheelhouse, build_bundle, make_wheel

from vrdr_max.cli.main import main
from vrdr_max.deploy.bundle import ABIS, FORBIDDEN, build, download, wheel_matches
from vrdr_max.deploy.uvlock import read_lock, runtime_closure
from vrdr_max.errors import InputError


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_from_the_same_inputs_are_byte_identical(tmp_path: Path,
                                                            house: Wheelhouse) -> None:
    first = build_bundle(tmp_path / "a", house)
    second = build_bundle(tmp_path / "b", house)
    zips = [next(p.parent.glob("*.zip")).read_bytes() for p in (first, second)]
    assert zips[0] == zips[1]
    assert tree(first) == tree(second)
    with zipfile.ZipFile(next(first.parent.glob("*.zip"))) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert {n.removeprefix("vrdr-max.bundle/") for n in names} == set(tree(first))


def test_the_package_holds_code_ui_startup_icons_and_deps_per_abi(bundle: Path,
                                                                  house: Wheelhouse) -> None:
    files = tree(bundle)
    assert "Contents/python/vrdr_max/__init__.py" in files
    assert "Contents/python/vrdr_max/deploy/bundle.py" in files
    assert "Contents/python/ui/README.md" in files
    assert {"Contents/startup/vrdr_startup.py", "Contents/startup/vrdr_startup.ms"} <= set(files)
    assert any(f.startswith("Contents/icons/Light/") for f in files)
    for abi in house.abis:
        core = files[f"Contents/vendor/{abi}/vrdrtest_core/__init__.py"]
        assert core == f"ABI = {abi!r}\n".encode()
        assert f"Contents/vendor/{abi}/vrdrtest_pure.py" in files
    parts = {part for f in files for part in f.split("/")}
    assert not {p for p in parts if p.lower().startswith(("pyside", "shiboken", "pytest"))}
    assert not parts & {"mock_pymxs", "tests", "__pycache__", "benchmarks"}


def test_the_manifest_lists_every_vendored_wheel_with_its_hash(bundle: Path,
                                                               house: Wheelhouse) -> None:
    doc = json.loads((bundle / "Contents/vendor/wheels.json").read_text("utf-8"))
    assert doc["abis"] == list(house.abis)
    assert len(doc["wheels"]) == 2 * len(house.abis)
    for w in doc["wheels"]:
        data = (house.wheels / w["filename"]).read_bytes()
        assert w["sha256"] == hashlib.sha256(data).hexdigest()
        assert w["abi"] in w["filename"] or w["filename"].endswith("py3-none-any.whl")


def test_a_wheel_that_does_not_match_the_lock_fails_and_leaves_the_output(
        tmp_path: Path, house: Wheelhouse, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    build(out, wheels=house.wheels, lock=house.lock, source=ROOT, abis=house.abis)
    before = tree(out)
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    for p in house.wheels.iterdir():
        (tampered / p.name).write_bytes(p.read_bytes())
    make_wheel(tampered, "vrdrtest_pure", "2.0", "py3-none-any", {"vrdrtest_pure.py": "EVIL\n"})
    code = main(["bundle", "--out", str(out), "--wheels", str(tampered), "--lock", str(house.lock)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "does not match the lock" in err
    assert tree(out) == before


def test_a_missing_wheel_for_an_abi_is_one_clear_error(tmp_path: Path, house: Wheelhouse) -> None:
    with pytest.raises(InputError, match=r"no win_amd64 wheel of vrdrtest-core==1.0 for cp312"):
        build(tmp_path / "out", wheels=house.wheels, lock=house.lock, source=ROOT,
              abis=("cp312",) if "cp312" not in house.abis else ("cp39",))


def test_without_a_wheel_folder_the_pinned_wheels_are_downloaded_and_checked(
        tmp_path: Path, house: Wheelhouse) -> None:
    served = {f"https://files.invalid/{p.name}": p.read_bytes() for p in house.wheels.iterdir()}
    asked: list[str] = []

    def fetch(url: str) -> bytes:
        asked.append(url)
        return served[url]

    result = build(tmp_path / "out", lock=house.lock, source=ROOT, abis=house.abis, fetch=fetch)
    assert sorted(p.name for p in (tmp_path / "out/wheels").iterdir()) == sorted(
        p.name for p in house.wheels.iterdir())
    assert len(asked) == len(set(asked)) == len(served)  # each file once
    assert len(result.wheels) == 2 * len(house.abis)

    def bad(url: str) -> bytes:
        return served[url] + b"x"

    with pytest.raises(InputError, match="does not match the lock"):
        build(tmp_path / "out2", lock=house.lock, source=ROOT, abis=house.abis, fetch=bad)
    assert not list((tmp_path / "out2/wheels").glob("*.whl"))


def test_the_project_lock_pins_what_3ds_max_needs_and_nothing_it_must_not_get() -> None:
    packages = runtime_closure(read_lock(ROOT / "uv.lock"), "vrdr-max")
    names = {p.name for p in packages}
    assert {"pydantic", "pydantic-core", "qtpy", "packaging", "typing-extensions"} <= names
    assert not [n for n in names if FORBIDDEN.match(n)]
    core = next(p for p in packages if p.name == "pydantic-core")
    for abi in ABIS:  # a compiled core for every Python of 3ds Max 2024-2027
        assert any(wheel_matches(w.filename, abi) == 3 for w in core.wheels), abi


@pytest.mark.parametrize(("filename", "abi", "score"), [
    ("pydantic_core-2.46.5-cp311-cp311-win_amd64.whl", "cp311", 3),
    ("pydantic_core-2.46.5-cp311-cp311-win_amd64.whl", "cp310", 0),
    ("pydantic_core-2.46.5-cp311-cp311-manylinux_2_17_x86_64.whl", "cp311", 0),
    ("x-1.0-cp38-abi3-win_amd64.whl", "cp311", 2),
    ("x-1.0-cp312-abi3-win_amd64.whl", "cp311", 0),
    ("QtPy-2.4.3-py3-none-any.whl", "cp313", 1),
    ("x-1.0-py2.py3-none-any.whl", "cp310", 1),
    ("not-a-wheel.zip", "cp310", 0),
])
def test_wheel_tags(filename: str, abi: str, score: int) -> None:
    assert wheel_matches(filename, abi) == score


def test_a_wheel_entry_outside_its_folder_is_refused(tmp_path: Path, house: Wheelhouse) -> None:
    evil = tmp_path / "evil"
    evil.mkdir()
    for p in house.wheels.iterdir():
        (evil / p.name).write_bytes(p.read_bytes())
    make_wheel(evil, "vrdrtest_pure", "2.0", "py3-none-any", {"../escaped.py": "x = 1\n"})
    lock = tmp_path / "nohash.lock"  # a lock without hashes, so the entry check is what stops it
    lock.write_text(house.lock.read_text("utf-8").replace("sha256:", "sha256:0"), "utf-8")
    with pytest.raises(InputError, match=r'unsupported entry "\.\./escaped\.py"'):
        build(tmp_path / "out", wheels=evil, lock=lock, source=ROOT, abis=house.abis)
    assert not (tmp_path / "escaped.py").exists()


def test_an_output_folder_that_is_not_a_built_package_is_left_alone(
        tmp_path: Path, house: Wheelhouse) -> None:
    mine = tmp_path / "out" / "vrdr-max.bundle"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="is not a package built here"):
        build(tmp_path / "out", wheels=house.wheels, lock=house.lock, source=ROOT,
              abis=house.abis)
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_rebuilt_wheel_beside_the_locked_one_is_not_vendored(tmp_path: Path,
                                                                house: Wheelhouse) -> None:
    # Same name and version with a build tag: not in the lock, so never hash-checked. It
    # sorted first ("2.0-1-" < "2.0-py3") and was vendored instead of the locked wheel.
    mixed = tmp_path / "mixed"
    shutil.copytree(house.wheels, mixed)
    make_wheel(mixed, "vrdrtest_pure", "2.0-1", "py3-none-any", {"vrdrtest_pure.py": "EVIL\n"})
    folder = build(tmp_path / "out", wheels=mixed, lock=house.lock, source=ROOT,
                   abis=house.abis).folder
    for abi in house.abis:
        assert (folder / f"Contents/vendor/{abi}/vrdrtest_pure.py").read_text("utf-8") == (
            "VALUE = 2\n")


def test_a_fifo_as_the_lock_is_refused_without_blocking(tmp_path: Path,
                                                         house: Wheelhouse) -> None:
    fifo = tmp_path / "uv.lock"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            read_lock(fifo)
        except BaseException as exc:  # noqa: BLE001 - handed to the test as a value
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # release the blocked reader
        worker.join(10)
        pytest.fail("reading a FIFO as the lock file blocked")
    assert isinstance(outcome[0], InputError) and "FIFO" in str(outcome[0])


def test_output_paths_that_cannot_be_written_are_one_line_and_nothing_moves(
        tmp_path: Path, house: Wheelhouse, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    build(out, wheels=house.wheels, lock=house.lock, source=ROOT, abis=house.abis)
    zip_path = next(out.glob("*.zip"))
    zip_path.unlink()
    zip_path.mkdir()  # a folder where the zip goes
    (zip_path / "mine.txt").write_text("mine", encoding="utf-8")
    before = tree(out)
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    for target in (out, blocker / "out"):
        code = main(["bundle", "--out", str(target), "--wheels", str(house.wheels),
                     "--lock", str(house.lock)])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1, err
    assert tree(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(["vrdr-max.bundle", zip_path.name])


@pytest.mark.parametrize("dependency", ["PySide6", "shiboken6", "PyQt5", "pytest", "mock-pymxs"])
def test_a_runtime_dependency_that_must_not_ship_stops_the_build(
        tmp_path: Path, house: Wheelhouse, dependency: str) -> None:
    lock = tmp_path / "uv.lock"
    lock.write_text(house.lock.read_text("utf-8").replace(
        'dependencies = [\n    { name = "vrdrtest-core" },\n]',
        f'dependencies = [\n    {{ name = "vrdrtest-core" }},\n    {{ name = "{dependency}" }},\n]',
        1) + f'\n[[package]]\nname = "{dependency}"\nversion = "6.5.3"\n', "utf-8")
    with pytest.raises(InputError, match="must not be bundled"):
        build(tmp_path / "out", wheels=house.wheels, lock=lock, source=ROOT, abis=house.abis)
    assert not (tmp_path / "out").exists()


def test_only_https_urls_are_downloaded() -> None:
    with pytest.raises(InputError, match="non-https"):
        download("http://127.0.0.1:9/x-1.0-py3-none-any.whl")  # loopback, never a resolver


def test_zip_entries_carry_fixed_permissions_and_origin(bundle: Path) -> None:
    with zipfile.ZipFile(next(bundle.parent.glob("*.zip"))) as zf:
        assert {(i.external_attr, i.create_system) for i in zf.infolist()} == {(0o644 << 16, 0)}


def test_an_output_folder_inside_the_sources_is_refused(tmp_path: Path, house: Wheelhouse) -> None:
    # Its package would be packed into the next build's (not reproducible, growing each time).
    source = tmp_path / "checkout"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "tests", "benchmarks", "docs", "*_cache", "__pycache__"))
    with pytest.raises(InputError, match="inside a folder the package is built from"):
        build(source / "vrdr_max" / "dist", wheels=house.wheels, lock=house.lock, source=source,
              abis=house.abis)
    assert not (source / "vrdr_max" / "dist").exists()


def test_a_refused_swap_keeps_the_previous_package(tmp_path: Path, house: Wheelhouse,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build(out, wheels=house.wheels, lock=house.lock, source=ROOT, abis=house.abis)
    before = tree(out)
    real_replace = Path.replace

    def replace(self: Path, target: Path) -> Path:
        if self.name == "vrdr-max.bundle" and Path(target) == out / "vrdr-max.bundle":
            raise PermissionError(13, "Access is denied")  # a file of it open elsewhere
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", replace)
    with pytest.raises(InputError, match="cannot build the package"):
        build(out, wheels=house.wheels, lock=house.lock, source=ROOT, abis=house.abis)
    assert tree(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in out.iterdir() if not p.name.startswith("."))
