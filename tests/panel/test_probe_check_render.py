"""Probe, preflight, fixes and Render with DR through the panel, against the mock and loopback."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from qtpy import QtCore, QtWidgets

from mock_pymxs import MockMax
from vrdr_max.demo import ARTIST_CFG, stand_in_servers
from vrdr_max.panel.widgets import DRPanel, top_level_items

from .conftest import Dialogs


def check_ids(panel: DRPanel) -> list[str]:
    return [str(i.data(0, QtCore.Qt.ItemDataRole.UserRole))
            for i in top_level_items(panel.findingsTree)]


def run_preflight(qtbot, panel: DRPanel) -> None:
    stepper = panel.preflight()
    assert stepper is not None
    with qtbot.waitSignal(stepper.finished, timeout=10_000):
        pass


def test_probe_shows_online_refused_and_timeout_while_the_event_loop_runs(
        qtbot, panel: DRPanel) -> None:
    with stand_in_servers() as farm:
        lines = "\n".join(f"127.0.0.1:{s.port}" for s in farm)
        assert panel.controller.paste(lines) is None
        assert panel.controller.remove_rows([0]) is None  # the artist's host: no name lookups
        ticks: list[float] = []
        heartbeat = QtCore.QTimer()
        heartbeat.setInterval(5)
        heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
        heartbeat.start()
        panel.setFocus()
        start = time.perf_counter()
        qtbot.keyClick(panel, QtCore.Qt.Key.Key_F5)
        task = panel.task
        assert task is not None, "F5 starts a probe"
        assert panel.progressBar.isVisible() and panel.cancelButton.isVisible()
        with qtbot.waitSignal(task.finished, timeout=10_000):
            pass
        heartbeat.stop()
        elapsed = time.perf_counter() - start
    statuses = [panel.status_of(r) for r in range(5)]
    assert [s.split()[0] for s in statuses] == ["online"] * 3 + ["refused", "no"]  # no answer
    assert statuses[0].endswith(" ms")
    tooltip = panel.model.index(3, 3).data(QtCore.Qt.ItemDataRole.ToolTipRole)
    assert "refused" in tooltip.lower() or str(farm[3].port) in tooltip
    # The UI thread kept turning during the ~1 s timeout: the heartbeat kept ticking.
    assert elapsed > 0.5
    assert len(ticks) > 20
    assert not panel.progressBar.isVisible()


def test_cancel_stops_a_probe(qtbot, panel: DRPanel) -> None:
    with stand_in_servers() as farm:
        panel.controller.paste(f"127.0.0.1:{farm[4].port}")
        panel.controller.remove_rows([0])
        task = panel.probe()
        assert task is not None
        panel.cancelButton.click()
        with qtbot.waitSignal(task.finished, timeout=5_000) as blocker:
            pass
    assert blocker.args[0][0].cancelled
    assert panel.status_of(0) == ""  # a cancelled answer is no status


def test_fix_button_fixes_its_finding_which_stays_in_place_marked_fixed(
        qtbot, panel: DRPanel, mock_max: MockMax, dialogs: Dialogs) -> None:
    run_preflight(qtbot, panel)
    before = check_ids(panel)
    assert "default-lights" in before
    assert "errors" in panel.summaryLabel.text()
    button = panel.findingsTree.findChild(QtWidgets.QToolButton, "fix:turn-on-lights")
    assert button is not None
    dialogs.answers.append(lambda _choice: True)  # the scene's own lights, offered first
    button.click()
    assert mock_max.created == []
    assert mock_max.undo_records == ["vrdr: turn on 3 light(s)"]  # one undo step
    # The scene changed: the panel reads it again in steps; rows do not move under the mouse.
    qtbot.waitUntil(lambda: not panel.busy and not panel.controller.rerun_wanted, timeout=10_000)
    assert check_ids(panel) == before
    assert panel.findingsTree.findChild(QtWidgets.QLabel, "fixed:default-lights") is not None
    assert "Edit > Undo in 3ds Max" in panel.preflightNote.text()
    assert "1 fixed" in panel.summaryLabel.text()
    run_preflight(qtbot, panel)  # the next preflight drops it
    assert "default-lights" not in check_ids(panel)


def test_select_selects_the_nodes_a_finding_names(qtbot, panel: DRPanel,
                                                  mock_max: MockMax) -> None:
    run_preflight(qtbot, panel)
    button = panel.findingsTree.findChild(QtWidgets.QToolButton, "select:default-lights")
    button.click()
    assert mock_max.selection == ["Ceiling_Light_Panel", "Spot_Photometric", "IES_Downlight"]


def test_scene_edits_are_one_undo_step_each(panel: DRPanel, mock_max: MockMax) -> None:
    panel.drEnabled.click()
    panel.checkMissingFiles.click()
    assert mock_max.undo_records == ["vrdr: DR on", "vrdr: check for missing files"]
    props = mock_max.scene.current.props
    assert props["system_distributedRender"] is True
    assert props["system_checkForMissingFiles"] is False


def test_render_with_dr_shows_the_plan_asks_a_reason_renders_and_restores(
        qtbot, panel: DRPanel, cfg: Path, mock_max: MockMax, dialogs: Dialogs) -> None:
    panel.controller.add_server("render02")
    panel.serverTable.selectRow(0)
    panel.disableButton.click()
    before = cfg.read_bytes()
    seen: dict[str, str] = {}

    def plan(dialog: QtWidgets.QDialog) -> bool:
        seen["plan"] = dialog.findChild(QtWidgets.QPlainTextEdit, "textView").toPlainText()
        ok = dialog.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled(), "with errors left, Render waits for a reason"
        dialog.findChild(QtWidgets.QLineEdit, "reasonEdit").setText("client review tonight")
        assert ok.isEnabled()
        return True

    def report(dialog: QtWidgets.QDialog) -> bool:
        seen["report"] = dialog.findChild(QtWidgets.QPlainTextEdit, "textView").toPlainText()
        return True

    dialogs.answers += [plan, report]
    assert not mock_max.renders
    panel.renderButton.click()
    assert "cfg file:" in seen["plan"] and "Errors left:" in seen["plan"]
    render = mock_max.renders[-1]
    assert render.props["system_distributedRender"] is True
    read = render.cfg_files["vray_dr.cfg"].splitlines()
    assert "artist-ws-07 0 20204" in read and "render02 1 20204" in read
    assert "list_in_scene 0" in read
    assert "status: rendered" in seen["report"]
    assert "override: client review tonight" in seen["report"]
    assert cfg.read_bytes() == before  # restored
    assert mock_max.scene.current.props["system_distributedRender"] is False
    assert panel.controller.last_submission is not None


def test_cancelling_the_plan_changes_nothing(panel: DRPanel, cfg: Path, mock_max: MockMax,
                                            dialogs: Dialogs) -> None:
    dialogs.answers.append(lambda dialog: False)
    panel.renderButton.click()
    assert not mock_max.renders
    assert cfg.read_bytes() == ARTIST_CFG
    assert not mock_max.writes


def test_listen_offers_the_hosts_heard_and_adds_the_ticked_ones(
        qtbot, panel: DRPanel, cfg: Path, dialogs: Dialogs) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe_port:
        probe_port.bind(("127.0.0.1", 0))
        port = probe_port.getsockname()[1]
    panel.discovery_port = port
    panel.discovery_seconds = 1.0
    offered: list[list[str]] = []

    def pick(dialog: QtWidgets.QDialog) -> bool:
        hosts = dialog.findChild(QtWidgets.QListWidget, "hostList")
        offered.append([hosts.item(i).text() for i in range(hosts.count())])
        return True

    dialogs.answers.append(pick)
    task = panel.listen()
    assert task is not None and panel.progressBar.isVisible()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for _ in range(3):
            qtbot.wait(100)
            sender.sendto(b"\x00" * 32, ("127.0.0.1", port))
    qtbot.waitUntil(lambda: bool(offered), timeout=5_000)
    assert offered == [["127.0.0.1"]]
    assert b"127.0.0.1 1 20204\r\n" in cfg.read_bytes()
    assert panel.model.index(1, 4).data() == "discovered"


def test_cancel_stops_a_preflight(qtbot, panel: DRPanel) -> None:
    stepper = panel.preflight()
    assert stepper is not None
    panel.cancelButton.click()
    with qtbot.waitSignal(stepper.finished, timeout=5_000) as blocker:
        pass
    assert len(blocker.args[0]) <= 1  # stopped after the check that was running
    assert not panel.busy
