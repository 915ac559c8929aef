"""Fixes the checks offer: small functions over a ``MaxHost`` and the ``DRSettings``.

Scene edits go through the host in one undo step each; settings edits change the working copy,
which reaches the cfg file when the caller saves it (or when a submission writes it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from vrdr_max.checks.scene_checks import (
    FIX_ADD_DOME_LIGHT,
    FIX_ENABLE_DR,
    FIX_ENABLE_TRANSFER,
    FIX_LIGHTS_ON,
    lights_to_turn_on,
)
from vrdr_max.checks.server_checks import FIX_DEDUPE, FIX_SCENE_LIST_OFF
from vrdr_max.errors import InputError, quote
from vrdr_max.host import LightKind, MaxHost
from vrdr_max.models import DRSettings
from vrdr_max.renderers import RendererProp

DOME_LIGHT_NAME = "vrdr_DomeLight"


@dataclass(frozen=True)
class Fix:
    """A fix: what it does (shown before it runs) and the function that does it."""

    id: str
    description: str
    apply: Callable[[MaxHost, DRSettings], str]


def _enable_dr(host: MaxHost, settings: DRSettings) -> str:
    host.write_renderer_props({RendererProp.DR_ENABLED: True}, "vrdr: enable DR")
    settings.enabled = True
    return "switched distributed rendering on in Render Setup"


def _add_dome_light(host: MaxHost, _settings: DRSettings) -> str:
    name = host.create_light(LightKind.VRAY_DOME, DOME_LIGHT_NAME)
    return f"added V-Ray dome light {name} (undo with Ctrl+Z)"


def _lights_on(host: MaxHost, _settings: DRSettings) -> str:
    facts = host.read_scene()
    inputs = facts.default_lights
    lights = [] if inputs is None else lights_to_turn_on(inputs, facts.lights)
    if not lights:
        raise InputError("no light of the scene is off or hidden: add a dome light instead")
    done = host.switch_on_lights([lt.name for lt in lights])
    return f"turned on the scene's lights: {', '.join(done)} (undo with Ctrl+Z)"


def _enable_transfer(_host: MaxHost, settings: DRSettings) -> str:
    settings.assets.transfer_missing = True
    return "turned Transfer missing assets on"


def _dedupe(_host: MaxHost, settings: DRSettings) -> str:
    seen: set[tuple[str, int]] = set()
    kept = []
    for server in settings.servers:
        if server.key not in seen:
            seen.add(server.key)
            kept.append(server)
    removed = len(settings.servers) - len(kept)
    settings.servers = kept
    return f"removed {removed} duplicate server entr{'y' if removed == 1 else 'ies'}"


def _servers_from_cfg(_host: MaxHost, settings: DRSettings) -> str:
    settings.save_servers_in_scene = False
    return "turned Save servers in the scene off (list_in_scene 0)"


FIXES: dict[str, Fix] = {f.id: f for f in (
    Fix(FIX_ENABLE_DR, "switch distributed rendering on", _enable_dr),
    Fix(FIX_LIGHTS_ON, "switch on and show the scene's lights that are off or hidden",
        _lights_on),
    Fix(FIX_ADD_DOME_LIGHT, "add a V-Ray dome light so DR has a light to render", _add_dome_light),
    Fix(FIX_ENABLE_TRANSFER, "turn Transfer missing assets on", _enable_transfer),
    Fix(FIX_DEDUPE, "remove duplicate server entries", _dedupe),
    Fix(FIX_SCENE_LIST_OFF, "use the cfg's server list, not one saved in the scene",
        _servers_from_cfg),
)}


ALTERNATIVES: dict[str, tuple[str, ...]] = {FIX_LIGHTS_ON: (FIX_ADD_DOME_LIGHT,)}
"""Fixes offered after a finding's own, in order: the artist picks one (the panel asks)."""


def choices(fix_id: str) -> list[Fix]:
    """The fixes to offer for a finding whose fix is ``fix_id``: its own first, then the others."""
    return [FIXES[f] for f in (fix_id, *ALTERNATIVES.get(fix_id, ())) if f in FIXES]


def apply_fixes(fix_ids: Iterable[str], host: MaxHost, settings: DRSettings) -> list[str]:
    """Apply each fix once, in order; return what each did.

    Raises:
        InputError: an id names no fix; checked before any fix runs.
    """
    ids = list(dict.fromkeys(fix_ids))
    unknown = [fix_id for fix_id in ids if fix_id not in FIXES]
    if unknown:
        raise InputError(f"unknown fix {', '.join(quote(f) for f in unknown)} "
                         f"(fixes: {', '.join(sorted(FIXES))})")
    return [FIXES[fix_id].apply(host, settings) for fix_id in ids]
