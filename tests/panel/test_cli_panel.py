"""``vrdr panel``: the standalone window, its screenshot, and a Qt-free ``vrdr --help``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vrdr_max.cli.main import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def vrdr(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    script = Path(sys.executable).with_name("vrdr")  # the installed console script
    return subprocess.run([str(script), *args], capture_output=True, text=True, timeout=180,
                          check=False, env=env)


@pytest.mark.parametrize("dr2", [False, True])
def test_demo_screenshot_is_written_and_exits_0(tmp_path: Path, dr2: bool) -> None:
    out = tmp_path / "panel.png"
    done = vrdr("panel", "--demo", "--screenshot", str(out), *(["--dr2"] if dr2 else []))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(PNG_MAGIC)
    assert out.stat().st_size > 10_000


def test_demo_farm_screenshot_reserves_from_the_stand_in_farm(tmp_path: Path) -> None:
    out = tmp_path / "panel-farm.png"
    done = vrdr("panel", "--demo", "--farm", "--screenshot", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(PNG_MAGIC)
    assert done.stderr == ""


def test_scene_and_cfg_open_any_scene_file(tmp_path: Path) -> None:
    from mock_pymxs import SCENES_DIR

    cfg = tmp_path / "vray_dr.cfg"
    cfg.write_bytes(b"127.0.0.1 1 1\r\nkeep_me 1\r\n")
    out = tmp_path / "scene.png"
    done = vrdr("panel", "--scene", str(SCENES_DIR / "clean.json"), "--cfg", str(cfg),
                "--screenshot", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(PNG_MAGIC)
    assert cfg.read_bytes() == b"127.0.0.1 1 1\r\nkeep_me 1\r\n"  # looking changes nothing


@pytest.mark.parametrize("args", [["panel", "--scene", "x.json"],
                                  ["panel", "--demo", "--screenshot", "x.jpg"],
                                  ["panel", "--scene", "x.json", "--cfg", "c", "--farm"],
                                  ["panel"]])
def test_bad_usage_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str],
                                          args: list[str]) -> None:
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's own usage errors
        code = int(exc.code or 0)
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err and err[-1].startswith("vrdr")


def test_vrdr_help_imports_no_qt() -> None:
    code = ("import sys\nfrom vrdr_max.cli.main import build_parser\nbuild_parser()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'qtpy', 'PySide6', 'PySide2'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("dialog", ["render", "paste"])
def test_dialog_screenshots_are_written_and_exit_0(tmp_path: Path, dialog: str) -> None:
    out = tmp_path / f"panel-{dialog}.png"
    done = vrdr("panel", "--demo", "--screenshot", str(out), "--screenshot-dialog", dialog)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(PNG_MAGIC)
    assert out.stat().st_size > 10_000


def test_a_dialog_picture_needs_screenshot(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["panel", "--demo", "--screenshot-dialog", "render"]) == 2
    assert "--screenshot-dialog needs --screenshot" in capsys.readouterr().err


def test_a_farm_of_stand_ins_filtered_to_its_failures(tmp_path: Path) -> None:
    out = tmp_path / "farm.png"
    done = vrdr("panel", "--demo", "--servers", "50", "--show", "did not answer",
                "--screenshot", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(PNG_MAGIC)


def test_servers_without_the_demo_is_bad_input(tmp_path: Path) -> None:
    done = vrdr("panel", "--scene", "x.json", "--cfg", str(tmp_path / "vray_dr.cfg"),
                "--servers", "5")
    assert done.returncode == 2
    assert "--servers" in done.stderr


def test_the_show_choices_of_the_command_line_are_the_tables() -> None:
    from vrdr_max.cli.panel_cmds import SHOW_NAMES
    from vrdr_max.panel.listing import Show

    assert tuple(s.value for s in Show) == SHOW_NAMES
