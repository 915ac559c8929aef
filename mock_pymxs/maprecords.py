"""The maps of a scene file as columns: checked in bulk, built in bulk.

A 100,000-node scene file names 10,000 texture maps, nearly all of one shape (name, class,
filename). Validating each as a ``scene.MapSpec`` model costs pydantic about 1.5 microseconds
a map, and building the live state from the models another 2. ``MapColumns.from_json`` takes a
map list as columns only when it can prove that ``MapSpec`` would accept every map as it is,
unchanged (issue 18, item 7); anything else goes the ordinary way (pydantic, with its error
messages), and the live state is built from the models' columns by the same code.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any

from mock_pymxs.noderecords import PROP_VALUE_TYPES

if TYPE_CHECKING:
    from mock_pymxs.scene import MapSpec

NoneType = type(None)

# MapSpec's fields as a scene file spells them ("class_" too is MapSpec's, by field name:
# such a list is left to pydantic, as is any other key).
MAP_KEYS = frozenset({"name", "class", "filename", "HDRIMapName", "props"})
_STRINGS = frozenset({str})
_TEXT_OR_NULL = frozenset({str, NoneType})
_DICTS = frozenset({dict})
_MISSING = object()  # a required field a map leaves out: not text, so the list is not taken
NO_PROPS: dict[str, Any] = {}
"""A map's props where the file leaves them out (shared: read, never changed)."""


class MapColumns:
    """The scene file's maps, in file order, one list per ``MapSpec`` field."""

    __slots__ = ("_lowered", "class_names", "filenames", "hdri", "names", "props")

    def __init__(self, names: list[str], class_names: list[str],
                 filenames: list[str | None], hdri: list[str | None],
                 props: list[dict[str, Any]]) -> None:
        self.names = names
        self.class_names = class_names
        self.filenames = filenames
        self.hdri = hdri  # HDRIMapName
        self.props = props
        self._lowered: list[str] | None = None

    def __len__(self) -> int:
        return len(self.names)

    @classmethod
    def of_specs(cls, specs: Sequence[MapSpec]) -> MapColumns:
        """The columns of validated maps (a Scene model's)."""
        return cls([m.name for m in specs], [m.class_ for m in specs],
                   [m.filename for m in specs], [m.HDRIMapName for m in specs],
                   [m.props for m in specs])

    @classmethod
    def from_json(cls, maps: object) -> MapColumns | None:
        """Columns of a parsed JSON map list, or None unless every map surely validates as is.

        Every map an object with ``name`` and ``class`` strings and no other keys than
        MapSpec's; ``filename`` and ``HDRIMapName`` text or null, ``props`` an object of text
        keys and true/false, number, text or null values: the types MapSpec keeps unchanged.
        """
        if type(maps) is not list or (maps and set(map(type, maps)) != _DICTS):
            return None
        keys = set(chain.from_iterable(maps))
        if not keys <= MAP_KEYS or (maps and not {"name", "class"} <= keys):
            return None
        count = len(maps)

        def column(key: str, default: Any) -> list[Any]:
            if key not in keys:
                return [default] * count
            return list(map(dict.get, maps, repeat(key), repeat(default)))

        names, class_names = column("name", _MISSING), column("class", _MISSING)
        filenames, hdri = column("filename", None), column("HDRIMapName", None)
        props = column("props", NO_PROPS)
        given = list(filter(None, props))
        ok = (set(map(type, names)) <= _STRINGS and set(map(type, class_names)) <= _STRINGS
              and set(map(type, filenames)) <= _TEXT_OR_NULL
              and set(map(type, hdri)) <= _TEXT_OR_NULL and set(map(type, props)) <= _DICTS
              and set(map(type, chain.from_iterable(given))) <= _STRINGS
              and set(map(type, chain.from_iterable(map(dict.values, given))))
              <= PROP_VALUE_TYPES)
        return cls(names, class_names, filenames, hdri, props) if ok else None

    def lowered(self) -> list[str]:
        """The names in lower case (MAXScript names are case-insensitive), made once."""
        if self._lowered is None:
            self._lowered = list(map(str.lower, self.names))
        return self._lowered
