"""The mock's scene beyond the node tree (issue 15): rootScene's branches, outputs, nested
layers, the workstation's name and wildcard file look-ups, each as 3ds Max documents it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import mock_pymxs
from mock_pymxs.errors import MAXScriptException, SceneFileError

VRAY_DLL = {"name": "vrender2025.dlr", "path": "C:\\vray\\vrender2025.dlr",
            "classes": ["V_Ray_6__update_2_1", "VRayBitmap", "VRayLight", "VRayExtraTex"]}
MAPS = [
    {"name": "Wood", "class": "Bitmaptexture", "filename": "\\\\fs\\tex\\wood.jpg"},
    {"name": "Sky", "class": "VRayBitmap", "HDRIMapName": "\\\\fs\\hdri\\sky.exr"},
    {"name": "GI_Sky", "class": "VRayBitmap", "HDRIMapName": "\\\\fs\\hdri\\gi.exr"},
    {"name": "AO_Mask", "class": "Bitmaptexture", "filename": "\\\\fs\\tex\\ao.png"},
    {"name": "Fog_Noise", "class": "Bitmaptexture", "filename": "\\\\fs\\tex\\fog.png"},
    {"name": "Slot_Only", "class": "Bitmaptexture", "filename": "C:\\old\\slot.jpg"},
    {"name": "Slate_Only", "class": "Bitmaptexture", "filename": "C:\\old\\slate.jpg"},
]
BRANCHES = {
    "renderer": {"class": "V_Ray_6__update_2_1", "refs": {"environment_gi_map": "GI_Sky"},
                 "props": {"output_rawFileName": "\\\\fs\\out\\raw.exr"}},
    "plugin_dlls": [VRAY_DLL],
    "maps": MAPS,
    "materials": [{"name": "Floor", "maps": ["Wood"]}],
    "nodes": [{"name": "Ground", "class": "Plane", "material": "Floor"}],
    "environment": {"map": "Sky", "atmospherics": [{"name": "Mist", "class": "Fog",
                                                    "maps": ["Fog_Noise"]}]},
    "render_elements": [{"name": "AO", "class": "VRayExtraTex", "maps": ["AO_Mask"],
                         "filename": "\\\\fs\\out\\shot_AO.exr"}],
    "render": {"output": "\\\\fs\\out\\shot_.exr", "save_file": True},
    "material_editor": ["Floor", "Slot_Only"],
    "slate_editor": ["Slate_Only"],
    "computer_name": "WS-042",
}


@pytest.fixture
def mock(tmp_path: Path) -> Iterator[Any]:
    with mock_pymxs.installed(mock_pymxs.parse_scene(BRANCHES), plugcfg_dir=tmp_path) as mock:
        yield mock


@pytest.fixture
def rt(mock: Any) -> Any:
    return mock.runtime


def names(items: Any) -> list[str]:
    return [str(item.name) for item in items]


def test_root_scene_has_the_documented_branches(rt: Any) -> None:
    # Autodesk, "rootScene System Global Variable": `getsubanimnames rootScene`.
    assert [str(n) for n in rt.getSubAnimNames(rt.rootScene)] == [
        "Sound", "Video_Post", "Global_Tracks", "biped", "Anim_Layer_Control_Manager", "SME",
        "Environment", "Render_Effects", "Render_Elements", "renderer",
        "Global_Shadow_Parameters", "Scene_Materials", "Medit_Materials", "world"]
    world = rt.getSubAnim(rt.rootScene, 14)  # 1-based, as MAXScript's sub-anim indexes
    assert str(world) == "SubAnim:world" and world.object == rt.rootNode
    assert str(rt.getSubAnim(rt.rootScene, rt.Name("Environment")).name) == "Environment"
    with pytest.raises(MAXScriptException, match="index out of range"):
        rt.getSubAnim(rt.rootScene, 0)


def test_without_a_target_every_branch_is_searched(rt: Any) -> None:
    everything = names(rt.getClassInstances(rt.Bitmaptexture))
    assert everything == ["Wood", "AO_Mask", "Fog_Noise", "Slot_Only", "Slate_Only"]
    assert names(rt.getClassInstances(rt.VRayBitmap)) == ["Sky", "GI_Sky"]
    assert names(rt.getClassInstances(rt.Bitmaptexture, target=rt.rootScene)) == everything


def test_the_root_node_holds_only_the_node_tree(rt: Any) -> None:
    assert names(rt.getClassInstances(rt.Bitmaptexture, target=rt.rootNode)) == ["Wood"]
    assert names(rt.getClassInstances(rt.VRayBitmap, target=rt.rootNode)) == []


@pytest.mark.parametrize(("branch", "cls", "found"), [
    ("Environment", "VRayBitmap", ["Sky"]),
    ("Environment", "Bitmaptexture", ["Fog_Noise"]),
    ("Render_Elements", "Bitmaptexture", ["AO_Mask"]),
    ("renderer", "VRayBitmap", ["GI_Sky"]),
    ("Medit_Materials", "Bitmaptexture", ["Wood", "Slot_Only"]),
    ("SME", "Bitmaptexture", ["Slate_Only"]),
    ("Sound", "Bitmaptexture", []),
])
def test_each_branch_holds_its_own(rt: Any, branch: str, cls: str, found: list[str]) -> None:
    target = rt.getSubAnim(rt.rootScene, rt.Name(branch)).object
    assert names(rt.getClassInstances(getattr(rt, cls), target=target)) == found


def test_a_target_object_searches_its_own_hierarchy(rt: Any) -> None:
    renderer = rt.renderers.current
    assert names(rt.getClassInstances(rt.VRayBitmap, target=renderer)) == ["GI_Sky"]
    assert rt.renderers.current.environment_gi_map.name == "GI_Sky"


def test_an_environment_map_set_by_script_is_in_the_scene(rt: Any) -> None:
    new_sky = rt.VRayBitmap(HDRIMapName="C:\\hdri\\new.exr", name="New_Sky")
    assert "New_Sky" not in names(rt.getClassInstances(rt.VRayBitmap))  # detached so far
    rt.environmentMap = new_sky
    assert rt.environmentMap.name == "New_Sky"
    assert names(rt.getClassInstances(rt.VRayBitmap)) == ["Sky", "GI_Sky", "New_Sky"]
    with pytest.raises(MAXScriptException, match="textureMap"):
        rt.environmentMap = "C:\\hdri\\new.exr"


def test_a_map_a_script_made_and_let_go_is_found_nowhere(rt: Any) -> None:
    # Among the scene file's maps of its class, before them and after them in the list.
    sky = rt.environmentMap
    new_sky = rt.VRayBitmap(HDRIMapName="C:\\hdri\\new.exr", name="New_Sky")
    rt.environmentMap = new_sky
    assert names(rt.getClassInstances(rt.VRayBitmap)) == ["Sky", "GI_Sky", "New_Sky"]
    rt.environmentMap = sky  # nothing holds New_Sky now: as in 3ds Max, no scan finds it
    assert names(rt.getClassInstances(rt.VRayBitmap)) == ["Sky", "GI_Sky"]
    assert "New_Sky" not in names(rt.getClassInstances(rt.VRayBitmap, target=rt.rootNode))


def test_render_elements_are_zero_based_and_hold_their_outputs(rt: Any) -> None:
    mgr = rt.maxOps.GetCurRenderElementMgr()
    assert mgr.NumRenderElements() == 1
    assert str(mgr.GetRenderElement(0).elementname) == "VRayExtraTex"
    assert mgr.GetRenderElementFilename(0) == "\\\\fs\\out\\shot_AO.exr"
    with pytest.raises(MAXScriptException, match="index out of range"):
        mgr.GetRenderElementFilename(1)
    extra = rt.VRayExtraTex(elementname="Dirt")
    assert mgr.AddRenderElement(extra) and mgr.NumRenderElements() == 2
    assert mgr.RemoveRenderElement(extra) and mgr.NumRenderElements() == 1


def test_asset_tracking_lists_outputs_unless_told_and_honouring(mock: Any) -> None:
    import pymxs

    rt = mock.runtime
    outputs = ["\\\\fs\\out\\shot_.exr", "\\\\fs\\out\\shot_AO.exr", "\\\\fs\\out\\raw.exr"]
    _count, files = rt.ATSOps.GetFiles(pymxs.byref(None))
    assert list(files)[-3:] == outputs  # listed by default (the Asset Tracking dialog)
    rt.ATSOps.ExcludeOutputFiles = True
    assert list(rt.ATSOps.GetFiles(pymxs.byref(None))[1])[-3:] == outputs  # [unverified] case
    mock.scene.ats_honours_exclusion = True
    assert not set(outputs) & set(rt.ATSOps.GetFiles(pymxs.byref(None))[1])
    assert rt.rendOutputFilename == outputs[0] and rt.rendSaveFile is True


def test_the_workstation_has_a_name(rt: Any) -> None:
    assert rt.sysInfo.computername == "WS-042"


def test_get_files_matches_wildcards_in_the_file_name_only(tmp_path: Path) -> None:
    files = ["C:\\cache\\Fire_0001.aur", "C:\\cache\\Fire_0002.AUR",
             "C:\\cache\\sub\\Fire_0003.aur", "C:\\cache\\Smoke_0001.aur"]
    scn = mock_pymxs.parse_scene({"renderer": {"class": "Default_Scanline_Renderer"},
                                  "client_files": files})
    with mock_pymxs.installed(scn, plugcfg_dir=tmp_path) as mock:
        rt = mock.runtime
        assert list(rt.getFiles("c:/CACHE/fire_*.aur")) == files[:2]
        assert list(rt.getFiles("C:\\cache\\Fire_000?.aur")) == files[:2]
        assert list(rt.getFiles("C:\\ca*\\Fire_0001.aur")) == []
        assert list(rt.getFiles("C:\\nowhere\\*.aur")) == []


NESTED = {
    "renderer": {"class": "V_Ray_6__update_2_1"}, "plugin_dlls": [VRAY_DLL],
    "layers": [{"name": "Lighting", "hidden": True}, {"name": "Keys", "parent": "Lighting"}],
    "nodes": [{"name": "Key", "class": "VRayLight", "layer": "Keys"}],
}


def test_a_child_layer_keeps_its_own_flag_under_a_hidden_parent(tmp_path: Path) -> None:
    with mock_pymxs.installed(mock_pymxs.parse_scene(NESTED), plugcfg_dir=tmp_path) as mock:
        rt = mock.runtime
        layer = rt.getNodeByName("Key").layer
        assert layer.name == "Keys" and layer.ishidden is False  # its own flag only
        parent = layer.getParent()
        assert parent.name == "Lighting" and parent.ishidden is True
        assert parent.getParent() is None  # a top-level layer has no parent (undefined)
        assert parent.getNumChildren() == 1 and parent.getChild(1).name == "Keys"
        assert mock.scene.layer("Keys").hidden_in_tree()


@pytest.mark.parametrize(("layers", "message"), [
    ([{"name": "A", "parent": "B"}], "layers[0].parent: no layer named 'B'"),
    ([{"name": "A", "parent": "B"}, {"name": "B", "parent": "A"}], "nest in a cycle"),
    ([{"name": "0", "parent": "A"}, {"name": "A"}], 'layer "0" cannot be nested'),
])
def test_a_layer_tree_that_cannot_exist_is_refused(layers: list[dict[str, Any]],
                                                   message: str) -> None:
    with pytest.raises(SceneFileError, match=re.escape(message)):
        mock_pymxs.parse_scene({**NESTED, "layers": layers, "nodes": []})


@pytest.mark.parametrize(("field", "value", "message"), [
    ("environment", {"map": "Nope"}, "environment.map: no map named 'Nope'"),
    ("render_elements", [{"name": "E", "class": "Fog"}], "Fog is a Atmospheric"),
    ("slate_editor", ["Nope"], "slate_editor[0]: no material or map named 'Nope'"),
    ("editor_missing_instances", {"Box": 1}, "not a Missing_* class"),
    ("computer_name", "a\\b", "computer_name: letters"),
])
def test_bad_branch_fields_are_load_errors(field: str, value: Any, message: str) -> None:
    with pytest.raises(SceneFileError, match=re.escape(message)):
        mock_pymxs.parse_scene({**BRANCHES, field: value})


def test_a_renderer_reference_must_be_a_property_of_the_right_kind() -> None:
    bad = {**BRANCHES, "renderer": {"class": "V_Ray_6__update_2_1",
                                    "refs": {"options_overrideMtl_mtl": "Wood"}}}
    with pytest.raises(SceneFileError, match="no map or material named 'Wood'"):
        mock_pymxs.parse_scene(bad)
    typo = {**BRANCHES, "renderer": {"class": "V_Ray_6__update_2_1",
                                     "refs": {"environment_gi_mapp": "Sky"}}}
    with pytest.raises(SceneFileError, match="has no property 'environment_gi_mapp'"):
        mock_pymxs.parse_scene(typo)


def test_a_map_a_script_lets_go_of_is_held_by_nothing(rt: Any) -> None:
    import pymxs

    rt.environmentMap = rt.VRayBitmap(HDRIMapName="C:\\hdri\\probe.exr", name="Probe")
    assert "Probe" in names(rt.getClassInstances(rt.VRayBitmap))
    rt.environmentMap = None  # undefined
    assert "Probe" not in names(rt.getClassInstances(rt.VRayBitmap))
    assert "C:\\hdri\\probe.exr" not in list(rt.ATSOps.GetFiles(pymxs.byref(None))[1])
