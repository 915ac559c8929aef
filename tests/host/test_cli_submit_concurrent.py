"""A submission against other writers and Ctrl+C (issue 18, items 11 and 16).

The artist's cfg must survive whatever happens while the render runs: a second writer saving
the cfg (another ``vrdr``, V-Ray's dialog, a second 3ds Max), or Ctrl+C during the restore.
Either the restore finishes, or the report names the file that holds the artist's original.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vrdr_max import submit as submit_module
from vrdr_max.host import MaxHost, RenderOutcome
from vrdr_max.models import DRSettings
from vrdr_max.reporting import submission_lines
from vrdr_max.submit import SubmissionReport, SubmissionStatus, SubmitOptions, execute, plan

ARTIST_CFG = b"oldbox 1 20204\r\nfuture_option 3\r\n"
SETTINGS = DRSettings(servers=[{"host": "render01", "port": 20204}])
ENTRY = "import sys; from vrdr_max.cli.main import main; sys.exit(main())"


@pytest.fixture
def artist_cfg() -> bytes:
    return ARTIST_CFG


class Wrapped:
    """The real host, with one method replaced."""

    def __init__(self, host: MaxHost, **replaced: Any) -> None:
        self._host = host
        self._replaced = replaced

    def __getattr__(self, name: str) -> Any:
        return self._replaced.get(name) or getattr(self._host, name)


def _submit(host: MaxHost, cfg: Path, restore: bool = True) -> SubmissionReport:
    try:
        return execute(host, plan(SETTINGS, host.read_scene(), cfg_path=cfg,
                                  options=SubmitOptions(restore=restore)))
    except KeyboardInterrupt:  # not re-raised: pytest would end the whole run
        pytest.fail("Ctrl+C escaped the restore")


def _own_backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("vray_dr.cfg.vrdr-submit-*.bak"))


# --- item 11: a save during the render ---------------------------------------------------------

def _second_vrdr_adds(cfg: Path, host: str) -> None:
    """Another process, `vrdr servers add`, saves the cfg (its own backup goes to .vrdr.bak)."""
    done = subprocess.run([sys.executable, "-c", ENTRY, "servers", "add", "--cfg", str(cfg),
                           host], capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("restore", [True, False])
def test_a_save_during_the_render_cannot_replace_the_submissions_backup(
        clean: tuple[MaxHost, Any], plugcfg: Path, restore: bool) -> None:
    host, _mock = clean
    cfg = plugcfg / "vray_dr.cfg"

    def render() -> RenderOutcome:
        _second_vrdr_adds(cfg, "render99")
        return host.render()

    report = _submit(Wrapped(host, render=render), cfg, restore=restore)
    # The other writer kept its own backup: the submission's list, not the artist's.
    assert b"render01" in (plugcfg / "vray_dr.cfg.vrdr.bak").read_bytes()
    assert b"render99" in cfg.read_bytes()
    # The artist's original is in the submission's own backup, and the report says so.
    assert report.backup_path is not None
    assert report.backup_path.read_bytes() == ARTIST_CFG
    assert _own_backups(plugcfg) == [report.backup_path]
    text = "\n".join(submission_lines(report))
    assert str(report.backup_path) in text
    if restore:
        assert report.status is SubmissionStatus.NOT_RESTORED
        assert report.error is not None and "changed by another program" in report.error
        assert report.error.endswith(f"the previous version is in {report.backup_path}")


def test_a_restored_submission_leaves_no_backup_behind(
        clean: tuple[MaxHost, Any], plugcfg: Path) -> None:
    host, _mock = clean
    cfg = plugcfg / "vray_dr.cfg"
    report = _submit(host, cfg)
    assert report.status is SubmissionStatus.RENDERED
    assert cfg.read_bytes() == ARTIST_CFG
    assert report.backup_path is None
    assert _own_backups(plugcfg) == []


def test_two_submissions_keep_two_backups(clean: tuple[MaxHost, Any], plugcfg: Path) -> None:
    host, _mock = clean
    cfg = plugcfg / "vray_dr.cfg"
    first = _submit(host, cfg, restore=False)
    listed = cfg.read_bytes()
    other = DRSettings(servers=[{"host": "render02", "port": 20204}])
    second = execute(host, plan(other, host.read_scene(), cfg_path=cfg,
                                options=SubmitOptions(restore=False)))
    assert first.backup_path is not None and second.backup_path is not None
    assert first.backup_path.read_bytes() == ARTIST_CFG  # not replaced by the second one
    assert second.backup_path.read_bytes() == listed


# --- item 16: Ctrl+C during the restore ----------------------------------------------------------

def test_ctrl_c_during_the_restore_still_puts_the_cfg_back(
        clean: tuple[MaxHost, Any], plugcfg: Path) -> None:
    host, _mock = clean
    cfg = plugcfg / "vray_dr.cfg"
    pressed: list[str] = []

    def write_renderer_props(values: dict[Any, Any], label: str) -> None:
        if "restore" in label and not pressed:
            pressed.append(label)
            raise KeyboardInterrupt  # the artist presses Ctrl+C as the restore starts
        host.write_renderer_props(values, label)

    report = _submit(Wrapped(host, write_renderer_props=write_renderer_props), cfg)
    assert pressed
    assert cfg.read_bytes() == ARTIST_CFG
    assert report.restored
    assert report.status is SubmissionStatus.RENDERED
    assert any("Ctrl+C" in m for m in report.messages)


def test_ctrl_c_that_stops_the_cfg_restore_names_the_backup(
        clean: tuple[MaxHost, Any], plugcfg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    host, _mock = clean
    cfg = plugcfg / "vray_dr.cfg"

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    render = host.render

    def render_then_press() -> RenderOutcome:
        outcome = render()
        monkeypatch.setattr(submit_module, "restore_snapshot", interrupted)  # every try
        return outcome

    report = _submit(Wrapped(host, render=render_then_press), cfg)
    assert report.status is SubmissionStatus.NOT_RESTORED
    assert report.backup_path is not None
    assert report.backup_path.read_bytes() == ARTIST_CFG
    assert report.error == (f"restore failed: {cfg} may still hold this submission's server list "
                            "(Ctrl+C stopped the restore); the previous version is in "
                            f"{report.backup_path}")
    assert str(report.backup_path) in "\n".join(submission_lines(report))
