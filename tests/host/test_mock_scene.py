"""mock_pymxs scene files: schema errors name the field; bundled scenes hold what they promise."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest

import mock_pymxs
from mock_pymxs import SceneFileError, bundled_scene, load_scene
from mock_pymxs.generator import synthetic_scene
from mock_pymxs.vfs import VirtualFiles, normalize

BUNDLED = ("demo", "clean", "gpu", "scanline")


def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (mock_pymxs.SCENES_DIR / "demo.json").read_text(encoding="utf-8")
    )
    return data


def write(tmp_path: Path, data: object, name: str = "scene.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def error_for(tmp_path: Path, data: object) -> str:
    with pytest.raises(SceneFileError) as info:
        load_scene(write(tmp_path, data))
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_scenes_load_and_install(name: str) -> None:
    with mock_pymxs.installed(name) as mock:
        assert len(mock.runtime.objects) == len(bundled_scene(name).nodes)


# -- schema errors ----------------------------------------------------------------------------


def test_missing_field_is_named(tmp_path: Path) -> None:
    data = demo_data()
    del data["nodes"][3]["class"]
    assert error_for(tmp_path, data) == "scene.json: nodes[3].class: field required"


def test_extra_field_is_rejected(tmp_path: Path) -> None:
    data = demo_data()
    data["renderer"]["colour"] = "red"
    assert error_for(tmp_path, data).startswith("scene.json: renderer.colour: extra inputs")


def test_wrong_type_is_named(tmp_path: Path) -> None:
    data = demo_data()
    data["nodes"][0]["hidden"] = "sometimes"
    assert error_for(tmp_path, data).startswith("scene.json: nodes[0].hidden: ")


def test_several_errors_report_first_and_count(tmp_path: Path) -> None:
    data = demo_data()
    del data["nodes"][1]["name"]
    del data["nodes"][2]["name"]
    assert error_for(tmp_path, data) == "scene.json: nodes[1].name: field required (and 1 more)"


def test_malformed_json_gives_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"renderer": {"class": "Box",}}', encoding="utf-8")
    with pytest.raises(SceneFileError, match=r"^broken\.json: line 1 column \d+: "):
        load_scene(path)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(SceneFileError, match=r"^nope\.json: cannot read"):
        load_scene(tmp_path / "nope.json")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["nodes"][0].update({"class": "NoSuchThing"}),
            "nodes[0].class: unknown class 'NoSuchThing'",
        ),
        (
            lambda d: d["nodes"].append({"name": "X", "class": "Forest_Pro"}),
            "nodes[35].class: not provided by any plugin_dlls[].classes: 'Forest_Pro'",
        ),
        (
            lambda d: d["nodes"][0].update({"target": "Nobody"}),
            "nodes[0].target: no node named 'Nobody'",
        ),
        (
            lambda d: d["nodes"][0].update({"on": True}),
            "nodes[0].on: only lights have on (Plane is a GeometryClass)",
        ),
        (
            lambda d: d["materials"][0]["maps"].append("Ghost"),
            "materials[0].maps: no map named 'Ghost'",
        ),
        (
            lambda d: d["renderer"].update({"class": "Box"}),
            "renderer.class: Box is a GeometryClass",
        ),
        (lambda d: d["render"].update({"type": "everything"}), "render.type: one of"),
    ],
)
def test_cross_field_errors_are_named(tmp_path: Path, change: Any, expected: str) -> None:
    data = demo_data()
    change(data)
    assert error_for(tmp_path, data).startswith(f"scene.json: {expected}")


def test_property_errors_are_named_at_install(tmp_path: Path) -> None:
    data = demo_data()
    data["renderer"]["props"]["system_distributedRender_port"] = 20204
    with pytest.raises(
        SceneFileError, match=r"^scene\.json: renderer\.props\.system_distributedRender_port: "
    ):
        mock_pymxs.install(write(tmp_path, data))
    bad_type = copy.deepcopy(demo_data())
    bad_type["renderer"]["props"]["options_defaultLights"] = "on"
    with pytest.raises(SceneFileError, match="takes int"):
        mock_pymxs.install(write(tmp_path, bad_type, "b.json"))
    assert "pymxs" not in sys.modules  # a failed install leaves nothing behind


def test_scene_file_error_is_a_value_error() -> None:
    assert issubclass(SceneFileError, ValueError)


# -- what the bundled scenes plant ----------------------------------------------------------------


def test_demo_planted_problems() -> None:
    with mock_pymxs.installed("demo") as mock:
        rt = mock.runtime
        r = rt.renderers.current
        assert str(rt.classOf(r)).startswith("V_Ray_6__")
        assert r.system_distributedRender is False
        assert r.system_checkForMissingFiles is True
        assert (r.options_defaultLights, r.options_hiddenLights, r.options_lights) == (
            1,
            False,
            True,
        )
        lights = {n.name: n for n in rt.lights if rt.classOf(n) != rt.Targetobject}
        assert lights["Ceiling_Light_Panel"].isHidden
        assert lights["Ceiling_Light_Panel"].on
        assert lights["Spot_Photometric"].on is False
        assert lights["IES_Downlight"].enabled is False
        files = {m.name: m.filename for m in rt.getClassInstances(rt.Bitmaptexture)}
        resolve = rt.mapPaths.getFullFilePath
        assert resolve(files["Wood_Floor_Diffuse"]) == ""
        assert files["Wood_Floor_Diffuse"].startswith("C:\\Users\\artist\\Desktop\\")
        assert resolve(files["Concrete_Wall"]) == "D:\\textures\\concrete_wall.png"
        assert resolve(files["Marble_Table"]).startswith("\\\\fileserver\\")
        ies = rt.getClassInstances(rt.VRayIES)[0].ies_file
        assert rt.doesFileExist(ies)
        assert rt.getClassInstances(rt.VRayProxy)[0].fileName.startswith("D:\\")
        fire = rt.getClassInstances(rt.FireSmokeSim)
        assert len(fire) == 1
        pm = rt.pluginManager
        dlls = {
            pm.pluginDllName(i): pm.pluginDllFullPath(i) for i in range(1, pm.pluginDllCount + 1)
        }
        assert "phoenixfd.dlo" in dlls
        assert len(rt.getClassInstances(rt.Missing_GeomObject)) == 2
        assert rt.SceneMissingPlugIns.GetMissingPlugInFileName(1) == "ForestPackPro.dlo"
        assert str(rt.getRenderType()) == "region"
        assert not rt.renderSceneDialog.isOpen()


def test_clean_scene_has_none_of_them() -> None:
    with mock_pymxs.installed("clean") as mock:
        rt = mock.runtime
        r = rt.renderers.current
        assert r.system_distributedRender is True
        assert r.system_checkForMissingFiles is False
        lights = [n for n in rt.lights if rt.classOf(n) != rt.Targetobject]
        assert lights
        assert all(n.on and not n.isHidden for n in lights)
        paths = [m.filename for m in rt.getClassInstances(rt.Bitmaptexture)]
        paths += [m.HDRIMapName for m in rt.getClassInstances(rt.VRayBitmap)]
        paths += [p.fileName for p in rt.getClassInstances(rt.VRayProxy)]
        assert all(p.startswith("\\\\") for p in paths)
        assert all(rt.mapPaths.getFullFilePath(p) == p for p in paths)
        assert rt.SceneMissingPlugIns.GetMissingPlugInCount() == 0
        assert str(rt.getRenderType()) == "view"


# -- virtual files ----------------------------------------------------------------------------


def test_virtual_files_are_windows_like() -> None:
    files = VirtualFiles(["\\\\Server\\Share\\Tex\\A.JPG", "D:/maps//b.png"])
    assert files.exists("//server/share/tex/a.jpg")
    assert files.exists("\\\\server\\share\\tex")
    assert files.exists("d:\\")
    assert files.is_file("D:\\maps\\B.png")
    assert not files.is_file("D:\\maps")
    files.remove("d:\\MAPS\\b.png")
    assert not files.exists("D:\\maps")
    assert normalize("D:\\a\\\\b\\") == "D:\\a\\b"


# -- generator ----------------------------------------------------------------------------------


def test_synthetic_scene_sizes_and_determinism() -> None:
    scene = synthetic_scene(nodes=2000, maps=300, lights=40, seed=7)
    lights = [n for n in scene.nodes if n.class_ in ("VRayLight", "Target_Light")]
    assert len(lights) == 40
    assert len(scene.nodes) == 2000 + 40 + 20  # 20 Target_Lights bring their targets
    assert len(scene.maps) == 300
    again = synthetic_scene(nodes=2000, maps=300, lights=40, seed=7)
    assert [m.filename for m in again.maps] == [m.filename for m in scene.maps]
    with mock_pymxs.installed(scene) as mock:
        rt = mock.runtime
        assert len(rt.objects) == len(scene.nodes)
        assert len(rt.getClassInstances(rt.Bitmaptexture)) == 300
        missing = [
            m
            for m in rt.getClassInstances(rt.Bitmaptexture)
            if not rt.mapPaths.getFullFilePath(m.filename)
        ]
        assert 0 < len(missing) < 60


def test_synthetic_scene_default_size() -> None:
    scene = synthetic_scene()
    assert len(scene.maps) == 10_000
    assert sum(1 for n in scene.nodes if n.class_ != "Targetobject") == 101_000
    mock = mock_pymxs.install(scene, check=False)
    try:
        assert len(mock.runtime.lights) == 1_500
    finally:
        mock.uninstall()


def test_root_app_data_comes_from_the_scene(tmp_path: Path) -> None:
    data = demo_data()
    data["root_appdata"] = {"1987208306": '{"backup": "vray_dr.cfg.bak"}'}
    with mock_pymxs.installed(write(tmp_path, data)) as mock:
        rt = mock.runtime
        assert rt.getAppData(rt.rootNode, 1987208306) == '{"backup": "vray_dr.cfg.bak"}'


def test_every_list_left_out_is_a_new_empty_list_of_its_own() -> None:
    # The scene models' list defaults come from a factory (a function, not ``list``, where
    # the model is built once per file): each model gets its own empty list, never a shared one.
    from pydantic import BaseModel

    from mock_pymxs import scene as scene_module

    models = [m for m in vars(scene_module).values() if isinstance(m, type)
              and issubclass(m, BaseModel) and m.__module__ == scene_module.__name__]
    required = {"name": "n", "class": "Box", "path": "p", "dll": "d",
                "renderer": {"class": "Default_Scanline_Renderer"}}
    checked = 0
    for model in models:
        lists = [name for name, f in model.model_fields.items() if f.default_factory is not None
                 and isinstance(f.default_factory(), list)]  # type: ignore[call-arg]
        if not lists:
            continue
        needed = {f.alias or name: required[f.alias or name]
                  for name, f in model.model_fields.items() if f.is_required()}
        one, two = model.model_validate(needed), model.model_validate(needed)
        for name in lists:
            assert getattr(one, name) == [] and getattr(one, name) is not getattr(two, name)
            checked += 1
    assert checked == 20


def test_an_object_holds_no_nodes_or_maps_until_given_and_never_shares_them() -> None:
    from mock_pymxs import classes
    from mock_pymxs.state import LayerState, NodeState, ObjState

    box = classes.CLASSES["box"]
    one, two = ObjState(box), ObjState(box)
    assert list(one.nodes) == [] and list(one.maps) == []
    layer = LayerState("0")
    first = NodeState("A", one, layer)
    second = NodeState("B", one, layer)  # an instance: another node of the same base object
    assert one.nodes == [first, second] and list(two.nodes) == []
    third = NodeState("C", two, layer)
    assert two.nodes == [third] and one.nodes == [first, second]
