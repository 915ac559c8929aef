"""Where the panel's Designer forms, icons and stylesheet are, in a checkout, a wheel or the bundle.

The repository keeps them in ``ui/`` at its top level, where a TD edits them in Qt Designer.
A wheel and the 3ds Max package carry them inside the package as ``vrdr_max/ui-files``
(pyproject's ``force-include``, ``vrdr bundle``): a top-level ``ui`` folder on ``sys.path``
would be importable as a package and collide in 3ds Max's shared interpreter, and a name with a
hyphen cannot be imported at all. :func:`ui_dir` is the one place that knows both.
"""

from __future__ import annotations

import functools
from pathlib import Path

from vrdr_max.errors import VrdrError

SOURCE_FOLDER = "ui"
"""The folder at the repository's top level."""

PACKAGED_FOLDER = "ui-files"
"""The same files inside the installed ``vrdr_max`` package (wheel, 3ds Max bundle)."""

_PACKAGE = Path(__file__).resolve().parent
_LANDMARK = "panel.ui"  # the panel's own form: a folder without it is not the panel's


@functools.cache
def ui_dir() -> Path:
    """The folder holding ``panel.ui``, ``panel.qss``, the dialogs' forms and ``icons/``.

    The copy inside the package wins (a wheel or the bundle); otherwise the checkout's ``ui/``
    beside ``vrdr_max`` (the checkout's ``pyproject.toml`` marks it, so an unrelated ``ui``
    folder next to an installed package is never taken).

    Raises:
        VrdrError: neither is there (a broken install).
    """
    packaged = _PACKAGE / PACKAGED_FOLDER
    if (packaged / _LANDMARK).is_file():
        return packaged
    checkout = _PACKAGE.parent
    source = checkout / SOURCE_FOLDER
    if (checkout / "pyproject.toml").is_file() and (source / _LANDMARK).is_file():
        return source
    raise VrdrError(f"the panel's forms are missing: no {_LANDMARK} in {packaged} or {source}; "
                    "reinstall vrdr-max")


def ui_file(*parts: str) -> Path:
    """A file of the panel's forms, icons and stylesheet: ``ui_file("icons", "add.svg")``."""
    return ui_dir().joinpath(*parts)
