"""A worker task outlives the panel that started it: its thread emits until its last line.

A task parented to the panel was deleted with it (a dock closed, a test torn down) while its
thread could still emit, so the emit ran on a deleted object: a "Signal source has been deleted"
error in the thread at best, memory corruption and a crash later at worst.
"""

from __future__ import annotations

import threading

from qtpy import QtCore

from vrdr_max.panel import widgets, workers
from vrdr_max.panel.controller import PanelController
from vrdr_max.panel.widgets import DRPanel


def test_a_task_still_running_when_its_panel_closes_emits_safely(
        qtbot, controller: PanelController, monkeypatch) -> None:
    go_on = threading.Event()
    emitted = threading.Event()
    errors: list[BaseException] = []

    def slow_listen(_seconds, _port):
        def job(report, _cancel):
            go_on.wait(10.0)  # deaf to Cancel, like a probe stuck in its last timeout
            try:
                report(1, 1, 0)
            except BaseException as exc:  # what an emit on a deleted source raises
                errors.append(exc)
                raise
            emitted.set()
            return
        return job

    monkeypatch.setattr(widgets, "discovery_job", slow_listen)
    panel = DRPanel(controller, probe_timeout=1.0, probe_on_open=False)  # deleted by the test
    assert panel.listen() is not None
    panel.shutdown = lambda: None  # type: ignore[method-assign] # closed without waiting
    panel.close()
    panel.deleteLater()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    go_on.set()
    assert emitted.wait(5.0), errors
    qtbot.waitUntil(lambda: not workers._RUNNING, timeout=5000)  # let go once its thread ended
    assert errors == []
