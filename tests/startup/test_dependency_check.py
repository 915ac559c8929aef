"""Another tool's pydantic in 3ds Max: vrdr-max says why its panel cannot open (issue 15.14).

The start-up appends the vendored dependencies after everything on ``sys.path`` (see
test_simulated_start.py); whichever copy Python then uses is checked when the panel opens.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

import mock_pymxs
from vrdr_max import dependencies
from vrdr_max.dependencies import REQUIREMENTS, check_dependencies, fits, problems_line


def _clauses(spec: str) -> set[str]:
    return {c.strip() for c in spec.split(",") if c.strip()}


def test_the_ranges_are_pyproject_s() -> None:
    declared = {}
    for requirement in importlib.metadata.requires("vrdr-max") or []:
        if ";" in requirement:
            continue  # extras (PySide6 for standalone use) are not vrdr's runtime dependencies
        match = re.match(r"^([A-Za-z0-9_.-]+)\s*(.*)$", requirement)
        assert match is not None
        declared[match.group(1).lower().replace("-", "_")] = _clauses(match.group(2))
    assert declared == {name: _clauses(spec) for name, spec in REQUIREMENTS.items()}


@pytest.mark.parametrize(("version", "spec", "expected"), [
    ("2.13.5", ">=2.11,<2.14", True), ("2.11", ">=2.11,<2.14", True),
    ("2.14.0", ">=2.11,<2.14", False), ("2.14.0b1", ">=2.11,<2.14", False),
    ("1.10.13", ">=2.11,<2.14", False), ("2.10.6", ">=2.11,<2.14", False),
    ("4.1.0", ">=4.1.0", True), ("3.20", ">=4.1.0", False), ("garbage", ">=1", False),
])
def test_fits(version: str, spec: str, expected: bool) -> None:
    assert fits(version, spec) is expected


def test_the_installed_dependencies_fit() -> None:
    assert check_dependencies() == []


def _fake(name: str, version: str | None, where: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = where
    if version is not None:
        module.VERSION = version  # type: ignore[attr-defined]
    return module


FOREIGN = "C:/pipeline/ayon/vendor/python/pydantic/__init__.py"


def test_another_tools_pydantic_is_named_with_where_it_came_from(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pydantic", _fake("pydantic", "1.10.13", FOREIGN))
    [problem] = check_dependencies()
    assert problem.text == (f"pydantic 1.10.13 is loaded from {FOREIGN}, but vrdr-max needs "
                            ">=2.11,<2.14")


def test_an_import_that_fails_is_a_problem_not_a_traceback(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(name: str) -> Any:
        raise SystemError("The installed pydantic-core version (2.14.6) is incompatible")

    monkeypatch.setattr(dependencies.importlib, "import_module", refuse)
    problems = check_dependencies(["pydantic"])
    assert [p.text for p in problems] == [
        "pydantic cannot be imported (SystemError: The installed pydantic-core version "
        "(2.14.6) is incompatible); vrdr-max needs >=2.11,<2.14"]
    line = problems_line(problems)
    assert "\n" not in line and line.startswith("vrdr-max: the V-Ray DR panel cannot open: ")


@pytest.fixture
def max_window(qapp: Any) -> Iterator[Any]:
    with mock_pymxs.installed(mock_pymxs.load_scene(mock_pymxs.SCENES_DIR / "clean.json")):
        yield sys.modules["qtmax"].GetQMaxMainWindow()


def test_the_action_shows_why_instead_of_the_panel(max_window: Any, qapp: Any,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from qtpy import QtWidgets

    import vrdr_max.panel

    monkeypatch.setitem(sys.modules, "pydantic", _fake("pydantic", "1.10.13", FOREIGN))
    for module in [m for m in sys.modules if m.startswith("vrdr_max.panel.")]:
        monkeypatch.delitem(sys.modules, module)  # as in a fresh 3ds Max: nothing loaded yet
    max_window.show()
    dock = vrdr_max.panel.show_panel()
    qapp.processEvents()
    out, err = capsys.readouterr()
    assert out.count("\n") == 1 and "pydantic 1.10.13 is loaded from" in out
    assert "Traceback" not in out + err
    assert isinstance(dock, QtWidgets.QDockWidget) and dock.isVisible()
    assert "pydantic 1.10.13" in dock.widget().text()
    assert "vrdr_max.panel.dock" not in sys.modules  # nothing that needs pydantic was imported
    assert vrdr_max.panel.show_panel() is dock  # a second click raises the same dock
    capsys.readouterr()


def test_without_qtpy_only_the_line(monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    import vrdr_max.panel

    monkeypatch.setitem(sys.modules, "qtpy", _fake("qtpy", "1.9.0", "C:/old/qtpy/__init__.py"))
    assert vrdr_max.panel.show_panel() is None
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "qtpy 1.9.0 is loaded" in out
