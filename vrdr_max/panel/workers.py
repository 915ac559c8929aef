"""Long jobs without freezing 3ds Max: probe and discovery off the UI thread, preflight in steps.

A worker never touches pymxs or a widget: it gets plain data (probe targets, a listen time) and
hands results back through signals connected with ``Qt.QueuedConnection``, so the slots run on
the main thread. The preflight has to read the scene through pymxs, which only the main thread
may do, so it runs there, one check per event-loop turn, and stays cancellable.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from qtpy import QtCore

from vrdr_max.discovery import DiscoveryReport, listen
from vrdr_max.probe import ProbeResult, ProbeTarget, probe

Signal: Any = QtCore.Signal  # type: ignore[attr-defined] # qtpy's stubs omit PySide's Signal

PROGRESS_BATCH_S = 0.05
"""Probe answers are handed to the UI in batches at most this often (1,000 answers, 20 repaints)."""

Report = Callable[[int, int, object], None]
Job = Callable[[Report, threading.Event], object]

_heap_settled = threading.Event()


def settle_heap() -> bool:
    """Once per session: the full garbage collection the start-up left due, run now.

    CPython's collector makes a full pass, which stops every thread for as long as the whole
    heap takes to traverse, after ten middle-generation passes once the objects promoted since
    the last full pass exceed a quarter of the long-lived ones. After the imports of a start-up
    (3ds Max's scripts, then the panel's own) that condition holds, and the first probe of
    1,000 servers allocates enough (about 75 young passes) to set it off in the middle of the
    probe. The panel calls this while it is being built, when the artist waits for it anyway,
    so its first probe runs none. Later probes do not make one due by themselves: a probe keeps
    almost nothing the collector tracks alive through its timeout (``vrdr_max.probe``), so it
    promotes next to nothing into the oldest generation (``docs/benchmarks.md``). The collector's
    settings are left alone: ``gc.disable()`` or ``gc.freeze()`` would change them for every
    tool in 3ds Max's interpreter.

    Returns:
        True when this call collected, False when an earlier one did.
    """
    if _heap_settled.is_set():
        return False
    _heap_settled.set()
    gc.collect()
    return True


_RUNNING: set[Task] = set()
"""Tasks whose worker thread may still emit: each is kept alive until its thread is done."""


class Task(QtCore.QObject):
    """Runs ``job(report, cancel)`` on a worker thread.

    Signals (delivered on the main thread):
        progress(done, total, payload), finished(result), failed(message).

    A task has no Qt parent: the worker emits on it until its last line, so it must not be
    deleted with a panel that closes meanwhile (an emit on a deleted object corrupts memory).
    It keeps itself alive while its thread runs; a closed panel's slots are disconnected by Qt.
    """

    progress = Signal(int, int, object)
    finished = Signal(object)
    failed = Signal(str)
    _progress = Signal(int, int, object)
    _finished = Signal(object)
    _failed = Signal(str)
    _ended = Signal()

    def __init__(self, job: Job) -> None:
        super().__init__()
        self._job = job
        self.cancel_event = threading.Event()
        self._thread: threading.Thread | None = None
        # Emitted from the worker, re-emitted here on the main thread (queued connections).
        queued = QtCore.Qt.ConnectionType.QueuedConnection
        self._progress.connect(self.progress, queued)
        self._finished.connect(self.finished, queued)
        self._failed.connect(self.failed, queued)
        self._ended.connect(self._release, queued)

    def start(self) -> None:
        """Start the job on a daemon thread (3ds Max may quit while a probe waits)."""
        _RUNNING.add(self)
        self._thread = threading.Thread(target=self._run, name="vrdr-panel-task", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Ask the job to stop; it ends with what it has."""
        self.cancel_event.set()

    def wait(self, timeout: float | None = None) -> None:
        """Join the worker thread (tests and shutdown)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            result = self._job(self._progress.emit, self.cancel_event)
        except Exception as exc:  # noqa: BLE001 - reported in the panel, never lost in a thread
            self._failed.emit(f"{type(exc).__name__}: {exc}")
        else:
            self._finished.emit(result)
        finally:
            self._ended.emit()  # the last emit: the main thread may let the task go

    def _release(self) -> None:
        _RUNNING.discard(self)


def probe_job(endpoints: list[tuple[str, int, str]], timeout: float) -> Job:
    """A probe of ``(host, port, label)`` endpoints, built into targets in the worker.

    Progress payloads are lists of new ``ProbeResult``s.
    """
    def run(report: Report, cancel: threading.Event) -> list[ProbeResult]:
        # Made as the probe reads them, so none outlives its first young collection: the probe
        # keeps plain tuples, and a list held here would carry 1,000 tracked objects into the
        # collector's oldest generation every run.
        targets = (ProbeTarget(host, port, label) for host, port, label in endpoints)
        batch: list[ProbeResult] = []
        last = [time.monotonic()]

        def progress(done: int, total: int, result: ProbeResult) -> None:
            batch.append(result)
            now = time.monotonic()
            if done == total or now - last[0] >= PROGRESS_BATCH_S:
                report(done, total, list(batch))
                batch.clear()
                last[0] = now

        return probe(targets, timeout=timeout, progress=progress, cancel=cancel)
    return run


def discovery_job(seconds: float, port: int) -> Job:
    """Listen for readiness broadcasts; progress is in milliseconds listened."""
    def run(report: Report, cancel: threading.Event) -> DiscoveryReport:
        total = int(seconds * 1000)

        def progress(elapsed: float, senders: int, _packets: int) -> None:
            report(min(int(elapsed * 1000), total), total, senders)

        return listen(seconds, port=port, progress=progress, cancel=cancel)
    return run


class Stepper(QtCore.QObject):
    """Drains an iterator on the main thread, one item per event-loop turn.

    Signals: progress(done, total, item) for each item kept, reading(item) for the others,
    finished(list of items kept; partial when cancelled, see :attr:`cancelled`).

    Args:
        items: the work, one item per turn.
        total: how many items ``keep`` will accept, for the progress bar.
        keep: which items are results (the rest are steps of other work, e.g. a scene read).
    """

    progress = Signal(int, int, object)
    reading = Signal(object)
    finished = Signal(object)

    def __init__(self, items: Iterator[Any], total: int, parent: QtCore.QObject | None = None,
                 keep: Callable[[Any], bool] | None = None) -> None:
        super().__init__(parent)
        self._items = items
        self._total = total
        self._keep = keep or (lambda _item: True)
        self._done: list[Any] = []
        self.cancelled = False
        self.error: str | None = None
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._step)

    def start(self) -> None:
        """Begin on the next event-loop turn."""
        self._timer.start()

    def cancel(self) -> None:
        """Stop after the current item."""
        self.cancelled = True

    def _step(self) -> None:
        item: Any = _END
        if not self.cancelled:
            try:
                item = next(self._items, _END)
            except Exception as exc:  # noqa: BLE001 - said in the panel, never lost in a timer
                self.error = f"{type(exc).__name__}: {exc}"
        if item is _END:
            self._timer.stop()
            self.finished.emit(self._done)
            return
        if not self._keep(item):
            self.reading.emit(item)
            return
        self._done.append(item)
        self.progress.emit(len(self._done), self._total, item)


_END = object()


class Poster(QtCore.QObject):
    """Runs a callable on the main thread once the current events are handled (next turn).

    A started zero-time timer, not a queued call: queued calls run back to back with the
    event that queued them, before any timer, so the UI would not turn in between, and the
    static ``QTimer.singleShot(0, func)`` is such a queued call (Qt posts it as an event: an
    edit and its save then stalled as one). A started timer runs after the timers already
    due (a repaint, the artist's next key). The controller hands it work that can wait for
    the edit to be shown (a long list's save, the list's findings). Call it on the main
    thread.
    """

    def __call__(self, func: Callable[[], None]) -> None:
        """Run ``func`` on a later turn of this object's event loop."""
        timer = QtCore.QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(timer.deleteLater)  # first: it goes even if ``func`` raises
        timer.timeout.connect(func)
        timer.start(0)
