"""Which settings field each of V-Ray's cfg option keys feeds, per file, and its default.

The bridge between a cfg file's option lines and ``DRSettings``: reading settings from a file
(``CfgDocument.to_settings``), writing them into it (``CfgDocument.apply``), and the options a
save appends to a file that lacks them (``vrdr_max.cfgedit``). Reading a file's lines needs
none of it, so ``vrdr cfg show`` neither imports nor compiles this module (issue 18, item 5);
the keys and the values each accepts are ``cfgfile.OPTION_KEYS``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from vrdr_max.cfgread import DISPATCHER_KEY, GPU_FILE_KEYS, RESTART_KEYS, _flag
from vrdr_max.ports import Engine

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from typing import Any, TypeAlias

    from vrdr_max.cfgread import OptionValue
    from vrdr_max.models import DRSettings

if TYPE_CHECKING:
    _Put: TypeAlias = Callable[[dict[str, Any], OptionValue], None]
    """Stores a file value into a ``DRSettings.model_dump()`` dict."""


def _set_top(name: str, convert: Callable[[OptionValue], Any]) -> _Put:
    def put(data: dict[str, Any], value: OptionValue) -> None:
        data[name] = convert(value)
    return put


def _set_asset(name: str, convert: Callable[[OptionValue], Any]) -> _Put:
    def put(data: dict[str, Any], value: OptionValue) -> None:
        data["assets"][name] = convert(value)
    return put


def _dispatcher_value(settings: DRSettings) -> OptionValue | None:
    d = settings.dispatcher
    return None if d is None else f"{d.host} {d.port} {_flag(d.also_renders)}"


def _put_dispatcher(data: dict[str, Any], value: OptionValue) -> None:
    host, port, also = str(value).split()
    data["dispatcher"] = {"host": host, "port": int(port), "also_renders": also == "1"}


class OptionField:
    """One settings field a cfg option feeds: its keys, how to read and store it, its default.

    ``default`` is what ``get`` gives for default settings (tests hold the two equal): a file
    written without building settings gets it for a missing key.
    """

    __slots__ = ("default", "get", "keys", "name", "put")

    def __init__(self, name: str, keys: tuple[str, ...],
                 get: Callable[[DRSettings], OptionValue | None], put: _Put,
                 default: OptionValue | None) -> None:
        self.name, self.keys, self.get, self.put, self.default = name, keys, get, put, default


_COMMON_FIELDS = (
    OptionField("restart_servers", RESTART_KEYS, lambda s: _flag(s.restart_servers),
                _set_top("restart_servers", bool), 0),
    OptionField("save_servers_in_scene", ("list_in_scene",),
                lambda s: _flag(s.save_servers_in_scene),
                _set_top("save_servers_in_scene", bool), 0),
    OptionField("max_servers", ("max_servers",), lambda s: s.max_servers,
                _set_top("max_servers", int), 0),
)
_ASSET_FIELDS = (
    OptionField("transfer_missing", ("transfer_missing_assets",),
                lambda s: _flag(s.assets.transfer_missing),
                _set_asset("transfer_missing", bool), 0),
    OptionField("use_cached", ("use_cached_assets",), lambda s: _flag(s.assets.use_cached),
                _set_asset("use_cached", bool), 0),
    OptionField("cache_limit_type", ("cache_limit_type",),
                lambda s: int(s.assets.cache_limit_type), _set_asset("cache_limit_type", int), 0),
    OptionField("cache_limit", ("cache_limit",), lambda s: float(s.assets.cache_limit),
                _set_asset("cache_limit", float), 0.0),
)
_DISPATCHER_FIELD = OptionField("dispatcher", (DISPATCHER_KEY,), _dispatcher_value,
                                _put_dispatcher, None)

_V_RAY_FIELDS: dict[Engine, tuple[OptionField, ...]] = {
    # V-Ray's own order, used when options are appended to a file.
    Engine.CPU: (*_COMMON_FIELDS,
                 OptionField("use_local_host", ("use_local_machine",),
                             lambda s: _flag(s.use_local_host),
                             _set_top("use_local_host", bool), 1),
                 *_ASSET_FIELDS),
    Engine.GPU: (OptionField("use_local_host", ("autostart_local_slave",),
                             lambda s: _flag(s.use_local_host),
                             _set_top("use_local_host", bool), 1),
                 *_COMMON_FIELDS, *_ASSET_FIELDS),
}
"""Which settings field each of V-Ray's option keys feeds, per file."""

APPENDED: dict[Engine, frozenset[str]] = {
    Engine.CPU: frozenset(f.name for f in _V_RAY_FIELDS[Engine.CPU]) | {"dispatcher"},
    # vrayrt_dr.cfg holds servers and GPU_FILE_KEYS; other keys are only kept up to date when
    # the file already has them (vray-dr.md §4). With the dispatcher line switched on, it is
    # added for GPU DR2 as for CPU (the guide: "the process is similar").
    Engine.GPU: frozenset(f.name for f in _V_RAY_FIELDS[Engine.GPU]
                          if set(f.keys) <= GPU_FILE_KEYS) | {"dispatcher"},
}
"""Fields written to a file that lacks their key."""


def option_fields(engine: Engine, dispatcher_in_cfg: bool) -> tuple[OptionField, ...]:
    """The fields of ``engine``'s file, in V-Ray's order; the dispatcher's last when on."""
    own = _V_RAY_FIELDS[engine]
    return (*own, _DISPATCHER_FIELD) if dispatcher_in_cfg else own


@functools.cache
def default_values(engine: Engine, dispatcher_in_cfg: bool) -> tuple[OptionValue | None, ...]:
    """What default settings put into a file's options (see ``CfgDocument.option_values``)."""
    return tuple(field.default for field in option_fields(engine, dispatcher_in_cfg))
