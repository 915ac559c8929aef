"""The start-up script: nothing heavy at load, its start call unconditional, its headless check
robust to what pymxs may give (a missing global, ``undefined``)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from startup_helpers import ROOT, STARTUP_SCRIPT, load_startup

import mock_pymxs
from mock_pymxs.maxui import StartupState, startup_state

SCRIPT = STARTUP_SCRIPT
HEAVY = ("pydantic", "pydantic_core", "qtpy", "PySide2", "PySide6", "shiboken6", "vrdr_max",
         "pymxs", "mock_pymxs")


def test_loading_the_startup_script_imports_no_qt_and_no_pydantic() -> None:
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'tests' / 'startup')!r})\n"
        "before = set(sys.modules)\n"
        "from startup_helpers import load_startup\n"
        "helpers = set(sys.modules) - before\n"
        "ns = load_startup()\n"
        "assert callable(ns['run']) and callable(ns['start'])\n"
        "print(json.dumps(sorted(set(sys.modules) - before - helpers)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    loaded = json.loads(proc.stdout)
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []


def test_the_script_ends_with_an_unconditional_start_call() -> None:
    # 3ds Max's __name__ for a package .py component is unknown: an `if __name__ == ...`
    # guard could drop the action and the menu without a word (issue 15.12).
    load_startup()  # asserts the last statement is a bare start()
    source = SCRIPT.read_text("utf-8")
    assert "__main__" not in source.split("def start()", 1)[1]


def test_outside_3ds_max_the_start_is_one_line_on_stderr() -> None:
    proc = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("vrdr-max: start-up failed: ModuleNotFoundError")


def test_the_script_finds_its_folder_without_dunder_file() -> None:
    assert load_startup()["_script_path"]() == SCRIPT.resolve()


class _MaxOps:
    def __init__(self, batch: bool) -> None:
        self.batch = batch

    def isInNonInteractiveMode(self) -> bool:
        return self.batch


class MaxWithoutTwoChecks:
    """A 3ds Max that has maxOps.isInNonInteractiveMode but neither IsNetServer nor
    GetQuietMode (both spellings are unverified): reading either raises AttributeError, as
    pymxs does for an unknown global."""

    def __init__(self, batch: bool) -> None:
        self.maxOps = _MaxOps(batch)


def test_a_check_this_3ds_max_lacks_counts_as_no() -> None:
    headless_reason = load_startup()["headless_reason"]
    assert headless_reason(MaxWithoutTwoChecks(batch=False)) is None  # menu on a workstation
    assert headless_reason(MaxWithoutTwoChecks(batch=True)) == (
        "a batch (non-interactive) session")


@pytest.fixture
def max2026() -> Iterator[tuple[StartupState, Any]]:
    scene = mock_pymxs.load_scene(mock_pymxs.SCENES_DIR / "demo.json")
    with mock_pymxs.installed(scene.model_copy(update={"max_version": 2026})) as mock:
        yield startup_state(mock), mock.runtime


@pytest.mark.parametrize(("change", "seen"), [
    (lambda st: setattr(st, "net_server", None), {"IsNetServer": "returned undefined"}),
    (lambda st: setattr(st, "quiet", None), {"GetQuietMode": "returned undefined"}),
    (lambda st: setattr(st, "batch", None),
     {"maxOps.isInNonInteractiveMode": "returned undefined"}),
    (lambda st: st.undefined.add("IsNetServer"), {"IsNetServer": "undefined"}),
    (lambda st: st.undefined.add("GetQuietMode"), {"GetQuietMode": "undefined"}),
    (lambda st: st.absent.add("IsNetServer"), {"IsNetServer": "not defined"}),
])
def test_the_headless_check_survives_a_none_from_pymxs(max2026: tuple[StartupState, Any],
                                                        change: Any,
                                                        seen: dict[str, str]) -> None:
    # Issue 18.10: pymxs gives None for MAXScript undefined, be it a global that holds it or
    # a function that returns it; neither may crash the start-up, and neither means "headless".
    st, rt = max2026
    change(st)
    found: dict[str, str] = {}
    assert load_startup()["headless_reason"](rt, found) is None
    assert seen.items() <= found.items()
    assert set(found.values()) - set(seen.values()) == {"false"}


def test_a_real_true_still_means_headless(max2026: tuple[StartupState, Any]) -> None:
    st, rt = max2026
    st.undefined.add("IsNetServer")
    st.quiet = True
    assert load_startup()["headless_reason"](rt) == "quiet mode"
