"""The mock models what the adapter once got wrong: editor slots, layers, categories, aliases,
file properties, render types, and bounded scene counts."""

from __future__ import annotations

import json
import os
import resource
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import mock_pymxs
from mock_pymxs.scene import MAX_MISSING_INSTANCES, RENDER_TYPES

RENDERER = {"class": "V_Ray_6__update_2_1"}
VRAY_DLL = {"name": "vrender2025.dlr", "path": "C:\\vray\\vrender2025.dlr",
            "classes": ["V_Ray_6__update_2_1", "VRayBitmap", "VRayHDRI", "VRayLight"]}


def scene(**fields: Any) -> mock_pymxs.Scene:
    return mock_pymxs.parse_scene({"renderer": RENDERER, "plugin_dlls": [VRAY_DLL], **fields})


@pytest.fixture
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    with mock_pymxs.installed(request.param, plugcfg_dir=tmp_path) as mock:
        yield mock.runtime


EDITOR = scene(
    maps=[{"name": "Used", "class": "Bitmaptexture", "filename": "C:\\a.jpg"},
          {"name": "Slot_Only", "class": "Bitmaptexture", "filename": "C:\\b.jpg"}],
    materials=[{"name": "M", "maps": ["Used"]}],
    nodes=[{"name": "Box1", "class": "Box", "material": "M"}],
    material_editor=["M", "Slot_Only"],
)


@pytest.mark.parametrize("rt", [EDITOR], indirect=True)
def test_get_class_instances_without_target_also_searches_the_material_editor(rt: Any) -> None:
    everywhere = [m.name for m in rt.getClassInstances(rt.Bitmaptexture)]
    in_scene = [m.name for m in rt.getClassInstances(rt.Bitmaptexture, target=rt.rootNode)]
    assert everywhere == ["Used", "Slot_Only"]
    assert in_scene == ["Used"]
    # ATS lists the slot's file too [unverified]: the case the adapter must survive.
    count, files = rt.ATSOps.GetFiles(_byref())
    assert list(files) == ["C:\\a.jpg", "C:\\b.jpg"] and count == 2


def _byref() -> Any:
    import pymxs  # the mock, installed by the fixture

    return pymxs.byref(None)


LAYERS = scene(
    layers=[{"name": "Lights_Off", "hidden": True}],
    nodes=[{"name": "Key", "class": "VRayLight", "layer": "Lights_Off"},
           {"name": "Fill", "class": "VRayLight"}],
    hide_by_category=["lights"],
)


@pytest.mark.parametrize("rt", [LAYERS], indirect=True)
def test_layers_and_hide_by_category_are_not_the_node_flag(rt: Any) -> None:
    key, fill = list(rt.lights)
    assert key.isHidden is False and fill.isHidden is False  # only the node's own flag
    assert key.layer.name == "Lights_Off" and key.layer.ishidden is True
    assert fill.layer.name == "0" and fill.layer.ishidden is False
    assert rt.hideByCategory.lights is True and rt.hideByCategory.geometry is False
    assert rt.LayerManager.count == 2 and rt.LayerManager.getLayer(0).name == "0"


@pytest.mark.parametrize("rt", [scene()], indirect=True)
def test_vrayhdri_is_vraybitmap_when_both_exist(rt: Any) -> None:
    assert rt.VRayHDRI == rt.VRayBitmap
    assert str(rt.VRayHDRI) == "VRayBitmap"


SAVED = scene(scene_path="\\\\fs\\p\\a.max", used_plugins=["prim.dlo", "phoenixfd.dlo"])


@pytest.mark.parametrize("rt", [SAVED], indirect=True)
def test_file_properties_list_the_plugins_of_the_last_save(rt: Any) -> None:
    assert list(rt.fileProperties.getItems("Used Plug-Ins")) == ["prim.dlo", "phoenixfd.dlo"]


@pytest.mark.parametrize("rt", [scene()], indirect=True)
def test_a_never_saved_scene_has_no_plugin_list(rt: Any) -> None:
    assert rt.fileProperties.getItems("Used Plug-Ins") is None


def test_every_render_type_loads() -> None:
    assert {"boxselected", "regionselected", "cropselected", "selection"} <= set(RENDER_TYPES)
    for kind in RENDER_TYPES:
        assert scene(render={"type": kind}).render.type == kind


@pytest.mark.parametrize(("counts", "message"), [
    ({"Missing_Mtl": -1}, "missing_instances.Missing_Mtl: input should be greater than or equal"),
    ({"Missing_Mtl": 4_000_000_000}, "missing_instances.Missing_Mtl: input should be less"),
    ({"Missing_Mtl": MAX_MISSING_INSTANCES, "Missing_Light": 1},
     f"missing_instances: more than {MAX_MISSING_INSTANCES} in all"),
])
def test_scene_counts_are_bounded_and_not_negative(counts: dict[str, int], message: str) -> None:
    with pytest.raises(mock_pymxs.SceneFileError) as err:
        scene(missing_instances=counts)
    assert str(err.value).startswith(f"scene: {message}")


def test_a_200_byte_scene_cannot_ask_for_gigabytes(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"renderer": {"class": "Default_Scanline_Renderer"},
                                "missing_instances": {"Missing_GeomObject": 10**10}}))
    assert path.stat().st_size < 200
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(mock_pymxs.SceneFileError):
        mock_pymxs.load_scene(path)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 50_000  # refused before anything was built


def test_only_a_regular_file_is_read_as_a_scene(tmp_path: Path) -> None:
    fifo = tmp_path / "scene.json"
    os.mkfifo(fifo)
    with pytest.raises(mock_pymxs.SceneFileError, match="not a regular file"):
        mock_pymxs.load_scene(fifo)  # returns at once: never opened


def test_a_scene_file_larger_than_any_scene_is_refused(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mock_pymxs.scene.MAX_SCENE_BYTES", 100)
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"renderer": {"class": "Default_Scanline_Renderer"},
                                "map_paths": ["x" * 200]}))
    with pytest.raises(mock_pymxs.SceneFileError, match="larger than any scene"):
        mock_pymxs.load_scene(path)


def test_a_property_the_class_does_not_have_is_a_load_error(tmp_path: Path) -> None:
    path = tmp_path / "scene.json"
    path.write_text(json.dumps({"renderer": {"class": "Default_Scanline_Renderer"},
                                "nodes": [{"name": "a", "class": "Omnilight",
                                           "props": {"webFile": "x.ies"}}]}))
    with pytest.raises(mock_pymxs.SceneFileError,
                       match=r"^scene.json: nodes\[0\].props.webFile: Omnilight has no property"):
        mock_pymxs.load_scene(path)
