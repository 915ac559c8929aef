"""`vrdr submit --scene ...`: the submission for CI pipelines, without stand-in servers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mock_pymxs
from vrdr_max.cli.main import main
from vrdr_max.studio import STUDIO_ENV, USER_ENV

CLEAN = str(mock_pymxs.SCENES_DIR / "clean.json")
DEMO = str(mock_pymxs.SCENES_DIR / "demo.json")
ARTIST = b"render01 1 20204\r\nrestart_slaves 0\r\n"


@pytest.fixture
def cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(USER_ENV, str(tmp_path / "no-user.json"))
    monkeypatch.delenv(STUDIO_ENV, raising=False)
    path = tmp_path / "plugcfg" / "vray_dr.cfg"
    path.parent.mkdir()
    path.write_bytes(ARTIST)
    return path


def test_submit_clean_scene_renders_and_restores(cfg: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["submit", "--scene", CLEAN, "--cfg", str(cfg), "--no-probe", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["version"] == 1
    assert doc["report"]["status"] == "rendered"
    assert doc["report"]["restored"] is True
    assert doc["plan"]["server_lines"] == ["render01 1 20204"]
    assert cfg.read_bytes() == ARTIST


def test_submit_demo_is_blocked_without_override(cfg: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["submit", "--scene", DEMO, "--cfg", str(cfg), "--no-probe"]) == 1
    out = capsys.readouterr().out
    assert "status: blocked" in out
    assert "blocked by: default-lights" in out
    assert cfg.read_bytes() == ARTIST


def test_submit_with_fixes_override_and_no_restore(cfg: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["submit", "--scene", DEMO, "--cfg", str(cfg), "--no-probe", "--fix",
                 "--no-restore", "--override", "CI smoke test", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["report"]["override_reason"] == "CI smoke test"
    assert ("turned on the scene's lights: Ceiling_Light_Panel (shown), Spot_Photometric (on), "
            "IES_Downlight (on, shown) (undo with Ctrl+Z)") in doc["fixes_applied"]
    assert not any(line.startswith("default-lights") for line in doc["report"]["overridden"])
    written = cfg.read_bytes()
    assert b"transfer_missing_assets 1" in written  # the enable-transfer fix, kept
    assert Path(doc["report"]["backup_path"]).read_bytes() == ARTIST


def test_submit_without_a_cfg_is_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("VRDR_PLUGCFG", raising=False)
    assert main(["submit", "--scene", CLEAN]) == 2
    assert capsys.readouterr().err.startswith("vrdr: error: no cfg file given")
