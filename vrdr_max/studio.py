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
from collections.abc import Mapping
from enum import Enum
from pathlib import Path, PureWindowsPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vrdr_max.addresses import split_endpoint, validate_host
from vrdr_max.errors import InputError
from vrdr_max.jsonfiles import load_json_model
from vrdr_max.models import Dispatcher, RenderServer
from vrdr_max.ports import Engine, Mode, default_port
from vrdr_max.probe import MAX_TIMEOUT
from vrdr_max.spawner import NumaOptions, server_entries

STUDIO_ENV = "VRDR_STUDIO_CONFIG"
USER_ENV = "VRDR_USER_CONFIG"
CONFIG_VERSION = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
        port = default_port(self.engine, self.mode)
        out = []
        for text in self.servers:
            host, given = split_endpoint(text)
            out.append(RenderServer(host=host, port=given or port))
        for machine in self.numa:
            out.extend(server_entries(machine.host, machine.options, enabled=machine.enabled))
        return out


class Defaults(_Strict):
    """Defaults for submissions and checks; every field may be left out of a file."""

    pool: str | None = None
    shared_drives: list[str] | None = None
    manifest: str | None = None
    probe_timeout: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT)
    only_online: bool | None = None
    restore: bool | None = None
    #: Write the DR2 dispatcher into V-Ray's cfg too (cfgfile.DISPATCHER_KEY, [unverified]).
    dispatcher_in_vray_cfg: bool | None = None


BUILTIN_DEFAULTS: dict[str, Any] = {
    "pool": None, "shared_drives": [], "manifest": None, "probe_timeout": 1.0,
    "only_online": False, "restore": True, "dispatcher_in_vray_cfg": False,
}


class ConfigFile(_Strict):
    """One studio or user configuration file."""

    version: int = CONFIG_VERSION
    pools: dict[str, Pool] = Field(default_factory=dict)
    defaults: Defaults = Field(default_factory=Defaults)


class Source(str, Enum):
    """Where an effective value came from."""

    CLI = "cli"
    USER = "user"
    STUDIO = "studio"
    BUILTIN = "builtin"


class Effective(BaseModel):
    """The merged configuration, with where each pool and default came from."""

    pools: dict[str, Pool]
    pool_sources: dict[str, Source]
    defaults: dict[str, Any]
    default_sources: dict[str, Source]
    files: dict[Source, Path]

    def pool(self, name: str) -> Pool:
        """The pool called ``name``.

        Raises:
            InputError: naming the pools that exist.
        """
        if name not in self.pools:
            known = ", ".join(sorted(self.pools)) or "none defined"
            raise InputError(f"no pool named {name!r} (pools: {known})")
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
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    return Path(base) / "vrdr" / "config.json"


def load_config_file(path: Path) -> ConfigFile:
    """Read one configuration file.

    Raises:
        InputError: unreadable, not JSON, an unknown version, or a bad field (named).
    """
    config = load_json_model(ConfigFile, path)
    if config.version != CONFIG_VERSION:
        raise InputError(f"{path}: version {config.version} is not supported "
                         f"(this vrdr reads version {CONFIG_VERSION})")
    return config


def resolve(cli: Mapping[str, Any] | None = None, *, user: ConfigFile | None = None,
            studio: ConfigFile | None = None, files: Mapping[Source, Path] | None = None
            ) -> Effective:
    """Merge the layers: CLI flags > user file > studio file > built-in defaults.

    Args:
        cli: defaults given on the command line (``None`` values mean "not given").
        user: the user's file, if any.
        studio: the studio file, if any.
        files: where the files were read from, for reports.
    """
    pools: dict[str, Pool] = {}
    pool_sources: dict[str, Source] = {}
    for source, layer in ((Source.STUDIO, studio), (Source.USER, user)):
        for name, pool in (layer.pools if layer else {}).items():
            pools[name], pool_sources[name] = pool, source
    defaults = dict(BUILTIN_DEFAULTS)
    sources = dict.fromkeys(BUILTIN_DEFAULTS, Source.BUILTIN)
    layers: list[tuple[Source, Mapping[str, Any]]] = [
        (Source.STUDIO, studio.defaults.model_dump(exclude_none=True) if studio else {}),
        (Source.USER, user.defaults.model_dump(exclude_none=True) if user else {}),
        (Source.CLI, {k: v for k, v in (cli or {}).items() if v is not None}),
    ]
    for source, values in layers:
        for key, value in values.items():
            if key not in defaults:
                raise InputError(f"unknown default {key!r}")
            defaults[key], sources[key] = value, source
    return Effective(pools=pools, pool_sources=pool_sources, defaults=defaults,
                     default_sources=sources, files=dict(files or {}))


def load_effective(cli: Mapping[str, Any] | None = None,
                   env: Mapping[str, str] | None = None) -> Effective:
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
    return resolve(cli, user=user, studio=studio, files=files)
