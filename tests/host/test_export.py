"""Round trip: export a scene from the mock, load the export, read the same SceneFacts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from host_scenes import host_for, variant

import mock_pymxs
from mock_pymxs.generator import synthetic_scene
from vrdr_max import export
from vrdr_max.cli.main import main
from vrdr_max.facts import SceneFacts

BUNDLED = sorted(p.stem for p in mock_pymxs.SCENES_DIR.glob("*.json"))


def _round_trip(scene: str | mock_pymxs.Scene, tmp_path: Path) -> tuple[SceneFacts, SceneFacts,
                                                                         dict[str, Any]]:
    with host_for(scene, tmp_path / "a") as (host, _mock):
        before = host.read_scene()
        path = export.write_export(host, tmp_path / "export.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    loaded = mock_pymxs.load_scene(path)  # validates like any scene file
    with host_for(loaded, tmp_path / "b") as (host, _mock):
        after = host.read_scene()
    return before, after, data


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_scenes_round_trip(tmp_path: Path, name: str) -> None:
    before, after, _data = _round_trip(name, tmp_path)
    assert after == before


def test_a_synthetic_scene_round_trips(tmp_path: Path) -> None:
    scene = synthetic_scene(nodes=300, maps=60, lights=20, seed=7)
    before, after, data = _round_trip(scene, tmp_path)
    assert after == before
    assert any(a.missing for a in before.assets)
    assert any(not a.owner_class for a in before.assets)  # files only Asset Tracking lists
    # geometry is not DR-relevant: only lights and stand-ins holding files become nodes
    tracked = [a for a in before.assets if not a.owner_class]
    assert len(data["nodes"]) == len(before.lights) + len(tracked)


def _moved_and_unknown(data: dict[str, Any]) -> None:
    """A map found through a map path, a renderer and a light class the mock's table lacks."""
    data["renderer"]["class"] = "V_Ray_9__update_1"
    data["plugin_dlls"][1]["classes"].append("V_Ray_9__update_1")
    data["maps"][0]["filename"] = "C:\\old\\oak_floor.jpg"  # found in the map path instead
    data["nodes"].append({"name": "Studio_Light", "class": "Fancy_Light", "superclass": "light",
                          "hidden": True, "props": {"on": False}})
    data["plugin_dlls"].append({"name": "fancy.dlo", "path": "C:\\fancy.dlo",
                                "classes": ["Fancy_Light"]})


def test_moved_files_and_classes_the_mock_does_not_know_round_trip(tmp_path: Path) -> None:
    before, after, data = _round_trip(variant("clean", _moved_and_unknown), tmp_path)
    assert after == before
    assert before.renderer.version == "9 update 1"
    assert any(a.resolved_path and a.resolved_path != a.path for a in before.assets)
    assert "\\\\fileserver\\assets\\textures" in data["map_paths"]
    assert {"name": "Studio_Light", "class": "Fancy_Light", "superclass": "light",
            "hidden": True, "props": {"on": False}} in data["nodes"]


def test_the_export_changes_nothing(tmp_path: Path) -> None:
    with host_for("demo", tmp_path) as (host, mock):
        export.export_scene(host)
        assert mock.writes == [] and mock.created == [] and mock.renders == []


def test_vrdr_check_on_an_export_finds_what_it_finds_on_the_scene(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with host_for("demo", tmp_path / "a") as (host, _mock):
        export.write_export(host, tmp_path / "demo_export.json")

    def findings(scene: str) -> tuple[int, list[Any]]:
        code = main(["check", "--scene", scene, "--json"])
        doc = json.loads(capsys.readouterr().out)
        return code, [(r["id"], r["status"], r["findings"]) for r in doc["results"]]

    original = findings(str(mock_pymxs.SCENES_DIR / "demo.json"))
    assert original[0] == 1  # the demo scene has errors, so this compares something
    assert findings(str(tmp_path / "demo_export.json")) == original


def _everything_scan_reads(data: dict[str, Any]) -> None:
    """Hidden by layer and by category, a switch that cannot be read, files only Asset
    Tracking lists, a plugin modifier, an XRef scene and a map only the Material Editor holds."""
    data["layers"] = [{"name": "Lights_Off", "hidden": True}]
    data["hide_by_category"] = ["lights"]
    extra = [
        {"name": "Layer_Lamp", "class": "VRayLight", "on": True, "layer": "Lights_Off"},
        {"name": "Odd_Lamp", "class": "Odd_Light", "superclass": "light"},  # no switch known
        {"name": "Web_Lamp", "class": "Free_Light", "on": True,
         "props": {"webFile": "\\\\fileserver\\assets\\ies\\web.ies"}},
        {"name": "Smoke", "class": "VRayVolumeGrid",
         "props": {"inPath": "D:\\cache\\smoke_0000.vdb"}},
        {"name": "Set", "class": "VRayScene", "props": {"filename": "\\\\fs\\set.vrscene"}},
        {"name": "Crowd", "class": "AlembicObject", "props": {"source": "\\\\fs\\crowd.abc"}},
        {"name": "Hair_Base", "class": "Box", "modifiers": ["Ox_Hair_From_Guides"]},
    ]
    data["nodes"] += extra
    data["xref_scenes"] = ["\\\\fs\\xrefs\\street.max"]
    data["maps"].append({"name": "Scratch", "class": "Bitmaptexture",
                         "filename": "D:\\scratch\\only_in_editor.png"})
    data["material_editor"] = ["Scratch"]
    data["used_plugins"].append("more.dlo")
    data["plugin_dlls"].append({"name": "more.dlo", "path": "C:\\more.dlo", "classes": [
        "Odd_Light", "VRayVolumeGrid", "VRayScene", "Ox_Hair_From_Guides"]})


def test_everything_the_adapter_reads_round_trips(tmp_path: Path) -> None:
    before, after, data = _round_trip(variant("clean", _everything_scan_reads), tmp_path)
    assert after == before
    lights = {lt.name: lt for lt in before.lights}
    assert lights["Layer_Lamp"].hidden and lights["Odd_Lamp"].on is None
    assert {a.kind.value for a in before.assets if not a.owner_class} >= {
        "volume cache", "vrscene", "alembic cache", "xref scene", "ies"}
    assert [p.class_name for p in before.plugins] == ["Ox_Hair_From_Guides"]
    assert before.scene_dlls == ["more.dlo"]  # the saved scene's DLL list travels too
    assert "only_in_editor.png" not in json.dumps(data)  # editor-only maps are not the scene's


def test_the_sources_beyond_the_node_tree_round_trip(tmp_path: Path) -> None:
    # Environment, render elements, editor slots, outputs, patterns, nested layers (issue 15).
    scene = synthetic_scene(nodes=200, maps=40, lights=6, seed=3, file_objects=4, caches=2,
                            render_elements=2, branches=True, editor_maps=6)
    before, after, _data = _round_trip(scene, tmp_path)
    assert after == before
    assert [a.matches for a in before.assets if a.matches is not None] == [100, 100]
    assert not any("renders" in a.path for a in before.assets)


def _editor_missing_and_a_workstation(data: dict[str, Any]) -> None:
    data["computer_name"] = "WS-9"
    data["materials"].append({"name": "Old_Fur", "class": "Missing_Mtl"})
    data["material_editor"] = ["Old_Fur"]
    data["maps"].append({"name": "Tiles", "class": "VRayBitmap",
                         "HDRIMapName": "tiles\\skin.<UDIM>.exr"})
    data["client_files"] += ["\\\\fileserver\\assets\\textures\\tiles\\skin.1001.exr",
                             "\\\\fileserver\\assets\\textures\\tiles\\skin.1002.exr"]


def test_editor_only_missing_plugins_a_workstation_and_a_relative_pattern_round_trip(
        tmp_path: Path) -> None:
    before, after, _data = _round_trip(variant("clean", _editor_missing_and_a_workstation),
                                      tmp_path)
    assert after == before
    assert before.workstation == "WS-9" and before.missing_editor_only == {"Missing_Mtl": 1}
    [tiles] = [a for a in before.assets if a.matches is not None]
    assert tiles.matches == 2
    assert tiles.resolved_path == "\\\\fileserver\\assets\\textures\\tiles\\skin.<UDIM>.exr"
