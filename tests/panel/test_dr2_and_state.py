"""DR2 that explains itself (item 8) and state you can trust (item 9) (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

from qtpy import QtCore

from mock_pymxs import MockMax
from vrdr_max.checks import Severity
from vrdr_max.panel.controller import InputField, PanelController
from vrdr_max.panel.server_table import HOST
from vrdr_max.panel.standalone import demo_session
from vrdr_max.panel.widgets import DRPanel
from vrdr_max.ports import Mode

from .conftest import Dialogs, click_button

Role = QtCore.Qt.ItemDataRole


def test_the_dispatcher_row_is_labelled_and_says_where_v_ray_reads_it(
        panel: DRPanel, cfg: Path, tmp_path: Path, monkeypatch) -> None:
    panel.controller.set_mode(Mode.DR2)
    assert panel.dispatcherBox.isVisible()
    assert panel.dispatcherHostLabel.text() == "Dispatcher"
    assert panel.dispatcherHostLabel.buddy() is panel.dispatcherHost
    assert panel.dispatcherPortLabel.buddy() is panel.dispatcherPort
    assert panel.dispatcherRenders.text() == "Also renders"
    where = panel.dispatcherWhere.text()
    assert "vrdr's settings" in where and "the scene" in where
    assert "not in vray_dr.cfg unless the studio sets dispatcher_in_vray_cfg" in where
    studio = tmp_path / "studio.json"
    studio.write_text(json.dumps({"version": 1, "defaults": {"dispatcher_in_vray_cfg": True}}))
    monkeypatch.setenv("VRDR_STUDIO_CONFIG", str(studio))
    panel.controller.studio()
    assert "and in vray_dr.cfg" in panel.controller.dispatcher_where()


def test_the_dr2_demo_opens_without_an_error_it_causes_itself() -> None:
    with demo_session(dr2=True) as controller:
        report = controller.preflight()
        assert report is not None
        mine = [f for f in report.findings if f.check_id == "dr2-localhost"]
        assert mine and all(f.severity is Severity.INFO for f in mine)
        assert "the demo's stand-in servers run on this workstation" in mine[0].message
        assert all(f.check_id != "dr2-no-dispatcher" for f in report.findings)


def test_switching_dr2_to_dr_warns_about_servers_left_on_dr2_ports_and_the_reverse(
        panel: DRPanel) -> None:
    c = panel.controller
    c.set_mode(Mode.DR2)
    assert c.add_server("render05") is None  # DR2's default port, 20208 for CPU
    assert not panel.modeNote.isVisible() or "DR's port" in panel.modeNote.text()
    c.set_mode(Mode.DR)
    assert panel.modeNote.isVisible()
    assert panel.modeNote.text() == "1 server is on DR2's port 20208; DR servers listen on 20204"
    c.set_mode(Mode.DR2)
    assert panel.modeNote.text() == "1 server is on DR's port 20204; DR2 servers listen on 20208"
    c.remove_rows([1])
    c.set_mode(Mode.DR)
    assert not panel.modeNote.isVisible()


def test_rows_kept_after_a_conflict_are_marked_unsaved(qtbot, panel: DRPanel, cfg: Path,
                                                       dialogs: Dialogs) -> None:
    theirs = b"their-server 1 20204\r\n"
    cfg.write_bytes(theirs)
    dialogs.answers.append(lambda box: click_button(box, "Keep"))
    assert panel.controller.add_server("render02") is not None  # refused: changed on disk
    qtbot.waitUntil(lambda: len(dialogs.shown) == 1)
    model = panel.model
    rows = {model.index(r, HOST).data(): r for r in range(model.rowCount())}
    for host in ("render02", "artist-ws-07"):  # the file on disk now holds neither
        index = model.index(rows[host], HOST)
        assert index.data(Role.FontRole) is not None and index.data(Role.FontRole).italic()
        assert "not saved" in index.data(Role.ToolTipRole)
    qtbot.waitUntil(lambda: "not saved" in panel.listSummary.text())
    assert panel.listSummary.text().endswith("2 not saved")
    assert cfg.read_bytes() == theirs
    dialogs.answers.append(lambda box: click_button(box, "Reload"))
    assert panel.controller.add_server("render03") is not None
    qtbot.waitUntil(lambda: len(dialogs.shown) == 2)
    assert not panel.controller.unsaved  # reloaded: what shows is the file
    assert model.index(0, HOST).data(Role.FontRole) is None


def test_a_cfg_folder_that_does_not_exist_is_said_at_open_and_edits_stay_unsaved(
        qtbot, mock_max: MockMax, tmp_path: Path) -> None:
    from vrdr_max.max_host import PymxsHost

    cfg = tmp_path / "no such folder" / "vray_dr.cfg"
    panel = DRPanel(PanelController(PymxsHost(), cfg_path=cfg), probe_on_open=False)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.tableError.isVisible()  # before any edit
    assert "does not exist" in panel.tableError.text()
    assert panel.controller.add_server("render02") is not None
    index = panel.model.index(0, HOST)
    assert index.data(Role.FontRole) is not None and index.data(Role.FontRole).italic()
    assert panel.controller.errors[InputField.SAVE]
    assert not cfg.parent.exists()
