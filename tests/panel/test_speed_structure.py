"""What keeps the panel fast at farm scale, held without timing (benchmarks/panel.py times it).

An edit touches only its rows (no copy of the list, row signals, no reset); the preflight reads
the scene in slices between event-loop turns; a fix re-runs only what it can change; the cfg's
server lines are patched in place, with the bytes the full re-match gives.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from qtpy import QtCore, QtWidgets

from mock_pymxs import MockMax
from vrdr_max.cfgfile import CfgDocument
from vrdr_max.models import DRSettings, RenderServer
from vrdr_max.panel.widgets import DRPanel
from vrdr_max.panel.workers import Poster
from vrdr_max.ports import Engine


def test_an_edit_copies_no_list_and_signals_only_its_rows(qtbot, panel: DRPanel,
                                                          monkeypatch) -> None:
    c = panel.controller
    assert c.paste("\n".join(f"render{i:03d}" for i in range(50))) is None

    def no_copy(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("an edit deep-copied the settings")

    monkeypatch.setattr(DRSettings, "model_copy", no_copy)
    seen: list[tuple[str, int, int]] = []
    model = panel.model
    model.modelReset.connect(lambda: seen.append(("reset", -1, -1)))
    model.rowsInserted.connect(lambda _p, a, b: seen.append(("inserted", a, b)))
    model.rowsRemoved.connect(lambda _p, a, b: seen.append(("removed", a, b)))
    model.dataChanged.connect(lambda a, b, *_: seen.append(("changed", a.row(), b.row())))
    assert c.add_server("render900") is None
    assert c.remove_rows([10, 11]) is None
    assert c.set_rows_enabled([20], False) is None
    assert c.edit_server(30, host="render901") is None
    assert c.undo() is None
    assert ("inserted", 51, 51) in seen
    assert ("removed", 10, 11) in seen
    assert ("changed", 20, 20) in seen
    assert ("changed", 30, 30) in seen
    assert not any(kind == "reset" for kind, *_ in seen)


def test_the_scene_is_read_in_slices_with_the_same_facts(mock_max: MockMax,
                                                         monkeypatch) -> None:
    from vrdr_max.max_host import PymxsHost  # pymxs exists once the mock is in

    host = PymxsHost()
    whole = host.read_scene()
    monkeypatch.setattr("vrdr_max.max_host.READ_SLICE_S", 0.0)  # a slice per item
    steps = host.read_scene_steps()
    parts: list[str] = []
    while True:
        try:
            parts.append(next(steps))
        except StopIteration as done:
            sliced = done.value
            break
    assert sliced == whole
    assert {"lights", "maps and files", "plugins"} <= set(parts)
    assert len(parts) > 10


def test_the_panels_preflight_turns_the_event_loop_while_it_reads(
        qtbot, panel: DRPanel, monkeypatch) -> None:
    monkeypatch.setattr("vrdr_max.max_host.READ_SLICE_S", 0.0)
    reading: list[object] = []
    stepper = panel.preflight()
    assert stepper is not None
    stepper.reading.connect(reading.append)
    with qtbot.waitSignal(stepper.finished, timeout=10_000):
        pass
    assert len(reading) > 10  # one event-loop turn each
    assert panel.controller.report is not None


def test_a_settings_fix_reads_no_scene(panel: DRPanel, mock_max: MockMax) -> None:
    panel.controller.preflight()
    mock_max.calls.reset()
    panel.findingsTree.findChild(QtWidgets.QToolButton, "fix:enable-transfer").click()
    assert mock_max.calls.total < 10  # a scene read is hundreds of runtime calls
    rows = panel.controller.finding_rows()
    assert [r.fixed for r in rows if r.finding.check_id == "unreachable-paths"] == [True]


def test_a_fix_that_switches_dr_on_reads_only_the_renderer(panel: DRPanel,
                                                          mock_max: MockMax) -> None:
    panel.controller.preflight()
    mock_max.calls.reset()
    panel.findingsTree.findChild(QtWidgets.QToolButton, "fix:enable-dr").click()
    assert mock_max.calls.total < 40


LINES = [b"render%02d 1 202%02d" % (i, i % 7) for i in range(12)] + [
    b"Render03 0 20203", b"render00 1 20204-20206", b"render05 1 20205"]
"""Server lines, with a name in capitals, a range, and a host listed on two ports."""
OTHER = [b"# studio list", b"restart_slaves 1", b"some_future_key 3", b"", b"render10 1 20210"]


@pytest.mark.parametrize("seed", range(200))
def test_patched_server_lines_are_the_bytes_the_full_re_match_gives(
        seed: int, monkeypatch) -> None:
    rng = random.Random(seed)
    lines = LINES[:rng.randint(1, len(LINES))] + rng.sample(OTHER, rng.randint(0, 3))
    rng.shuffle(lines)
    text = b"\r\n".join(lines) + (b"\r\n" if rng.random() < 0.7 else b"")
    base = CfgDocument.parse(text, Engine.CPU)
    entries = list(base.server_list().entries())
    kind = rng.choice(["edit", "port", "rename", "flag", "remove", "insert", "append", "head"])
    new = list(entries)
    if kind == "edit":
        k = rng.randrange(len(new))
        new[k] = (f"edited{seed}", new[k][1], None, new[k][3])
    elif kind == "port":
        k = rng.randrange(len(new))
        new[k] = (new[k][0], new[k][1] + rng.choice([1, 100]), new[k][2], new[k][3])
    elif kind == "rename":  # to another listed host, or the same in capitals
        k = rng.randrange(len(new))
        other = rng.choice(new)[0]
        new[k] = (rng.choice([other, new[k][0].upper()]), new[k][1], new[k][2], new[k][3])
    elif kind == "flag":
        for k in rng.sample(range(len(new)), rng.randint(1, len(new))):
            new[k] = (*new[k][:3], not new[k][3])
    elif kind == "remove":
        for k in sorted(rng.sample(range(len(new)), rng.randint(1, len(new))), reverse=True):
            del new[k]
    elif kind in ("insert", "append", "head"):
        at = {"insert": rng.randint(0, len(new)), "append": len(new), "head": 0}[kind]
        new[at:at] = [(f"new{seed}x{i}", 20204, None, True) for i in range(rng.randint(1, 3))]
    settings = DRSettings(engine=Engine.CPU)
    settings.servers = [RenderServer.model_construct(host=h, port=p, port_end=e, enabled=o)
                        for h, p, e, o in new]

    def applied(patch: bool) -> str:
        document = base.copy()
        if not patch:
            monkeypatch.setattr(CfgDocument, "_patch_by_diff", lambda *_a: False)
        document.apply(settings)
        monkeypatch.undo()
        return document.render().decode()

    assert applied(patch=True) == applied(patch=False), (kind, text)


@pytest.mark.parametrize("edit", ["flag", "port", "rename", "remove", "insert", "append"])
def test_the_patch_is_taken_for_a_panel_edit(monkeypatch, edit: str) -> None:
    document = CfgDocument.parse(b"".join(b"render%03d 1 20204\r\n" % i for i in range(100)),
                                 Engine.CPU)
    entries = list(document.server_list().entries())
    if edit == "flag":
        entries[50] = ("render050", 20204, None, False)
    elif edit == "port":
        entries[50] = ("render050", 20210, None, True)
    elif edit == "rename":
        entries[50] = ("render950", 20204, None, True)
    elif edit == "remove":
        del entries[50]
    elif edit == "insert":
        entries.insert(50, ("render950", 20204, None, True))
    else:
        entries.append(("render950", 20204, None, True))
    settings = DRSettings(engine=Engine.CPU)
    settings.servers = [RenderServer.model_construct(host=h, port=p, port_end=e, enabled=o)
                        for h, p, e, o in entries]
    monkeypatch.setattr(CfgDocument, "_apply_servers", None)  # the full re-match is not used
    document.apply(settings)
    assert list(CfgDocument.parse(document.render(), Engine.CPU).server_list().entries()
                ) == entries


def test_a_long_lists_save_waits_for_the_next_turn_and_a_burst_saves_once(
        qtbot, panel: DRPanel, cfg: Path, monkeypatch) -> None:
    c = panel.controller
    c.later_save_from = 1  # as for 2,000 servers and more
    saves: list[int] = []
    original = c.stored.save

    def counting() -> object:
        saves.append(1)
        return original()

    monkeypatch.setattr(c.stored, "save", counting)
    before = cfg.read_bytes()
    assert c.add_server("render02") is None
    assert c.add_server("render03") is None
    assert cfg.read_bytes() == before and c.saving  # shown at once, written on the next turn
    qtbot.waitUntil(lambda: not c.saving)
    assert saves == [1]
    assert b"render02 1 20204\r\nrender03 1 20204" in cfg.read_bytes()
    assert c.add_server("render04") is None
    c.flush()  # a plan, a render, a reload or closing writes a waiting save first
    assert b"render04" in cfg.read_bytes()


def test_work_posted_by_an_edit_waits_behind_the_timers_already_due(qtbot) -> None:
    """A long list's edit and its save are two stalls, not one: a timer due in between runs.

    ``benchmarks/panel.py`` measures stalls with such a heartbeat; with a queued call the save
    ran right after the edit, and the two stalled as one.
    """
    events: list[str] = []
    poster = Poster()
    tick = QtCore.QTimer()  # a heartbeat
    tick.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
    tick.setInterval(1)
    loop = QtCore.QEventLoop()
    tick.timeout.connect(lambda: events.append("tick"))
    tick.timeout.connect(lambda: "save" in events and loop.quit())

    def edit() -> None:  # a long edit: the heartbeat falls due while it runs
        time.sleep(0.005)
        poster(lambda: events.append("save"))
        events.append("edit")
        time.sleep(0.005)

    tick.start()
    QtCore.QTimer.singleShot(0, edit)
    QtCore.QTimer.singleShot(5000, loop.quit)
    loop.exec()
    tick.stop()
    done, saved = events.index("edit"), events.index("save")
    assert "tick" in events[done:saved], events


def _farm_cfg(cfg: Path, servers: int) -> None:
    cfg.write_bytes(b"".join(b"render%03d 1 20204\r\n" % i for i in range(servers))
                    + b"restart_slaves 1\r\n")


def test_switching_rows_saves_just_their_lines_and_a_save_reads_no_line_again(
        panel: DRPanel, cfg: Path, monkeypatch) -> None:
    """Disable all, enable all, remove, undo: no diff of the whole list, no line decoded again.

    The flags are recorded as edits of the file's lines (the save rewrites those); after a
    save the document knows the entries its lines hold, so the next save compares without
    reading them.
    """
    c = panel.controller
    _farm_cfg(cfg, 300)
    c.reload_cfg()
    rows = list(range(c.row_count()))
    assert c.set_rows_enabled(rows[:1], False) is None  # one save reads the file's lines
    c.flush()

    def no_diff(*_args: object) -> bool:
        raise AssertionError("the whole list was compared to the file's lines")

    monkeypatch.setattr(CfgDocument, "_patch_by_diff", no_diff)
    monkeypatch.setattr(CfgDocument, "_apply_servers", None)  # nor the full re-match
    assert c.set_rows_enabled(rows, False) is None
    c.flush()
    assert c.set_rows_enabled(rows, True) is None
    c.flush()
    data = cfg.read_bytes()
    assert data.count(b" 1 20204\r\n") == 300 and b"restart_slaves 1" in data
    assert c.undo() is None  # disabled again, by the same tracked patch
    c.flush()
    assert cfg.read_bytes().count(b" 0 20204\r\n") == 300
    monkeypatch.undo()

    def no_read(*_args: object) -> object:
        raise AssertionError("a server line was decoded again")

    assert c.remove_rows([150]) is None
    c.flush()
    monkeypatch.setattr(CfgDocument, "_entry", no_read)
    assert c.undo() is None  # puts the row back: a diff against the entries the save wrote
    c.flush()
    assert cfg.read_bytes() == data.replace(b" 1 20204", b" 0 20204")
    assert c.entry(150) == ("render150", 20204, None, False)


def test_pasted_servers_leave_nothing_per_row_for_the_collector(panel: DRPanel, cfg: Path
                                                                 ) -> None:
    """A paste of 1,000 servers, saved, keeps its rows as plain tuples of text and numbers.

    The collector stops tracking those, so a farm-sized paste does not bring Python's next
    full collection (tens of ms at 10,000 servers, on the UI thread) nearer; per-row labels
    or line objects would.
    """
    import gc

    c = panel.controller
    _farm_cfg(cfg, 300)
    c.reload_cfg()
    grown = 0
    for batch in range(3):  # the first save may build the document's views once
        gc.collect()
        before = len(gc.get_objects())
        assert c.paste("\n".join(f"pasted{batch}x{i:04d}" for i in range(1000))) is None
        c.flush()
        gc.collect()
        grown = len(gc.get_objects()) - before
    assert grown < 100, f"{grown} more objects tracked after pasting 1,000 servers"
    assert cfg.read_bytes().count(b"pasted2x") == 1000


def test_a_loaded_farm_list_leaves_nothing_per_row_for_the_collector(panel: DRPanel, cfg: Path
                                                                     ) -> None:
    """The panel showing a 2,000-server file, saved once, keeps no object per row alive.

    What stays (the document's lines, the working list, the table's rows) is plain tuples of
    text and numbers, which the collector stops tracking: a farm-sized list adds nothing to
    every full collection, and its load does not bring the next one nearer.
    """
    import gc

    c = panel.controller
    _farm_cfg(cfg, 10)
    c.reload_cfg()
    gc.collect()
    before = len(gc.get_objects())
    _farm_cfg(cfg, 2000)
    c.reload_cfg()
    assert c.set_rows_enabled([0], enabled=False) is None  # the save reads every line
    c.flush()
    panel.serverTable.viewport().repaint()
    gc.collect()
    grown = len(gc.get_objects()) - before
    assert grown < 200, f"{grown} more objects tracked with 2,000 servers listed"
    assert cfg.read_bytes().startswith(b"render000 0 20204\r\nrender001 1 20204\r\n")
