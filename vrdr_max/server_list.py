"""The render-server list: plain entries read from a cfg file, objects built only when looked at.

Nothing here imports pydantic: reading and editing a cfg's servers (``vrdr cfg show``, ``vrdr
servers add|remove|enable|disable``) works on plain :data:`ServerEntry` tuples, and a
:class:`~vrdr_max.models.RenderServer` is built (importing the models) only for an entry that
someone looks at. ``vrdr_max.models`` re-exports both names.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, MutableSequence

from vrdr_max.addresses import validate_host
from vrdr_max.errors import InputError, quote

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from typing import Any, TypeAlias, overload

    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema

    from vrdr_max.models import RenderServer

ServerEntry: TypeAlias = tuple[str, int, int | None, bool]
"""A server as plain data: host (canonical), first port, last port of a range or None, enabled."""

Endpoint: TypeAlias = tuple[str, int | None]
"""A host and one port, or None for every port of the host (``servers remove render07``)."""


class BuiltServer:
    """Base of :class:`~vrdr_max.models.RenderServer`, the objects a :class:`ServerList` hands out.

    Lets the list tell a built server from a raw entry without importing pydantic.
    """

    __slots__ = ()

    if TYPE_CHECKING:
        @property
        def entry(self) -> ServerEntry:
            """``(host, port, port_end, enabled)``."""


class _EditClock:
    """Counts in-place edits of built servers in this process (``RenderServer.__setattr__``).

    A list compares it with the count it last saw: when it moved, a server it handed out may
    have changed, so the duplicate index and "only additions since the file was read" are
    checked again (see :meth:`ServerList._sync`).
    """

    ticks = 0


def server_edited() -> None:
    """Note that a built server's field was assigned (called by ``RenderServer``)."""
    _EditClock.ticks += 1


@functools.cache
def _server_class() -> type[RenderServer]:
    # The models (and pydantic) load on the first server that is looked at, not before.
    from vrdr_max.models import RenderServer  # noqa: PLC0415

    return RenderServer


def _build(entry: ServerEntry) -> RenderServer:
    # Entries come from a validated source (the cfg reader, add_entry), so pydantic need not
    # check again.
    host, port, port_end, enabled = entry
    return _server_class().model_construct(host=host, port=port, port_end=port_end,
                                           enabled=enabled)


def check_entry(host: str, port: int, port_end: int | None = None,
                enabled: bool = True) -> ServerEntry:
    """A validated entry, checked as ``RenderServer`` checks one, without pydantic.

    The host comes back in canonical form; ports are 1-65535; a range ends after it starts.

    Raises:
        InputError: naming what is wrong.
    """
    for value in (port, port_end):
        if value is not None and not (type(value) is int and 1 <= value <= 65535):
            raise InputError(f"port {quote(str(value))} is not a port (1-65535)")
    if port_end is not None and port_end < port:
        raise InputError(f"port range {port}-{port_end} ends before it starts")
    return validate_host(host), port, port_end, bool(enabled)


class ServerList(MutableSequence["RenderServer"]):
    """The render-server list of :class:`~vrdr_max.models.DRSettings`, built when asked for.

    A cfg file of 10,000 servers is read as plain entries; a ``RenderServer`` is built only for
    an entry that is looked at (indexing or iterating). Adding checks duplicates with an index
    built once, so adding N servers is O(N); removing, enabling or disabling N endpoints is one
    pass (:meth:`remove_endpoints`, :meth:`set_endpoints_enabled`). The entry-level methods
    (:meth:`entries`, :meth:`add_entry`, the endpoint methods) never build an object.

    The list remembers whether it changed since a cfg document was read other than by
    additions, so a save can append lines instead of re-matching every one. Servers it handed
    out may be edited in place (``server.enabled = False``): ``RenderServer`` reports every
    such edit (:func:`server_edited`), and the list then checks the servers the document holds
    before trusting that record or its duplicate index.
    """

    def __init__(self, servers: Iterable[RenderServer] = ()) -> None:
        # Each item is a built server, an entry tuple, or a raw item of the source (decoded by
        # _decode). Until the source is read, _items holds only the items appended to it.
        self._items: list[Any] = list(servers)
        self._source: Callable[[], list[Any]] | None = None
        self._decode: Callable[[Any], ServerEntry] = _no_raw
        self._origin: object | None = None
        self._base = 0  # items [0, _base) are the origin document's servers
        self._may_list: Callable[[str], bool] | None = None
        self._single: set[tuple[str, int]] | None = None
        self._ranges: dict[str, list[tuple[int, int]]] = {}
        self._quick_checks = 0
        # Built servers the origin document holds, with the entry it holds for each: an
        # in-place edit shows as a difference (checked only when the edit clock moved).
        self._kept: list[tuple[Any, ServerEntry]] = []
        self._clock = _EditClock.ticks
        # Entry-level edits of the origin document's servers, by their place among its server
        # lines: (the entry it holds, the new entry or None when removed). A save patches just
        # those lines (cfgedit._apply). _ordinals gives the place of items [0, _base)
        # once a removal shifted them (None: item i is server line i).
        self._edits: dict[int, tuple[ServerEntry, ServerEntry | None]] = {}
        self._ordinals: list[int] | None = None
        self._raw_left = False  # items in the source's raw form may remain (entry_list)

    @classmethod
    def lazy(cls, source: Callable[[], list[Any]], decode: Callable[[Any], ServerEntry],
             origin: object, may_list: Callable[[str], bool] | None = None) -> ServerList:
        """Entries read from a document when first needed, each decoded when looked at.

        Args:
            source: gives one item per server line; ``decode(item)`` gives its validated
                entry. Called at most once, when the list is first read (not for additions).
            decode: turns an item into its entry.
            origin: the document the items came from (see :meth:`added_since`).
            may_list: False only when no item can be on that (lower-case) host; lets a few
                additions skip reading the source and building the duplicate index.
        """
        out = cls()
        out._source, out._decode, out._origin = source, decode, origin
        out._may_list = may_list
        return out

    def _all(self) -> list[Any]:
        """Every item, the source read first if it was not yet."""
        if self._source is not None:
            raw = self._source()
            self._source = None
            self._items = [*raw, *self._items]
            self._base += len(raw)
            self._raw_left = bool(raw)
        return self._items

    def _entry_of(self, item: Any) -> ServerEntry:
        if type(item) is tuple:  # an entry set by an entry-level edit
            return item
        if isinstance(item, BuiltServer):
            return item.entry
        return self._decode(item)

    # --- the sequence ---------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._all())

    if TYPE_CHECKING:  # typing.overload without importing typing at run time
        @overload
        def __getitem__(self, index: int) -> RenderServer: ...
        @overload
        def __getitem__(self, index: slice) -> list[RenderServer]: ...

    def __getitem__(self, index: int | slice) -> RenderServer | list[RenderServer]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._all())))]
        item = self._all()[index]
        if isinstance(item, BuiltServer):
            return item  # type: ignore[return-value]
        server = _build(self._entry_of(item))
        self._items[index] = server
        if self._origin is not None:
            # Handed out, so it may be edited in place: the next save must see that.
            self._kept.append((server, server.entry))
        return server

    if TYPE_CHECKING:
        @overload
        def __setitem__(self, index: int, value: RenderServer) -> None: ...
        @overload
        def __setitem__(self, index: slice, value: Iterable[RenderServer]) -> None: ...

    def __setitem__(self, index: int | slice, value: Any) -> None:
        self._changed()
        if isinstance(index, slice):
            self._all()[index] = [_checked(v) for v in value]
        else:
            self._all()[index] = _checked(value)

    def __delitem__(self, index: int | slice) -> None:
        self._changed()
        del self._all()[index]

    def insert(self, index: int, value: RenderServer) -> None:
        """Insert ``value`` before ``index`` (no duplicate check; see :meth:`add`)."""
        if index >= len(self):
            self.append(value)
            return
        self._changed()
        self._all().insert(index, _checked(value))

    def append(self, value: RenderServer) -> None:
        """Add ``value`` at the end (no duplicate check; see :meth:`add`)."""
        server = _checked(value)
        self._append(server, server.entry)

    def _append(self, item: Any, entry: ServerEntry) -> None:
        self._items.append(item)
        if self._single is not None:
            self._index(entry)

    def __iter__(self) -> Iterator[RenderServer]:
        for index in range(len(self)):
            yield self[index]

    # The rest of what code written for a plain list uses (DRSettings.servers is typed so).
    def __add__(self, other: Iterable[RenderServer]) -> list[RenderServer]:
        return [*self, *other]

    def __radd__(self, other: Iterable[RenderServer]) -> list[RenderServer]:
        return [*other, *self]

    def copy(self) -> list[RenderServer]:
        """A plain list of the same servers."""
        return list(self)

    def sort(self, *, key: Callable[[RenderServer], Any] | None = None,
             reverse: bool = False) -> None:
        """Sort in place, like ``list.sort``."""
        self[:] = sorted(self, key=key, reverse=reverse)  # type: ignore[arg-type, type-var]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ServerList | list):
            return len(self) == len(other) and all(
                a == b for a, b in zip(self.entries(), _entries_of(other), strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))

    def __copy__(self) -> ServerList:
        out = ServerList()
        out._items, out._decode = list(self._all()), self._decode
        out._raw_left = self._raw_left
        return out

    def __deepcopy__(self, memo: dict[int, Any]) -> ServerList:
        import copy  # noqa: PLC0415 - only copies pay for it

        out = self.__copy__()
        out._items = [copy.deepcopy(i, memo) if isinstance(i, BuiltServer) else i
                      for i in out._items]
        return out

    # --- plain data -----------------------------------------------------------------------

    def entries(self) -> Iterator[ServerEntry]:
        """Every server as ``(host, port, port_end, enabled)``, without building objects."""
        entry_of = self._entry_of
        for item in self._all():
            yield entry_of(item)

    def entry_list(self) -> list[ServerEntry]:
        """Every server as ``(host, port, port_end, enabled)``, in a new list, in one pass.

        Items still in the source's raw form are kept decoded afterwards, so the next pass
        (the panel's next save compares the whole list) reads plain tuples.
        """
        items = self._all()
        entry_of = self._entry_of
        out = [item if type(item) is tuple else entry_of(item) for item in items]
        if self._raw_left:
            built = BuiltServer
            for i, item in enumerate(items):
                if type(item) is not tuple and not isinstance(item, built):
                    items[i] = out[i]  # the same entry, decoded once
            self._raw_left = False
        return out

    def insert_entry(self, index: int, entry: ServerEntry) -> None:
        """Insert a validated entry before ``index`` as plain data (no duplicate check).

        At the end it is an addition, which a save appends; elsewhere the list no longer
        knows how it differs from the file (a save compares the entries).
        """
        if index >= len(self):
            self._append(entry, entry)
            return
        self._changed()
        self._all().insert(index, entry)

    def replace_entry(self, index: int, entry: ServerEntry) -> None:
        """Put a validated entry in place of the one at ``index``, as plain data."""
        self._changed()
        self._all()[index] = entry

    def set_enabled_at(self, rows: Iterable[int], flags: Iterable[bool]) -> list[bool]:
        """Switch the entries at ``rows`` on or off (one flag per row); return the old flags.

        Entry-level, like :meth:`set_endpoints_enabled`: no object is built, and a server
        already handed out is switched in place (whoever holds it sees the change, and an
        edit through it later still counts). The edits of the origin document's servers are
        recorded, so a save rewrites just their lines.
        """
        self._sync()
        items = self._all()
        old: list[bool] = []
        for i, flag in zip(rows, flags, strict=True):
            item = items[i]
            entry = item if type(item) is tuple else self._entry_of(item)
            old.append(entry[3])
            if entry[3] != flag:
                self._switch(items, i, entry, flag)
        return old

    def entry(self, index: int) -> ServerEntry:
        """Server ``index`` as plain data, without building its object or handing it out.

        The panel paints its table from here: reading a row must not cost an object per row.
        """
        return self._entry_of(self._all()[index])

    def add_entry(self, host: str, port: int, port_end: int | None = None, *,
                  enabled: bool = True) -> bool:
        """Append an entry unless one already covers its host and first port; no object built.

        Raises:
            InputError: a bad host or port (see :func:`check_entry`).
        """
        entry = check_entry(host, port, port_end, enabled)
        if self.lists(entry[0], entry[1]):
            return False
        self._append(entry, entry)
        return True

    def find_indices(self, host: str, port: int | None = None) -> list[int]:
        """Where the entries on ``host`` are (those covering ``port``; all when None)."""
        return self._matches([(host, port)])[0]

    def remove_endpoints(self, endpoints: Iterable[Endpoint]) -> list[int]:
        """Remove every entry any of ``endpoints`` names, in one pass over the list.

        Args:
            endpoints: ``(host, port)``, or ``(host, None)`` for all of a host's entries; a
                port range's entry is named by any port it covers.

        Returns:
            How many entries each endpoint named, in order.

        Raises:
            InputError: a bad host (nothing is removed).
        """
        self._sync()
        hits, counts = self._matches(list(endpoints))
        if not hits:
            return counts
        gone = set(hits)
        items = self._all()
        if self._origin is not None:  # note which of the document's lines go
            for i in hits:
                if i < self._base:
                    self._edit(i, items[i], None)
            removed = {id(items[i]) for i in hits if isinstance(items[i], BuiltServer)}
            if removed:
                self._kept = [(s, e) for s, e in self._kept if id(s) not in removed]
            ordinals = self._ordinals or range(self._base)
            self._ordinals = [o for i, o in enumerate(ordinals) if i not in gone]
            self._base -= sum(1 for i in hits if i < self._base)
        self._items = [item for i, item in enumerate(items) if i not in gone]
        self._single, self._ranges = None, {}  # keys went
        return counts

    def set_endpoints_enabled(self, endpoints: Iterable[Endpoint], enabled: bool) -> list[int]:
        """Switch every entry any of ``endpoints`` names on or off, in one pass over the list.

        A server already handed out is switched in place (whoever holds it sees the change);
        other entries stay plain data.

        Returns:
            How many entries each endpoint named (switched or already so), in order.

        Raises:
            InputError: a bad host (nothing is switched).
        """
        self._sync()
        hits, counts = self._matches(list(endpoints))
        items = self._all()
        for i in hits:
            entry = self._entry_of(items[i])
            if entry[3] != enabled:
                self._switch(items, i, entry, enabled)
        return counts

    def _switch(self, items: list[Any], i: int, entry: ServerEntry, flag: bool) -> None:
        """Switch item ``i`` (whose entry is ``entry``) to ``flag``.

        A server already handed out is switched in place, so whoever holds it sees the change
        and can edit on; any other item becomes plain data, and an edit of the origin
        document's server is recorded (``entry``: decoded once, by the caller).
        """
        item = items[i]
        if isinstance(item, BuiltServer):
            item.enabled = flag  # type: ignore[attr-defined]
            return
        items[i] = switched = (entry[0], entry[1], entry[2], flag)
        if self._origin is not None and i < self._base:
            self._edit(i, entry, switched)

    def _edit(self, index: int, item: Any, new: ServerEntry | None) -> None:
        """Record that the origin document's server at ``index`` becomes ``new`` (None: goes).

        ``item`` is what the list holds there (or its entry, already decoded).
        """
        ordinal = index if self._ordinals is None else self._ordinals[index]
        held = self._edits.get(ordinal)
        original = held[0] if held else self._entry_of(item)
        if new == original:
            del self._edits[ordinal]  # back to what the file holds
        else:
            self._edits[ordinal] = (original, new)

    def _matches(self, endpoints: list[Endpoint]) -> tuple[list[int], list[int]]:
        """The indices of the entries any endpoint names, and how many each names; one pass."""
        wanted: dict[str, list[tuple[int, int | None]]] = {}
        for k, (host, port) in enumerate(endpoints):
            wanted.setdefault(validate_host(host).lower(), []).append((k, port))
        counts = [0] * len(endpoints)
        hits: list[int] = []
        for i, (host, first, last, _) in enumerate(self.entries()):
            asks = wanted.get(host.lower())
            if asks is None:
                continue
            named = False
            for k, port in asks:
                if port is None or first <= port <= (first if last is None else last):
                    counts[k] += 1
                    named = True
            if named:
                hits.append(i)
        return hits, counts

    # --- duplicates -----------------------------------------------------------------------

    def lists(self, host: str, port: int) -> bool:
        """True when an entry covers ``port`` on ``host`` (names compare case-insensitively)."""
        self._sync()
        host = host.lower()
        if self._single is None and self._quick(host):
            return any(h.lower() == host and first <= port <= (first if last is None else last)
                       for h, first, last, _ in map(self._entry_of, self._items[self._base:]))
        if self._single is None:
            self._single, self._ranges = set(), {}
            for entry in self.entries():
                self._index(entry)
        assert self._single is not None
        return (host, port) in self._single or (host in self._ranges and any(
            first <= port <= last for first, last in self._ranges[host]))

    def add(self, server: RenderServer) -> bool:
        """Append ``server`` unless an entry already covers its host and first port."""
        if self.lists(server.host, server.port):
            return False
        self.append(server)
        return True

    # --- what changed since the file was read ---------------------------------------------

    def added_since(self, origin: object) -> list[ServerEntry] | None:
        """The entries appended since ``origin`` was read, or None if anything else changed."""
        changes = self.changes_since(origin)
        return None if changes is None or changes[0] else changes[1]

    def changes_since(self, origin: object) -> tuple[dict[int, ServerEntry | None],
                                                     list[ServerEntry]] | None:
        """What changed since ``origin`` was read, as a patch, or None when it cannot say.

        Returns:
            The entry-level edits of ``origin``'s servers, by their place among its server
            lines (the new entry, or None for a removed one), and the entries appended since;
            None after any other change (the document then matches every line).
        """
        self._sync()
        if origin is None or origin is not self._origin:
            return None
        return ({ordinal: new for ordinal, (_, new) in self._edits.items()},
                [self._entry_of(item) for item in self._items[self._base:]])

    def rebase(self, origin: object, may_list: Callable[[str], bool] | None = None) -> None:
        """Record that ``origin`` (a saved document) now holds exactly these servers."""
        self._sync()
        if self._origin is not None:  # only additions since the last origin: note just those
            self._kept += [(i, i.entry) for i in self._items[self._base:]
                           if isinstance(i, BuiltServer)]
        else:
            self._kept = [(i, i.entry) for i in self._all() if isinstance(i, BuiltServer)]
        self._origin, self._base, self._may_list = origin, len(self._items), may_list
        self._quick_checks = 0
        self._edits, self._ordinals = {}, None

    def _sync(self) -> None:
        """Account for in-place edits of built servers since this list last looked."""
        if self._clock == _EditClock.ticks:
            return
        self._clock = _EditClock.ticks
        # Some server somewhere was edited: if it is one of ours, its key may have changed.
        self._single, self._ranges = None, {}
        if self._origin is not None and any(s.entry != e for s, e in self._kept):
            self._origin = None  # a server the document holds was edited in place

    def _quick(self, host: str) -> bool:
        # A handful of additions to an untouched list ask the document instead of indexing
        # every entry; many additions build the index once.
        if self._may_list is None or self._origin is None or self._quick_checks >= 16:
            return False
        self._quick_checks += 1
        return not self._may_list(host)

    def _index(self, entry: ServerEntry) -> None:
        assert self._single is not None
        host, port, port_end, _ = entry
        if port_end is None:
            self._single.add((host.lower(), port))
        else:
            self._ranges.setdefault(host.lower(), []).append((port, port_end))

    def _changed(self) -> None:
        # Entries replaced, inserted or removed: neither the origin document nor the duplicate
        # index can be trusted after this.
        self._origin = None
        self._single, self._ranges = None, {}
        self._edits, self._ordinals = {}, None

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any,
                                     handler: GetCoreSchemaHandler) -> CoreSchema:
        from pydantic_core import core_schema  # noqa: PLC0415 - only the models need it

        items = handler.generate_schema(list[_server_class()])  # type: ignore[misc]
        return core_schema.union_schema(
            [core_schema.is_instance_schema(cls),
             core_schema.no_info_after_validator_function(cls, items)],
            serialization=core_schema.plain_serializer_function_ser_schema(
                list, return_schema=items))


def _no_raw(item: Any) -> ServerEntry:
    raise TypeError(f"not a server: {item!r}")


def _checked(value: Any) -> RenderServer:
    if not isinstance(value, _server_class()):
        raise TypeError(f"servers are RenderServer objects, not {type(value).__name__}")
    return value


def _entries_of(servers: ServerList | list[RenderServer]) -> Iterator[ServerEntry]:
    if isinstance(servers, ServerList):
        return servers.entries()
    return (s.entry for s in servers)
