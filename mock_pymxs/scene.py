"""The mock scene file: a validated JSON description of one 3ds Max client and its open scene.

Field reference with an example: ``mock_pymxs/scenes/README.md``.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import gc
import json
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError
from pydantic_core import from_json

from mock_pymxs import classes
from mock_pymxs.errors import SceneFileError, shown
from mock_pymxs.maprecords import MapColumns
from mock_pymxs.noderecords import NodeRecords, merge

if TYPE_CHECKING:
    from mock_pymxs.state import SceneState

PropValue = bool | int | float | str | None
# Fields take the JSON type the schema gives them and no other (an export writes nothing
# else): ``true`` is not a width, nor ``"yes"`` a flag, nor ``2025.0`` or ``"2025"`` a year.
# 3ds Max holds a time as an int of ticks, 4800 a second (SDK maxtypes.h: ``using TimeValue =
# int``, TIME_TICKSPERSEC; MAXScript "Time Values"), so no frame number lies beyond an int's
# range at any frame rate (one tick a frame at the most).
Frame = Annotated[StrictInt, Field(ge=-(2**31), le=2**31 - 1)]


def _new_list() -> list[Any]:
    """An empty list: a field's default.

    pydantic reads each default factory's signature when it builds a model, and
    ``inspect.signature(list)`` parses the builtin's text signature: 80 microseconds against 5
    for this function, 20 fields, about 2 ms of each import (issue 18, item 7). NodeSpec keeps
    ``list``, called at C speed for each of the 100,000 nodes of a file validated whole.
    """
    return []


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class NodeSpec(_Model):
    """A scene node (object, light, camera, helper)."""

    name: str
    class_: str = Field(alias="class")
    superclass: str | None = None
    hidden: StrictBool = False
    frozen: StrictBool = False
    on: StrictBool | None = None
    target: str | None = None
    material: str | None = None
    layer: str = "0"
    modifiers: list[str] = Field(default_factory=list)
    props: dict[str, PropValue] = Field(default_factory=dict)


class LayerSpec(_Model):
    """A scene layer, optionally nested in ``parent`` (3ds Max 2015+).

    ``hidden`` (Layer Explorer's eye) hides every node on it and on its child layers.
    """

    name: str = Field(min_length=1)
    hidden: StrictBool = False
    parent: str | None = None


class MapSpec(_Model):
    """A texture map referenced by the scene."""

    name: str
    class_: str = Field(alias="class")
    filename: str | None = None
    HDRIMapName: str | None = None
    props: dict[str, PropValue] = Field(default_factory=dict)


class MaterialSpec(_Model):
    """A material; ``maps`` names the texture maps it uses."""

    name: str
    class_: str = Field(default="PhysicalMaterial", alias="class")
    maps: list[str] = Field(default_factory=_new_list)


class RendererSpec(_Model):
    """A renderer instance; GPU renderers keep CPU-style settings in ``v_ray_settings``.

    ``refs`` sets map and material properties by name (``{"environment_gi_map": "Sky"}``): on
    the renderer, or on its ``V_Ray_settings`` when only that has the property.
    """

    class_: str = Field(alias="class")
    props: dict[str, PropValue] = Field(default_factory=dict)
    v_ray_settings: dict[str, PropValue] | None = None
    refs: dict[str, str] = Field(default_factory=dict)


class HolderSpec(_Model):
    """An atmospheric or render effect: its class and the maps it holds."""

    name: str
    class_: str = Field(alias="class")
    maps: list[str] = Field(default_factory=_new_list)


class EnvironmentSpec(_Model):
    """Rendering > Environment: the environment map and the atmospherics, and render effects."""

    map: str | None = None
    use_map: StrictBool = True
    atmospherics: list[HolderSpec] = Field(default_factory=_new_list)
    effects: list[HolderSpec] = Field(default_factory=_new_list)


class RenderElementSpec(_Model):
    """A render element: its class, output file, the maps it holds and class properties.

    ``VRayExtraTex.texture`` is given as a map name in ``maps``.
    """

    name: str
    class_: str = Field(alias="class")
    filename: str = ""
    maps: list[str] = Field(default_factory=_new_list)
    props: dict[str, PropValue] = Field(default_factory=dict)


class RenderSpec(_Model):
    """Render Setup > Common: area to render, output size, time output."""

    type: str = "view"
    width: StrictInt = Field(default=1920, ge=1)
    height: StrictInt = Field(default=1080, ge=1)
    time_type: StrictInt = Field(default=1, ge=1, le=4)
    # Time Output (frames): rendStart/rendEnd, rendNThFrame, rendPickupFrames, animationRange,
    # and the time slider; the defaults are those of a new 3ds Max scene (0 to 100).
    start: Frame = 0
    end: Frame = 100
    nth_frame: StrictInt = Field(default=1, ge=1)
    pickup_frames: str = ""
    animation_range: tuple[Frame, Frame] = (0, 100)
    current_frame: Frame = 0
    # Render Output: rendOutputFilename and rendSaveFile
    output: str = ""
    save_file: StrictBool = False


class PluginDllSpec(_Model):
    """A plugin DLL known to the client's plugin manager and the classes it provides."""

    name: str
    path: str
    loaded: StrictBool = True
    classes: list[str] = Field(default_factory=_new_list)


class MissingPluginSpec(_Model):
    """One entry of SceneMissingPlugIns: a class whose plugin is absent on this client."""

    class_: str = Field(alias="class")
    dll: str
    description: str = ""


# Upper bounds of the counts a scene file gives: a few bytes of JSON must not make the mock
# build millions of objects (the largest real scenes have far fewer stand-ins than this).
MAX_MISSING_INSTANCES = 100_000
MAX_SCENE_BYTES = 256 * 1024 * 1024  # a 100,000-node synthetic scene is about 15 MB
MEDIT_SLOTS = 24  # the Compact Material Editor's sample slots [docs]
MAX_SLATE_ITEMS = 10_000  # a bound for the Slate editor's views in a scene file
MAX_LAYERS = 10_000
HIDE_CATEGORIES = (
    "geometry", "shapes", "lights", "cameras", "helpers", "spacewarps", "particles", "bones"
)  # hideByCategory properties [docs]

Count = Annotated[StrictInt, Field(ge=0, le=MAX_MISSING_INSTANCES)]


class Scene(_Model):
    """One 3ds Max client with its open scene, as the mock reproduces it."""

    max_version: StrictInt = Field(default=2025, ge=2019, le=2099)
    max_root: str | None = None
    scene_path: str = ""
    used_plugins: list[str] | None = None
    plugcfg_dir: str | None = None
    temp_dir: str | None = None
    map_paths: list[str] = Field(default_factory=_new_list)
    client_files: list[str] = Field(default_factory=_new_list)
    renderer: RendererSpec
    production_renderer: RendererSpec | None = None
    render: RenderSpec = Field(default_factory=RenderSpec)
    vray_version: list[str] | None = None
    nodes: list[NodeSpec] = Field(default_factory=_new_list)
    materials: list[MaterialSpec] = Field(default_factory=_new_list)
    maps: list[MapSpec] = Field(default_factory=_new_list)
    plugin_dlls: list[PluginDllSpec] = Field(default_factory=_new_list)
    missing_plugins: list[MissingPluginSpec] = Field(default_factory=_new_list)
    missing_instances: dict[str, Count] = Field(default_factory=dict)
    layers: list[LayerSpec] = Field(default_factory=_new_list, max_length=MAX_LAYERS)
    hide_by_category: list[str] = Field(default_factory=_new_list)
    material_editor: list[str] = Field(default_factory=_new_list, max_length=MEDIT_SLOTS)
    slate_editor: list[str] = Field(default_factory=_new_list, max_length=MAX_SLATE_ITEMS)
    editor_missing_instances: dict[str, Count] = Field(default_factory=dict)
    environment: EnvironmentSpec = Field(default_factory=EnvironmentSpec)
    render_elements: list[RenderElementSpec] = Field(default_factory=_new_list)
    computer_name: str = Field(default="ARTIST-PC", min_length=1, max_length=63)
    xref_scenes: list[str] = Field(default_factory=_new_list)
    render_dialog_open: StrictBool = False
    root_appdata: dict[int, str] = Field(default_factory=dict)


# getRenderType() names [docs: Render Setup dialog, setRenderType; `selection` unverified, the
# help text found breaks off after #boxselected]. `selected`/`selection` render the selected
# objects over the whole frame; the *selected ones fit a region to them.
RENDER_TYPES = (
    "view", "selected", "region", "crop", "blowup",
    "boxselected", "regionselected", "cropselected", "selection",
)
DEFAULT_LAYER = "0"  # every scene has layer "0"; it cannot be deleted [docs]
_COMPUTER_NAME = re.compile(r"[A-Za-z0-9._-]+")


def default_max_root(year: int) -> str:
    """``getDir #maxroot`` of a default install (the trailing backslash is [unverified])."""
    return f"C:\\Program Files\\Autodesk\\3ds Max {year}\\"


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        name = shown(part, quoted=False)  # a key of the file's: any length
        out += f"[{part}]" if isinstance(part, int) else (f".{name}" if out else name)
    return out


_PROP_VALUE_MEMBERS = ("bool", "int", "float", "str")  # PropValue's union, as pydantic names it


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    loc = tuple(first["loc"])
    if len(loc) >= 3 and loc[-1] in _PROP_VALUE_MEMBERS and loc[-3] in ("props",
                                                                        "v_ray_settings"):
        # A property value tried against each PropValue member: one problem, not four.
        errors = [e for e in errors if tuple(e["loc"])[:-1] != loc[:-1]]
        more = f" (and {len(errors)} more)" if errors else ""
        return (f"{_loc(loc[:-1])}: a property value is true/false, a number, text or null, "
                f"not {_json_type(first['input'])}{more}")
    where = _loc(loc) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    if first["type"] == "model_type":  # pydantic names the model class ("instance of scene")
        return f"{where}: a JSON object is needed here, not {_json_type(first['input'])}{more}"
    return f"{where}: {first['msg'].lower()}{more}"


def _json_type(value: object) -> str:
    """How JSON names the type of a parsed value."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    for kind, name in ((str, "text"), (int, "a number"), (float, "a number"), (list, "a list"),
                       (dict, "an object")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def available_classes(scene: Scene, records: NodeRecords | None = None
                      ) -> dict[str, classes.ClassInfo]:
    """Every class that is a global on this client: core classes plus the scene's plugin DLLs'.

    A plugin class that no DLL of the scene provides is not a global, as in a Max without it.
    ``records``: the scene file's nodes when ``scene.nodes`` leaves them out (see
    :func:`parse_scene_state`).
    """
    table = {k: c for k, c in classes.CLASSES.items() if not c.plugin}
    provided = {c.lower() for dll in scene.plugin_dlls for c in dll.classes}
    declared = _declared_plugin_classes(scene, records)
    for key in provided:
        info = classes.CLASSES.get(key) or declared.get(key)
        if info is not None:
            table[key] = info
    for alias, target in classes.ALIASES.items():
        if alias in table and target in table:
            table[alias] = table[target]  # one class under two global names
    return table


def _unknown_class_nodes(scene: Scene, records: NodeRecords | None
                         ) -> Iterator[tuple[str, str | None, dict[str, PropValue]]]:
    """Class, superclass and props of each node whose class the table does not know."""
    if records is None:
        yield from ((n.class_, n.superclass, n.props) for n in scene.nodes
                    if n.class_.lower() not in classes.CLASSES)
        return
    unknown = {k for k in records.class_key_set() if k not in classes.CLASSES}
    for i in merge(*(records.of_class(k) for k in unknown)):
        yield records.class_names[i], records.value(i, "superclass"), records.value(i, "props")


def _declared_plugin_classes(scene: Scene, records: NodeRecords | None = None
                             ) -> dict[str, classes.ClassInfo]:
    """Plugin classes the scene uses that the class table does not know (props from the scene)."""
    found: dict[str, tuple[str, str, dict[str, object]]] = {}
    for class_name, superclass, node_props in _unknown_class_nodes(scene, records):
        key = class_name.lower()
        name, sup, props = found.get(key, (class_name, superclass or classes.GEOMETRY, {}))
        props.update(node_props)
        found[key] = (name, sup, props)
    gpu: set[str] = set()
    for spec in (scene.renderer, scene.production_renderer):
        # A renderer release the table does not know (an exported scene from a newer V-Ray).
        if spec is not None and spec.class_.lower() not in classes.CLASSES:
            found[spec.class_.lower()] = (spec.class_, classes.RENDERER, dict(spec.props))
            if spec.v_ray_settings is not None:
                gpu.add(spec.class_.lower())
    dll_names = {c.lower(): c for dll in scene.plugin_dlls for c in dll.classes}
    for key, name in dll_names.items():
        if key not in classes.CLASSES and key not in found:
            found[key] = (name, classes.GEOMETRY, {})
    declared = {k: classes.declared_class(n, s, p) for k, (n, s, p) in found.items()}
    for key in gpu:  # GPU renderers carry the V_Ray_settings sub-object (classes.is_vray_gpu)
        declared[key] = dataclasses.replace(declared[key], class_id=classes.VRAY_GPU_CLASS_ID)
    return declared


_MISSING_CLASSES = frozenset(k for k in classes.CLASSES if k.startswith("missing_"))


def _resolve(avail: dict[str, classes.ClassInfo], name: str) -> classes.ClassInfo | None:
    """A class a scene file names: available here, or a Missing_* stand-in class."""
    key = name.lower()
    info = avail.get(key)
    if info is None and key in _MISSING_CLASSES:
        info = classes.CLASSES[key]
    return info


def check_scene(scene: Scene, records: NodeRecords | None = None,
                maps: MapColumns | None = None) -> list[str]:
    """Cross-field problems (unknown classes, dangling names) as ``"field: message"`` lines.

    ``records``: the scene file's nodes when ``scene.nodes`` leaves them out; the caller has
    made sure with :func:`nodes_surely_clean` that they hold none of these problems. ``maps``:
    the scene file's maps when ``scene.maps`` leaves them out (see :func:`parse_scene_state`).
    """
    columns = maps if maps is not None else MapColumns.of_specs(scene.maps)
    problems: list[str] = []
    avail = available_classes(scene, records)

    def known(name: str, where: str, superclass: str | None = None) -> classes.ClassInfo | None:
        info = _resolve(avail, name)
        if info is None:
            if name.lower() in classes.CLASSES:
                problems.append(
                    f"{where}: not provided by any plugin_dlls[].classes: {shown(name)}")
            else:
                problems.append(
                    f"{where}: unknown class {shown(name)} (a plugin class must be listed "
                    "in plugin_dlls[].classes)"
                )
        elif superclass is not None and info.superclass != superclass:
            problems.append(f"{where}: {info.name} is a {info.superclass}, not a {superclass}")
        return info

    node_names = {n.name.lower() for n in scene.nodes}
    layer_names = {DEFAULT_LAYER, *(ly.name.lower() for ly in scene.layers)}
    mat_names = {m.name.lower() for m in scene.materials}
    map_names = set(columns.lowered())
    for i, node in enumerate(scene.nodes):
        info = known(node.class_, f"nodes[{i}].class")
        if node.superclass is not None and node.superclass not in classes.SUPERCLASSES:
            problems.append(f"nodes[{i}].superclass: unknown superclass {shown(node.superclass)}")
        if info is not None and node.on is not None and info.superclass != classes.LIGHT:
            problems.append(
                f"nodes[{i}].on: only lights have on ({info.name} is a {info.superclass})"
            )
        if node.target is not None and node.target.lower() not in node_names:
            problems.append(f"nodes[{i}].target: no node named {shown(node.target)}")
        if node.material is not None and node.material.lower() not in mat_names:
            problems.append(f"nodes[{i}].material: no material named {shown(node.material)}")
        if node.layer.lower() not in layer_names:
            problems.append(f"nodes[{i}].layer: no layer named {shown(node.layer)}")
        for j, mod in enumerate(node.modifiers):
            known(mod, f"nodes[{i}].modifiers[{j}]", classes.MODIFIER)
    for i, mat in enumerate(scene.materials):
        known(mat.class_, f"materials[{i}].class", classes.MATERIAL)
        problems.extend(
            f"materials[{i}].maps: no map named {shown(m)}"
            for m in mat.maps
            if m.lower() not in map_names
        )
    # Each class once (a scene has 10,000s of maps, in a few classes); map by map, with the
    # map's index in the message, only when a class is wrong.
    if not all(_is_a(avail, name, classes.TEXTUREMAP) for name in set(columns.class_names)):
        for i, class_name in enumerate(columns.class_names):
            known(class_name, f"maps[{i}].class", classes.TEXTUREMAP)
    known(scene.renderer.class_, "renderer.class", classes.RENDERER)
    if scene.production_renderer is not None:
        known(scene.production_renderer.class_, "production_renderer.class", classes.RENDERER)
    if scene.render.type.lower() not in RENDER_TYPES:
        problems.append(f"render.type: one of {', '.join(RENDER_TYPES)}, "
                        f"not {shown(scene.render.type)}")
    problems += _check_holders(scene, known, map_names, mat_names)
    return problems + _check_lists(scene, mat_names | map_names)


Known = Callable[[str, str, "str | None"], "classes.ClassInfo | None"]


def _is_a(avail: dict[str, classes.ClassInfo], name: str, superclass: str) -> bool:
    """True when ``check_scene``'s class check finds nothing wrong with ``name``."""
    info = _resolve(avail, name)
    return info is not None and info.superclass == superclass


def _check_holders(scene: Scene, known: Known, map_names: set[str],
                   mat_names: set[str]) -> list[str]:
    """Problems of what rootScene's other branches hold: environment, effects, elements."""
    problems: list[str] = []

    def maps_of(where: str, names: list[str]) -> None:
        problems.extend(f"{where}: no map named {shown(m)}" for m in names
                        if m.lower() not in map_names)

    env = scene.environment
    if env.map is not None:
        maps_of("environment.map", [env.map])
    for field, superclass in (("atmospherics", classes.ATMOSPHERIC),
                              ("effects", classes.RENDER_EFFECT)):
        for i, holder in enumerate(getattr(env, field)):
            known(holder.class_, f"environment.{field}[{i}].class", superclass)
            maps_of(f"environment.{field}[{i}].maps", holder.maps)
    for i, element in enumerate(scene.render_elements):
        known(element.class_, f"render_elements[{i}].class", classes.RENDER_ELEMENT)
        maps_of(f"render_elements[{i}].maps", element.maps)
    for where, spec in (("renderer", scene.renderer),
                        ("production_renderer", scene.production_renderer)):
        for prop, name in (spec.refs.items() if spec is not None else ()):
            names = mat_names if prop.lower().endswith("mtl") else map_names
            if name.lower() not in names:
                problems.append(f"{where}.refs.{shown(prop, quoted=False)}: no map or material "
                                f"named {shown(name)}")
    return problems


def _check_lists(scene: Scene, editor_names: set[str]) -> list[str]:
    """Problems of the scene-wide lists: layers, stand-in counts, editor slots, categories."""
    problems: list[str] = []
    listed = [ly.name.lower() for ly in scene.layers]
    if len(set(listed)) != len(listed):
        problems.append("layers: layer names must be unique (case-insensitive)")
    problems += _check_layer_tree(scene)
    problems.extend(
        f"missing_instances.{shown(key, quoted=False)}: not a Missing_* class"
        for key in scene.missing_instances
        if key.lower() not in _MISSING_CLASSES
    )
    problems.extend(
        f"editor_missing_instances.{shown(key, quoted=False)}: not a Missing_* class"
        for key in scene.editor_missing_instances
        if key.lower() not in _MISSING_CLASSES
    )
    total = sum(scene.missing_instances.values()) + sum(scene.editor_missing_instances.values())
    if total > MAX_MISSING_INSTANCES:
        problems.append(f"missing_instances: more than {MAX_MISSING_INSTANCES} in all "
                        "(with editor_missing_instances)")
    for field in ("material_editor", "slate_editor"):
        problems.extend(
            f"{field}[{i}]: no material or map named {shown(name)}"
            for i, name in enumerate(getattr(scene, field))
            if name.lower() not in editor_names
        )
    if not _COMPUTER_NAME.fullmatch(scene.computer_name):
        problems.append("computer_name: letters, digits, '-', '_' and '.' only")
    problems.extend(
        f"hide_by_category[{i}]: one of {', '.join(HIDE_CATEGORIES)}, not {shown(cat)}"
        for i, cat in enumerate(scene.hide_by_category)
        if cat not in HIDE_CATEGORIES
    )
    if scene.used_plugins is not None and not scene.scene_path:
        problems.append("used_plugins: only a saved scene (scene_path) records its plug-ins")
    return problems


def _check_layer_tree(scene: Scene) -> list[str]:
    """Each parent names a layer; no layer is its own ancestor; layer "0" is never nested."""
    problems: list[str] = []
    parents = {ly.name.lower(): (ly.parent or "").lower() for ly in scene.layers}
    names = {DEFAULT_LAYER, *parents}
    for i, ly in enumerate(scene.layers):
        if ly.parent is None:
            continue
        if ly.name.lower() == DEFAULT_LAYER:
            # The default layer stays at the top of the tree [unverified].
            problems.append(f"layers[{i}].parent: layer \"0\" cannot be nested")
        elif ly.parent.lower() not in names:
            problems.append(f"layers[{i}].parent: no layer named {shown(ly.parent)}")
        else:
            seen, current = {ly.name.lower()}, ly.parent.lower()
            while current:
                if current in seen:
                    problems.append(f"layers[{i}].parent: the layers nest in a cycle")
                    break
                seen.add(current)
                current = parents.get(current, "")
    return problems


def nodes_surely_clean(scene: Scene, records: NodeRecords) -> bool:
    """True when :func:`check_scene`'s node checks would find nothing in ``records``.

    Decided by column (the classes, superclasses, targets, materials, layers and modifiers the
    nodes name, each distinct value once), never per node. False only means "not sure": the
    per-node checks then run and give their messages.
    """
    avail = available_classes(scene, records)
    infos = [_resolve(avail, key) for key in records.class_key_set()]
    if any(info is None for info in infos):
        return False
    lights = {key: _resolve(avail, key) for key in records.classes_with("on")}
    materials = {m.name.lower() for m in scene.materials}
    layers = {DEFAULT_LAYER, *(ly.name.lower() for ly in scene.layers)}
    modifiers = [_resolve(avail, name) for name in records.modifier_names()]
    return (records.distinct("superclass") - {None} <= set(classes.SUPERCLASSES)
            and all(getattr(info, "superclass", None) == classes.LIGHT
                    for info in lights.values())
            and records.find_targets(records.distinct("target") - {None})
            and all(m.lower() in materials for m in records.distinct("material") - {None})
            and all(ly.lower() in layers for ly in records.distinct("layer"))
            and all(m is not None and m.superclass == classes.MODIFIER for m in modifiers))


def parse_scene(data: object, source: str = "scene") -> Scene:
    """Validate already-parsed JSON data; raise SceneFileError naming ``source`` and the field."""
    return parse_scene_state(data, source)[0]()


SceneModel = Callable[[], Scene]
"""The validated Scene model of a loaded file, made on first call (see parse_scene_state)."""


def parse_scene_state(data: object, source: str = "scene", plugcfg_dir: str | None = None
                      ) -> tuple[SceneModel, SceneState]:
    """:func:`parse_scene`, and the live state built from it (``plugcfg_dir``: see build_state).

    Building the state checks property names and types, so it is done here, once per load.
    The Scene model comes back as a function that makes it on first call: a file whose nodes
    surely validate as they are (:meth:`NodeRecords.from_json`, the usual case) is validated
    without them, its nodes are checked by column and kept as records, and the state builds a
    node when something asks for it; so are its maps when they surely validate as they are
    (:meth:`MapColumns.from_json`), and the state builds them from the columns. Anything else
    is validated and built node by node, and either way a bad file gets the message pydantic
    or the checks give.
    """
    from mock_pymxs.state import build_state  # noqa: PLC0415 - state imports this module

    fields = data if isinstance(data, dict) else {}
    records = NodeRecords.from_json(fields.get("nodes", [])) if fields is data else None
    maps = MapColumns.from_json(fields.get("maps", [])) if records is not None else None
    if records is not None:
        try:
            head = Scene.model_validate({**fields, "nodes": [], "maps": []} if maps is not None
                                        else {**fields, "nodes": []})
        except ValidationError:
            records = None  # the message comes from validating the whole file, below
        else:
            if not nodes_surely_clean(head, records):
                records = None
    if records is None:
        maps = None
        try:
            head = Scene.model_validate(data)
        except ValidationError as exc:
            raise SceneFileError(f"{source}: {_first_error(exc)}") from None
    problems = check_scene(head, records, maps)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SceneFileError(f"{source}: {problems[0]}{more}")
    # Property names and types are checked against the class table while the live state is
    # built, so a bad property is a load error, not an install error.
    try:
        state = build_state(head, plugcfg_dir, records, maps)
    except SceneFileError as exc:
        raise SceneFileError(f"{source}: {exc}") from None
    if records is None:
        scene = head
        return (lambda: scene), state
    return _model_on_first_use(data), state


def _model_on_first_use(data: object) -> SceneModel:
    """The whole file's Scene model, validated the first time it is asked for."""
    made: list[Scene] = []

    def model() -> Scene:
        if not made:
            made.append(Scene.model_validate(data))
        return made[0]

    return model


def load_scene(path: str | Path) -> Scene:
    """Read and validate a scene file; errors are one-line SceneFileError messages.

    Only a regular file (or a link to one) is read, so a FIFO or device never blocks or
    streams, and only up to ``MAX_SCENE_BYTES``.
    """
    return load_scene_state(path)[0]()


def load_scene_state(path: str | Path, plugcfg_dir: str | None = None
                     ) -> tuple[SceneModel, SceneState]:
    """:func:`load_scene`, and the live state built from it (see :func:`parse_scene_state`)."""
    with _collector_paused():
        return _load_scene_state(Path(path), plugcfg_dir)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a scene file becomes objects.

    A 100,000-node file becomes millions of containers (JSON data, models, live state), and
    the collector's passes on the way walk all of them again and again: half the load time.
    Loading makes no garbage cycles; the collector runs as before once the scene is built.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_scene_state(p: Path, plugcfg_dir: str | None) -> tuple[SceneModel, SceneState]:
    try:
        info = p.stat()
        if not stat.S_ISREG(info.st_mode):
            raise SceneFileError(f"{p.name}: not a regular file")
        if info.st_size > MAX_SCENE_BYTES:
            raise SceneFileError(
                f"{p.name}: {info.st_size} bytes, larger than any scene description "
                f"({MAX_SCENE_BYTES} at most)"
            )
        with p.open("rb") as f:
            raw = f.read(MAX_SCENE_BYTES + 1)
        if len(raw) > MAX_SCENE_BYTES:  # grew since stat
            raise SceneFileError(f"{p.name}: larger than {MAX_SCENE_BYTES} bytes")
        # A BOM is fine, as in every JSON file vrdr reads (Notepad's "UTF-8 with BOM").
        bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
        # pydantic-core reads the UTF-8 bytes as they are (no decoded copy of a large file):
        # it takes only valid UTF-8 (a JSON text outside its strings is ASCII, and it checks
        # every string's bytes), so what it takes decodes, and is not empty. Whatever it
        # refuses is decoded and read as before, with the messages it got.
        data = _parsed_fast(raw[bom:] if bom else raw)
        text = "" if data is not None else raw.decode("utf-8-sig")  # offsets after the BOM
    except OSError as exc:
        raise SceneFileError(f"{p.name}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # PowerShell 5's ">"
            raise SceneFileError(f"{p.name}: not UTF-8 text but UTF-16; save it as UTF-8"
                                 ) from None
        raise SceneFileError(f"{p.name}: not UTF-8 text (byte {bom + exc.start})") from None
    if data is not None:
        return parse_scene_state(data, p.name, plugcfg_dir)
    if not text or text.isspace():  # a failed export or a full disk, not a JSON syntax error
        raise SceneFileError(f"{p.name}: the file is empty")
    return parse_scene_state(_parsed(text, p.name, fast=False), p.name, plugcfg_dir)


def _parsed(text: str, name: str, *, fast: bool = True) -> object:
    """The JSON data of a scene file's text; SceneFileError naming ``name`` where it is none.

    ``fast``: try pydantic-core's parser first (False: it refused these bytes already).
    """
    data = _parsed_fast(text) if fast else None
    if data is not None:
        return data
    try:
        data = json.loads(text, parse_int=_bounded_int)
    except RecursionError:
        raise SceneFileError(f"{name}: nested too deeply") from None
    except json.JSONDecodeError as exc:
        # "Invalid control character at": the position is the line and column already.
        raise SceneFileError(f"{name}: line {exc.lineno} column {exc.colno}: "
                             f"{exc.msg.removesuffix(' at')}") from None
    except _TooManyDigitsError as exc:
        raise SceneFileError(f"{name}: {exc}") from None
    # Only a \uD800-\uDFFF escape makes one; a valid pair is one character once parsed.
    if _SURROGATE_ESCAPE.search(text):
        where = _lone_surrogate(data)
        if where is not None:
            raise SceneFileError(f"{name}: {where}") from None
    return data


def _parsed_fast(text: str | bytes) -> object | None:
    """``text`` or its UTF-8 bytes parsed by pydantic-core, or None where ``json`` must decide.

    pydantic-core parses a large scene file in about two thirds of ``json.loads``'s time
    (issue 18, item 7). What it takes it reads as ``json`` does (the same values and types:
    NaN and Infinity, numbers, escapes, a repeated key's last value; held so by
    tests/host/test_scene_json_parsers.py); what it refuses (any syntax error, nesting deeper
    than 200, an integer of more than 4,300 characters, a lone surrogate escape: so what it
    takes needs no search for those) goes to ``json``, whose rules and messages a scene file
    is held to. A top-level null is left to ``json`` too, so None means "not parsed" only.
    """
    try:
        data: object = from_json(text, cache_strings="keys")
    except ValueError:
        return None
    return data


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _lone_surrogate(data: object) -> str | None:
    """Where a string of parsed JSON holds a lone surrogate (text that is not Unicode), if any.

    3ds Max names and paths are Unicode; a lone surrogate cannot be written as UTF-8, so it is
    refused here rather than met later by whatever prints or saves it. Walked without recursion:
    the parser accepts nesting deeper than Python's recursion limit.
    """
    stack: list[tuple[object, tuple[int | str, ...]]] = [(data, ())]
    while stack:
        item, loc = stack.pop()
        texts: list[tuple[str, str]] = []
        if isinstance(item, str):
            texts.append((item, ""))
        elif isinstance(item, dict):
            texts.extend((key, "a key holds ") for key in item)
            stack.extend((value, (*loc, key)) for key, value in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((value, (*loc, i)) for i, value in reversed(list(enumerate(item))))
        for text, what in texts:
            found = _SURROGATE.search(text)
            if found is not None:
                return (f"{_loc(loc) or '(top level)'}: {what}a lone surrogate "
                        f"(\\u{ord(found.group()):04x}), which is not Unicode text")
    return None


_MAX_DIGITS = 4300
"""CPython's default limit on the digits ``int()`` reads (3.11+, 3.10.7+; earlier 3.10 has
none): a longer number in a scene file is a bad file on every version, never a crash. The
same bound as ``vrdr_max.digits`` (mock_pymxs does not import vrdr_max)."""


class _TooManyDigitsError(ValueError):
    pass


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > _MAX_DIGITS:
        raise _TooManyDigitsError(f"a number of {digits} digits (at most {_MAX_DIGITS})")
    return int(text)


SCENES_DIR = Path(__file__).resolve().parent / "scenes"


def bundled_scene(name: str) -> Scene:
    """One of the scenes shipped in ``mock_pymxs/scenes`` (``"demo"``, ``"clean"``, ...)."""
    return load_scene(SCENES_DIR / f"{name}.json")
