"""vrdr-max: V-Ray Distributed Rendering settings, scene checks and DR submission for 3ds Max.

The names below are the Python API for pipeline TDs; ``vrdr_max.api`` adds the scene-facing
functions (check, probe, submit). Nothing here imports pymxs or Qt.
"""

from vrdr_max.cfgfile import CfgDocument, CfgFile, load_cfg
from vrdr_max.errors import CfgConflictError, HostError, InputError, VrdrError
from vrdr_max.models import AssetTransfer, CacheLimitType, Dispatcher, DRSettings, RenderServer
from vrdr_max.ports import DEFAULT_PORTS, Engine, Mode, default_port
from vrdr_max.spawner import NumaOptions, SpawnerCommand, format_command, plan_processes
from vrdr_max.spawner import server_entries as numa_servers

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_PORTS",
    "AssetTransfer",
    "CacheLimitType",
    "CfgConflictError",
    "CfgDocument",
    "CfgFile",
    "DRSettings",
    "Dispatcher",
    "Engine",
    "HostError",
    "InputError",
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
    "plan_processes",
]
