"""The dock shown instead of the DR panel when its dependencies do not fit (no traceback).

It imports only qtpy and ``qtmax``: nothing that needs pydantic, which may be the problem.
"""

from __future__ import annotations

from typing import Any

from qtpy import QtCore, QtWidgets

UNAVAILABLE_DOCK_NAME = "vrdrDRPanelUnavailableDock"
UNAVAILABLE_TITLE = "V-Ray DR"


def show_unavailable(text: str) -> QtWidgets.QDockWidget:
    """Show (or raise) a dock in 3ds Max's main window that says why the panel cannot open."""
    import qtmax  # noqa: PLC0415 - exists only inside 3ds Max (or the mock)

    main: Any = qtmax.GetQMaxMainWindow()
    dock = main.findChild(QtWidgets.QDockWidget, UNAVAILABLE_DOCK_NAME)
    if not isinstance(dock, QtWidgets.QDockWidget):
        dock = QtWidgets.QDockWidget(UNAVAILABLE_TITLE, main)
        dock.setObjectName(UNAVAILABLE_DOCK_NAME)
        label = QtWidgets.QLabel(dock)
        # The reason quotes paths and errors: shown as they are, never as HTML (look.plain_label;
        # look itself is not imported here, it needs more than qtpy).
        label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        label.setObjectName("vrdrUnavailableReason")
        label.setWordWrap(True)
        label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop | QtCore.Qt.AlignmentFlag.AlignLeft)
        label.setMargin(12)
        dock.setWidget(label)
        main.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, dock)
    shown = dock.widget()
    if isinstance(shown, QtWidgets.QLabel):
        shown.setText(text)
    dock.show()
    dock.raise_()
    return dock
