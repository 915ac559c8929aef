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
        The ``QDockWidget``: the panel's, or, when the pydantic/qtpy/filelock Python would use
        do not fit vrdr-max (``vrdr_max.dependencies``), one that says why it cannot open
        (after one Listener line); None when qtpy itself is the problem (the line only).
    """
    # The dependencies Python will use may be another tool's (issue 15.14): check them before
    # importing anything that needs them, and say why the panel cannot open instead of a
    # traceback.
    from vrdr_max.dependencies import (  # noqa: PLC0415
        check_dependencies,
        problems_line,
        problems_message,
    )

    problems = check_dependencies()
    if problems:
        print(problems_line(problems))  # noqa: T201 - Python's output is 3ds Max's Listener
        if any(p.name == "qtpy" for p in problems):
            return None  # no Qt to say it with: the Listener line is all
        from vrdr_max.panel.unavailable import show_unavailable  # noqa: PLC0415

        return show_unavailable(problems_message(problems))
    from vrdr_max.panel.dock import show_panel as show  # noqa: PLC0415 - Qt only when shown

    return show(host)


__all__ = ["show_panel"]
