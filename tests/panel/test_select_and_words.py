"""Select that selects (item 11), words (item 13) of issue 16; File > New (issue 15, item 11)."""

from __future__ import annotations

from pathlib import Path

from qtpy import QtCore, QtGui, QtWidgets

from mock_pymxs import MockMax
from vrdr_max.panel.controller import PanelController
from vrdr_max.panel.server_table import HOST, STATUS
from vrdr_max.panel.widgets import DRPanel, top_level_items
from vrdr_max.probe import ProbeResult, ProbeState


def select_button(panel: DRPanel, check_id: str) -> QtWidgets.QToolButton:
    button = panel.findingsTree.findChild(QtWidgets.QToolButton, f"select:{check_id}")
    assert button is not None, check_id
    return button


def test_select_on_a_missing_map_selects_the_objects_that_use_it(
        panel: DRPanel, mock_max: MockMax) -> None:
    panel.controller.preflight()
    select_button(panel, "missing-maps").click()
    assert mock_max.selection == ["Floor"]  # its material holds Wood_Floor_Diffuse
    assert panel.preflightNote.text() == "selected 1 object in the scene"


def test_missing_plugin_objects_are_selectable(panel: DRPanel, mock_max: MockMax) -> None:
    panel.controller.preflight()
    select_button(panel, "missing-plugins").click()
    assert mock_max.selection == ["Forest_Grass_Patch", "Forest_Shrubs"]


def test_when_nothing_can_be_selected_the_selection_stays_and_the_panel_says_so(
        panel: DRPanel, mock_max: MockMax) -> None:
    from vrdr_max.checks import Finding, Severity
    from vrdr_max.max_host import PymxsHost

    PymxsHost().select_nodes(["Sofa"])  # the artist's selection
    gone = Finding(check_id="default-lights", severity=Severity.ERROR, message="x",
                   subjects=["Deleted_Light (off)"])
    assert panel.controller.select(gone) == 0
    assert mock_max.selection == ["Sofa"]
    assert "nothing in the scene to select" in panel.preflightNote.text()
    assert "your selection is unchanged" in panel.preflightNote.text()


def test_the_words_the_artist_reads(panel: DRPanel) -> None:
    assert panel.restartServers.text() == "Restart servers on render end"  # V-Ray's wording
    assert panel.cacheLimitLabel.text() == "Cache limit"
    assert panel.cacheLimitLabel.buddy() is panel.cacheLimitType
    assert panel.maxServersLabel.buddy() is panel.maxServers
    panel.controller.apply_probe_results([ProbeResult(
        host="artist-ws-07", port=20204, state=ProbeState.ONLINE, address="10.0.0.7",
        latency_ms=0.2, message="online")])
    assert panel.status_of(0) == "online < 1 ms"
    report = panel.controller.preflight()
    assert report is not None
    messages = [f.message for f in report.findings]
    assert any(m.startswith("1 file missing on this machine") for m in messages)
    assert any(m.startswith("3 files are on paths") for m in messages)
    assert not any("(s)" in m for m in messages)


def test_the_did_not_answer_finding_counts_in_words(panel: DRPanel) -> None:
    c = panel.controller
    assert c.remove_rows([0]) is None
    assert c.add_server("10.0.0.1") is None
    c.apply_probe_results([ProbeResult(host="10.0.0.1", port=20204, state=ProbeState.TIMEOUT,
                                       address="10.0.0.1", latency_ms=None, message="timeout")])
    report = c.preflight()
    assert report is not None
    message = next(f.message for f in report.findings if f.check_id == "servers-offline")
    assert message.startswith("1 of 1 endpoint did not answer")


def test_a_server_that_timed_out_reads_as_the_summary_and_the_filter_say(panel: DRPanel
                                                                         ) -> None:
    """The row says "no answer", as the summary line and the status filter do; the probe's own
    word stays in the tooltip."""
    c = panel.controller
    assert c.remove_rows(list(range(len(c.entries())))) is None
    assert c.add_server("10.0.0.1") is None
    c.apply_probe_results([ProbeResult(host="10.0.0.1", port=20204, state=ProbeState.TIMEOUT,
                                       address="10.0.0.1", latency_ms=None,
                                       message="10.0.0.1:20204 timeout")])
    c.probe_finished()
    panel.showCombo.setCurrentText("no answer")
    assert panel.model.rowCount() == 1
    assert panel.status_of(0) == "no answer"
    assert "1 no answer" in c.list_summary()
    status = panel.model.index(0, STATUS)
    assert status.data(QtCore.Qt.ItemDataRole.ToolTipRole) == "10.0.0.1:20204 timeout"


def test_a_switched_off_server_is_muted_not_just_unchecked(qtbot, panel: DRPanel) -> None:
    """Its host, port and origin take the muted text colour, and the whole row repaints when it
    is switched: an unchecked box alone is hard to see on a dark theme."""
    from vrdr_max.panel.look import theme_colours
    from vrdr_max.panel.server_table import PORT, SOURCE

    model, c = panel.model, panel.controller
    muted = QtGui.QColor(theme_colours(panel.palette())["muted"])
    assert all(model.index(0, col).data(QtCore.Qt.ItemDataRole.ForegroundRole) is None
               for col in (HOST, PORT, SOURCE))
    with qtbot.waitSignal(model.dataChanged) as changed:
        assert c.set_rows_enabled([0], enabled=False) is None
    first, last = changed.args[0], changed.args[1]
    assert first.row() == last.row() == 0
    assert first.column() <= HOST and last.column() >= SOURCE
    assert all(model.index(0, col).data(QtCore.Qt.ItemDataRole.ForegroundRole) == muted
               for col in (HOST, PORT, SOURCE))
    assert model.index(1, HOST).data(QtCore.Qt.ItemDataRole.ForegroundRole) is None


def test_long_host_names_get_the_from_columns_room(qtbot, mock_max: MockMax,
                                                   cfg: Path) -> None:
    """No truncated host names at 400 px: the From column gives way to the longest host.

    With PySide6's font here a 22-character name then fits whole; the font decides.
    """
    from vrdr_max.max_host import PymxsHost

    cfg.write_bytes(b"render01 1 20204\r\n")
    panel = DRPanel(PanelController(PymxsHost()), probe_on_open=False)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.wait(10)  # shown and laid out: Qt 5 sizes a window that is shown once more
    panel.resize(400, 900)  # as a dock is sized
    qtbot.waitUntil(lambda: panel.width() == 400)
    table = panel.serverTable
    qtbot.wait(20)
    shown_from = not table.isColumnHidden(4)
    before, from_width = table.columnWidth(HOST), table.columnWidth(4)
    long_name = "render-0042.farm.studio-name.local"
    assert panel.controller.add_server(long_name) is None
    qtbot.waitUntil(lambda: table.isColumnHidden(4))
    if shown_from:
        assert table.columnWidth(HOST) >= before + from_width - 2
    assert panel.controller.remove_rows([1]) is None
    qtbot.waitUntil(lambda: panel._narrow or not table.isColumnHidden(4))  # room again


def test_file_new_refreshes_the_panel(panel: DRPanel, mock_max: MockMax) -> None:
    panel.controller.preflight()
    assert panel.findingsTree.topLevelItemCount() > 0
    mock_max.new_scene()
    assert panel.controller.report is None
    assert top_level_items(panel.findingsTree) == []
    assert panel.summaryLabel.text() == "preflight not run yet"


def test_the_pool_name_is_in_the_from_column(panel: DRPanel, tmp_path: Path,
                                            monkeypatch) -> None:
    studio = tmp_path / "studio.json"
    studio.write_text('{"version": 1, "pools": {"night": {"servers": ["n1"]}}}')
    monkeypatch.setenv("VRDR_STUDIO_CONFIG", str(studio))
    assert panel.controller.apply_pool("night", merge=True) is None
    index = panel.model.index(1, 4)
    assert index.data() == "night"
    assert index.data(QtCore.Qt.ItemDataRole.ToolTipRole) == "from a server pool night"
