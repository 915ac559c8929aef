"""The DR settings as data: render servers, dispatcher, asset transfer and the DR dialog options.

These are pydantic models: parse at the boundary (cfg files, CLI, widgets) and pass them inward.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, MutableSequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any, TypeAlias, cast, overload

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    field_validator,
    model_validator,
)
from pydantic_core import core_schema

from vrdr_max.addresses import format_endpoint, validate_host
from vrdr_max.ports import Engine, Mode, default_port

Port = Field(ge=1, le=65535)


class _Model(BaseModel):
    model_config = ConfigDict(validate_assignment=True, extra="forbid")


class RenderServer(_Model):
    """One line of V-Ray's render-server list."""

    host: str
    port: int = Port
    #: Last port of a range (``host 1 20204-20212``, as Deadline writes); None for one port.
    port_end: int | None = Field(default=None, ge=1, le=65535)
    enabled: bool = True

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        return validate_host(value)

    @model_validator(mode="after")
    def _range(self) -> RenderServer:
        if self.port_end is not None and self.port_end < self.port:
            raise ValueError(f"port range {self.port}-{self.port_end} ends before it starts")
        return self

    @property
    def ports(self) -> range:
        """Every port this entry stands for: one, or the whole range."""
        return range(self.port, (self.port_end or self.port) + 1)

    @property
    def key(self) -> tuple[str, int]:
        """Identity for duplicate detection: host names compare case-insensitively."""
        return self.host.lower(), self.port

    @property
    def entry(self) -> ServerEntry:
        """``(host, port, port_end, enabled)``: the entry as plain data."""
        return self.host, self.port, self.port_end, self.enabled

    @property
    def port_text(self) -> str:
        """The port as a cfg line spells it: ``20204`` or ``20204-20212``."""
        return str(self.port) if self.port_end is None else f"{self.port}-{self.port_end}"

    @property
    def endpoint(self) -> str:
        """``host:port`` (``host:first-last`` for a range), with IPv6 in brackets."""
        return format_endpoint(self.host, self.port) + (
            "" if self.port_end is None else f"-{self.port_end}")


ServerEntry: TypeAlias = tuple[str, int, int | None, bool]
"""A server as plain data: host (canonical), first port, last port of a range or None, enabled."""


def _make_server(entry: ServerEntry) -> RenderServer:
    # Entries come from a validated source (the cfg reader), so pydantic need not check again.
    host, port, port_end, enabled = entry
    return RenderServer.model_construct(host=host, port=port, port_end=port_end, enabled=enabled)


class ServerList(MutableSequence[RenderServer]):
    """The render-server list of :class:`DRSettings`: a list whose entries are built when asked for.

    A cfg file of 10,000 servers is read as plain entries; a :class:`RenderServer` is built only
    for an entry that is looked at. Adding checks duplicates with an index built once, so
    adding N servers is O(N). The list remembers whether it changed since a cfg document was
    read other than by additions, so a save can append lines instead of re-matching every one.
    """

    def __init__(self, servers: Iterable[RenderServer] = ()) -> None:
        # Until the source is read, _items holds only the servers appended to it.
        self._items: list[Any] = list(servers)
        self._source: Callable[[], list[Any]] | None = None
        self._decode: Callable[[Any], ServerEntry] = _no_raw
        self._origin: object | None = None
        self._base = 0  # items [0, _base) are the origin document's lines, untouched
        self._may_list: Callable[[str], bool] | None = None
        self._single: set[tuple[str, int]] | None = None
        self._ranges: dict[str, list[tuple[int, int]]] = {}
        self._quick_checks = 0
        self._kept: list[tuple[RenderServer, ServerEntry]] = []

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
        return self._items

    # --- the sequence ---------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._all())

    @overload
    def __getitem__(self, index: int) -> RenderServer: ...
    @overload
    def __getitem__(self, index: slice) -> list[RenderServer]: ...
    def __getitem__(self, index: int | slice) -> RenderServer | list[RenderServer]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._all())))]
        item = self._all()[index]
        if isinstance(item, RenderServer):
            return item
        server = _make_server(self._decode(item))
        self._items[index] = server
        self._changed()  # a handed-out server can be edited in place
        return server

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
        self._items.append(server)
        if self._single is not None:
            self._index(server.entry)

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
        return out

    def __deepcopy__(self, memo: dict[int, Any]) -> ServerList:
        out = self.__copy__()
        out._items = [copy.deepcopy(i, memo) if isinstance(i, RenderServer) else i
                      for i in out._items]
        return out

    # --- plain data and duplicates --------------------------------------------------------

    def entries(self) -> Iterator[ServerEntry]:
        """Every server as ``(host, port, port_end, enabled)``, without building objects."""
        decode = self._decode
        for item in self._all():
            yield item.entry if isinstance(item, RenderServer) else decode(item)

    def entry(self, index: int) -> ServerEntry:
        """Server ``index`` as plain data, without building its object or handing it out.

        The panel paints its table from here: reading a row must not cost an object per row.
        """
        item = self._all()[index]
        return item.entry if isinstance(item, RenderServer) else self._decode(item)

    def lists(self, host: str, port: int) -> bool:
        """True when an entry covers ``port`` on ``host`` (names compare case-insensitively)."""
        host = host.lower()
        if self._single is None and self._quick(host):
            return any(s.host.lower() == host and port in s.ports
                       for s in self._items[self._base:])
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

    def added_since(self, origin: object) -> list[RenderServer] | None:
        """The servers appended since ``origin`` was read, or None if anything else changed."""
        if origin is None or origin is not self._origin:
            return None
        if any(server.entry != entry for server, entry in self._kept):
            return None  # a server already saved was edited in place
        return self._items[self._base:]

    def rebase(self, origin: object, may_list: Callable[[str], bool] | None = None) -> None:
        """Record that ``origin`` (a saved document) now holds exactly these servers."""
        if self.added_since(self._origin) is not None:  # only additions: note just those
            self._kept += [(s, s.entry) for s in self._items[self._base:]]
        else:
            self._kept = [(i, i.entry) for i in self._all() if isinstance(i, RenderServer)]
        self._origin, self._base, self._may_list = origin, len(self._items), may_list
        self._quick_checks = 0

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
        # Edited, or a server handed out (it may be edited in place, even its host): neither
        # the origin document nor the duplicate index can be trusted after this.
        self._origin = None
        self._single, self._ranges = None, {}

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any,
                                     handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        items = handler.generate_schema(list[RenderServer])
        return core_schema.union_schema(
            [core_schema.is_instance_schema(cls),
             core_schema.no_info_after_validator_function(cls, items)],
            serialization=core_schema.plain_serializer_function_ser_schema(
                list, return_schema=items))


def _no_raw(item: Any) -> ServerEntry:
    raise TypeError(f"not a server: {item!r}")


def _checked(value: Any) -> RenderServer:
    if not isinstance(value, RenderServer):
        raise TypeError(f"servers are RenderServer objects, not {type(value).__name__}")
    return value


def _entries_of(servers: ServerList | list[RenderServer]) -> Iterator[ServerEntry]:
    if isinstance(servers, ServerList):
        return servers.entries()
    return (s.entry for s in servers)


class CacheLimitType(IntEnum):
    """When render servers delete cached assets (V-Ray's "Cache limit type")."""

    NONE = 0
    AGE_HOURS = 1
    SIZE_GB = 2


class AssetTransfer(_Model):
    """Asset transfer and cache options of the Render Servers dialog."""

    transfer_missing: bool = False
    use_cached: bool = False
    cache_limit_type: CacheLimitType = CacheLimitType.NONE
    cache_limit: float = Field(default=0.0, ge=0.0)

    @field_validator("cache_limit")
    @classmethod
    def _six_decimals(cls, value: float) -> float:
        # V-Ray writes the value with %f; keep the model to what the file can hold.
        return round(value, 6)


class Dispatcher(_Model):
    """The DR2 dispatcher: the machine that relays between this client and the servers."""

    host: str
    port: int = Port
    also_renders: bool = False

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        return validate_host(value)

    @property
    def endpoint(self) -> str:
        """``host:port``, with IPv6 in brackets."""
        return format_endpoint(self.host, self.port)


class DRSettings(_Model):
    """Everything V-Ray's DR dialogs hold, for one engine.

    The server list and dialog options live in ``vray_dr.cfg`` / ``vrayrt_dr.cfg``; ``enabled``
    and ``check_missing_files`` are renderer properties; the dispatcher is kept by vrdr itself.
    """

    engine: Engine = Engine.CPU
    mode: Mode = Mode.DR
    enabled: bool = False
    if TYPE_CHECKING:
        # What callers may assign and use: any list of servers (validation converts it).
        servers: list[RenderServer] = Field(default_factory=list)
    else:
        servers: ServerList = Field(default_factory=ServerList)
    use_local_host: bool = True
    restart_servers: bool = False
    save_servers_in_scene: bool = False
    max_servers: int = Field(default=0, ge=0)
    check_missing_files: bool = False
    assets: AssetTransfer = Field(default_factory=AssetTransfer)
    dispatcher: Dispatcher | None = None

    @property
    def default_port(self) -> int:
        """The server port for this engine and mode."""
        return default_port(self.engine, self.mode)

    @property
    def server_list(self) -> ServerList:
        """``servers`` as a :class:`ServerList`.

        Also after ``model_copy(update=...)`` (which does not validate) put a plain list there.
        """
        servers: Any = self.servers
        if not isinstance(servers, ServerList):
            servers = ServerList(servers)
            self.servers = servers
        return cast(ServerList, servers)

    @property
    def enabled_servers(self) -> list[RenderServer]:
        """The servers that take part in DR."""
        return [s for s in self.servers if s.enabled]

    def find(self, host: str, port: int | None = None) -> list[RenderServer]:
        """The servers on ``host`` (any port when ``port`` is None; a range covers its ports)."""
        host_key = validate_host(host).lower()
        hits = [i for i, (h, first, last, _) in enumerate(self.server_list.entries())
                if h.lower() == host_key and (port is None or first <= port <= (last or first))]
        return [self.servers[i] for i in hits]

    def add_server(self, host: str, port: int | None = None, *, enabled: bool = True) -> bool:
        """Add ``host:port`` unless that entry is listed already.

        Args:
            host: name or address.
            port: the port; the engine/mode default when None.
            enabled: whether the new entry takes part in DR.

        Returns:
            True when the server was added, False when ``host:port`` was already listed (also
            as part of a port range).
        """
        return self.server_list.add(RenderServer(
            host=host, port=self.default_port if port is None else port, enabled=enabled))

    def add_servers(self, servers: Iterable[RenderServer]) -> int:
        """Add each server not listed yet (e.g. ``numa_servers(...)``); return how many were new.

        Linear in the number of servers: duplicates are found through an index.
        """
        servers_list = self.server_list
        return sum(servers_list.add(s.model_copy()) for s in servers)

    def remove_server(self, host: str, port: int | None = None) -> int:
        """Remove the entries for ``host`` (one port, or all); return how many went."""
        gone = {id(s) for s in self.find(host, port)}
        if gone:
            self.servers = [s for s in self.servers if id(s) not in gone]
        return len(gone)

    def set_server_enabled(self, host: str, port: int | None, enabled: bool) -> int:
        """Switch the entries for ``host`` (one port, or all) on or off; return how many."""
        hits = self.find(host, port)
        for server in hits:
            server.enabled = enabled
        return len(hits)
