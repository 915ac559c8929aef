"""Export the open scene's DR-relevant facts as a ``mock_pymxs`` scene description.

Run inside 3ds Max (MAXScript listener)::

    python.Execute "import vrdr_max.export; vrdr_max.export.main('D:/exports/scene.json')"

The file holds what ``read_scene()`` reads (renderer and its DR switches, lights and why they
are hidden, file references and where the client finds them, the files a frame or tile pattern
matched, plugin classes, the DLLs the saved scene records, missing plugins and those only the
Material Editor holds, render type, the workstation's name) and nothing else: no geometry, no
materials, no names beyond the lights and asset owners. Files only the Asset Tracking System
lists are held by stand-in objects of the mock (``ATS_HOLDERS``). Loaded by ``mock_pymxs``, it gives
``read_scene()`` the same ``SceneFacts`` again, so ``vrdr check --scene`` runs on Linux against
a real production scene (``scenes/README.md`` describes the schema).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vrdr_max.assetpaths import same_path
from vrdr_max.atomic import atomic_write
from vrdr_max.errors import InputError, one_line
from vrdr_max.facts import MAP_KINDS, AssetFact, AssetKind, HiddenBy, LightFact, SceneFacts
from vrdr_max.filepatterns import find_pattern, tokens_for
from vrdr_max.host import FieldHost
from vrdr_max.max_names import ASSET_SOURCES, LIGHT_SWITCH
from vrdr_max.renderers import PROPERTY_NAMES

EXPORT_DLL = "vrdr-export"
"""Stand-in plugin DLL entry listing every class the export uses (the real DLLs are not read)."""
LIGHT = "light"  # MAXScript's print form of the light superclass
MODIFIER = "modifier"  # ... and of the modifier superclass (Ornatrix's Ox_* classes)
MODIFIER_CARRIER = "Box"  # a plain node to hold a plugin modifier
HIDDEN_LAYER = "vrdr-export hidden"
# Stand-ins of the mock that hold a file only Asset Tracking lists (its kind comes from the
# file's extension, so the holder only has to be an object the class scans do not read).
ATS_HOLDERS: dict[AssetKind, tuple[str, str]] = {
    AssetKind.VOLUME: ("VRayVolumeGrid", "inPath"),
    AssetKind.VRAYSCENE: ("VRayScene", "filename"),
    AssetKind.ALEMBIC: ("AlembicObject", "source"),
}
OTHER_HOLDER = ("XRefObject", "fileName")


def export_scene(host: FieldHost) -> dict[str, Any]:
    """The scene description (JSON data in the ``mock_pymxs`` schema) of the open scene."""
    facts = host.read_scene()
    nodes = _NodeList()
    for light in facts.lights:
        nodes.add_light(light)
    maps: list[dict[str, Any]] = []
    tracked = [a for a in facts.assets if not a.owner_class]  # known only to Asset Tracking
    for number, asset in enumerate(facts.assets, start=1):
        if not asset.owner_class:
            continue
        if asset.kind in MAP_KINDS:
            maps.append({"name": asset.owner or f"{asset.owner_class}_{number}",
                         "class": asset.owner_class,
                         "props": {_path_property(asset.owner_class): asset.path}})
        else:
            nodes.add_asset(asset, number)
    for number, asset in enumerate(tracked, start=1):
        cls, prop = ATS_HOLDERS.get(asset.kind, OTHER_HOLDER)
        nodes.specs.append({"name": f"{cls}_{number:03d}", "class": cls,
                            "props": {prop: asset.path}})
    for use in facts.plugins:
        nodes.add_plugin(use.class_name, use.count, host.class_superclass(use.class_name))
    renderer = _renderer(host, facts)
    used = {facts.renderer.class_name, *(n["class"] for n in nodes.specs),
            *(m["class"] for m in maps), *(c for n in nodes.specs for c in n.get("modifiers", []))}
    scene: dict[str, Any] = {
        "max_version": facts.max_version or 2025,
        "scene_path": facts.scene_path,
        **_client_files(facts.assets),
        "renderer": renderer,
        "render": {"type": facts.render_type or "view"},
        "nodes": nodes.specs,
        "maps": maps,
        "plugin_dlls": [{"name": EXPORT_DLL, "path": "", "classes": sorted(used)}],
        "missing_plugins": [{"class": m.class_name, "dll": m.dll, "description": m.description}
                            for m in facts.missing_plugins],
        "missing_instances": dict(facts.missing_instances),
        "editor_missing_instances": dict(facts.missing_editor_only),
        "layers": [{"name": HIDDEN_LAYER, "hidden": True}] if nodes.layer_hidden else [],
        "hide_by_category": ["lights"] if nodes.category_hidden else [],
        "used_plugins": facts.scene_dlls,
    }
    if facts.workstation:
        scene["computer_name"] = facts.workstation
    version = host.vray_version()
    if version is not None:
        scene["vray_version"] = version
    return scene


def write_export(host: FieldHost, path: Path) -> Path:
    """Write the open scene's description to ``path`` (UTF-8 JSON); return the path."""
    text = json.dumps(export_scene(host), indent=2, ensure_ascii=False) + "\n"
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        # A lone surrogate (a name or path 3ds Max holds as broken UTF-16): no file can say it,
        # and ``vrdr check`` refuses one; say which line of the description would have held it.
        number = text.count("\n", 0, exc.start) + 1
        line = text.splitlines()[number - 1].strip()
        raise InputError(f"cannot export: line {number} of the scene description holds text "
                         f"that is not Unicode (a lone surrogate): {one_line(line)}; rename "
                         "that object in 3ds Max and export again") from None
    atomic_write(path, data, expected=None, backup_suffix=None)
    return path


def main(path: str) -> Path:
    """Inside 3ds Max: export the open scene to ``path``."""
    from vrdr_max.max_host import PymxsHost  # noqa: PLC0415 - pymxs exists only inside 3ds Max

    return write_export(PymxsHost(), Path(path))


def _path_property(owner_class: str) -> str:
    """The property that holds the file of an asset class (``max_names.ASSET_SOURCES``)."""
    return next(prop for cls, prop, _kind in ASSET_SOURCES if cls.lower() == owner_class.lower())


def _light_switch(class_name: str) -> str:
    return LIGHT_SWITCH.get(class_name.lower(), "on")


class _NodeList:
    """Node specs: lights first, then asset owners (an IES light is both, so one node)."""

    def __init__(self) -> None:
        self.specs: list[dict[str, Any]] = []
        self._lights: list[dict[str, Any]] = []
        self.layer_hidden = False
        self.category_hidden = False

    def add_light(self, light: LightFact) -> None:
        # A switch that could not be read is left out: the light is declared without one.
        props = {} if light.on is None else {_light_switch(light.class_name): light.on}
        spec: dict[str, Any] = {"name": light.name, "class": light.class_name,
                                "superclass": LIGHT, "hidden": light.hidden_by is HiddenBy.NODE,
                                "props": props}
        if light.hidden_by is HiddenBy.LAYER:
            spec["layer"] = HIDDEN_LAYER
            self.layer_hidden = True
        # Hide by Category hides every light at once; the adapter names it for each light
        # that its own flag does not already hide.
        self.category_hidden |= light.hidden_by is HiddenBy.CATEGORY
        self.specs.append(spec)
        self._lights.append(spec)

    def add_plugin(self, class_name: str, count: int, superclass: str | None) -> None:
        """``count`` objects of a plugin class (modifiers sit on a plain node each)."""
        for i in range(1, count + 1):
            name = f"{class_name}_{i:03d}"
            if superclass == MODIFIER:
                self.specs.append({"name": name, "class": MODIFIER_CARRIER,
                                   "modifiers": [class_name]})
            else:
                self.specs.append({"name": name, "class": class_name})

    def add_asset(self, asset: AssetFact, number: int) -> None:
        prop = _path_property(asset.owner_class)
        owner = self._light_owner(asset, prop)
        if owner is None:
            owner = {"name": asset.owner or f"{asset.owner_class}_{number}",
                     "class": asset.owner_class, "props": {}}
            self.specs.append(owner)
        owner["props"][prop] = asset.path

    def _light_owner(self, asset: AssetFact, prop: str) -> dict[str, Any] | None:
        """The light node that holds this file: by name, else the next of its class without one."""
        same_class = [s for s in self._lights if s["class"].lower() == asset.owner_class.lower()
                      and prop not in s["props"]]
        named = [s for s in same_class if s["name"] == asset.owner]
        return next(iter(named or same_class), None)


def _renderer(host: FieldHost, facts: SceneFacts) -> dict[str, Any]:
    spec: dict[str, Any] = {"class": facts.renderer.class_name, "props": {}}
    engine = facts.renderer.engine
    if engine is None:
        return spec
    sub_props: dict[str, Any] = {}
    for prop, value in host.read_renderer_props().items():
        sub, name = PROPERTY_NAMES[engine][prop]
        (sub_props if sub else spec["props"])[name] = value
    if sub_props:
        spec["v_ray_settings"] = sub_props
    return spec


def _client_files(assets: list[AssetFact]) -> dict[str, list[str]]:
    """Files the client has, and the map paths through which 3ds Max found the moved ones.

    A frame or tile pattern stands for as many files as matched it: that many names it could
    name are written, in the folder where they were found.
    """
    found: list[str] = []
    for asset in assets:
        if asset.resolved_path is None:
            continue
        if asset.matches is None:
            found.append(asset.resolved_path)
            continue
        pattern = find_pattern(asset.resolved_path, tokens_for(asset.owner_class, asset.kind))
        if pattern is not None:
            found += [f"{pattern.folder}\\{pattern.example(i)}" for i in range(asset.matches)]
    folders = dict.fromkeys(_folder(a.resolved_path) for a in assets
                            if a.resolved_path and not same_path(a.resolved_path, a.path))
    return {"client_files": list(dict.fromkeys(found)), "map_paths": list(folders)}


def _folder(path: str) -> str:
    return path.replace("/", "\\").rsplit("\\", 1)[0]

