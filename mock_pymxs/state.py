"""The live scene behind the wrappers: plain Python objects, built fast from a Scene model."""

from __future__ import annotations

from collections.abc import Mapping

from mock_pymxs import classes
from mock_pymxs.classes import ClassInfo
from mock_pymxs.errors import SceneFileError
from mock_pymxs.scene import DEFAULT_LAYER, Scene, available_classes, default_max_root
from mock_pymxs.vfs import VirtualFiles, normalize


class ObjState:
    """A MAXScript object that is not a node: base object, map, material, renderer."""

    __slots__ = ("cls", "maps", "name", "nodes", "props", "sub")

    def __init__(self, cls: ClassInfo, name: str | None = None) -> None:
        self.cls = cls
        self.name = name
        self.props: dict[str, object] = {p.name: p.default for p in cls.props}
        self.nodes: list[NodeState] = []
        self.sub: ObjState | None = None
        self.maps: list[ObjState] = []


class LayerState:
    """A scene layer: its name and whether it hides its nodes."""

    __slots__ = ("hidden", "name")

    def __init__(self, name: str, hidden: bool = False) -> None:
        self.name = name
        self.hidden = hidden


class NodeState:
    """A scene node; its class and class properties live on its base object."""

    __slots__ = (
        "base", "frozen", "hidden", "layer", "material", "modifiers", "name", "renderable",
        "target",
    )

    def __init__(self, name: str, base: ObjState, layer: LayerState) -> None:
        self.name = name
        self.base = base
        self.hidden = False
        self.frozen = False
        self.renderable = True
        self.layer = layer
        self.target: NodeState | None = None
        self.material: ObjState | None = None
        self.modifiers: list[ObjState] = []
        base.nodes.append(self)


class PluginDll:
    """One row of the plugin manager."""

    __slots__ = ("classes", "loaded", "name", "path")

    def __init__(self, name: str, path: str, loaded: bool, class_names: list[str]) -> None:
        self.name = name
        self.path = path
        self.loaded = loaded
        self.classes = class_names


class MissingPlugin:
    """One entry of SceneMissingPlugIns."""

    __slots__ = ("class_name", "description", "dll")

    def __init__(self, class_name: str, dll: str, description: str) -> None:
        self.class_name = class_name
        self.dll = dll
        self.description = description


class SceneState:
    """Everything the mock runtime reads and changes."""

    def __init__(self) -> None:
        self.classes: dict[str, ClassInfo] = {}
        self.nodes: list[NodeState] = []
        self.maps: list[ObjState] = []
        self.materials: list[ObjState] = []
        self.detached: list[ObjState] = []
        self.missing_objects: list[ObjState] = []
        self.medit: list[ObjState] = []  # Material Editor slots holding something
        self.layers: list[LayerState] = [LayerState(DEFAULT_LAYER)]
        self.hidden_categories: set[str] = set()
        self.used_plugins: list[str] | None = None
        self.xref_scenes: list[str] = []
        self.max_root = default_max_root(2025)
        self.current: ObjState | None = None
        self.production: ObjState | None = None  # None: the same slot as current
        self.files = VirtualFiles()
        self.map_paths: list[str] = []
        self.scene_path = ""
        self.plugcfg_dir: str | None = None
        self.temp_dir: str | None = None
        self.render_type = "view"
        self.render_width = 1920
        self.render_height = 1080
        self.rend_time_type = 1
        self.rend_start, self.rend_end, self.rend_nth_frame = 0, 100, 1
        self.rend_pickup_frames = ""
        self.animation_range = (0, 100)
        self.current_frame = 0
        self.dlls: list[PluginDll] = []
        self.missing_plugins: list[MissingPlugin] = []
        self.dialog_open = False
        self.dialog_snapshot: dict[str, object] = {}
        self.vray_version: list[str] | None = None
        self.max_version = 2025
        self.user_globals: dict[str, tuple[str, object]] = {}
        self.root_appdata: dict[int, str] = {}
        self.appdata: dict[int, dict[int, str]] = {}
        self.counts: dict[str, int] = {}

    def next_name(self, class_name: str) -> str:
        """Max-style default name: class name plus a three-digit counter."""
        n = self.counts.get(class_name, 0) + 1
        self.counts[class_name] = n
        return f"{class_name}{n:03d}"

    def editor_only(self) -> set[int]:
        """Ids of maps and materials that only Material Editor slots hold (not the scene).

        A map or material no node uses and no slot holds stands for one the scene holds
        elsewhere (environment, render elements): it counts as in the scene.
        """
        if not self.medit:
            return set()

        def reach(roots: list[ObjState]) -> set[int]:
            return {id(o) for r in roots for o in (r, *r.maps)}

        in_scene = reach([n.material for n in self.nodes if n.material is not None])
        return reach(self.medit) - in_scene

    def layer(self, name: str) -> LayerState:
        """The layer called ``name`` (case-insensitive); SceneFileError if there is none."""
        for ly in self.layers:
            if ly.name.lower() == name.lower():
                return ly
        raise SceneFileError(f"no layer named {name!r}")

    def class_info(self, name: str) -> ClassInfo:
        """An available class, a Missing_* class, or SceneFileError."""
        info = self.classes.get(name.lower()) or classes.CLASSES.get(name.lower())
        if info is None:
            raise SceneFileError(f"unknown class {name!r}")
        return info


def coerce_json(info: ClassInfo, props: Mapping[str, object], where: str) -> dict[str, object]:
    """Check scene-file property values against the class table; canonical names out."""
    out: dict[str, object] = {}
    for name, value in props.items():
        spec = info.prop(name)
        if spec is None:
            raise SceneFileError(f"{where}.{name}: {info.name} has no property {name!r}")
        ok = {
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
            "str": isinstance(value, str),
        }.get(spec.type, False)
        if not ok:
            raise SceneFileError(
                f"{where}.{name}: {info.name}.{spec.name} takes {spec.type}, not {value!r}"
            )
        out[spec.name] = float(value) if spec.type == "float" else value  # type: ignore[arg-type]
    return out


def make_renderer(info: ClassInfo) -> ObjState:
    """A new renderer instance (GPU renderers get their V_Ray_settings sub-object)."""
    obj = ObjState(info, info.display_name)
    if classes.is_vray_gpu(info):
        obj.sub = ObjState(classes.VRAY_SETTINGS, classes.VRAY_GPU_SUBOBJECT)
    return obj


def _renderer_from_spec(
    state: SceneState,
    spec_class: str,
    props: Mapping[str, object],
    sub: Mapping[str, object] | None,
    where: str,
) -> ObjState:
    info = state.class_info(spec_class)
    obj = make_renderer(info)
    obj.props.update(coerce_json(info, props, f"{where}.props"))
    if sub is not None:
        if obj.sub is None:
            raise SceneFileError(f"{where}.v_ray_settings: {info.name} has no V_Ray_settings")
        obj.sub.props.update(coerce_json(obj.sub.cls, sub, f"{where}.v_ray_settings"))
    return obj


def _light_switch(info: ClassInfo) -> str | None:
    for name in ("on", "enabled"):
        spec = info.prop(name)
        if spec is not None:
            return spec.name
    return None


def build_state(scene: Scene, plugcfg_dir: str | None = None) -> SceneState:
    """The live state for a validated scene; ``plugcfg_dir`` overrides the scene's."""
    st = SceneState()
    st.classes = available_classes(scene)
    st.max_version = scene.max_version
    st.max_root = scene.max_root or default_max_root(scene.max_version)
    st.scene_path = scene.scene_path
    st.used_plugins = None if scene.used_plugins is None else list(scene.used_plugins)
    st.xref_scenes = list(scene.xref_scenes)
    st.hidden_categories = set(scene.hide_by_category)
    for spec in scene.layers:
        if spec.name.lower() == DEFAULT_LAYER:
            st.layers[0].hidden = spec.hidden
        else:
            st.layers.append(LayerState(spec.name, spec.hidden))
    st.plugcfg_dir = plugcfg_dir if plugcfg_dir is not None else scene.plugcfg_dir
    st.temp_dir = scene.temp_dir
    st.map_paths = [normalize(p) for p in scene.map_paths]
    # A plugin DLL the plugin manager lists is a file on the client.
    st.files = VirtualFiles([*scene.client_files, *(d.path for d in scene.plugin_dlls)])
    st.render_type = scene.render.type.lower()
    st.render_width, st.render_height = scene.render.width, scene.render.height
    st.rend_time_type = scene.render.time_type
    st.rend_start, st.rend_end = scene.render.start, scene.render.end
    st.rend_nth_frame = scene.render.nth_frame
    st.rend_pickup_frames = scene.render.pickup_frames
    st.animation_range = scene.render.animation_range
    st.current_frame = scene.render.current_frame
    st.vray_version = list(scene.vray_version) if scene.vray_version else None
    st.dialog_open = scene.render_dialog_open
    st.root_appdata = dict(scene.root_appdata)
    st.dlls = [PluginDll(d.name, d.path, d.loaded, list(d.classes)) for d in scene.plugin_dlls]
    st.missing_plugins = [
        MissingPlugin(m.class_, m.dll, m.description) for m in scene.missing_plugins
    ]
    r = scene.renderer
    st.current = _renderer_from_spec(st, r.class_, r.props, r.v_ray_settings, "renderer")
    if scene.production_renderer is not None:
        p = scene.production_renderer
        st.production = _renderer_from_spec(
            st, p.class_, p.props, p.v_ray_settings, "production_renderer"
        )
    mats, maps = _build_materials(st, scene)
    _build_nodes(st, scene, mats)
    st.medit = [mats.get(n.lower()) or maps[n.lower()] for n in scene.material_editor]
    for cls_name, count in scene.missing_instances.items():
        info = classes.CLASSES[cls_name.lower()]
        st.missing_objects.extend(ObjState(info) for _ in range(count))
    if st.dialog_open:
        st.dialog_snapshot = renderer_snapshot(st.current)
    return st


def _build_materials(
    st: SceneState, scene: Scene
) -> tuple[dict[str, ObjState], dict[str, ObjState]]:
    maps_by_name: dict[str, ObjState] = {}
    for i, m in enumerate(scene.maps):
        info = st.class_info(m.class_)
        obj = ObjState(info, m.name)
        props: dict[str, object] = dict(m.props)
        if m.filename is not None:
            props["filename"] = m.filename
        if m.HDRIMapName is not None:
            props["HDRIMapName"] = m.HDRIMapName
        obj.props.update(coerce_json(info, props, f"maps[{i}]"))
        st.maps.append(obj)
        maps_by_name[m.name.lower()] = obj
    mats: dict[str, ObjState] = {}
    for mat in scene.materials:
        obj = ObjState(st.class_info(mat.class_), mat.name)
        obj.maps = [maps_by_name[n.lower()] for n in mat.maps]
        st.materials.append(obj)
        mats[mat.name.lower()] = obj
    return mats, maps_by_name


def _build_nodes(st: SceneState, scene: Scene, mats: dict[str, ObjState]) -> None:
    by_name: dict[str, NodeState] = {}
    targets: list[tuple[NodeState, str]] = []
    for i, spec in enumerate(scene.nodes):
        info = st.classes.get(spec.class_.lower()) or st.class_info(spec.class_)
        base = ObjState(info)
        if spec.props:
            base.props.update(coerce_json(info, spec.props, f"nodes[{i}].props"))
        if spec.on is not None:
            switch = _light_switch(info)
            if switch is None:
                raise SceneFileError(f"nodes[{i}].on: {info.name} has no on/enabled switch")
            base.props[switch] = spec.on
        node = NodeState(spec.name, base, st.layer(spec.layer))
        node.hidden, node.frozen = spec.hidden, spec.frozen
        node.modifiers = [ObjState(st.class_info(m)) for m in spec.modifiers]
        if spec.material is not None:
            node.material = mats[spec.material.lower()]
        if spec.target is not None:
            targets.append((node, spec.target))
        st.nodes.append(node)
        by_name.setdefault(spec.name.lower(), node)
    for node, target in targets:
        node.target = by_name[target.lower()]


def renderer_snapshot(obj: ObjState | None) -> dict[str, object]:
    """All properties of a renderer, sub-object ones as ``V_Ray_settings.<name>``."""
    if obj is None:
        return {}
    out = dict(obj.props)
    if obj.sub is not None:
        out.update({f"{classes.VRAY_GPU_SUBOBJECT}.{k}": v for k, v in obj.sub.props.items()})
    return out


def restore_snapshot(obj: ObjState, snap: dict[str, object]) -> None:
    """Put a renderer back to a snapshot (what the open Render Setup dialog does on commit)."""
    prefix = f"{classes.VRAY_GPU_SUBOBJECT}."
    for k, v in snap.items():
        if k.startswith(prefix):
            if obj.sub is not None:
                obj.sub.props[k[len(prefix) :]] = v
        else:
            obj.props[k] = v
