"""Studio and per-user configuration: named server pools and defaults, with clear precedence.

Two JSON files with the same schema (``docs/studio-config.md``):

* the studio file, shared by every workstation, found through ``VRDR_STUDIO_CONFIG``;
* the user's file, ``VRDR_USER_CONFIG`` or the platform's per-user config folder.

Precedence, highest first: a command-line flag, the user file, the studio file, the built-in
defaults. A pool defined in both files is taken whole from the user file; defaults merge
field by field, so a user can change one default and inherit the rest.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from enum import Enum
from pathlib import Path, PureWindowsPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

from vrdr_max.addresses import validate_host
from vrdr_max.assetpaths import normalise_drives
from vrdr_max.errors import InputError, quote
from vrdr_max.hostport import split_endpoint
from vrdr_max.models import Dispatcher, RenderServer
from vrdr_max.numa import NumaOptions
from vrdr_max.plugcfg import expand_home
from vrdr_max.ports import Engine, Mode, default_port
from vrdr_max.timeouts import MAX_TIMEOUT

STUDIO_ENV = "VRDR_STUDIO_CONFIG"
USER_ENV = "VRDR_USER_CONFIG"
CONFIG_VERSION = 1

MAX_PROBE_INTERVAL = 24 * 3600.0
"""The longest ``probe_interval`` (a day); 0 switches the panel's repeated probe off."""


class _Strict(BaseModel):
    # Validators are built on first use: a command reads these files once, and most
    # commands meet no file at all (issue 18, item 7: `vrdr check` pays them at start).
    # No NaN or infinity: a NaN timeout would read "should be less than or equal to 120".
    model_config = ConfigDict(extra="forbid", defer_build=True, allow_inf_nan=False)


class NumaHost(_Strict):
    """A NUMA machine running one spawner per node group (expanded with the spawner's rules)."""

    host: str
    options: NumaOptions = Field(default_factory=NumaOptions)
    enabled: bool = True

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        return validate_host(value)


class Pool(_Strict):
    """A named set of render servers, e.g. "night-farm" or "gpu-room"."""

    description: str = ""
    engine: Engine = Engine.CPU
    mode: Mode = Mode.DR
    servers: list[str] = Field(default_factory=list)
    numa: list[NumaHost] = Field(default_factory=list)
    dispatcher: Dispatcher | None = None

    @field_validator("servers")
    @classmethod
    def _endpoints(cls, value: list[str]) -> list[str]:
        for text in value:
            split_endpoint(text)
        return value

    def entries(self) -> list[RenderServer]:
        """The pool's cfg entries: listed servers, then NUMA machines expanded per port."""
        from vrdr_max.spawner import server_entries  # noqa: PLC0415

        port = default_port(self.engine, self.mode)
        out = []
        for text in self.servers:
            host, given = split_endpoint(text)
            out.append(RenderServer(host=host, port=given or port))
        for machine in self.numa:
            out.extend(server_entries(machine.host, machine.options, enabled=machine.enabled))
        return out


class Defaults(_Strict):
    """One layer of defaults (a file, or the command line); None means "not set here"."""

    pool: str | None = None
    shared_drives: list[str] | None = None
    manifest: str | None = None
    probe_timeout: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT)
    probe_interval: float | None = Field(default=None, ge=0, le=MAX_PROBE_INTERVAL)
    only_online: bool | None = None
    restore: bool | None = None
    dispatcher_in_vray_cfg: bool | None = None

    @field_validator("shared_drives")
    @classmethod
    def _drives(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            normalise_drives(value)  # a bad letter is an error naming this field
        return value


class StudioDefaults(_Strict):
    """The resolved defaults for submissions and checks: every field has its value.

    The field defaults are the built-in defaults; ``resolve`` fills in what the layers set.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    pool: str | None = None
    shared_drives: frozenset[str] = frozenset()
    """Drive letters every render server has mapped, normalised (``{"P:"}``)."""
    manifest: str | None = None
    probe_timeout: float = Field(default=1.0, gt=0, le=MAX_TIMEOUT)
    probe_interval: float = Field(default=0.0, ge=0, le=MAX_PROBE_INTERVAL)
    """Seconds between the panel's probes while it is visible; 0 (the default): it probes when
    it opens and on F5 only."""
    only_online: bool = False
    restore: bool = True
    dispatcher_in_vray_cfg: bool = False
    """Write the DR2 dispatcher into V-Ray's cfg too (cfgfile.DISPATCHER_KEY, [unverified]);
    off, only vrdr's sidecar and the scene hold it."""

    @field_validator("shared_drives", mode="before")
    @classmethod
    def _normalise(cls, value: Iterable[str]) -> frozenset[str]:
        return normalise_drives(value)

    @field_serializer("shared_drives")
    def _sorted(self, value: frozenset[str]) -> list[str]:
        return sorted(value)


MAX_FARM_WAIT_S = 3600.0
"""Longest poll deadline accepted for a reservation: machines a farm has not handed out in
an hour are not coming for this render."""


class FarmLayer(_Strict):
    """One layer of farm settings (a file's ``farm``, or the command line); None: not set here.

    Credentials are not settings: the user comes from ``--user``, the password from
    ``VRDR_DEADLINE_PASSWORD`` or a prompt (docs/farm.md).
    """

    deadline_url: str | None = None
    pool: str | None = None
    group: str | None = None
    priority: int | None = Field(default=None, ge=0, le=100)
    wait: float | None = Field(default=None, gt=0, le=MAX_FARM_WAIT_S)
    poll_interval: float | None = Field(default=None, gt=0, le=60)
    http_timeout: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT)
    spawner_port: int | None = Field(default=None, ge=1, le=65535)
    max_version: int | None = Field(default=None, ge=2009, le=2099)
    ca_file: str | None = None
    licence_servers: list[str] | None = None

    @field_validator("deadline_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        from vrdr_max.farm.urls import parse_service_url  # noqa: PLC0415 - only a file's URL

        return None if value is None else parse_service_url(value).text

    @field_validator("licence_servers")
    @classmethod
    def _licence(cls, value: list[str] | None) -> list[str] | None:
        for text in value or ():
            split_endpoint(text)
        return value


class FarmSettings(_Strict):
    """The resolved farm settings: the field defaults are the built-in ones."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    deadline_url: str | None = None
    """The Deadline Web Service, e.g. ``http://deadline01:8082`` (no port is assumed)."""
    pool: str | None = None
    """The Deadline pool the spawner job goes to (None: Deadline's "none" pool)."""
    group: str | None = None
    priority: int = Field(default=50, ge=0, le=100)
    wait: float = Field(default=60.0, gt=0, le=MAX_FARM_WAIT_S)
    """Poll deadline in seconds: how long a reservation waits for machines to answer."""
    poll_interval: float = Field(default=2.0, gt=0, le=60)
    http_timeout: float = Field(default=10.0, gt=0, le=MAX_TIMEOUT)
    spawner_port: int | None = Field(default=None, ge=1, le=65535)
    """The port the spawners listen on; None: the engine's default DR port."""
    max_version: int | None = Field(default=None, ge=2009, le=2099)
    """The 3ds Max year the farm's spawners run, when the command does not say."""
    ca_file: str | None = None
    """A CA certificate file for a Web Service whose TLS certificate is the studio's own."""
    licence_servers: tuple[str, ...] = ()
    """Chaos License Servers (``HOST[:PORT]``, port 30304 by default) the preflight probes."""


class ConfigFile(_Strict):
    """One studio or user configuration file."""

    version: int = CONFIG_VERSION
    pools: dict[str, Pool] = Field(default_factory=dict)
    defaults: Defaults = Field(default_factory=Defaults)
    farm: FarmLayer = Field(default_factory=FarmLayer)


class Source(str, Enum):
    """Where an effective value came from."""

    CLI = "cli"
    USER = "user"
    STUDIO = "studio"
    BUILTIN = "builtin"


class Effective(BaseModel):
    """The merged configuration, with where each pool and default came from.

    ``resolve`` builds it from layers already validated, without validating them again.
    """

    model_config = ConfigDict(defer_build=True)

    pools: dict[str, Pool]
    pool_sources: dict[str, Source]
    defaults: StudioDefaults
    default_sources: dict[str, Source]
    """Field name of ``defaults`` -> the layer its value came from."""
    files: dict[Source, Path]
    farm: FarmSettings = Field(default_factory=FarmSettings)
    farm_sources: dict[str, Source] = Field(default_factory=dict)
    """Field name of ``farm`` -> the layer its value came from."""

    def pool(self, name: str) -> Pool:
        """The pool called ``name``.

        Raises:
            InputError: naming the pools that exist.
        """
        if name not in self.pools:
            known = ", ".join(sorted(self.pools)) or "none defined"
            raise InputError(f"no pool named {quote(name)} (pools: {known})")
        return self.pools[name]


def user_config_path(env: Mapping[str, str], platform: str = sys.platform) -> Path:
    r"""The per-user config file.

    ``VRDR_USER_CONFIG``, else ``%APPDATA%\vrdr\config.json`` on Windows, else
    ``$XDG_CONFIG_HOME/vrdr/config.json`` (``~/.config`` by default).
    """
    if env.get(USER_ENV):
        return Path(env[USER_ENV])
    if platform == "win32" and env.get("APPDATA"):
        return Path(PureWindowsPath(env["APPDATA"], "vrdr", "config.json"))
    base = env.get("XDG_CONFIG_HOME") or str(expand_home(Path(env.get("HOME", "~"))) / ".config")
    return Path(base) / "vrdr" / "config.json"


def load_config_file(path: Path) -> ConfigFile:
    """Read one configuration file.

    Raises:
        InputError: unreadable, not JSON, an unknown version, or a bad field (named).
    """
    from vrdr_max.jsonfiles import load_json_model  # noqa: PLC0415 - only when a file exists

    config = load_json_model(ConfigFile, path)
    if config.version != CONFIG_VERSION:
        raise InputError(f"{path}: version {config.version} is not supported "
                         f"(this vrdr reads version {CONFIG_VERSION})")
    return config


def resolve(cli: Defaults | None = None, *, user: ConfigFile | None = None,
            studio: ConfigFile | None = None, files: Mapping[Source, Path] | None = None,
            farm_cli: FarmLayer | None = None) -> Effective:
    """Merge the layers: CLI flags > user file > studio file > built-in defaults.

    Args:
        cli: defaults given on the command line (``None`` fields mean "not given").
        user: the user's file, if any.
        studio: the studio file, if any.
        files: where the files were read from, for reports.
        farm_cli: farm settings given on the command line (or its environment variables).
    """
    pools: dict[str, Pool] = {}
    pool_sources: dict[str, Source] = {}
    for source, layer in ((Source.STUDIO, studio), (Source.USER, user)):
        for name, pool in (layer.pools if layer else {}).items():
            pools[name], pool_sources[name] = pool, source
    values: dict[str, Any] = {}
    sources = dict.fromkeys(StudioDefaults.model_fields, Source.BUILTIN)
    layers: tuple[tuple[Source, Defaults | None], ...] = (
        (Source.STUDIO, studio.defaults if studio else None),
        (Source.USER, user.defaults if user else None), (Source.CLI, cli))
    for source, given in layers:
        for key, value in (given.model_dump(exclude_none=True) if given else {}).items():
            values[key], sources[key] = value, source
    farm, farm_sources = _merge(FarmSettings, (
        (Source.STUDIO, studio.farm if studio else None),
        (Source.USER, user.farm if user else None), (Source.CLI, farm_cli)))
    # Every part is validated already (the layers, the two resolved models): no second pass.
    # Where no layer sets a value, the built-in defaults are what validating nothing gives
    # (defaults are not validated), without building the validator (`vrdr check`, issue 18.7).
    return Effective.model_construct(
        pools=pools, pool_sources=pool_sources,
        defaults=(StudioDefaults.model_validate(values) if values
                  else StudioDefaults.model_construct()),
        default_sources=sources, files=dict(files or {}),
        farm=FarmSettings.model_validate(farm) if farm else FarmSettings.model_construct(),
        farm_sources=farm_sources)


def _merge(resolved: type[BaseModel], layers: Iterable[tuple[Source, BaseModel | None]]
           ) -> tuple[dict[str, Any], dict[str, Source]]:
    """Field-by-field merge of layers, later ones winning; where each value came from."""
    values: dict[str, Any] = {}
    sources = dict.fromkeys(resolved.model_fields, Source.BUILTIN)
    for source, given in layers:
        for key, value in (given.model_dump(exclude_none=True) if given else {}).items():
            values[key], sources[key] = value, source
    return values, sources


def load_effective(cli: Defaults | None = None,
                   env: Mapping[str, str] | None = None, *,
                   farm_cli: FarmLayer | None = None) -> Effective:
    """Read the studio file (``VRDR_STUDIO_CONFIG``) and the user file, then ``resolve``.

    A user file that does not exist is fine; a studio file named by the variable must exist.
    """
    environ = os.environ if env is None else env
    files: dict[Source, Path] = {}
    studio = None
    if environ.get(STUDIO_ENV):
        files[Source.STUDIO] = Path(environ[STUDIO_ENV])
        studio = load_config_file(files[Source.STUDIO])
    user = None
    user_path = user_config_path(environ)
    if user_path.is_file():
        files[Source.USER] = user_path
        user = load_config_file(user_path)
    return resolve(cli, user=user, studio=studio, files=files, farm_cli=farm_cli)
