"""Keyboard use (Tab, Delete, Ctrl+V, F5) and bad input at every field: what reaches the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from qtpy import QtCore, QtWidgets

from vrdr_max.demo import ARTIST_CFG
from vrdr_max.panel.server_table import HOST, PORT
from vrdr_max.panel.widgets import DRPanel

from .conftest import Dialogs

Qt = QtCore.Qt

TAB_ORDER_DR = [
    "drEnabled", "modeCombo", "farmToggle", "addEdit", "addButton", "filterEdit", "showCombo",
    "selectButton", "serverTable", "removeButton",
    "enableButton", "disableButton", "probeButton", "pasteButton", "numaButton", "poolButton",
    "listenButton", "useLocalHost", "saveServersInScene", "restartServers", "transferMissing",
    "useCached", "checkMissingFiles", "maxServers", "cacheLimitType", "cacheLimit",
    "preflightButton", "renderButton"]
"""Reading order: top to bottom, left to right (hidden fields are skipped: the findings list
shows once a preflight has run)."""
# Switching to DR2 is an edit, so Undo (a disabled button is skipped before) takes a stop.
TAB_ORDER_DR2 = ["drEnabled", "undoButton", "modeCombo", "dispatcherHost", "dispatcherPort",
                 "dispatcherRenders",
                 *TAB_ORDER_DR[2:]]


def focused() -> str:
    widget = QtWidgets.QApplication.focusWidget()
    return widget.objectName() if widget is not None else "<none>"


def tab_through(qtbot, panel: DRPanel, first: QtWidgets.QWidget, count: int) -> list[str]:
    """Press Tab ``count`` times from ``first``, as a user would; the names focused."""
    panel.activateWindow()
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QtWidgets.QApplication.focusWidget() is first)
    names = [focused()]
    for _ in range(count - 1):
        qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_Tab)
        names.append(focused())
    return names


def test_tab_visits_every_control_in_reading_order_and_leaves_the_table(
        qtbot, panel: DRPanel) -> None:
    assert tab_through(qtbot, panel, panel.drEnabled, len(TAB_ORDER_DR)) == TAB_ORDER_DR


def test_tab_order_in_dr2_includes_the_dispatcher(qtbot, panel: DRPanel) -> None:
    panel.modeCombo.setCurrentIndex(1)
    panel.modeCombo.activated.emit(1)
    assert tab_through(qtbot, panel, panel.drEnabled, len(TAB_ORDER_DR2)) == TAB_ORDER_DR2


def test_tab_reaches_the_fix_and_select_buttons_right_after_the_findings(
        qtbot, panel: DRPanel) -> None:
    panel.controller.preflight()
    names = tab_through(qtbot, panel, panel.findingsTree, 10)
    assert names[:3] == ["findingsTree", "fix:enable-dr", "fix:turn-on-lights"]
    assert names[3:5] == ["select:default-lights", "select:missing-maps"]
    assert names.index("preflightButton") > 5
    assert names[names.index("preflightButton") + 1] == "renderButton"


def test_delete_and_ctrl_v_act_on_the_table_only_and_f5_probes_from_any_field(
        qtbot, panel: DRPanel, cfg: Path, dialogs: Dialogs) -> None:
    panel.addEdit.setText("render02")
    panel.addEdit.setFocus()
    panel.addEdit.selectAll()
    panel.serverTable.selectRow(0)
    qtbot.keyClick(panel.addEdit, Qt.Key.Key_Delete)  # deletes the typed text, not a server
    assert panel.addEdit.text() == ""
    assert cfg.read_bytes() == ARTIST_CFG
    QtWidgets.QApplication.clipboard().setText("render07")
    qtbot.keyClick(panel.addEdit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert panel.addEdit.text() == "render07"  # pasted into the field; no dialog opened
    assert not dialogs.shown

    panel.useLocalHost.setFocus()
    qtbot.keyClick(panel.useLocalHost, Qt.Key.Key_Delete)  # outside the table: nothing
    assert panel.model.rowCount() == 1
    panel.serverTable.setFocus()
    qtbot.keyClick(panel.serverTable, Qt.Key.Key_Delete)
    assert panel.model.rowCount() == 0
    assert b"artist-ws-07" not in cfg.read_bytes()

    assert panel.controller.add_server("127.0.0.1:1") is None
    panel.maxServers.setFocus()
    qtbot.keyClick(panel.maxServers, Qt.Key.Key_F5)
    task = panel.task
    assert task is not None, "F5 in an options field probes too"
    with qtbot.waitSignal(task.finished, timeout=10_000):
        pass
    assert panel.status_of(0)


@pytest.mark.parametrize(("text", "message"), [
    ("10.0.0.300", "not a valid IPv4 address"),
    ("a;b", "semicolon"),
    ("render02:0", "port 0 is out of range"),
    ("render02:65536", "port 65536 is out of range"),
    ("render02:http", "is not a number"),
])
def test_a_bad_entry_in_the_add_field_is_shown_there_and_nothing_is_written(
        qtbot, panel: DRPanel, cfg: Path, text: str, message: str) -> None:
    panel.addEdit.setText(text)
    qtbot.keyClick(panel.addEdit, Qt.Key.Key_Return)
    assert panel.addError.isVisible()
    assert message in panel.addError.text()
    assert panel.addEdit.property("invalid") is True
    assert panel.addEdit.text() == text  # kept for correcting
    assert panel.model.rowCount() == 1
    assert cfg.read_bytes() == ARTIST_CFG


@pytest.mark.parametrize(("column", "text", "message"), [
    (HOST, "10.0.0.300", "not a valid IPv4 address"),
    (HOST, "a;b", "semicolon"),
    (PORT, "0", "port 0 is out of range"),
])
def test_a_bad_value_typed_into_a_cell_is_refused_and_nothing_is_written(
        qtbot, panel: DRPanel, cfg: Path, column: int, text: str, message: str) -> None:
    table = panel.serverTable
    index = panel.model.index(0, column)
    table.setFocus()
    table.setCurrentIndex(index)
    qtbot.keyClick(table, Qt.Key.Key_F2)  # edit in place, as the artist would
    editor = QtWidgets.QApplication.focusWidget()
    assert isinstance(editor, QtWidgets.QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next turn
    qtbot.waitUntil(panel.tableError.isVisible, timeout=2_000)
    assert message in panel.tableError.text()
    assert index.data() == ("artist-ws-07" if column == HOST else "20204")
    assert cfg.read_bytes() == ARTIST_CFG


def test_dispatcher_port_0_is_refused_at_the_field(qtbot, panel: DRPanel, cfg: Path) -> None:
    panel.modeCombo.setCurrentIndex(1)
    panel.modeCombo.activated.emit(1)
    saved = cfg.read_bytes()  # DR2 itself is saved (vrdr's sidecar and the cfg)
    panel.dispatcherHost.setText("disp01")
    panel.dispatcherPort.setText("0")
    panel.dispatcherPort.setFocus()
    qtbot.keyClick(panel.dispatcherPort, Qt.Key.Key_Return)
    assert panel.dispatcherError.isVisible()
    assert "port 0 is out of range" in panel.dispatcherError.text()
    assert panel.dispatcherHost.property("invalid") is True
    assert panel.controller.settings.dispatcher is None
    assert cfg.read_bytes() == saved


def test_a_bad_line_in_a_pasted_list_says_why_and_is_never_added(
        qtbot, panel: DRPanel, cfg: Path, dialogs: Dialogs) -> None:
    seen: list[str] = []

    def answer(dialog: QtWidgets.QDialog) -> bool:
        seen.extend(dialog.status_of(r) for r in range(dialog.previewTable.model().rowCount()))
        return False

    dialogs.answers.append(answer)
    QtWidgets.QApplication.clipboard().setText("render10\n10.0.0.300\na;b\n")
    panel.serverTable.setFocus()
    qtbot.keyClick(panel.serverTable, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert seen[0] == "new"
    assert seen[1].startswith("invalid:") and "300 > 255" in seen[1]
    assert seen[2].startswith("invalid:")
    assert cfg.read_bytes() == ARTIST_CFG
