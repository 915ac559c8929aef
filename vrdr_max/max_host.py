"""``PymxsHost``: ``MaxHost`` over pymxs; the only backend module that imports pymxs.

Reads are batched: collections and class-instance lists come back in one crossing each, and the
per-item reads are a fixed few (see ``read_scene``), so the cost grows with the lights and assets
in a scene, never with its geometry.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pymxs
from pymxs import runtime as rt

from vrdr_max.errors import HostError
from vrdr_max.facts import (
    MAP_KINDS,
    AssetFact,
    AssetKind,
    DefaultLightInputs,
    HiddenBy,
    LightFact,
    MissingPlugin,
    PluginUse,
    PropValue,
    RendererFamily,
    RendererInfo,
    SceneFacts,
)
from vrdr_max.host import LightKind, RenderOutcome, judge_render, pickup_frame_count
from vrdr_max.max_names import (
    APPDATA_ID,
    ASSET_SOURCES,
    CALLBACK_ID,
    EXTENSION_KINDS,
    FIELD_PROBE_ID,
    FRAME_EVENT,
    IMAGE_EXTENSIONS,
    LAYER_HIDDEN,
    LIGHT_SWITCH,
    MISSING_CLASSES,
    NOT_LIGHTS,
    PROMPT_MS,
    QUICK_RENDER,
    RENDER_WATCH_ID,
    STOCK_PLUGIN_FOLDER,
    USED_PLUGINS,
    VRAY_DLL_PREFIXES,
)
from vrdr_max.plugin_classes import KNOWN_PLUGIN_CLASSES
from vrdr_max.renderers import PROPERTY_NAMES, RendererProp, identify_renderer

# MAXScript raises through pymxs as RuntimeError subclasses; attribute misses as AttributeError.
_MXS_ERRORS: tuple[type[BaseException], ...] = (RuntimeError, AttributeError)
_MXS_EXCEPTION = getattr(pymxs, "MAXScriptException", None)
if isinstance(_MXS_EXCEPTION, type) and issubclass(_MXS_EXCEPTION, BaseException):
    _MXS_ERRORS = (*_MXS_ERRORS, _MXS_EXCEPTION)

# A value that is there but not what we expect (int() of a non-number) counts as unreadable.
_READ_ERRORS: tuple[type[BaseException], ...] = (*_MXS_ERRORS, TypeError, ValueError)

_PARAM_ERRORS: tuple[type[BaseException], ...] = (TypeError, IndexError, *_MXS_ERRORS)

READ_SLICE_S = 0.010
"""``read_scene_steps`` hands control back after about this long: the panel's event loop turns
between slices, so a 100,000-node scene does not freeze 3ds Max's UI while it is read."""

Steps = Generator[str, None, Any]
"""A read in slices: yields the part being read between slices, returns what it read."""

def _key(path: str) -> str:
    """A path as Windows compares it: either slash, any case."""
    return path.replace("/", "\\").lower()


def _kind_of(path: str) -> AssetKind:
    """The kind of a file Asset Tracking lists, from its extension."""
    ext = ("." + path.rsplit(".", 1)[-1].lower()) if "." in path else ""
    if ext in IMAGE_EXTENSIONS:
        return AssetKind.BITMAP
    return EXTENSION_KINDS.get(ext, AssetKind.OTHER)


def _global(name: str) -> Any:
    """A MAXScript global, or None when this 3ds Max does not define it (plugin not installed)."""
    try:
        return getattr(rt, name)
    except _MXS_ERRORS:
        return None


class PymxsHost:
    """3ds Max through pymxs. Create it and call it on 3ds Max's main thread only."""

    def __init__(self, asset_sources: Sequence[tuple[str, str, AssetKind]] = ASSET_SOURCES):
        self._asset_sources = asset_sources
        self._since = time.perf_counter()

    def _slice(self, part: str) -> Iterator[str]:
        """Yield ``part`` once a slice's time is used up (see :data:`READ_SLICE_S`)."""
        if time.perf_counter() - self._since >= READ_SLICE_S:
            yield part
            self._since = time.perf_counter()

    # -- reading -------------------------------------------------------------------------------

    def read_scene(self) -> SceneFacts:
        """Snapshot the scene for the checks (:meth:`read_scene_steps` in one go)."""
        steps = self.read_scene_steps()
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]

    def read_scene_steps(self) -> Steps:
        """Snapshot the scene for the checks, in slices: a generator that returns the facts.

        Between slices (about :data:`READ_SLICE_S` each) it yields the part it is reading,
        so a caller on the main thread can let its event loop turn; every runtime call stays
        in the caller's thread. The reads are the same as in one go.

        Runtime cost, none of it per geometry node: a constant part (renderer, switches,
        version, collectors, Asset Tracking, 1 per plugin class looked for); per light 4 reads
        (class, switch, name, node flag) plus 2 for its layer unless the node flag or Hide by
        Category already hides it; per asset 2 (path, resolution), 1 for a file only Asset
        Tracking lists, plus 1-2 for an asset 3ds Max cannot find or that is not on a UNC path
        (its owner's name); 1 per map of a class whose Material Editor slots hold maps the scene
        does not use; 1 per DLL the saved scene records.
        """
        renderer = rt.renderers.current
        info = identify_renderer(str(rt.classOf(renderer)))
        props = self._read_props(renderer, info.engine) if info.engine else {}
        inputs = None
        if {RendererProp.LIGHTS, RendererProp.DEFAULT_LIGHTS} <= props.keys():
            inputs = DefaultLightInputs(
                lights=bool(props[RendererProp.LIGHTS]),
                default_lights=int(props[RendererProp.DEFAULT_LIGHTS] or 0),
                hidden_lights=bool(props.get(RendererProp.HIDDEN_LIGHTS, True)),
                gi_on=bool(props.get(RendererProp.GI_ON, False)))
        dr = props.get(RendererProp.DR_ENABLED)
        check_missing = props.get(RendererProp.CHECK_MISSING_FILES)
        scene_path = str(rt.maxFilePath) + str(rt.maxFileName)
        self._since = time.perf_counter()
        lights = yield from self._read_lights()
        assets = yield from self._read_assets(scene_path)
        yield "plugins"
        plugins = self._read_plugins()
        yield "plugins recorded in the scene"
        scene_dlls = self._read_scene_dlls(scene_path)
        missing_plugins = self._read_missing_plugins()
        missing_instances = yield from self._read_missing_instances()
        return SceneFacts(
            max_version=self.max_version(),
            scene_path=scene_path,
            renderer=info,
            dr_enabled=None if dr is None else bool(dr),
            check_missing_files=None if check_missing is None else bool(check_missing),
            default_lights=inputs if info.family is RendererFamily.VRAY else None,
            lights=lights,
            assets=assets,
            plugins=plugins,
            scene_dlls=scene_dlls,
            missing_plugins=missing_plugins,
            missing_instances=missing_instances,
            render_type=str(rt.getRenderType()),
        )

    def _read_props(self, renderer: Any, engine: Any) -> dict[RendererProp, PropValue]:
        values: dict[RendererProp, PropValue] = {}
        is_property = rt.isProperty
        sub_objects: dict[str, Any] = {}
        for prop, (sub, name) in PROPERTY_NAMES[engine].items():
            target = renderer
            if sub is not None:
                if sub not in sub_objects:
                    has_sub = is_property(renderer, sub)
                    sub_objects[sub] = getattr(renderer, sub) if has_sub else None
                target = sub_objects[sub]
            if target is not None and is_property(target, name):
                values[prop] = getattr(target, name)
        return values

    def read_renderer(self) -> RendererInfo:
        """The current renderer, from its class name."""
        return identify_renderer(str(rt.classOf(rt.renderers.current)))

    def read_renderer_props(self) -> dict[RendererProp, PropValue]:
        """The current renderer's DR-related settings (absent ones are left out)."""
        renderer = rt.renderers.current
        info = identify_renderer(str(rt.classOf(renderer)))
        return self._read_props(renderer, info.engine) if info.engine else {}

    def _read_lights(self) -> Steps:
        class_of = rt.classOf
        by_category = bool(rt.hideByCategory.lights)
        lights = []
        for node in rt.lights:
            yield from self._slice("lights")
            cls = str(class_of(node))
            key = cls.lower()
            if key in NOT_LIGHTS:
                continue
            try:
                on: bool | None = bool(getattr(node, LIGHT_SWITCH.get(key, "on")))
            except _MXS_ERRORS:
                on = None  # no switch we know of: whether it lights the scene is unknown
            lights.append(LightFact(name=str(node.name), class_name=cls, on=on,
                                    hidden_by=self._hidden_by(node, by_category)))
        return lights

    @staticmethod
    def _hidden_by(node: Any, by_category: bool) -> HiddenBy | None:
        """Why a light is hidden: V-Ray leaves out lights hidden for any reason."""
        if node.isHidden:  # the node's own flag only
            return HiddenBy.NODE
        if by_category:
            return HiddenBy.CATEGORY
        return HiddenBy.LAYER if getattr(node.layer, LAYER_HIDDEN) else None

    def _read_assets(self, scene_path: str) -> Steps:
        """Files of maps and known objects with their owners, then every other file ATS lists.

        Maps are searched under the root node: ``getClassInstances`` without a target also
        searches the Material Editor, whose slots may hold maps the scene does not use.
        """
        resolve = rt.mapPaths.getFullFilePath
        resolved: dict[str, str | None] = {}

        def where(path: str) -> str | None:
            key = path.lower()
            if key not in resolved:
                resolved[key] = str(resolve(path) or "") or None
            return resolved[key]

        instances, root = rt.getClassInstances, rt.rootNode
        assets: list[AssetFact] = []
        known: set[str] = set()
        editor_only: set[str] = set()
        read_classes: set[str] = set()
        for class_name, prop, kind in self._asset_sources:
            cls = _global(class_name)
            if cls is None or str(cls).lower() in read_classes:
                continue  # absent here, or another name of a class already read
            read_classes.add(str(cls).lower())
            yield "maps and files"  # one collection per turn: each walks the whole scene
            in_scene = instances(cls, target=root)
            paths: dict[str, str] = {}
            for item in in_scene:
                yield from self._slice("maps and files")
                path = str(getattr(item, prop) or "")
                if not path:
                    continue
                full = where(path)
                paths[_key(path)] = path
                known.update({_key(path), _key(full or path)})
                needs_owner = full is None or not full.startswith(("\\\\", "//"))
                owner = self._owner_name(item, kind) if needs_owner else None
                assets.append(AssetFact(path=path, kind=kind, owner=owner, owner_class=class_name,
                                        resolved_path=full))
            if kind in MAP_KINDS:
                yield "maps and files"
                editor_only |= self._editor_only_paths(cls, prop, len(in_scene), paths)
        tracked = yield from self._tracked_files(scene_path, known | editor_only, where)
        return assets + tracked

    @staticmethod
    def _editor_only_paths(map_class: Any, prop: str, in_scene: int,
                           scene_paths: Mapping[str, str]) -> set[str]:
        """Files of maps only Material Editor slots hold (read only when there are some)."""
        everywhere = rt.getClassInstances(map_class)
        if len(everywhere) == in_scene:
            return set()
        paths = {_key(str(getattr(item, prop) or "")) for item in everywhere}
        return paths - scene_paths.keys() - {""}

    def _tracked_files(self, scene_path: str, skip: set[str],
                       where: Callable[[str], str | None]) -> Steps:
        """Files Asset Tracking lists that no class scan found.

        Photometric webs, volume and Phoenix caches, V-Ray scenes, XRefs, Alembic caches, and
        whatever a plugin reports.
        """
        yield "tracked files"  # Asset Tracking lists every file at once
        ats = rt.ATSOps
        ats.Refresh()
        _count, files = ats.GetFiles(pymxs.byref(None))
        skip = skip | {_key(scene_path)}
        out = []
        for item in files:
            yield from self._slice("tracked files")
            path = str(item)
            if not path or _key(path) in skip:
                continue
            skip.add(_key(path))
            out.append(AssetFact(path=path, kind=_kind_of(path), resolved_path=where(path)))
        return out

    @staticmethod
    def _owner_name(item: Any, kind: AssetKind) -> str | None:
        """Name maps by themselves; objects (proxies, IES lights) by their first node."""
        if kind in MAP_KINDS:
            return str(item.name)
        nodes = list(rt.refs.dependentNodes(item))
        return str(nodes[0].name) if nodes else None

    @staticmethod
    def _read_plugins() -> list[PluginUse]:
        uses = []
        for known in KNOWN_PLUGIN_CLASSES:
            cls = _global(known.class_name)
            count = 0 if cls is None else len(rt.getClassInstances(cls))
            if count:
                uses.append(PluginUse(class_name=known.class_name, count=count, dll=known.dll,
                                      product=known.product))
        return uses

    def _read_scene_dlls(self, scene_path: str) -> list[str] | None:
        """Third-party DLLs the saved scene records; None for a scene never saved."""
        dlls = self.file_property_items(USED_PLUGINS) if scene_path else None
        if dlls is None:
            return None
        stock = str(rt.getDir(rt.Name("maxroot"))).rstrip("\\/") + f"\\{STOCK_PLUGIN_FOLDER}\\"
        exists = rt.doesFileExist
        return [dll for dll in dlls
                if not dll.lower().startswith(VRAY_DLL_PREFIXES) and not exists(stock + dll)]

    def _read_missing_plugins(self) -> list[MissingPlugin]:
        smp = rt.SceneMissingPlugIns
        return [MissingPlugin(class_name=str(smp.GetMissingPlugInClassName(i)),
                              dll=str(smp.GetMissingPlugInFileName(i)),
                              description=str(smp.GetMissingPlugInDescription(i) or ""))
                for i in range(1, int(smp.GetMissingPlugInCount()) + 1)]  # 1-based

    def _read_missing_instances(self) -> Steps:
        counts = {}
        for name in MISSING_CLASSES:
            yield "missing plugins"
            cls = _global(name)
            if cls is not None:
                count = len(rt.getClassInstances(cls))
                if count:
                    counts[name] = count
        return counts

    def plugcfg_dir(self) -> Path:
        """``getDir #plugcfg``: where V-Ray reads its DR cfg files."""
        return Path(str(rt.getDir(rt.Name("plugcfg"))))

    def max_version(self) -> int:
        """The release year from ``maxVersion()`` (0-based item 7 from Python)."""
        return int(rt.maxVersion()[7])

    # -- writing -------------------------------------------------------------------------------

    def _prop_target(self, prop: RendererProp) -> tuple[Any, str]:
        renderer = rt.renderers.current
        info = identify_renderer(str(rt.classOf(renderer)))
        if info.engine is None:
            raise HostError(f"the current renderer {info.class_name} is not V-Ray")
        sub, name = PROPERTY_NAMES[info.engine][prop]
        target = renderer
        if sub is not None:
            if not rt.isProperty(renderer, sub):
                raise HostError(f"{info.class_name} has no {sub}")
            target = getattr(renderer, sub)
        if not rt.isProperty(target, name):
            raise HostError(f"{info.class_name} has no property {name}")
        return target, name

    def write_renderer_props(self, values: Mapping[RendererProp, PropValue], label: str) -> None:
        """Set renderer settings in one undo step; Render Setup is committed and closed first."""
        self._close_render_setup()
        targets = [(self._prop_target(prop), value) for prop, value in values.items()]
        try:
            with pymxs.undo(True, label):
                for (target, name), value in targets:
                    setattr(target, name, value)
        except _MXS_ERRORS as exc:
            raise HostError(f"3ds Max refused a renderer setting: {exc}") from exc

    @staticmethod
    def _close_render_setup() -> None:
        # Edits made while Render Setup is open are "non-sticky" (max-plugin.md §6.2).
        dialog = rt.renderSceneDialog
        if dialog.isOpen():
            dialog.commit()
            dialog.close()

    def create_light(self, kind: LightKind, name: str) -> str:
        """Create a V-Ray dome light at the origin, in one undo step."""
        try:
            with pymxs.undo(True, f"vrdr: add {name}"):
                node = rt.VRayLight(name=name, type=1)  # type 1 = dome

        except _MXS_ERRORS as exc:
            raise HostError(f"could not create {kind.value} light: {exc}") from exc
        return str(node.name)

    def read_scene_data(self, key: str) -> str | None:
        """Text stored with ``write_scene_data`` (in the root node's AppData).

        Raises:
            HostError: the slot holds something other than vrdr's record (damaged, or another
                tool's); it is reported, never read as empty.
        """
        stored = self._read_appdata()
        return stored.get(key)

    def write_scene_data(self, key: str, value: str | None) -> None:
        """Store text in the scene; it is saved with the .max file.

        Raises:
            HostError: the slot holds something other than vrdr's record; it is left as it is.
        """
        stored = self._read_appdata()
        if value is None:
            stored.pop(key, None)
        else:
            stored[key] = value
        rt.setAppData(rt.rootNode, APPDATA_ID, json.dumps(stored, sort_keys=True))

    @staticmethod
    def _read_appdata() -> dict[str, str]:
        text = rt.getAppData(rt.rootNode, APPDATA_ID)
        if not text:
            return {}
        try:
            data = json.loads(str(text))
        except (json.JSONDecodeError, RecursionError):
            data = None
        if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
            return {str(k): v for k, v in data.items()}
        # Damaged, or another tool's: overwriting it would lose it without a word.
        raise HostError(f"the scene's vrdr record (root node AppData {APPDATA_ID}) is not vrdr's "
                        "data; vrdr leaves it alone. If no other tool uses it, clear it in "
                        f"MAXScript: deleteAppData rootNode {APPDATA_ID}")

    # -- rendering and events ------------------------------------------------------------------

    def render(self) -> RenderOutcome:
        """Render like the Render button (Render Setup's output, range and size)."""
        self._close_render_setup()  # first: the open dialog would put its own settings back
        asked = self._frames_asked()
        return judge_render(self.render_events([FRAME_EVENT]).count(FRAME_EVENT), asked)

    @staticmethod
    def _frames_asked() -> int | None:
        """How many frames Render Setup's Time Output asks for; None when it cannot be read."""
        try:
            kind = int(rt.rendTimeType)
            if kind == 1:
                return 1
            if kind == 4:
                return pickup_frame_count(str(rt.rendPickupFrames))
            if kind == 2:
                span = rt.animationRange
                first, last = int(span.start), int(span.end)
            elif kind == 3:
                first, last = int(rt.rendStart), int(rt.rendEnd)
            else:
                return None
            nth = int(rt.rendNThFrame)
        except _READ_ERRORS:
            return None
        return len(range(first, last + 1, nth)) if nth >= 1 and last >= first else None

    # -- raw look-ups for the field check and the exporter (FieldHost) --------------------------

    def globals_defined(self, names: Sequence[str]) -> dict[str, bool]:
        """Which names are MAXScript globals in this 3ds Max."""
        return {name: _global(name) is not None for name in names}

    def renderer_classes(self) -> list[str]:
        """``RendererClass.classes``: every installed renderer class."""
        return [str(cls) for cls in rt.RendererClass.classes]

    def renderer_properties(self, class_name: str,
                            names: Sequence[tuple[str | None, str]]) -> dict[str, bool]:
        """Properties of a new, unassigned instance of a renderer class."""
        cls = _global(class_name)
        if cls is None:
            return {_dotted(sub, name): False for sub, name in names}
        renderer = cls()
        found = {}
        for sub, name in names:
            target = renderer
            if sub is not None:
                target = getattr(renderer, sub) if rt.isProperty(renderer, sub) else None
            found[_dotted(sub, name)] = target is not None and bool(rt.isProperty(target, name))
        return found

    def instance_properties(self, class_name: str, names: Sequence[str]) -> dict[str, bool] | None:
        """Properties of the scene's first instance of a class (None without one)."""
        cls = _global(class_name)
        items = list(rt.getClassInstances(cls)) if cls is not None else []
        if not items:
            return None
        return {name: bool(rt.isProperty(items[0], name)) for name in names}

    def vray_version(self) -> list[str] | None:
        """``vrayVersion()`` as strings (V-Ray 3.0+; Deadline's DBR script reads it)."""
        fn = _global("vrayVersion")
        return None if fn is None else [str(item) for item in fn()]

    def class_superclass(self, class_name: str) -> str | None:
        """``classOf`` of a class value is its superclass (``GeometryClass``, ``modifier``...)."""
        cls = _global(class_name)
        return None if cls is None else str(rt.classOf(cls))

    def layer_properties(self, names: Sequence[str]) -> dict[str, bool]:
        """Properties of layer 0, which every scene has (``getLayer`` is 0-based)."""
        layer = rt.LayerManager.getLayer(0)
        return {name: bool(rt.isProperty(layer, name)) for name in names}

    def file_property_items(self, header: str) -> list[str] | None:
        """The file properties' items under ``header`` (filled in when the scene is saved)."""
        items = rt.fileProperties.getItems(header)
        return None if items is None else [str(item) for item in items]

    def accepts_python_callback(self) -> bool:
        """Register a no-op Python callable for #preRender under a probe id, then remove it."""
        probe = rt.Name(FIELD_PROBE_ID)
        try:
            rt.callbacks.addScript(rt.Name("preRender"), lambda: None, id=probe)
        except _MXS_ERRORS:
            return False
        finally:
            rt.callbacks.removeScripts(id=probe)
        return True

    def render_events(self, events: Sequence[str]) -> list[str]:
        """Render once like the Render button; the listed notifications, in order."""
        self._close_render_setup()
        seen: list[str] = []
        watch = rt.Name(RENDER_WATCH_ID)
        for event in events:
            rt.callbacks.addScript(rt.Name(event), lambda event=event: seen.append(event),
                                   id=watch)
        try:
            rt.execute(QUICK_RENDER)
        except _MXS_ERRORS as exc:
            raise HostError(f"the render failed: {exc}") from exc
        finally:
            rt.callbacks.removeScripts(id=watch)
        return seen

    def add_callback(self, event: str, callback: Callable[[], None]) -> None:
        """Register ``callback`` for a general event under vrdr's callback id."""
        rt.callbacks.addScript(rt.Name(event), callback, id=rt.Name(CALLBACK_ID))

    def remove_callbacks(self) -> None:
        """Remove every callback registered under vrdr's id."""
        rt.callbacks.removeScripts(id=rt.Name(CALLBACK_ID))

    # -- for the panel: prompt line, render guard, selection --------------------------------

    def show_prompt(self, text: str) -> None:
        """``displayTempPrompt``: the message leaves the prompt line by itself."""
        rt.displayTempPrompt(text, PROMPT_MS)

    def is_network_render(self) -> bool:
        """Item 2 of the 28-item ``#preRender`` notification array is ``isNetRender``."""
        param = rt.callbacks.notificationParam()
        try:
            return bool(param[1])  # 0-based from Python
        except _PARAM_ERRORS:
            return False  # not inside #preRender: not a network render we can tell of

    def select_nodes(self, names: Sequence[str]) -> int:
        """Replace the selection with the named nodes (one ``getNodeByName`` each)."""
        nodes = [node for node in (rt.getNodeByName(name) for name in names) if node is not None]
        # pymxs hands a Python list to MAXScript as an array, which `select` takes [unverified].
        rt.select(nodes)
        return len(nodes)

    def select_subjects(self, names: Sequence[str]) -> int:
        """Select what a finding names: nodes, the nodes using a map, missing plugins' nodes.

        A name is a node's (``getNodeByName``), a missing-plugin class's (``Missing_GeomObject``:
        the nodes of its instances, ``refs.dependentNodes``), or a map's (the nodes whose
        material uses it, ``refs.dependentNodes``). The selection changes only when something
        was found, so a finding with nothing to select leaves the artist's selection alone.
        """
        nodes: list[Any] = []
        maps: set[str] = set()
        dependents = rt.refs.dependentNodes
        for name in names:
            node = rt.getNodeByName(name)
            if node is not None:
                nodes.append(node)
            elif name in MISSING_CLASSES:
                cls = _global(name)
                for obj in rt.getClassInstances(cls) if cls is not None else ():
                    nodes.extend(dependents(obj))
            else:
                maps.add(name.lower())
        read_classes: set[str] = set()
        for class_name, _prop, kind in self._asset_sources if maps else ():
            cls = _global(class_name)
            if kind not in MAP_KINDS or cls is None or str(cls).lower() in read_classes:
                continue
            read_classes.add(str(cls).lower())
            for item in rt.getClassInstances(cls, target=rt.rootNode):
                if str(item.name).lower() in maps:
                    nodes.extend(dependents(item))
        try:
            unique = list(dict.fromkeys(nodes))  # one node used by two maps counts once
        except TypeError:  # wrappers that do not hash [unverified]: select takes duplicates
            unique = nodes
        if unique:
            rt.select(unique)
        return len(unique)


def _dotted(sub: str | None, name: str) -> str:
    return name if sub is None else f"{sub}.{name}"
