"""The studio's render-server manifest: which plugins every DR server has installed.

An optional JSON file (format in docs/checks.md)::

    {"version": 1,
     "plugins": [{"product": "Phoenix FD", "dlls": ["phoenixfd.dlo"], "classes": []}],
     "vray_version": "6.20.01", "max_years": [2025, 2026]}

A plugin class the scene uses is covered when its class name or its DLL is listed; a DLL the
saved scene records ("Used Plug-Ins") when its name is listed.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from vrdr_max.jsonfiles import load_json_model


class ManifestPlugin(BaseModel):
    """One plugin product installed on every render server."""

    model_config = ConfigDict(extra="forbid")

    product: str
    dlls: list[str] = Field(default_factory=list)
    classes: list[str] = Field(default_factory=list)


class FarmManifest(BaseModel):
    """What the render servers have installed."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    plugins: list[ManifestPlugin] = Field(default_factory=list)
    vray_version: str | None = None
    """The V-Ray build the servers run (``vrayVersion()``'s first item, e.g. "6.20.01");
    the ``farm-vray-version`` check compares its major.minor with the workstation's."""
    max_years: list[int] = Field(default_factory=list)
    """The 3ds Max years the servers run; the ``farm-max-version`` check compares the scene's."""

    def covers(self, class_name: str, dll: str) -> bool:
        """True when the servers have the plugin providing ``class_name`` (from ``dll``)."""
        cls_key = class_name.lower()
        return self.covers_dll(dll) or any(
            cls_key in (c.lower() for c in p.classes) for p in self.plugins)

    def covers_dll(self, dll: str) -> bool:
        """True when the servers have ``dll`` (names compare case-insensitively)."""
        key = dll.lower()
        return any(key in (d.lower() for d in p.dlls) for p in self.plugins)


def load_manifest(path: Path) -> FarmManifest:
    """Read a manifest file.

    Raises:
        InputError: when the file is missing, not JSON, or not a manifest (naming the field).
    """
    return load_json_model(FarmManifest, path, "manifest")
