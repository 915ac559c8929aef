"""The DR settings as data: render servers, dispatcher, asset transfer and the DR dialog options.

These are pydantic models: parse at the boundary (cfg files, CLI, widgets) and pass them inward.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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
    def endpoint(self) -> str:
        """``host:port``, with IPv6 in brackets."""
        return format_endpoint(self.host, self.port)


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
    servers: list[RenderServer] = Field(default_factory=list)
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
    def enabled_servers(self) -> list[RenderServer]:
        """The servers that take part in DR."""
        return [s for s in self.servers if s.enabled]

    def find(self, host: str, port: int | None = None) -> list[RenderServer]:
        """The servers on ``host`` (any port when ``port`` is None)."""
        host_key = validate_host(host).lower()
        return [s for s in self.servers
                if s.host.lower() == host_key and (port is None or s.port == port)]

    def add_server(self, host: str, port: int | None = None, *, enabled: bool = True) -> bool:
        """Add ``host:port`` unless that entry is listed already.

        Args:
            host: name or address.
            port: the port; the engine/mode default when None.
            enabled: whether the new entry takes part in DR.

        Returns:
            True when the server was added, False when ``host:port`` was already listed.
        """
        server = RenderServer(host=host, port=self.default_port if port is None else port,
                              enabled=enabled)
        if any(s.key == server.key for s in self.servers):
            return False
        self.servers = [*self.servers, server]
        return True

    def add_servers(self, servers: Iterable[RenderServer]) -> int:
        """Add each server not listed yet (e.g. ``numa_servers(...)``); return how many were new."""
        return sum(self.add_server(s.host, s.port, enabled=s.enabled) for s in servers)

    def remove_server(self, host: str, port: int | None = None) -> int:
        """Remove the entries for ``host`` (one port, or all); return how many went."""
        gone = {id(s) for s in self.find(host, port)}
        self.servers = [s for s in self.servers if id(s) not in gone]
        return len(gone)

    def set_server_enabled(self, host: str, port: int | None, enabled: bool) -> int:
        """Switch the entries for ``host`` (one port, or all) on or off; return how many."""
        hits = self.find(host, port)
        for server in hits:
            server.enabled = enabled
        return len(hits)
