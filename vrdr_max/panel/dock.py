"""``show_panel()``: the DR panel as one ``QDockWidget`` in 3ds Max's main window.

The dock has a fixed object name, so a second call finds and raises it instead of adding
another, and ``QMainWindow.restoreDockWidget`` puts it back where the user left it
(max-plugin.md §4: the ADN/ShotGrid docking pattern).
"""

from __future__ import annotations

from typing import Any

from qtpy import QtCore, QtGui, QtWidgets

from vrdr_max.host import MaxHost
from vrdr_max.panel.controller import PanelController
from vrdr_max.panel.widgets import DRPanel

DOCK_NAME = "vrdrDRPanelDock"
"""The dock's object name: how 3ds Max's layout and a second ``show_panel`` find it."""
DOCK_TITLE = "V-Ray DR"


def _qtmax() -> Any:
    import qtmax  # noqa: PLC0415 - exists only inside 3ds Max (or the mock)

    return qtmax


def find_dock(main: QtWidgets.QMainWindow) -> QtWidgets.QDockWidget | None:
    """The panel's dock in ``main``, if it was created before."""
    dock = main.findChild(QtWidgets.QDockWidget, DOCK_NAME)
    return dock if isinstance(dock, QtWidgets.QDockWidget) else None


def show_panel(host: MaxHost | None = None) -> QtWidgets.QDockWidget:
    """Show (or raise) the DR panel docked in 3ds Max; see ``vrdr_max.panel.show_panel``."""
    qtmax = _qtmax()
    main = qtmax.GetQMaxMainWindow()
    dock = find_dock(main)
    if dock is None:
        if host is None:
            from vrdr_max.max_host import PymxsHost  # noqa: PLC0415 - needs pymxs

            host = PymxsHost()
        dock = _create(main, host, qtmax)
    panel = dock.widget()
    if isinstance(panel, DRPanel) and not panel.controller.attached:
        # Shown again after a close: catch up with the scene, listen again.
        panel.controller.refresh()
        panel.controller.attach()
    dock.show()
    dock.raise_()
    return dock


class PanelDock(QtWidgets.QDockWidget):
    """The dock: closing it removes the panel's 3ds Max callbacks (``show_panel`` adds them)."""

    def __init__(self, panel: DRPanel, parent: QtWidgets.QWidget) -> None:
        super().__init__(DOCK_TITLE, parent)
        self.setObjectName(DOCK_NAME)
        self.setWidget(panel)
        self.panel = panel

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Hide, and stop listening to the scene; first ask about an open farm reservation.

        Release runs on its worker after the dock is gone; Cancel keeps the dock open.
        """
        if not self.panel.ask_before_close(can_cancel=True, wait=False):
            event.ignore()
            return
        self.panel.shutdown()
        super().closeEvent(event)


def _create(main: QtWidgets.QMainWindow, host: MaxHost, qtmax: Any) -> PanelDock:
    panel = DRPanel(PanelController(host))
    dock = PanelDock(panel, main)
    # Typing a host name must not fire 3ds Max shortcuts ("h", Delete...).
    disable = getattr(qtmax, "DisableMaxAcceleratorsOnFocus", None)
    if disable is not None:
        panel.set_typing_guard(lambda widget: disable(widget, True))
    if not main.restoreDockWidget(dock):
        main.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, dock)
    panel.controller.attach()
    return dock


def close_panel() -> bool:
    """Remove the dock and its callbacks (scripts, tests).

    An open farm reservation is asked about first (Release or keep it; removing cannot be
    cancelled), and a release chosen runs to its end: the panel that would report it goes.
    """
    main = _qtmax().GetQMaxMainWindow()
    dock = find_dock(main)
    if dock is None:
        return False
    panel = dock.widget()
    if isinstance(panel, DRPanel):
        panel.ask_before_close(can_cancel=False, wait=True)
        panel.shutdown(removing=True)
    main.removeDockWidget(dock)
    dock.setParent(None)
    dock.deleteLater()
    return True
