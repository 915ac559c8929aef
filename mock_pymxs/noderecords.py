"""The nodes of a scene file as records: checked in bulk, read by column, built on first use.

A 100,000-node scene file is nearly all geometry nodes of a few fields each, and the adapter
reads lights and assets through class-instance collectors and Asset Tracking, never every node
(``vrdr_max/max_host.py``). So the mock keeps each node as the JSON object the file gave and
answers questions about the nodes by column, in bulk: which classes, layers and materials they
name, which records are of a class. A node's live state (``state.NodeState``) is made when
something asks for that node (issue 18, item 7).

``NodeRecords.from_json`` takes a node list only when it can prove that schema validation
(``scene.NodeSpec``) would accept every node as it is, unchanged; anything else goes the
ordinary way (pydantic, with its error messages). Column passes run at C speed (``map`` over
built-in functions): a few milliseconds per field for 100,000 nodes, where validating each
node as a model costs about 2 microseconds.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Set
from itertools import chain, compress, repeat
from operator import is_not, itemgetter
from typing import Any, NamedTuple

NoneType = type(None)

# The fields of NodeSpec as a scene file spells them, with the value a missing one stands for.
DEFAULTS: dict[str, Any] = {
    "superclass": None, "hidden": False, "frozen": False, "on": None, "target": None,
    "material": None, "layer": "0", "modifiers": (), "props": {},
}
KEYS = frozenset({"name", "class", *DEFAULTS})
# The JSON types that NodeSpec's fields keep as they are. A value of any other type (an int
# for a bool, a number for a string, null for a list) is left to pydantic: it converts or
# refuses it, with its own message.
_TYPES: dict[str, frozenset[type]] = {
    "superclass": frozenset({str, NoneType}), "hidden": frozenset({bool}),
    "frozen": frozenset({bool}), "on": frozenset({bool, NoneType}),
    "target": frozenset({str, NoneType}), "material": frozenset({str, NoneType}),
    "layer": frozenset({str}), "modifiers": frozenset({list}), "props": frozenset({dict}),
}
PROP_VALUE_TYPES = frozenset({bool, int, float, str, NoneType})  # scene.PropValue
_STRINGS = frozenset({str})
_TEXT_OR_NULL = frozenset({str, NoneType})
_UNSET = object()  # a field a record leaves out, in a column read with dict.get
_ZERO = re.compile(b"\x00")
_ROW_KEYS = ("superclass", "hidden", "frozen", "on", "target", "material", "layer",
             "modifiers", "props")
_ROW_DEFAULTS = tuple(DEFAULTS[k] for k in _ROW_KEYS)


class NodeRow(NamedTuple):
    """One node's fields, spelled as ``NodeSpec``'s attributes (either one builds a node)."""

    name: str
    class_: str
    superclass: str | None
    hidden: bool
    frozen: bool
    on: bool | None
    target: str | None
    material: str | None
    layer: str
    modifiers: list[str] | tuple[()]
    props: dict[str, Any]


class NodeRecords:
    """The scene file's nodes, in file order, each the JSON object the file gave.

    ``names`` and ``class_names`` are columns (lists parallel to the records). Each other field
    is read once, as the records that set it and their values; questions about the nodes are
    answered from these columns.
    """

    def __init__(self, records: list[dict[str, Any]], names: list[str],
                 class_names: list[str], keys: frozenset[str]) -> None:
        self.records = records
        self.names = names
        self.class_names = class_names
        self.keys = keys  # the fields any record sets
        self._fields: dict[str, tuple[list[int] | range, list[Any]]] = {}
        # The records by the keys they set, in the order they set them (``from_json``): a
        # field's records are then the groups whose keys hold it, found without asking each
        # record. None: each record is asked.
        self._shapes: dict[tuple[str, ...], list[int]] | None = None
        # The fields of the usual shape (``from_json``): every record's value, _UNSET where
        # a record leaves the field out, and a byte per record, 1 where it sets it.
        self._dense: dict[str, tuple[list[Any], bytes]] = {}
        self._dense_values: dict[str, list[Any]] = {}  # those values, without _UNSET
        self._classes: set[Any] | None = None
        self._distinct: dict[str, set[Any]] = {}
        self._spellings: dict[str, list[str]] | None = None
        self._by_class: dict[str, list[int]] = {}
        self._targets: dict[str, int] | None = None
        self._by_material: dict[str, list[int]] | None = None

    @classmethod
    def from_json(cls, nodes: object) -> NodeRecords | None:
        """Records of a parsed JSON node list, or None unless every node surely validates as is.

        Every node an object with ``name`` and ``class`` strings and no other keys than
        NodeSpec's; every field's values of the types NodeSpec keeps unchanged.
        """
        if type(nodes) is not list or any(t is not dict for t in set(map(type, nodes))):
            return None
        if not nodes:
            return cls([], [], [], frozenset())
        # An export leaves out a field at its default, so a scene's 100,000 nodes come in a
        # few shapes (name, class, material: most of them). The likeliest shape, from a
        # sample, is proven record by record at C speed (each record's size, and one column
        # per field it sets besides name and class); only the other records are grouped by
        # their keys one by one. A wrong guess is slower, never wrong.
        count = len(nodes)
        sample = Counter(map(frozenset, nodes[::max(1, count // 64)]))
        usual = sample.most_common(1)[0][0]
        size = len(usual)
        try:
            lens = bytes(map(len, nodes))
        except ValueError:  # a record of 256 keys or more: keys NodeSpec does not have
            return None
        if lens.count(size) == count and usual <= KEYS:
            # Every node the same size: when every node sets every field of the usual shape
            # (a file with every field spelled out), one pass reads them all, each object once.
            order = ("name", "class", *sorted(usual - {"name", "class"}))
            try:
                columns = dict(zip(order, map(list, zip(*map(itemgetter(*order), nodes),
                                                        strict=True)), strict=True))
            except KeyError:  # another shape of the same size: grouped below
                pass
            else:
                if len(order) == size:
                    return cls._checked(nodes, columns, usual)
        return cls._grouped(nodes, usual, lens)

    @classmethod
    def _grouped(cls, nodes: list[dict[str, Any]], usual: frozenset[str], lens: bytes
                 ) -> NodeRecords | None:
        """``from_json`` for records of several shapes, ``usual`` the likeliest."""
        count, size = len(nodes), len(usual)
        try:
            names = list(map(itemgetter("name"), nodes))
            class_names = list(map(itemgetter("class"), nodes))
        except KeyError:
            return None
        # With name and class in every record, a record of the usual shape's size that sets
        # each of its other fields has exactly its keys. One byte per record (1: may be of the
        # usual shape), the fields' bytes ANDed as integers: C speed, no per-record objects.
        usual_flags = int.from_bytes(lens.translate(bytes(map(size.__eq__, range(256)))),
                                     "big")
        dense: dict[str, tuple[list[Any], bytes]] = {}
        for key in sorted(usual - {"name", "class"}):
            column = list(map(dict.get, nodes, repeat(key), repeat(_UNSET)))
            has = bytes(map(is_not, column, repeat(_UNSET)))
            dense[key] = column, has
            usual_flags &= int.from_bytes(has, "big")
        flags = usual_flags.to_bytes(count, "big")
        groups: dict[tuple[str, ...], list[int]] = {}
        for found in _ZERO.finditer(flags):  # the records not of the usual shape
            i = found.start()
            shape = tuple(nodes[i])
            group = groups.get(shape)
            if group is None:
                groups[shape] = group = []
            group.append(i)
        keys = frozenset(chain(usual, *groups))
        if not keys <= KEYS:
            return None
        out = cls(nodes, names, class_names, keys)
        out._shapes = groups
        out._dense = dense
        return out._surely_valid()

    @classmethod
    def _checked(cls, nodes: list[dict[str, Any]], columns: dict[str, list[Any]],
                 keys: frozenset[str]) -> NodeRecords | None:
        """Records whose every node sets every field of ``keys`` (read as ``columns``)."""
        out = cls(nodes, columns.pop("name"), columns.pop("class"), keys)
        everyone = range(len(nodes))
        out._fields.update((key, (everyone, values)) for key, values in columns.items())
        return out._surely_valid()

    def _surely_valid(self) -> NodeRecords | None:
        """These records, or None unless every name, class and field has a type kept as is."""
        try:
            ok = (set(map(type, self.names)) <= _STRINGS
                  and set(map(type, self._class_set())) <= _STRINGS
                  and all(self._valid(key) for key in self.keys - {"name", "class"}))
        except TypeError:  # an unhashable value where text belongs
            return None
        return self if ok else None

    def _class_set(self) -> set[Any]:
        """The distinct class names, as the file spells them."""
        if self._classes is None:
            self._classes = set(self.class_names)
        return self._classes

    def _valid(self, key: str) -> bool:
        types = _TYPES[key]
        if types <= _TEXT_OR_NULL:
            # Text and null equal nothing of another type, so the types of the distinct
            # values are the types of every value (the distinct values are kept for later).
            return set(map(type, self._distinct_values(key))) <= types
        values = self._values(key)
        # The types of every value, not of the distinct ones: True == 1 == 1.0 in a set.
        if not set(map(type, values)) <= types:
            return False
        if key == "modifiers":
            return set(map(type, chain.from_iterable(values))) <= _STRINGS
        if key == "props":
            props = list(filter(None, values))
            keys_ok = set(map(type, chain.from_iterable(props))) <= _STRINGS
            return keys_ok and set(map(type, chain.from_iterable(
                map(dict.values, props)))) <= PROP_VALUE_TYPES
        return True

    def __len__(self) -> int:
        return len(self.records)

    # -- columns ---------------------------------------------------------------------------
    def field(self, key: str) -> tuple[list[int] | range, list[Any]]:
        """The records that set a field (indices, in file order) and the values they set."""
        found = self._fields.get(key)
        if found is None:
            records = self.records
            column = self._dense.get(key)
            if key not in self.keys:
                found = [], []
            elif key in ("name", "class"):  # every record sets them
                found = range(len(records)), list(self.names if key == "name"
                                                  else self.class_names)
            elif column is not None:
                # Only the records grouped one by one may leave out a field of the usual shape.
                found = ((list(compress(range(len(records)), column[1])), self._values(key))
                         if self._lacking(key) else (range(len(records)), column[0]))
            elif self._shapes is not None:
                found = self._from_shapes(key, self._shapes)
            else:
                present = list(map(dict.__contains__, records, repeat(key)))
                if all(present):
                    found = range(len(records)), list(map(itemgetter(key), records))
                else:
                    found = (list(compress(range(len(records)), present)),
                             list(map(itemgetter(key), compress(records, present))))
            self._fields[key] = found
        return found

    def _lacking(self, key: str) -> bool:
        """True when a record grouped one by one leaves out ``key`` (one of the usual shape)."""
        return any(key not in shape for shape in self._shapes or ())

    def _values(self, key: str) -> list[Any]:
        """The values the records set for a field: ``field``'s second half, no indices made."""
        found = self._fields.get(key)
        if found is not None:
            return found[1]
        column = self._dense.get(key)
        if column is None or key not in self.keys:
            return self.field(key)[1]
        if not self._lacking(key):
            return column[0]
        values = self._dense_values.get(key)
        if values is None:
            values = self._dense_values[key] = list(compress(*column))
        return values

    def _from_shapes(self, key: str, shapes: dict[tuple[str, ...], list[int]]
                     ) -> tuple[list[int] | range, list[Any]]:
        """``field`` from the groups of records that set ``key`` (one pass over them)."""
        records = self.records
        groups = [group for shape, group in shapes.items() if key in shape]
        count = sum(map(len, groups))
        if count == len(records):
            return range(count), list(map(itemgetter(key), records))
        where = groups[0] if len(groups) == 1 else sorted(chain.from_iterable(groups))
        return where, list(map(itemgetter(key), map(records.__getitem__, where)))

    def distinct(self, key: str) -> Set[Any]:
        """The distinct values of a field that holds text or null (its default included)."""
        return self._distinct_values(key)

    def _distinct_values(self, key: str) -> set[Any]:
        found = self._distinct.get(key)
        if found is None:
            values = self._values(key)
            found = set(values)
            if len(values) < len(self.records):
                found.add(DEFAULTS[key])
            self._distinct[key] = found
        return found

    def value(self, i: int, key: str) -> Any:
        """One field of record ``i``."""
        return self.records[i].get(key, DEFAULTS[key])

    def row(self, i: int) -> NodeRow:
        """Record ``i`` with every field."""
        record = self.records[i]
        rest: Iterator[Any] = map(record.get, _ROW_KEYS, _ROW_DEFAULTS)
        return NodeRow(record["name"], record["class"], *rest)

    def class_key_set(self) -> set[str]:
        """The class names used, in lower case (MAXScript names are case-insensitive)."""
        return set(self._class_spellings())

    def _class_spellings(self) -> dict[str, list[str]]:
        if self._spellings is None:
            spellings: dict[str, list[str]] = {}
            for spelling in self._class_set():
                spellings.setdefault(spelling.lower(), []).append(spelling)
            self._spellings = spellings
        return self._spellings

    def classes_with(self, key: str) -> set[str]:
        """Class keys of the records where a field is set and not null."""
        where, values = self.field(key)
        set_here = compress(where, map(is_not, values, repeat(None)))
        return {self.class_names[i].lower() for i in set_here}

    def indices_where(self, key: str) -> list[int]:
        """Records whose field is not empty (``props``, ``modifiers``), in file order."""
        where, values = self.field(key)
        return list(compress(where, values))

    def modifier_names(self) -> set[str]:
        """Every modifier class name the records use."""
        return set(chain.from_iterable(self.field("modifiers")[1]))

    # -- indexes -------------------------------------------------------------------------
    def of_classes(self, keys: Iterable[str]) -> list[int]:
        """Indices of the records of any of these classes (lower-case keys), in file order.

        The classes not indexed yet are indexed in one pass over the class column together
        (the lights' classes of a 100,000-node scene: one pass, not one per class).
        """
        keys = list(keys)
        todo = [key for key in keys if key not in self._by_class]
        if len(todo) > 1:
            spellings = self._class_spellings()
            owner = {spelling: key for key in todo for spelling in spellings.get(key, [])}
            found: dict[str, list[int]] = {key: [] for key in todo}
            names = self.class_names
            for i in compress(range(len(names)), map(owner.__contains__, names)):
                found[owner[names[i]]].append(i)
            self._by_class.update(found)
        return list(merge(*(self.of_class(key) for key in keys)))

    def of_class(self, key: str) -> list[int]:
        """Indices of the records of one class (lower-case key), in file order."""
        found = self._by_class.get(key)
        if found is None:
            spellings = self._class_spellings().get(key, [])
            count = len(self.records)
            found = list(merge(*(compress(range(count), map(s.__eq__, self.class_names))
                                 for s in spellings)))
            self._by_class[key] = found
        return found

    def find_targets(self, targets: Iterable[str]) -> bool:
        """Look up the nodes these names name; False when one names no node."""
        wanted = {t.lower() for t in targets}
        found = self._target_index(wanted)
        return wanted <= found.keys()

    def first_named(self, name: str) -> int | None:
        """The first record whose name is ``name``, whatever the case (a target's node)."""
        key = name.lower()
        known = self._targets.get(key) if self._targets is not None else None
        if known is not None:  # looked up already (every target, when the file was checked)
            return known if known >= 0 else None
        found = self._target_index({key})
        return found.get(key)

    def _target_index(self, wanted: set[str]) -> dict[str, int]:
        """The first record of each wanted lower-case name (one pass over the names)."""
        if self._targets is None:
            self._targets = {}
        missing = wanted - self._targets.keys()
        if missing:
            lowered = map(str.lower, self.names)
            for i in compress(range(len(self.names)),
                              map(missing.__contains__, lowered)):
                self._targets.setdefault(self.names[i].lower(), i)
            # Names no node has are remembered too, so they are not looked for again.
            self._targets.update(dict.fromkeys(missing - self._targets.keys(), -1))
        return {k: i for k in wanted if (i := self._targets[k]) >= 0}

    def using_material(self, name: str) -> list[int]:
        """Records whose material is ``name`` (lower case), in file order."""
        if self._by_material is None:
            index: dict[str, list[int]] = {}
            for i, material in zip(*self.field("material"), strict=True):
                if material is not None:
                    index.setdefault(material.lower(), []).append(i)
            self._by_material = index
        return self._by_material.get(name, [])


def merge(*groups: Iterable[int]) -> Iterator[int]:
    """Record indices from several groups, once each, in file order."""
    return iter(sorted(set(chain.from_iterable(groups))))
