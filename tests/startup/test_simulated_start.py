"""A simulated 3ds Max start with the built package, in a fresh process per run (item 4)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from startup_helpers import RUNNING_ABI, build_bundle, make_wheelhouse, simulate_start

ACTION = "vrdr_show_panel`vrdr-max"
BODY = 'python.Execute "import vrdr_max.panel; vrdr_max.panel.show_panel()"'
YEARS = [2024, 2025, 2026, 2027]


def assert_registered_once(run: dict, year: int, bundle: Path) -> None:
    assert run["macros"] == [["vrdr-max", "vrdr_show_panel", BODY]]
    assert run["menus"] == [{"title": "V-Ray DR", "items": [["V-Ray DR Panel", ACTION]]}]
    assert run["bar"][-2:] == ["V-Ray DR", "&Help"]  # just before Help, as INSTALL.md says
    if year >= 2025:
        assert run["callbacks"] == [["cuiregistermenus", "vrdr_max_menus"]]
        assert run["legacy_registered"] == []
    else:
        assert run["callbacks"] == []
        assert run["legacy_registered"] == ["v-ray dr"]
        assert run["legacy_updates"] >= 1  # menuMan.updateMenuBar() shows the change
    assert run["listener"] == []
    assert run["path_added"] == [str(bundle / "Contents" / "python"),
                                 str(bundle / "Contents" / "vendor" / RUNNING_ABI)]
    # The vendored dependencies come after everything already on sys.path: another pipeline
    # tool's pydantic keeps precedence (issue 15.14); vrdr_max's own folder goes first.
    assert run["appended_after_existing"] == [str(bundle / "Contents" / "vendor" / RUNNING_ABI)]
    assert run["qt_api"] == ("pyside6" if year >= 2025 else "pyside2")
    # Start-up imports nothing heavy: no import statement for it ran, nothing new was loaded.
    assert run["heavy_imported"] == []
    assert run["heavy_loaded"] == []


@pytest.mark.parametrize("year", YEARS)
def test_start_registers_one_action_and_one_menu_entry(bundle: Path, year: int) -> None:
    run = simulate_start(bundle, year)
    script = "vrdr_startup.py" if year >= 2025 else "vrdr_startup.ms"
    phase = "pre-start-up scripts parts" if year >= 2025 else "post-start-up scripts parts"
    assert run["components"][phase] == [f"Contents/startup/{script}"]
    assert run["executed_files"] == ["Contents/startup/vrdr_startup.py"]
    assert_registered_once(run, year, bundle)


@pytest.mark.parametrize("name", ["__main__", "vrdr_startup", "builtins"])
@pytest.mark.parametrize("year", [2024, 2026])
def test_the_start_runs_whatever_name_3ds_max_gives_the_script(bundle: Path, year: int,
                                                               name: str) -> None:
    # Nothing public says what __name__ is in a package .py component or python.ExecuteFile
    # (issue 15.12): whatever it is, the action and the menu are there.
    run = simulate_start(bundle, year, f"--script-name={name}")
    assert_registered_once(run, year, bundle)
    assert run["record"]["name"] == name  # what it saw, for the field check


@pytest.mark.parametrize(("flag", "seen"), [
    ("--flags-undefined", "returned undefined"),
    ("--undefined=IsNetServer,GetQuietMode", "undefined"),
    ("--absent=IsNetServer,GetQuietMode", "not defined")])
@pytest.mark.parametrize("year", [2024, 2027])
def test_a_none_from_pymxs_in_the_headless_check_still_starts(bundle: Path, year: int,
                                                              flag: str, seen: str) -> None:
    # Issue 18.10: undefined (None) from a probe is "not headless", never a crash.
    run = simulate_start(bundle, year, flag)
    assert_registered_once(run, year, bundle)
    probes = run["record"]["probes"]
    assert (probes["IsNetServer"], probes["GetQuietMode"]) == (seen, seen)


@pytest.mark.parametrize("year", YEARS)
def test_the_start_records_what_it_saw_for_the_field_check(bundle: Path, year: int) -> None:
    record = simulate_start(bundle, year)["record"]
    assert record["name"] == "__main__" and record["file_set"] is False
    assert record["probes"] == {"IsNetServer": "false", "maxOps.isInNonInteractiveMode": "false",
                                "GetQuietMode": "false"}
    assert record["macros_new"] == "returned int"
    assert record["year"] == year and record["python"] == RUNNING_ABI
    if year >= 2025:
        assert (record["menu"], record["menu_manager"]) == (
            "built in #cuiRegisterMenus", "<Interface:CuiMenuMgr>")
    else:
        assert (record["menu"], record["menu_manager"]) == (
            "menuMan: added before Help", "<Interface:menuMan>")
    assert record["result"] == f"registered: 3ds Max {year}, {RUNNING_ABI}"


@pytest.mark.parametrize("year", [2025, 2027])
def test_another_tools_pydantic_gets_a_panel_that_says_why(bundle: Path, year: int) -> None:
    action = simulate_start(bundle, year, "--foreign-pydantic")["action"]
    assert len(action["printed"]) == 1
    assert "pydantic 1.10.13 is loaded from C:/pipeline/ayon" in action["printed"][0]
    assert action["dock_names"] == ["vrdrDRPanelUnavailableDock"]
    assert "needs >=2.11,<2.14" in action["dock_texts"][0]


@pytest.mark.parametrize("year", YEARS)
def test_the_menu_entry_opens_the_panel(bundle: Path, year: int) -> None:
    run = simulate_start(bundle, year)
    action = run["action"]
    assert run["rt_execute"] == []
    binding = "PySide6" if year >= 2025 else "PySide2"
    if importlib.util.find_spec(binding) is None:  # only 2024 outside the PySide2 CI step
        assert year < 2025, action["why"]
        assert action["calls"] == ["show_panel"], action["why"]
    else:
        assert action["panel"] == "real"
        assert action["docks"], "show_panel() left no visible dock on the 3ds Max window"
        assert action["qt_api"] == binding.lower()
    assert run["vrdr_max_from"] == "Contents/python/vrdr_max/__init__.py"


@pytest.mark.parametrize("year", YEARS)
def test_a_second_run_registers_nothing_twice(bundle: Path, year: int) -> None:
    run = simulate_start(bundle, year, "--twice")
    assert run["macro_definitions"] == 2  # redefined in place
    assert_registered_once(run, year, bundle)


@pytest.mark.parametrize("flag", ["--net-server", "--batch", "--quiet"])
@pytest.mark.parametrize("year", [2024, 2026])
def test_a_render_node_or_quiet_session_gets_nothing(bundle: Path, year: int, flag: str) -> None:
    run = simulate_start(bundle, year, flag)
    assert run["executed_files"] == ["Contents/startup/vrdr_startup.py"]
    for key in ("macros", "callbacks", "menus", "legacy_registered", "listener", "path_added",
                "heavy_imported", "heavy_loaded"):
        assert run[key] == [], key
    assert run["legacy_updates"] == 0
    assert run["record"] is None  # not even the record: nothing at all on a render node
    assert run["qt_api"] is None
    assert "action" not in run


def test_a_package_without_this_python_says_so_and_registers_nothing(tmp_path: Path) -> None:
    others = tuple(a for a in ("cp310", "cp311", "cp313") if a != RUNNING_ABI)
    bundle = build_bundle(tmp_path, make_wheelhouse(tmp_path, others))
    run = simulate_start(bundle, 2025)
    assert len(run["listener"]) == 1
    line = run["listener"][0]
    assert "no dependencies for Python" in line and RUNNING_ABI in line
    assert all(a in line for a in others)
    assert run["macros"] == run["callbacks"] == run["menus"] == run["path_added"] == []


def test_qtpy_imported_by_another_tool_first_is_reported(bundle: Path) -> None:
    run = simulate_start(bundle, 2024, "--qtpy-first")
    chosen = run["qtpy_first"]  # the binding qtpy found here (PySide6 unless PySide2 is installed)
    assert run["qt_api"] == chosen  # too late to choose: left as qtpy set it
    expected = [] if chosen == "pyside2" else [
        f"vrdr-max: qtpy was imported before vrdr-max with binding {chosen!r}; the panel needs "
        "'pyside2' and may not open"]
    assert run["listener"] == expected
    assert run["macros"] and run["menus"]
