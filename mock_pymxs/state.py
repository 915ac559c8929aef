"""The live scene behind the wrappers: plain Python objects, built fast from a Scene model."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from itertools import compress, islice, repeat
from operator import attrgetter, is_, is_not, itemgetter
from typing import Any

from mock_pymxs import classes
from mock_pymxs.classes import ClassInfo
from mock_pymxs.errors import SceneFileError, shown
from mock_pymxs.maprecords import MapColumns
from mock_pymxs.noderecords import NodeRecords, merge
from mock_pymxs.scene import DEFAULT_LAYER, Scene, available_classes, default_max_root
from mock_pymxs.vfs import VirtualFiles, normalize

MAX_LAYER_DEPTH = 1_000  # a bound for walks up the layer tree (the scene check refuses cycles)

# rootScene's sub-anims, in the order Autodesk's "rootScene System Global Variable" page prints
# `getSubAnimNames rootScene`. #world's object is the root node; the Material Editor's slots
# (#Medit_Materials) and the Slate editor (#SME) hold what only the editors hold.
ROOT_SCENE_BRANCHES = (
    "Sound", "Video_Post", "Global_Tracks", "biped", "Anim_Layer_Control_Manager", "SME",
    "Environment", "Render_Effects", "Render_Elements", "renderer", "Global_Shadow_Parameters",
    "Scene_Materials", "Medit_Materials", "world",
)


class ObjState:
    """A MAXScript object that is not a node: base object, map, material, renderer."""

    __slots__ = ("cls", "maps", "name", "nodes", "props", "sub")

    def __init__(self, cls: ClassInfo, name: str | None = None) -> None:
        self.cls = cls
        self.name = name
        self.props: dict[str, object] = cls.new_props()
        # The nodes it is the base object of, and the maps it holds: none until given (a
        # list then), so the 10,000s of maps of a large scene make no empty lists.
        self.nodes: list[NodeState] | tuple[()] = ()
        self.sub: ObjState | None = None
        self.maps: list[ObjState] | tuple[()] = ()


class LayerState:
    """A scene layer: its name, its own hidden flag and its parent layer (nested layers).

    A layer's ``ishidden`` is its own flag; a hidden parent hides the nodes of its child layers
    whatever their own flag says (public pymxs layer tools read ``getParent()`` to show that).
    """

    __slots__ = ("hidden", "name", "parent")

    def __init__(self, name: str, hidden: bool = False, parent: LayerState | None = None) -> None:
        self.name = name
        self.hidden = hidden
        self.parent = parent

    def hidden_in_tree(self) -> bool:
        """Hidden by its own flag or by any ancestor's."""
        layer: LayerState | None = self
        seen = 0
        while layer is not None and seen < MAX_LAYER_DEPTH:
            if layer.hidden:
                return True
            layer, seen = layer.parent, seen + 1
        return False


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
        if base.nodes:
            base.nodes.append(self)  # a list once it holds one
        else:
            base.nodes = [self]


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
        self._nodes: list[NodeState] = []
        self._store: NodeStore | None = None  # the scene file's nodes, built on first use
        self.maps: list[ObjState] = []
        self.materials: list[ObjState] = []
        self.detached: list[ObjState] = []
        self.missing_objects: list[ObjState] = []
        self.medit: list[ObjState] = []  # Material Editor slots holding something
        self.from_file: set[int] = set()  # ids of the scene file's maps and materials
        self.sme: list[ObjState] = []  # what the Slate Material Editor's views hold
        # Missing_* objects only the Material Editor holds (a count in the scene file)
        self.editor_missing: list[ObjState] = []
        # rootScene's other branches: Environment (map, atmospherics), Render Effects, Render
        # Elements (with the output file of each), and the renderers' own references.
        self.environment_map: ObjState | None = None
        self.atmospherics: list[ObjState] = []
        self.effects: list[ObjState] = []
        self.render_elements: list[ObjState] = []
        self.element_files: list[str] = []  # parallel to render_elements
        self.use_environment_map, self.elements_active = True, True
        # Render Output: rendOutputFilename, rendSaveFile; sysInfo.computername
        self.render_output, self.render_save_file = "", False
        self.computer_name = "ARTIST-PC"
        # Asset Tracking: ATSOps.ExcludeOutputFiles, and whether GetFiles honours it
        # ([unverified]: the mock's default is the harder case, it does not).
        self.ats_exclude_outputs, self.ats_honours_exclusion = False, False
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

    # -- the nodes -------------------------------------------------------------------------
    @property
    def nodes(self) -> list[NodeState]:
        """Every node in scene order (the scene file's first, in file order, then new ones).

        Asking for the list builds every node the scene file gave that is not built yet; the
        queries below build only the nodes they return.
        """
        if self._store is not None:
            store, self._store = self._store, None
            self._nodes = store.all()
        return self._nodes

    @nodes.setter
    def nodes(self, value: list[NodeState]) -> None:
        self._store = None
        self._nodes = value

    @property
    def node_store(self) -> NodeStore | None:
        """The scene file's nodes while some are not built yet (None once all are)."""
        return self._store

    def defer_nodes(self, store: NodeStore) -> None:
        """Keep the scene file's nodes as records, built on first use (``build_state``)."""
        self._nodes, self._store = [], store

    def nodes_of(self, keep: Callable[[ClassInfo], bool]) -> list[NodeState]:
        """The nodes whose class passes ``keep``, in scene order."""
        found = self._store.where(keep) if self._store is not None else None
        return found if found is not None else [n for n in self.nodes if keep(n.base.cls)]

    def nodes_with_targets(self, superclass: str) -> list[NodeState]:
        """Nodes of a superclass plus the Targetobject nodes they target, in scene order."""
        main = self.nodes_of(lambda c: c.superclass == superclass)
        if self._store is not None:
            targets = [n.target for n in main
                       if n.target is not None and n.target.base.cls.name == "Targetobject"]
            return self._store.in_order([*main, *targets])
        owned = {id(n.target) for n in main if n.target is not None}
        return [n for n in self._nodes if n.base.cls.superclass == superclass
                or (n.base.cls.name == "Targetobject" and id(n) in owned)]

    def nodes_with_modifiers(self, keep: Callable[[ClassInfo], bool]) -> list[NodeState]:
        """The nodes with a modifier whose class passes ``keep``, in scene order."""
        if self._store is not None:
            return self._store.with_modifiers(keep)
        return [n for n in self._nodes if any(keep(m.cls) for m in n.modifiers)]

    def nodes_using(self, materials: set[int]) -> Iterator[NodeState]:
        """The nodes whose material is one of ``materials`` (ids), in scene order, lazily."""
        if self._store is not None:
            return self._store.using(materials)
        return (n for n in self._nodes if n.material is not None and id(n.material) in materials)

    def node_roots(self) -> list[NodeState | ObjState]:
        """Roots whose reach is the node tree's (``reach(node_roots())`` == ``reach(nodes)``).

        A node not built yet holds nothing but its material: its base object and modifiers do
        not exist until it is built, so only its material stands for it.
        """
        if self._store is not None:
            return self._store.roots()
        return list(self._nodes)

    def node_materials(self) -> list[ObjState]:
        """The nodes' materials (once or more each): rootScene's #Scene_Materials."""
        if self._store is not None:
            return self._store.materials()
        return [n.material for n in self._nodes if n.material is not None]

    def next_name(self, class_name: str) -> str:
        """Max-style default name: class name plus a three-digit counter."""
        n = self.counts.get(class_name, 0) + 1
        self.counts[class_name] = n
        return f"{class_name}{n:03d}"

    # -- the reference graph under rootScene -------------------------------------------------
    def branch_roots(self, branch: str) -> list[NodeState | ObjState]:
        """What one rootScene branch holds directly (``ROOT_SCENE_BRANCHES`` names).

        #world's loose maps and materials (``loose``) are left to ``reach_branch``; branches
        the mock does not model (Sound, Video Post, Global Tracks, ...) hold nothing.
        """
        env: list[NodeState | ObjState] = (
            [self.environment_map] if self.environment_map is not None else [])
        holders: dict[str, Callable[[], list[NodeState | ObjState]]] = {
            "world": lambda: [*self.node_roots(), *self.missing_objects],
            "environment": lambda: [*env, *self.atmospherics],
            "render_effects": lambda: list(self.effects),
            "render_elements": lambda: list(self.render_elements),
            "renderer": lambda: [r for r in (self.current, self.production) if r is not None],
            "medit_materials": lambda: [*self.medit, *self.editor_missing],
            "sme": lambda: list(self.sme),
            "scene_materials": lambda: list(self.node_materials()),
        }
        get = holders.get(branch.lower())
        return get() if get is not None else []

    def reach_branch(self, branch: str) -> set[int]:
        """Ids of everything under one rootScene branch."""
        ids = reach(self.branch_roots(branch))
        if branch.lower() == "world":
            ids |= {id(o) for o in self.loose()}
        return ids

    def outside_world(self) -> set[int]:
        """Ids of everything under the branches other than #world and #Scene_Materials."""
        return reach([r for b in ROOT_SCENE_BRANCHES
                      if b.lower() not in ("world", "scene_materials")
                      for r in self.branch_roots(b)])

    def loose(self) -> list[ObjState]:
        """Maps and materials of the scene file no holder references.

        The scene file's shorthand for objects the node tree uses in ways the mock does not
        model (a modifier's map, a displacement map): #world holds them. A map a script made
        and no longer references is not loose: it is held by nothing, as in 3ds Max.
        """
        held = self.outside_world() | reach(self.node_roots())
        return [o for o in (*self.maps, *self.materials)
                if id(o) not in held and id(o) in self.from_file]

    def held(self, objs: list[ObjState]) -> list[ObjState]:
        """Leave out maps and materials a script made that nothing references any more."""
        if self.from_file.issuperset(map(id, objs)):
            return objs  # all the scene file's (at C speed: 10,000s of maps, per class asked)
        made = [o for o in objs if id(o) not in self.from_file
                and o.cls.superclass in (classes.TEXTUREMAP, classes.MATERIAL)]
        if not made:
            return objs
        ids = reach([r for b in ROOT_SCENE_BRANCHES for r in self.branch_roots(b)])
        gone = {id(o) for o in made if id(o) not in ids}
        return [o for o in objs if id(o) not in gone]

    def in_world(self, candidates: list[ObjState]) -> list[ObjState]:
        """The candidates #world holds (nodes, what they use, loose maps and materials)."""
        other = self.outside_world()
        if not any(id(c) in other for c in candidates):
            return candidates  # nothing else holds them: all are the node tree's
        nodes = reach([*self.node_roots(), *self.missing_objects])
        return [c for c in candidates if id(c) in nodes or id(c) not in other]

    def all_objects(self, keep: Callable[[ClassInfo], bool] | None = None) -> list[ObjState]:
        """Every object the scene holds, once, in a stable order (maps in file order first).

        ``keep``: only the objects of the classes it passes (the same list, filtered), so the
        nodes of other classes are not built for it.
        """
        seen: set[int] = set()
        out: list[ObjState] = []
        wanted = keep if keep is not None else (lambda _c: True)

        def add(group: Iterable[ObjState | None]) -> None:
            for o in group:
                if o is not None and id(o) not in seen and wanted(o.cls):
                    seen.add(id(o))
                    out.append(o)

        add(self.maps)
        add(self.materials)
        add(n.base for n in self.nodes_of(wanted))
        add(m for n in self.nodes_with_modifiers(wanted) for m in n.modifiers)
        add((*self.missing_objects, *self.editor_missing, self.current, self.production,
             self.environment_map, *self.atmospherics, *self.effects, *self.render_elements,
             *self.medit, *self.sme))
        return self.held(out)

    def adopt(self, obj: ObjState) -> None:
        """A detached object (made by calling its class) is now held by the scene somewhere."""
        if any(o is obj for o in self.detached):
            self.detached = [o for o in self.detached if o is not obj]
            if obj.cls.superclass == classes.TEXTUREMAP:
                self.maps.append(obj)
            elif obj.cls.superclass == classes.MATERIAL:
                self.materials.append(obj)

    def editor_only(self) -> set[int]:
        """Ids of objects only the Material Editor's slots or the Slate editor hold."""
        if not self.medit and not self.sme and not self.editor_missing:
            return set()
        editors = reach([*self.branch_roots("medit_materials"), *self.branch_roots("sme")])
        others = reach([r for b in ROOT_SCENE_BRANCHES
                        if b.lower() not in ("medit_materials", "sme")
                        for r in self.branch_roots(b)])
        return editors - others

    def layer(self, name: str) -> LayerState:
        """The layer called ``name`` (case-insensitive); SceneFileError if there is none."""
        for ly in self.layers:
            if ly.name.lower() == name.lower():
                return ly
        raise SceneFileError(f"no layer named {shown(name)}")

    def class_info(self, name: str) -> ClassInfo:
        """An available class, a Missing_* class, or SceneFileError."""
        info = self.classes.get(name.lower()) or classes.CLASSES.get(name.lower())
        if info is None:
            raise SceneFileError(f"unknown class {shown(name)}")
        return info


def _never(_value: object) -> bool:
    return False


# Which JSON values a property of each type takes (bool is an int in Python, never here).
_JSON_TYPES: dict[str, Callable[[object], bool]] = {
    "bool": lambda v: isinstance(v, bool),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "str": lambda v: isinstance(v, str),
}


def coerce_json(info: ClassInfo, props: Mapping[str, object], where: str) -> dict[str, object]:
    """Check scene-file property values against the class table; canonical names out."""
    out: dict[str, object] = {}
    for name, value in props.items():
        spec = info.prop(name)
        if spec is None:
            raise SceneFileError(f"{where}.{shown(name, quoted=False)}: {info.name} has no "
                                 f"property {shown(name)}")
        if not _JSON_TYPES.get(spec.type, _never)(value):
            raise SceneFileError(
                f"{where}.{name}: {info.name}.{spec.name} takes {spec.type}, not {shown(value)}"
            )
        try:
            out[spec.name] = float(value) if spec.type == "float" else value  # type: ignore[arg-type]
        except OverflowError:  # an int of over 308 digits (a float literal gives inf instead)
            raise SceneFileError(
                f"{where}.{name}: {info.name}.{spec.name} takes float, not a number of "
                f"{len(str(value).lstrip('-'))} digits (beyond a float's range)"
            ) from None
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


def build_state(scene: Scene, plugcfg_dir: str | None = None,
                records: NodeRecords | None = None, maps: MapColumns | None = None
                ) -> SceneState:
    """The live state for a validated scene; ``plugcfg_dir`` overrides the scene's.

    ``records``: the scene file's nodes, when ``scene.nodes`` leaves them out (see
    ``scene.parse_scene_state``); they are built on first use when they surely build.
    ``maps``: the scene file's maps, when ``scene.maps`` leaves them out.
    """
    st = SceneState()
    st.classes = available_classes(scene, records)
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
    for spec in scene.layers:
        if spec.parent is not None:
            st.layer(spec.name).parent = st.layer(spec.parent)
    st.computer_name = scene.computer_name
    st.render_output, st.render_save_file = scene.render.output, scene.render.save_file
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
    mats, maps_by_name = _build_materials(
        st, scene, maps if maps is not None else MapColumns.of_specs(scene.maps))
    _build_nodes(st, scene, mats, records)
    st.medit = [mats.get(n.lower()) or maps_by_name[n.lower()] for n in scene.material_editor]
    st.sme = [mats.get(n.lower()) or maps_by_name[n.lower()] for n in scene.slate_editor]
    for cls_name, count in scene.missing_instances.items():
        info = classes.CLASSES[cls_name.lower()]
        st.missing_objects.extend(ObjState(info) for _ in range(count))
    for cls_name, count in scene.editor_missing_instances.items():
        info = classes.CLASSES[cls_name.lower()]
        st.editor_missing.extend(ObjState(info) for _ in range(count))
    _build_branches(st, scene, mats, maps_by_name)
    if st.dialog_open:
        st.dialog_snapshot = renderer_snapshot(st.current)
    return st


def _build_branches(st: SceneState, scene: Scene, mats: dict[str, ObjState],
                    maps: dict[str, ObjState]) -> None:
    """RootScene's other branches: environment, render effects, render elements, renderers."""
    env = scene.environment
    st.environment_map = maps[env.map.lower()] if env.map is not None else None
    st.use_environment_map = env.use_map

    def holder(spec_class: str, name: str, map_names: list[str]) -> ObjState:
        obj = ObjState(st.class_info(spec_class), name)
        obj.maps = [maps[n.lower()] for n in map_names]
        return obj

    st.atmospherics = [holder(h.class_, h.name, h.maps) for h in env.atmospherics]
    st.effects = [holder(h.class_, h.name, h.maps) for h in env.effects]
    for i, spec in enumerate(scene.render_elements):
        element = holder(spec.class_, spec.name, spec.maps)
        element.props.update(coerce_json(element.cls, spec.props, f"render_elements[{i}].props"))
        st.render_elements.append(element)
        st.element_files.append(spec.filename)
    for where, spec_r, obj in (("renderer", scene.renderer, st.current),
                               ("production_renderer", scene.production_renderer, st.production)):
        if spec_r is None or obj is None:
            continue
        for prop, name in spec_r.refs.items():
            _set_ref(obj, prop, mats.get(name.lower()) or maps.get(name.lower()),
                     f"{where}.refs.{shown(prop, quoted=False)}")


def _set_ref(obj: ObjState, prop: str, value: ObjState | None, where: str) -> None:
    """Put a map or material into a renderer property (or its V_Ray_settings sub-object's)."""
    for target in (obj, obj.sub):
        spec = target.cls.prop(prop) if target is not None else None
        if target is None or spec is None:
            continue
        want = classes.MATERIAL if spec.type == "material" else classes.TEXTUREMAP
        if spec.type not in ("texmap", "material") or value is None \
                or value.cls.superclass != want:
            raise SceneFileError(f"{where}: {target.cls.name}.{spec.name} takes a "
                                 f"{'material' if want == classes.MATERIAL else 'map'}")
        target.props[spec.name] = value
        return
    raise SceneFileError(f"{where}: {obj.cls.name} has no property {shown(prop)}")


_PROPS = attrgetter("props")


def _build_maps(st: SceneState, maps: MapColumns) -> dict[str, ObjState]:
    """The scene file's maps into ``st.maps``, in file order; each map by its name's key.

    Built in bulk, by column (10,000s of maps in a large scene): a map whose only property is
    a text filename (most maps) gets it as ``coerce_json`` would give it, without the check;
    every other map goes through ``coerce_json`` in file order, so the first bad one raises
    its message, and a class this client lacks raises where its first map is.
    """
    class_info = st.class_info
    infos: dict[str, tuple[ClassInfo, str | None]] = {}  # class -> its info, its "filename"
    failed: SceneFileError | None = None
    count = len(maps)
    for name in dict.fromkeys(maps.class_names):
        try:
            info = class_info(name)
        except SceneFileError as exc:  # raised after the maps before its first one
            failed, count = exc, maps.class_names.index(name)
            break
        spec = info.prop("filename")
        infos[name] = (info, spec.name if spec and spec.type == "str" else None)
    names, filenames = maps.names, maps.filenames
    known = list(map(infos.__getitem__, islice(maps.class_names, count)))
    objs = list(map(ObjState, map(itemgetter(0), known), names))
    texts = list(map(itemgetter(1), known))  # each map's class's "filename", None if none
    everyone = range(count)
    odd = {*compress(everyone, maps.props), *compress(everyone, map(is_, texts, repeat(None))),
           *compress(everyone, map(is_not, map(type, filenames), repeat(str)))}
    if any(map(is_not, maps.hdri, repeat(None))):
        odd.update(compress(everyone, map(is_not, maps.hdri, repeat(None))))
    plain = bytearray(b"\x01") * count
    for i in odd:
        plain[i] = 0
    deque(map(dict.__setitem__, compress(map(_PROPS, objs), plain), compress(texts, plain),
              compress(filenames, plain)), maxlen=0)
    for i in sorted(odd):
        props: dict[str, object] = dict(maps.props[i])
        if filenames[i] is not None:
            props["filename"] = filenames[i]
        if maps.hdri[i] is not None:
            props["HDRIMapName"] = maps.hdri[i]
        if props:
            objs[i].props.update(coerce_json(known[i][0], props, f"maps[{i}]"))
    if failed is not None:
        raise failed
    st.maps.extend(objs)
    st.from_file.update(map(id, objs))
    return dict(zip(maps.lowered(), objs, strict=False))  # objs: the maps before a failure


def _build_materials(
    st: SceneState, scene: Scene, maps: MapColumns
) -> tuple[dict[str, ObjState], dict[str, ObjState]]:
    maps_by_name = _build_maps(st, maps)
    mats: dict[str, ObjState] = {}
    for mat in scene.materials:
        obj = ObjState(st.class_info(mat.class_), mat.name)
        obj.maps = [maps_by_name[n.lower()] for n in mat.maps]
        st.materials.append(obj)
        st.from_file.add(id(obj))
        mats[mat.name.lower()] = obj
    return mats, maps_by_name


def _build_nodes(st: SceneState, scene: Scene, mats: dict[str, ObjState],
                 records: NodeRecords | None) -> None:
    """The scene's nodes: kept as records and built on first use, or built now.

    Records that surely build (``NodeStore.prepare``) go into a NodeStore. A scene given whole
    (a Scene model) and records that would not build are built now, node by node, so a bad one
    raises the error it always did, at the node it always did.
    """
    if records is not None:
        store = NodeStore.prepare(st, records, mats)
        if store is not None:
            st.defer_nodes(store)
            return
    specs: Iterable[Any] = (scene.nodes if records is None
                            else (records.row(i) for i in range(len(records))))
    by_name: dict[str, NodeState] = {}
    targets: list[tuple[NodeState, str]] = []
    for i, spec in enumerate(specs):
        info = st.classes.get(spec.class_.lower()) or st.class_info(spec.class_)
        node = _new_node(st, i, spec, info, mats=mats, layer=st.layer)
        if spec.target is not None:
            targets.append((node, spec.target))
        st.nodes.append(node)
        by_name.setdefault(spec.name.lower(), node)
    for node, target in targets:
        node.target = by_name[target.lower()]


def _new_node(st: SceneState, i: int, spec: Any, info: ClassInfo, *,
              mats: dict[str, ObjState], layer: Callable[[str], LayerState]) -> NodeState:
    """Node ``i`` of a scene file (a NodeSpec or a NodeRow), its target left to the caller."""
    base = ObjState(info)
    if spec.props:
        base.props.update(coerce_json(info, spec.props, f"nodes[{i}].props"))
    if spec.on is not None:
        switch = _light_switch(info)
        if switch is None:
            raise SceneFileError(f"nodes[{i}].on: {info.name} has no on/enabled switch")
        base.props[switch] = spec.on
    node = NodeState(spec.name, base, layer(spec.layer))
    node.hidden, node.frozen = spec.hidden, spec.frozen
    node.modifiers = [ObjState(st.class_info(m)) for m in spec.modifiers]
    if spec.material is not None:
        node.material = mats[spec.material.lower()]
    return node


_NOT_NONE = partial(is_not, None)


class NodeStore:
    """The scene file's nodes, each built the first time something asks for it (issue 18.7).

    A node is built exactly as ``build_state`` builds every node of a scene given whole (the
    same objects, fields, target); the store only decides when. The adapter reads lights and
    assets, so in a 100,000-node scene the geometry nodes are never built: questions by class
    (``where``) are answered from the records' class column, and the node tree's reach (what
    ``getClassInstances target:`` searches) from the records' materials, since a node not built
    yet holds nothing else. Anything that needs every node (``SceneState.nodes``: a new or
    deleted node, ``objects``, ``getNodeByName``) builds them all and retires the store.
    """

    def __init__(self, st: SceneState, records: NodeRecords, *, mats: dict[str, ObjState],
                 infos: dict[str, ClassInfo], layers: dict[str, LayerState],
                 modifiers: dict[str, ClassInfo]) -> None:
        self.records = records
        self._st = st
        self._mats = mats  # material key -> the material a node of that name gets
        self._infos = infos  # class key -> class
        self._layers = layers  # layer key -> layer
        self._modifiers = modifiers  # modifier class key -> class
        self._built: list[NodeState | None] = [None] * len(records)
        self._index: dict[int, int] = {}  # id(node) -> its record
        self._order: list[int] = []  # the records built so far
        self._unbuilt_materials: Counter[str] | None = None  # material key -> records not built

    @classmethod
    def prepare(cls, st: SceneState, records: NodeRecords,
                mats: dict[str, ObjState]) -> NodeStore | None:
        """A store for records that surely build; None when one might not (build them now).

        The records passed ``scene.check_scene`` (their classes, layers, materials, modifiers
        and targets exist); what is left to fail is a light switch and a property.
        """
        try:
            infos = {key: st.class_info(key) for key in records.class_key_set()}
            for i in records.indices_where("props"):
                info = infos[records.class_names[i].lower()]
                coerce_json(info, records.value(i, "props"), f"nodes[{i}].props")
            layers = {name.lower(): st.layer(name) for name in records.distinct("layer")}
            modifiers = {name.lower(): st.class_info(name) for name in records.modifier_names()}
        except SceneFileError:
            return None
        if any(_light_switch(infos[key]) is None for key in records.classes_with("on")):
            return None
        return cls(st, records, mats=mats, infos=infos, layers=layers, modifiers=modifiers)

    def __len__(self) -> int:
        return len(self._built)

    @property
    def built(self) -> int:
        """How many nodes are built."""
        return len(self._order)

    def node(self, i: int) -> NodeState:
        """Node ``i`` (in file order), built now if it is not yet, with its target."""
        node = self._built[i]
        if node is None:
            pending: list[tuple[NodeState, str]] = []
            node = self._make(i, pending)
            while pending:  # a chain of targets, without recursion
                source, target = pending.pop()
                j = self.records.first_named(target)
                assert j is not None  # prepare() found every target
                source.target = self._built[j] or self._make(j, pending)
        return node

    def _make(self, i: int, pending: list[tuple[NodeState, str]]) -> NodeState:
        spec = self.records.row(i)
        node = _new_node(self._st, i, spec, self._infos[spec.class_.lower()], mats=self._mats,
                         layer=lambda name: self._layers[name.lower()])
        self._built[i] = node
        self._index[id(node)] = i
        self._order.append(i)
        if self._unbuilt_materials is not None and spec.material is not None:
            self._unbuilt_materials[spec.material.lower()] -= 1
        if spec.target is not None:
            pending.append((node, spec.target))
        return node

    def all(self) -> list[NodeState]:
        """Every node, in file order."""
        return [self.node(i) for i in range(len(self._built))]

    def where(self, keep: Callable[[ClassInfo], bool]) -> list[NodeState] | None:
        """The nodes whose class passes ``keep``, in file order; None when every class does."""
        keys = [key for key, info in self._infos.items() if keep(info)]
        if len(keys) == len(self._infos):
            return None  # every node: SceneState.nodes builds them all and retires the store
        return [self.node(i) for i in self.records.of_classes(keys)]

    def in_order(self, nodes: Iterable[NodeState]) -> list[NodeState]:
        """``nodes`` (built ones) once each, in file order."""
        return [self.node(i) for i in merge(self._index[id(n)] for n in nodes)]

    def with_modifiers(self, keep: Callable[[ClassInfo], bool]) -> list[NodeState]:
        """The nodes with a modifier whose class passes ``keep`` (modifiers never change)."""
        value = self.records.value
        return [self.node(i) for i in self.records.indices_where("modifiers")
                if any(keep(self._modifiers[m.lower()]) for m in value(i, "modifiers"))]

    def using(self, materials: set[int]) -> Iterator[NodeState]:
        """The nodes whose material is one of ``materials`` (ids), in file order, lazily.

        A node not built has its file's material; a built one may have another by now.
        """
        names = [key for key, mat in self._mats.items() if id(mat) in materials]
        unbuilt = [i for key in names for i in self.records.using_material(key)
                   if self._built[i] is None]
        built = [i for i in self._order if _material_in(self._built[i], materials)]
        return (self.node(i) for i in merge(unbuilt, built))

    def _unbuilt(self) -> list[ObjState]:
        """The materials of the nodes not built yet (each once)."""
        if self._unbuilt_materials is None:
            column = self.records.field("material")[1]
            counts = Counter(map(str.lower, filter(_NOT_NONE, column)))
            for i in self._order:
                material = self.records.value(i, "material")
                if material is not None:
                    counts[material.lower()] -= 1
            self._unbuilt_materials = counts
        return [self._mats[key] for key, count in self._unbuilt_materials.items() if count > 0]

    def materials(self) -> list[ObjState]:
        """Every node's material (once or more each)."""
        built = [self._built[i] for i in self._order]
        return [*self._unbuilt(), *(n.material for n in built
                                    if n is not None and n.material is not None)]

    def roots(self) -> list[NodeState | ObjState]:
        """Built nodes, and the materials of the rest: their reach is the node tree's."""
        built = [n for n in (self._built[i] for i in self._order) if n is not None]
        return [*built, *self._unbuilt()]


def _material_in(node: NodeState | None, materials: set[int]) -> bool:
    return node is not None and node.material is not None and id(node.material) in materials


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


def references(obj: ObjState) -> list[ObjState]:
    """The objects ``obj`` references: its maps, its sub-object, maps/materials in properties."""
    out = list(obj.maps)
    if obj.sub is not None:
        out.append(obj.sub)
    out.extend(v for v in obj.props.values() if isinstance(v, ObjState))
    return out


def reach(roots: Iterable[NodeState | ObjState]) -> set[int]:
    """Ids of every object under ``roots`` (the roots' own objects included)."""
    seen: set[int] = set()
    stack: list[ObjState] = []
    for root in roots:
        if isinstance(root, NodeState):
            stack.append(root.base)
            stack.extend(root.modifiers)
            if root.material is not None:
                stack.append(root.material)
        else:
            stack.append(root)
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        stack.extend(references(o))
    return seen
