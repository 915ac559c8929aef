"""``pymxs.runtime``: MAXScript globals, functions, classes and interfaces of the mock.

Global names are case-insensitive, as in pymxs. An undefined global raises AttributeError (so
``hasattr(rt, "VRayBitmap")`` works as it does in 3ds Max); a global that real 3ds Max has but
the mock does not model raises MockGapError instead, so a test never mistakes one for the other.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator
from itertools import compress, repeat
from operator import attrgetter, is_
from threading import get_ident
from typing import Any

from mock_pymxs import classes, vfs
from mock_pymxs.errors import (
    MAXScriptException,
    MockGapError,
    UndefinedGlobalError,
    integer_arg,
    string_arg,
)
from mock_pymxs.scene import HIDE_CATEGORIES
from mock_pymxs.session import CALLBACK_TYPES, RENDER_STATEMENT, Callback, Session, gap
from mock_pymxs.state import (
    ROOT_SCENE_BRANCHES,
    LayerState,
    NodeState,
    ObjState,
    SceneState,
    reach,
    renderer_snapshot,
    restore_snapshot,
)
from mock_pymxs.timevalues import Interval, Time, frame_number
from mock_pymxs.values import (
    Array,
    ByRef,
    Function,
    Interface,
    MaxClass,
    MaxObject,
    Name,
    Node,
    RootNode,
    RootScene,
    SceneBranch,
    SubAnim,
    SuperClass,
    _Counted,
    check_value,
    layer_interface,
    prop_name,
    wrap_objects,
)

Entry = tuple[str, Callable[[], Any], Callable[[Any], None] | None]

# Real MAXScript globals the adapter might reach for that the mock does not model.
GAP_GLOBALS = (
    "render",
    "enumerateFiles",
    "usedMaps",
    "AssetManager",
    "sceneMaterials",
    "meditMaterials",
    "selection",
    "actionMan",
    "macros",
    "showProperties",
    "apropos",
    "scanlineRender",
    "stringStream",
    "Point3",
    "keyboard",
    "redrawViews",
    "resetMaxFile",
    "loadMaxFile",
    "saveMaxFile",
    "setRenderType",
    "vfbControl",
    "vrayExportVRScene",
    "getFilenameFile",
    "getFilenamePath",
    "filenameFromPath",
    "shapes",
    "systemTools",
    "maxOps",
    "viewport",
    "EditRenderRegion",
    "getCurrentException",
)

_GAP_KEYS = frozenset(g.lower() for g in GAP_GLOBALS)

# getDir names 3ds Max accepts (MAXScript help "getDir"); only some are modelled.
DIR_NAMES = frozenset(
    n.lower()
    for n in (
        "autoback",
        "drivers",
        "export",
        "expression",
        "font",
        "help",
        "image",
        "import",
        "matlib",
        "maxroot",
        "maxData",
        "maxstart",
        "plugcfg",
        "plugcfg_ln",
        "preview",
        "proxies",
        "scene",
        "scripts",
        "sound",
        "startupScripts",
        "temp",
        "ui",
        "ui_ln",
        "userScripts",
        "userMacros",
        "userStartupScripts",
        "userIcons",
        "userStartupTemplates",
        "vpost",
        "renderPresets",
        "renderassets",
        "defaults",
        "web",
        "downloads",
        "publicExchangeStoreInstallPath",
        "systemPhotographicExposure",
        "privateExchangeStoreInstallPath",
        "pageFile",
        "cfd",
        "fx",
        "marketDefaults",
        "userSettings",
        "userTools",
        "userPlugins",
    )
)

_VALUE_CLASS = {bool: "BooleanClass", int: "Integer", float: "Float", str: "String"}


def _value_class_name(value: object) -> str:
    """``classOf`` of a value that is not a MAXScript object."""
    if value is None:
        return "UndefinedClass"
    if type(value) in _VALUE_CLASS:
        return _VALUE_CLASS[type(value)]
    kinds: tuple[tuple[type, str], ...] = (
        (SuperClass, "MAXSuperClass"),
        (Array, "Array"),
        (Name, "Name"),
        (Function, "Primitive"),
        (Interface, "Interface"),
    )
    for py_type, mxs in kinds:
        if isinstance(value, py_type):
            return mxs
    raise gap(f"classOf for {type(value).__name__}")


def _index(i: object, count: int, fn: str) -> int:
    """A 1-based MAXScript index argument; 0 or past the end raises like Max."""
    i = integer_arg(i, fn)
    if not 1 <= i <= count:
        raise MAXScriptException(f"-- Runtime error: {fn}: index out of range: {i} (count {count})")
    return i - 1


class Globals:
    """The global table of one session: name (lower case) -> (spelling, getter, setter)."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.table: dict[str, Entry] = {}
        self._build()

    # -- table ----------------------------------------------------------------------------
    def _fn(self, name: str, impl: Callable[..., Any]) -> None:
        s = self.s
        self.table[name.lower()] = (name, lambda: Function(s, name, impl), None)

    def _value(
        self, name: str, getter: Callable[[], Any], setter: Callable[[Any], None] | None = None
    ) -> None:
        self.table[name.lower()] = (name, getter, setter)

    def _build(self) -> None:
        s, st = self.s, self.s.state
        missing = {k: c for k, c in classes.CLASSES.items() if k.startswith("missing_")}
        for key, info in {**st.classes, **missing}.items():
            # An alias keeps its own global spelling but is the class it names (VRayHDRI).
            spelling = classes.CLASSES[key].name if key in classes.CLASSES else info.name
            self._value(spelling, lambda info=info: MaxClass(s, info))  # type: ignore[misc]
        for sup in classes.SUPERCLASSES:
            if sup != classes.REFTARGET:
                self._value(sup, lambda sup=sup: SuperClass(s, sup))  # type: ignore[misc]
        self._value("undefined", lambda: None)
        self._value("rootNode", lambda: RootNode(s))
        self._value("rootScene", lambda: RootScene(s))
        self._scene_branches()
        self._value("maxFilePath", self._max_file_path)
        self._value("maxFileName", lambda: vfs.basename(st.scene_path) if st.scene_path else "")
        self._value(
            "renderWidth", lambda: st.render_width, lambda v: self._set_int("renderWidth", v, 1)
        )
        self._value(
            "renderHeight", lambda: st.render_height, lambda v: self._set_int("renderHeight", v, 1)
        )
        self._value(
            "rendTimeType",
            lambda: st.rend_time_type,
            lambda v: self._set_int("rendTimeType", v, 1, 4),
        )
        self._time_output()
        self._value("objects", lambda: self._collection(lambda _c: True))
        self._value("geometry", lambda: self._collection(self._is_geometry))
        self._value("lights", lambda: self._collection_with_targets(classes.LIGHT))
        self._value("cameras", lambda: self._collection_with_targets(classes.CAMERA))
        self._value("helpers", lambda: self._collection(lambda c: c.superclass == classes.HELPER))
        for name, impl in (
            ("classOf", self._class_of),
            ("superClassOf", self._super_class_of),
            ("isKindOf", self._is_kind_of),
            ("getPropNames", self._get_prop_names),
            ("isProperty", self._is_property),
            ("hasProperty", self._has_property),
            ("getProperty", self._get_property),
            ("setProperty", self._set_property),
            ("getClassInstances", self._get_class_instances),
            ("Name", Name),
            ("Array", lambda *items: Array(s, list(items))),
            ("execute", self._execute),
            ("maxVersion", self._max_version),
            ("getDir", self._get_dir),
            ("getRenderType", lambda: Name(st.render_type)),
            (
                "doesFileExist",
                lambda p: isinstance(p, str) and vfs.is_absolute(p) and st.files.exists(p),
            ),
            ("getNodeByName", self._get_node_by_name),
            ("setAppData", self._set_app_data),
            ("getAppData", self._get_app_data),
            ("deleteAppData", self._delete_app_data),
            ("displayTempPrompt", self._display_temp_prompt),
            ("select", self._select),
            ("getSubAnimNames", self._get_sub_anim_names),
            ("getSubAnim", self._get_sub_anim),
            ("getFiles", self._get_files),
            ("delete", self._delete),
        ):
            self._fn(name, impl)
        if st.vray_version is not None:
            self._fn("vrayVersion", lambda: Array(s, list(st.vray_version or [])))
        for name, build in (
            ("renderers", self._renderers),
            ("mapPaths", self._map_paths),
            ("SceneMissingPlugIns", self._missing_plugins),
            ("pluginManager", self._plugin_manager),
            ("callbacks", self._callbacks),
            ("renderSceneDialog", self._render_dialog),
            ("refs", self._refs),
            ("ATSOps", self._ats),
            ("fileProperties", self._file_properties),
            ("hideByCategory", self._hide_by_category),
            ("LayerManager", self._layer_manager),
            ("sysInfo", self._sys_info),
        ):
            iface = build()
            self._value(name, lambda iface=iface: iface)  # type: ignore[misc]
        from mock_pymxs import maxui  # noqa: PLC0415 - maxui builds on this module

        maxui.add_globals(self)  # start-up surroundings: macros, menus, python, host flags
        # Render Setup's render elements hang off maxOps (the start-up module builds maxOps).
        max_ops = self.table["maxops"][1]()
        element_mgr = self._render_element_mgr()
        max_ops._add_method("GetCurRenderElementMgr", lambda: element_mgr)

    def lookup(self, name: str) -> Any:
        """The value of a global (counted by the caller)."""
        key = name.lower()
        entry = self.table.get(key)
        if entry is not None:
            return entry[1]()
        if key in self.s.state.user_globals:
            return self.s.state.user_globals[key][1]
        if key in _GAP_KEYS:
            raise gap(f"the global {name!r}")
        raise UndefinedGlobalError(
            f"'pymxs.runtime' has no attribute {name!r} (undefined MAXScript global)"
        )

    def assign(self, name: str, value: object) -> None:
        """``rt.<name> = value``: a system global's setter, or a new/changed user global."""
        key = name.lower()
        entry = self.table.get(key)
        if entry is not None:
            if entry[2] is None:
                raise MAXScriptException(
                    f"-- Runtime error: Cannot assign to read-only global: {entry[0]}"
                )
            old = entry[1]()
            entry[2](value)
            self.s.record_write("runtime", "runtime", entry[0], old, value)
            return
        old_entry = self.s.state.user_globals.get(key)
        self.s.state.user_globals[key] = (name, value)
        self.s.record_write(
            "runtime", "runtime", name, None if old_entry is None else old_entry[1], value
        )

    def spellings(self) -> list[str]:
        """Every global name the mock defines (for ``dir(rt)``)."""
        return [e[0] for e in self.table.values()] + [
            v[0] for v in self.s.state.user_globals.values()
        ]

    def _time_output(self) -> None:
        """Render Setup's Time Output globals and the time slider (frames)."""
        s, st = self.s, self.s.state

        def set_frame(attr: str, name: str) -> Callable[[Any], None]:
            return lambda v: setattr(st, attr, frame_number(v, name))

        def set_nth(v: object) -> None:
            self._set_int("rendNThFrame", v, 1)

        def set_pickup(v: object) -> None:
            st.rend_pickup_frames = string_arg(v)

        self._value("rendStart", lambda: Time(st.rend_start), set_frame("rend_start", "rendStart"))
        self._value("rendEnd", lambda: Time(st.rend_end), set_frame("rend_end", "rendEnd"))
        self._value("rendNThFrame", lambda: st.rend_nth_frame, set_nth)
        self._value("rendPickupFrames", lambda: st.rend_pickup_frames, set_pickup)
        def set_range(_v: object) -> None:
            raise gap("assigning animationRange")

        self._value("animationRange", lambda: Interval(s, *st.animation_range), set_range)
        self._value(
            "currentTime",
            lambda: Time(st.current_frame),
            set_frame("current_frame", "currentTime"),
        )

    def _scene_branches(self) -> None:
        """Globals for rootScene's other branches: the environment map and Render Output."""
        s, st = self.s, self.s.state

        def set_env(value: object) -> None:
            new = check_value("texmap", value, "environmentMap")
            old = st.environment_map
            st.environment_map = new if isinstance(new, ObjState) else None
            if st.environment_map is not None:
                st.adopt(st.environment_map)
            s.record_write("runtime", "runtime", "environmentMap", old, new)

        def set_use_env(value: object) -> None:
            st.use_environment_map = bool(check_value("bool", value, "useEnvironmentMap"))

        def set_output(value: object) -> None:
            st.render_output = string_arg(value, "rendOutputFilename")

        def set_save(value: object) -> None:
            st.render_save_file = bool(check_value("bool", value, "rendSaveFile"))

        # MAXScript "Render Scene Dialog" / "Rendering > Environment" globals [docs].
        self._value("environmentMap",
                    lambda: None if st.environment_map is None
                    else MaxObject(s, st.environment_map), set_env)
        self._value("useEnvironmentMap", lambda: st.use_environment_map, set_use_env)
        self._value("rendOutputFilename", lambda: st.render_output, set_output)
        self._value("rendSaveFile", lambda: st.render_save_file, set_save)

    # -- scene collections ----------------------------------------------------------------
    def _collection(self, keep: Callable[[classes.ClassInfo], bool]) -> Array:
        """The nodes whose class passes ``keep``, in scene order."""
        s = self.s
        return Array(s, [Node(s, n) for n in s.state.nodes_of(keep)])

    @staticmethod
    def _is_geometry(c: classes.ClassInfo) -> bool:
        # Targets of lights and cameras belong to those collections [unverified for geometry].
        return c.superclass == classes.GEOMETRY and c.name != "Targetobject"

    def _collection_with_targets(self, superclass: str) -> Array:
        """Lights (cameras) plus the Targetobject nodes of target lights (cameras), as Max does."""
        keep = self.s.state.nodes_with_targets(superclass)
        return Array(self.s, [Node(self.s, n) for n in keep])

    def _max_file_path(self) -> str:
        p = self.s.state.scene_path
        if not p:
            return ""
        return vfs.normalize(p).rsplit("\\", 1)[0] + "\\"

    def _set_int(self, name: str, value: object, low: int, high: int | None = None) -> None:
        v = check_value("int", value, name)
        assert isinstance(v, int)
        if v < low or (high is not None and v > high):
            raise MAXScriptException(f"-- Runtime error: {name} out of range: {v}")
        st = self.s.state
        attr = {
            "renderwidth": "render_width",
            "renderheight": "render_height",
            "rendtimetype": "rend_time_type",
            "rendnthframe": "rend_nth_frame",
        }[name.lower()]
        setattr(st, attr, v)

    # -- functions --------------------------------------------------------------------------
    def _class_of(self, value: object) -> Any:
        s = self.s
        if isinstance(value, Node):
            return MaxClass(s, value._n.base.cls)
        if isinstance(value, MaxObject):
            return MaxClass(s, value._o.cls)
        if isinstance(value, MaxClass):
            return SuperClass(s, value._info.superclass)
        return SuperClass(s, _value_class_name(value))

    def _super_class_of(self, value: object) -> Any:
        s = self.s
        if isinstance(value, Node):
            return SuperClass(s, value._n.base.cls.superclass)
        if isinstance(value, MaxObject):
            return SuperClass(s, value._o.cls.superclass)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return SuperClass(s, "Number")
        return SuperClass(s, "Value")

    def _is_kind_of(self, value: object, cls: object) -> bool:
        if isinstance(cls, MaxClass):
            return bool(self._class_of(value) == cls)
        if isinstance(cls, SuperClass):
            return bool(self._super_class_of(value) == cls or self._class_of(value) == cls)
        raise MAXScriptException(f"-- Unable to convert: {cls!r} to type: MAXClass")

    @staticmethod
    def _target(obj: object, fn: str) -> _Counted:
        if not isinstance(obj, _Counted):
            raise MAXScriptException(f'-- No "{fn}" function for {obj!r}')
        return obj

    def _get_prop_names(self, obj: object) -> Array:
        target = self._target(obj, "getPropNames")
        return Array(self.s, [Name(n) for n in target._prop_names()])

    def _is_property(self, obj: object, name: object) -> bool:
        return self._target(obj, "isProperty")._has(prop_name(name))

    def _has_property(self, obj: object, name: object) -> bool:
        target = self._target(obj, "hasProperty")
        pattern = prop_name(name)
        if "*" in pattern or "?" in pattern:
            names = (
                [*target._prop_names(), "name"]
                if isinstance(target, Node)
                else target._prop_names()
            )
            return any(fnmatch.fnmatch(n.lower(), pattern.lower()) for n in names)
        return target._has(pattern)

    def _get_property(self, obj: object, name: object) -> Any:
        target = self._target(obj, "getProperty")
        pname = prop_name(name)
        if not target._has(pname):
            raise MAXScriptException(f'-- Unknown property: "{pname}" in {target}')
        return target._get(pname)

    def _set_property(self, obj: object, name: object, value: object) -> None:
        target = self._target(obj, "setProperty")
        pname = prop_name(name)
        if not target._has(pname):
            raise MAXScriptException(f'-- Unknown property: "{pname}" in {target}')
        target._set(pname, value)

    def _get_class_instances(self, cls: object, **kwargs: object) -> Array:
        """``getClassInstances``: the whole scene, or only ``target:``'s hierarchy.

        Without a target the search covers everything under the scene root, the Material
        Editor included; with one, only that target's hierarchy [docs].
        """
        if kwargs.keys() - {"processAllAnimatables", "processChildren", "target"}:
            raise gap(f"getClassInstances keywords {sorted(kwargs)}")
        if not isinstance(cls, MaxClass):
            raise MAXScriptException(f"-- Unable to convert: {cls!r} to type: MAXClass")
        target = kwargs.get("target")
        info, st, s = cls._info, self.s.state, self.s
        found = self._candidates(info)
        if target is None or isinstance(target, RootScene):
            pass
        elif isinstance(target, RootNode):
            found = st.in_world(found)
        elif isinstance(target, SceneBranch):
            ids = st.reach_branch(target._branch)
            found = [o for o in found if id(o) in ids]
        elif isinstance(target, MaxObject):
            ids = reach([target._o])
            found = [o for o in found if id(o) in ids]
        elif isinstance(target, Node):
            ids = reach([target._n])
            found = [o for o in found if id(o) in ids]
        else:
            raise MAXScriptException(f"-- Unable to convert: {target!r} to type: MAXObject")
        return Array(s, wrap_objects(s, found))

    def _candidates(self, info: classes.ClassInfo) -> list[ObjState]:
        """Every object of class ``info`` the scene holds, in a stable order."""
        st = self.s.state
        sup = info.superclass
        if sup == classes.TEXTUREMAP:
            env = [st.environment_map] if st.environment_map is not None else []
            maps = [*st.maps, *env]  # the classes compared at C speed: 10,000s of maps
            pool = list(compress(maps, map(is_, map(_CLS, maps), repeat(info))))
        elif sup == classes.MATERIAL:
            pool = [o for o in st.materials if o.cls is info]
        elif sup == classes.RENDERER:
            pool = [r for r in (st.current, st.production) if r is not None and r.cls is info]
        elif sup == classes.MODIFIER:
            pool = [m for n in st.nodes_with_modifiers(lambda c: c is info)
                    for m in n.modifiers if m.cls is info]
        elif sup in classes.SCENE_HOLDERS:
            holders = {classes.RENDER_ELEMENT: st.render_elements,
                       classes.ATMOSPHERIC: st.atmospherics,
                       classes.RENDER_EFFECT: st.effects}[sup]
            pool = [o for o in holders if o.cls is info]
        else:
            pool = [n.base for n in st.nodes_of(lambda c: c is info)]
        pool += [o for o in (*st.missing_objects, *st.editor_missing) if o.cls is info]
        if len(set(map(id, pool))) == len(pool):  # each once already (10,000s of maps)
            return st.held(pool)
        seen: set[int] = set()
        out: list[ObjState] = []
        for o in pool:  # instanced nodes share one base object: found once
            if id(o) not in seen:
                seen.add(id(o))
                out.append(o)
        return st.held(out)

    def _get_sub_anim_names(self, obj: object) -> Array:
        if not isinstance(obj, RootScene):
            raise gap("getSubAnimNames of anything but rootScene")
        return Array(self.s, [Name(b) for b in ROOT_SCENE_BRANCHES])

    def _get_sub_anim(self, obj: object, index: object) -> SubAnim:
        if not isinstance(obj, RootScene):
            raise gap("getSubAnim of anything but rootScene")
        if isinstance(index, Name):
            hit = [b for b in ROOT_SCENE_BRANCHES if b.lower() == str(index).lower()]
            if not hit:
                raise MAXScriptException(f"-- Runtime error: no sub-anim named #{index}")
            return SubAnim(self.s, hit[0])
        i = _index(index, len(ROOT_SCENE_BRANCHES), "getSubAnim")  # 1-based
        return SubAnim(self.s, ROOT_SCENE_BRANCHES[i])

    def _get_files(self, pattern: object, **kwargs: object) -> Array:
        """``getFiles <wild_card_filename>``: the files a wildcard names.

        ``*``/``?`` in the last component match case-insensitively; wildcards elsewhere match
        nothing [docs: External File Methods; Windows FindFirstFile].
        """
        if kwargs:
            raise gap(f"getFiles keywords {sorted(kwargs)}")
        text = vfs.normalize(string_arg(pattern, "getFiles"))
        folder, _, name = text.rpartition("\\")
        if not folder or any(c in folder for c in "*?"):
            return Array(self.s, [])
        return Array(self.s, self.s.state.files.matching(folder, name))

    def _delete(self, what: object) -> None:
        """``delete <node>``: the node leaves the scene (its target too, as in 3ds Max)."""
        items = list(what) if isinstance(what, (list, tuple, Array)) else [what]
        st = self.s.state
        for item in items:
            if not isinstance(item, Node):
                raise MAXScriptException(f"-- Unable to convert: {item!r} to type: node")
            gone = {id(item._n)}
            if item._n.target is not None:
                gone.add(id(item._n.target))
            st.nodes = [n for n in st.nodes if id(n) not in gone]

    def _execute(self, statement: object) -> Any:
        s = self.s
        statement = string_arg(statement)
        s.executed.append(statement)
        if " ".join(statement.split()).lower() == RENDER_STATEMENT:
            s.quick_render(statement)
            return None
        raise MAXScriptException(f"-- Syntax error / not implemented in mock_pymxs: {statement!r}")

    def _max_version(self) -> Array:
        year = self.s.state.max_version
        release = year - 1998  # 2023 -> 25 (25000), as ADN's menuhook reads it
        return Array(self.s, [release * 1000, 62, 0, release, 0, 0, 0, year, ""])

    def _get_dir(self, which: object) -> str:
        if not isinstance(which, Name):
            raise MAXScriptException(f"-- Unable to convert: {which!r} to type: Name")
        key, st = str(which).lower(), self.s.state
        if key not in DIR_NAMES:
            raise MAXScriptException(f"-- Runtime error: getDir: invalid directory name: #{which}")
        if key == "plugcfg" and st.plugcfg_dir is not None:
            return st.plugcfg_dir
        if key == "temp" and st.temp_dir is not None:
            return st.temp_dir
        if key == "maxroot":
            return st.max_root
        if key == "scene" and st.scene_path:
            return vfs.normalize(st.scene_path).rsplit("\\", 1)[0]
        raise MockGapError(f"getDir #{which}: not set in this mock scene")

    def _get_node_by_name(self, name: object, **kwargs: object) -> Any:
        name = string_arg(name)
        exact = bool(kwargs.get("exact", False))
        for n in self.s.state.nodes:
            if n.name == name or (not exact and n.name.lower() == name.lower()):
                return Node(self.s, n)
        return None

    def _display_temp_prompt(self, text: object, ms: object) -> None:
        integer_arg(ms)
        self.s.prompts.append(string_arg(text))

    def _select(self, what: object) -> None:
        """``select``: a node or a collection of nodes replaces the selection."""
        items = list(what) if isinstance(what, (list, tuple, Array)) else [what]
        nodes = [i for i in items if isinstance(i, Node)]
        if len(nodes) != len(items):
            raise MAXScriptException(f"-- Unable to convert: {what!r} to type: node collection")
        self.s.selection = [n._n.name for n in nodes]
        self.s.fire("selectionSetChanged")

    def _app_data(self, obj: object, index: object, fn: str) -> tuple[dict[int, str], int]:
        """The AppData slots of a value (the root node's come from the scene file)."""
        index = integer_arg(index, fn)
        st = self.s.state
        if isinstance(obj, RootNode):
            return st.root_appdata, index
        if isinstance(obj, (Node, MaxObject)):
            key = id(obj._n) if isinstance(obj, Node) else id(obj._o)
            return st.appdata.setdefault(key, {}), index
        raise MAXScriptException(f"-- Unable to convert: {obj!r} to type: MAXWrapper ({fn})")

    def _set_app_data(self, obj: object, index: object, text: object) -> None:
        slots, i = self._app_data(obj, index, "setAppData")
        old = slots.get(i)
        slots[i] = string_arg(text, "setAppData")
        self.s.record_write(str(obj), "AppData", str(i), old, text)

    def _get_app_data(self, obj: object, index: object) -> str | None:
        slots, i = self._app_data(obj, index, "getAppData")
        return slots.get(i)

    def _delete_app_data(self, obj: object, index: object) -> None:
        slots, i = self._app_data(obj, index, "deleteAppData")
        old = slots.pop(i, None)
        self.s.record_write(str(obj), "AppData", str(i), old, None)

    # -- interfaces -------------------------------------------------------------------------
    def _renderers(self) -> Interface:
        s, st = self.s, self.s.state

        def current() -> Any:
            return None if st.current is None else MaxObject(s, st.current)

        def production() -> Any:
            obj = st.production if st.production is not None else st.current
            return None if obj is None else MaxObject(s, obj)

        return Interface(
            s,
            "renderers",
            props={
                "current": (current, lambda v: s.set_renderer("current", v)),
                "production": (production, lambda v: s.set_renderer("production", v)),
            },
            gaps=("activeShade", "medit", "medit_locked", "renderDialogMode", "draft"),
        )

    def _map_paths(self) -> Interface:
        s, st = self.s, self.s.state

        def full_path(path: object) -> str:
            text = path if isinstance(path, str) else string_arg(path)  # raises for a non-str
            files = st.files
            if files.found_as_given(text):  # resolve_map_path's first answer, in one call
                return text
            return resolve_map_path(files, st.map_paths, st.scene_path, text)

        def add(path: object) -> None:
            st.map_paths.append(vfs.normalize(string_arg(path)))

        def delete(i: object) -> None:
            del st.map_paths[_index(i, len(st.map_paths), "mapPaths.delete")]

        return Interface(
            s,
            "mapPaths",
            methods={
                "getFullFilePath": full_path,
                "count": lambda: len(st.map_paths),
                "get": lambda i: st.map_paths[_index(i, len(st.map_paths), "mapPaths.get")],
                "add": add,
                "delete": delete,
            },
        )

    def _missing_plugins(self) -> Interface:
        s, st = self.s, self.s.state
        rows = st.missing_plugins

        def entry(fn: str, attr: str) -> Callable[[object], str]:
            return lambda i: str(getattr(rows[_index(i, len(rows), fn)], attr))

        return Interface(
            s,
            "SceneMissingPlugIns",
            methods={
                "GetMissingPlugInCount": lambda: len(rows),
                "GetMissingPlugInClassName": entry("GetMissingPlugInClassName", "class_name"),
                "GetMissingPlugInFileName": entry("GetMissingPlugInFileName", "dll"),
                "GetMissingPlugInDescription": entry("GetMissingPlugInDescription", "description"),
            },
            gaps=("GetMissingPlugInClassID", "GetMissingPlugInSuperClassID"),
        )

    def _plugin_manager(self) -> Interface:
        s, st = self.s, self.s.state
        dlls = st.dlls

        def row(fn: str, i: object) -> Any:
            return dlls[_index(i, len(dlls), fn)]

        def load(i: object) -> bool:
            row("loadPluginDll", i).loaded = True
            return True

        def load_class(cls: object) -> bool:
            if not isinstance(cls, MaxClass):
                raise MAXScriptException(f"-- Unable to convert: {cls!r} to type: MAXClass")
            for d in dlls:
                if cls._info.name.lower() in (c.lower() for c in d.classes):
                    d.loaded = True
            return True

        return Interface(
            s,
            "pluginManager",
            props={
                "pluginDllCount": (lambda: len(dlls), None),
            },
            methods={
                "pluginDllName": lambda i: row("pluginDllName", i).name,
                "pluginDllFullPath": lambda i: row("pluginDllFullPath", i).path,
                "isPluginDllLoaded": lambda i: row("isPluginDllLoaded", i).loaded,
                "loadPluginDll": load,
                "loadClass": load_class,
            },
            gaps=("pluginDllDesc", "isPluginDllDeferrable", "delayLoadOn"),
        )

    def _callbacks(self) -> Interface:
        s = self.s

        def add_script(event: object, fn: object, **kwargs: object) -> None:
            if not isinstance(event, Name) or str(event).lower() not in CALLBACK_TYPES:
                raise MAXScriptException(
                    f"-- Runtime error: callbacks.addScript: unknown callback type: {event!r}"
                )
            if isinstance(fn, str) or "fileName" in kwargs:
                raise gap("callbacks.addScript with a MAXScript string or file")
            if not callable(fn):
                raise MAXScriptException(f"-- Unable to convert: {fn!r} to type: Function")
            if kwargs.get("persistent"):
                raise MAXScriptException("-- Runtime error: Python callbacks cannot be persistent")
            cb_id = kwargs.get("id")
            if cb_id is not None and not isinstance(cb_id, Name):
                raise MAXScriptException(f"-- Unable to convert: {cb_id!r} to type: Name")
            if kwargs.keys() - {"id", "persistent"}:
                raise MAXScriptException(
                    f"-- Unknown keyword for callbacks.addScript: {sorted(kwargs)}"
                )
            s.callbacks.append(Callback(str(event).lower(), fn, cb_id))

        def remove_scripts(event: object = None, **kwargs: object) -> None:
            cb_id = kwargs.get("id")
            ev = None if event is None else str(event).lower()
            s.callbacks = [
                c
                for c in s.callbacks
                if not ((ev is None or c.event == ev) and (cb_id is None or c.id == cb_id))
            ]

        return Interface(
            s,
            "callbacks",
            methods={
                "addScript": add_script,
                "removeScripts": remove_scripts,
                "notificationParam": lambda: s.notification_param,
            },
            gaps=("show", "broadcastCallback"),
        )

    def _render_dialog(self) -> Interface:
        s, st = self.s, self.s.state

        def commit() -> None:
            # The open dialog writes its UI state back: script edits made meanwhile are lost.
            if st.dialog_open and st.current is not None:
                restore_snapshot(st.current, st.dialog_snapshot)

        def close() -> None:
            commit()
            st.dialog_open = False

        def open_() -> None:
            st.dialog_open = True
            st.dialog_snapshot = renderer_snapshot(st.current)

        return Interface(
            s,
            "renderSceneDialog",
            methods={
                "isOpen": lambda: st.dialog_open,
                "open": open_,
                "close": close,
                "commit": commit,
            },
            gaps=("update",),
        )

    def _refs(self) -> Interface:
        s, st = self.s, self.s.state

        def dependent_nodes(obj: object, **kwargs: object) -> Array:
            if not isinstance(obj, (MaxObject, Node)):
                raise MAXScriptException(f"-- Unable to convert: {obj!r} to type: MAXObject")
            if isinstance(obj, Node):
                return Array(s, [])
            o = obj._o
            if o.cls.superclass in (classes.MATERIAL, classes.TEXTUREMAP):
                # nodes whose material is it, or holds it (materials hold maps directly)
                held_by = {id(m) for m in st.materials if any(x is o for x in m.maps)}
                if o.cls.superclass == classes.MATERIAL:
                    held_by.add(id(o))  # a map is never a node's material itself
                nodes: Iterator[NodeState] = iter(()) if not held_by else st.nodes_using(held_by)
            else:
                nodes = iter(o.nodes)
            found = [next(nodes, None)] if kwargs.get("firstOnly") else list(nodes)
            return Array(s, [Node(s, n) for n in found if n is not None])

        return Interface(
            s, "refs", methods={"dependentNodes": dependent_nodes}, gaps=("dependents", "dependsOn")
        )

    def _ats(self) -> Interface:
        s = self.s

        def get_files(out: object) -> tuple[int, Array]:
            if not isinstance(out, ByRef):
                raise MAXScriptException(
                    "-- ATSOps.GetFiles needs pymxs.byref(None) for its file list"
                )
            files = asset_files(s)
            return len(files), Array(s, files)

        st = s.state

        def set_exclude(value: object) -> None:
            st.ats_exclude_outputs = bool(check_value("bool", value, "ATSOps.ExcludeOutputFiles"))

        return Interface(
            s,
            "ATSOps",
            # Exclude Output Files: "Sets output files such as rendered images to Excluded
            # status" (3ds Max, Asset Tracking dialog); whether GetFiles then leaves them out is
            # [unverified] (st.ats_honours_exclusion).
            props={"ExcludeOutputFiles": (lambda: st.ats_exclude_outputs, set_exclude)},
            methods={
                "Refresh": lambda: None,
                "GetFiles": get_files,
            },
            gaps=(
                "GetDependentFiles",
                "SelectFiles",
                "ResolveSelectionToAbsolute",
                "GetFileSystemStatus",
            ),
        )

    def _file_properties(self) -> Interface:
        s, st = self.s, self.s.state

        def get_items(header: object) -> Array | None:
            header = string_arg(header)
            # Filled in when the file is saved [docs]; a never-saved scene has no list, and
            # the mock answers undefined for it and for other headers [unverified].
            if header.lower() != USED_PLUGINS_HEADER.lower() or st.used_plugins is None:
                return None
            return Array(s, list(st.used_plugins))

        return Interface(
            s,
            "fileProperties",
            methods={"getItems": get_items},
            gaps=(
                "getNumProperties",
                "getPropertyName",
                "getPropertyValue",
                "findProperty",
                "addProperty",
                "deleteProperty",
            ),
        )

    def _hide_by_category(self) -> Interface:
        s, st = self.s, self.s.state

        def prop(cat: str) -> tuple[Callable[[], bool], Callable[[Any], None]]:
            def set_(value: object) -> None:
                new = bool(check_value("bool", value, f"hideByCategory.{cat}"))
                old = cat in st.hidden_categories
                (st.hidden_categories.add if new else st.hidden_categories.discard)(cat)
                s.record_write("hideByCategory", "hideByCategory", cat, old, new)

            return (lambda: cat in st.hidden_categories), set_

        def set_all(hidden: bool) -> None:
            st.hidden_categories = set(HIDE_CATEGORIES) if hidden else set()

        return Interface(
            s,
            "hideByCategory",
            props={cat: prop(cat) for cat in HIDE_CATEGORIES},
            methods={"all": lambda: set_all(True), "none": lambda: set_all(False)},
        )

    def _layer_manager(self) -> Interface:
        s, st = self.s, self.s.state

        def get_layer(i: object) -> Interface | None:
            # LayerManager.getLayer is 0-based [docs].
            if isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(st.layers):
                return layer_interface(s, st.layers[i])
            return None  # undefined past the end [unverified]

        def from_name(name: object) -> Interface | None:
            name = string_arg(name)
            hit = [ly for ly in st.layers if ly.name.lower() == name.lower()]
            return layer_interface(s, hit[0]) if hit else None

        def new_from_name(name: object) -> Interface | None:
            name = string_arg(name)
            if any(ly.name.lower() == name.lower() for ly in st.layers):
                return None  # names are unique: undefined for a taken name [unverified]
            st.layers.append(LayerState(name))
            return layer_interface(s, st.layers[-1])

        def delete_by_name(name: object) -> bool:
            # Only a layer with no nodes that is not the current one (layer "0") [docs].
            name = string_arg(name)
            hit = [ly for ly in st.layers[1:] if ly.name.lower() == name.lower()]
            if not hit or any(n.layer is hit[0] for n in st.nodes):
                return False
            for ly in st.layers:
                if ly.parent is hit[0]:
                    ly.parent = hit[0].parent
            st.layers = [ly for ly in st.layers if ly is not hit[0]]
            return True

        return Interface(
            s,
            "LayerManager",
            props={"count": (lambda: len(st.layers), None)},
            methods={"getLayer": get_layer, "getLayerFromName": from_name,
                     "newLayerFromName": new_from_name, "deleteLayerByName": delete_by_name},
            gaps=("newLayer", "current", "deleteLayerHierarchy"),
        )


    def _sys_info(self) -> Interface:
        st = self.s.state
        # sysInfo.computername: this machine's network name (MAXScript "sysInfo" struct) [docs].
        return Interface(
            self.s,
            "sysInfo",
            props={"computername": (lambda: st.computer_name, None)},
            gaps=("username", "tempdir", "windowsdir", "systemdir", "currentdir", "cpucount",
                  "getSystemMemoryInfo", "getMAXMemoryInfo", "getLanguage"),
        )

    def _render_element_mgr(self) -> Interface:
        """RenderElementMgr (``maxOps.GetCurRenderElementMgr()``): indexes are 0-based [docs]."""
        s, st = self.s, self.s.state

        def index(i: object, fn: str) -> int:
            i = integer_arg(i, fn)
            if not 0 <= i < len(st.render_elements):
                raise MAXScriptException(f"-- Runtime error: {fn}: index out of range: {i}")
            return i

        def add(element: object) -> bool:
            if not isinstance(element, MaxObject) or \
                    element._o.cls.superclass != classes.RENDER_ELEMENT:
                raise MAXScriptException(f"-- Unable to convert: {element!r} to type: "
                                         "RenderElement")
            if any(e is element._o for e in st.render_elements):
                return False
            st.detached = [o for o in st.detached if o is not element._o]
            st.render_elements.append(element._o)
            st.element_files.append("")
            return True

        def remove(element: object) -> bool:
            hit = [i for i, e in enumerate(st.render_elements)
                   if isinstance(element, MaxObject) and e is element._o]
            if not hit:
                return False
            del st.render_elements[hit[0]]
            del st.element_files[hit[0]]
            return True

        def set_name(i: object, name: object) -> None:
            st.element_files[index(i, "SetRenderElementFilename")] = string_arg(name)

        def set_active(value: object) -> None:
            st.elements_active = bool(check_value("bool", value, "SetElementsActive"))

        return Interface(
            s,
            "RenderElementMgr",
            methods={
                "NumRenderElements": lambda: len(st.render_elements),
                "GetRenderElement": lambda i: MaxObject(
                    s, st.render_elements[index(i, "GetRenderElement")]),
                "GetRenderElementFilename": lambda i: st.element_files[
                    index(i, "GetRenderElementFilename")],
                "SetRenderElementFilename": set_name,
                "AddRenderElement": add,
                "RemoveRenderElement": remove,
                "GetElementsActive": lambda: st.elements_active,
                "SetElementsActive": set_active,
            },
            gaps=("RemoveAllRenderElements", "SetDisplayElements", "GetDisplayElements"),
        )


USED_PLUGINS_HEADER = "Used Plug-Ins"  # the Contents page header AWS Deadline Cloud reads [ref]


def asset_files(session: Session) -> list[str]:
    """The scene file, its XRef scenes, every file an object references, then the outputs.

    Object files come from ``classes.FILE_PROPS``, for every object the scene holds under any
    branch (the environment, render elements and the renderer included). Maps held only by
    Material Editor slots are listed too: whether ATS lists them is [unverified], and listing
    them is the case an adapter must survive. Render outputs are listed by default ("the Asset
    Tracking dialog lists output files such as rendered images", 3ds Max User Reference):
    Render Setup's output, each render element's, V-Ray's raw image and split channel files.
    With ``ATSOps.ExcludeOutputFiles`` on they are still listed unless the state says GetFiles
    honours the exclusion ([unverified]).
    """
    st = session.state
    out: list[str] = [st.scene_path] if st.scene_path else []
    out += [p for p in dict.fromkeys(st.xref_scenes) if p not in out]  # scene XRefs
    seen = set(out)
    props: dict[int, str | None] = {}  # by class: the property holding its file, if any
    for o in st.all_objects(lambda c: c.name.lower() in classes.FILE_PROPS):
        key = id(o.cls)
        if key not in props:
            props[key] = classes.FILE_PROPS.get(o.cls.name.lower())
        prop = props[key]
        value = o.props.get(prop) if prop else None
        if isinstance(value, str) and value and value not in seen:
            seen.add(value)
            out.append(value)
    if st.ats_exclude_outputs and st.ats_honours_exclusion:
        return out
    for value in render_outputs(st):
        if value not in seen:
            seen.add(value)
            out.append(value)
    return out


def render_outputs(st: SceneState) -> list[str]:
    """Every output file name Render Setup holds (what a render writes, never reads)."""
    names = [st.render_output, *st.element_files]
    for renderer in (st.current, st.production):
        for obj in (renderer, renderer.sub if renderer is not None else None):
            if obj is not None:
                names += [str(obj.props.get(p) or "") for p in classes.VRAY_OUTPUT_PROPS]
    return [n for n in names if n]


def resolve_map_path(
    files: vfs.VirtualFiles, map_paths: list[str], scene_path: str, path: str
) -> str:
    """``mapPaths.getFullFilePath``: the path where the client finds the file, else ``""``.

    Search order [unverified]: the path as given (absolute), the scene's folder, then each map
    path, with the relative path and then with the bare file name.
    """
    if not path:
        return ""
    absolute = vfs.is_absolute(path)
    if absolute and files.is_file(path):
        return path
    name = vfs.basename(path)
    if name and not files.holds_name(name):
        return ""  # every candidate below ends in this name (a missing map: 10,000s of them)
    rel = name if absolute else path
    folders = ([vfs.normalize(scene_path).rsplit("\\", 1)[0]] if scene_path else []) + list(
        map_paths
    )
    for folder in folders:
        for candidate in dict.fromkeys((vfs.join(folder, rel), vfs.join(folder, name))):
            if files.is_file(candidate):
                return candidate
    return ""


_CLS = attrgetter("cls")


class Runtime:
    """``pymxs.runtime``: a stable object whose globals come from the installed session.

    A module that did ``from pymxs import runtime as rt`` at import time keeps working across
    installs; after uninstall every access raises RuntimeError.
    """

    __slots__ = ("_stack",)

    def __init__(self) -> None:
        object.__setattr__(self, "_stack", [])

    def _globals(self) -> Globals:
        stack: list[Globals] = object.__getattribute__(self, "_stack")
        if not stack:
            raise RuntimeError("mock_pymxs is not installed: call mock_pymxs.install() first")
        return stack[-1]

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("_"):
            return object.__getattribute__(self, name)
        g = object.__getattribute__(self, "_globals")()
        entry = g.table.get(name.lower())
        g.s.gate[get_ident()][f"rt.{entry[0] if entry is not None else name}"] += 1  # s.hit
        return g.lookup(name)

    def __setattr__(self, name: str, value: object) -> None:
        if name.startswith("_"):
            raise AttributeError(name)
        g = self._globals()
        entry = g.table.get(name.lower())
        g.s.hit(f"set rt.{entry[0] if entry is not None else name}")
        g.assign(name, value)

    def __dir__(self) -> list[str]:
        stack: list[Globals] = object.__getattribute__(self, "_stack")
        return sorted(stack[-1].spellings()) if stack else []

    def __repr__(self) -> str:
        return "<pymxs.runtime (mock_pymxs)>"


RUNTIME = Runtime()
