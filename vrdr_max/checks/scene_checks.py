"""Checks of the scene: renderer, lights, maps, plugins, paths, render region."""

from __future__ import annotations

from collections.abc import Callable

from vrdr_max.assetpaths import PathReach, classify, folder_classifier, same_path
from vrdr_max.checks.model import CheckContext, Finding, Severity, Skip
from vrdr_max.checks.registry import check
from vrdr_max.facts import (
    AssetFact,
    DefaultLightInputs,
    HiddenBy,
    LightFact,
    RendererFamily,
    SceneFacts,
)
from vrdr_max.ports import Engine

FIX_ENABLE_DR = "enable-dr"
FIX_ADD_DOME_LIGHT = "add-dome-light"
FIX_LIGHTS_ON = "turn-on-lights"
FIX_ENABLE_TRANSFER = "enable-transfer"

# getRenderType() names [docs: MAXScript Render Setup dialog; SDK RendType: "Selected" renders
# the selected objects only, the *_SEL types fit a region or crop to the selection]; `selection`
# [unverified: the help text found breaks off after #boxselected]. Region types distribute part
# of the frame; selected/selection render only the selected objects, over the whole frame.
REGION_RENDER_TYPES = frozenset(
    {"region", "crop", "blowup", "boxselected", "regionselected", "cropselected"})
SELECTED_RENDER_TYPES = frozenset({"selected", "selection"})


def _require_vray(facts: SceneFacts) -> None:
    if not facts.is_vray:
        raise Skip("the current renderer is not V-Ray")


@check("not-vray", "Renderer is V-Ray")
def not_vray(ctx: CheckContext) -> list[Finding]:
    """DR settings only mean something to V-Ray; a missing V-Ray plugin is worse still."""
    renderer = ctx.facts.renderer
    if renderer.family is RendererFamily.MISSING:
        message = ("the scene's renderer plugin is missing on this machine (Missing_Renderer): "
                   "install V-Ray or pick it in Render Setup")
    elif renderer.family is RendererFamily.OTHER:
        message = (f"the current renderer is {renderer.class_name}, not V-Ray: "
                   "V-Ray distributed rendering does not apply")
    else:
        return []
    return [Finding(check_id="not-vray", severity=Severity.ERROR, subjects=[renderer.class_name],
                    message=message)]


@check("dr-off", "Distributed rendering is on")
def dr_off(ctx: CheckContext) -> list[Finding]:
    """DR switched off in Render Setup renders on this machine alone."""
    _require_vray(ctx.facts)
    if ctx.facts.dr_enabled is False:
        gpu = ctx.facts.renderer.engine is Engine.GPU
        where = ("Render Setup > Perf. > Distributed Rendering" if gpu
                 else "Render Setup > Settings > System > Distributed rendering")
        return [Finding(check_id="dr-off", severity=Severity.WARNING, fix=FIX_ENABLE_DR,
                        subjects=[ctx.facts.renderer.class_name],
                        message=f"distributed rendering is off ({where}): "
                                "the render uses this machine only")]
    return []


def uses_default_lights(inputs: DefaultLightInputs, lights: list[LightFact],
                        unknown_on: bool = True) -> bool:
    """V-Ray's rule for when it adds default lights (vray-dr.md §12, max-plugin.md §6.3).

    [unverified] edge cases: whether a light that is off, a hidden light, or a dome/sun counts as
    "a light" (vray-dr.md §15.8). Here a light counts when it is on and, unless Hidden lights is
    on, not hidden for any reason (its own flag, its layer, Hide by Category). A light whose
    switch could not be read counts as on when ``unknown_on``, else as off.
    """
    effective = [lt for lt in lights if (unknown_on if lt.on is None else lt.on)
                 and (inputs.hidden_lights or not lt.hidden)]
    no_light = not effective or not inputs.lights
    if inputs.default_lights == 0:
        return False
    if inputs.default_lights == 1:
        return no_light
    return no_light and not inputs.gi_on


_HIDDEN_WORDS = {HiddenBy.NODE: "hidden", HiddenBy.LAYER: "hidden by its layer",
                 HiddenBy.CATEGORY: "hidden by category"}


def _idle(light: LightFact, inputs: DefaultLightInputs) -> str | None:
    """Why a light does not count (for the finding's subjects), or None when it counts."""
    if light.on is None:
        return "switch unreadable"
    if not light.on:
        return "off"
    if light.hidden_by is not None and not inputs.hidden_lights:
        return _HIDDEN_WORDS[light.hidden_by]
    return None


def lights_to_turn_on(inputs: DefaultLightInputs, lights: list[LightFact]) -> list[LightFact]:
    """The scene's lights that would count if switched on or shown (the first fix offered).

    Not those hidden by their layer (showing a layer shows more than its lights) nor those whose
    switch could not be read; none when Global switches > Lights is off (no light counts then).
    """
    if not inputs.lights:
        return []
    return [lt for lt in lights if lt.on is not None and _idle(lt, inputs) is not None
            and not (lt.hidden_by is HiddenBy.LAYER and not inputs.hidden_lights)]


@check("default-lights", "Scene has its own lights")
def default_lights(ctx: CheckContext) -> list[Finding]:
    """DR does not render V-Ray's default lights: buckets from servers come out black."""
    _require_vray(ctx.facts)
    inputs, lights = ctx.facts.default_lights, ctx.facts.lights
    if inputs is None:
        return []
    certain = uses_default_lights(inputs, lights)
    maybe = uses_default_lights(inputs, lights, unknown_on=False)
    idle = [f"{lt.name} ({why})" for lt in lights if (why := _idle(lt, inputs))]
    unknown = [s for s in idle if s.endswith("(switch unreadable)")]
    if not maybe:
        return [Finding(check_id="default-lights", severity=Severity.INFO, subjects=unknown,
                        message=f"the on/off switch of {_count(len(unknown), 'light')} could "
                                "not be read; whether they are on does not change the lighting "
                                "rule"
                        )] if unknown else []
    if not certain:  # only lights whose switch could not be read make the difference
        return [Finding(check_id="default-lights", severity=Severity.WARNING,
                        fix=FIX_ADD_DOME_LIGHT, subjects=unknown,
                        message=f"cannot tell whether V-Ray uses its default lights: the on/off "
                                f"switch of {_count(len(unknown), 'light')} could not be read; "
                                "if they are off, default lights do not render in DR mode")]
    why = ("Global switches > Lights is off" if not inputs.lights
           else "no light in the scene is on and visible" if idle else "the scene has no lights")
    # The scene's own lights first (the artist placed them); a dome light when none can help.
    fix = FIX_LIGHTS_ON if lights_to_turn_on(inputs, lights) else FIX_ADD_DOME_LIGHT
    return [Finding(check_id="default-lights", severity=Severity.ERROR, fix=fix,
                    subjects=idle,
                    message=f"V-Ray would use its default lights ({why}); default lights do not "
                            "render in DR mode: add a light or switch the scene's lights on")]


@check("missing-maps", "Maps and files found")
def missing_maps(ctx: CheckContext) -> list[Finding]:
    """Files 3ds Max cannot find on the client: servers cannot get them either."""
    missing = [a for a in ctx.facts.assets if a.missing]
    if not missing:
        return []
    refuse = bool(ctx.facts.check_missing_files)
    consequence = ("Check for missing files is on, so render servers will refuse to render"
                   if refuse else "servers render those buckets as if the map were switched off")
    subjects = [a.label for a in missing]
    return [Finding(check_id="missing-maps",
                    severity=Severity.ERROR if refuse else Severity.WARNING, subjects=subjects,
                    message=f"{_count(len(missing), 'file')} missing on this machine; "
                            f"{consequence}")]


@check("missing-plugins", "No plugins missing on this machine")
def missing_plugins(ctx: CheckContext) -> list[Finding]:
    """The scene already lost plugins here: objects vanish, and servers that have them differ.

    ``Missing_*`` objects only Material Editor slots (or Slate views) hold are not rendered:
    when they are all there is, the finding is a note (the same rule as editor-only maps).
    """
    facts = ctx.facts
    editor_only = facts.missing_editor_only
    if not facts.missing_plugins and not facts.missing_instances and not editor_only:
        return []
    subjects = [f"{m.class_name} ({m.dll})" for m in facts.missing_plugins]
    subjects += [f"{n} x {cls}" for cls, n in sorted(facts.missing_instances.items())]
    subjects += [f"{n} x {cls} (Material Editor only)" for cls, n in sorted(editor_only.items())]
    if editor_only and not facts.missing_instances:
        return [Finding(check_id="missing-plugins", severity=Severity.INFO, subjects=subjects,
                        message="plugins missing on this machine are used only by Material "
                                "Editor slots, which are not rendered; clear those slots to "
                                "silence this")]
    return [Finding(check_id="missing-plugins", severity=Severity.ERROR, subjects=subjects,
                    message="plugins this scene needs are missing on this machine; their objects "
                            "render differently here and on servers that have them")]


@check("farm-plugins", "Render servers have the scene's plugins")
def farm_plugins(ctx: CheckContext) -> list[Finding]:
    """A plugin missing on a render server makes that server fail (the DR setup guide).

    Two sources: the known plugin classes the scene uses, and the DLLs the saved scene records
    ("Used Plug-Ins"), which cover every plugin but exist only once the scene was saved.
    """
    facts = ctx.facts
    uses, dlls = facts.plugins, facts.scene_dlls or []
    named = {u.dll.lower() for u in uses}
    recorded = [d for d in dlls if d.lower() not in named]  # a DLL a class use names is shown once
    out = []
    if facts.scene_dlls is None:
        why = ("the scene was never saved, so 3ds Max has no record of the plug-ins it uses"
               if not facts.scene_path else "the scene file records no list of plug-ins")
        out.append(Finding(check_id="farm-plugins", severity=Severity.INFO, subjects=[],
                           message=f"{why}; only known plugin classes were looked for: save the "
                                   "scene and check again to cover every plugin"))
    if ctx.manifest is None:
        subjects = [f"{u.product}: {u.class_name} ({u.dll})" for u in uses]
        subjects += [f"{d} (recorded in the saved scene)" for d in recorded]
        if subjects:
            out.append(Finding(check_id="farm-plugins", severity=Severity.INFO,
                               subjects=subjects,
                               message="every render server needs these plugins installed "
                                       "(no server manifest given to check against)"))
        return out
    manifest = ctx.manifest
    lacking = [f"{u.product}: {u.class_name} ({u.dll}), {u.count} in scene"
               for u in uses if not manifest.covers(u.class_name, u.dll)]
    lacking += [f"{d} (recorded in the saved scene)" for d in recorded
                if not manifest.covers_dll(d)]
    if lacking:
        out.append(Finding(check_id="farm-plugins", severity=Severity.ERROR, subjects=lacking,
                           message="the scene uses plugins the render-server manifest does not "
                                   "list; servers without them fail"))
    return out


def server_reach(asset: AssetFact, shared_drives: frozenset[str],
                 workstation: str = "", *,
                 by_folder: Callable[[str], PathReach] | None = None) -> PathReach:
    """Where a render server looks for a file, judged from the path the scene holds.

    Each server resolves a relative path, and a file not at its stored place, against its own
    folders (the DR setup guide's JUNGLEMAP.JPG note): where the client found it proves
    nothing, so a file found only through the client's map paths is ``MAP_PATHS``.
    ``by_folder``: a ``folder_classifier`` of the same drives and workstation (many assets).
    """
    path, resolved = asset.path, asset.resolved_path
    reach = (by_folder(path) if by_folder is not None
             else classify(path, shared_drives, workstation))
    if reach is PathReach.RELATIVE or resolved is None or resolved == path:
        return reach  # most files are where the scene says: no second comparison
    return reach if same_path(resolved, path) else PathReach.MAP_PATHS


_REACH_TEXT = {reach: reach.value for reach in PathReach}
"""Each reach's text, looked up once (an enum's ``.value`` is a Python-level descriptor)."""


@check("unreachable-paths", "Render servers can reach the scene's files")
def unreachable_paths(ctx: CheckContext) -> list[Finding]:
    """Files only this machine has: the servers cannot open them unless V-Ray transfers them.

    Local drives, user profiles, shares on this machine, relative paths and files found only
    through this machine's map paths.
    """
    if ctx.settings.assets.transfer_missing:
        return []
    local = []
    drives, workstation = ctx.shared_drives, ctx.facts.workstation
    by_folder = folder_classifier(drives, workstation)  # a scene's files share few folders
    for asset in ctx.facts.assets:
        if asset.missing:
            continue  # missing-maps reports these
        reach = server_reach(asset, drives, workstation, by_folder=by_folder)
        if reach is not PathReach.SHARED:
            local.append(f"{asset.label} [{_REACH_TEXT[reach]}]")
    if not local:
        return []
    refuse = bool(ctx.facts.check_missing_files)
    return [Finding(check_id="unreachable-paths",
                    severity=Severity.ERROR if refuse else Severity.WARNING,
                    fix=FIX_ENABLE_TRANSFER, subjects=local,
                    message=f"{_count(len(local), 'file')} {'is' if len(local) == 1 else 'are'} "
                            "on paths render servers cannot reach and Transfer missing assets "
                            "is off (a relative path, or one found through this machine's map "
                            "paths, is looked up by each server in its own folders); use UNC "
                            "paths to the file server or declared shared drives, or turn "
                            "transfer on")]


@check("region-render", "Full-frame render")
def region_render(ctx: CheckContext) -> list[Finding]:
    """A region or crop render distributes only part of the frame; V-Ray warns about it too."""
    kind = (ctx.facts.render_type or "").lower().lstrip("#")
    if kind in SELECTED_RENDER_TYPES:
        message = (f"Render Setup renders {kind}: only the selected objects over the whole "
                   "frame; the rest of the scene is left out of the DR render")
    elif kind in REGION_RENDER_TYPES:
        message = (f"Render Setup renders {kind}, not the full view: "
                   "only that part of the frame is distributed")
    else:
        return []
    return [Finding(check_id="region-render", severity=Severity.WARNING, subjects=[kind],
                    message=message)]


def _count(count: int, word: str) -> str:
    """``1 file``, ``2 files``: what the panel and reports show."""
    return f"{count} {word}{'' if count == 1 else 's'}"
