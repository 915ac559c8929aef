"""mock_pymxs' start-up surroundings raise where 3ds Max would (or where the mock stops)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import mock_pymxs
from mock_pymxs import MAXScriptException, MockGapError, UndefinedGlobalError
from mock_pymxs.maxui import StartupState, startup_state


def runtime() -> Any:
    return sys.modules["pymxs"].runtime  # the installed mock


@pytest.fixture
def max_for(request: pytest.FixtureRequest):
    mocks: list[mock_pymxs.MockMax] = []

    def install(year: int) -> StartupState:
        scene = mock_pymxs.load_scene(mock_pymxs.SCENES_DIR / "demo.json")
        mocks.append(mock_pymxs.install(scene.model_copy(update={"max_version": year})))
        return startup_state(mocks[-1])

    yield install
    for m in reversed(mocks):
        m.uninstall()


def test_macros_and_their_bodies(max_for) -> None:
    max_for(2025)
    rt = runtime()
    rt.macros.new("Cat", "Act", "tip", "Text", 'python.Execute "import sys; sys.vrdr_probe = 1"')
    assert rt.macros.run("cat", "ACT") is True  # MAXScript names are case-insensitive
    assert getattr(sys, "vrdr_probe", None) == 1
    del sys.vrdr_probe  # type: ignore[attr-defined]
    with pytest.raises(MAXScriptException, match="no macroscript"):
        rt.macros.run("Cat", "Missing")
    rt.macros.new("Cat", "Other", "tip", "Text", 'messageBox "hi"')
    with pytest.raises(MockGapError):
        rt.macros.run("Cat", "Other")
    with pytest.raises(MAXScriptException, match="Unable to convert"):
        rt.macros.new("Cat", 1, "tip", "Text", "x")
    with pytest.raises(MockGapError):
        rt.macros.list()


def test_2025_menus_exist_only_inside_the_callback(max_for) -> None:
    st = max_for(2025)
    rt = runtime()
    rt.macros.new("Cat", "Act", "tip", "Text", 'python.Execute "pass"')
    kept = []

    def build() -> None:
        mgr = rt.callbacks.notificationParam()
        menu = mgr.mainMenuBar.CreateSubMenu("11111111-2222-3333-4444-555555555555", "Mine",
                                             beforeId="cee8f758-2199-411b-81e7-d3ff4a80d143")
        menu.CreateAction("11111111-2222-3333-4444-666666666666", 647394, "Act`Cat")
        kept.append(menu)

    rt.callbacks.addScript(rt.Name("cuiRegisterMenus"), build, id=rt.Name("t"))
    bar = st.load_menus()
    assert [i.title for i in bar.items] == ["&Scripting", "Mine", "&Help"]
    with pytest.raises(MAXScriptException, match="inside the #cuiRegisterMenus callback"):
        kept[0].CreateAction("11111111-2222-3333-4444-777777777777", 647394, "Act`Cat")
    with pytest.raises(MockGapError):
        _ = rt.menuMan


def test_2025_menu_ids_are_guids_used_once(max_for) -> None:
    st = max_for(2026)
    rt = runtime()
    errors: list[BaseException] = []

    def build() -> None:
        mgr = rt.callbacks.notificationParam()
        for menu_id in ("not-a-guid", "cee8f758-2199-411b-81e7-d3ff4a80d143"):
            try:
                mgr.mainMenuBar.CreateSubMenu(menu_id, "X")
            except MAXScriptException as exc:
                errors.append(exc)
        try:
            mgr.mainMenuBar.CreateAction("11111111-2222-3333-4444-666666666666", 647394, "No`Such")
        except MAXScriptException as exc:
            errors.append(exc)

    rt.callbacks.addScript(rt.Name("cuiRegisterMenus"), build)
    st.load_menus()
    assert len(errors) == 3
    for error, text in zip(errors, ("not a GUID", "id already in use", "no action 'No`Such'"),
                           strict=True):
        assert text in str(error)


def test_2024_menuman_reads_1_based_and_inserts_0_based(max_for) -> None:
    # getItem is 1-based (ADN menuhook reads 1..numItems()); addItem's position is 0-based
    # with -1 for the end (ADN menuhook and tk-3dsmax insert before Help at numItems() - 1).
    st = max_for(2024)
    rt = runtime()
    mm = rt.menuMan
    rt.macros.new("Cat", "Act", "tip", "Text", 'python.Execute "pass"')
    bar = mm.getMainMenuBar()
    assert bar.getItem(bar.numItems()).getTitle() == "&Help"
    with pytest.raises(MAXScriptException, match="index out of range"):
        bar.getItem(0)
    first, mine, last = (mm.createSubMenuItem(t, mm.createMenu(t)) for t in ("A", "B", "Z"))
    assert bar.addItem(mine, bar.numItems() - 1) is True
    assert bar.addItem(first, 0) is True
    assert bar.addItem(last, -1) is True
    assert [bar.getItem(i).getTitle() for i in range(1, bar.numItems() + 1)] == [
        "A", "&File", "&Edit", "&Scripting", "B", "&Help", "Z"]
    with pytest.raises(MAXScriptException, match="position out of range"):
        bar.addItem(mine, bar.numItems() + 1)
    with pytest.raises(MockGapError):  # 0- or 1-based? [unverified]: nothing may rely on it
        bar.removeItemByPosition(1)
    assert rt.menuMan.createActionItem("Nope", "Cat") is None
    with pytest.raises(MAXScriptException, match="Unable to convert"):
        bar.addItem("not an item", 1)
    with pytest.raises(MockGapError):
        st.load_menus()
    with pytest.raises(UndefinedGlobalError):
        _ = rt.cuiMenuManagerThatDoesNotExist


def test_python_execute_file_and_the_ms_shim(max_for, tmp_path: Path) -> None:
    st = max_for(2024)
    rt = runtime()
    script = tmp_path / "boot.py"
    script.write_text("import sys\nsys.vrdr_boot = (__name__, '__file__' in globals())\n",
                      encoding="utf-8")
    shim = tmp_path / "boot.ms"
    shim.write_text('-- comment\npython.ExecuteFile ((getFilenamePath (getSourceFileName())) + '
                    '"boot.py")\n', encoding="utf-8")
    st.run_script_file(shim)
    assert sys.vrdr_boot == ("__main__", False)  # type: ignore[attr-defined]
    del sys.vrdr_boot  # type: ignore[attr-defined]
    shim.write_text('messageBox "hello"\n', encoding="utf-8")
    with pytest.raises(MockGapError):
        st.run_script_file(shim)
    with pytest.raises(MAXScriptException, match="file not found"):
        rt.python.ExecuteFile(str(tmp_path / "missing.py"))


def test_host_flags(max_for) -> None:
    st = max_for(2025)
    rt = runtime()
    assert (rt.IsNetServer(), rt.maxOps.isInNonInteractiveMode(), rt.GetQuietMode()) == (
        False, False, False)
    st.net_server = st.batch = st.quiet = True
    assert (rt.IsNetServer(), rt.maxOps.isInNonInteractiveMode(), rt.GetQuietMode()) == (
        True, True, True)
    st.net_server = st.batch = st.quiet = None  # functions that return undefined
    assert (rt.IsNetServer(), rt.maxOps.isInNonInteractiveMode(), rt.GetQuietMode()) == (
        None, None, None)
    st.undefined.add("IsNetServer")  # a global that holds undefined reads as None
    assert rt.IsNetServer is None
    st.absent.add("GetQuietMode")  # not defined at all: AttributeError, like any unknown global
    with pytest.raises(UndefinedGlobalError):
        _ = rt.GetQuietMode
    with pytest.raises(MockGapError):
        rt.maxOps.GetICuiMenuMgr()


def test_execute_file_runs_under_the_name_the_test_chooses(max_for, tmp_path: Path) -> None:
    st = max_for(2025)
    script = tmp_path / "who.py"
    script.write_text("import sys\nsys.vrdr_who = __name__\n", encoding="utf-8")
    runtime().python.ExecuteFile(str(script))
    assert sys.vrdr_who == "__main__"  # type: ignore[attr-defined]
    st.script_name = "who"  # what 3ds Max really uses is [unverified]
    runtime().python.ExecuteFile(str(script))
    assert sys.vrdr_who == "who"  # type: ignore[attr-defined]
    del sys.vrdr_who  # type: ignore[attr-defined]
