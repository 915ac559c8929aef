"""vrdr-max: V-Ray Distributed Rendering settings, scene checks and DR submission for 3ds Max.

The names below are the Python API for pipeline TDs; ``vrdr_max.api`` adds the scene-facing
functions (check, probe, submit). Nothing here imports pymxs or Qt.

The names load on first use (PEP 562): ``import vrdr_max`` alone imports no pydantic, so a 3ds
Max start-up script and ``vrdr --help`` stay cheap.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from vrdr_max.cfgfile import CfgDocument, CfgFile, load_cfg
    from vrdr_max.endpoints import (
        EndpointLine,
        LineVerdict,
        parse_endpoint_line,
        parse_endpoint_lines,
    )
    from vrdr_max.errors import CfgConflictError, HostError, InputError, VrdrError
    from vrdr_max.models import AssetTransfer, CacheLimitType, Dispatcher, DRSettings, RenderServer
    from vrdr_max.numa import NumaOptions
    from vrdr_max.ports import DEFAULT_PORTS, Engine, Mode, default_port
    from vrdr_max.spawner import SpawnerCommand, format_command, plan_processes
    from vrdr_max.spawner import server_entries as numa_servers

__version__ = "0.1.0"

_EXPORTS: dict[str, tuple[str, str]] = {
    **{name: ("vrdr_max.cfgfile", name) for name in ("CfgDocument", "CfgFile", "load_cfg")},
    **{name: ("vrdr_max.endpoints", name) for name in
       ("EndpointLine", "LineVerdict", "parse_endpoint_line", "parse_endpoint_lines")},
    **{name: ("vrdr_max.errors", name)
       for name in ("CfgConflictError", "HostError", "InputError", "VrdrError")},
    **{name: ("vrdr_max.models", name) for name in
       ("AssetTransfer", "CacheLimitType", "Dispatcher", "DRSettings", "RenderServer")},
    **{name: ("vrdr_max.ports", name)
       for name in ("DEFAULT_PORTS", "Engine", "Mode", "default_port")},
    "NumaOptions": ("vrdr_max.numa", "NumaOptions"),
    **{name: ("vrdr_max.spawner", name) for name in
       ("SpawnerCommand", "format_command", "plan_processes")},
    "numa_servers": ("vrdr_max.spawner", "server_entries"),
}

__all__ = [
    "DEFAULT_PORTS",
    "AssetTransfer",
    "CacheLimitType",
    "CfgConflictError",
    "CfgDocument",
    "CfgFile",
    "DRSettings",
    "Dispatcher",
    "EndpointLine",
    "Engine",
    "HostError",
    "InputError",
    "LineVerdict",
    "Mode",
    "NumaOptions",
    "RenderServer",
    "SpawnerCommand",
    "VrdrError",
    "__version__",
    "default_port",
    "format_command",
    "load_cfg",
    "numa_servers",
    "parse_endpoint_line",
    "parse_endpoint_lines",
    "plan_processes",
]


def __getattr__(name: str) -> object:
    """Import an exported name's module on first use and cache the name here."""
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        # AttributeError lets `from vrdr_max import api` fall back to importing the submodule.
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    from importlib import import_module  # noqa: PLC0415 - importlib costs every start 0.5 ms

    value = getattr(import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
