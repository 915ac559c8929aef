"""Issue 9 items 1 and 3-7 through the real adapter: each test failed on the adapter and checks
as they were before the mock modelled the real 3ds Max and V-Ray behaviour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from host_scenes import read

import mock_pymxs
from vrdr_max.checks import CheckContext, CheckReport, Finding, Severity, run
from vrdr_max.manifest import FarmManifest
from vrdr_max.models import DRSettings

SERVERS = DRSettings(servers=[{"host": "render01", "port": 20204}])
SCENE_PATH = "\\\\fs\\proj\\shot.max"
MAX_ROOT = "C:\\Program Files\\Autodesk\\3ds Max 2025\\"
V_RAY_6 = {"name": "vrender2025.dlr", "path": "C:\\Chaos\\vrender2025.dlr",
           "classes": ["V_Ray_6__update_2_1", "VRayBitmap", "VRayHDRI", "VRayLight",
                       "VRayIES", "VRayAmbientLight", "VRayScene", "VRayVolumeGrid", "VRayMtl"]}
STOCK = {"name": "prim.dlo", "path": f"{MAX_ROOT}stdplugs\\prim.dlo", "classes": ["Box"]}
LIGHTS_OFF_WITHOUT_GI = {"options_defaultLights": 1, "options_hiddenLights": False,
                         "system_distributedRender": True}


def scene(**fields: Any) -> mock_pymxs.Scene:
    """A small saved V-Ray 6 scene with one visible light, changed by ``fields``."""
    data: dict[str, Any] = {
        "scene_path": SCENE_PATH,
        "used_plugins": ["prim.dlo", "vrender2025.dlr"],
        "client_files": [SCENE_PATH],
        "renderer": {"class": "V_Ray_6__update_2_1", "props": LIGHTS_OFF_WITHOUT_GI},
        "plugin_dlls": [STOCK, V_RAY_6],
        "nodes": [{"name": "Key", "class": "VRayLight", "on": True}],
    }
    data.update(fields)
    return mock_pymxs.parse_scene(data, "test scene")


def check(tmp_path: Path, scn: mock_pymxs.Scene, **ctx: Any) -> CheckReport:
    return run(CheckContext(facts=read(tmp_path, scn), settings=SERVERS, **ctx))


def findings(report: CheckReport, check_id: str) -> list[Finding]:
    return [f for f in report.findings if f.check_id == check_id]


# -- 1. plugin classes and the DLLs a saved scene records ----------------------------------

PLUGINS = {"name": "plugins.dlo", "path": "C:\\Plugins\\plugins.dlo",
           "classes": ["Forest_Pro", "LiquidSim", "Ox_Hair_From_Guides"]}


def test_plugin_classes_are_the_ones_3ds_max_defines(tmp_path: Path) -> None:
    scn = scene(plugin_dlls=[STOCK, V_RAY_6, PLUGINS],
                nodes=[{"name": "Key", "class": "VRayLight"},
                       {"name": "Grass", "class": "Forest_Pro"},
                       {"name": "Ocean", "class": "LiquidSim"},
                       {"name": "Head", "class": "Box", "modifiers": ["Ox_Hair_From_Guides"]}])
    uses = {u.class_name: u.product for u in read(tmp_path, scn).plugins}
    assert uses == {"Forest_Pro": "Forest Pack", "LiquidSim": "Phoenix FD",
                    "Ox_Hair_From_Guides": "Ornatrix"}


def test_dlls_the_saved_scene_records_are_matched_against_the_manifest(tmp_path: Path) -> None:
    scn = scene(used_plugins=["prim.dlo", "vrender2025.dlr", "vrayplugins2025.dlo",
                              "SuperSpline.dlo", "Phoenixfd.dlo"])
    facts = read(tmp_path, scn)
    assert facts.scene_dlls == ["SuperSpline.dlo", "Phoenixfd.dlo"]  # no 3ds Max or V-Ray DLL
    manifest = FarmManifest.model_validate(
        {"plugins": [{"product": "Phoenix FD", "dlls": ["phoenixfd.dlo"]}]})
    [finding] = findings(run(CheckContext(facts=facts, settings=SERVERS, manifest=manifest)),
                         "farm-plugins")
    assert finding.severity is Severity.ERROR
    assert finding.subjects == ["SuperSpline.dlo (recorded in the saved scene)"]


def test_a_scene_never_saved_says_its_plugin_list_is_unknown(tmp_path: Path) -> None:
    report = check(tmp_path, scene(scene_path="", used_plugins=None, client_files=[]))
    [finding] = findings(report, "farm-plugins")
    assert finding.severity is Severity.INFO
    assert "never saved" in finding.message


# -- 3. render types ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["boxselected", "regionselected", "cropselected"])
def test_region_render_types_around_the_selection_are_reported(tmp_path: Path,
                                                               kind: str) -> None:
    [finding] = findings(check(tmp_path, scene(render={"type": kind})), "region-render")
    assert finding.severity is Severity.WARNING
    assert "part of the frame" in finding.message


@pytest.mark.parametrize("kind", ["selected", "selection"])
def test_selected_renders_selected_objects_over_the_whole_frame(tmp_path: Path,
                                                                kind: str) -> None:
    [finding] = findings(check(tmp_path, scene(render={"type": kind})), "region-render")
    assert "selected objects over the whole frame" in finding.message
    assert "part of the frame" not in finding.message


# -- 4. Material Editor maps ----------------------------------------------------------------

EDITOR_MAPS = {
    "maps": [{"name": "Floor_Map", "class": "Bitmaptexture", "filename": "\\\\fs\\t\\floor.jpg"},
             {"name": "Old_Test", "class": "Bitmaptexture", "filename": "C:\\tmp\\gone.jpg"}],
    "materials": [{"name": "Floor", "maps": ["Floor_Map"]}],
    "material_editor": ["Floor", "Old_Test"],
    "client_files": [SCENE_PATH, "\\\\fs\\t\\floor.jpg"],
}


def test_a_missing_map_only_in_a_material_editor_slot_is_not_a_scene_problem(
        tmp_path: Path) -> None:
    scn = scene(**EDITOR_MAPS, nodes=[{"name": "Key", "class": "VRayLight"},
                                      {"name": "Ground", "class": "Plane", "material": "Floor"}])
    facts = read(tmp_path, scn)
    assert [a.path for a in facts.assets] == ["\\\\fs\\t\\floor.jpg"]
    assert findings(run(CheckContext(facts=facts, settings=SERVERS)), "missing-maps") == []


# -- 5. files that are not maps -------------------------------------------------------------

def test_pre_vray5_hdri_class_is_scanned(tmp_path: Path) -> None:
    next_dll = {"name": "vrender2020.dlr", "path": "C:\\Chaos\\vrender2020.dlr",
                "classes": ["V_Ray_Next__update_3_2", "VRayHDRI", "VRayLight"]}
    scn = scene(max_version=2020, renderer={"class": "V_Ray_Next__update_3_2"},
                plugin_dlls=[next_dll], used_plugins=["vrender2020.dlr"],
                maps=[{"name": "Sky", "class": "VRayHDRI", "HDRIMapName": "C:\\hdr\\sky.hdr"}])
    [finding] = findings(check(tmp_path, scn), "missing-maps")
    assert finding.subjects == ["Sky (VRayHDRI): C:\\hdr\\sky.hdr"]


def test_one_hdri_is_counted_once_when_both_class_names_are_one_class(tmp_path: Path) -> None:
    scn = scene(maps=[{"name": "Sky", "class": "VRayBitmap", "HDRIMapName": "C:\\hdr\\sky.hdr"}])
    [finding] = findings(check(tmp_path, scn), "missing-maps")
    assert finding.subjects == ["Sky (VRayBitmap): C:\\hdr\\sky.hdr"]


NOT_MAPS = [
    ({"name": "Spot", "class": "Target_Light", "props": {"webFile": "C:\\ies\\spot.ies"}},
     "ies: C:\\ies\\spot.ies"),
    ({"name": "City", "class": "VRayScene", "props": {"filename": "C:\\vrs\\city.vrscene"}},
     "vrscene: C:\\vrs\\city.vrscene"),
    ({"name": "Smoke", "class": "VRayVolumeGrid", "props": {"inPath": "C:\\vdb\\smoke.vdb"}},
     "volume cache: C:\\vdb\\smoke.vdb"),
    ({"name": "Set", "class": "XRefObject", "props": {"fileName": "C:\\xref\\set.max"}},
     "xref scene: C:\\xref\\set.max"),
    ({"name": "Cloth", "class": "AlembicObject", "props": {"source": "C:\\abc\\cloth.abc"}},
     "alembic cache: C:\\abc\\cloth.abc"),
]


def test_files_that_are_not_maps_are_found_through_asset_tracking(tmp_path: Path) -> None:
    nodes = [{"name": "Key", "class": "VRayLight"}, *(node for node, _ in NOT_MAPS)]
    scn = scene(nodes=nodes, xref_scenes=["C:\\xref\\street.max"])
    [finding] = findings(check(tmp_path, scn), "missing-maps")
    assert finding.subjects == ["xref scene: C:\\xref\\street.max",
                                *(label for _, label in NOT_MAPS)]


# -- 6. hidden for any reason ---------------------------------------------------------------

def test_a_light_hidden_by_its_layer_is_hidden(tmp_path: Path) -> None:
    scn = scene(layers=[{"name": "Lights", "hidden": True}],
                nodes=[{"name": "Key", "class": "VRayLight", "layer": "Lights"}])
    [finding] = findings(check(tmp_path, scn), "default-lights")
    assert finding.subjects == ["Key (hidden by its layer)"]


def test_a_light_hidden_by_category_is_hidden(tmp_path: Path) -> None:
    [finding] = findings(check(tmp_path, scene(hide_by_category=["lights"])), "default-lights")
    assert finding.subjects == ["Key (hidden by category)"]


# -- 7. a light switch that cannot be read --------------------------------------------------

def test_a_light_whose_switch_cannot_be_read_is_reported_as_unknown(tmp_path: Path) -> None:
    other = {"name": "lights3rd.dlo", "path": "C:\\Plugins\\lights3rd.dlo",
             "classes": ["ThirdPartyLight"]}
    scn = scene(plugin_dlls=[STOCK, V_RAY_6, other], used_plugins=["lights3rd.dlo"],
                nodes=[{"name": "Panel", "class": "ThirdPartyLight", "superclass": "light"}])
    facts = read(tmp_path, scn)
    assert facts.lights[0].on is None
    [finding] = findings(run(CheckContext(facts=facts, settings=SERVERS)), "default-lights")
    assert finding.severity is Severity.WARNING
    assert finding.subjects == ["Panel (switch unreadable)"]


def test_an_unreadable_switch_that_changes_nothing_is_still_named(tmp_path: Path) -> None:
    other = {"name": "lights3rd.dlo", "path": "C:\\Plugins\\lights3rd.dlo",
             "classes": ["ThirdPartyLight"]}
    scn = scene(plugin_dlls=[STOCK, V_RAY_6, other], used_plugins=["lights3rd.dlo"],
                nodes=[{"name": "Key", "class": "VRayLight"},
                       {"name": "Panel", "class": "ThirdPartyLight", "superclass": "light"}])
    [finding] = findings(check(tmp_path, scn), "default-lights")
    assert finding.severity is Severity.INFO
    assert finding.subjects == ["Panel (switch unreadable)"]


def test_vray_ambient_light_switches_with_enabled(tmp_path: Path) -> None:
    scn = scene(nodes=[{"name": "Ambient", "class": "VRayAmbientLight", "on": False}])
    [finding] = findings(check(tmp_path, scn), "default-lights")
    assert finding.severity is Severity.ERROR
    assert finding.subjects == ["Ambient (off)"]
