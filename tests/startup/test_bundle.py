"""``vrdr bundle``: contents, reproducibility, hashes, offline and download paths."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from fifo_guard import finishes
from startup_helpers import ROOT, Wheelhouse, build_bundle, make_wheel

from vrdr_max.cli.main import main
from vrdr_max.deploy.bundle import ABIS, FORBIDDEN, build, download, python_abi, wheel_matches
from vrdr_max.deploy.install import UPGRADE_CODE
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
    # The forms travel inside the package (vrdr_max/ui-files), never as a top-level `ui`
    # folder on sys.path, which 3ds Max's shared interpreter could import as a package.
    assert "Contents/python/vrdr_max/ui-files/panel.ui" in files
    assert "Contents/python/vrdr_max/ui-files/icons/add.svg" in files
    assert not [f for f in files if f.startswith("Contents/python/ui/")]
    assert {"Contents/startup/vrdr_startup.py", "Contents/startup/vrdr_startup.ms"} <= set(files)
    assert any(f.startswith("Contents/icons/Light/") for f in files)
    for abi in house.abis:
        core = files[f"Contents/vendor/{abi}/vrdrtest_core/__init__.py"]
        assert core == f"ABI = {abi!r}\n".encode()
        assert f"Contents/vendor/{abi}/vrdrtest_pure.py" in files
    parts = {part for f in files for part in f.split("/")}
    assert not {p for p in parts if p.lower().startswith(("pyside", "shiboken", "pytest"))}
    assert not parts & {"mock_pymxs", "tests", "benchmarks"}
    # __pycache__ holds only what the build compiled (hash-checked), never the checkout's.
    for name in (f for f in files if "/__pycache__/" in f):
        folder, _, cached = name.rpartition("/__pycache__/")
        stem, _tag, ext = cached.rsplit(".", 2)
        assert ext == "pyc" and f"{folder}/{stem}.py" in files, name
        assert int.from_bytes(files[name][4:8], "little") == 0b11, name  # PEP 552 checked hash


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
    for abi in ABIS:
        packages = runtime_closure(read_lock(ROOT / "uv.lock"), "vrdr-max", python_abi(abi))
        names = {p.name for p in packages}
        assert {"pydantic", "pydantic-core", "qtpy", "packaging", "typing-extensions"} <= names
        assert not [n for n in names if FORBIDDEN.match(n)]
        core = next(p for p in packages if p.name == "pydantic-core")
        # a compiled core for every Python of 3ds Max 2024-2027
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
    given = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in evil.iterdir()}
    with pytest.raises(InputError, match=r'unsupported entry "\.\./escaped\.py"'):
        build(tmp_path / "out", wheels=evil, lock=lock, source=ROOT, abis=house.abis,
              hashes=given)
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
    outcome = finishes(lambda: read_lock(fifo), fifo)
    assert isinstance(outcome, InputError) and "FIFO" in str(outcome)


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


def _copy_wheels(house: Wheelhouse, folder: Path) -> Path:
    shutil.copytree(house.wheels, folder)
    return folder


def test_a_fifo_named_like_a_wheel_is_refused_without_blocking(
        tmp_path: Path, house: Wheelhouse) -> None:
    wheels = _copy_wheels(house, tmp_path / "wheels")
    [pure] = wheels.glob("vrdrtest_pure-*.whl")
    pure.unlink()
    os.mkfifo(pure)
    error = finishes(lambda: build(tmp_path / "out", wheels=wheels, lock=house.lock,
                                     source=ROOT, abis=house.abis), pure)
    assert isinstance(error, InputError) and "FIFO" in str(error), error
    assert not (tmp_path / "out" / "vrdr-max.bundle").exists()


def _rewrite_pure_wheel(wheels: Path, entries: dict[str, bytes]) -> Path:
    """Replace vrdrtest_pure's wheel with a zip of ``entries`` (raw names, as given)."""
    [pure] = wheels.glob("vrdrtest_pure-*.whl")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    pure.write_bytes(buf.getvalue())
    return pure


def _hash_option(wheel: Path) -> list[str]:
    return ["--hash", f"{wheel.name}={hashlib.sha256(wheel.read_bytes()).hexdigest()}"]


def _lock_without(house: Wheelhouse, folder: Path, wheel: str) -> Path:
    """The house's lock with ``wheel``'s line removed: the lock no longer lists that file."""
    lock = folder / "uv.lock"
    lock.write_text("".join(line for line in house.lock.read_text("utf-8").splitlines(True)
                            if wheel not in line), "utf-8")
    return lock


@pytest.mark.parametrize(("what", "entries"), [
    ("not a zip", None),
    ("an entry named .", {".": b"x"}),
    ("an entry ./x", {"./vrdrtest_pure.py": b"x"}),
    ("backslash traversal", {"..\\..\\escaped.py": b"x = 1\n"}),
    ("backslash inside", {"vrdrtest_pure\\..\\..\\escaped.py": b"x = 1\n"}),
    ("a drive", {"C:/escaped.py": b"x = 1\n"}),
    ("an absolute path", {"/escaped.py": b"x = 1\n"}),
])
def test_a_wheel_that_is_not_a_zip_or_has_an_unsafe_entry_is_bad_input(
        tmp_path: Path, house: Wheelhouse, capsys: pytest.CaptureFixture[str],
        what: str, entries: dict[str, bytes] | None) -> None:
    # Before: a non-zip and the entry "." were exit 70 (BadZipFile, IndexError); a backslash
    # path passed the check and, written on Windows, lands outside the package.
    wheels = _copy_wheels(house, tmp_path / "wheels")
    if entries is None:
        [pure] = wheels.glob("vrdrtest_pure-*.whl")
        pure.write_bytes(b"PK\x03\x04 this is not a zip archive")
    else:
        pure = _rewrite_pure_wheel(wheels, entries)
    lock = _lock_without(house, tmp_path, pure.name)  # the lock's hash is not what stops it
    code = main(["bundle", "--out", str(tmp_path / "out"), "--wheels", str(wheels),
                 "--lock", str(lock), *_hash_option(pure)])
    err = capsys.readouterr().err
    assert code == 2, (what, err)
    assert err.count("\n") == 1 and pure.name in err, err
    assert not (tmp_path / "out" / "vrdr-max.bundle").exists()
    assert not list(tmp_path.rglob("escaped.py"))


def test_an_output_package_of_another_upgrade_code_is_left_alone(
        tmp_path: Path, house: Wheelhouse, bundle: Path) -> None:
    # Before, any folder with a PackageContents.xml was replaced.
    other = tmp_path / "out" / "vrdr-max.bundle"
    shutil.copytree(bundle, other)
    manifest = other / "PackageContents.xml"
    manifest.write_bytes(manifest.read_bytes().replace(
        UPGRADE_CODE.encode(), b"{00000000-0000-0000-0000-000000000000}"))
    (other / "theirs.txt").write_text("theirs", encoding="utf-8")
    before = tree(other)
    with pytest.raises(InputError, match="is not the vrdr-max package"):
        build(tmp_path / "out", wheels=house.wheels, lock=house.lock, source=ROOT,
              abis=house.abis)
    assert tree(other) == before


def test_a_fifo_manifest_in_the_output_package_is_refused_without_blocking(
        tmp_path: Path, house: Wheelhouse) -> None:
    out = tmp_path / "out"
    build(out, wheels=house.wheels, lock=house.lock, source=ROOT, abis=house.abis)
    manifest = out / "vrdr-max.bundle" / "PackageContents.xml"
    manifest.unlink()
    os.mkfifo(manifest)
    error = finishes(lambda: build(out, wheels=house.wheels, lock=house.lock,
                                     source=ROOT, abis=house.abis), manifest)
    assert isinstance(error, InputError) and "FIFO" in str(error), error


def test_a_wheel_the_lock_does_not_list_needs_its_hash(
        tmp_path: Path, house: Wheelhouse, capsys: pytest.CaptureFixture[str]) -> None:
    # Before, a wheel of the right name and version that the lock does not list (a local
    # rebuild, a file from elsewhere) was vendored without any hash check.
    [pure] = house.wheels.glob("vrdrtest_pure-*.whl")
    lock = _lock_without(house, tmp_path, pure.name)
    args = ["bundle", "--out", str(tmp_path / "out"), "--wheels", str(house.wheels),
            "--lock", str(lock)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{pure.name} is not in the lock" in err, err
    assert "--hash" in err
    assert not (tmp_path / "out" / "vrdr-max.bundle").exists()
    assert main([*args, "--hash", f"{pure.name}={'0' * 64}"]) == 2
    assert "does not match the sha256 given" in capsys.readouterr().err
    assert main([*args, *_hash_option(pure), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {w["filename"] for w in doc["wheels"]} >= {pure.name}
    assert main([*args, *_hash_option(pure), "--hash", f"other-1.0-py3-none-any.whl={'0' * 64}"]
                ) == 2
    assert "the build vendors no such wheel" in capsys.readouterr().err


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), "-c", "user.name=vrdr-test",
                           "-c", "user.email=test@vrdr.invalid", *args], check=True,
                          capture_output=True, text=True, timeout=60).stdout


def _source_copy(folder: Path) -> Path:
    """The package's sources of this checkout, copied (what a fresh clone holds)."""
    folder.mkdir()
    for name in ("package.xml", "uv.lock", "pyproject.toml"):
        shutil.copy2(ROOT / name, folder / name)
    for name in ("vrdr_max", "ui", "startup_scripts"):
        shutil.copytree(ROOT / name, folder / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return folder


def test_only_files_git_tracks_are_packed(tmp_path: Path, house: Wheelhouse) -> None:
    # Before, every file under the source folders went in: a scratch script or a TD's notes
    # in vrdr_max/ or ui/ would ship to every artist.
    source = _source_copy(tmp_path / "checkout")
    _git(source, "init", "-q")
    _git(source, "add", "-A")
    _git(source, "commit", "-q", "-m", "sources")
    (source / "vrdr_max" / "scratch.py").write_text("SECRET = 1\n", encoding="utf-8")
    (source / "ui" / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = build(tmp_path / "out", wheels=house.wheels, lock=house.lock, source=source,
                   abis=house.abis)
    files = tree(result.folder)
    assert result.sources == "git"
    assert "Contents/python/vrdr_max/cli/main.py" in files
    assert not [f for f in files if f.endswith(("scratch.py", "notes.txt"))]


def test_a_tracked_file_missing_from_the_checkout_stops_the_build(tmp_path: Path,
                                                                   house: Wheelhouse) -> None:
    source = _source_copy(tmp_path / "checkout")
    _git(source, "init", "-q")
    _git(source, "add", "-A")
    (source / "ui" / "plan.ui").unlink()  # the package would lack a form git says it has
    with pytest.raises(InputError, match=r"plan\.ui is tracked by git but missing"):
        build(tmp_path / "out", wheels=house.wheels, lock=house.lock, source=source,
              abis=house.abis)
    assert not (tmp_path / "out" / "vrdr-max.bundle").exists()


def test_outside_a_git_checkout_every_file_of_the_source_folders_is_packed(
        tmp_path: Path, house: Wheelhouse) -> None:
    # A source archive (an sdist, a downloaded zip) has no git to ask: its files are taken,
    # caches left out, and the result says so.
    source = _source_copy(tmp_path / "unpacked")
    (source / "ui" / "extra.txt").write_text("x\n", encoding="utf-8")
    (source / "vrdr_max" / "__pycache__").mkdir()
    (source / "vrdr_max" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    result = build(tmp_path / "out", wheels=house.wheels, lock=house.lock, source=source,
                   abis=house.abis)
    files = tree(result.folder)
    assert result.sources == "tree"
    assert "Contents/python/vrdr_max/ui-files/extra.txt" in files
    # The tree's own caches stay out; the build's bytecode (hash-checked) goes in.
    assert "Contents/python/vrdr_max/__pycache__/x.cpython-311.pyc" not in files
    assert all(int.from_bytes(data[4:8], "little") == 0b11
               for f, data in files.items() if "__pycache__" in f)


def test_a_link_among_the_sources_is_refused(tmp_path: Path, house: Wheelhouse) -> None:
    # The package holds regular files only; a link would carry whatever it points at.
    source = _source_copy(tmp_path / "unpacked")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the package\n", encoding="utf-8")
    (source / "ui" / "icons" / "linked.svg").symlink_to(secret)
    with pytest.raises(InputError, match=r"linked\.svg is a link"):
        build(tmp_path / "out", wheels=house.wheels, lock=house.lock, source=source,
              abis=house.abis)
    assert not (tmp_path / "out" / "vrdr-max.bundle").exists()


def test_each_abi_gets_the_dependency_versions_its_python_needs(tmp_path: Path,
                                                                 house: Wheelhouse) -> None:
    # uv.lock splits a dependency by Python version (filelock 4.1.0 below 3.11, 4.3.1 from 3.11,
    # whose wheels need 3.11): before, the markers were not read and one version went to every
    # ABI, so 3ds Max 2024 (Python 3.10) got a filelock that needs 3.11. A dependency for
    # another platform stays out.
    wheels = _copy_wheels(house, tmp_path / "wheels")
    old = make_wheel(wheels, "vrdrtest_pure", "1.0", "py3-none-any",
                     {"vrdrtest_pure.py": "VALUE = 1\n"})
    unix = make_wheel(wheels, "vrdrtest_unix", "1.0", "py3-none-any",
                      {"vrdrtest_unix.py": "X = 1\n"})
    text = house.lock.read_text("utf-8").replace(
        'dependencies = [\n    { name = "vrdrtest-pure" },\n]',
        'dependencies = [\n'
        '    { name = "vrdrtest-pure", version = "1.0", source = { registry = "https://pypi.org/'
        'simple" }, marker = "python_full_version < \'3.11\'" },\n'
        '    { name = "vrdrtest-pure", version = "2.0", source = { registry = "https://pypi.org/'
        'simple" }, marker = "python_full_version >= \'3.11\'" },\n'
        '    { name = "vrdrtest-unix", marker = "sys_platform != \'win32\'" },\n]', 1)
    for wheel in (old, unix):
        name, version = wheel.name.split("-")[:2]
        text += (f'\n[[package]]\nname = "{name.replace("_", "-")}"\nversion = "{version}"\n'
                 'source = { registry = "https://pypi.org/simple" }\n'
                 f'wheels = [\n    {{ url = "https://files.invalid/{wheel.name}", hash = '
                 f'"sha256:{hashlib.sha256(wheel.read_bytes()).hexdigest()}" }},\n]\n')
    lock = tmp_path / "uv.lock"
    lock.write_text(text, "utf-8")
    folder = build(tmp_path / "out", wheels=wheels, lock=lock, source=ROOT,
                   abis=("cp310", "cp311", "cp313")).folder
    values = {abi: (folder / f"Contents/vendor/{abi}/vrdrtest_pure.py").read_text("utf-8")
              for abi in ("cp310", "cp311", "cp313")}
    assert values == {"cp310": "VALUE = 1\n", "cp311": "VALUE = 2\n", "cp313": "VALUE = 2\n"}
    assert not list(folder.rglob("vrdrtest_unix.py"))


def test_the_project_lock_gives_each_python_of_3ds_max_its_own_filelock() -> None:
    lock = read_lock(ROOT / "uv.lock")
    versions = {abi: {p.name: p.version for p in runtime_closure(lock, "vrdr-max",
                                                                 python_abi(abi))}
                for abi in ABIS}
    assert versions["cp310"]["filelock"] == "4.1.0"  # 4.3.1 needs Python 3.11
    assert versions["cp311"]["filelock"] == versions["cp313"]["filelock"] == "4.3.1"
