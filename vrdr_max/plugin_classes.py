"""Third-party plugin classes that DR render servers must also have installed.

MAXScript cannot ask which DLL provides a class, so the adapter looks for these known classes
(plus any the farm manifest names) with ``getClassInstances``. The class and DLL names are
[unverified]: taken from the vendors' product names; correct them here when checked in 3ds Max.
"""

from __future__ import annotations

from typing import NamedTuple


class PluginClass(NamedTuple):
    """A plugin class, the product it belongs to and the DLL that provides it."""

    class_name: str
    product: str
    dll: str


KNOWN_PLUGIN_CLASSES: tuple[PluginClass, ...] = (
    PluginClass("PhoenixFDFire", "Phoenix FD", "phoenixfd.dlo"),
    PluginClass("PhoenixFDLiquid", "Phoenix FD", "phoenixfd.dlo"),
    PluginClass("PhoenixFDOcean", "Phoenix FD", "phoenixfd.dlo"),
    PluginClass("ForestPro", "Forest Pack", "ForestPackPro.dlo"),
    PluginClass("RailClone_Pro", "RailClone", "RailClonePro.dlo"),
    PluginClass("tyFlow", "tyFlow", "tyFlow.dlo"),
    PluginClass("Ornatrix_Hair", "Ornatrix", "Ornatrix.dlo"),
)
