"""The panel's responsiveness: build and show, event-loop stalls, the render guard's cost.

Prints one JSON document. Budgets (issue 8):

* build and show the panel on the demo scene with 1,000 servers: under 300 ms;
* the longest event-loop stall, seen by a 5 ms heartbeat timer, during a probe of 1,000 loopback
  endpoints (online, refused, blackholed) and during a preflight: under 50 ms each;
* the render guard (``#preRender`` with DR on) on the 100,000-node synthetic scene: under 50 ms.

Baselines measured in the same run: a hand-filled ``QTableWidget`` with the same 1,000 rows (the
usual first draft of such a table); the heartbeat's longest gap with nothing running; one full
garbage collection of the process's heap (a probe allocates enough to trigger one, and it stops
every thread: the stalls are measured again with the heap frozen, ``gc.freeze()``, to show the
panel's own share); a full scene read (``read_scene``, what a preflight costs) on the
100,000-node scene.

The probe runs unfrozen first right after the panel is built (as the first probe after opening
the panel in 3ds Max) and then ``--probes`` times more. Each stall comes with the full
collections that ran meanwhile in any thread (``*_full_gcs``, ``*_full_gc_ms``), watched through
``gc.callbacks``; the collector itself is left as it is. Then ``PROMOTION_RUNS`` more probes,
untimed, count the objects each one promotes into the oldest generation (what makes a full
collection due).

Farm scale (issue 16, issue 18 item 8), every figure with its baseline from the same process:

* ``actions``: the longest UI-thread stall of each panel action (add, remove, enable, disable,
  disable all, edit, paste 1,000, undo, option toggle, probe repaint, filter, sort) with 1,000
  and 10,000 servers listed, as the time from the action to its repaint done (``action();
  processEvents()``). Baseline, interleaved with every action: the floor of any edit, one
  ``atomic_write`` of a file as large as the cfg (each edit saves it). Warm (the process has
  run each action once before the timed runs). The collector is settled before each timed run
  (``gc.collect()``, untimed), so a full collection that falls in a run is one the action
  itself brought on, not one left due by the sections and farm sizes before it; each
  action's ``full_gcs`` says how many fell in its runs. What brings the next one nearer is
  measured apart, in one more untimed run per action: the objects it promotes into the oldest
  generation and the objects it leaves tracked; with the cost of one full collection of this
  heap (``baseline_full_gc_ms``) and the heap's size, that says how many such actions bring
  one on (a full collection is due once promotions reach a quarter of the long-lived heap).
* ``guard``: the render guard with 1,000 and 10,000 servers, every one probed. Baseline: one
  pass over the same list looking each server's answer up in a dict (the least any guard
  over the list can do). The guard on the 100,000-node scene and its runtime calls, as before.
* ``preflight``: the panel's preflight on the 100,000-node synthetic scene, longest event-loop
  stall (5 ms heartbeat). Baselines: the heartbeat idle; ``read_scene`` in one block (what a
  preflight that reads the scene at once stalls for). The collector is settled before each
  run, as for the actions; one more untimed run counts what a preflight promotes and leaves
  tracked. Here the heap also holds the stand-in's scene (``stand_in_scene_objects``: in 3ds
  Max the nodes are not Python objects), which makes a full collection of this process far
  longer than one of 3ds Max's (``baseline_full_gc_ms`` against the actions' figure).
* ``open``: the start-up action to the panel shown, each in a fresh interpreter, pydantic and
  the panel's imports included, Qt and the QApplication already loaded (as in 3ds Max); with
  bytecode (a warm cache written by an earlier run) and without (an empty cache folder, nothing
  written: every module compiled from source). Baseline in the same interpreter: importing Qt
  and making the application.
* ``reserve`` (issue 17 item 4): the longest event-loop stall (5 ms heartbeat) while the Farm
  section reserves ``--machines`` machines (50) from the stand-in Deadline Web Service
  (``vrdr_max.farm.stand_in``, loopback 127.0.2.x), which hands them out over ``--handout``
  seconds, from the click to the reservation's outcome shown and its machines probed. Budget:
  under 50 ms. Baselines, interleaved in the same process: the heartbeat idle for as long as a
  reservation takes, and the panel's probe of the same 50 machines (what a reservation's end
  costs the UI at least). Warm: the first reservation is a warm-up, reported apart.

    QT_QPA_PLATFORM=offscreen uv run python benchmarks/panel.py [--servers 1000] [--nodes 100000]
        [--only demo,guard,actions,preflight,open,reserve] [--farm 1000,10000] [--machines 50]
"""

from __future__ import annotations

import argparse
import gc
import inspect
import itertools
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yardstick  # noqa: E402
from gcwatch import GcWatch, Promotions, full_collection_ms  # noqa: E402
from qtpy import QtCore, QtWidgets  # noqa: E402

import mock_pymxs  # noqa: E402
from mock_pymxs.generator import synthetic_scene  # noqa: E402
from vrdr_max.atomic import atomic_write  # noqa: E402
from vrdr_max.demo import stand_in_cfg  # noqa: E402
from vrdr_max.panel.controller import PanelController  # noqa: E402
from vrdr_max.panel.server_table import HOST, STATUS  # noqa: E402
from vrdr_max.panel.widgets import DRPanel  # noqa: E402
from vrdr_max.probe import ProbeResult, ProbeState  # noqa: E402
from vrdr_max.renderers import RendererProp  # noqa: E402

BUDGETS_MS = {"build_show": 300.0, "stall_probe": 50.0, "stall_preflight": 50.0,
              "render_guard": 50.0, "render_guard_farm": 20.0, "stall_actions": 50.0,
              "stall_preflight_100k": 50.0, "stall_reserve": 50.0}
HEARTBEAT_MS = 5
PROMOTION_RUNS = 3
"""Probes watched for objects promoted into the collector's oldest generation (untimed)."""
MIX = ("online", "online", "refused", "refused", "blackholed")


def raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def open_endpoint(kind: str, stack: ExitStack) -> int:
    """A loopback port that accepts, refuses, or never answers (a full accept queue)."""
    server = stack.enter_context(socket.socket())
    server.bind(("127.0.0.1", 0))
    port = int(server.getsockname()[1])
    if kind == "online":
        server.listen(64)
    elif kind == "blackholed":
        server.listen(0)
        stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
    return port


class Heartbeat:
    """A 5 ms timer; the longest gap between its ticks is the longest stall of the loop."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self.timer = QtCore.QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))
        self.full_gc_ms: list[float] = []

    def during(self, start: Callable[[], Any], done_signal: Any, timeout_ms: int) -> float:
        """Start the heartbeat, call ``start``, spin until ``done_signal``; longest gap in ms.

        :attr:`full_gc_ms` holds the full collections that ran meanwhile (in any thread).
        """
        loop = QtCore.QEventLoop()
        with GcWatch() as watch:
            self.ticks = [time.perf_counter()]
            self.timer.start()
            job = start()
            getattr(job, done_signal).connect(loop.quit)
            QtCore.QTimer.singleShot(timeout_ms, loop.quit)
            loop.exec()
            self.timer.stop()
            self.ticks.append(time.perf_counter())
        self.full_gc_ms = watch.full_ms
        return self._longest_gap_ms()

    def _longest_gap_ms(self) -> float:
        return max(b - a for a, b in zip(self.ticks, self.ticks[1:], strict=False)) * 1000.0

    def gc_figures(self, name: str) -> dict[str, Any]:
        """``<name>_full_gcs`` (how many) and ``<name>_full_gc_ms`` (the longest), last run."""
        return {f"{name}_full_gcs": len(self.full_gc_ms),
                f"{name}_full_gc_ms": round(max(self.full_gc_ms, default=0.0), 1)}

    def idle(self, ms: int) -> float:
        """The longest gap with nothing else running (the timer's own jitter)."""
        loop = QtCore.QEventLoop()
        self.ticks = [time.perf_counter()]
        self.timer.start()
        QtCore.QTimer.singleShot(ms, loop.quit)
        loop.exec()
        self.timer.stop()
        return self._longest_gap_ms()


def make_panel(controller: PanelController, timeout: float) -> DRPanel:
    """The panel without its probe on open (each probe here is started and timed on purpose).

    Older panels (the "before" runs) have no such probe nor the argument.
    """
    if "probe_on_open" in inspect.signature(DRPanel).parameters:
        return DRPanel(controller, probe_timeout=timeout, probe_on_open=False)
    return DRPanel(controller, probe_timeout=timeout)


def hand_filled_table(rows: list[tuple[str, int]]) -> float:
    """Baseline: the same rows typed into a QTableWidget item by item, shown."""
    start = time.perf_counter()
    table = QtWidgets.QTableWidget(len(rows), 5)
    for r, (host, port) in enumerate(rows):
        for c, text in enumerate(("", host, str(port), "", "file")):
            table.setItem(r, c, QtWidgets.QTableWidgetItem(text))
    table.show()
    QtWidgets.QApplication.processEvents()
    elapsed = (time.perf_counter() - start) * 1000.0
    table.close()
    return elapsed


def bench_demo(servers: int, timeout: float, repeat: int) -> dict[str, Any]:
    raise_fd_limit(4 * servers + 256)
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        plugcfg = Path(tmp)
        ports = [open_endpoint(MIX[i % len(MIX)], stack) for i in range(servers)]
        (plugcfg / "vray_dr.cfg").write_bytes(stand_in_cfg(ports))
        mock = mock_pymxs.install("demo", plugcfg_dir=plugcfg)
        try:
            from vrdr_max.max_host import PymxsHost  # noqa: PLC0415 - pymxs exists now

            baseline_table = hand_filled_table([("127.0.0.1", p) for p in ports])
            start = time.perf_counter()
            controller = PanelController(PymxsHost())
            panel = make_panel(controller, timeout)
            panel.resize(400, 1000)
            panel.show()
            QtWidgets.QApplication.processEvents()
            build_show = (time.perf_counter() - start) * 1000.0
            beat = Heartbeat()
            probe_wait_ms = int(timeout * 1000) + 15_000
            idle = beat.idle(int(timeout * 1000))
            probe_start = time.perf_counter()
            stall_probe = beat.during(panel.probe, "finished", probe_wait_ms)
            probe_s = time.perf_counter() - probe_start
            gc_probe = beat.gc_figures("probe")
            again, again_gcs = [], 0
            for _ in range(repeat):
                again.append(beat.during(panel.probe, "finished", probe_wait_ms))
                again_gcs += len(beat.full_gc_ms)
            # Counted apart from the timed probes: counting walks the oldest generation.
            with Promotions() as promotions:
                for _ in range(PROMOTION_RUNS):
                    beat.during(panel.probe, "finished", probe_wait_ms)
            states: dict[str, int] = {}
            for row in controller.rows():
                answer = controller.probe_for(row.server)
                key = answer.state.value if answer else "none"
                states[key] = states.get(key, 0) + 1
            stall_preflight = beat.during(panel.preflight, "finished", 15_000)
            gc_preflight = beat.gc_figures("preflight")
            findings = len(controller.report.findings) if controller.report else -1
            # The same again with the heap frozen: what is left is the panel's own work, not a
            # full garbage collection of everything the process holds (timed as a baseline).
            full_gc = full_collection_ms()
            gc.freeze()
            frozen_probe = beat.during(panel.probe, "finished", probe_wait_ms)
            frozen_preflight = beat.during(panel.preflight, "finished", 15_000)
            gc.unfreeze()
            panel.shutdown()
            panel.close()
        finally:
            mock.uninstall()
    return {"servers": servers, "build_show_ms": round(build_show, 1),
            "baseline_hand_filled_table_ms": round(baseline_table, 1),
            "stall_probe_ms": round(stall_probe, 1), "probe_s": round(probe_s, 3),
            "probe_states": states, **gc_probe,
            "stall_probe_again_ms_median": round(statistics.median(again), 1),
            "stall_probe_again_ms_max": round(max(again), 1), "probe_again_runs": repeat,
            "probe_again_full_gcs": again_gcs,
            "probe_gen2_promoted_per_probe": round(promotions.promoted / PROMOTION_RUNS),
            "promotion_runs": PROMOTION_RUNS, "promotion_runs_full_gcs": promotions.full,
            "stall_preflight_ms": round(stall_preflight, 1), **gc_preflight,
            "preflight_findings": findings, "baseline_idle_stall_ms": round(idle, 1),
            "baseline_full_gc_ms": round(full_gc, 1), "heap_objects": len(gc.get_objects()),
            "stall_probe_ms_heap_frozen": round(frozen_probe, 1),
            "stall_preflight_ms_heap_frozen": round(frozen_preflight, 1)}


def bench_guard(nodes: int, repeat: int) -> dict[str, Any]:
    scene = synthetic_scene(nodes=nodes)
    with tempfile.TemporaryDirectory() as tmp:
        plugcfg = Path(tmp)
        (plugcfg / "vray_dr.cfg").write_bytes(b"render01 1 20204\r\nrender02 1 20204\r\n")
        mock = mock_pymxs.install(scene, plugcfg_dir=plugcfg, check=False)
        try:
            from vrdr_max.max_host import PymxsHost  # noqa: PLC0415 - pymxs exists now

            host = PymxsHost()
            controller = PanelController(host)
            host.write_renderer_props({RendererProp.DR_ENABLED: True}, "bench")
            controller.render_guard()  # warm-up
            guard, calls = [], 0
            for _ in range(repeat):
                mock.calls.reset()
                start = time.perf_counter()
                controller.render_guard()
                guard.append((time.perf_counter() - start) * 1000.0)
                calls = mock.calls.total
            read = []
            for _ in range(max(1, repeat // 10)):
                start = time.perf_counter()
                host.read_scene()
                read.append((time.perf_counter() - start) * 1000.0)
            prompts = len(mock.prompts)
        finally:
            mock.uninstall()
    return {"nodes": nodes, "render_guard_ms_median": round(statistics.median(guard), 2),
            "render_guard_ms_max": round(max(guard), 2), "render_guard_runtime_calls": calls,
            "baseline_full_scene_read_ms_median": round(statistics.median(read), 1),
            "prompts_shown": prompts}


# -- farm scale ---------------------------------------------------------------------------------

FARM_OPTIONS = b"restart_slaves 0\r\nlist_in_scene 0\r\nmax_servers 0\r\n"


def farm_cfg(servers: int) -> bytes:
    """A cfg of ``servers`` named render servers (never probed: names are not looked up)."""
    return b"".join(b"render%05d 1 20204\r\n" % i for i in range(servers)) + FARM_OPTIONS


def fake_answers(controller: PanelController) -> list[ProbeResult]:
    """A probe's answers for every listed server: 9 in 10 online, the rest refused or silent."""
    out = []
    for i, (host, port, _label) in enumerate(controller.probe_endpoints()):
        state = (ProbeState.ONLINE if i % 10 < 9 else
                 ProbeState.REFUSED if i % 20 == 9 else ProbeState.TIMEOUT)
        out.append(ProbeResult(host=host, port=port, state=state, address="10.0.0.1",
                               latency_ms=2.0 if state is not ProbeState.TIMEOUT else None,
                               message=f"{host}:{port} {state.value}"))
    return out


def timed(action: Callable[[], Any]) -> float:
    """Milliseconds from ``action()`` to its events and repaints handled."""
    start = time.perf_counter()
    action()
    QtWidgets.QApplication.processEvents()
    return (time.perf_counter() - start) * 1000.0


STALL_TICK_MS = 2
SETTLE_MS = 60
"""After an action, the loop runs until the panel is idle and this long has passed."""


def stall(action: Callable[[], Any], idle: Callable[[], bool]) -> tuple[float, float]:
    """The longest event-loop stall an action causes, and the time until it is all done.

    A 2 ms heartbeat (a precise timer) runs while the action is posted to the event loop and
    while its follow-ups (repaints, deferred summaries, the end of a background save) run;
    the longest gap between ticks is the longest time the UI thread did not turn. The loop
    stops ``SETTLE_MS`` after ``idle()`` is first true once the action has run.

    Returns:
        (longest gap in ms, ms from the action's start to idle).
    """
    ticks: list[float] = []
    marks: dict[str, float] = {}
    loop = QtCore.QEventLoop()
    heartbeat = QtCore.QTimer()
    heartbeat.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(STALL_TICK_MS)

    def tick() -> None:
        now = time.perf_counter()
        ticks.append(now)
        if "done" in marks and "idle" not in marks and idle():
            marks["idle"] = now
        if "idle" in marks and now - marks["idle"] > SETTLE_MS / 1000.0:
            loop.quit()

    def run() -> None:
        marks["start"] = time.perf_counter()
        action()
        marks["done"] = time.perf_counter()

    heartbeat.timeout.connect(tick)
    ticks.append(time.perf_counter())
    heartbeat.start()
    QtCore.QTimer.singleShot(0, run)
    QtCore.QTimer.singleShot(20_000, loop.quit)
    loop.exec()
    heartbeat.stop()
    gap = max(b - a for a, b in itertools.pairwise(ticks)) * 1000.0
    busy = (marks.get("idle", time.perf_counter()) - marks.get("start", ticks[0])) * 1000.0
    return gap, busy


class Floor:
    """The least an edit costs: one atomic write of a file as large as the cfg."""

    def __init__(self, folder: Path, size: int) -> None:
        self.path = folder / "floor.cfg"
        self.data = b"x" * size
        atomic_write(self.path, self.data, expected=None, backup_suffix=None)

    def __call__(self) -> float:
        start = time.perf_counter()
        atomic_write(self.path, self.data, expected=None, backup_suffix=None)
        return (time.perf_counter() - start) * 1000.0


Action = tuple[Callable[[], Any] | None, Callable[[], Any]]
"""An untimed set-up (or None) and the timed action."""


def panel_actions(panel: DRPanel, servers: int) -> dict[str, Action | None]:
    """The actions the issue lists, each one artist step that changes something every run.

    None when this version of the panel lacks the action.
    """
    c, table, model = panel.controller, panel.serverTable, panel.model
    counter = iter(range(10**9))
    middle = servers // 2

    def select_row(row: int) -> None:
        table.clearSelection()
        table.selectRow(row)

    def add() -> None:
        panel.addEdit.setText(f"added{next(counter):06d}")
        panel.addEdit.returnPressed.emit()

    def remove() -> None:
        select_row(middle)
        panel.remove_selected()

    def toggle() -> None:  # disable the middle row, or enable it again
        select_row(middle)
        on = bool(model.index(middle, 0).data(QtCore.Qt.ItemDataRole.CheckStateRole)
                  == QtCore.Qt.CheckState.Checked)
        (panel.disableButton if on else panel.enableButton).click()

    def disable_all() -> None:
        table.selectAll()
        panel.disableButton.click()

    def enable_all() -> None:
        table.selectAll()
        panel.enableButton.click()

    def edit() -> None:
        model.setData(model.index(middle, HOST), f"edited{next(counter):06d}")

    def paste_1000() -> None:
        batch = next(counter)
        c.paste("\n".join(f"pasted{batch:05d}x{i:04d}" for i in range(1000)))

    answers = fake_answers(c)

    def probe_repaint() -> None:
        c.apply_probe_results(answers)

    undo_button = getattr(panel, "undoButton", None)
    filter_edit = getattr(panel, "filterEdit", None)
    header = table.horizontalHeader()

    def sort() -> None:
        order = (QtCore.Qt.SortOrder.DescendingOrder
                 if header.sortIndicatorOrder() == QtCore.Qt.SortOrder.AscendingOrder
                 else QtCore.Qt.SortOrder.AscendingOrder)
        table.sortByColumn(STATUS, order)

    def unsort() -> None:
        table.sortByColumn(-1, QtCore.Qt.SortOrder.AscendingOrder)

    words = iter(f"render{n % 100:02d}" for n in range(10**9))

    def filter_() -> None:
        assert filter_edit is not None
        filter_edit.setText(next(words))

    def unfilter() -> None:
        assert filter_edit is not None
        filter_edit.setText("")

    return {
        "add": (None, add), "remove": (None, remove), "enable_disable": (None, toggle),
        "disable_all": (enable_all, disable_all), "edit": (None, edit),
        "paste_1000": (None, paste_1000),
        "undo": (remove, undo_button.click) if undo_button is not None else None,
        "option_toggle": (None, panel.restartServers.click),
        "probe_repaint": (None, probe_repaint),
        "filter": (unfilter, filter_) if filter_edit is not None else None,
        "sort": (unsort, sort) if table.isSortingEnabled() else None,
    }


def measure_action(setup: Callable[[], Any] | None, action: Callable[[], Any],
                   idle: Callable[[], bool], between: Callable[[], Any],
                   repeat: int) -> dict[str, Any]:
    """One action's stalls over ``repeat`` timed runs (after one untimed), and what it leaves.

    ``between`` runs before each run (the interleaved baseline). The collector is settled
    before each timed run; one more run, untimed, counts the objects the action promotes into
    the oldest generation and leaves tracked.
    """
    gaps, busy, collections = [], [], []
    for run in range(repeat + 1):  # the first run warms up, untimed
        if setup is not None:
            stall(setup, idle)
        between()
        gc.collect()
        with GcWatch() as watch:
            gap, total = stall(action, idle)
        if run:
            gaps.append(gap)
            busy.append(total)
            collections += watch.full_ms
    if setup is not None:
        stall(setup, idle)
    gc.collect()
    tracked = len(gc.get_objects())
    with Promotions() as promotions:
        stall(action, idle)
    gc.collect()
    return {"max_ms": round(max(gaps), 1), "median_ms": round(statistics.median(gaps), 1),
            "runs_ms": [round(g, 1) for g in gaps],
            "busy_ms_median": round(statistics.median(busy), 1),
            "full_gcs": len(collections),
            "full_gc_ms_max": round(max(collections, default=0.0), 1),
            "promoted": promotions.promoted, "left_tracked": len(gc.get_objects()) - tracked}


def bench_actions(servers: int, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        plugcfg = Path(tmp) / "plugcfg"
        plugcfg.mkdir()
        cfg = farm_cfg(servers)
        (plugcfg / "vray_dr.cfg").write_bytes(cfg)
        floor = Floor(Path(tmp), len(cfg))
        mock = mock_pymxs.install("demo", plugcfg_dir=plugcfg)
        try:
            from vrdr_max.max_host import PymxsHost  # noqa: PLC0415 - pymxs exists now

            start = time.perf_counter()
            controller = PanelController(PymxsHost())
            panel = make_panel(controller, 1.0)
            panel.resize(400, 1000)
            panel.show()
            QtWidgets.QApplication.processEvents()
            build_show = (time.perf_counter() - start) * 1000.0
            controller.apply_probe_results(fake_answers(controller))
            QtWidgets.QApplication.processEvents()
            gc.collect()
            heap = len(gc.get_objects())  # what every full collection visits
            full_gc = full_collection_ms()
            actions = panel_actions(panel, servers)

            def idle() -> bool:
                return not getattr(controller, "saving", False)

            floors: list[float] = []
            figures: dict[str, Any] = {}
            beat = Heartbeat()
            idle_gap = beat.idle(200)
            for name, pair in actions.items():
                if pair is None:
                    figures[name] = None  # not in this version of the panel
                    continue
                figures[name] = measure_action(*pair, idle, lambda: floors.append(floor()),
                                               repeat)
            floor_ms = statistics.median(floors)
            for value in figures.values():
                if value is not None:
                    value["max_x_floor"] = round(value["max_ms"] / floor_ms, 1)
            panel.shutdown()
            panel.close()
        finally:
            mock.uninstall()
    worst = max((v["max_ms"] for v in figures.values() if v is not None), default=0.0)
    return {"servers": servers, "build_show_ms": round(build_show, 1),
            "baseline_floor_atomic_write_ms_median": round(floor_ms, 2),
            "baseline_idle_heartbeat_gap_ms": round(idle_gap, 1),
            "measure": ("longest gap of a 2 ms heartbeat from the action until the panel is "
                        "idle (busy_ms: the whole of it)"),
            "actions": figures, "longest_stall_ms": worst,
            "heap_objects_tracked_after_build": heap,
            "baseline_full_gc_ms": round(full_gc, 1),
            "collector": ("settled (gc.collect(), untimed) before each timed run; promoted and "
                          "left_tracked: one more untimed run"),
            "missing_actions": [k for k, v in figures.items() if v is None],
            "runs_per_action": repeat, "state": "warm (each action once before the timed runs)"}


def bench_guard_farm(servers: int, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        plugcfg = Path(tmp)
        (plugcfg / "vray_dr.cfg").write_bytes(farm_cfg(servers))
        mock = mock_pymxs.install("demo", plugcfg_dir=plugcfg)
        try:
            from vrdr_max.max_host import PymxsHost  # noqa: PLC0415 - pymxs exists now

            host = PymxsHost()
            controller = PanelController(host)
            host.write_renderer_props({RendererProp.DR_ENABLED: True}, "bench")
            controller.set_dr_enabled(True)
            controller.apply_probe_results(fake_answers(controller))
            answers = {(r.host.lower(), r.port): r for r in fake_answers(controller)}
            pairs = [(s.host, s.port) for s in controller.settings.servers]
            controller.render_guard()  # warm
            guard, cold, base = [], [], []
            for _ in range(repeat):
                start = time.perf_counter()
                found = sum(1 for h, p in pairs if answers.get((h.lower(), p)) is not None)
                base.append((time.perf_counter() - start) * 1000.0)
                start = time.perf_counter()
                controller.render_guard()
                guard.append((time.perf_counter() - start) * 1000.0)
                # Right after a change (here: a probe answer), before the panel has had an
                # event-loop turn to judge the list again: the guard judges it itself.
                controller.apply_probe_results(answers.values())
                start = time.perf_counter()
                controller.render_guard()
                cold.append((time.perf_counter() - start) * 1000.0)
            assert found == servers
        finally:
            mock.uninstall()
    base_ms = statistics.median(base)
    return {"servers": servers, "render_guard_ms_median": round(statistics.median(guard), 2),
            "render_guard_ms_max": round(max(guard), 2),
            "render_guard_right_after_a_change_ms_median": round(statistics.median(cold), 2),
            "render_guard_right_after_a_change_ms_max": round(max(cold), 2),
            "baseline_one_pass_ms_median": round(base_ms, 3),
            "guard_x_one_pass": round(statistics.median(guard) / base_ms, 2),
            "guard_right_after_a_change_x_one_pass": round(statistics.median(cold) / base_ms, 1),
            "runs": repeat, "state": ("warm; render_guard_ms: the list judged since the last "
                                      "change (the panel does that on the turn after it)")}


def bench_preflight_stall(nodes: int) -> dict[str, Any]:
    gc.collect()
    heap_before = len(gc.get_objects())
    scene = synthetic_scene(nodes=nodes)
    with tempfile.TemporaryDirectory() as tmp:
        plugcfg = Path(tmp)
        (plugcfg / "vray_dr.cfg").write_bytes(farm_cfg(10))
        mock = mock_pymxs.install(scene, plugcfg_dir=plugcfg, check=False)
        gc.collect()
        stand_in = len(gc.get_objects()) - heap_before
        try:
            from vrdr_max.max_host import PymxsHost  # noqa: PLC0415 - pymxs exists now

            host = PymxsHost()
            controller = PanelController(host)
            panel = make_panel(controller, 1.0)
            panel.resize(400, 1000)
            panel.show()
            QtWidgets.QApplication.processEvents()
            beat = Heartbeat()
            idle = beat.idle(300)
            reads, stalls, gcs = [], [], []
            for _ in range(3):  # interleaved: a read in one block, then the panel's preflight
                start = time.perf_counter()
                host.read_scene()
                reads.append((time.perf_counter() - start) * 1000.0)
                gc.collect()
                stalls.append(beat.during(panel.preflight, "finished", 60_000))
                gcs.append(beat.gc_figures("preflight"))
            gc.collect()
            tracked = len(gc.get_objects())
            with Promotions() as promotions:  # untimed: its callback walks the oldest generation
                beat.during(panel.preflight, "finished", 60_000)
            gc.collect()
            left = len(gc.get_objects()) - tracked
            full_gc = full_collection_ms()
            findings = len(controller.report.findings) if controller.report else -1
            fix_stall = None
            fix_button = next((b for b in panel.findingsTree.findChildren(QtWidgets.QToolButton)
                               if b.objectName().startswith("fix:")), None)
            if fix_button is not None:
                fix_stall = round(timed(fix_button.click), 1)
            panel.shutdown()
            panel.close()
        finally:
            mock.uninstall()
    read_ms = statistics.median(reads)
    return {"nodes": nodes, "stall_preflight_ms_max": round(max(stalls), 1),
            "stall_preflight_ms_runs": [round(s, 1) for s in stalls],
            "full_gcs_during_runs": gcs,
            "promoted_per_preflight": promotions.promoted, "left_tracked_per_preflight": left,
            "heap_objects_tracked": tracked, "stand_in_scene_objects": stand_in,
            "baseline_full_gc_ms": round(full_gc, 1),
            "collector": "settled (gc.collect(), untimed) before each timed run",
            "baseline_read_scene_one_block_ms_median": round(read_ms, 1),
            "stall_x_one_block_read": round(max(stalls) / read_ms, 3),
            "baseline_idle_stall_ms": round(idle, 1), "findings": findings,
            "first_fix_button_stall_ms": fix_stall, "state": "warm (second and later runs)"}


def bench_reserve(machines: int, handout: float, repeat: int) -> dict[str, Any]:
    """The UI thread while the Farm section reserves ``machines`` from the stand-in farm."""
    from vrdr_max.farm.records import RecordStore  # noqa: PLC0415
    from vrdr_max.farm.stand_in import FakeWorker, fake_farm  # noqa: PLC0415
    from vrdr_max.panel.farm_section import FarmSection  # noqa: PLC0415
    from vrdr_max.studio import FarmSettings  # noqa: PLC0415

    workers = [FakeWorker(f"node{i:03d}", f"127.0.2.{i}", pickup_after=handout * i / machines)
               for i in range(1, machines + 1)]
    with fake_farm(workers) as farm, tempfile.TemporaryDirectory() as tmp:
        plugcfg = Path(tmp)
        (plugcfg / "vray_dr.cfg").write_bytes(b"oldbox 1 20204\r\n")
        mock = mock_pymxs.install("demo", plugcfg_dir=plugcfg)
        try:
            from vrdr_max.max_host import PymxsHost  # noqa: PLC0415 - pymxs exists now

            controller = PanelController(PymxsHost())
            controller.farm = FarmSection(
                controller, store=RecordStore(plugcfg / "records"),
                settings=FarmSettings(deadline_url=farm.url, wait=handout + 30,
                                      poll_interval=0.25, http_timeout=5.0,
                                      spawner_port=farm.spawner_port, max_version=2026))
            panel = make_panel(controller, 0.5)
            panel.resize(400, 1200)
            panel.show()
            QtWidgets.QApplication.processEvents()
            section = controller.farm
            section.log_in("", "")  # the stand-in farm has no login
            panel.farmCount.setValue(machines)
            beat = Heartbeat()

            timings: list[tuple[float, int]] = []
            probes: list[float] = []

            def reserve_and_probe() -> float:
                started = time.perf_counter()
                stall = beat.during(panel.farm_panel.reserve, "finished", 60_000)
                task = panel.task  # the probe of the machines reserved, started at its end
                if task is not None:
                    stall = max(stall, beat.during(lambda: task, "finished", 60_000))
                answered = len(section.record.servers) if section.record else 0
                timings.append((time.perf_counter() - started, answered))
                # Baseline: the panel's probe of the same machines (the list holds them now).
                probes.append(beat.during(panel.probe, "finished", 30_000))
                release = panel.farm_panel.release()
                loop = QtCore.QEventLoop()
                if release is not None:
                    release.finished.connect(loop.quit)
                    QtCore.QTimer.singleShot(30_000, loop.quit)
                    loop.exec()
                return stall

            warmup = reserve_and_probe()
            probes.clear()
            stalls, idles = [], []
            for _ in range(repeat):  # interleaved: idle as long as a reservation, then one
                idles.append(beat.idle(int(timings[-1][0] * 1000)))
                stalls.append(reserve_and_probe())
            panel.shutdown()
            panel.close()
        finally:
            mock.uninstall()
    return {"machines": machines, "handout_s": handout,
            "stall_reserve_ms_max": round(max(stalls), 1),
            "stall_reserve_ms_runs": [round(x, 1) for x in stalls],
            "stall_reserve_warmup_ms": round(warmup, 1),
            "answered_runs": [n for _t, n in timings],
            "reserve_s_runs": [round(t, 2) for t, _n in timings],
            "baseline_idle_stall_ms_max": round(max(idles), 1),
            "baseline_probe_of_the_machines_stall_ms_max": round(max(probes), 1),
            "stall_x_idle": round(max(stalls) / max(*idles, 0.1), 2),
            "runs": repeat, "bytecode": {"read": True, "written": not sys.dont_write_bytecode},
            "state": "warm (a first reservation before the timed ones, reported apart)"}


OPEN_SCRIPT = r"""
import json, sys, time
from pathlib import Path
start = time.perf_counter()
from qtpy import QtWidgets
app = QtWidgets.QApplication(["bench"])
qt_ms = (time.perf_counter() - start) * 1000.0
if sys.argv[2] == "imports":
    # What the first open imports, in an interpreter that has only Qt (as 3ds Max has):
    # pydantic included (mock_pymxs, which the other run needs, imports pydantic first).
    start = time.perf_counter()
    import vrdr_max.panel.dock
    import_ms = (time.perf_counter() - start) * 1000.0
    print(json.dumps({"qt_ms": qt_ms, "import_ms": import_ms,
                      "pydantic_imported": "pydantic" in sys.modules}))
    raise SystemExit(0)
import mock_pymxs
mock = mock_pymxs.install("demo", plugcfg_dir=Path(sys.argv[1]))
import qtmax
qtmax.GetQMaxMainWindow().show()
app.processEvents()
start = time.perf_counter()
import vrdr_max.panel.dock
imported = time.perf_counter()
dock = vrdr_max.panel.show_panel()
app.processEvents()
done = time.perf_counter()
print(json.dumps({"qt_ms": qt_ms, "open_ms": (done - start) * 1000.0,
                  "build_ms": (done - imported) * 1000.0, "shown": dock.isVisible()}))
"""


def bench_open(repeat: int) -> dict[str, Any]:
    """Action to panel shown in fresh interpreters, with and without bytecode, interleaved.

    Two runs make one figure: the panel's imports timed alone in an interpreter that has only
    Qt (so pydantic's import counts, as in 3ds Max), and ``show_panel()`` timed in one with
    the mock installed (which imports pydantic itself, so that run's imports exclude it).
    ``action_to_panel_ms`` adds the first to what the second spends after its imports.
    """
    with tempfile.TemporaryDirectory() as tmp:
        plugcfg = Path(tmp) / "plugcfg"
        plugcfg.mkdir()
        (plugcfg / "vray_dr.cfg").write_bytes(farm_cfg(10))
        script = Path(tmp) / "open.py"
        script.write_text(OPEN_SCRIPT)
        warm_cache = Path(tmp) / "pycache-warm"

        def run(bytecode: bool, what: str) -> dict[str, Any]:
            env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
            if bytecode:
                env["PYTHONPYCACHEPREFIX"] = str(warm_cache)
                env.pop("PYTHONDONTWRITEBYTECODE", None)
            else:
                env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(dir=tmp)  # empty: no bytecode
                env["PYTHONDONTWRITEBYTECODE"] = "1"
            start = time.perf_counter()
            done = subprocess.run([sys.executable, str(script), str(plugcfg), what], env=env,
                                  capture_output=True, text=True, timeout=300, check=True)
            out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
            out["process_ms"] = (time.perf_counter() - start) * 1000.0
            return out

        run(True, "imports")  # writes the warm cache
        run(True, "show")
        runs: dict[str, list[dict[str, Any]]] = {}
        for _ in range(repeat):  # interleaved
            for bytecode in (True, False):
                for what in ("imports", "show"):
                    runs.setdefault(f"{bytecode}-{what}", []).append(run(bytecode, what))

    def summary(bytecode: bool) -> dict[str, Any]:
        imports, shows = runs[f"{bytecode}-imports"], runs[f"{bytecode}-show"]
        import_ms = statistics.median(r["import_ms"] for r in imports)
        show_ms = statistics.median(r["open_ms"] for r in shows)
        build_ms = statistics.median(r["build_ms"] for r in shows)
        qt_ms = statistics.median(r["qt_ms"] for r in imports)
        return {"action_to_panel_ms": round(import_ms + build_ms, 1),
                "action_to_panel_x_qt_baseline": round((import_ms + build_ms) / qt_ms, 2),
                "imports_with_pydantic_ms_median": round(import_ms, 1),
                "build_and_show_ms_median": round(build_ms, 1),
                "show_panel_ms_median": round(show_ms, 1),
                "baseline_qt_import_and_app_ms_median": round(qt_ms, 1),
                "imports_x_qt_baseline": round(import_ms / qt_ms, 2),
                "show_x_qt_baseline": round(show_ms / qt_ms, 2),
                "shown": all(r["shown"] for r in shows),
                "pydantic_imported_by_the_panel": all(r["pydantic_imported"] for r in imports)}

    return {"bytecode_on": summary(True), "bytecode_off": summary(False), "runs": repeat,
            "state": ("fresh interpreter each run, OS file cache warm; bytecode on: a cache "
                      "written by an earlier run; off: an empty cache folder, nothing written"),
            "note": ("show_panel_ms includes the panel's imports except pydantic (the mock "
                     "loaded it); imports_with_pydantic_ms is that import cost alone")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=50, help="render guard timings")
    parser.add_argument("--probes", type=int, default=5, help="probes after the first")
    parser.add_argument("--only", default="demo,guard,actions,preflight,open,reserve",
                        help="comma-separated sections")
    parser.add_argument("--machines", type=int, default=50, help="reserve: farm machines")
    parser.add_argument("--handout", type=float, default=1.0,
                        help="reserve: seconds the stand-in farm takes to hand them out")
    parser.add_argument("--reserve-repeat", type=int, default=3)
    parser.add_argument("--farm", default="1000,10000", help="server counts for actions/guard")
    parser.add_argument("--action-repeat", type=int, default=5)
    parser.add_argument("--open-repeat", type=int, default=5)
    args = parser.parse_args()
    only = set(args.only.split(","))
    farm = [int(n) for n in args.farm.split(",")]
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    machine = yardstick.measure()
    result: dict[str, Any] = {}
    figures: dict[str, float] = {}
    if "demo" in only:
        demo = bench_demo(args.servers, args.timeout, args.probes)
        result["demo"] = demo
        # The budget holds only if every probe holds it: the first after opening and the others.
        figures["build_show"] = demo["build_show_ms"]
        figures["stall_probe"] = max(demo["stall_probe_ms"], demo["stall_probe_again_ms_max"])
        figures["stall_preflight"] = demo["stall_preflight_ms"]
    if "guard" in only:
        guard = bench_guard(args.nodes, args.repeat)
        result["guard"] = guard
        result["guard_farm"] = [bench_guard_farm(n, args.repeat) for n in farm]
        figures["render_guard"] = guard["render_guard_ms_median"]
        figures["render_guard_farm"] = max(g["render_guard_ms_max"]
                                           for g in result["guard_farm"])
    if "actions" in only:
        result["actions"] = [bench_actions(n, args.action_repeat) for n in farm]
        figures["stall_actions"] = max(a["longest_stall_ms"] for a in result["actions"])
    if "preflight" in only:
        result["preflight_100k"] = bench_preflight_stall(args.nodes)
        figures["stall_preflight_100k"] = result["preflight_100k"]["stall_preflight_ms_max"]
    if "open" in only:
        result["open"] = bench_open(args.open_repeat)
    if "reserve" in only:
        result["reserve"] = bench_reserve(args.machines, args.handout, args.reserve_repeat)
        figures["stall_reserve"] = result["reserve"]["stall_reserve_ms_max"]
    result.update({
        "budgets_ms": BUDGETS_MS,
        "within_budget": {k: figures[k] < BUDGETS_MS[k] for k in BUDGETS_MS if k in figures},
        "qt_api": os.environ.get("QT_API") or QtCore.__name__.split(".")[0],
        "bytecode": {"read": True, "written": not sys.dont_write_bytecode},
        "machine_yardstick": machine})
    print(json.dumps(result, indent=2))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
