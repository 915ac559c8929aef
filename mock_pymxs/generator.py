"""Large synthetic scenes for benchmarks, built without per-node validation.

``synthetic_scene(nodes=100_000)`` must stay fast: the specs are made with pydantic's
``model_construct`` (no validation), from a seeded RNG so every run gets the same scene.
"""

from __future__ import annotations

import random
from typing import Any

from mock_pymxs.scene import (
    EnvironmentSpec,
    HolderSpec,
    LayerSpec,
    MapSpec,
    MaterialSpec,
    NodeSpec,
    PluginDllSpec,
    PropValue,
    RenderElementSpec,
    RendererSpec,
    RenderSpec,
    Scene,
)

VRAY_DLL = "vrender2025.dlr"
VRAY_CLASSES = ["VRayLight", "VRayBitmap", "VRayHDRI", "VRayProxy", "VRayMtl",
                "VRayScene", "VRayVolumeGrid", "VRayExtraTex", "V_Ray_6__update_2_1"]
_GEOMETRY = ("Box", "Sphere", "Plane", "Editable_Poly")
LIGHT_LAYER = "Lights"
LIGHTING_LAYER = "Lighting"  # the lights' layer's parent when layers are nested
PHOENIX_DLL = "phoenixfd.dlo"
CACHE_FRAMES = 100  # frames on disk per Phoenix cache pattern
# Objects whose files only the Asset Tracking System lists to the adapter: (class, property,
# extension).
FILE_OBJECTS = (
    ("VRayVolumeGrid", "inPath", "vdb"),
    ("VRayScene", "filename", "vrscene"),
    ("XRefObject", "fileName", "max"),
    ("AlembicObject", "source", "abc"),
)


def synthetic_scene(
    nodes: int = 100_000,
    maps: int = 10_000,
    lights: int = 1_000,
    seed: int = 0,
    *,
    file_objects: int = 0,
    missing_maps: float = 0.05,
    unc_maps: float = 0.5,
    branches: bool = False,
    render_elements: int = 0,
    editor_maps: int = 0,
    caches: int = 0,
) -> Scene:
    """A V-Ray 6 CPU scene of ``nodes`` geometry nodes plus ``lights`` lights and ``maps`` maps.

    Lights alternate VRayLight and Target_Light (each Target_Light adds its Targetobject node
    and a photometric web file); the lights sit on a layer of their own. ``file_objects`` adds
    volume grids, V-Ray scenes, XRef objects and Alembic objects in turn, each with its file.
    A share ``missing_maps`` of the bitmaps is missing on the client; of the rest a share
    ``unc_maps`` is on a UNC path, the others on a local drive. One material per ten maps.
    Lights and file objects draw from their own random streams, so they come out the same
    whatever the number of geometry nodes.

    The sources beyond the node tree (issue 15): ``branches`` adds an environment HDRI, a GI
    override map, a fog with a map, a render output and V-Ray raw output, and nests the
    lights' layer in a parent layer; ``render_elements`` VRayExtraTex elements each hold a map
    and name an output; ``editor_maps`` Material Editor slots hold maps, every other one a map
    the scene also uses; ``caches`` Phoenix simulators read ``sim_<i>_####.aur`` patterns with
    ``CACHE_FRAMES`` frames each on the file server.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    light_rng = random.Random(seed + 1)  # noqa: S311
    map_specs: list[MapSpec] = []
    client_files: list[str] = []
    for i in range(maps):
        r = rng.random()
        if r < missing_maps:
            path = f"C:\\Users\\artist\\Desktop\\tex_{i:06d}.jpg"
        elif r < missing_maps + (1 - missing_maps) * unc_maps:
            path = f"\\\\fileserver\\assets\\textures\\tex_{i:06d}.jpg"
            client_files.append(path)
        else:
            path = f"D:\\textures\\tex_{i:06d}.jpg"
            client_files.append(path)
        map_specs.append(
            MapSpec.model_construct(
                name=f"Map_{i:06d}",
                class_="Bitmaptexture",
                filename=path,
                HDRIMapName=None,
                props={},
            )
        )
    mat_specs = [
        MaterialSpec.model_construct(
            name=f"Mat_{j:05d}",
            class_="VRayMtl",
            maps=[m.name for m in map_specs[j * 10 : (j + 1) * 10]],
        )
        for j in range(max(1, (maps + 9) // 10))
    ]
    node_specs: list[NodeSpec] = []
    n_mats = len(mat_specs)
    for i in range(nodes):
        node_specs.append(_node(f"Geo_{i:06d}", _GEOMETRY[i % 4], hidden=rng.random() < 0.02,
                                material=mat_specs[i % n_mats].name))
    for i in range(lights):
        if i % 2:
            target = f"Light_{i:05d}.Target"
            web = f"\\\\fileserver\\assets\\ies\\web_{i:05d}.ies"
            client_files.append(web)
            node_specs.append(_node(target, "Targetobject", layer=LIGHT_LAYER))
            node_specs.append(_node(f"Light_{i:05d}", "Target_Light", on=True, target=target,
                                    layer=LIGHT_LAYER, props={"webFile": web}))
        else:
            node_specs.append(_node(f"Light_{i:05d}", "VRayLight", layer=LIGHT_LAYER,
                                    hidden=light_rng.random() < 0.1,
                                    on=light_rng.random() > 0.1))
    for i in range(file_objects):
        cls, prop, ext = FILE_OBJECTS[i % len(FILE_OBJECTS)]
        path = f"\\\\fileserver\\cache\\file_{i:05d}.{ext}"
        client_files.append(path)
        node_specs.append(_node(f"File_{i:05d}", cls, props={prop: path}))
    for i in range(caches):
        client_files += [f"\\\\fileserver\\cache\\sim_{i:03d}_{f:04d}.aur"
                         for f in range(CACHE_FRAMES)]
        node_specs.append(_node(f"Sim_{i:03d}", "FireSmokeSim",
                                props={"inPath": f"\\\\fileserver\\cache\\sim_{i:03d}_####.aur"}))
    extra = _other_branches(map_specs, client_files, branches=branches,
                            render_elements=render_elements, editor_maps=editor_maps)
    return Scene.model_construct(
        max_version=2025,
        max_root=None,
        scene_path="\\\\fileserver\\projects\\bench\\bench.max",
        used_plugins=[VRAY_DLL],
        plugcfg_dir=None,
        temp_dir=None,
        map_paths=["\\\\fileserver\\assets\\textures"],
        client_files=client_files,
        production_renderer=None,
        vray_version=["6.20.01", "32528"],
        nodes=node_specs,
        materials=mat_specs,
        maps=map_specs,
        plugin_dlls=[
            PluginDllSpec.model_construct(
                name=VRAY_DLL,
                path=f"C:\\Program Files\\Chaos\\V-Ray\\plugins\\{VRAY_DLL}",
                loaded=True,
                classes=list(VRAY_CLASSES),
            ),
            PluginDllSpec.model_construct(
                name=PHOENIX_DLL,
                path=f"C:\\Program Files\\Chaos\\Phoenix\\plugins\\{PHOENIX_DLL}",
                loaded=True,
                classes=["FireSmokeSim"],
            ),
        ],
        missing_plugins=[],
        missing_instances={},
        layers=[LayerSpec.model_construct(name=LIGHT_LAYER, hidden=False,
                                          parent=LIGHTING_LAYER if branches else None),
                *([LayerSpec.model_construct(name=LIGHTING_LAYER, hidden=False, parent=None)]
                  if branches else [])],
        hide_by_category=[],
        render_dialog_open=False,
        root_appdata={},
        **extra,
    )


def _other_branches(map_specs: list[MapSpec], client_files: list[str], *, branches: bool,
                    render_elements: int, editor_maps: int) -> dict[str, Any]:
    """Scene fields for the environment, render elements, outputs and editor slots."""
    extra: dict[str, Any] = {
        "material_editor": [], "render": RenderSpec(),
        "renderer": RendererSpec.model_construct(class_="V_Ray_6__update_2_1", props={},
                                                 v_ray_settings=None, refs={}),
    }

    def new_map(name: str, cls: str, path: str) -> str:
        prop = "HDRIMapName" if cls == "VRayBitmap" else "filename"
        map_specs.append(MapSpec.model_construct(
            name=name, class_=cls, filename=None, HDRIMapName=None, props={prop: path}))
        client_files.append(path)
        return name

    if branches:
        env = new_map("Env_HDRI", "VRayBitmap", "\\\\fileserver\\assets\\hdri\\sky.exr")
        gi = new_map("GI_HDRI", "VRayBitmap", "\\\\fileserver\\assets\\hdri\\gi.exr")
        mist = new_map("Fog_Map", "Bitmaptexture", "\\\\fileserver\\assets\\tex\\fog.png")
        extra["environment"] = EnvironmentSpec.model_construct(
            map=env, use_map=True, effects=[],
            atmospherics=[HolderSpec.model_construct(name="Fog", class_="Fog", maps=[mist])])
        extra["renderer"] = RendererSpec.model_construct(
            class_="V_Ray_6__update_2_1", v_ray_settings=None, refs={"environment_gi_map": gi},
            props={"output_saveRawFile": True,
                   "output_rawFileName": "\\\\fileserver\\renders\\bench_raw.exr"})
        extra["render"] = RenderSpec(output="\\\\fileserver\\renders\\bench_.exr",
                                     save_file=True)
    extra["render_elements"] = [
        RenderElementSpec.model_construct(
            name=f"Extra_{i:03d}", class_="VRayExtraTex", props={},
            maps=[new_map(f"Element_Map_{i:03d}", "Bitmaptexture",
                          f"\\\\fileserver\\assets\\tex\\element_{i:03d}.png")],
            filename=f"\\\\fileserver\\renders\\bench_element_{i:03d}.exr")
        for i in range(render_elements)]
    slots = [m.name for m in map_specs[: (editor_maps + 1) // 2]]  # maps the scene also uses
    for i in range(editor_maps // 2):
        name = f"Slot_Map_{i:03d}"
        map_specs.append(MapSpec.model_construct(
            name=name, class_="Bitmaptexture", HDRIMapName=None, props={},
            filename=f"C:\\Users\\artist\\old\\slot_{i:03d}.jpg"))
        slots.append(name)
    extra["material_editor"] = slots[:24]
    return extra


def _node(name: str, class_: str, *, hidden: bool = False, on: bool | None = None,
          target: str | None = None, material: str | None = None, layer: str = "0",
          props: dict[str, PropValue] | None = None) -> NodeSpec:
    """A node spec without validation (fast enough for 100,000 nodes)."""
    return NodeSpec.model_construct(name=name, class_=class_, superclass=None, hidden=hidden,
                                    frozen=False, on=on, target=target, material=material,
                                    layer=layer, modifiers=[], props=props or {})
