"""A list for a farm (issue 16, items 1 and 2): room, summary, sort, filter, select, probes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from qtpy import QtCore, QtWidgets

from mock_pymxs import MockMax
from vrdr_max.demo import stand_in_servers
from vrdr_max.panel.controller import PanelController
from vrdr_max.panel.listing import Show
from vrdr_max.panel.server_table import HOST, STATUS
from vrdr_max.panel.widgets import DRPanel

Qt = QtCore.Qt
FARM = b"".join(b"render%04d 1 20204\r\n" % i for i in range(1000))


@contextmanager
def probed(qtbot, panel: DRPanel) -> Iterator[list[int]]:
    """The stand-in servers (3 online, 1 refused, 1 silent) listed alone, probed."""
    with stand_in_servers() as farm:
        assert panel.controller.paste("\n".join(f"127.0.0.1:{s.port}" for s in farm)) is None
        assert panel.controller.remove_rows([0]) is None  # the artist's host: no name lookups
        task = panel.probe()
        assert task is not None
        with qtbot.waitSignal(task.finished, timeout=10_000):
            pass
        yield [s.port for s in farm]


def hosts(panel: DRPanel) -> list[str]:
    return [panel.model.index(r, HOST).data() for r in range(panel.model.rowCount())]


def test_the_list_takes_the_docks_free_height(qtbot, mock_max: MockMax, cfg: Path) -> None:
    cfg.write_bytes(FARM)
    from vrdr_max.max_host import PymxsHost

    panel = DRPanel(PanelController(PymxsHost()), probe_on_open=False)
    qtbot.addWidget(panel)
    panel.resize(400, 990)
    panel.show()
    qtbot.waitUntil(lambda: panel.height() == 990)
    # The old layout gave the list 2/5 of the room it shared with the preflight (about 7 rows
    # at this height with PySide6's font); an empty preflight now takes the room of its button.
    shared = panel.mainSplitter.height() - panel.optionsBox.height()
    assert panel.serversBox.height() >= 0.8 * shared
    assert not panel.findingsTree.isVisible()
    assert panel.preflightButton.isVisible()


def test_the_splitter_is_remembered(qtbot, controller: PanelController) -> None:
    controller.preflight()
    first = DRPanel(controller, probe_on_open=False)
    qtbot.addWidget(first)
    first.resize(400, 1000)
    first.show()
    qtbot.waitUntil(first.findingsTree.isVisible)
    splitter = first.mainSplitter
    sizes = splitter.sizes()
    splitter.setSizes([sizes[0] + sizes[2] - 150, sizes[1], 150])
    splitter.splitterMoved.emit(0, 2)  # what dragging the handle reports
    assert first._preflight_height == splitter.sizes()[2]
    chosen = splitter.sizes()[2]
    second = DRPanel(controller, probe_on_open=False)
    qtbot.addWidget(second)
    second.resize(400, 1000)
    second.show()
    qtbot.waitUntil(lambda: abs(second.mainSplitter.sizes()[2] - chosen) <= 2, timeout=2_000)
    assert controller.layout_path().is_file()  # next to the user's config, not in the cfg


def test_summary_line_counts_the_list_and_the_probe(qtbot, panel: DRPanel) -> None:
    assert panel.listSummary.text() == "1 listed · 1 on · not probed yet"
    with probed(qtbot, panel):
        qtbot.waitUntil(lambda: "online" in panel.listSummary.text())
        text = panel.listSummary.text()
    assert text.startswith("5 listed · 5 on · 3 online · 1 refused · 1 no answer · probed ")
    assert text.endswith(("ago", "just now"))


def test_sort_by_status_filter_and_select_by_status(qtbot, panel: DRPanel) -> None:
    with probed(qtbot, panel) as ports:
        table = panel.serverTable
        header = table.horizontalHeader()
        where = QtCore.QPoint(header.sectionViewportPosition(STATUS) + 5, 5)
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)  # sorts
        statuses = [panel.status_of(r).split(" ", 1)[0] for r in range(5)]
        assert statuses == ["no", "refused", "online", "online", "online"]  # failures first
        panel.showCombo.setCurrentIndex(1)
        panel.showCombo.activated.emit(1)  # did not answer
        assert [panel.status_of(r) for r in range(panel.model.rowCount())] == [
            "no answer", "refused"]
        panel.showCombo.setCurrentIndex(0)
        panel.showCombo.activated.emit(0)
        panel.filterEdit.setText(str(ports[3]))
        assert panel.model.rowCount() == 1 and panel.status_of(0) == "refused"
        panel.filterEdit.setText("")
        panel.select_status(Show.FAILED)
        chosen = panel.selected_rows()  # list rows, whatever the sort
        assert sorted(chosen) == [3, 4]
        panel.disableButton.click()
    assert [e[3] for e in panel.controller.entries()] == [True, True, True, False, False]


def test_an_edit_keeps_the_selection_and_the_answers_of_rows_it_did_not_touch(
        qtbot, panel: DRPanel) -> None:
    with probed(qtbot, panel):
        before = [panel.status_of(r) for r in range(5)]
        panel.serverTable.selectRow(1)
        assert panel.controller.add_server("127.0.0.1:9") is None
        assert panel.selected_rows() == [1]  # row signals, no model reset
        assert [panel.status_of(r) for r in range(5)] == before
        assert panel.status_of(5) == ""


def test_findings_that_read_the_list_follow_each_edit(qtbot, panel: DRPanel) -> None:
    assert panel.controller.set_rows_enabled([0], False) is None
    panel.controller.preflight()
    rows = panel.controller.finding_rows()
    assert any(r.finding.check_id == "no-servers" and not r.fixed for r in rows)
    panel.serverTable.selectRow(0)
    panel.enableButton.click()
    qtbot.waitUntil(lambda: any(r.finding.check_id == "no-servers" and r.fixed
                                for r in panel.controller.finding_rows()))


def test_disable_dead_button_and_the_fix_of_the_did_not_answer_finding(
        qtbot, panel: DRPanel, cfg: Path) -> None:
    with probed(qtbot, panel) as ports:
        qtbot.waitUntil(panel.disableDeadButton.isVisible)
        assert panel.deadLabel.text() == "2 enabled servers did not answer"
        panel.disableDeadButton.click()
        lines = cfg.read_bytes().split(b"\r\n")
        assert b"127.0.0.1 0 %d" % ports[3] in lines and b"127.0.0.1 0 %d" % ports[4] in lines
        assert b"127.0.0.1 1 %d" % ports[0] in lines
        panel.undoButton.click()  # one step back: both on again
        assert b"127.0.0.1 1 %d" % ports[3] in cfg.read_bytes().split(b"\r\n")
        panel.controller.preflight()
        qtbot.waitUntil(lambda: panel.findingsTree.findChild(
            QtWidgets.QToolButton, "fix:disable-unanswered") is not None)
        fix = panel.findingsTree.findChild(QtWidgets.QToolButton, "fix:disable-unanswered")
        assert "did not answer" in fix.toolTip()
        fix.click()
        lines = cfg.read_bytes().split(b"\r\n")
        assert b"127.0.0.1 0 %d" % ports[4] in lines


def test_the_panel_probes_when_it_opens_and_on_the_studios_interval(
        qtbot, mock_max: MockMax, cfg: Path, tmp_path: Path, monkeypatch) -> None:
    studio = tmp_path / "studio.json"
    studio.write_text(json.dumps({"version": 1, "defaults": {"probe_interval": 0.3,
                                                             "probe_timeout": 0.3}}))
    monkeypatch.setenv("VRDR_STUDIO_CONFIG", str(studio))
    from vrdr_max.max_host import PymxsHost

    with stand_in_servers() as farm:
        cfg.write_bytes(b"127.0.0.1 1 %d\r\n" % farm[0].port)
        panel = DRPanel(PanelController(PymxsHost()))
        qtbot.addWidget(panel)
        started: list[object] = []
        original = panel.probe

        def counting() -> object:
            task = original()
            if task is not None:
                started.append(task)
            return task

        panel.probe = counting  # type: ignore[method-assign]
        panel.show()
        qtbot.waitUntil(lambda: len(started) >= 1, timeout=5_000)  # on open
        qtbot.waitUntil(lambda: len(started) >= 3, timeout=10_000)  # then on the interval
        assert panel.status_of(0).startswith("online")
        panel.hide()
        count = len(started)
        qtbot.wait(800)
        assert len(started) <= count + 1  # hidden: no more probes (one may have been due)
        panel.shutdown()


@pytest.mark.parametrize("interval", [0.0])
def test_the_repeated_probe_is_off_by_default(controller: PanelController,
                                              interval: float) -> None:
    assert controller.probe_interval() == interval


def test_answers_on_a_ranges_other_port_repaint_its_row(qtbot, mock_max: MockMax,
                                                       cfg: Path) -> None:
    from vrdr_max.max_host import PymxsHost
    from vrdr_max.probe import ProbeResult, ProbeState

    cfg.write_bytes(b"artist-ws-07 1 20204\r\nrender09 1 20204-20206\r\n")
    panel = DRPanel(PanelController(PymxsHost()), probe_on_open=False)
    qtbot.addWidget(panel)
    panel.show()
    repainted: list[tuple[int, int]] = []
    panel.model.dataChanged.connect(lambda a, b, *_: repainted.append((a.row(), b.row())))
    panel.controller.apply_probe_results([ProbeResult(
        host="render09", port=20205, state=ProbeState.ONLINE, address="10.0.0.9",
        latency_ms=2.0, message="online")])
    assert (1, 1) in repainted
    assert panel.status_of(1) == "online 2 ms"
    assert panel.model.index(1, 2).data() == "20204-20206"
