"""How the panel reads: contrast in both themes, labels, a narrow dock, repaints after a probe."""

from __future__ import annotations

import pytest
from qtpy import QtCore, QtGui, QtWidgets

from vrdr_max.panel.look import MIN_CONTRAST, backgrounds, contrast, theme_colours
from vrdr_max.panel.server_table import SOURCE, STATUS
from vrdr_max.panel.standalone import max_palette
from vrdr_max.panel.widgets import DRPanel, top_level_items
from vrdr_max.probe import ProbeResult, ProbeState

Qt = QtCore.Qt


@pytest.mark.parametrize("dark", [True, False])
def test_every_derived_colour_reads_on_every_background(qtbot, dark: bool) -> None:
    palette = max_palette(dark=dark)
    colours = theme_colours(palette)
    assert set(colours) == {"error", "warning", "ok", "muted"}
    for name, value in colours.items():
        for ground in backgrounds(palette):
            assert contrast(QtGui.QColor(value), ground) >= MIN_CONTRAST, (name, ground.name())


def test_every_tool_button_says_what_it_does(panel: DRPanel) -> None:
    buttons = [panel.removeButton, panel.enableButton, panel.disableButton, panel.probeButton,
               panel.pasteButton, panel.numaButton, panel.poolButton, panel.listenButton]
    for button in buttons:
        assert button.text() and button.toolTip() and button.accessibleName()
        assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        assert button.isVisible()


def test_a_narrow_dock_keeps_everything_reachable(qtbot, panel: DRPanel) -> None:
    panel.controller.preflight()
    panel.resize(300, 1000)
    qtbot.waitUntil(lambda: panel.width() == 300)
    assert panel.removeButton.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
    assert panel.serverTable.isColumnHidden(SOURCE)  # the host column keeps the room
    grid = panel.optionsLayout
    assert grid.getItemPosition(grid.indexOf(panel.useCached))[:2] == (4, 0)  # one column
    for widget in (panel.restartServers, panel.checkMissingFiles, panel.listenButton,
                   panel.probeButton, panel.renderButton):
        assert widget.geometry().right() <= widget.parentWidget().width(), widget.objectName()
    qtbot.wait(50)
    assert_rows_fit(panel.findingsTree)
    wide = panel.labelled_width + 20  # the font decides: about 370 px with PySide6 here
    panel.resize(wide, 1000)
    qtbot.waitUntil(lambda: panel.width() == wide)
    qtbot.wait(50)
    assert_rows_fit(panel.findingsTree)
    assert panel.summaryLabel.height() < 2 * panel.fontMetrics().lineSpacing()  # one line
    assert panel.removeButton.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    assert not panel.serverTable.isColumnHidden(SOURCE)
    assert grid.getItemPosition(grid.indexOf(panel.useCached))[:2] == (2, 1)


def assert_rows_fit(tree: QtWidgets.QTreeWidget) -> None:
    """Each finding's headline is wrapped to the width, and its row is as tall as its lines."""
    metrics = tree.fontMetrics()
    line = metrics.lineSpacing()
    for item in top_level_items(tree):
        lines = item.text(0).split("\n")
        assert all(metrics.horizontalAdvance(t) <= tree.viewport().width() for t in lines)
        height = tree.visualItemRect(item).height()
        # At least its lines; at most those or the Fix button's height, plus the margins.
        assert len(lines) * line <= height <= max(len(lines) * line, 28) + 10, item.text(0)


def answer(port: int, state: ProbeState) -> ProbeResult:
    return ProbeResult(host="127.0.0.1", port=port, state=state, address="127.0.0.1",
                       latency_ms=1.0 if state is ProbeState.ONLINE else None,
                       message=f"{state.value} on {port}")


def test_probe_answers_repaint_their_status_cells_in_colour(qtbot, panel: DRPanel) -> None:
    assert panel.controller.paste("127.0.0.1:1001\n127.0.0.1:1002\n127.0.0.1:1003") is None
    changed: list[tuple[int, int, int, int]] = []
    panel.model.dataChanged.connect(
        lambda a, b, *_: changed.append((a.row(), a.column(), b.row(), b.column())))
    panel.controller.apply_probe_results([answer(1002, ProbeState.ONLINE),
                                          answer(1003, ProbeState.REFUSED)])
    assert changed == [(2, STATUS, 3, STATUS)]  # the answered rows' status cells, once
    online = panel.model.index(2, STATUS)
    refused = panel.model.index(3, STATUS)
    assert online.data() == "online 1 ms" and refused.data() == "refused"
    colours = theme_colours(panel.palette())
    assert online.data(Qt.ItemDataRole.ForegroundRole) == QtGui.QColor(colours["ok"])
    assert refused.data(Qt.ItemDataRole.ForegroundRole) == QtGui.QColor(colours["error"])
    assert panel.model.index(1, STATUS).data(Qt.ItemDataRole.ForegroundRole) is None
    assert "added in the panel" in panel.model.index(2, 1).data(Qt.ItemDataRole.ToolTipRole)
    changed.clear()
    panel.controller.apply_probe_results([answer(9999, ProbeState.ONLINE)])  # not listed
    assert changed == []
    assert isinstance(panel.serverTable, QtWidgets.QTableView)
