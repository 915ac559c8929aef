"""A simulated 3ds Max start, run in a fresh Python process by ``startup_helpers.simulate_start``.

Usage: ``max_start_driver.py BUNDLE YEAR [--net-server] [--batch] [--quiet] [--twice]
[--qtpy-first] [--script-name=NAME] [--undefined=G,...] [--absent=G,...] [--flags-undefined]
[--foreign-pydantic]``: ``--qtpy-first``, another tool imported qtpy before the package started;
``--script-name``, the ``__name__`` package scripts run under; ``--undefined``/``--absent``, host
flag globals that hold ``undefined`` / are not defined; ``--flags-undefined``, the three
headless probes return ``undefined``; ``--foreign-pydantic``, another tool's pydantic 1.10 is
loaded before the menu entry is clicked.

It reads the package's ``PackageContents.xml`` the way 3ds Max ``YEAR`` does (components whose
version range includes the year), runs the start-up components with ``mock_pymxs`` installed as
``pymxs`` (pre-start-up scripts, then the 2025+ menu build, then post-start-up scripts), clicks
the registered menu entry, and prints what happened as JSON.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import importlib.util
import io
import json
import os
import shutil
import sys
import tempfile
import types
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mock_pymxs
from mock_pymxs.maxui import StartupState, startup_state

HEAVY = ("pydantic", "pydantic_core", "qtpy", "PySide2", "PySide6", "shiboken2", "shiboken6",
         "vrdr_max")
PHASES = ("pre-start-up scripts parts", "post-start-up scripts parts")


def components(manifest: Path, year: int) -> dict[str, list[Path]]:
    """Module paths per component type for ``year``, in manifest order."""
    out: dict[str, list[Path]] = {}
    for comp in ET.parse(manifest).getroot().iter("Components"):
        req = comp.find("RuntimeRequirements")
        assert req is not None, "every component carries its version range"
        if int(req.get("SeriesMin", "0")) <= year <= int(req.get("SeriesMax", "0")):
            for entry in comp.iter("ComponentEntry"):
                path = manifest.parent / entry.get("ModuleName", "")
                assert path.exists(), f"component missing from the package: {path}"
                out.setdefault(comp.get("Description", ""), []).append(path)
    return out


@contextlib.contextmanager
def recording_imports(seen: list[str]) -> Iterator[None]:
    """Record every ``import`` statement (also of modules already in ``sys.modules``)."""
    real = builtins.__import__

    def spy(name: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(name)
        return real(name, *args, **kwargs)

    builtins.__import__ = spy
    try:
        yield
    finally:
        builtins.__import__ = real


def start(st: StartupState, parts: dict[str, list[Path]], year: int) -> None:
    """What 3ds Max does with the package's start-up components."""
    rt = sys.modules["pymxs"].runtime
    for phase in PHASES:
        for path in parts.get(phase, []):
            if path.suffix == ".py":
                assert year >= 2025, ".py package components run in 3ds Max 2025 and later"
                rt.python.ExecuteFile(str(path))
            else:
                st.run_script_file(path)
        if phase == PHASES[0] and year >= 2025:
            st.load_menus()


def menu_entries(st: StartupState, year: int) -> list[dict[str, Any]]:
    """Our entries in the main menu bar: title and the actions under it."""
    if year >= 2025:
        bar = st.menu_bar
        assert bar is not None
        return [{"title": i.title, "items": [(c.title, c.action[1] if c.action else None)
                                             for c in i.submenu.items]}
                for i in bar.items if i.submenu is not None and i.title == "V-Ray DR"]
    return [{"title": i.title, "items": [(c.title, f"{c.macro.name}`{c.macro.category}"
                                          if c.macro else None) for c in i.submenu.items]}
            for i in st.legacy_bar.items if i.submenu is not None and i.title == "V-Ray DR"]


def click(st: StartupState, entries: list[dict[str, Any]], year: int) -> dict[str, Any]:
    """Run the action behind our menu entry; the panel opens (or the call is recorded)."""
    name, category = entries[0]["items"][0][1].split("`")
    binding = "PySide6" if year >= 2025 else "PySide2"
    calls: list[str] = []
    if importlib.util.find_spec(binding) is None:
        # 3ds Max always has its binding; this test run lacks it (PySide2 runs in its own CI
        # step), so the call is recorded instead of opening the panel.
        stand_in = types.ModuleType("vrdr_max.panel")
        stand_in.show_panel = lambda: calls.append("show_panel")  # type: ignore[attr-defined]
        sys.modules["vrdr_max.panel"] = stand_in
        importlib.import_module("vrdr_max").panel = stand_in
        st.run_macro(category, name)
        return {"panel": "recorded", "why": f"{binding} is not installed here", "calls": calls}
    from qtpy import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    window = sys.modules["qtmax"].GetQMaxMainWindow()
    window.show()  # 3ds Max's main window is up when a user clicks a menu entry
    printed = io.StringIO()  # Python's output: 3ds Max's Listener
    with contextlib.redirect_stdout(printed):
        st.run_macro(category, name)
    app.processEvents()
    visible = [d for d in window.findChildren(QtWidgets.QDockWidget) if d.isVisible()]
    return {"panel": "real", "docks": [d.windowTitle() for d in visible],
            "dock_names": [d.objectName() for d in visible],
            "dock_texts": [w.text() for d in visible
                           if isinstance(w := d.widget(), QtWidgets.QLabel)],
            "printed": printed.getvalue().splitlines(), "qt_api": os.environ.get("QT_API")}


def foreign_pydantic() -> None:
    """Another pipeline tool's pydantic 1.10, imported before vrdr-max's panel opens."""
    fake = types.ModuleType("pydantic")
    fake.__file__ = "C:/pipeline/ayon/vendor/python/pydantic/__init__.py"
    fake.VERSION = "1.10.13"  # type: ignore[attr-defined]
    sys.modules["pydantic"] = fake


def main(argv: list[str]) -> dict[str, Any]:
    bundle, year = Path(argv[0]), int(argv[1])
    options = dict(a.partition("=")[::2] for a in argv[2:])
    flags = set(options)
    scene = mock_pymxs.load_scene(mock_pymxs.SCENES_DIR / "demo.json")
    plugcfg = Path(tempfile.mkdtemp(prefix="vrdr-plugcfg-"))  # getDir #plugcfg (the panel reads it)
    atexit.register(shutil.rmtree, plugcfg, ignore_errors=True)  # after the panel is gone
    mock = mock_pymxs.install(scene.model_copy(update={"max_version": year}), plugcfg_dir=plugcfg)
    st = startup_state(mock)
    st.net_server, st.batch, st.quiet = ("--net-server" in flags, "--batch" in flags,
                                         "--quiet" in flags)
    if "--flags-undefined" in flags:
        st.net_server = st.batch = st.quiet = None
    st.undefined.update(n for n in options.get("--undefined", "").split(",") if n)
    st.absent.update(n for n in options.get("--absent", "").split(",") if n)
    st.script_name = options.get("--script-name") or st.script_name
    parts = components(bundle / "PackageContents.xml", year)
    qtpy_first = importlib.import_module("qtpy").API if "--qtpy-first" in flags else None
    path_before, modules_before = list(sys.path), set(sys.modules)
    imported: list[str] = []
    with recording_imports(imported):
        start(st, parts, year)
        if "--twice" in flags:
            start(st, parts, year)
    heavy_imported = sorted({n for n in imported if n.split(".")[0] in HEAVY})
    heavy_loaded = sorted(m for m in set(sys.modules) - modules_before if m.split(".")[0] in HEAVY)
    result: dict[str, Any] = {
        "components": {k: [str(p.relative_to(bundle)) for p in v] for k, v in parts.items()},
        "macros": [[m.category, m.name, m.body] for m in st.macros.values()],
        "macro_definitions": st.macro_definitions,
        "callbacks": [[c.event, str(c.id)] for c in mock._session.callbacks],
        "menus": menu_entries(st, year),
        "bar": ([i.title for i in st.menu_bar.items] if year >= 2025 and st.menu_bar
                else [i.title for i in st.legacy_bar.items]),
        "legacy_registered": sorted(m.title.lower() for m in st.legacy_registered),
        "legacy_updates": st.legacy_updates,
        "listener": mock.listener,
        "path_added": [p for p in sys.path if p not in path_before],
        # Every entry added at the end comes after everything that was there (issue 15.14).
        "appended_after_existing": [p for p in sys.path if p not in path_before
                                    and sys.path.index(p) > max(sys.path.index(q)
                                                                for q in path_before)],
        "record": json.loads(os.environ.get("VRDR_STARTUP_RECORD") or "null"),
        "qt_api": os.environ.get("QT_API"),
        "heavy_imported": heavy_imported,
        "heavy_loaded": heavy_loaded,
        "executed_files": [str(Path(p).relative_to(bundle)) for p in st.executed_files],
        "qtpy_first": qtpy_first,
    }
    if result["menus"]:
        if "--foreign-pydantic" in flags:
            foreign_pydantic()
        result["action"] = click(st, result["menus"], year)
        result["rt_execute"] = mock.executed  # MAXScript strings built at run time: none
        vrdr = sys.modules.get("vrdr_max")
        result["vrdr_max_from"] = str(Path(vrdr.__file__).relative_to(bundle)) if vrdr else None
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
