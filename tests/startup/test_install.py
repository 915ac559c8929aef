"""``vrdr install`` / ``vrdr uninstall`` into a folder the test owns (never a system path)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from vrdr_max.cli.main import main
from vrdr_max.install import PLUGINS_ENV, plugins_dir


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
            "from vrdr_max.install import default_bundle; print(default_bundle())")
    proc = subprocess.run([sys.executable, "-c", code, str(bundle / "Contents" / "python")],
                          capture_output=True, text=True, check=True, timeout=60)
    assert proc.stdout.strip() == str(bundle)
