"""Start-up cost of the 3ds Max package with mock_pymxs, and the time from the action to the panel.

Usage: uv run python benchmarks/startup.py [--repeat N]

Prints one JSON document. Budget: the start-up script under 50 ms per 3ds Max start (2024 via the
MAXScript shim, 2025+ as a package component, plus the 2025+ menu-build callback), with the
runtime calls it makes listed. Every case runs in the same process, interleaved round by round
with the baseline (``python.ExecuteFile`` of an empty file) in a rotating order, each on a fresh
mock; figures are medians and ratios to the baseline's median. Conditions: warm (the interpreter,
mock_pymxs and the standard library are loaded; nothing of vrdr_max is), and bytecode does not
apply (``python.ExecuteFile`` compiles the script from source each time, as 3ds Max does). The
action-to-panel time (first open, imports included) needs ``vrdr_max.panel`` and Qt.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yardstick  # noqa: E402

import mock_pymxs  # noqa: E402
from mock_pymxs.maxui import StartupState, startup_state  # noqa: E402

ABI = f"cp{sys.version_info.major}{sys.version_info.minor}"
SCRIPT = ROOT / "startup_scripts" / "vrdr_startup.py"
SHIM = ROOT / "startup_scripts" / "vrdr_startup.ms"


def package(tmp: Path) -> Path:
    """The parts of a built package the start-up script touches."""
    startup = tmp / "Contents" / "startup"
    startup.mkdir(parents=True)
    for src in (SCRIPT, SHIM):
        shutil.copy(src, startup / src.name)
    (tmp / "Contents" / "python").mkdir()
    (tmp / "Contents" / "vendor" / ABI).mkdir(parents=True)
    (startup / "empty.py").write_text("", encoding="utf-8")
    return startup


ENV_SET_BY_START = ("QT_API", "VRDR_STARTUP_RECORD")

Step = Callable[[StartupState, Any], None]


def once(year: int, step: Step, flags: dict[str, Any]) -> tuple[float, int, dict[str, int]]:
    """Wall time and runtime calls of ``step`` on a fresh mock of ``year``; state put back."""
    scene = mock_pymxs.load_scene(mock_pymxs.SCENES_DIR / "demo.json").model_copy(
        update={"max_version": year})
    path = list(sys.path)
    env = {name: os.environ.get(name) for name in ENV_SET_BY_START}
    mock = mock_pymxs.install(scene)
    st = startup_state(mock)
    for name, value in flags.items():
        setattr(st, name, value)
    try:
        mock.calls.reset()
        start = time.perf_counter()
        step(st, mock.runtime)
        wall = time.perf_counter() - start
        return wall, mock.calls.total, mock.calls.snapshot()
    finally:
        mock.uninstall()
        sys.path[:] = path
        for name, value in env.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value


def measure(cases: dict[str, tuple[int, Step, dict[str, Any]]], repeat: int) -> dict[str, Any]:
    """Run every case ``repeat`` times, interleaved in a rotating order; medians and ratios."""
    walls: dict[str, list[float]] = {name: [] for name in cases}
    calls: dict[str, tuple[int, dict[str, int]]] = {}
    names = list(cases)
    for round_no in range(repeat):
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            year, step, flags = cases[name]
            wall, total, snapshot = once(year, step, flags)
            walls[name].append(wall)
            calls[name] = (total, snapshot)
    base = statistics.median(walls["baseline_empty_file"])
    return {name: {"ms_median": round(statistics.median(w) * 1000, 3),
                   "ms_max": round(max(w) * 1000, 3),
                   "ratio_to_baseline": round(statistics.median(w) / base, 1),
                   "runtime_calls": calls[name][0], "calls": calls[name][1]}
            for name, w in walls.items()}


def action_to_panel(startup: Path) -> dict[str, Any]:
    """Time from running the registered action to the panel shown (first open)."""
    from qtpy import QtWidgets  # noqa: PLC0415 - Qt only for this measurement

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    mock = mock_pymxs.install(plugcfg_dir=startup)  # getDir #plugcfg: the panel reads it
    env = {name: os.environ.get(name) for name in ENV_SET_BY_START}
    try:
        st = startup_state(mock)
        mock.runtime.python.ExecuteFile(str(startup / "vrdr_startup.py"))
        window = sys.modules["qtmax"].GetQMaxMainWindow()
        window.show()
        app.processEvents()
        start = time.perf_counter()
        st.run_macro("vrdr-max", "vrdr_show_panel")
        app.processEvents()
        ms = (time.perf_counter() - start) * 1000
        docks = [d.windowTitle() for d in window.findChildren(QtWidgets.QDockWidget)
                 if d.isVisible()]
    finally:
        mock.uninstall()
        for name, value in env.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value
    return {"ms": round(ms, 1), "docks": docks, "note": "first open, imports included"}


def bench(repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        startup = package(Path(tmp))
        py, ms, empty = (str(startup / n) for n in ("vrdr_startup.py", "vrdr_startup.ms",
                                                    "empty.py"))
        cases: dict[str, tuple[int, Step, dict[str, Any]]] = {
            "baseline_empty_file": (2025, lambda _st, rt: rt.python.ExecuteFile(empty), {}),
            "start_2025": (2025, lambda _st, rt: rt.python.ExecuteFile(py), {}),
            "menu_build_2025": (2025, lambda st, rt: (rt.python.ExecuteFile(py),
                                                      st.load_menus()), {}),
            "start_2024_shim": (2024, lambda st, _rt: st.run_script_file(ms), {}),
            "render_node_2026": (2026, lambda _st, rt: rt.python.ExecuteFile(py),
                                 {"net_server": True}),
        }
        result: dict[str, Any] = measure(cases, repeat)
        result["conditions"] = {"interleaved": True, "warm": True, "bytecode": "n/a (source)",
                                "repeat": repeat}
        result["budget_ms"] = 50
        result["within_budget"] = all(
            result[k]["ms_median"] < 50 for k in ("start_2025", "menu_build_2025",
                                                   "start_2024_shim"))
        result["action_to_panel"] = action_to_panel(startup)
    result["machine_yardstick"] = yardstick.measure()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    print(json.dumps(bench(args.repeat), indent=2))


if __name__ == "__main__":
    main()
