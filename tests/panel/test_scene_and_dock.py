"""Scene events, the render guard, DR2 fields and the dock in 3ds Max's main window."""

from __future__ import annotations

from pathlib import Path

from qtpy import QtCore, QtWidgets

from mock_pymxs import MockMax
from vrdr_max.panel import show_panel
from vrdr_max.panel.controller import PanelController
from vrdr_max.panel.dock import DOCK_NAME, close_panel
from vrdr_max.panel.widgets import DRPanel
from vrdr_max.ports import Mode


def test_dr2_fields_appear_only_in_dr2_mode(panel: DRPanel, cfg: Path) -> None:
    assert not panel.dispatcherBox.isVisible()
    panel.modeCombo.setCurrentIndex(1)
    panel.modeCombo.activated.emit(1)
    assert panel.controller.settings.mode is Mode.DR2
    assert panel.dispatcherBox.isVisible()
    panel.dispatcherHost.setText("disp01")
    panel.dispatcherPort.setText("20207")
    panel.dispatcherHost.editingFinished.emit()
    d = panel.controller.settings.dispatcher
    assert d is not None and (d.host, d.port) == ("disp01", 20207)
    panel.dispatcherPort.setText("0")
    panel.dispatcherPort.editingFinished.emit()
    assert panel.dispatcherError.isVisible()
    panel.modeCombo.setCurrentIndex(0)
    panel.modeCombo.activated.emit(0)
    assert not panel.dispatcherBox.isVisible()


def test_opening_another_scene_refreshes_the_panel(panel: DRPanel, mock_max: MockMax,
                                                   cfg: Path) -> None:
    panel.controller.preflight()
    assert panel.findingsTree.topLevelItemCount() > 0
    assert panel.engineLabel.text() == "V-Ray CPU: vray_dr.cfg"
    mock_max.open_scene("gpu")
    assert panel.engineLabel.text() == "V-Ray GPU: vrayrt_dr.cfg"
    assert panel.controller.cfg_path.name == "vrayrt_dr.cfg"
    assert panel.findingsTree.topLevelItemCount() == 0  # the old scene's findings are gone
    assert panel.summaryLabel.text() == "preflight not run yet"
    mock_max.open_scene("demo")
    assert panel.engineLabel.text() == "V-Ray CPU: vray_dr.cfg"
    assert panel.model.index(0, 1).data() == "artist-ws-07"
    assert not mock_max.callback_errors and not panel.controller.callback_errors


def test_reset_and_merge_refresh_too(controller: PanelController, mock_max: MockMax,
                                     cfg: Path) -> None:
    events: list[str] = []
    controller.subscribe(lambda e: events.append(e.value))
    mock_max.reset_scene()
    mock_max.merge_scene()
    assert events.count("scene") == 2


def test_render_guard_reports_on_pre_render_and_is_silent_on_a_net_render(
        panel: DRPanel, mock_max: MockMax) -> None:
    rt = mock_max.runtime
    rt.execute("max quick render")  # DR off: nothing to say
    assert mock_max.prompts == []
    panel.drEnabled.click()
    panel.serverTable.selectRow(0)
    panel.disableButton.click()  # DR on with no enabled server: renders locally only
    rt.execute("max quick render")
    assert len(mock_max.prompts) == 1
    assert "no render server will take part" in mock_max.prompts[0]
    assert panel.guardLabel.isVisible()
    assert "no render server" in panel.guardLabel.text()

    mock_max.net_render = True  # the same scene on a render server: the guard keeps quiet
    rt.execute("max quick render")
    assert len(mock_max.prompts) == 1
    assert len(mock_max.renders) == 3  # never blocked


def test_callbacks_are_removed_when_the_panel_closes(panel: DRPanel, mock_max: MockMax) -> None:
    assert panel.controller.attached
    panel.close()
    assert not panel.controller.attached
    mock_max.open_scene("gpu")
    assert panel.engineLabel.text() == "V-Ray CPU: vray_dr.cfg"  # no longer listening


def test_a_second_show_panel_reuses_the_dock(qtbot, mock_max: MockMax, cfg: Path) -> None:
    first = show_panel()
    main = first.parent()
    assert isinstance(main, QtWidgets.QMainWindow)
    assert first.objectName() == DOCK_NAME
    first.close()
    second = show_panel()
    assert second is first
    assert main.findChildren(QtWidgets.QDockWidget, DOCK_NAME) == [first]
    assert not second.isHidden()
    calls = [c for c in mock_max.qt_calls if c[0] == "DisableMaxAcceleratorsOnFocus"]
    assert calls and all(c[2] is True for c in calls)
    panel = first.widget()
    assert isinstance(panel, DRPanel)
    guarded = {id(c[1]) for c in calls}
    assert {id(panel), id(panel.addEdit), id(panel.dispatcherHost)} <= guarded
    shown: list[QtWidgets.QDialog] = []
    panel.dialogs.run = lambda dialog: shown.append(dialog) or False  # type: ignore[method-assign]
    panel.dialogs.paste("")
    text = shown[0].findChild(QtWidgets.QPlainTextEdit, "textEdit")
    assert any(c[1] is text for c in mock_max.qt_calls)  # dialogs' fields too
    assert first.widget().controller.attached  # shown again: listening again
    assert close_panel()
    assert not close_panel()  # gone


def test_the_dock_goes_back_where_the_user_left_it(qtbot, mock_max: MockMax, cfg: Path) -> None:
    dock = show_panel()
    main = dock.parent()
    main.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    state = main.saveState()  # what 3ds Max keeps in its layout
    close_panel()
    main.restoreState(state)
    again = show_panel()
    assert again is not dock
    assert main.dockWidgetArea(again) == QtCore.Qt.DockWidgetArea.LeftDockWidgetArea
    close_panel()
