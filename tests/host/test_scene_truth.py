"""Issue 15 through the real adapter: maps outside the node tree, outputs, Autodesk's own DLLs,
paths as the servers judge them, frame and tile patterns, editor-only missing plugins and nested
hidden layers. Each test failed on the adapter and checks as they were before the mock modelled
the real 3ds Max behaviour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from host_scenes import host_for, read

import mock_pymxs
from vrdr_max.checks import CheckContext, CheckReport, Finding, Severity, run
from vrdr_max.facts import HiddenBy
from vrdr_max.models import DRSettings

SERVERS = DRSettings(servers=[{"host": "render01", "port": 20204}])
TRANSFER = DRSettings(servers=[{"host": "render01", "port": 20204}],
                      assets={"transfer_missing": True})
SCENE_PATH = "\\\\fs\\proj\\shot.max"
MAX_ROOT = "C:\\Program Files\\Autodesk\\3ds Max 2025\\"
V_RAY = {"name": "vrender2025.dlr", "path": "C:\\Chaos\\vrender2025.dlr",
         "classes": ["V_Ray_6__update_2_1", "V_Ray_GPU_7_Hotfix_2", "VRayBitmap", "VRayLight",
                     "VRayExtraTex", "VRayMtl", "VRayProxy", "VRayVolumeGrid"]}
PHOENIX = {"name": "phoenixfd.dlo", "path": "C:\\Chaos\\phoenixfd.dlo",
           "classes": ["FireSmokeSim"]}


def scene(**fields: Any) -> mock_pymxs.Scene:
    """A small saved V-Ray 6 scene with DR on and one visible light, changed by ``fields``."""
    data: dict[str, Any] = {
        "scene_path": SCENE_PATH,
        "used_plugins": ["vrender2025.dlr"],
        "client_files": [SCENE_PATH],
        "renderer": {"class": "V_Ray_6__update_2_1",
                     "props": {"system_distributedRender": True,
                               "system_checkForMissingFiles": True}},
        "plugin_dlls": [V_RAY, PHOENIX],
        "nodes": [{"name": "Key", "class": "VRayLight", "on": True}],
    }
    data.update(fields)
    return mock_pymxs.parse_scene(data, "test scene")


def check(tmp_path: Path, scn: mock_pymxs.Scene, settings: DRSettings = SERVERS,
          **ctx: Any) -> CheckReport:
    return run(CheckContext(facts=read(tmp_path, scn), settings=settings, **ctx))


def findings(report: CheckReport, check_id: str) -> list[Finding]:
    return [f for f in report.findings if f.check_id == check_id]


def subjects(report: CheckReport, check_id: str) -> list[str]:
    return [s for f in findings(report, check_id) for s in f.subjects]


# -- 1. maps outside the node tree ------------------------------------------------------------

SKY = {"name": "Sky", "class": "VRayBitmap", "HDRIMapName": "\\\\fs\\hdri\\sky_gone.exr"}


def test_a_missing_environment_hdri_is_a_finding(tmp_path: Path) -> None:
    report = check(tmp_path, scene(maps=[SKY], environment={"map": "Sky"}))
    [finding] = findings(report, "missing-maps")
    assert finding.severity is Severity.ERROR  # Check for missing files: servers refuse
    assert finding.subjects == ["Sky (VRayBitmap): \\\\fs\\hdri\\sky_gone.exr"]


def test_maps_in_render_setup_effects_and_elements_are_found(tmp_path: Path) -> None:
    maps = [{"name": n, "class": "Bitmaptexture", "filename": f"\\\\fs\\tex\\{n.lower()}.png"}
            for n in ("GI", "Reflect", "Refract", "Mist", "Glow", "AO")]
    scn = scene(
        maps=maps,
        renderer={"class": "V_Ray_6__update_2_1",
                  "props": {"system_distributedRender": True},
                  "refs": {"environment_gi_map": "GI", "environment_rr_map": "Reflect",
                           "environment_refract_map": "Refract"}},
        environment={"atmospherics": [{"name": "Fog", "class": "Fog", "maps": ["Mist"]}],
                     "effects": [{"name": "Lens", "class": "Lens_Effects", "maps": ["Glow"]}]},
        render_elements=[{"name": "AO", "class": "VRayExtraTex", "maps": ["AO"]}])
    assert subjects(check(tmp_path, scn), "missing-maps") == [
        f"{n} (BitmapTexture): \\\\fs\\tex\\{n.lower()}.png"
        for n in ("GI", "Reflect", "Refract", "Mist", "Glow", "AO")]


def test_an_editor_slot_map_also_used_as_the_environment_counts(tmp_path: Path) -> None:
    scn = scene(maps=[SKY], environment={"map": "Sky"}, material_editor=["Sky"])
    assert subjects(check(tmp_path, scn), "missing-maps") == [
        "Sky (VRayBitmap): \\\\fs\\hdri\\sky_gone.exr"]


def test_a_map_only_the_slate_editor_holds_is_not_a_scene_problem(tmp_path: Path) -> None:
    scn = scene(maps=[SKY, {"name": "Old", "class": "Bitmaptexture",
                            "filename": "C:\\old\\gone.png"}],
                slate_editor=["Sky", "Old"])
    facts = read(tmp_path, scn)
    assert [a.path for a in facts.assets] == []  # neither the class scans nor Asset Tracking
    assert findings(run(CheckContext(facts=facts, settings=SERVERS)), "missing-maps") == []


def test_the_gpu_renderer_holds_maps_in_its_settings(tmp_path: Path) -> None:
    gpu = {"class": "V_Ray_GPU_7_Hotfix_2", "props": {"distributed_rendering": True},
           "v_ray_settings": {"system_checkForMissingFiles": True},
           "refs": {"environment_gi_map": "Sky"}}
    assert subjects(check(tmp_path, scene(maps=[SKY], renderer=gpu)), "missing-maps") == [
        "Sky (VRayBitmap): \\\\fs\\hdri\\sky_gone.exr"]


# -- 2. outputs are never inputs --------------------------------------------------------------

def test_render_outputs_that_do_not_exist_yet_are_not_missing_maps(tmp_path: Path) -> None:
    scn = scene(
        render={"output": "\\\\fs\\renders\\shot_.exr", "save_file": True},
        renderer={"class": "V_Ray_6__update_2_1",
                  "props": {"system_distributedRender": True,
                            "system_checkForMissingFiles": True,
                            "output_saveRawFile": True,
                            "output_rawFileName": "D:\\renders\\shot_raw.exr",
                            "output_splitgbuffer": True,
                            "output_splitfilename": "\\\\fs\\renders\\split\\shot.exr"}},
        render_elements=[{"name": "AO", "class": "VRayExtraTex",
                          "filename": "\\\\fs\\renders\\shot_AO.exr"}])
    report = check(tmp_path, scn)
    assert findings(report, "missing-maps") == []
    assert findings(report, "unreachable-paths") == []  # D:\ output: the client writes it


# -- 3. Autodesk's own plug-ins ---------------------------------------------------------------

def test_dlls_anywhere_under_the_3ds_max_root_are_autodesks(tmp_path: Path) -> None:
    dlls = [
        {"name": "prim.dlo", "path": f"{MAX_ROOT}stdplugs\\prim.dlo"},
        {"name": "Substance2.dlt", "path": f"{MAX_ROOT}PlugIns\\Substance2.dlt"},
        {"name": "MaxUsd.dlu",
         "path": f"{MAX_ROOT}ApplicationPlugins\\MaxUsd\\Contents\\bin\\MaxUsd.dlu"},
        {"name": "SuperSpline.dlo", "path": "C:\\Plugins\\SuperSpline.dlo"},
    ]
    used = ["prim.dlo", "Substance2.dlt", "MaxUsd.dlu", "SuperSpline.dlo", "vrender2025.dlr",
            "NotHere.dlo"]
    facts = read(tmp_path, scene(plugin_dlls=[V_RAY, *dlls], used_plugins=used))
    assert facts.scene_dlls == ["SuperSpline.dlo", "NotHere.dlo"]


# -- 5. paths as the servers see them ---------------------------------------------------------

def test_a_relative_path_is_unreachable_wherever_the_client_found_it(tmp_path: Path) -> None:
    scn = scene(map_paths=["\\\\fs\\tex"], client_files=[SCENE_PATH, "\\\\fs\\tex\\oak.jpg"],
                maps=[{"name": "Oak", "class": "Bitmaptexture", "filename": "oak.jpg"}])
    [finding] = findings(check(tmp_path, scn), "unreachable-paths")
    assert finding.subjects == ["Oak (BitmapTexture): oak.jpg [relative]"]
    assert findings(check(tmp_path, scn, TRANSFER), "unreachable-paths") == []


def test_a_file_found_only_through_the_clients_map_paths_is_unreachable(tmp_path: Path) -> None:
    scn = scene(map_paths=["\\\\fs\\tex"], client_files=[SCENE_PATH, "\\\\fs\\tex\\oak.jpg"],
                maps=[{"name": "Oak", "class": "Bitmaptexture",
                       "filename": "\\\\old-server\\tex\\oak.jpg"}])
    assert subjects(check(tmp_path, scn), "unreachable-paths") == [
        "Oak (BitmapTexture): \\\\old-server\\tex\\oak.jpg [found-via-map-paths]"]


@pytest.mark.parametrize(("path", "reach"), [
    ("\\\\localhost\\tex\\oak.jpg", "loopback"),
    ("\\\\127.0.0.1\\tex\\oak.jpg", "loopback"),
    ("\\\\[::1]\\tex\\oak.jpg", "loopback"),
    ("\\\\0--1.ipv6-literal.net\\tex\\oak.jpg", "loopback"),
    ("\\\\WS-042\\tex\\oak.jpg", "this-workstation"),
    ("\\\\ws-042.studio.lan\\tex\\oak.jpg", "this-workstation"),
    ("\\\\?\\UNC\\localhost\\tex\\oak.jpg", "loopback"),
    ("\\\\?\\D:\\tex\\oak.jpg", "local-drive"),
])
def test_paths_that_name_this_machine_are_not_shares(tmp_path: Path, path: str,
                                                     reach: str) -> None:
    scn = scene(computer_name="WS-042", client_files=[SCENE_PATH, path],
                maps=[{"name": "Oak", "class": "Bitmaptexture", "filename": path}])
    assert subjects(check(tmp_path, scn), "unreachable-paths") == [
        f"Oak (BitmapTexture): {path} [{reach}]"]


@pytest.mark.parametrize("path", ["\\\\?\\UNC\\fs\\tex\\oak.jpg", "\\\\?\\P:\\tex\\oak.jpg"])
def test_long_path_prefixes_keep_shares_shared(tmp_path: Path, path: str) -> None:
    scn = scene(client_files=[SCENE_PATH, path],
                maps=[{"name": "Oak", "class": "Bitmaptexture", "filename": path}])
    report = check(tmp_path, scn, shared_drives=frozenset({"P:"}))
    assert findings(report, "unreachable-paths") == []


# -- 6. frame and tile patterns ---------------------------------------------------------------

CACHE = "\\\\fs\\cache\\Fire_####.aur"
FRAMES = [f"\\\\fs\\cache\\Fire_{i:04d}.aur" for i in range(1, 11)]


def fire(path: str = CACHE) -> dict[str, Any]:
    return {"name": "Fire", "class": "FireSmokeSim", "props": {"inPath": path}}


def test_a_phoenix_cache_pattern_with_frames_is_not_missing(tmp_path: Path) -> None:
    scn = scene(nodes=[{"name": "Key", "class": "VRayLight"}, fire()],
                client_files=[SCENE_PATH, *FRAMES])
    facts = read(tmp_path, scn)
    [cache] = [a for a in facts.assets if a.path == CACHE]
    assert cache.matches == 10 and not cache.missing
    assert findings(run(CheckContext(facts=facts, settings=SERVERS)), "missing-maps") == []


def test_a_pattern_no_file_matches_is_reported_once(tmp_path: Path) -> None:
    scn = scene(nodes=[{"name": "Key", "class": "VRayLight"}, fire()],
                client_files=[SCENE_PATH, "\\\\fs\\cache\\Fire_12.aur",  # too few digits
                              "\\\\fs\\cache\\Smoke_0001.aur"])
    assert subjects(check(tmp_path, scn), "missing-maps") == [
        f"volume cache: {CACHE} (no file matches)"]


def test_udim_tiles_of_a_vray_bitmap_are_counted(tmp_path: Path) -> None:
    tiles = [f"D:\\tex\\skin.{u}.exr" for u in (1001, 1002, 1011)]
    path = "D:\\tex\\skin.<UDIM>.exr"
    scn = scene(maps=[{"name": "Skin", "class": "VRayBitmap", "HDRIMapName": path}],
                client_files=[SCENE_PATH, *tiles])
    assert subjects(check(tmp_path, scn), "unreachable-paths") == [
        f"Skin (VRayBitmap): {path} (3 files) [local-drive]"]


def test_hash_signs_in_a_3ds_max_bitmap_are_a_literal_name(tmp_path: Path) -> None:
    # The Bitmap map documents no frame token: "wood_#1.jpg" is one file.
    scn = scene(maps=[{"name": "Wood", "class": "Bitmaptexture",
                       "filename": "\\\\fs\\tex\\wood_#1.jpg"}],
                client_files=[SCENE_PATH, "\\\\fs\\tex\\wood_01.jpg"])
    assert subjects(check(tmp_path, scn), "missing-maps") == [
        "Wood (BitmapTexture): \\\\fs\\tex\\wood_#1.jpg"]


# -- 8. missing plugins only the Material Editor holds ----------------------------------------

def test_a_missing_plugin_only_in_editor_slots_is_a_note(tmp_path: Path) -> None:
    scn = scene(materials=[{"name": "Old_Fur", "class": "Missing_Mtl"}],
                material_editor=["Old_Fur"],
                missing_plugins=[{"class": "HairFX_Mtl", "dll": "hairfx.dlt"}])
    facts = read(tmp_path, scn)
    assert facts.missing_instances == {} and facts.missing_editor_only == {"Missing_Mtl": 1}
    [finding] = findings(run(CheckContext(facts=facts, settings=SERVERS)), "missing-plugins")
    assert finding.severity is Severity.INFO
    assert finding.subjects == ["HairFX_Mtl (hairfx.dlt)",
                                "1 x Missing_Mtl (Material Editor only)"]


def test_a_missing_plugin_in_the_scene_and_an_editor_slot_is_an_error(tmp_path: Path) -> None:
    scn = scene(materials=[{"name": "Old_Fur", "class": "Missing_Mtl"}],
                material_editor=["Old_Fur"], missing_instances={"Missing_GeomObject": 2},
                missing_plugins=[{"class": "HairFX", "dll": "hairfx.dlo"}])
    [finding] = findings(check(tmp_path, scn), "missing-plugins")
    assert finding.severity is Severity.ERROR
    assert finding.subjects == ["HairFX (hairfx.dlo)", "2 x Missing_GeomObject",
                                "1 x Missing_Mtl (Material Editor only)"]


# -- 16. a light in a child layer of a hidden layer -------------------------------------------

def test_a_light_in_a_child_layer_of_a_hidden_layer_is_hidden(tmp_path: Path) -> None:
    scn = scene(layers=[{"name": "Lighting", "hidden": True},
                        {"name": "Keys", "parent": "Lighting"}],
                nodes=[{"name": "Key", "class": "VRayLight", "layer": "Keys"}],
                renderer={"class": "V_Ray_6__update_2_1",
                          "props": {"system_distributedRender": True,
                                    "options_defaultLights": 1,
                                    "options_hiddenLights": False}})
    facts = read(tmp_path, scn)
    assert facts.lights[0].hidden_by is HiddenBy.LAYER
    [finding] = findings(run(CheckContext(facts=facts, settings=SERVERS)), "default-lights")
    assert finding.subjects == ["Key (hidden by its layer)"]


@pytest.mark.parametrize(("path", "is_output"), [
    ("\\\\fs\\renders\\shot_.exr", True),
    ("\\\\FS\\Renders\\SHOT_.EXR", True),
    ("\\\\fs\\renders\\shot_0042.exr", True),  # 3ds Max adds the frame number
    ("\\\\fs\\renders\\shot_.0042.exr", True),
    ("\\\\fs\\renders\\shot_final.exr", False),
    ("\\\\fs\\renders\\shot_0042.png", False),
    ("\\\\fs\\other\\shot_0042.exr", False),
])
def test_an_output_with_a_frame_number_is_still_an_output(tmp_path: Path, path: str,
                                                          is_output: bool) -> None:
    with host_for(scene(), tmp_path / "plugcfg"):
        from vrdr_max.max_host import _Outputs

        assert (path in _Outputs(["\\\\fs\\renders\\shot_.exr", ""])) is is_output
