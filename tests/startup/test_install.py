"""``vrdr install`` / ``vrdr uninstall`` into a folder the test owns (never a system path)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fifo_guard import finishes

from vrdr_max.cli.main import main
from vrdr_max.deploy.install import PLUGINS_ENV, UPGRADE_CODE, plugins_dir


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "ApplicationPlugins"
    monkeypatch.setenv(PLUGINS_ENV, str(target))
    return target


def test_install_copies_the_package_and_uninstall_removes_it(
        bundle: Path, plugins: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install", "--from", str(bundle), "--max-version", "2024", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    installed = plugins / "vrdr-max.bundle"
    assert doc["installed"] == str(installed) and doc["replaced"] is False
    assert doc["components"] == ["./Contents/startup/vrdr_startup.ms"]
    assert (installed / "PackageContents.xml").read_bytes() == (
        bundle / "PackageContents.xml").read_bytes()
    assert main(["install", "--from", str(bundle), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["replaced"] is True
    assert sorted(p.name for p in plugins.iterdir()) == ["vrdr-max.bundle"]  # no temp left
    assert main(["uninstall"]) == 0
    assert not installed.exists()
    assert main(["uninstall"]) == 0
    assert "not installed" in capsys.readouterr().out


def test_a_year_outside_the_package_is_refused(bundle: Path, plugins: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install", "--from", str(bundle), "--max-version", "2023"]) == 2
    assert "supports 3ds Max 2024-2027" in capsys.readouterr().err
    assert not plugins.exists()


def test_a_folder_that_is_not_ours_is_left_alone(bundle: Path, plugins: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    foreign = plugins / "vrdr-max.bundle"
    foreign.mkdir(parents=True)
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["install", "--from", str(bundle)]) == 2
    assert main(["uninstall"]) == 2
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert "not a built package" in capsys.readouterr().err


def test_not_a_package_is_one_clear_error(tmp_path: Path, plugins: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install", "--from", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a built package" in err


def test_off_windows_it_explains_adsk_application_plugins(
        bundle: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv(PLUGINS_ENV, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert main(["install", "--from", str(bundle)]) == 1
    assert "ADSK_APPLICATION_PLUGINS" in capsys.readouterr().err
    assert main(["uninstall"]) == 1


def test_windows_folders_per_user_and_for_all_users() -> None:
    env = {"APPDATA": r"C:\Users\a\AppData\Roaming", "ProgramData": r"C:\ProgramData"}
    assert plugins_dir(False, env, "win32") == Path(env["APPDATA"]) / "Autodesk" / (
        "ApplicationPlugins")
    assert plugins_dir(True, env, "win32") == Path(env["ProgramData"]) / "Autodesk" / (
        "ApplicationPlugins")
    assert plugins_dir(True, {**env, PLUGINS_ENV: "/x"}, "win32") == Path("/x")
    assert plugins_dir(False, {}, "linux") is None


def test_vrdr_inside_a_package_installs_that_package_by_default(bundle: Path) -> None:
    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "from vrdr_max.deploy.install import default_bundle; print(default_bundle())")
    proc = subprocess.run([sys.executable, "-c", code, str(bundle / "Contents" / "python")],
                          capture_output=True, text=True, check=True, timeout=60)
    assert proc.stdout.strip() == str(bundle)


def test_a_link_where_the_package_goes_is_left_alone(
        bundle: Path, plugins: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A link to a copy of our package (a share) or to nothing: rmtree/rename tracebacks before.
    shared = tmp_path / "share" / "vrdr-max.bundle"
    shutil.copytree(bundle, shared)
    link = plugins / "vrdr-max.bundle"
    plugins.mkdir()
    for points_to in (shared, tmp_path / "gone"):
        link.symlink_to(points_to)
        assert main(["install", "--from", str(bundle)]) == 2
        assert main(["uninstall"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 2 and err.count("is a link to") == 2, err
        assert link.is_symlink() and link.readlink() == points_to
        link.unlink()
    assert (shared / "PackageContents.xml").read_bytes() == (
        bundle / "PackageContents.xml").read_bytes()
    assert sorted(p.name for p in plugins.iterdir()) == []


def test_another_package_named_like_ours_is_left_alone(
        bundle: Path, plugins: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = plugins / "vrdr-max.bundle"
    shutil.copytree(bundle, other)
    manifest = other / "PackageContents.xml"
    manifest.write_bytes(manifest.read_bytes().replace(UPGRADE_CODE.encode(),
                                                       b"{00000000-0000-0000-0000-000000000000}"))
    before = manifest.read_bytes()
    assert main(["uninstall"]) == 2
    assert main(["install", "--from", str(bundle)]) == 2
    assert "is not the vrdr-max package manifest" in capsys.readouterr().err
    assert manifest.read_bytes() == before


def test_a_failed_swap_keeps_the_installed_package(
        bundle: Path, plugins: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install", "--from", str(bundle)]) == 0
    installed = plugins / "vrdr-max.bundle"
    (installed / "marker").write_text("old copy", encoding="utf-8")
    real_replace = Path.replace

    def replace(self: Path, target: Path) -> Path:
        if self.name == "vrdr-max.bundle" and Path(target) == installed:
            raise PermissionError(13, "Access is denied")  # a file of it open in 3ds Max
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", replace)
    capsys.readouterr()
    assert main(["install", "--from", str(bundle)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the previous package is kept" in err
    assert (installed / "marker").read_text(encoding="utf-8") == "old copy"
    assert sorted(p.name for p in plugins.iterdir()) == ["vrdr-max.bundle"]


def test_a_target_folder_that_cannot_be_made_is_one_line(
        bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(PLUGINS_ENV, str(blocker / "ApplicationPlugins"))
    assert main(["install", "--from", str(bundle)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot install into" in err
    assert blocker.read_text(encoding="utf-8") == "x"


def test_a_target_inside_the_package_is_refused_before_copying(
        bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # The copy used to land inside what it copied, growing until the disk was full.
    package = tmp_path / "vrdr-max.bundle"
    shutil.copytree(bundle, package)
    monkeypatch.setenv(PLUGINS_ENV, str(package / "plugins"))
    assert main(["install", "--from", str(package)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is inside the package" in err
    assert not (package / "plugins").exists()


def test_an_uninstall_the_os_refuses_removes_nothing(
        bundle: Path, plugins: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # Before, files were deleted one by one until one open in 3ds Max stopped it: half a
    # package was left for the next start.
    assert main(["install", "--from", str(bundle)]) == 0
    installed = plugins / "vrdr-max.bundle"
    before = sorted(p.relative_to(installed) for p in installed.rglob("*"))
    real_unlink = os.unlink

    def unlink(path: Any, *args: Any, **kwargs: Any) -> None:
        if Path(path).name == "vrdr_startup.py":
            raise PermissionError(13, "The process cannot access the file")  # open in 3ds Max
        real_unlink(path, *args, **kwargs)

    real_replace = Path.replace

    def replace(self: Path, target: Path) -> Path:
        if self == installed:
            raise PermissionError(13, "Access is denied")  # Windows: a file inside is open
        return real_replace(self, target)

    monkeypatch.setattr(os, "unlink", unlink)
    monkeypatch.setattr(Path, "replace", replace)
    capsys.readouterr()
    assert main(["uninstall"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nothing removed" in err
    assert sorted(p.relative_to(installed) for p in installed.rglob("*")) == before
    assert sorted(p.name for p in plugins.iterdir()) == ["vrdr-max.bundle"]


def test_a_fifo_manifest_in_the_package_to_install_is_refused_without_blocking(
        bundle: Path, plugins: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "vrdr-max.bundle"
    shutil.copytree(bundle, source)
    (source / "PackageContents.xml").unlink()
    os.mkfifo(source / "PackageContents.xml")
    code = finishes(lambda: main(["install", "--from", str(source)]),
                      source / "PackageContents.xml")
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "FIFO" in err, err
    assert not plugins.exists()


def test_a_fifo_manifest_where_the_package_is_installed_is_left_alone(
        bundle: Path, plugins: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install", "--from", str(bundle)]) == 0
    manifest = plugins / "vrdr-max.bundle" / "PackageContents.xml"
    manifest.unlink()
    os.mkfifo(manifest)
    capsys.readouterr()
    for verb in (["install", "--from", str(bundle)], ["uninstall"]):
        code = finishes(lambda verb=verb: main(verb), manifest)
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "FIFO" in err, (verb, err)
    assert stat.S_ISFIFO(manifest.lstat().st_mode)


def _copy_with(bundle: Path, folder: Path, make: Callable[[Path], None]) -> Path:
    copy = folder / "vrdr-max.bundle"
    shutil.copytree(bundle, copy)
    make(copy / "Contents")
    return copy


_OUTSIDE = "outside.txt"


@pytest.mark.parametrize(("what", "make"), [
    ("a link to its own folder (a loop)", lambda c: (c / "loop").symlink_to(c)),
    ("two links to each other", lambda c: ((c / "a").symlink_to(c / "b"),
                                          (c / "b").symlink_to(c / "a"))),
    ("a link to a file outside", lambda c: (c / "secret").symlink_to(
        c.parents[1] / _OUTSIDE)),
    ("a link to a folder outside", lambda c: (c / "elsewhere").symlink_to(c.parents[1])),
    ("a FIFO", lambda c: os.mkfifo(c / "pipe")),
    ("a link to a FIFO", lambda c: (os.mkfifo(c.parents[1] / "pipe"),
                                    (c / "pipe").symlink_to(c.parents[1] / "pipe"))),
])
def test_install_copies_only_the_packages_own_regular_files(
        bundle: Path, plugins: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        what: str, make: Callable[[Path], None]) -> None:
    # Before, copytree followed every link: a loop copied the package into itself until the
    # path was too long, a link out of the package copied what it pointed at, a FIFO blocked.
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / _OUTSIDE).write_text("not the package's\n", encoding="utf-8")
    source = _copy_with(bundle, tmp_path / "src", make)
    fifo = next((p for p in (source / "Contents" / "pipe", tmp_path / "src" / "pipe")
                 if p.exists() and stat.S_ISFIFO(p.stat().st_mode)), source / "none")
    code = finishes(lambda: main(["install", "--from", str(source)]), fifo)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, (what, err)
    assert "a package is copied only with its own regular files" in err or "FIFO" in err, err
    assert not (plugins / "vrdr-max.bundle").exists()
    assert [p.name for p in plugins.iterdir()] == []  # the partial copy is gone


def test_a_link_inside_the_package_to_its_own_file_is_copied_as_that_file(
        bundle: Path, plugins: Path, tmp_path: Path) -> None:
    source = _copy_with(bundle, tmp_path, lambda c: (c / "startup" / "copy.py").symlink_to(
        c / "startup" / "vrdr_startup.py"))
    assert main(["install", "--from", str(source)]) == 0
    copied = plugins / "vrdr-max.bundle" / "Contents" / "startup" / "copy.py"
    assert not copied.is_symlink()
    assert copied.read_bytes() == (bundle / "Contents/startup/vrdr_startup.py").read_bytes()


_DEVICE_INSTALL = """
import resource, sys
resource.setrlimit(resource.RLIMIT_FSIZE, (8 << 20, 8 << 20))  # a regression fails, not fills
from vrdr_max.cli.main import main
sys.exit(main(["install", "--from", sys.argv[1]]))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node (in a temp folder) needs root")
def test_a_link_to_a_device_is_not_copied(bundle: Path, tmp_path: Path) -> None:
    # A character device like /dev/zero, made inside the temp folder: copytree read it
    # "until the disk is full".
    zero = tmp_path / "zero"
    os.mknod(zero, stat.S_IFCHR | 0o600, os.makedev(1, 5))
    source = _copy_with(bundle, tmp_path, lambda c: (c / "zero").symlink_to(zero))
    plugins = tmp_path / "ApplicationPlugins"
    env = {**os.environ, PLUGINS_ENV: str(plugins)}
    proc = subprocess.run([sys.executable, "-c", _DEVICE_INSTALL, str(source)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "a package is copied only with its own regular files" in proc.stderr
    assert not (plugins / "vrdr-max.bundle").exists()


@pytest.mark.parametrize("year", ["20x4", "", "\uff12\uff10\uff12\uff14", "2024.5",
                                  "9" * 5000])
def test_a_series_year_that_is_not_a_year_is_bad_input(
        bundle: Path, plugins: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        year: str) -> None:
    # Before: int() raised ValueError (exit 70), or full-width digits passed as 2024.
    source = tmp_path / "vrdr-max.bundle"
    shutil.copytree(bundle, source)
    manifest = source / "PackageContents.xml"
    manifest.write_bytes(manifest.read_bytes().replace(b'SeriesMin="2024"',
                                                       f'SeriesMin="{year}"'.encode(), 1))
    assert main(["install", "--from", str(source), "--max-version", "2025"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SeriesMin" in err and "is not a year" in err, err
    assert not plugins.exists()
