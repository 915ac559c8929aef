"""Editing the server list through the widgets: what reaches the cfg file."""

from __future__ import annotations

from pathlib import Path

from qtpy import QtCore, QtGui, QtWidgets

from vrdr_max.demo import ARTIST_CFG
from vrdr_max.panel.server_table import ENABLED, HOST, PORT
from vrdr_max.panel.widgets import DRPanel

from .conftest import Dialogs, click_button

Qt = QtCore.Qt
UNKNOWN = b"some_future_key 1\r\n"


def server_lines(cfg: Path) -> list[bytes]:
    return [line for line in cfg.read_bytes().split(b"\r\n")
            if line and line.split()[0] not in (b"restart_slaves", b"list_in_scene",
                                                 b"max_servers", b"use_local_machine",
                                                 b"transfer_missing_assets", b"use_cached_assets",
                                                 b"cache_limit_type", b"cache_limit",
                                                 b"some_future_key")]


def add(qtbot, panel: DRPanel, text: str) -> None:
    panel.addEdit.setText(text)
    qtbot.keyClick(panel.addEdit, Qt.Key.Key_Return)


def test_add_edit_enable_remove_write_the_right_lines_and_keep_unknown_ones(
        qtbot, panel: DRPanel, cfg: Path) -> None:
    add(qtbot, panel, "render02")
    add(qtbot, panel, "10.0.0.7:20210")
    assert server_lines(cfg) == [b"artist-ws-07 1 20204", b"render02 1 20204",
                                 b"10.0.0.7 1 20210"]
    assert panel.addEdit.text() == ""

    model = panel.model
    assert model.setData(model.index(1, HOST), "render03")
    assert model.setData(model.index(1, PORT), "20205")
    assert model.setData(model.index(0, ENABLED), Qt.CheckState.Unchecked,
                         Qt.ItemDataRole.CheckStateRole)
    assert server_lines(cfg) == [b"artist-ws-07 0 20204", b"render03 1 20205",
                                 b"10.0.0.7 1 20210"]

    panel.serverTable.selectRow(2)
    panel.serverTable.setFocus()
    qtbot.keyClick(panel.serverTable, Qt.Key.Key_Delete)
    assert server_lines(cfg) == [b"artist-ws-07 0 20204", b"render03 1 20205"]

    panel.serverTable.selectRow(0)
    panel.enableButton.click()
    assert server_lines(cfg)[0] == b"artist-ws-07 1 20204"
    assert UNKNOWN in cfg.read_bytes()
    assert cfg.read_bytes().endswith(UNKNOWN)  # untouched lines keep their place and ending
    assert [panel.model.index(r, 4).data() for r in range(2)] == ["file", "added"]


def test_a_bad_host_shows_an_inline_error_and_leaves_the_file_byte_identical(
        qtbot, panel: DRPanel, cfg: Path) -> None:
    add(qtbot, panel, "bad host!")
    assert panel.addError.isVisible()
    assert "space" in panel.addError.text()
    assert panel.addEdit.property("invalid") is True
    assert panel.addEdit.text() == "bad host!"  # kept for correcting
    assert cfg.read_bytes() == ARTIST_CFG

    model = panel.model
    assert not model.setData(model.index(0, PORT), "99999")
    assert not model.setData(model.index(0, HOST), "-leading-dash")
    assert panel.tableError.isVisible()
    assert cfg.read_bytes() == ARTIST_CFG

    add(qtbot, panel, "render02")  # a good one clears the error
    assert not panel.addError.isVisible()


def test_bad_numbers_in_the_options_are_shown_at_the_field_and_never_saved(
        qtbot, panel: DRPanel, cfg: Path) -> None:
    panel.maxServers.setText("many")
    panel.maxServers.editingFinished.emit()
    assert "not a number" in panel.optionsError.text()
    assert panel.maxServers.property("invalid") is True
    panel.cacheLimit.setText("-5")
    panel.cacheLimit.editingFinished.emit()
    assert "cache limit" in panel.optionsError.text() or "not a number" in panel.optionsError.text()
    assert cfg.read_bytes() == ARTIST_CFG
    panel.maxServers.setText("4")
    panel.maxServers.editingFinished.emit()
    assert b"max_servers 4\r\n" in cfg.read_bytes()


def test_option_boxes_write_their_cfg_keys(panel: DRPanel, cfg: Path) -> None:
    panel.restartServers.click()
    panel.transferMissing.click()
    panel.saveServersInScene.click()
    data = cfg.read_bytes()
    assert b"restart_slaves 1\r\n" in data
    assert b"transfer_missing_assets 1\r\n" in data
    assert b"list_in_scene 0\r\n" in data
    assert data.endswith(UNKNOWN)


def test_paste_adds_spreadsheet_rows_and_never_a_bad_line(
        qtbot, panel: DRPanel, cfg: Path, dialogs: Dialogs) -> None:
    def add(dialog: QtWidgets.QDialog) -> bool:
        rows = dialog.previewTable.model().rowCount()
        assert [dialog.status_of(r).split(":")[0] for r in range(rows)] == ["new", "invalid"]
        dialog.findChild(QtWidgets.QPlainTextEdit, "textEdit").setPlainText(
            "render10\t20204\nnot a host!\nrender11:20205\n\n")
        dialog.refresh()
        assert dialog.ok_button().text() == "Add 2"
        dialog.accept()
        return dialog.result() == QtWidgets.QDialog.DialogCode.Accepted

    dialogs.answers.append(add)
    QtWidgets.QApplication.clipboard().setText("render10\t20204\nnot a host!\n")
    panel.serverTable.setFocus()
    qtbot.keyClick(panel.serverTable, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert dialogs.shown, "Ctrl+V in the table opens the paste dialog"
    assert server_lines(cfg)[1:] == [b"render10 1 20204", b"render11 1 20205"]


def test_numa_machine_previews_the_spawner_entries_then_adds_them(
        panel: DRPanel, cfg: Path, dialogs: Dialogs) -> None:
    seen: list[list[str]] = []

    def fill(dialog: QtWidgets.QDialog) -> bool:
        dialog.findChild(QtWidgets.QLineEdit, "hostEdit").setText("numa01")
        dialog.findChild(QtWidgets.QLineEdit, "argsEdit").setText("-numa=3")
        ok = dialog.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled()  # -numa without the node count: the rules need it
        assert dialog.findChild(QtWidgets.QLabel, "errorLabel").text()
        dialog.findChild(QtWidgets.QSpinBox, "nodesSpin").setValue(3)
        seen.append(dialog.preview_lines())
        return ok.isEnabled()

    dialogs.answers.append(fill)
    panel.numaButton.click()
    assert seen == [["numa01: 3 render processes", "  process 1: NUMA node 0, port 20204",
                     "  process 2: NUMA node 1, port 20205",
                     "  process 3: NUMA node 2, port 20206"]]
    assert server_lines(cfg)[1:] == [b"numa01 1 20204", b"numa01 1 20205", b"numa01 1 20206"]
    assert {panel.model.index(r, 4).data() for r in (1, 2, 3)} == {"NUMA"}


def test_pool_picker_replaces_or_merges(monkeypatch, tmp_path: Path, panel: DRPanel, cfg: Path,
                                        dialogs: Dialogs) -> None:
    studio = tmp_path / "studio.json"
    studio.write_text('{"version": 1, "pools": {"night": {"servers": ["n1", "n2:20207"]}}}')
    monkeypatch.setenv("VRDR_STUDIO_CONFIG", str(studio))

    def pick(merge: bool):
        def answer(dialog: QtWidgets.QDialog) -> bool:
            assert dialog.findChild(QtWidgets.QComboBox, "poolCombo").currentText() == "night"
            dialog.findChild(QtWidgets.QRadioButton,
                             "mergeRadio" if merge else "replaceRadio").setChecked(True)
            return True
        return answer

    dialogs.answers += [pick(merge=True), pick(merge=False)]
    panel.poolButton.click()
    assert server_lines(cfg) == [b"artist-ws-07 1 20204", b"n1 1 20204", b"n2 1 20207"]
    panel.poolButton.click()
    assert server_lines(cfg) == [b"n1 1 20204", b"n2 1 20207"]
    assert cfg.read_bytes().endswith(UNKNOWN)


def test_conflict_dialog_on_a_file_changed_on_disk_keeps_the_other_writers_bytes(
        qtbot, panel: DRPanel, cfg: Path, dialogs: Dialogs) -> None:
    theirs = b"their-server 1 20204\r\nsome_future_key 2\r\n"
    cfg.write_bytes(theirs)  # another program (V-Ray's own dialog) wrote meanwhile

    dialogs.answers.append(lambda box: click_button(box, "Keep"))
    add(qtbot, panel, "render02")
    qtbot.waitUntil(lambda: len(dialogs.shown) == 1)
    assert cfg.read_bytes() == theirs
    assert panel.controller.conflict

    dialogs.answers.append(lambda box: click_button(box, "Reload"))
    add(qtbot, panel, "render03")
    qtbot.waitUntil(lambda: len(dialogs.shown) == 2)
    assert cfg.read_bytes() == theirs
    assert [panel.model.index(r, HOST).data() for r in range(panel.model.rowCount())] == [
        "their-server"]
    add(qtbot, panel, "render04")  # after the reload, edits apply to their file
    # Their lines stay as they were (the options the file lacked are appended after them).
    assert cfg.read_bytes().startswith(
        b"their-server 1 20204\r\nrender04 1 20204\r\nsome_future_key 2\r\n")


def test_tab_order_follows_the_form(panel: DRPanel) -> None:
    order = [panel.addEdit]
    widget: QtWidgets.QWidget = panel.addEdit
    for _ in range(3):
        widget = widget.nextInFocusChain()
        while not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            widget = widget.nextInFocusChain()
        order.append(widget)
    assert order[1:] == [panel.addButton, panel.filterEdit, panel.showCombo]
    assert isinstance(QtGui.QKeySequence("Ctrl+V"), QtGui.QKeySequence)
