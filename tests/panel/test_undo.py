"""Undo (issue 16, item 5): every list, option and dispatcher edit is one step, saved like any."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qtpy import QtCore, QtWidgets

from mock_pymxs import MockMax
from vrdr_max.models import CacheLimitType
from vrdr_max.panel.controller import PanelController
from vrdr_max.panel.server_table import HOST, PORT
from vrdr_max.panel.widgets import DRPanel
from vrdr_max.ports import Mode

Qt = QtCore.Qt


def ctrl_z(qtbot, panel: DRPanel, shift: bool = False) -> None:
    """The keys, pressed on the table (focus anywhere in the panel but a text field)."""
    panel.serverTable.setFocus()
    mods = Qt.KeyboardModifier.ControlModifier | (
        Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier)
    qtbot.keyClick(panel.serverTable, Qt.Key.Key_Z, mods)


def test_each_edit_is_one_undo_step_saved_to_the_file_and_redone(
        qtbot, panel: DRPanel, cfg: Path, mock_max: MockMax) -> None:
    model = panel.model
    c = panel.controller
    edits: list[tuple[str, Callable[[], object]]] = [
        ("add", lambda: (panel.addEdit.setText("render02"),
                         qtbot.keyClick(panel.addEdit, Qt.Key.Key_Return))),
        ("edit host", lambda: model.setData(model.index(1, HOST), "render03")),
        ("edit port", lambda: model.setData(model.index(1, PORT), "20210")),
        ("disable", lambda: model.setData(model.index(0, 0), Qt.CheckState.Unchecked,
                                          Qt.ItemDataRole.CheckStateRole)),
        ("paste", lambda: c.paste("render10\nrender11:20205")),
        ("delete", lambda: (panel.serverTable.selectRow(2), panel.serverTable.setFocus(),
                            qtbot.keyClick(panel.serverTable, Qt.Key.Key_Delete))),
        ("option", panel.restartServers.click),
        ("max servers", lambda: c.set_max_servers("4")),
        ("cache limit", lambda: c.set_cache_limit(CacheLimitType.AGE_HOURS, "12")),
        ("DR2", lambda: c.set_mode(Mode.DR2)),
        ("dispatcher", lambda: c.set_dispatcher("disp01", "20207", True)),
    ]
    files = [cfg.read_bytes()]
    for name, edit in edits:
        edit()
        assert cfg.read_bytes() != files[-1] or name in ("DR2", "dispatcher"), name
        files.append(cfg.read_bytes())
    shown = [(c.settings.mode, c.settings.dispatcher)]
    assert c.undo_label == "dispatcher disp01:20207"
    assert "Undo dispatcher disp01:20207" in panel.undoButton.toolTip()
    for expected in reversed(files[:-1]):
        ctrl_z(qtbot, panel)
        assert cfg.read_bytes() == expected
    assert c.settings.mode is Mode.DR and c.settings.dispatcher is None
    assert not panel.undoButton.isEnabled()
    assert [model.index(r, HOST).data() for r in range(model.rowCount())] == ["artist-ws-07"]
    for expected in files[1:]:
        ctrl_z(qtbot, panel, shift=True)
        assert cfg.read_bytes() == expected
    assert [(c.settings.mode, c.settings.dispatcher)] == shown
    assert not panel.redoButton.isEnabled()


def test_undo_puts_a_removed_row_back_where_it_was_with_its_origin(
        qtbot, panel: DRPanel, cfg: Path) -> None:
    c = panel.controller
    assert c.paste("render10\nrender11") is None
    assert c.remove_rows([0, 2]) is None
    assert [h for h, *_ in c.entries()] == ["render10"]
    panel.undoButton.click()
    assert [h for h, *_ in c.entries()] == ["artist-ws-07", "render10", "render11"]
    assert [panel.model.index(r, 4).data() for r in range(3)] == ["file", "added", "added"]
    assert cfg.read_bytes().startswith(b"artist-ws-07 1 20204\r\nrender10 1 20204\r\n"
                                       b"render11 1 20204\r\n")


def test_the_renderer_switches_are_undone_in_3ds_max_too(panel: DRPanel,
                                                        mock_max: MockMax) -> None:
    panel.drEnabled.click()
    panel.checkMissingFiles.click()
    props = mock_max.scene.current.props
    assert props["system_distributedRender"] is True
    assert props["system_checkForMissingFiles"] is False
    panel.undo()
    panel.undo()
    assert props["system_distributedRender"] is False
    assert props["system_checkForMissingFiles"] is True
    assert not panel.drEnabled.isChecked()


def test_ctrl_z_in_a_text_field_undoes_the_text_not_the_list(qtbot, panel: DRPanel,
                                                            cfg: Path) -> None:
    assert panel.controller.add_server("render02") is None
    panel.addEdit.setFocus()
    qtbot.keyClicks(panel.addEdit, "abc")
    qtbot.keyClick(panel.addEdit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert b"render02" in cfg.read_bytes()  # the list is as it was
    assert panel.addEdit.text() != "abc"


def test_a_failed_undo_keeps_its_step(panel: DRPanel, monkeypatch) -> None:
    from vrdr_max.errors import HostError

    c: PanelController = panel.controller
    panel.drEnabled.click()

    def refuse(*_args: object) -> None:
        raise HostError("3ds Max refused a renderer setting")

    monkeypatch.setattr(c.host, "write_renderer_props", refuse)
    error = c.undo()
    assert error is not None and "could not undo DR on" in error
    assert c.undo_label == "DR on"
    assert "could not undo" in panel.tableError.text()


def test_fixed_findings_keep_their_line_until_the_next_preflight(
        qtbot, panel: DRPanel, mock_max: MockMax) -> None:
    panel.controller.preflight()
    ids = [r.finding.check_id for r in panel.controller.finding_rows()]
    button = panel.findingsTree.findChild(QtWidgets.QToolButton, "fix:enable-dr")
    button.click()  # a settings fix: the checks run again on the scene read last
    rows = panel.controller.finding_rows()
    assert [r.finding.check_id for r in rows] == ids
    assert [r.fixed for r in rows if r.finding.check_id == "dr-off"] == [True]
    assert panel.controller.undo_label == "fix: switch distributed rendering on"
    panel.undo()  # takes the switch back in 3ds Max
    assert mock_max.scene.current.props["system_distributedRender"] is False
