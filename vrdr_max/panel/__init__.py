"""The docked DR panel: ``show_panel()`` opens it in 3ds Max (the start-up action calls it).

Importing this package imports no Qt: the controller is Qt-free and the dock is loaded only
when ``show_panel`` runs, so 3ds Max's start-up stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vrdr_max.host import MaxHost


def show_panel(host: MaxHost | None = None) -> Any:
    """Show the DR panel docked in 3ds Max's main window; a second call raises the same dock.

    Args:
        host: 3ds Max; ``PymxsHost()`` when None.

    Returns:
        The ``QDockWidget``.
    """
    from vrdr_max.panel.dock import show_panel as show  # noqa: PLC0415 - Qt only when shown

    return show(host)


__all__ = ["show_panel"]
