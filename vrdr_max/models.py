"""The DR settings as data: render servers, dispatcher, asset transfer and the DR dialog options.

These are pydantic models: parse at the boundary (cfg files, CLI, widgets) and pass them inward.
Importing this module defines them and loads pydantic (each builds its validator when first
used); code that only reads and writes cfg lines uses :mod:`vrdr_max.server_list` and never
imports it (``vrdr cfg show``, ``vrdr servers add`` stay fast from a cold start).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from vrdr_max.addresses import format_endpoint, validate_host
from vrdr_max.errors import InputError
from vrdr_max.hostport import split_endpoint
from vrdr_max.ports import Engine, Mode, default_port
from vrdr_max.server_list import (
    BuiltServer,
    Endpoint,
    ServerEntry,
    ServerList,
    server_edited,
)

__all__ = ["AssetTransfer", "CacheLimitType", "DRSettings", "Dispatcher", "Endpoint",
           "RenderServer", "ServerEntry", "ServerList"]

Port = Field(ge=1, le=65535)


class _Model(BaseModel):
    # Validators are built on first use: `vrdr check` without a cfg validates none of these
    # (issue 18, item 7), and most commands use one or two.
    model_config = ConfigDict(validate_assignment=True, extra="forbid", defer_build=True)


class RenderServer(_Model, BuiltServer):
    """One line of V-Ray's render-server list.

    Fields may be assigned (validated); a :class:`ServerList` holding the server hears of it.
    """

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

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        # An in-place edit: lists re-check their duplicate index and what the file holds.
        server_edited()

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
        return format_endpoint(self.host, self.port, self.port_end)


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
        servers = self.server_list
        return [servers[i] for i in servers.find_indices(host, port)]

    def add_server(self, host: str, port: int | None = None, *, enabled: bool = True) -> bool:
        """Add ``host:port`` unless that entry is listed already.

        Args:
            host: name or address, or ``HOST:PORT`` / ``[IPV6]:PORT`` (see
                :func:`vrdr_max.endpoints.parse_endpoint_line` for pasted text).
            port: the port; the one in ``host``, else the engine/mode default, when None.
            enabled: whether the new entry takes part in DR.

        Returns:
            True when the server was added, False when ``host:port`` was already listed (also
            as part of a port range).

        Raises:
            InputError: a bad host or port, or ``host`` names a port other than ``port``.
        """
        name, given = split_endpoint(host) if ":" in host or "[" in host else (host, None)
        if given is not None and port is not None and given != port:
            raise InputError(f"{host} names port {given}, but port {port} was given")
        port = given if port is None else port
        return self.server_list.add(RenderServer(
            host=name, port=self.default_port if port is None else port, enabled=enabled))

    def add_servers(self, servers: Iterable[RenderServer]) -> int:
        """Add each server not listed yet (e.g. ``numa_servers(...)``); return how many were new.

        Linear in the number of servers: duplicates are found through an index.
        """
        servers_list = self.server_list
        return sum(servers_list.add(s.model_copy()) for s in servers)

    def remove_server(self, host: str, port: int | None = None) -> int:
        """Remove the entries for ``host`` (one port, or all); return how many went."""
        return self.server_list.remove_endpoints([(host, port)])[0]

    def remove_servers(self, endpoints: Iterable[Endpoint]) -> list[int]:
        """Remove the entries of many ``(host, port or None)`` in one pass over the list.

        Returns:
            How many entries went for each endpoint, in order.
        """
        return self.server_list.remove_endpoints(endpoints)

    def set_server_enabled(self, host: str, port: int | None, enabled: bool) -> int:
        """Switch the entries for ``host`` (one port, or all) on or off; return how many."""
        return self.server_list.set_endpoints_enabled([(host, port)], enabled)[0]

    def set_servers_enabled(self, endpoints: Iterable[Endpoint], enabled: bool) -> list[int]:
        """Switch the entries of many ``(host, port or None)`` on or off in one pass.

        Returns:
            How many entries each endpoint named, in order.
        """
        return self.server_list.set_endpoints_enabled(endpoints, enabled)
