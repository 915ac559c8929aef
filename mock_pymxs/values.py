"""Wrapped MAXScript values: names, arrays, classes, nodes, objects, interfaces, functions.

Like pymxs, every access to a wrapped value crosses into MAXScript and is counted; wrappers are
fresh objects per access (``is`` fails across two reads, ``==`` works); MAXScript names are
case-insensitive. Only nodes, classes and names are hashable (pymxs documents nodes as dict keys).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from itertools import repeat
from threading import get_ident
from typing import TYPE_CHECKING, Any

from mock_pymxs import classes
from mock_pymxs.classes import ClassInfo, PropType
from mock_pymxs.errors import MAXScriptException, MockGapError, UnknownPropertyError
from mock_pymxs.state import LayerState, NodeState, ObjState

if TYPE_CHECKING:
    from mock_pymxs.session import Session


class MXSWrapperBase:
    """Base type of every wrapped MAXScript value (``pymxs.MXSWrapperBase``)."""

    __slots__ = ()


class Name(MXSWrapperBase):
    """A MAXScript name literal (``#foo``): equal to another Name whatever the case."""

    __slots__ = ("_n",)
    _n: str

    def __init__(self, text: str) -> None:
        object.__setattr__(self, "_n", str(text))

    def __eq__(self, other: object) -> bool:
        # A Name never equals a str: pymxs' behaviour there is unverified, so stay strict.
        return isinstance(other, Name) and self._n.lower() == other._n.lower()

    def __hash__(self) -> int:
        return hash(self._n.lower())

    def __str__(self) -> str:
        return self._n

    def __repr__(self) -> str:
        return f"<Name<#{self._n}>>"

    def __setattr__(self, name: str, value: object) -> None:
        raise UnknownPropertyError(f'-- Unknown property: "{name}" in #{self._n}')


def mxs_print(value: object) -> str:
    """The MAXScript print form of a value (used inside arrays and error messages)."""
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, Name):
        return f"#{value}"
    if isinstance(value, float):
        return f"{value:g}" if "." in f"{value:g}" else f"{value:g}.0"
    return str(value)


# Wrappers set their own slots with this: their __setattr__ is MAXScript's property write, and a
# Python-level call per slot costs the adapter's tens of thousands of wrappers in a large scene.
_slot = object.__setattr__


class _Counted(MXSWrapperBase):
    """A wrapper whose non-underscore attributes are MAXScript properties (each one counted)."""

    __slots__ = ("_s",)
    _s: Session

    def __getattr__(self, name: str) -> Any:
        # Only names Python does not find on the wrapper come here: every MAXScript property
        # (the wrappers' own attributes and methods all start with "_", but getmxsprop and
        # setmxsprop). Python's own lookup serves the rest at C speed: the adapter crosses
        # tens of thousands of times in a large scene's read.
        if name.startswith("_"):
            raise AttributeError(name)
        # Session.hit, inline (the count, or the refusal of a thread without mxstoken)
        self._s.gate[get_ident()][f"get {self._owner()}.{self._canon(name)}"] += 1
        return self._get(name)

    def __setattr__(self, name: str, value: object) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        self._s.hit(f"set {self._owner()}.{self._canon(name)}")
        self._set(name, value)

    def getmxsprop(self, key: str) -> Any:
        """Explicitly get a MAXScript property (pymxs API)."""
        self._s.hit(f"get {self._owner()}.{self._canon(key)}")
        return self._get(key)

    def setmxsprop(self, key: str, value: object) -> None:
        """Explicitly set a MAXScript property (pymxs API)."""
        self._s.hit(f"set {self._owner()}.{self._canon(key)}")
        self._set(key, value)

    # -- implemented by subclasses (never counted) --
    def _owner(self) -> str:
        raise NotImplementedError

    def _canon(self, name: str) -> str:
        return name

    def _get(self, name: str) -> Any:
        raise self._unknown(name)

    def _set(self, name: str, _value: object) -> None:
        raise self._unknown(name)

    def _prop_names(self) -> list[str]:
        return []

    def _has(self, _name: str) -> bool:
        return False

    def _unknown(self, name: str) -> UnknownPropertyError:
        return UnknownPropertyError(f'-- Unknown property: "{name}" in {self}')


class Array(_Counted):
    """A MAXScript array: ``len``, iteration and 0-based subscripts from Python are free."""

    __slots__ = ("_items",)
    _items: list[Any]

    def __init__(self, session: Session, items: list[Any]) -> None:
        _slot(self, "_s", session)
        _slot(self, "_items", items)

    def _owner(self) -> str:
        return "Array"

    def _get(self, name: str) -> Any:
        if name.lower() == "count":
            return len(self._items)
        raise self._unknown(name)

    def _prop_names(self) -> list[str]:
        return ["count"]

    def _has(self, name: str) -> bool:
        return name.lower() == "count"

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._items))

    def _index(self, index: object) -> int:
        if not isinstance(index, int) or isinstance(index, bool):
            raise TypeError(f"array index must be an int, not {type(index).__name__}")
        if index < 0:  # negative subscripts are not documented for pymxs arrays
            raise IndexError(f"array index {index} out of range (mock_pymxs: no negative indexes)")
        return index

    def __getitem__(self, index: int) -> Any:
        i = self._index(index)
        if i >= len(self._items):
            raise IndexError(f"array index {i} out of range")
        return self._items[i]

    def __setitem__(self, index: int, value: object) -> None:
        i = self._index(index)
        if i >= len(self._items):  # MAXScript grows the array with undefined
            self._items.extend([None] * (i + 1 - len(self._items)))
        self._items[i] = value

    def __str__(self) -> str:
        return "#(" + ", ".join(mxs_print(v) for v in self._items) + ")"

    def __repr__(self) -> str:
        return f"<Array<{self}>>"


class SuperClass(_Counted):
    """A MAXScript superclass (``GeometryClass``, ``light``, ``RendererClass``, ...)."""

    __slots__ = ("_name",)
    _name: str

    def __init__(self, session: Session, name: str) -> None:
        _slot(self, "_s", session)
        _slot(self, "_name", name)

    def _owner(self) -> str:
        return self._name

    def _get(self, name: str) -> Any:
        if name.lower() == "classes":
            unique = {id(c): c for c in self._s.state.classes.values()}  # aliases once
            avail = [MaxClass(self._s, c) for c in unique.values() if c.superclass == self._name]
            return Array(self._s, avail)
        raise self._unknown(name)

    def _has(self, name: str) -> bool:
        return name.lower() == "classes"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SuperClass) and other._name == self._name

    def __hash__(self) -> int:
        return hash(("superclass", self._name))

    def __str__(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<MAXSuperClass<{self._name}>>"


class MaxClass(_Counted):
    """A MAXScript class; calling a creatable one creates an object (counted as one call)."""

    __slots__ = ("_info",)
    _info: ClassInfo

    def __init__(self, session: Session, info: ClassInfo) -> None:
        _slot(self, "_s", session)
        _slot(self, "_info", info)

    def _owner(self) -> str:
        return self._info.name

    def _get(self, name: str) -> Any:
        key = name.lower()
        if key == "classid":
            if self._info.class_id is None:
                raise MockGapError(f"mock_pymxs does not know the class id of {self._info.name}")
            return Array(self._s, list(self._info.class_id))
        if key == "creatable":
            return self._info.creatable
        raise self._unknown(name)

    def _has(self, name: str) -> bool:
        return name.lower() in ("classid", "creatable")

    def __call__(self, *args: object, **kwargs: object) -> Any:
        """Create an instance (a node for scene object classes); kwargs set properties."""
        self._s.hit(f"call {self._info.name}")
        return self._s.create(self._info, args, kwargs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaxClass) and other._info.name.lower() == self._info.name.lower()

    def __hash__(self) -> int:
        return hash(("class", self._info.name.lower()))

    def __str__(self) -> str:
        return self._info.name

    def __repr__(self) -> str:
        return f"<{self._info.superclass}<{self._info.name}>>"


_MXS_TYPE = {
    "bool": "BooleanClass",
    "int": "Integer",
    "float": "Float",
    "str": "String",
    "node": "node",
    "texmap": "textureMap",
    "material": "material",
}


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_CHECKS: dict[str, Callable[[object], bool]] = {
    "bool": lambda v: isinstance(v, bool),
    "int": _is_number,
    "float": _is_number,
    "str": lambda v: isinstance(v, str),
}


def _convert(ptype: PropType, value: object) -> tuple[bool, object]:
    check = _CHECKS.get(ptype)
    if check is not None:
        ok = check(value)
        if ok and ptype in ("int", "float"):
            value = int(value) if ptype == "int" else float(value)  # type: ignore[call-overload,arg-type]
        return ok, value
    if value is None:
        return True, None
    if ptype == "node":
        return isinstance(value, Node), value._n if isinstance(value, Node) else value
    want = classes.TEXTUREMAP if ptype == "texmap" else classes.MATERIAL
    ok = isinstance(value, MaxObject) and value._o.cls.superclass == want
    return ok, value._o if isinstance(value, MaxObject) else value


def check_value(ptype: PropType, value: object, where: str) -> object:
    """Convert a Python value for a property of type ``ptype`` the way MAXScript would, or raise."""
    ok, converted = _convert(ptype, value)
    if ok:
        return converted
    simple = isinstance(value, (str, int, float, bool, type(None), Name))
    shown = mxs_print(value) if simple else repr(value)
    raise MAXScriptException(f"-- Unable to convert: {shown} to type: {_MXS_TYPE[ptype]} ({where})")


# Properties every node has (MAXScript "General Node Properties") that the mock models.
_NODE_PROPS: dict[str, tuple[str, PropType | None]] = {
    "name": ("name", "str"),
    "ishidden": ("isHidden", "bool"),
    "isfrozen": ("isFrozen", "bool"),
    "renderable": ("renderable", "bool"),
    "target": ("target", "node"),
    "material": ("material", "material"),
    "baseobject": ("baseObject", None),
    "layer": ("layer", None),
}


_NODE_GETTERS: dict[str, Callable[[Session, NodeState], Any]] = {
    "name": lambda _s, n: n.name,
    "ishidden": lambda _s, n: n.hidden,
    "isfrozen": lambda _s, n: n.frozen,
    "renderable": lambda _s, n: n.renderable,
    "target": lambda s, n: wrap(s, n.target),
    "material": lambda s, n: wrap(s, n.material),
    "baseobject": lambda s, n: MaxObject(s, n.base),
    "layer": lambda s, n: layer_interface(s, n.layer),
}
"""What reading each of ``_NODE_PROPS`` gives."""


def _node_read(info: ClassInfo, name: str) -> tuple[str, Any, str | None]:
    """How a node of class ``info`` reads ``name``: Node's count name, getter and property.

    ``(count name, general node property getter or None, class property or None)``, as
    ``_Counted.__getattr__`` finds them through ``_owner``, ``_canon`` and ``_get``; kept in
    the class (``node_reads``) for a name it knows, never for an unknown or a ``_...`` name.
    """
    key = name.lower()
    hit = _NODE_PROPS.get(key)
    spec = info.prop(name) if hit is None else None
    canon = hit[0] if hit is not None else (spec.name if spec is not None else name)
    read = (f"get {info.name}.{canon}", _NODE_GETTERS.get(key),
            None if spec is None else spec.name)
    if (hit is not None or spec is not None) and not name.startswith("_"):
        info.node_reads[name] = read
    return read


class Node(_Counted):
    """A scene node; class properties fall through to its base object, as in MAXScript."""

    __slots__ = ("_n",)
    _n: NodeState

    def __init__(self, session: Session, node: NodeState) -> None:
        _slot(self, "_s", session)
        _slot(self, "_n", node)

    def __getattr__(self, name: str) -> Any:
        # _Counted's read with its count name, getter and property found once per class and
        # spelling (a scene read asks each of its lights for the same few names); the same
        # count and answers, and an unknown name goes through _get as before.
        n = self._n
        read = n.base.cls.node_reads.get(name)
        if read is None:
            if name.startswith("_"):
                raise AttributeError(name)
            read = _node_read(n.base.cls, name)
        count, getter, prop = read
        self._s.gate[get_ident()][count] += 1  # Session.hit, inline
        if getter is not None:
            return getter(self._s, n)
        if prop is not None:
            return wrap(self._s, n.base.props[prop])
        return self._get(name)

    def _owner(self) -> str:
        return self._n.base.cls.name

    def _canon(self, name: str) -> str:
        hit = _NODE_PROPS.get(name.lower())
        if hit is not None:
            return hit[0]
        spec = self._n.base.cls.prop(name)
        return spec.name if spec is not None else name

    def _get(self, name: str) -> Any:
        key = name.lower()
        n = self._n
        getter = _NODE_GETTERS.get(key)  # one table for every node (a scene read: 10,000s)
        if getter is not None:
            return getter(self._s, n)
        spec = n.base.cls.prop(name)
        if spec is None:
            raise self._unknown(name)
        return wrap(self._s, n.base.props[spec.name])

    def _set(self, name: str, value: object) -> None:
        key = name.lower()
        n = self._n
        if key in _NODE_PROPS:
            canon, ptype = _NODE_PROPS[key]
            if key == "baseobject":
                raise MockGapError("mock_pymxs does not model replacing a node's baseObject")
            if ptype is None:  # .layer is read-only; layer.addNode moves a node [docs]
                raise MAXScriptException(f"-- Runtime error: Cannot set {n.name}.{canon}")
            new = check_value(ptype, value, f"{n.name}.{canon}")
            old = {
                "name": n.name,
                "ishidden": n.hidden,
                "isfrozen": n.frozen,
                "renderable": n.renderable,
                "target": n.target,
                "material": n.material,
            }[key]
            if key == "name":
                n.name = str(new)
            elif key == "ishidden":
                n.hidden = bool(new)
            elif key == "isfrozen":
                n.frozen = bool(new)
            elif key == "renderable":
                n.renderable = bool(new)
            elif key == "target":
                n.target = new if isinstance(new, NodeState) else None
            else:
                n.material = new if isinstance(new, ObjState) else None
                if n.material is not None:
                    self._s.state.adopt(n.material)
            self._s.record_write(str(self), self._owner(), canon, old, new)
            return
        spec = n.base.cls.prop(name)
        if spec is None:
            raise self._unknown(name)
        new = check_value(spec.type, value, f"{n.name}.{spec.name}")
        old = n.base.props[spec.name]
        n.base.props[spec.name] = new
        self._s.record_write(str(self), self._owner(), spec.name, old, new)

    def _prop_names(self) -> list[str]:
        return [p.name for p in self._n.base.cls.props]

    def _has(self, name: str) -> bool:
        return name.lower() in _NODE_PROPS or self._n.base.cls.prop(name) is not None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Node) and other._n is self._n

    def __hash__(self) -> int:
        return id(self._n)

    def __str__(self) -> str:
        return f"${self._n.base.cls.name}:{self._n.name} @ [0,0,0]"

    def __repr__(self) -> str:
        return f"<{self._n.base.cls.name}<{self}>>"


class MaxObject(_Counted):
    """A MAXScript object that is not a node: base object, map, material, renderer, sub-object."""

    __slots__ = ("_o",)
    _o: ObjState
    __hash__ = None  # type: ignore[assignment]  # pymxs documents only some values as hashable

    def __init__(self, session: Session, obj: ObjState) -> None:
        _slot(self, "_s", session)
        _slot(self, "_o", obj)

    def __getattr__(self, name: str) -> Any:
        # _Counted's read with the class table looked up once: a scene read crosses here for
        # every map's path and name. The same count and answers; the other cases go through
        # _get as before. A spelling read before is found without a call (never "_...").
        o = self._o
        read = o.cls.reads.get(name)
        if read is None:
            if name.startswith("_"):
                raise AttributeError(name)
            read = o.cls.read_of(name)
        count, prop, own_name = read
        self._s.gate[get_ident()][count] += 1  # Session.hit, inline
        if prop is not None and o.sub is None:
            value = o.props[prop]
            return wrap(self._s, value) if isinstance(value, (NodeState, ObjState)) else value
        if own_name:  # _get's first case
            return o.name
        return self._get(name)

    def _owner(self) -> str:
        return self._o.cls.name

    def _has_name(self) -> bool:
        return self._o.cls.has_own_name()

    def _canon(self, name: str) -> str:
        spec = self._o.cls.prop(name)
        return spec.name if spec is not None else name

    def _get(self, name: str) -> Any:
        o = self._o
        key = name.lower()
        if key == "name" and self._has_name():
            return o.name
        if key == "classid" and o.cls.superclass == classes.RENDERER:
            if o.cls.class_id is None:
                raise MockGapError(f"mock_pymxs does not know the class id of {o.cls.name}")
            return Array(self._s, list(o.cls.class_id))
        if o.sub is not None and key == o.sub.cls.name.lower():
            return MaxObject(self._s, o.sub)
        spec = o.cls.prop(name)
        if spec is None:
            raise self._unknown(name)
        return wrap(self._s, o.props[spec.name])

    def _set(self, name: str, value: object) -> None:
        o = self._o
        if name.lower() == "name" and self._has_name():
            new = check_value("str", value, f"{o.cls.name}.name")
            old_name, o.name = o.name, str(new)
            self._s.record_write(str(self), self._owner(), "name", old_name, new)
            return
        spec = o.cls.prop(name)
        if spec is None:
            raise self._unknown(name)
        new = check_value(spec.type, value, f"{o.cls.name}.{spec.name}")
        old = o.props[spec.name]
        o.props[spec.name] = new
        if isinstance(new, ObjState):
            self._s.state.adopt(new)  # a map or material now held through this property
        self._s.record_write(str(self), self._owner(), spec.name, old, new)

    def _prop_names(self) -> list[str]:
        names = [p.name for p in self._o.cls.props]
        if self._o.sub is not None:
            names.append(self._o.sub.cls.name)
        return names

    def _has(self, name: str) -> bool:
        o = self._o
        key = name.lower()
        return (
            o.cls.prop(name) is not None
            or (key == "name" and self._has_name())
            or (o.sub is not None and key == o.sub.cls.name.lower())
            or (key == "classid" and o.cls.superclass == classes.RENDERER)
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaxObject) and other._o is self._o

    def __str__(self) -> str:
        o = self._o
        if o.cls.superclass == classes.RENDERER:
            return f"{o.cls.name}:{o.cls.display_name or o.cls.name}"
        if self._has_name():
            return f"{o.name}:{o.cls.name}"
        return o.cls.name

    def __repr__(self) -> str:
        return f"<{self._o.cls.name}<{self}>>"


class _SceneRoot(_Counted):
    """A scene-wide singleton global: equal to itself whatever wrapper holds it."""

    __slots__ = ()
    _NAME = ""
    """The MAXScript global, which also owns its AppData."""
    _TEXT = ""
    """How MAXScript prints it."""
    _CLASS = ""
    """The class name its repr shows."""

    def __init__(self, session: Session) -> None:
        _slot(self, "_s", session)

    def _owner(self) -> str:
        return self._NAME

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(self._NAME)

    def __str__(self) -> str:
        return self._TEXT

    def __repr__(self) -> str:
        return f"<{self._CLASS}<{self._TEXT}>>"


class RootNode(_SceneRoot):
    """``rootNode``: the scene root; the mock models only its AppData."""

    __slots__ = ()
    _NAME, _TEXT, _CLASS = "rootNode", "<root>", "RootNode"


class RootScene(_SceneRoot):
    """``rootScene``: the scene root above ``rootNode``.

    Autodesk, "rootScene System Global Variable" (3ds Max 2011+): its sub-anims are the
    scene's branches (``state.ROOT_SCENE_BRANCHES``).
    """

    __slots__ = ()
    _NAME, _TEXT, _CLASS = "rootScene", "$<rootScene>", "Scene"


class SceneBranch(_Counted):
    """The ``.object`` of a rootScene sub-anim other than #world: what that branch holds.

    What 3ds Max returns there, and that ``getClassInstances target:`` takes it, are
    [unverified] (the field check reads both); the mock searches the branch's references.
    """

    __slots__ = ("_branch",)
    _branch: str

    def __init__(self, session: Session, branch: str) -> None:
        _slot(self, "_s", session)
        _slot(self, "_branch", branch)

    def _owner(self) -> str:
        return self._branch

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SceneBranch) and other._branch.lower() == self._branch.lower()

    def __hash__(self) -> int:
        return hash(("branch", self._branch.lower()))

    def __str__(self) -> str:
        return f"<{self._branch}>"

    def __repr__(self) -> str:
        return f"<ReferenceTarget<{self}>>"


class SubAnim(_Counted):
    """A sub-anim value (``getSubAnim rootScene i``): ``.name`` and ``.object``."""

    __slots__ = ("_branch",)
    _branch: str

    def __init__(self, session: Session, branch: str) -> None:
        _slot(self, "_s", session)
        _slot(self, "_branch", branch)

    def _owner(self) -> str:
        return "SubAnim"

    def _get(self, name: str) -> Any:
        key = name.lower()
        if key == "name":
            return Name(self._branch)
        if key == "object":
            if self._branch.lower() == "world":
                return RootNode(self._s)  # `rootscene[#world].object --> $<root>` [docs]
            return SceneBranch(self._s, self._branch)
        raise self._unknown(name)

    def _prop_names(self) -> list[str]:
        return ["name", "object"]

    def _has(self, name: str) -> bool:
        return name.lower() in ("name", "object")

    def __str__(self) -> str:
        return f"SubAnim:{self._branch}"

    def __repr__(self) -> str:
        return f"<SubAnim<{self}>>"


class Function(_Counted):
    """A MAXScript function or interface method: each call is one crossing."""

    __slots__ = ("_call", "_impl", "_name")
    _impl: Callable[..., Any]
    _name: str
    _call: str

    def __init__(self, session: Session, name: str, impl: Callable[..., Any]) -> None:
        _slot(self, "_s", session)
        _slot(self, "_name", name)
        _slot(self, "_impl", impl)
        _slot(self, "_call", f"call {name}")  # the count's name, made once per function

    def _owner(self) -> str:
        return self._name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the function (one crossing)."""
        self._s.gate[get_ident()][self._call] += 1  # Session.hit, inline
        return self._impl(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self._name.rsplit('.', 1)[-1]}()"

    def __repr__(self) -> str:
        return f"<Primitive<{self}>>"


Getter = Callable[[], Any]
Setter = Callable[[Any], None]
_Tables = tuple[dict[str, tuple[str, Getter, Setter | None]],
                dict[str, tuple[str, Callable[..., Any]]], set[str], LayerState | None]
"""An interface's property, method and gap tables, and the layer it stands for, if any."""


class Interface(_Counted):
    """A core interface or struct (``renderers``, ``mapPaths``, ``callbacks``, ...)."""

    __slots__ = ("_gaps", "_layer", "_methods", "_name", "_props")

    def __init__(
        self,
        session: Session,
        name: str,
        *,
        props: dict[str, tuple[Getter, Setter | None]] | None = None,
        methods: dict[str, Callable[..., Any]] | None = None,
        gaps: tuple[str, ...] = (),
    ) -> None:
        self._s = session
        self._name = name
        self._props = {k.lower(): (k, g, s) for k, (g, s) in (props or {}).items()}
        self._methods = {k.lower(): (k, f) for k, f in (methods or {}).items()}
        self._gaps = {g.lower() for g in gaps}
        self._layer: LayerState | None = None

    @classmethod
    def _over(cls, session: Session, name: str, tables: _Tables) -> Interface:
        """A fresh wrapper over tables built once (a value the adapter reads again and again)."""
        iface = cls.__new__(cls)
        props, methods, gaps, layer = tables
        for slot, value in (("_s", session), ("_name", name), ("_props", props),
                            ("_methods", methods), ("_gaps", gaps), ("_layer", layer)):
            _slot(iface, slot, value)
        return iface

    def _tables(self) -> _Tables:
        return self._props, self._methods, self._gaps, self._layer

    def _owner(self) -> str:
        return self._name

    def _canon(self, name: str) -> str:
        key = name.lower()
        hit = self._props.get(key) or self._methods.get(key)
        return hit[0] if hit is not None else name

    def _get(self, name: str) -> Any:
        key = name.lower()
        if key in self._props:
            return self._props[key][1]()
        if key in self._methods:
            canon, impl = self._methods[key]
            return Function(self._s, f"{self._name}.{canon}", impl)
        if key in self._gaps:
            raise MockGapError(
                f"{self._name}.{name} exists in 3ds Max but mock_pymxs does not model it"
            )
        raise self._unknown(name)

    def _set(self, name: str, value: object) -> None:
        key = name.lower()
        if key in self._props:
            canon, _getter, setter = self._props[key]
            if setter is None:
                raise MAXScriptException(
                    f"-- Runtime error: Cannot set {self._name}.{canon}: read-only"
                )
            setter(value)
            return
        raise self._unknown(name)

    def _prop_names(self) -> list[str]:
        return [v[0] for v in self._props.values()]

    def _has(self, name: str) -> bool:
        return name.lower() in self._props or name.lower() in self._methods

    def _add_method(self, name: str, impl: Callable[..., Any]) -> None:
        """Add a method to an interface another module built (not a MAXScript operation)."""
        self._methods[name.lower()] = (name, impl)
        self._gaps.discard(name.lower())

    def __str__(self) -> str:
        return f"<Interface:{self._name}>"

    def __repr__(self) -> str:
        return f"<Interface<{self._name}>>"


def layer_interface(session: Session, layer: LayerState) -> Interface:
    """A LayerProperties interface: ``name``, ``ishidden``, the layer tree and ``addNode``.

    ``name`` [docs]; ``ishidden`` is the layer's own flag; the tree is ``getParent``,
    ``setParent``, ``getNumChildren`` and ``getChild`` (1-based). Spellings: ``ishidden``,
    ``getParent()`` (undefined for a top-level layer) and the 1-based ``getChild`` as a public
    pymxs layer manager uses them [used in production code]; ``addNode`` [docs].

    Each read gives a fresh wrapper, as pymxs does; its property and method tables are built
    once per layer and session (a scene read asks every light for its layer).
    """
    made = session.layer_tables.get(id(layer))
    if made is not None and made[3] is layer:
        return Interface._over(session, "LayerProperties", made)
    iface = _new_layer_interface(session, layer)
    session.layer_tables[id(layer)] = iface._tables()
    return iface


def _new_layer_interface(session: Session, layer: LayerState) -> Interface:
    st = session.state

    def set_hidden(value: object) -> None:
        new = bool(check_value("bool", value, f"{layer.name}.ishidden"))
        old, layer.hidden = layer.hidden, new
        session.record_write(f"<Layer:{layer.name}>", "LayerProperties", "ishidden", old, new)

    def children() -> list[LayerState]:
        return [ly for ly in st.layers if ly.parent is layer]

    def get_parent() -> Interface | None:
        return None if layer.parent is None else layer_interface(session, layer.parent)

    def set_parent(parent: object) -> bool:
        if parent is None:
            layer.parent = None
            return True
        target = _layer_of(parent)
        ancestor: LayerState | None = target
        while ancestor is not None:
            if ancestor is layer:
                return False  # would nest the layer inside itself
            ancestor = ancestor.parent
        layer.parent = target
        return True

    def get_child(i: object) -> Interface:
        kids = children()
        if not isinstance(i, int) or isinstance(i, bool) or not 1 <= i <= len(kids):
            raise MAXScriptException(f"-- Runtime error: getChild: index out of range: {i!r}")
        return layer_interface(session, kids[i - 1])

    def add_node(node: object) -> None:
        if not isinstance(node, Node):
            raise MAXScriptException(f"-- Unable to convert: {node!r} to type: node")
        node._n.layer = layer

    iface = Interface(
        session,
        "LayerProperties",
        props={"name": (lambda: layer.name, None), "ishidden": (lambda: layer.hidden, set_hidden)},
        methods={"getParent": get_parent, "setParent": set_parent,
                 "getNumChildren": lambda: len(children()), "getChild": get_child,
                 "addNode": add_node},
        gaps=("on", "lock", "isFrozen", "renderable", "nodes", "setName"),
    )
    iface._layer = layer
    return iface


def _layer_of(value: object) -> LayerState:
    """The layer a LayerProperties interface stands for."""
    layer = getattr(value, "_layer", None) if isinstance(value, Interface) else None
    if not isinstance(layer, LayerState):
        raise MAXScriptException(f"-- Unable to convert: {value!r} to type: LayerProperties")
    return layer


class ByRef:
    """``pymxs.byref(value)``: marks a by-reference argument; the call returns a tuple."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"byref({self.value!r})"


_new = object.__new__
# The slots' own descriptors (what ``_slot(obj, "_s", value)`` sets), called by map.
_set_session = _Counted.__dict__["_s"].__set__
_set_object = MaxObject.__dict__["_o"].__set__


def wrap_objects(session: Session, objs: list[ObjState]) -> list[MaxObject]:
    """A fresh MaxObject over each object: ``[MaxObject(session, o) for o in objs]``.

    Made by column (the slots set at C speed): ``getClassInstances`` wraps 10,000s of maps
    in a large scene.
    """
    out: list[MaxObject] = list(map(_new, repeat(MaxObject, len(objs))))
    deque(map(_set_session, out, repeat(session)), maxlen=0)
    deque(map(_set_object, out, objs), maxlen=0)
    return out


def wrap(session: Session, value: object) -> Any:
    """A stored value as Python sees it: primitives as they are, objects wrapped fresh."""
    if isinstance(value, NodeState):
        return Node(session, value)
    if isinstance(value, ObjState):
        return MaxObject(session, value)
    return value


def prop_name(name: object) -> str:
    """A property name given as ``str`` or ``Name``."""
    if isinstance(name, (str, Name)):
        return str(name)
    raise MAXScriptException(f"-- Unable to convert: {name!r} to type: Name")
