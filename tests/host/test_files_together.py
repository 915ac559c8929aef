"""Files edited together or put back later: cfg + sidecar, a restore, the scene's record."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from host_scenes import host_for, variant

from vrdr_max.cfgfile import cfg_name
from vrdr_max.cli.main import main
from vrdr_max.errors import CfgConflictError, HostError, InputError
from vrdr_max.host import MaxHost
from vrdr_max.max_names import APPDATA_ID
from vrdr_max.models import Dispatcher, DRSettings
from vrdr_max.ports import Mode
from vrdr_max.settings_store import load_settings
from vrdr_max.sidecar import SCENE_DATA_KEY, sidecar_path
from vrdr_max.submit import SubmissionStatus, execute, plan

ARTIST_CFG = b"oldbox 1 20204\r\nfuture_option 3\r\n"
SIDECAR = b'{"version": 1, "engines": {}}\n'
SETTINGS = DRSettings(servers=[{"host": "render01", "port": 20204}])
POSIX = pytest.mark.skipif(os.name == "nt", reason="symlinks and permission bits: POSIX")


@pytest.fixture
def artist_cfg() -> bytes:
    return ARTIST_CFG


def dr2(stored_settings: DRSettings) -> None:
    """An edit that changes both files: a server for the cfg, DR2 for the sidecar."""
    stored_settings.add_server("render09")
    stored_settings.mode = Mode.DR2
    stored_settings.dispatcher = Dispatcher(host="10.0.0.5", port=20208)


# --- 6. cfg and sidecar: both or neither ---------------------------------------------------------

def test_an_unwritable_sidecar_leaves_the_cfg_untouched(plugcfg: Path) -> None:
    sidecar = sidecar_path(plugcfg)
    sidecar.write_bytes(SIDECAR)
    sidecar.chmod(0o444)
    stored = load_settings(plugcfg)
    dr2(stored.settings)
    with pytest.raises(InputError, match="read-only"):
        stored.save()
    assert (plugcfg / "vray_dr.cfg").read_bytes() == ARTIST_CFG
    assert sidecar.read_bytes() == SIDECAR
    assert not (plugcfg / "vray_dr.cfg.vrdr.bak").exists()


@POSIX
def test_a_read_only_cfg_is_found_before_the_sidecar_is_touched(plugcfg: Path) -> None:
    # Put back afterwards is not enough: a crash in between would leave the sidecar changed.
    sidecar = sidecar_path(plugcfg)
    sidecar.write_bytes(SIDECAR)
    identity = sidecar.stat().st_ino, sidecar.stat().st_mtime_ns
    (plugcfg / "vray_dr.cfg").chmod(0o444)
    stored = load_settings(plugcfg)
    dr2(stored.settings)
    with pytest.raises(InputError, match="read-only"):
        stored.save()
    assert (sidecar.stat().st_ino, sidecar.stat().st_mtime_ns) == identity


def test_a_sidecar_that_already_holds_the_choice_is_not_rewritten(plugcfg: Path) -> None:
    stored = load_settings(plugcfg)
    dr2(stored.settings)
    stored.save()
    sidecar = sidecar_path(plugcfg)
    identity = sidecar.stat().st_ino, sidecar.stat().st_mtime_ns
    again = load_settings(plugcfg)
    again.settings.add_server("render10")  # a cfg-only edit
    again.save()
    assert (sidecar.stat().st_ino, sidecar.stat().st_mtime_ns) == identity


def test_another_session_saving_the_sidecar_meanwhile_is_a_conflict(
        plugcfg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two sessions remember different engines: the one that read first must not drop the
    # other's engine by writing over it.
    from vrdr_max import sidecar as sidecar_module

    sidecar = sidecar_path(plugcfg)
    sidecar.write_bytes(SIDECAR)
    other = b'{"version": 1, "engines": {"gpu": {"mode": "dr2"}}}\n'
    real_dump = sidecar_module.dump_sidecar

    def dump_after_the_other_session(model: Any) -> str:
        sidecar.write_bytes(other)  # the other session saves between our read and write
        return real_dump(model)

    monkeypatch.setattr(sidecar_module, "dump_sidecar", dump_after_the_other_session)
    stored = load_settings(plugcfg)
    dr2(stored.settings)
    with pytest.raises(CfgConflictError):
        stored.save()
    assert sidecar.read_bytes() == other
    assert (plugcfg / "vray_dr.cfg").read_bytes() == ARTIST_CFG


def test_a_failing_cfg_save_puts_the_sidecar_back(plugcfg: Path) -> None:
    sidecar = sidecar_path(plugcfg)
    sidecar.write_bytes(SIDECAR)
    stored = load_settings(plugcfg)
    dr2(stored.settings)
    (plugcfg / "vray_dr.cfg").write_bytes(b"dialog 1 20204\r\n")  # V-Ray's dialog saved
    with pytest.raises(CfgConflictError, match="changed on disk"):
        stored.save()
    assert sidecar.read_bytes() == SIDECAR
    assert (plugcfg / "vray_dr.cfg").read_bytes() == b"dialog 1 20204\r\n"


def test_a_sidecar_vrdr_created_is_removed_when_the_cfg_fails(plugcfg: Path) -> None:
    stored = load_settings(plugcfg)
    dr2(stored.settings)
    (plugcfg / "vray_dr.cfg").write_bytes(b"dialog 1 20204\r\n")
    with pytest.raises(CfgConflictError):
        stored.save()
    assert sorted(p.name for p in plugcfg.iterdir()) == ["vray_dr.cfg"]


def test_pools_apply_with_an_unwritable_sidecar_is_exit_2_and_changes_nothing(
        plugcfg: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    studio = plugcfg.parent / "studio.json"
    studio.write_text(json.dumps({"pools": {"farm": {
        "servers": ["render01", "render02"], "mode": "dr2",
        "dispatcher": {"host": "10.0.0.5", "port": 20208}}}}), encoding="utf-8")
    monkeypatch.setenv("VRDR_STUDIO_CONFIG", str(studio))
    sidecar = sidecar_path(plugcfg)
    sidecar.write_bytes(SIDECAR)
    sidecar.chmod(0o444)
    assert main(["pools", "apply", "farm", "--cfg", str(plugcfg / "vray_dr.cfg")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "read-only" in err
    assert (plugcfg / "vray_dr.cfg").read_bytes() == ARTIST_CFG
    assert sidecar.read_bytes() == SIDECAR


# --- 2. a submission's restore puts back exactly what was there ----------------------------------

@POSIX
def test_a_submission_on_a_dangling_link_fails_and_leaves_the_link(
        clean: tuple[MaxHost, Any], plugcfg: Path) -> None:
    host, mock = clean
    cfg = plugcfg / "vray_dr.cfg"
    shared = plugcfg.parent / "shared"
    shared.mkdir()
    cfg.unlink()
    cfg.symlink_to(shared / "vray_dr.cfg")  # the target's folder exists, the file does not
    report = execute(host, plan(SETTINGS, host.read_scene(), cfg_path=cfg))
    assert report.status is SubmissionStatus.FAILED
    assert "which does not exist" in (report.error or "")
    assert cfg.is_symlink()
    assert cfg.readlink() == shared / "vray_dr.cfg"
    assert list(shared.iterdir()) == []
    assert mock.renders == []


@POSIX
def test_a_submission_restores_a_linked_cfg_through_the_link(
        clean: tuple[MaxHost, Any], plugcfg: Path) -> None:
    host, _mock = clean
    shared = plugcfg.parent / "shared"
    shared.mkdir()
    (shared / "vray_dr.cfg").write_bytes(ARTIST_CFG)
    cfg = plugcfg / "vray_dr.cfg"
    cfg.unlink()
    cfg.symlink_to(shared / "vray_dr.cfg")
    report = execute(host, plan(SETTINGS, host.read_scene(), cfg_path=cfg))
    assert report.status is SubmissionStatus.RENDERED, report
    assert report.restored
    assert cfg.is_symlink()
    assert (shared / "vray_dr.cfg").read_bytes() == ARTIST_CFG


# --- 7. a failed restore is the report's status, with the backup --------------------------------

@POSIX
def test_a_failed_cfg_restore_is_not_restored_with_the_backup_path(
        clean: tuple[MaxHost, Any], plugcfg: Path) -> None:
    host, _mock = clean
    cfg = plugcfg / "vray_dr.cfg"

    class LocksCfgWhileRendering:
        """The real host; a sync tool makes the cfg read-only during the render."""

        def __getattr__(self, name: str) -> Any:
            return getattr(host, name)

        def render(self) -> Any:
            cfg.chmod(0o444)
            return host.render()

    report = execute(LocksCfgWhileRendering(),
                     plan(SETTINGS, host.read_scene(), cfg_path=cfg))
    assert report.status is SubmissionStatus.NOT_RESTORED
    assert not report.restored
    backup = report.backup_path
    assert backup is not None and backup.parent == plugcfg
    assert backup.name.startswith("vray_dr.cfg.vrdr-submit-")  # the submission's own (18.11)
    assert report.error == (f"restore failed: {cfg} still holds this submission's server list; "
                            f"the previous version is in {backup}")
    assert b"render01 1 20204" in cfg.read_bytes()
    assert backup.read_bytes() == ARTIST_CFG


def test_a_cfg_changed_during_the_render_is_not_restored_and_left_alone(
        clean: tuple[MaxHost, Any], plugcfg: Path) -> None:
    host, _mock = clean
    cfg = plugcfg / "vray_dr.cfg"

    class DialogSavesWhileRendering:
        """The real host; V-Ray's Render Servers dialog saves the cfg during the render."""

        def __getattr__(self, name: str) -> Any:
            return getattr(host, name)

        def render(self) -> Any:
            cfg.write_bytes(b"dialog 1 20204\r\n")
            return host.render()

    report = execute(DialogSavesWhileRendering(),
                     plan(SETTINGS, host.read_scene(), cfg_path=cfg))
    assert report.status is SubmissionStatus.NOT_RESTORED
    assert report.error == (f"restore failed: {cfg} was changed by another program after vrdr "
                            "wrote it and is left as it is; the previous version is in "
                            f"{report.backup_path}")
    assert report.backup_path is not None
    assert report.backup_path.read_bytes() == ARTIST_CFG
    assert cfg.read_bytes() == b"dialog 1 20204\r\n"


# --- 14. the scene's record: damaged is reported, never overwritten ------------------------------

@pytest.mark.parametrize("stored", ["{not json", '["a", "list"]', '{"dr_settings": 5}'])
def test_a_damaged_scene_record_is_reported_and_left_alone(plugcfg: Path, stored: str) -> None:
    scene = variant("clean", lambda data: data.update(root_appdata={str(APPDATA_ID): stored}))
    with host_for(scene, plugcfg) as (host, mock):
        from pymxs import runtime as rt

        with pytest.raises(HostError, match="is not vrdr's data; vrdr leaves it alone"):
            host.read_scene_data(SCENE_DATA_KEY)
        with pytest.raises(HostError, match="is not vrdr's data"):
            host.write_scene_data(SCENE_DATA_KEY, "{}")
        report = execute(host, plan(SETTINGS, host.read_scene(),
                                    cfg_path=plugcfg / cfg_name(SETTINGS.engine)))
        assert report.status is SubmissionStatus.FAILED
        assert "is not vrdr's data" in (report.error or "")
        assert rt.getAppData(rt.rootNode, APPDATA_ID) == stored
        assert mock.renders == []
    assert (plugcfg / "vray_dr.cfg").read_bytes() == ARTIST_CFG
