"""The ``qtmax`` module of the mock: 3ds Max's main window as a real QMainWindow.

qtpy is imported only when the window is first asked for, so the rest of mock_pymxs runs
without Qt. A QApplication must exist first (in tests: pytest-qt's ``qapp`` fixture).
"""

from __future__ import annotations

import types
from typing import Any

from mock_pymxs.runtime import RUNTIME
from mock_pymxs.session import Session

_window: list[Any] = []


def _session() -> Session:
    return RUNTIME._globals().s


def GetQMaxMainWindow() -> Any:
    """The (one) main window; created on the first call, needs an existing QApplication."""
    from qtpy import QtWidgets  # noqa: PLC0415 - lazily: Qt is optional for everything else

    if QtWidgets.QApplication.instance() is None:
        raise RuntimeError(
            "qtmax.GetQMaxMainWindow() needs a QApplication: create one first "
            "(in tests, use pytest-qt's qapp fixture)"
        )
    _session().qt_calls.append(("GetQMaxMainWindow", None, None))
    if not _window:
        win = QtWidgets.QMainWindow()
        win.setObjectName("mock_pymxs_max_main_window")
        win.setWindowTitle("Autodesk 3ds Max (mock_pymxs)")
        _window.append(win)
    return _window[0]


def DisableMaxAcceleratorsOnFocus(widget: object, flag: bool) -> None:
    """Recorded only: in 3ds Max it stops Max shortcuts while ``widget`` has focus."""
    _session().qt_calls.append(("DisableMaxAcceleratorsOnFocus", widget, bool(flag)))


def discard_window() -> None:
    """Close and forget the main window (at uninstall), so the next install starts fresh."""
    while _window:
        win = _window.pop()
        win.close()
        win.deleteLater()


def _build() -> types.ModuleType:
    mod = types.ModuleType("qtmax", "mock_pymxs stand-in for 3ds Max's qtmax")
    mod.GetQMaxMainWindow = GetQMaxMainWindow  # type: ignore[attr-defined]
    mod.DisableMaxAcceleratorsOnFocus = DisableMaxAcceleratorsOnFocus  # type: ignore[attr-defined]
    return mod


QTMAX = _build()
