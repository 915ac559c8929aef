"""``PymxsHost``: ``MaxHost`` over pymxs; the only backend module that imports pymxs.

Reads are batched: collections and class-instance lists come back in one crossing each, and the
per-item reads are a fixed few (see ``read_scene``), so the cost grows with the lights and assets
in a scene, never with its geometry.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pymxs
from pymxs import runtime as rt

from vrdr_max.assetpaths import PathReach, folder_classifier, same_path
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
from vrdr_max.filepatterns import FilePattern, Token, find_pattern, tokens_for
from vrdr_max.host import LightKind, RenderOutcome, StageCase, judge_render, pickup_frame_count
from vrdr_max.max_names import (
    APPDATA_ID,
    ASSET_SOURCES,
    CALLBACK_ID,
    EDITOR_BRANCHES,
    ELEMENT_PROBE,
    EXTENSION_KINDS,
    FIELD_PROBE_ID,
    FRAME_EVENT,
    IMAGE_EXTENSIONS,
    LAYER_HIDDEN,
    LAYER_PARENT,
    LIGHT_SWITCH,
    MAX_LAYER_DEPTH,
    MISSING_CLASSES,
    NODE_BRANCHES,
    NOT_LIGHTS,
    PROBE_NAME,
    PROMPT_MS,
    QUICK_RENDER,
    RENDER_OUTPUT,
    RENDER_WATCH_ID,
    USED_PLUGINS,
    VRAY_DLL_PREFIXES,
    VRAY_OUTPUT_PROPS,
)
from vrdr_max.plugin_classes import KNOWN_PLUGIN_CLASSES
from vrdr_max.renderers import (
    GPU_SETTINGS_OBJECT,
    PROPERTY_NAMES,
    RendererProp,
    identify_renderer,
)

# MAXScript raises through pymxs as RuntimeError subclasses; attribute misses as AttributeError.
_MXS_ERRORS: tuple[type[BaseException], ...] = (RuntimeError, AttributeError)
_MXS_EXCEPTION = getattr(pymxs, "MAXScriptException", None)
if isinstance(_MXS_EXCEPTION, type) and issubclass(_MXS_EXCEPTION, BaseException):
    _MXS_ERRORS = (*_MXS_ERRORS, _MXS_EXCEPTION)

# A value that is there but not what we expect (int() of a non-number) counts as unreadable.
_READ_ERRORS: tuple[type[BaseException], ...] = (*_MXS_ERRORS, TypeError, ValueError)

_PARAM_ERRORS: tuple[type[BaseException], ...] = (TypeError, IndexError, *_MXS_ERRORS)

def _key(path: str) -> str:
    """A path as Windows compares it: either slash, any case."""
    return path.replace("/", "\\").lower()


def _kind_of(path: str) -> AssetKind:
    """The kind of a file Asset Tracking lists, from its extension."""
    ext = ("." + path.rsplit(".", 1)[-1].lower()) if "." in path else ""
    if ext in IMAGE_EXTENSIONS:
        return AssetKind.BITMAP
    return EXTENSION_KINDS.get(ext, AssetKind.OTHER)


def _first(items: list[str] | None) -> str | None:
    return items[0] if items else None


def _global(name: str) -> Any:
    """A MAXScript global, or None when this 3ds Max does not define it (plugin not installed)."""
    try:
        return getattr(rt, name)
    except _MXS_ERRORS:
        return None


def _is_absolute(path: str) -> bool:
    return path.startswith(("\\\\", "//")) or (len(path) > 2 and path[1] == ":"
                                               and path[2] in "\\/")


def _contains(items: Sequence[Any], item: Any) -> bool:
    """``item in items`` by MAXScript equality (wrappers of one object compare equal)."""
    return any(other == item for other in items)


READ_SLICE_S = 0.010
"""``read_scene_steps`` hands control back after about this long: the panel's event loop turns
between slices, so a 100,000-node scene does not freeze 3ds Max's UI while it is read."""

Steps = Generator[str, None, Any]
"""A read in slices: yields the part being read between slices, returns what it read."""


class _Branches:
    """rootScene's branches, looked up once per scene read and only when a class needs them.

    ``getClassInstances <class>`` without a target searches the whole scene, the Material
    Editor included (Autodesk, "getClassInstances"); with ``target:`` only that object's
    hierarchy. Everything minus what only the editors hold is what the render uses.
    """

    def __init__(self) -> None:
        self._loaded = False
        self._editor: list[Any] = []
        self._others: list[Any] | None = None
        self._names: list[str] = []

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        try:
            self._names = [str(n) for n in rt.getSubAnimNames(rt.rootScene)]
            self._editor = self._objects({b.lower() for b in EDITOR_BRANCHES})
        except _MXS_ERRORS:
            self._names, self._editor = [], []  # no branches: nothing is left out

    def _objects(self, keep: set[str]) -> list[Any]:
        scene, get_sub = rt.rootScene, rt.getSubAnim
        found = []
        for index, name in enumerate(self._names, start=1):  # sub-anims are 1-based
            if name.lower() in keep:
                obj = get_sub(scene, index).object
                if obj is not None:
                    found.append(obj)
        return found

    def _other_objects(self) -> list[Any]:
        if self._others is None:
            skip = {b.lower() for b in (*EDITOR_BRANCHES, *NODE_BRANCHES)}
            try:
                self._others = self._objects({n.lower() for n in self._names} - skip)
            except _MXS_ERRORS:
                self._others = []
        return self._others

    @staticmethod
    def _search(max_class: Any, targets: Sequence[Any]) -> list[Any]:
        found: list[Any] = []
        for target in targets:
            found += [i for i in rt.getClassInstances(max_class, target=target)
                      if not _contains(found, i)]
        return found

    def split(self, cls: Any) -> tuple[list[Any], list[Any]]:
        """A class's instances: (all of them, those only the editors hold).

        An instance the editors hold is still used when another branch (environment, render
        effects, render elements, the renderer) holds it, or when a node depends on it. The
        editor-only ones are a subset of all; callers leave them out (by path first, so the
        identity test runs only where paths collide).
        """
        everything = list(rt.getClassInstances(cls))
        if not everything:
            return [], []
        self._load()
        try:
            editor = self._search(cls, self._editor)
            if not editor:
                return everything, []
            elsewhere = self._search(cls, self._other_objects())
            depends = rt.refs.dependentNodes
            only = [e for e in editor
                    if not _contains(elsewhere, e) and not list(depends(e, firstOnly=True))]
        except _MXS_ERRORS:
            return everything, []  # the branches could not be searched: keep everything
        return everything, only


class _Found(dict[str, "str | None"]):
    """Where 3ds Max finds each path (``mapPaths.getFullFilePath``): asked once per spelling.

    Keyed by the path in lowercase; calling it asks for a path not asked for yet.
    """

    def __init__(self) -> None:
        super().__init__()
        self._resolve = rt.mapPaths.getFullFilePath

    def __call__(self, path: str) -> str | None:
        key = path.lower()
        if key not in self:
            self[key] = str(self._resolve(path) or "") or None
        return self[key]


class _Outputs:
    """Files a render writes: never inputs, even when Asset Tracking lists them.

    3ds Max adds the frame number to a sequence's file names (``shot_.exr`` ->
    ``shot_0000.exr``), so a name is an output when it is one, or one plus digits.
    """

    def __init__(self, paths: Sequence[str]) -> None:
        self._exact = {_key(p) for p in paths if p}
        self._stems = [(_key(folder), _key(stem), _key(ext))
                       for folder, stem, ext in (_split_name(p) for p in paths if p)]

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        if _key(path) in self._exact:
            return True
        folder, stem, ext = (_key(part) for part in _split_name(path))
        for o_folder, o_stem, o_ext in self._stems:
            rest = stem[len(o_stem):]
            if folder == o_folder and ext == o_ext and stem.startswith(o_stem) \
                    and rest.lstrip("._").isdigit():
                return True
        return False


def _split_name(path: str) -> tuple[str, str, str]:
    folder, _sep, name = path.replace("/", "\\").rpartition("\\")
    stem, dot, ext = name.rpartition(".")
    return (folder, stem, "." + ext) if dot else (folder, name, "")


def _may_be_a_problem(path: str, resolved: str | None, matches: int | None,
                      reach: Callable[[str], PathReach]) -> bool:
    """Missing, or not on a share where the scene says it is: its owner's name is read.

    ``resolved`` and ``matches`` as in ``AssetFact`` (missing: no match, or not found);
    ``reach`` classifies a path as ``classify`` does with this workstation's name.
    """
    if matches is not None:
        if matches == 0:
            return True
    elif resolved is None:
        return True
    if resolved != path and not same_path(resolved or "", path):
        return True
    return reach(path) is not PathReach.SHARED


def _layer_hidden(layer: Any, cache: dict[str, bool]) -> bool:
    """Hidden by its own flag or any parent's (a hidden layer hides its child layers' nodes).

    Per light one read (the layer's name) once its layer is known; per layer its flag and its
    parent, up to the first known or hidden one.
    """
    chain: list[str] = []
    hidden = False
    for _ in range(MAX_LAYER_DEPTH):
        name = str(layer.name).lower()
        if name in cache:
            hidden = cache[name]
            break
        chain.append(name)
        if getattr(layer, LAYER_HIDDEN):
            hidden = True
            break
        try:
            layer = getattr(layer, LAYER_PARENT)()
        except _MXS_ERRORS:
            layer = None  # no nested layers in this 3ds Max
        if layer is None:
            break
    cache.update(dict.fromkeys(chain, hidden))
    return hidden


class _PatternFiles:
    """Counts the client's files a pattern names (``getFiles`` on its folder, once each).

    An absolute pattern is looked for in its own folder; a relative one in the scene's folder,
    then in each map path (3ds Max's external file folders), with its relative folder and then
    without (as ``mapPaths.getFullFilePath`` tries a bare name [unverified order]); the first
    folder with matches counts.
    """

    def __init__(self, scene_path: str) -> None:
        self._scene_dir = scene_path.replace("/", "\\").rpartition("\\")[0]
        self._folders: list[str] | None = None
        self._get_files: Any = None

    def _relative_folders(self) -> list[str]:
        if self._folders is None:
            paths = rt.mapPaths
            get = paths.get
            self._folders = [self._scene_dir] if self._scene_dir else []
            self._folders += [str(get(i)) for i in range(1, int(paths.count()) + 1)]  # 1-based
        return self._folders

    def count(self, pattern: FilePattern) -> tuple[int, str | None]:
        """How many files match, and the pattern in the folder where they were found."""
        if self._get_files is None:
            self._get_files = rt.getFiles
        if _is_absolute(pattern.folder + "\\"):
            folders = [pattern.folder]
        else:  # as 3ds Max resolves a relative name: with its folders, then the bare name
            folders = list(dict.fromkeys(
                folder for base in self._relative_folders()
                for folder in ((f"{base}\\{pattern.folder}", base) if pattern.folder
                               else (base,))))
        for folder in folders:
            names = [str(f).replace("/", "\\").rpartition("\\")[2]
                     for f in self._get_files(f"{folder}\\{pattern.wildcard}")]
            found = sum(pattern.matches(name) for name in names)
            if found:
                return found, f"{folder}\\{pattern.name}"
        return 0, None


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
        version, collectors, rootScene's branches, Render Setup's outputs, Asset Tracking, 1
        per plugin class looked for, the plugin manager's DLL paths once when the saved scene
        records a DLL that is not V-Ray's); per light 4 reads (class, switch, name, node flag)
        plus 2 for its layer (the layer, its name) unless the node flag or Hide by Category
        already hides it, and per layer its flag and parent; per asset 2 (path, resolution),
        1 for a file only Asset Tracking lists, plus 1-2 for an asset 3ds Max cannot find or
        that is not on a UNC path (its owner's name), 1 more for a frame or tile pattern (the
        files it matches); per class the editors hold instances of, a search of each branch
        and 1 per editor-held instance; 1 per render element (its output).
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
        branches = _Branches()
        outputs = self._read_outputs(renderer, bool(info.engine))
        workstation = self._read_workstation()
        self._since = time.perf_counter()
        lights = yield from self._read_lights()
        assets = yield from self._read_assets(scene_path, branches, outputs, workstation)
        yield "plugins"
        plugins = self._read_plugins()
        yield "plugins recorded in the scene"
        scene_dlls = self._read_scene_dlls(scene_path)
        missing_plugins = self._read_missing_plugins()
        missing, editor_missing = yield from self._read_missing_instances(branches)
        # Constructed, not validated: every value above has its field's type already (as
        # AssetFact.made), and a check then never builds the snapshot's validator
        # (tests/host/test_read_scene_typed.py holds it equal to the validated model).
        return SceneFacts.model_construct(
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
            missing_instances=missing,
            missing_editor_only=editor_missing,
            render_type=str(rt.getRenderType()),
            vray_version=_first(self.vray_version()),
            workstation=workstation,
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
        layers: dict[str, bool] = {}
        lights: list[LightFact] = []
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
                                    hidden_by=self._hidden_by(node, by_category, layers)))
        return lights

    @staticmethod
    def _hidden_by(node: Any, by_category: bool, layers: dict[str, bool]) -> HiddenBy | None:
        """Why a light is hidden: V-Ray leaves out lights hidden for any reason."""
        if node.isHidden:  # the node's own flag only
            return HiddenBy.NODE
        if by_category:
            return HiddenBy.CATEGORY
        return HiddenBy.LAYER if _layer_hidden(node.layer, layers) else None

    def _read_assets(self, scene_path: str, branches: _Branches, outputs: _Outputs,
                     workstation: str) -> Steps:
        """Files of maps and known objects with their owners, then every other file ATS lists.

        Maps are searched in every branch of the scene (the environment, render effects,
        render elements and the renderer's overrides hang beside the node tree); what only the
        Material Editor's slots or the Slate editor hold is left out, from the class scans and
        from Asset Tracking's list alike, and so are the files a render writes.
        """
        made = AssetFact.made  # one fact per file, 10,000s in a large scene
        where = _Found()
        files = _PatternFiles(scene_path)
        reach = folder_classifier(workstation=workstation)  # a scene's files share few folders
        assets: list[AssetFact] = []
        known: set[str] = set()
        scene_paths: set[str] = set()
        editor_paths: set[str] = set()
        read_classes: set[str] = set()
        clock = time.perf_counter
        for class_name, prop, kind in self._asset_sources:
            cls = _global(class_name)
            if cls is None or str(cls).lower() in read_classes:
                continue  # absent here, or another name of a class already read
            read_classes.add(str(cls).lower())
            yield "maps and files"  # one class's collections per turn: each walks the scene
            everything, editor_only = branches.split(cls)
            only_paths = {_key(str(getattr(item, prop) or "")) for item in editor_only}
            tokens = tokens_for(class_name, kind)
            # The loop below runs 10,000s of times: _slice, _key and where's lookup inline.
            deadline = self._since + READ_SLICE_S
            for item in everything:
                if clock() >= deadline:  # _slice
                    yield "maps and files"
                    self._since = clock()
                    deadline = self._since + READ_SLICE_S
                path = str(getattr(item, prop) or "")
                if not path:
                    continue
                lower = path.lower()
                key = lower.replace("/", "\\")  # _key (lowercase has no new separators)
                if key in only_paths and _contains(editor_only, item):
                    continue
                # A class whose loader expands no token names plain paths (most maps).
                resolved, matches = (self._find(path, tokens, where, files) if tokens
                                     else (where[lower] if lower in where else where(path),
                                           None))
                # The owner's name is read only for a file that may be a problem, and before
                # the fact is made: one model per asset, never a copy.
                owner = (self._owner_name(item, kind)
                         if _may_be_a_problem(path, resolved, matches, reach) else None)
                assets.append(made(path, kind, class_name, owner, resolved_path=resolved,
                                   matches=matches))
                scene_paths.add(key)
                known.add(key)
                if resolved is not None and resolved != path:
                    known.add(_key(resolved))
            editor_paths |= only_paths
        skip = known | (editor_paths - scene_paths - {""})
        tracked = yield from self._tracked_files(scene_path, skip, outputs, where, files)
        return assets + tracked

    @staticmethod
    def _find(path: str, tokens: Sequence[Token], where: Callable[[str], str | None],
              files: _PatternFiles) -> tuple[str | None, int | None]:
        """``(resolved_path, matches)`` of a file's ``AssetFact``.

        Where 3ds Max's search finds a plain path; for a pattern, the folder where matching
        files were found and how many match.
        """
        pattern = find_pattern(path, tokens)
        if pattern is None:
            return where(path), None
        count, found_in = files.count(pattern)
        return found_in, count

    def _tracked_files(self, scene_path: str, skip: set[str], outputs: _Outputs,
                       where: Callable[[str], str | None], files: _PatternFiles) -> Steps:
        """Files Asset Tracking lists that no class scan found and that no render writes.

        Photometric webs, volume and Phoenix caches, V-Ray scenes, XRefs, Alembic caches, and
        whatever a plugin reports. Asset Tracking also lists render outputs by default (3ds
        Max's Asset Tracking dialog); they are left out whatever ``ExcludeOutputFiles`` says.
        """
        yield "tracked files"  # Asset Tracking lists every file at once
        ats = rt.ATSOps
        ats.Refresh()
        _count, listed = ats.GetFiles(pymxs.byref(None))
        skip = skip | {_key(scene_path)}
        out = []
        made = AssetFact.made
        clock = time.perf_counter
        for item in listed:
            if clock() - self._since >= READ_SLICE_S:  # _slice, inline: 10,000s of files
                yield "tracked files"
                self._since = clock()
            path = str(item)
            key = path.replace("/", "\\").lower()  # _key, inline
            if not path or key in skip or path in outputs:
                continue
            skip.add(key)
            kind = _kind_of(path)
            resolved, matches = self._find(path, tokens_for("", kind), where, files)
            out.append(made(path, kind, "", None, resolved_path=resolved, matches=matches))
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
        """Third-party DLLs the saved scene records; None for a scene never saved.

        A DLL the plugin manager loads from anywhere under the 3ds Max root (stdplugs,
        plugin.ini's PlugIns, Autodesk's packages there) is Autodesk's; V-Ray's by name.
        """
        dlls = self.file_property_items(USED_PLUGINS) if scene_path else None
        if dlls is None:
            return None
        rest = [dll for dll in dlls if not dll.lower().startswith(VRAY_DLL_PREFIXES)]
        if not rest:
            return []
        root = _key(str(rt.getDir(rt.Name("maxroot")))).rstrip("\\") + "\\"
        manager = rt.pluginManager
        full_path = manager.pluginDllFullPath
        autodesk = set()
        for index in range(1, int(manager.pluginDllCount) + 1):  # 1-based
            path = _key(str(full_path(index) or ""))
            if path.startswith(root):
                autodesk.add(path.rsplit("\\", 1)[-1])
        return [dll for dll in rest if dll.lower() not in autodesk]

    @staticmethod
    def _read_outputs(renderer: Any, is_vray: bool) -> _Outputs:
        """Render Setup's output, each render element's, and V-Ray's raw and split files."""
        names: list[str] = []
        try:
            names.append(str(getattr(rt, RENDER_OUTPUT) or ""))
            manager = rt.maxOps.GetCurRenderElementMgr()
            element_file = manager.GetRenderElementFilename
            names += [str(element_file(i) or "")  # 0-based (RenderElementMgr)
                      for i in range(int(manager.NumRenderElements()))]
            if is_vray:
                targets = [renderer]
                if rt.isProperty(renderer, GPU_SETTINGS_OBJECT):
                    targets.append(getattr(renderer, GPU_SETTINGS_OBJECT))
                names += [str(getattr(t, prop) or "") for t in targets
                          for prop in VRAY_OUTPUT_PROPS if rt.isProperty(t, prop)]
        except _MXS_ERRORS:
            pass  # what could be read is still left out of the inputs
        return _Outputs(names)

    @staticmethod
    def _read_workstation() -> str:
        r"""``sysInfo.computername``: ``\\<this name>\`` paths are on this machine."""
        try:
            return str(rt.sysInfo.computername or "")
        except _MXS_ERRORS:
            return ""

    def _read_missing_plugins(self) -> list[MissingPlugin]:
        smp = rt.SceneMissingPlugIns
        return [MissingPlugin(class_name=str(smp.GetMissingPlugInClassName(i)),
                              dll=str(smp.GetMissingPlugInFileName(i)),
                              description=str(smp.GetMissingPlugInDescription(i) or ""))
                for i in range(1, int(smp.GetMissingPlugInCount()) + 1)]  # 1-based

    @staticmethod
    def _read_missing_instances(branches: _Branches) -> Steps:
        """``Missing_*`` objects: (those the render uses, those only the editors hold)."""
        render: dict[str, int] = {}
        editor: dict[str, int] = {}
        for name in MISSING_CLASSES:
            cls = _global(name)
            if cls is None:
                continue
            yield "missing plugins"
            everything, editor_only = branches.split(cls)
            if len(everything) > len(editor_only):
                render[name] = len(everything) - len(editor_only)
            if editor_only:
                editor[name] = len(editor_only)
        return render, editor

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

    def switch_on_lights(self, names: Sequence[str]) -> list[str]:
        """Switch on and show the named lights in one undo step; say what was done to each.

        A light is switched on through its on/off property (``on``, or ``enabled`` for the V-Ray
        lights in ``LIGHT_SWITCH``) and shown by clearing its own hidden flag; lights hidden by
        category are shown by ``hideByCategory.lights`` (the category holds only lights).
        """
        wanted = set(names)
        done: list[str] = []
        try:
            with pymxs.undo(True, f"vrdr: turn on {len(wanted)} light(s)"):
                by_category = bool(rt.hideByCategory.lights) and bool(wanted)
                if by_category:
                    rt.hideByCategory.lights = False
                for node in rt.lights:
                    name = str(node.name)
                    key = str(rt.classOf(node)).lower()
                    if name not in wanted or key in NOT_LIGHTS:
                        continue
                    changes = []
                    switch = LIGHT_SWITCH.get(key, "on")
                    if not getattr(node, switch):
                        setattr(node, switch, True)
                        changes.append("on")
                    if node.isHidden:
                        node.isHidden = False
                        changes.append("shown")
                    elif by_category:
                        changes.append("shown: lights are no longer hidden by category")
                    if changes:
                        done.append(f"{name} ({', '.join(changes)})")
        except _MXS_ERRORS as exc:
            raise HostError(f"could not switch the lights on: {exc}") from exc
        return done

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
        except (ValueError, RecursionError):  # not JSON, or a number too long to read
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
        # Counted, not listed: a render may ask for millions of frames.
        finished = itertools.count()
        # A Python function, as pymxs callbacks are everywhere else (a bound builtin is not).
        self._render_watching({FRAME_EVENT: lambda: next(finished)})
        return judge_render(next(finished), asked)

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

    def stage(self, case: StageCase, value: str) -> Callable[[], None]:
        """Put a case into the open scene for the field check; return what takes it out."""
        try:
            with pymxs.undo(False):
                take_out = _STAGERS[case](value)
        except _MXS_ERRORS as exc:
            raise HostError(f"could not stage {case.value}: {exc}") from exc

        def undo() -> None:
            with pymxs.undo(False):
                take_out()
        return undo

    def asset_tracking_files(self) -> list[str]:
        """``ATSOps.GetFiles`` after a refresh, as 3ds Max lists them."""
        ats = rt.ATSOps
        ats.Refresh()
        return [str(item) for item in ats.GetFiles(pymxs.byref(None))[1]]

    def scene_branches(self) -> dict[str, str]:
        """Each rootScene sub-anim and how its ``.object`` prints."""
        scene, get_sub = rt.rootScene, rt.getSubAnim
        out = {}
        for index, name in enumerate(rt.getSubAnimNames(scene), start=1):  # 1-based
            obj = get_sub(scene, index).object
            out[str(name)] = "undefined" if obj is None else str(obj)
        return out

    def renderer_property_names(self) -> list[str]:
        """``getPropNames`` of the current renderer, then of its V_Ray_settings (dotted)."""
        renderer = rt.renderers.current
        names = [str(n) for n in rt.getPropNames(renderer)]
        if rt.isProperty(renderer, GPU_SETTINGS_OBJECT):
            sub = getattr(renderer, GPU_SETTINGS_OBJECT)
            names += [f"{GPU_SETTINGS_OBJECT}.{n}" for n in rt.getPropNames(sub)]
        return names

    def render_events(self, events: Sequence[str]) -> list[str]:
        """Render once like the Render button; the listed notifications, in order."""
        seen: list[str] = []

        def watcher(event: str) -> Callable[[], None]:
            return lambda: seen.append(event)

        self._render_watching({event: watcher(event) for event in events})
        return seen

    def _render_watching(self, watchers: Mapping[str, Callable[[], object]]) -> None:
        """Render once like the Render button, calling each watcher on its notification."""
        self._close_render_setup()
        watch = rt.Name(RENDER_WATCH_ID)
        for event, watcher in watchers.items():
            rt.callbacks.addScript(rt.Name(event), watcher, id=watch)
        try:
            rt.execute(QUICK_RENDER)
        except _MXS_ERRORS as exc:
            raise HostError(f"the render failed: {exc}") from exc
        finally:
            rt.callbacks.removeScripts(id=watch)

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


def _dotted(sub: str | None, name: str) -> str:
    return name if sub is None else f"{sub}.{name}"


# -- cases the field check stages for a moment (FieldHost.stage) ------------------------------

def _stage_environment_map(path: str) -> Callable[[], None]:
    before = rt.environmentMap
    rt.environmentMap = rt.Bitmaptexture(filename=path, name=PROBE_NAME)

    def undo() -> None:
        rt.environmentMap = before
    return undo


def _stage_render_element_map(path: str) -> Callable[[], None]:
    class_name, name_prop, map_prop = ELEMENT_PROBE
    element_class = _global(class_name)
    if element_class is None:
        raise HostError(f"{class_name} is not installed (V-Ray's render element)")
    element = element_class(**{name_prop: PROBE_NAME,
                               map_prop: rt.Bitmaptexture(filename=path, name=PROBE_NAME)})
    manager = rt.maxOps.GetCurRenderElementMgr()
    manager.AddRenderElement(element)
    return lambda: manager.RemoveRenderElement(element)


def _stage_render_output(path: str) -> Callable[[], None]:
    before, save = getattr(rt, RENDER_OUTPUT), rt.rendSaveFile
    setattr(rt, RENDER_OUTPUT, path)
    rt.rendSaveFile = True

    def undo() -> None:
        setattr(rt, RENDER_OUTPUT, before)
        rt.rendSaveFile = save
    return undo


def _stage_nested_hidden_layer(light_name: str) -> Callable[[], None]:
    manager = rt.LayerManager
    parent = manager.newLayerFromName(f"{PROBE_NAME}_parent")
    child = manager.newLayerFromName(f"{PROBE_NAME}_child")
    if parent is None or child is None:
        raise HostError(f"layers named {PROBE_NAME}_parent/_child exist already")
    child.setParent(parent)
    setattr(parent, LAYER_HIDDEN, True)
    light = rt.VRayLight(name=light_name)
    child.addNode(light)

    def undo() -> None:
        rt.delete(light)
        manager.deleteLayerByName(f"{PROBE_NAME}_child")
        manager.deleteLayerByName(f"{PROBE_NAME}_parent")
    return undo


_STAGERS: dict[StageCase, Callable[[str], Callable[[], None]]] = {
    StageCase.ENVIRONMENT_MAP: _stage_environment_map,
    StageCase.RENDER_ELEMENT_MAP: _stage_render_element_map,
    StageCase.RENDER_OUTPUT: _stage_render_output,
    StageCase.NESTED_HIDDEN_LAYER: _stage_nested_hidden_layer,
}
