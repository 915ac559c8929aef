"""vrdr-max start-up for 3ds Max: sys.path, Qt binding, one action, one menu entry.

3ds Max 2025+ runs this file as a package component; 2024 runs it through ``vrdr_startup.ms``
(``python.ExecuteFile``). It imports only the standard library and ``pymxs``: no Qt, no
pydantic, no ``vrdr_max`` (whose ``__init__`` imports pydantic). On a render server, a batch
(non-interactive) session or in quiet mode it does nothing at all. Running it again registers
nothing twice: the macroscript is redefined in place, the menu callback is replaced by id, and
the 2024 menu is removed before it is added.

Bundle layout (written by ``vrdr bundle``)::

    <package>/PackageContents.xml
    <package>/Contents/startup/vrdr_startup.py   (this file) and vrdr_startup.ms
    <package>/Contents/python/vrdr_max/...       the code (its forms in vrdr_max/ui-files)
    <package>/Contents/vendor/cp311/...          pydantic, qtpy, ... for that Python ABI
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

# The action: one macroscript whose body is this fixed text (never anything a user typed).
MACRO_CATEGORY = "vrdr-max"
MACRO_NAME = "vrdr_show_panel"
MACRO_TOOLTIP = "Open the V-Ray DR panel (vrdr-max)"
MACRO_TEXT = "V-Ray DR Panel"
MACRO_BODY = 'python.Execute "import vrdr_max.panel; vrdr_max.panel.show_panel()"'

MENU_TITLE = "V-Ray DR"
# 3ds Max 2025+ menu system: ids are GUIDs generated once and kept forever.
MENU_ID = "3f6d1c2a-8b7e-4f0a-9d35-6a1e2c4b7f10"
MENU_ITEM_ID = "b9e4a7d2-1c3f-4e58-8a6b-0d2f7c9e1a34"
HELP_MENU_ID = "cee8f758-2199-411b-81e7-d3ff4a80d143"  # Autodesk's menu-system example
MACRO_ACTION_TABLE = 647394  # macroscripts' action table (2025 menu-system docs)
CALLBACK_ID = "vrdr_max_menus"

FIRST_MENU_SYSTEM_YEAR = 2025  # #cuiRegisterMenus: "Available in 3ds Max 2025 and later"
FIRST_PYSIDE6_YEAR = 2025  # 3ds Max 2025 moved to Qt 6 / PySide6


def _script_path() -> Path:
    """This file's path, from the name it was compiled with (``__file__`` only as a fallback).

    Whether 3ds Max's ``python.ExecuteFile`` sets ``__file__``, or runs files in one shared
    ``__main__`` where ``__file__`` may name another script, is [unverified]; the code object
    always carries the file name it was compiled from.
    """
    for name in (_script_path.__code__.co_filename, globals().get("__file__")):
        if name and Path(name).is_file():
            return Path(name).resolve()
    raise RuntimeError("vrdr-max: cannot tell where vrdr_startup.py is")


def _listener(pymxs: Any, text: str) -> None:
    """One line in the MAXScript Listener."""
    pymxs.print_(f"vrdr-max: {text}")


def headless_reason(rt: Any) -> str | None:
    """Why this 3ds Max has no user (render server, batch, quiet mode), or None.

    A probe whose function this 3ds Max lacks counts as "no": better a menu on a render node
    than none on a workstation.
    """
    probes = (
        # Interface::IsNetServer() in the C++ SDK; its MAXScript spelling is [unverified].
        ("a network render server", ("IsNetServer",)),
        # 3dsmaxbatch and other non-interactive runs (used by ayon-3dsmax's is_headless()).
        ("a batch (non-interactive) session", ("maxOps", "isInNonInteractiveMode")),
        # MAXScript quiet mode (-silent, SetQuietMode true); the name GetQuietMode is [unverified].
        ("quiet mode", ("GetQuietMode",)),
    )
    for label, names in probes:
        try:
            fn = rt
            for name in names:
                fn = getattr(fn, name)
        except AttributeError:
            continue
        if fn():
            return label
    return None


def abi_tag() -> str:
    """The CPython ABI folder name of the running Python, e.g. ``cp311``."""
    return f"cp{sys.version_info.major}{sys.version_info.minor}"


def _prepend(path: Path) -> None:
    text = str(path)
    if text not in sys.path:
        sys.path.insert(0, text)


def qt_api_for(year: int) -> str:
    """The binding 3ds Max ``year`` ships: qtpy must pick that one, never a pip-installed PyQt."""
    return "pyside6" if year >= FIRST_PYSIDE6_YEAR else "pyside2"


def _select_qt(pymxs: Any, year: int) -> None:
    want = qt_api_for(year)
    if "qtpy" in sys.modules:  # too late to choose: say which binding another tool made it use
        chosen = getattr(sys.modules["qtpy"], "API", None)
        if chosen != want:
            _listener(pymxs, f"qtpy was imported before vrdr-max with binding {chosen!r}; "
                      f"the panel needs {want!r} and may not open")
        return
    os.environ["QT_API"] = want


def _register_action(rt: Any) -> None:
    rt.macros.new(MACRO_CATEGORY, MACRO_NAME, MACRO_TOOLTIP, MACRO_TEXT, MACRO_BODY)


def _register_menu_2025(rt: Any) -> None:
    """Add the menu when 3ds Max builds its menus (start-up and every .mnx load)."""

    def build_menu() -> None:
        mgr = rt.callbacks.notificationParam()
        menu = mgr.mainMenuBar.CreateSubMenu(MENU_ID, MENU_TITLE, beforeId=HELP_MENU_ID)
        menu.CreateAction(MENU_ITEM_ID, MACRO_ACTION_TABLE, f"{MACRO_NAME}`{MACRO_CATEGORY}")

    cb_id = rt.Name(CALLBACK_ID)
    rt.callbacks.removeScripts(id=cb_id)
    rt.callbacks.addScript(rt.Name("cuiRegisterMenus"), build_menu, id=cb_id)


def _register_menu_2024(rt: Any) -> None:
    """menuMan: changes persist in the user's menu file, so remove ours before adding it."""
    mm = rt.menuMan
    bar = mm.getMainMenuBar()
    for i in range(bar.numItems(), 0, -1):  # 1-based; backwards while removing
        if bar.getItem(i).getTitle() == MENU_TITLE:
            bar.removeItemByPosition(i)
    old = mm.findMenu(MENU_TITLE)
    if old is not None:
        mm.unRegisterMenu(old)
    menu = mm.createMenu(MENU_TITLE)
    menu.addItem(mm.createActionItem(MACRO_NAME, MACRO_CATEGORY), -1)
    # Before the last entry of the bar (Help), as ADN's menuhook places its menus.
    bar.addItem(mm.createSubMenuItem(MENU_TITLE, menu), bar.numItems())
    mm.updateMenuBar()


def run() -> str:
    """Start vrdr-max in the running 3ds Max; returns what it did (for the log and tests)."""
    import pymxs  # noqa: PLC0415 - only inside 3ds Max; importing this file needs no pymxs

    rt = pymxs.runtime
    reason = headless_reason(rt)
    if reason is not None:
        return f"skipped: {reason}"
    year = int(rt.maxVersion()[7])
    contents = _script_path().parent.parent
    vendor = contents / "vendor" / abi_tag()
    if not vendor.is_dir():
        have = sorted(p.name for p in (contents / "vendor").glob("cp*") if p.is_dir())
        _listener(pymxs, f"this package has no dependencies for Python "
                  f"{sys.version_info.major}.{sys.version_info.minor} ({abi_tag()}; it has "
                  f"{', '.join(have) or 'none'}): the V-Ray DR panel is not available. "
                  "Install the vrdr-max package built for this 3ds Max version.")
        return f"disabled: no vendor/{abi_tag()}"
    _prepend(vendor)
    _prepend(contents / "python")
    _select_qt(pymxs, year)
    _register_action(rt)
    if year >= FIRST_MENU_SYSTEM_YEAR:
        _register_menu_2025(rt)
    else:
        _register_menu_2024(rt)
    return f"registered: 3ds Max {year}, {abi_tag()}"


if __name__ == "__main__":
    run()
