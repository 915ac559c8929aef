"""``vrdr install`` / ``vrdr uninstall`` into a folder the test owns (never a system path)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

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
