"""The field check's start-up facts (issue 15.16): the real start-up script runs in a mock
3ds Max, then the field check reads what it recorded and the globals it calls."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from startup_helpers import RUNNING_ABI, STARTUP_SCRIPT, load_startup

import mock_pymxs
from mock_pymxs.maxui import StartupState, startup_state
from vrdr_max import fieldcheck
from vrdr_max.fieldcheck import FactStatus

CONFIRMED, DIFFERENT, ABSENT = FactStatus.CONFIRMED, FactStatus.DIFFERENT, FactStatus.ABSENT


def test_the_record_is_where_the_start_up_writes_it() -> None:
    script = load_startup()
    assert script["RECORD_ENV"] == fieldcheck.STARTUP_RECORD_ENV
    assert [".".join(names) for _label, names in script["HEADLESS_PROBES"]] == list(
        fieldcheck.STARTUP_PROBES)
    assert script["FIRST_MENU_SYSTEM_YEAR"] == fieldcheck.FIRST_MENU_SYSTEM_YEAR


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """The parts of a built package the start-up touches: the script, python/, vendor/<abi>."""
    startup = tmp_path / "Contents" / "startup"
    startup.mkdir(parents=True)
    shutil.copy(STARTUP_SCRIPT, startup / STARTUP_SCRIPT.name)
    (tmp_path / "Contents" / "python").mkdir()
    (tmp_path / "Contents" / "vendor" / RUNNING_ABI).mkdir(parents=True)
    return startup / STARTUP_SCRIPT.name


Setup = Callable[[StartupState], None]


@pytest.fixture
def started(package: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """Start a mock 3ds Max ``year`` with the package, then run the field check's start-up part."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    for name in ("QT_API", fieldcheck.STARTUP_RECORD_ENV):  # the start-up sets both
        monkeypatch.setenv(name, "")  # so that teardown puts back what was there (or nothing)
        monkeypatch.delenv(name)
    scene = mock_pymxs.load_scene(mock_pymxs.SCENES_DIR / "clean.json")
    mocks: list[Any] = []

    def start(year: int, setup: Setup = lambda st: None, *, menus: bool = True
              ) -> dict[str, FactStatus]:
        mock = mock_pymxs.install(scene.model_copy(update={"max_version": year}))
        mocks.append(mock)
        st = startup_state(mock)
        setup(st)
        mock.runtime.python.ExecuteFile(str(package))
        if year >= 2025 and menus:
            st.load_menus()
        from vrdr_max.max_host import PymxsHost

        facts = fieldcheck.startup_facts(PymxsHost())
        return {f.id: f.status for f in facts}

    yield start
    for mock in reversed(mocks):
        mock.uninstall()


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_after_a_start_every_start_up_fact_is_confirmed(started: Callable[..., Any],
                                                        year: int) -> None:
    status = started(year)
    assert set(status.values()) == {CONFIRMED}, status
    assert {"startup.record", "startup.__name__", "startup.__file__", "startup.macros.new",
            "startup.menu", "startup.global.IsNetServer", "startup.global.GetQuietMode",
            "startup.global.macros", "startup.global.maxOps",
            *(f"startup.probe.{p}" for p in fieldcheck.STARTUP_PROBES)} <= set(status)
    assert ("startup.global.menuMan" in status) is (year < 2025)


def _set(**flags: Any) -> Setup:
    def setup(st: StartupState) -> None:
        for name, value in flags.items():
            setattr(st, name, value)
    return setup


@pytest.mark.parametrize(("setup", "different"), [
    (_set(net_server=None, quiet=None), {"startup.probe.IsNetServer",
                                         "startup.probe.GetQuietMode"}),
    (lambda st: st.absent.add("IsNetServer"), {"startup.probe.IsNetServer",
                                               "startup.global.IsNetServer"}),
    (lambda st: st.undefined.add("GetQuietMode"), {"startup.probe.GetQuietMode",
                                                   "startup.global.GetQuietMode"}),
])
def test_a_probe_that_is_not_a_true_or_false_function_is_different(
        started: Callable[..., Any], setup: Setup, different: set[str]) -> None:
    status = started(2026, setup)
    assert {k for k, v in status.items() if v is not CONFIRMED} == different
    assert {status[k] for k in different} == {DIFFERENT}


def test_a_2025_menu_callback_that_never_ran_is_different(started: Callable[..., Any]) -> None:
    status = started(2025, menus=False)
    assert {k for k, v in status.items() if v is not CONFIRMED} == {"startup.menu"}


def test_a_render_node_leaves_no_record(started: Callable[..., Any]) -> None:
    status = started(2026, _set(net_server=True))
    assert status["startup.record"] is ABSENT
    assert not any(k.startswith(("startup.probe", "startup.menu")) for k in status)


def test_a_record_of_another_process_is_not_this_max_s(
        started: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    started(2026)
    record = json.loads(os.environ[fieldcheck.STARTUP_RECORD_ENV])
    record["pid"] += 1
    monkeypatch.setenv(fieldcheck.STARTUP_RECORD_ENV, json.dumps(record))
    from vrdr_max.max_host import PymxsHost

    [fact] = [f for f in fieldcheck.startup_facts(PymxsHost()) if f.id == "startup.record"]
    assert fact.status is ABSENT and "inherited" in fact.found
