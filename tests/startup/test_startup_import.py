"""Importing the start-up script loads nothing heavy, and it runs without ``__file__``."""

from __future__ import annotations

import json
import subprocess
import sys

from startup_helpers import ROOT

SCRIPT = ROOT / "startup_scripts" / "vrdr_startup.py"
HEAVY = ("pydantic", "pydantic_core", "qtpy", "PySide2", "PySide6", "shiboken6", "vrdr_max",
         "pymxs", "mock_pymxs")


def test_importing_the_startup_script_imports_no_qt_and_no_pydantic() -> None:
    code = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('vrdr_startup', {str(SCRIPT)!r})\n"
        "mod = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(mod)\n"
        "assert callable(mod.run)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    loaded = json.loads(proc.stdout)
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []


def test_the_script_finds_its_folder_without_dunder_file(tmp_path) -> None:
    namespace = {"__name__": "vrdr_startup"}
    exec(compile(SCRIPT.read_text("utf-8"), str(SCRIPT), "exec"), namespace)
    assert namespace["_script_path"]() == SCRIPT.resolve()
