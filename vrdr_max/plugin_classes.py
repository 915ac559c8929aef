"""Third-party plugin classes that DR render servers must also have installed.

Two sources tell the adapter which plugins a scene uses. The first covers every plugin: 3ds Max
records the DLLs a scene uses in its file properties when it is saved ("Used Plug-Ins" in the
contents; read with ``fileProperties.getItems``, as AWS Deadline Cloud's 3ds Max submitter
does), matched against the farm manifest by DLL name. It says nothing for a scene never saved,
and only knows the plugins of the last save. The second is this table of known classes, looked
for with ``getClassInstances`` (plus any class the farm manifest names), which works on unsaved
scenes and names the objects.

Evidence per row: the class names are from production scripts (Forest Pack: public MAXScript
``classof o == Forest_Pro``; Phoenix FD: Deadline's ``SMTDWorkflow_PhoenixFD.ms``; Ornatrix:
its own MAXScript tests); tyFlow and RailClone class names and every DLL name are [unverified]
(vendors' product names). Correct them here when checked with the field check.
"""

from __future__ import annotations

from typing import NamedTuple


class PluginClass(NamedTuple):
    """A plugin class, the product it belongs to and the DLL that provides it."""

    class_name: str
    product: str
    dll: str


KNOWN_PLUGIN_CLASSES: tuple[PluginClass, ...] = (
    PluginClass("FireSmokeSim", "Phoenix FD", "phoenixfd.dlo"),
    PluginClass("LiquidSim", "Phoenix FD", "phoenixfd.dlo"),
    PluginClass("PHXSimulator", "Phoenix FD", "phoenixfd.dlo"),
    PluginClass("Forest_Pro", "Forest Pack", "ForestPackPro.dlo"),
    PluginClass("Forest_Lite", "Forest Pack", "ForestPackPro.dlo"),
    PluginClass("RailClone_Pro", "RailClone", "RailClonePro.dlo"),
    PluginClass("tyFlow", "tyFlow", "tyFlow.dlo"),
    PluginClass("Ox_Guides_from_Surface", "Ornatrix", "Ornatrix.dlo"),
    PluginClass("Ox_Hair_From_Guides", "Ornatrix", "Ornatrix.dlo"),
)
