"""mock_pymxs behaves like pymxs where the adapter depends on it (faithfulness tests)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import mock_pymxs
from mock_pymxs import (
    MAXScriptException,
    MockGapError,
    MockMax,
    UndefinedGlobalError,
    UnknownPropertyError,
    install,
    pytest_plugin,
)
from mock_pymxs.values import Array, Name

mock_max = pytest_plugin.mock_max  # the fixture under test

pytest_plugins = ["pytester"]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[MockMax]:
    plugcfg = tmp_path / "plugcfg"
    plugcfg.mkdir()
    mock = install("demo", plugcfg_dir=plugcfg)
    yield mock
    mock.uninstall()


@pytest.fixture
def rt(demo: MockMax) -> Any:
    pymxs = load("pymxs")

    return pymxs.runtime


def load(module: str) -> Any:
    """Import a module the mock provides (only importable while it is installed)."""
    return importlib.import_module(module)


def node(rt: Any, name: str) -> Any:
    return next(n for n in rt.objects if n.name == name)


# -- install / uninstall --------------------------------------------------------------------


def test_install_puts_modules_and_uninstall_restores_previous() -> None:
    sentinel = object()
    sys.modules["qtmax"] = sentinel  # type: ignore[assignment]
    sys.modules.pop("pymxs", None)
    try:
        mock = install("clean")
        pymxs = load("pymxs")
        qtmax = load("qtmax")

        assert pymxs.runtime is mock.runtime
        assert hasattr(qtmax, "GetQMaxMainWindow")
        mock.uninstall()
        assert "pymxs" not in sys.modules
        assert sys.modules["qtmax"] is sentinel
    finally:
        sys.modules.pop("qtmax", None)


def test_an_uninstalled_scene_is_freed(tmp_path: Path) -> None:
    """Nothing keeps an uninstalled mock's session (and its scene) alive.

    A 100,000-node scene is over half a million objects: one kept per install would make every
    later full collection of a test or benchmark process walk them.
    """
    import gc
    import weakref

    from mock_pymxs.maxui import startup_state

    mock = install("demo", plugcfg_dir=tmp_path)
    assert startup_state(mock).year  # the start-up side of the session exists
    session = weakref.ref(mock._session)
    mock.uninstall()
    del mock
    gc.collect()
    assert session() is None


def test_runtime_bound_at_import_follows_installs_and_fails_after_uninstall() -> None:
    with mock_pymxs.installed("demo"):
        cached = load("pymxs").runtime

        assert str(cached.renderers.current).startswith("V_Ray_6__")
    with mock_pymxs.installed("scanline"):
        assert str(cached.renderers.current).startswith("Default_Scanline_Renderer")
    with pytest.raises(RuntimeError, match="not installed"):
        _ = cached.renderers


def test_mock_max_fixture_installs_bundled_demo(mock_max: MockMax) -> None:
    pymxs = load("pymxs")

    assert pymxs.runtime.getDir(pymxs.runtime.Name("plugcfg")).endswith("plugcfg")
    assert mock_max.scene_model.render.type == "region"


def test_plugin_marker_selects_scene(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mock_scene("gpu")
        def test_gpu(mock_max):
            assert mock_max.scene.current.cls.name == "V_Ray_GPU_7_Hotfix_2"

        def test_default_is_demo(mock_max):
            assert str(mock_max.runtime.getRenderType()) == "region"
        """
    )
    result = pytester.runpytest("-p", "mock_pymxs.pytest_plugin", "--strict-markers")
    result.assert_outcomes(passed=2)


# -- globals, names, undefined ------------------------------------------------------------


def test_unknown_global_raises_attribute_error(rt: Any) -> None:
    with pytest.raises(UndefinedGlobalError):
        _ = rt.noSuchGlobal
    assert not hasattr(rt, "noSuchGlobal")
    assert isinstance(UndefinedGlobalError("x"), AttributeError)


def test_modelled_gap_global_is_not_mistaken_for_undefined(rt: Any) -> None:
    with pytest.raises(MockGapError):
        _ = rt.enumerateFiles
    assert not issubclass(MockGapError, (RuntimeError, AttributeError))  # never swallowed


def test_app_data_on_root_node_and_nodes(demo: MockMax, rt: Any) -> None:
    assert rt.getAppData(rt.rootNode, 7) is None
    rt.setAppData(rt.rootNode, 7, '{"backup": "x"}')
    assert rt.getAppData(rt.rootNode, 7) == '{"backup": "x"}'
    floor = node(rt, "Floor")
    rt.setAppData(floor, 7, "node data")
    assert rt.getAppData(node(rt, "Floor"), 7) == "node data"
    assert rt.getAppData(rt.rootNode, 7) == '{"backup": "x"}'
    rt.deleteAppData(rt.rootNode, 7)
    assert rt.getAppData(rt.rootNode, 7) is None
    with pytest.raises(MAXScriptException):
        rt.setAppData(rt.rootNode, 7, 42)
    assert [w.prop for w in demo.writes] == ["7", "7", "7"]


def test_globals_are_case_insensitive(rt: Any) -> None:
    renderer = rt.renderers.current
    lower = [str(n) for n in rt.getpropnames(renderer)]
    assert lower == [str(n) for n in rt.getPropNames(renderer)]
    assert "system_distributedRender" in lower
    assert rt.Bitmaptexture == rt.BITMAPTEXTURE


def test_undefined_is_none(rt: Any) -> None:
    assert rt.undefined is None


def test_names_compare_case_insensitively_and_print_plain(rt: Any) -> None:
    a, b = rt.Name("PlugCfg"), rt.Name("plugcfg")
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    assert str(a) == "PlugCfg"
    assert repr(b) == "<Name<#plugcfg>>"
    assert a != "plugcfg"  # a Name is not a str


def test_plugin_class_absent_on_client_is_not_a_global(rt: Any) -> None:
    assert hasattr(rt, "FireSmokeSim")  # phoenixfd.dlo is loaded on the demo client
    assert not hasattr(rt, "Forest_Pro")  # Forest Pack is the missing plugin


# -- classes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelled", "printed"),
    [
        ("BitmapTexture", "Bitmaptexture"),
        ("TargetObject", "Targetobject"),
        ("targetcamera", "Targetcamera"),
        ("TARGETSPOT", "targetSpot"),
        ("missing_geomobject", "Missing_GeomObject"),
        ("v_ray_6__update_2_1", "V_Ray_6__update_2_1"),
    ],
)
def test_class_names_print_as_max_spells_them(rt: Any, spelled: str, printed: str) -> None:
    assert str(getattr(rt, spelled)) == printed


def test_class_repr_and_superclass_spelling(rt: Any) -> None:
    assert repr(rt.Box) == "<GeometryClass<Box>>"
    light = node(rt, "Spot_Photometric")
    assert str(rt.superClassOf(light)) == "light"
    assert str(rt.superClassOf(node(rt, "Floor"))) == "GeometryClass"
    assert str(rt.superClassOf(rt.renderers.current)) == "RendererClass"
    tex = rt.getClassInstances(rt.Bitmaptexture)[0]
    assert str(rt.superClassOf(tex)) == "textureMap"
    assert rt.classOf(light) == rt.Target_Light
    assert rt.isKindOf(light, rt.light)
    assert not rt.isKindOf(light, rt.GeometryClass)


def test_renderer_identity_strings_and_class_id(rt: Any) -> None:
    r = rt.renderers.current
    assert str(r) == "V_Ray_6__update_2_1:V-Ray 6, update 2.1"
    assert str(rt.classOf(r)) == "V_Ray_6__update_2_1"
    assert str(r.classid) == "#(1941615238, 2012806412)"
    assert list(r.classid) == [1941615238, 2012806412]
    assert rt.renderers.production == r


# -- properties -----------------------------------------------------------------------------


def test_unknown_property_read_and_write_raise(rt: Any) -> None:
    r = rt.renderers.current
    with pytest.raises(UnknownPropertyError):
        _ = r.system_distributedRender_port
    with pytest.raises(AttributeError):
        r.output_width = 640
    assert not hasattr(r, "distributed_rendering")  # a GPU-only name
    with pytest.raises(MAXScriptException, match="Unknown property"):
        rt.getProperty(r, "nope")


def test_properties_are_case_insensitive(rt: Any) -> None:
    r = rt.renderers.current
    assert r.SYSTEM_CHECKFORMISSINGFILES is True
    assert rt.getProperty(r, rt.Name("Options_DefaultLights")) == 1


def test_a_map_read_is_counted_by_its_canonical_name_in_any_spelling(demo: MockMax,
                                                                      rt: Any) -> None:
    bitmap = rt.getClassInstances(rt.Bitmaptexture)[1]  # 1-based, as MAXScript's arrays
    demo.calls.reset()
    spellings = ("filename", "FileName", "FILENAME", "filename", "name", "Name")
    values = [getattr(bitmap, spelling) for spelling in spellings]
    # A class property by its canonical name; `name` (every map's, not the class's) as spelled.
    assert demo.calls.snapshot() == {"get Bitmaptexture.filename": 4,
                                     "get Bitmaptexture.name": 1, "get Bitmaptexture.Name": 1}
    assert values[:4] == [values[0]] * 4 and values[4] == values[5] == bitmap.name
    for _ in range(3):  # an unknown name raises every time, and is not remembered
        with pytest.raises(UnknownPropertyError):
            _ = bitmap.no_such_property
    assert demo.calls["get Bitmaptexture.no_such_property"] == 3
    cls = bitmap._o.cls  # the read table per spelling, shared by every test: its names only
    assert "no_such_property" not in cls.reads
    assert {*spellings} - {"name", "Name"} <= set(cls.reads)
    assert all(cls.prop(spelling) is not None or spelling.lower() == "name"
               for spelling in cls.reads)


def test_wrong_type_write_raises_and_leaves_value(demo: MockMax, rt: Any) -> None:
    r = rt.renderers.current
    with pytest.raises(MAXScriptException, match="Unable to convert"):
        r.system_distributedRender = "yes"
    with pytest.raises(RuntimeError):  # what adapters catch in real pymxs
        r.options_defaultLights = True
    assert r.system_distributedRender is False
    assert demo.writes == []


def test_writes_are_recorded_with_old_and_new(demo: MockMax, rt: Any) -> None:
    r = rt.renderers.current
    r.system_distributedRender = True
    rt.setProperty(r, "options_defaultLights", 0)
    assert [(w.prop, w.old, w.new) for w in demo.writes] == [
        ("system_distributedRender", False, True),
        ("options_defaultLights", 1, 0),
    ]
    assert demo.writes[0].owner_class == "V_Ray_6__update_2_1"


def test_prop_introspection(rt: Any) -> None:
    r = rt.renderers.current
    names = [str(n) for n in rt.getPropNames(r)]
    assert "system_distributedRender" in names
    assert all(isinstance(n, Name) for n in rt.getPropNames(r))
    assert rt.isProperty(r, "gi_on")
    assert rt.hasProperty(r, "system_*")
    assert not rt.isProperty(r, "distributed_rendering")
    target = node(rt, "Spot_Photometric.Target")
    assert not rt.isProperty(target, "on")
    assert rt.isProperty(target, "name")


def test_gpu_renderer_keeps_cpu_style_settings_in_sub_object() -> None:
    with mock_pymxs.installed("gpu") as mock:
        r = mock.runtime.renderers.current
        assert r.distributed_rendering is True
        assert not mock.runtime.isProperty(r, "system_distributedRender")
        settings = r.V_Ray_settings
        assert settings.options_defaultLights == 2
        settings.options_lights = False
        assert mock.writes[-1].prop == "options_lights"
        assert str(r.classid) == "#(1770671000, 1323107829)"


def test_missing_renderer_and_scanline_have_no_vray_names() -> None:
    with mock_pymxs.installed("scanline") as mock:
        rt = mock.runtime
        r = rt.renderers.current
        assert str(r) == "Default_Scanline_Renderer:Default_Scanline_Renderer"
        assert not any(str(n).startswith(("system_", "options_")) for n in rt.getPropNames(r))
        assert not hasattr(rt, "vrayVersion")
        missing = rt.Missing_Renderer
        assert str(missing) == "Missing_Renderer"
        with pytest.raises(MAXScriptException):
            missing()


def test_setting_renderer_requires_a_renderer_instance(demo: MockMax, rt: Any) -> None:
    with pytest.raises(MAXScriptException):
        rt.renderers.current = rt.V_Ray_6__update_2_1  # the class, not an instance
    fresh = rt.V_Ray_6__update_2_1()
    fired: list[str] = []
    rt.callbacks.addScript(
        rt.Name("postRendererChange"), lambda: fired.append("x"), id=rt.Name("t")
    )
    rt.renderers.current = fresh
    assert rt.renderers.current == fresh
    assert rt.renderers.current.system_distributedRender is False
    assert fired == ["x"]


# -- scene collections and nodes -------------------------------------------------------------


def test_lights_include_targets_of_target_lights(rt: Any) -> None:
    names = {n.name for n in rt.lights}
    assert names == {
        "Ceiling_Light_Panel",
        "Spot_Photometric",
        "Spot_Photometric.Target",
        "IES_Downlight",
    }
    target = node(rt, "Spot_Photometric").target
    assert rt.classOf(target) == rt.Targetobject
    assert target.name not in {n.name for n in rt.geometry}
    assert "Camera_Main.Target" in {n.name for n in rt.cameras}


def test_arrays_index_from_zero_and_functions_from_one(rt: Any) -> None:
    lights = rt.lights
    assert lights[0] == next(iter(lights))
    with pytest.raises(IndexError):
        _ = lights[len(lights)]
    smp = rt.SceneMissingPlugIns
    assert smp.GetMissingPlugInCount() == 1
    assert smp.GetMissingPlugInClassName(1) == "Forest_Pro"
    assert smp.GetMissingPlugInFileName(1) == "ForestPackPro.dlo"
    for bad in (0, 2):
        with pytest.raises(MAXScriptException, match="out of range"):
            smp.GetMissingPlugInClassName(bad)
    pm = rt.pluginManager
    names = [pm.pluginDllName(i) for i in range(1, pm.pluginDllCount + 1)]
    assert "phoenixfd.dlo" in names
    with pytest.raises(MAXScriptException):
        pm.pluginDllName(0)


def test_wrappers_are_fresh_but_equal_and_nodes_hashable(rt: Any) -> None:
    a, b = rt.lights[0], rt.lights[0]
    assert a is not b
    assert a == b
    assert {a: 1}[b] == 1
    r1, r2 = rt.renderers.current, rt.renderers.current
    assert r1 == r2
    with pytest.raises(TypeError):
        hash(r1)


def test_class_instances_and_dependent_nodes(rt: Any) -> None:
    proxies = rt.getClassInstances(rt.VRayProxy)
    assert [p.fileName for p in proxies] == ["D:\\proxies\\ficus_large.vrmesh"]
    assert [n.name for n in rt.refs.dependentNodes(proxies[0])] == ["Plant_Proxy"]
    missing = rt.getClassInstances(rt.Missing_GeomObject)
    assert len(missing) == 2
    assert len(rt.getClassInstances(rt.Missing_OSM)) == 0  # exists in Max, none in this scene
    assert list(rt.getPropNames(missing[0])) == []
    wood = next(m for m in rt.getClassInstances(rt.Bitmaptexture) if m.name == "Wood_Floor_Diffuse")
    assert [n.name for n in rt.refs.dependentNodes(wood)] == ["Floor"]
    hdri = rt.getClassInstances(rt.VRayBitmap)[0]
    assert hdri.HDRIMapName.endswith("studio_small_03_4k.hdr")


def test_creating_a_light_adds_a_node(demo: MockMax, rt: Any) -> None:
    before = len(rt.lights)
    light = rt.VRayLight(name="DR_Fill", type=1)
    assert light.type == 1
    assert len(rt.lights) == before + 1
    spot = rt.targetSpot()
    assert spot.target.name == f"{spot.name}.Target"
    assert demo.created[0].class_name == "VRayLight"
    with pytest.raises(MAXScriptException, match="Unknown property"):
        rt.Skylight(brightness=3.0)


# -- files ----------------------------------------------------------------------------------


def test_full_file_path_resolution(demo: MockMax, rt: Any) -> None:
    mp = rt.mapPaths
    assert mp.getFullFilePath("D:/TEXTURES/Concrete_Wall.png") == "D:/TEXTURES/Concrete_Wall.png"
    assert (
        mp.getFullFilePath("fabric_sofa.jpg") == "\\\\fileserver\\assets\\textures\\fabric_sofa.jpg"
    )
    assert mp.getFullFilePath("C:\\Users\\artist\\Desktop\\wood_floor_diffuse.jpg") == ""
    demo.files.add("\\\\fileserver\\assets\\textures\\wood_floor_diffuse.jpg")
    assert mp.getFullFilePath("C:\\Users\\artist\\Desktop\\wood_floor_diffuse.jpg").startswith(
        "\\\\fileserver"
    )
    assert rt.doesFileExist("d:\\proxies")
    assert not rt.doesFileExist("relative.jpg")


def test_ats_get_files_returns_count_and_list(rt: Any) -> None:
    pymxs = load("pymxs")

    count, files = rt.ATSOps.GetFiles(pymxs.byref(None))
    assert count == len(files)
    assert "D:\\proxies\\ficus_large.vrmesh" in list(files)
    assert next(iter(files)).endswith("living_room_v012.max")


def test_versions_dirs_and_render_settings(demo: MockMax, rt: Any) -> None:
    assert list(rt.maxVersion())[7] == 2025
    assert list(rt.vrayVersion()) == ["6.20.01", "32528"]
    assert str(rt.getRenderType()) == "region"
    assert rt.getRenderType() == rt.Name("REGION")
    assert (rt.renderWidth, rt.renderHeight, rt.rendTimeType) == (1920, 1080, 1)
    assert rt.maxFileName == "living_room_v012.max"
    assert rt.maxFilePath.endswith("\\scenes\\")
    with pytest.raises(MAXScriptException):
        rt.getDir(rt.Name("noSuchDir"))
    with pytest.raises(MockGapError):
        rt.getDir(rt.Name("autoback"))


# -- execute, render, callbacks, dialog, undo ------------------------------------------------


def test_execute_rejects_anything_but_quick_render(demo: MockMax, rt: Any) -> None:
    with pytest.raises(MAXScriptException, match="not implemented in mock_pymxs"):
        rt.execute("renderers.current.system_distributedRender = true")
    assert demo.executed == ["renderers.current.system_distributedRender = true"]
    assert demo.renders == []


def test_render_records_props_at_render_time_and_cfg(demo: MockMax, rt: Any) -> None:
    plugcfg = Path(rt.getDir(rt.Name("plugcfg")))
    (plugcfg / "vray_dr.cfg").write_text("10.0.0.5 1 20204\n", encoding="utf-8")
    rt.renderers.current.system_distributedRender = True
    rt.execute("max  quick   render")
    rt.renderers.current.system_distributedRender = False
    (record,) = demo.renders
    assert record.outcome == "ok"
    assert record.props["system_distributedRender"] is True
    assert record.renderer_class == "V_Ray_6__update_2_1"
    assert record.render_type == "region"
    assert record.cfg_files == {"vray_dr.cfg": "10.0.0.5 1 20204\n"}


def test_render_outcomes_and_callbacks(demo: MockMax, rt: Any) -> None:
    seen: list[tuple[str, object]] = []

    def on(event: str) -> None:
        rt.callbacks.addScript(
            rt.Name(event),
            lambda: seen.append((event, rt.callbacks.notificationParam())),
            id=rt.Name("vrdr"),
        )

    for event in ("preRender", "postRenderFrame", "postRender"):
        on(event)
    rt.execute("max quick render")
    assert [e for e, _ in seen] == ["preRender", "postRenderFrame", "postRender"]
    pre_param = seen[0][1]
    assert isinstance(pre_param, Array)
    assert len(pre_param) == 28
    assert pre_param[1] is False  # isNetRender
    seen.clear()
    demo.next_render_outcome = "cancelled"
    rt.execute("max quick render")
    assert [e for e, _ in seen] == ["preRender", "postRender"]
    demo.next_render_outcome = "error"
    with pytest.raises(RuntimeError, match="Render failed"):
        rt.execute("max quick render")
    assert [r.outcome for r in demo.renders] == ["ok", "cancelled", "error"]
    assert demo.next_render_outcome == "ok"
    rt.callbacks.removeScripts(id=rt.Name("vrdr"))
    seen.clear()
    rt.execute("max quick render")
    assert seen == []


def test_shutting_down_sends_pre_then_post_system_shutdown(demo: MockMax, rt: Any) -> None:
    # MAXScript reference, "System Notifications": #preSystemShutdown while the UI still runs,
    # #postSystemShutdown when it is gone; #systemShutdownCheck is accepted but not fired.
    seen: list[str] = []
    for event in ("systemShutdownCheck", "preSystemShutdown", "postSystemShutdown"):
        rt.callbacks.addScript(rt.Name(event), lambda e=event: seen.append(e),
                               id=rt.Name("vrdr"))
    demo.shut_down()
    assert seen == ["preSystemShutdown", "postSystemShutdown"]


def test_callback_errors_propagate_by_default(demo: MockMax, rt: Any) -> None:
    def boom() -> None:
        raise ValueError("adapter bug")

    rt.callbacks.addScript(rt.Name("preRender"), boom, id=rt.Name("t"))
    with pytest.raises(ValueError, match="adapter bug"):
        rt.execute("max quick render")
    assert len(demo.callback_errors) == 1
    with pytest.raises(MAXScriptException):
        rt.callbacks.addScript(rt.Name("noSuchEvent"), boom)


def test_open_render_dialog_makes_edits_non_sticky(demo: MockMax, rt: Any) -> None:
    dialog = rt.renderSceneDialog
    dialog.open()
    assert dialog.isOpen()
    rt.renderers.current.system_distributedRender = True
    dialog.close()
    assert rt.renderers.current.system_distributedRender is False  # the dialog won
    rt.renderers.current.system_distributedRender = True
    assert rt.renderers.current.system_distributedRender is True


def test_undo_labels_recorded_only_when_on(demo: MockMax) -> None:
    pymxs = load("pymxs")

    with pymxs.undo(True, "vrdr: apply DR settings"), pymxs.redraw(False):
        pass
    with pymxs.undo(False, "ignored"):
        pass
    with pymxs.animate(False), pymxs.attime(0), pymxs.quiet(True), pymxs.mxstoken():
        pass
    assert demo.undo_records == ["vrdr: apply DR settings"]


def test_pymxs_module_has_no_exception_class_of_its_own(demo: MockMax) -> None:
    pymxs = load("pymxs")

    assert not hasattr(pymxs, "MAXScriptException")
    assert issubclass(MAXScriptException, RuntimeError)
    assert isinstance(demo.runtime.renderers.current, pymxs.MXSWrapperBase)


def test_runtime_refuses_worker_threads_without_token(demo: MockMax) -> None:
    pymxs = load("pymxs")

    errors: list[BaseException] = []
    results: list[int] = []

    def worker() -> None:
        try:
            _ = pymxs.runtime.objects
        except RuntimeError as exc:
            errors.append(exc)
        with pymxs.mxstoken():
            results.append(len(pymxs.runtime.objects))

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert len(errors) == 1
    assert results == [len(demo.scene_model.nodes)]


# -- call counting --------------------------------------------------------------------------


def test_call_counting_is_exact(demo: MockMax, rt: Any) -> None:
    demo.calls.reset()
    rt.mapPaths.getFullFilePath("fabric_sofa.jpg")
    assert demo.calls.total == 3
    assert demo.calls["call mapPaths.getFullFilePath"] == 1
    demo.calls.reset()
    lights = rt.lights  # 1
    names = [n.name for n in lights]  # 1 per node, iteration is free
    assert demo.calls.total == 1 + len(names)
    demo.calls.reset()
    r = rt.renderers.current  # 2
    r.system_distributedRender = True  # 1
    rt.classOf(r)  # 2
    assert demo.calls.total == 5
    assert demo.calls.snapshot() == {
        "rt.renderers": 1,
        "get renderers.current": 1,
        "set V_Ray_6__update_2_1.system_distributedRender": 1,
        "rt.classOf": 1,
        "call classOf": 1,
    }


def test_str_repr_len_and_compare_are_free(demo: MockMax, rt: Any) -> None:
    lights = rt.lights
    demo.calls.reset()
    _ = [str(n) for n in lights], repr(lights), len(lights), lights[0] == lights[1]
    assert demo.calls.total == 0


# -- qtmax ----------------------------------------------------------------------------------


def test_qtmax_main_window_without_qapplication_raises_clearly() -> None:
    code = (
        "import mock_pymxs; mock_pymxs.install('clean'); import qtmax\n"
        "try:\n    qtmax.GetQMaxMainWindow()\nexcept RuntimeError as e:\n    print('ERR', e)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ERR qtmax.GetQMaxMainWindow() needs a QApplication")


def test_qtmax_main_window_needs_qapplication_then_is_one_window(demo: MockMax, qapp: Any) -> None:
    qtmax = load("qtmax")
    qt_widgets = load("qtpy.QtWidgets")

    win = qtmax.GetQMaxMainWindow()
    assert isinstance(win, qt_widgets.QMainWindow)
    assert qtmax.GetQMaxMainWindow() is win
    qtmax.DisableMaxAcceleratorsOnFocus(win, True)
    assert demo.qt_calls[-1] == ("DisableMaxAcceleratorsOnFocus", win, True)
