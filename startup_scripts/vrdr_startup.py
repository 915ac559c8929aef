"""vrdr-max start-up for 3ds Max: sys.path, Qt binding, one action, one menu entry.

3ds Max 2025+ runs this file as a package component; 2024 runs it through ``vrdr_startup.ms``
(``python.ExecuteFile``). It imports only the standard library and ``pymxs``: no Qt, no
pydantic, no ``vrdr_max`` (whose ``__init__`` imports pydantic). On a render server, a batch
(non-interactive) session or in quiet mode it does nothing at all. Running it again registers
nothing twice: the macroscript is redefined in place, the menu callback is replaced by id, and
the 2024 menu is found before one is made.

Nothing public says what ``__name__`` is when 3ds Max runs a package ``.py`` component or
``python.ExecuteFile``, so the last line calls :func:`start` unconditionally, as ADN's package
start-up script does (``ADN-DevTech/3dsMax-Python-HowTos``,
``src/adn-devtech-python-howtos/scripts/pyStartup.py``: ``_python_startup()`` at the end); the
name it saw is recorded for the field check (:data:`RECORD_ENV`). Tests load the functions
without that call (``tests/startup/startup_helpers.load_startup``).

Bundle layout (written by ``vrdr bundle``)::

    <package>/PackageContents.xml
    <package>/Contents/startup/vrdr_startup.py   (this file) and vrdr_startup.ms
    <package>/Contents/python/vrdr_max/...       the code (its forms in vrdr_max/ui-files)
    <package>/Contents/vendor/cp311/...          pydantic, qtpy, ... for that Python ABI
"""

from __future__ import annotations

import json
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

RECORD_ENV = "VRDR_STARTUP_RECORD"
"""What the start-up saw (``__name__``, the headless probes, ``macros.new``, the menu manager),
as JSON in this 3ds Max process's environment, for ``vrdr_max.fieldcheck`` (same name there)."""

# (label, runtime path) of each "nobody is at this 3ds Max" probe.
HEADLESS_PROBES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Interface::IsNetServer() in the C++ SDK; its MAXScript spelling is [unverified].
    ("a network render server", ("IsNetServer",)),
    # 3dsmaxbatch and other non-interactive runs (used by ayon-3dsmax's is_headless()).
    ("a batch (non-interactive) session", ("maxOps", "isInNonInteractiveMode")),
    # MAXScript quiet mode (-silent, SetQuietMode true); the name GetQuietMode is [unverified].
    ("quiet mode", ("GetQuietMode",)),
)


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


def _probe(rt: Any, names: tuple[str, ...]) -> tuple[bool, str]:
    """Call one headless probe: (is it true, what it gave, for the record).

    pymxs gives None for MAXScript ``undefined``: a global that holds it, or a function that
    returns it. Neither is a "yes"; only a real ``true`` is.
    """
    value = rt
    try:
        for name in names:
            value = getattr(value, name)
    except AttributeError:
        return False, "not defined"
    if value is None:
        return False, "undefined"
    if not callable(value):
        return False, f"not a function ({type(value).__name__})"
    try:
        result = value()
    except Exception as exc:  # noqa: BLE001 - a probe that fails must not stop the start-up
        return False, f"error: {type(exc).__name__}: {exc}"
    if result is None:
        return False, "returned undefined"
    return result is True, "true" if result is True else "false" if result is False else (
        f"returned {type(result).__name__}")


def headless_reason(rt: Any, seen: dict[str, str] | None = None) -> str | None:
    """Why this 3ds Max has no user (render server, batch, quiet mode), or None.

    A probe whose function this 3ds Max lacks, or that gives ``undefined``, counts as "no":
    better a menu on a render node than none on a workstation.

    Args:
        rt: ``pymxs.runtime``.
        seen: filled with what each probe gave (for the field check's record).
    """
    reason = None
    for label, names in HEADLESS_PROBES:
        yes, what = _probe(rt, names)
        if seen is not None:
            seen[".".join(names)] = what
        if yes and reason is None:
            reason = label
            if seen is None:
                break
    return reason


def abi_tag() -> str:
    """The CPython ABI folder name of the running Python, e.g. ``cp311``."""
    return f"cp{sys.version_info.major}{sys.version_info.minor}"


def _prepend(path: Path) -> None:
    text = str(path)
    if text not in sys.path:
        sys.path.insert(0, text)


def _append(path: Path) -> None:
    """After everything already on ``sys.path``: another tool's pydantic keeps its place."""
    text = str(path)
    if text not in sys.path:
        sys.path.append(text)


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


def _register_action(rt: Any) -> str:
    result = rt.macros.new(MACRO_CATEGORY, MACRO_NAME, MACRO_TOOLTIP, MACRO_TEXT, MACRO_BODY)
    return f"returned {type(result).__name__}" if result is not None else "returned undefined"


def _register_menu_2025(rt: Any, record: dict[str, Any]) -> None:
    """Add the menu when 3ds Max builds its menus (start-up and every .mnx load)."""

    def build_menu() -> None:
        mgr = rt.callbacks.notificationParam()
        record["menu_manager"] = ("undefined" if mgr is None else str(mgr)[:80])
        menu = mgr.mainMenuBar.CreateSubMenu(MENU_ID, MENU_TITLE, beforeId=HELP_MENU_ID)
        menu.CreateAction(MENU_ITEM_ID, MACRO_ACTION_TABLE, f"{MACRO_NAME}`{MACRO_CATEGORY}")
        record["menu"] = "built in #cuiRegisterMenus"
        _save_record(record)

    cb_id = rt.Name(CALLBACK_ID)
    rt.callbacks.removeScripts(id=cb_id)
    rt.callbacks.addScript(rt.Name("cuiRegisterMenus"), build_menu, id=cb_id)


def _titles(menu: Any) -> list[str]:
    # menuMan's getItem is 1-based (ADN menuhook loops 1..numItems()).
    return [menu.getItem(i).getTitle() for i in range(1, menu.numItems() + 1)]


def _register_menu_2024(rt: Any) -> str:
    """menuMan: changes persist in the user's menu file, so find ours before making one.

    Nothing is removed: the menu and its entry are added only where they are missing, as ADN's
    menuhook does. ``addItem``'s position is 0-based (``-1`` appends), while ``getItem`` is
    1-based, so ``numItems() - 1`` is "before the last entry", Help, as ADN's menuhook and
    ShotGrid's tk-3dsmax place their menus.
    """
    mm = rt.menuMan
    bar = mm.getMainMenuBar()
    menu = mm.findMenu(MENU_TITLE)
    if menu is None:
        menu = mm.createMenu(MENU_TITLE)
    if MACRO_TEXT not in _titles(menu):
        menu.addItem(mm.createActionItem(MACRO_NAME, MACRO_CATEGORY), -1)
    added = MENU_TITLE not in _titles(bar)
    if added:
        bar.addItem(mm.createSubMenuItem(MENU_TITLE, menu), bar.numItems() - 1)
    mm.updateMenuBar()
    return "menuMan: added before Help" if added else "menuMan: already in the menu bar"


def _save_record(record: dict[str, Any]) -> None:
    os.environ[RECORD_ENV] = json.dumps(record, sort_keys=True)


def run() -> str:
    """Start vrdr-max in the running 3ds Max; returns what it did (for the log and tests)."""
    import pymxs  # noqa: PLC0415 - only inside 3ds Max; loading this file needs no pymxs

    rt = pymxs.runtime
    probes: dict[str, str] = {}
    reason = headless_reason(rt, probes)
    if reason is not None:
        return f"skipped: {reason}"
    record: dict[str, Any] = {
        "pid": os.getpid(), "name": globals().get("__name__"),
        "file_set": "__file__" in globals(), "probes": probes, "python": abi_tag()}
    year = int(rt.maxVersion()[7])
    record["year"] = year
    contents = _script_path().parent.parent
    vendor = contents / "vendor" / abi_tag()
    if not vendor.is_dir():
        have = sorted(p.name for p in (contents / "vendor").glob("cp*") if p.is_dir())
        _listener(pymxs, f"this package has no dependencies for Python "
                  f"{sys.version_info.major}.{sys.version_info.minor} ({abi_tag()}; it has "
                  f"{', '.join(have) or 'none'}): the V-Ray DR panel is not available. "
                  "Install the vrdr-max package built for this 3ds Max version.")
        record["result"] = f"disabled: no vendor/{abi_tag()}"
        _save_record(record)
        return str(record["result"])
    _prepend(contents / "python")  # only vrdr_max lives there: it shadows nobody
    _append(vendor)  # pydantic & co. last: another pipeline tool's copy keeps precedence
    _select_qt(pymxs, year)
    record["macros_new"] = _register_action(rt)
    if year >= FIRST_MENU_SYSTEM_YEAR:
        record["menu"] = "#cuiRegisterMenus callback registered"
        _register_menu_2025(rt, record)
    else:
        record["menu_manager"] = str(rt.menuMan)[:80]
        record["menu"] = _register_menu_2024(rt)
    record["result"] = f"registered: 3ds Max {year}, {abi_tag()}"
    _save_record(record)
    return str(record["result"])


def start() -> None:
    """Run :func:`run`; a failure is one Listener line, not a traceback at every 3ds Max start."""
    try:
        run()
    except Exception as exc:  # noqa: BLE001 - 3ds Max must start whatever happens here
        try:
            import pymxs  # noqa: PLC0415

            _listener(pymxs, f"start-up failed ({type(exc).__name__}: {exc}); the V-Ray DR "
                      "menu is not available. Please send this line to your TD.")
        except Exception:  # noqa: BLE001 - no Listener (not in 3ds Max): say it on stderr
            print(f"vrdr-max: start-up failed: {type(exc).__name__}: {exc}",  # noqa: T201
                  file=sys.stderr)


start()
