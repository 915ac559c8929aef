"""Which renderer a class name is, and which renderer property holds each DR setting.

Class names change with every V-Ray release (``V_Ray_6__update_2_1``, ``V_Ray_GPU_7_Hotfix_2``):
match by prefix, never by full name (vray-dr.md §5.1). The property table is the one place that
names V-Ray's MAXScript properties; ``max_host.py`` reads and writes only what is listed here.
"""

from __future__ import annotations

from enum import Enum

from vrdr_max.facts import RendererFamily, RendererInfo
from vrdr_max.ports import Engine, Mode

# Longest prefixes first: "V_Ray_GPU_" must not be taken for a CPU "V_Ray_".
_PREFIXES: tuple[tuple[str, Engine], ...] = (
    ("V_Ray_GPU_", Engine.GPU),
    ("V_Ray_RT_", Engine.GPU),
    ("VRay_Adv_", Engine.CPU),
    ("V_Ray_Adv_", Engine.CPU),
    ("V_Ray_", Engine.CPU),
)
MISSING_RENDERER_CLASS = "Missing_Renderer"
DR2_BUILD_SUFFIX = "_DR2"
"""[unverified] Reported by third parties only (no Chaos page): V-Ray 7 update 3+ builds that do
DR2 alone name their renderer classes ``..._DR2`` and their spawners listen on 20208. The field
check (``vrdr_max.fieldcheck``) records the class name of the installed build."""


def identify_renderer(class_name: str) -> RendererInfo:
    """Classify a renderer class name as printed by ``classOf renderers.current``.

    Args:
        class_name: e.g. ``V_Ray_6__update_2_1`` or ``Default_Scanline_Renderer``.

    Returns:
        Family, engine (V-Ray only) and a readable version such as ``6 update 2.1``.
    """
    if class_name == MISSING_RENDERER_CLASS:
        return RendererInfo(class_name=class_name, family=RendererFamily.MISSING)
    for prefix, engine in _PREFIXES:
        if class_name.startswith(prefix):
            tail = class_name[len(prefix):]
            if build_mode(class_name) is Mode.DR2:
                tail = tail[:-len(DR2_BUILD_SUFFIX)]
            return RendererInfo(class_name=class_name, family=RendererFamily.VRAY, engine=engine,
                                version=_version(tail))
    return RendererInfo(class_name=class_name, family=RendererFamily.OTHER)


def build_mode(class_name: str) -> Mode | None:
    """The only DR generation a V-Ray build can do, from its renderer class name.

    Returns:
        ``Mode.DR2`` for a DR2-only build (class name ending in :data:`DR2_BUILD_SUFFIX`);
        None when the name says nothing (an official build: DR, or DR2 with a dispatcher).
    """
    is_vray = any(class_name.startswith(prefix) for prefix, _engine in _PREFIXES)
    return Mode.DR2 if is_vray and class_name.upper().endswith(DR2_BUILD_SUFFIX) else None


def _version(tail: str) -> str | None:
    # "6__update_2_1" -> "6 update 2.1"; "7_Hotfix_2" -> "7 hotfix 2"; "3_60_03" -> "3.60.03"
    parts = [p for p in tail.split("_") if p]
    if not parts:
        return None
    if len(parts) > 2 and parts[1].lower() in {"update", "hotfix"}:
        return f"{parts[0]} {parts[1].lower()} {'.'.join(parts[2:])}"
    return ".".join(parts)


class RendererProp(str, Enum):
    """DR-related renderer settings, by meaning rather than by MAXScript name."""

    DR_ENABLED = "dr_enabled"
    CHECK_MISSING_FILES = "check_missing_files"
    LIGHTS = "lights"
    DEFAULT_LIGHTS = "default_lights"
    HIDDEN_LIGHTS = "hidden_lights"
    GI_ON = "gi_on"


GPU_SETTINGS_OBJECT = "V_Ray_settings"
"""Sub-object of the GPU renderer that holds the CPU-style ``system_*``/``options_*`` props."""

# (sub-object or None, property name) per engine. Evidence: vray-dr.md §5.2-5.3 (production code).
PROPERTY_NAMES: dict[Engine, dict[RendererProp, tuple[str | None, str]]] = {
    Engine.CPU: {
        RendererProp.DR_ENABLED: (None, "system_distributedRender"),
        RendererProp.CHECK_MISSING_FILES: (None, "system_checkForMissingFiles"),
        RendererProp.LIGHTS: (None, "options_lights"),
        RendererProp.DEFAULT_LIGHTS: (None, "options_defaultLights"),
        RendererProp.HIDDEN_LIGHTS: (None, "options_hiddenLights"),
        RendererProp.GI_ON: (None, "gi_on"),
    },
    Engine.GPU: {
        RendererProp.DR_ENABLED: (None, "distributed_rendering"),
        RendererProp.CHECK_MISSING_FILES: (GPU_SETTINGS_OBJECT, "system_checkForMissingFiles"),
        RendererProp.LIGHTS: (GPU_SETTINGS_OBJECT, "options_lights"),
        RendererProp.DEFAULT_LIGHTS: (GPU_SETTINGS_OBJECT, "options_defaultLights"),
        RendererProp.HIDDEN_LIGHTS: (GPU_SETTINGS_OBJECT, "options_hiddenLights"),
        RendererProp.GI_ON: (GPU_SETTINGS_OBJECT, "gi_on"),
    },
}
