"""The MaxHost contract: what any implementation must do, on any V-Ray scene.

Run against mock_pymxs by ``tests/host/test_contract_mock.py`` and inside a real 3ds Max by
``tests/max/`` (the same functions, so the mock and the real thing are held to one standard).
Each function takes a host and raises AssertionError when the contract is broken. The staged
clauses also take a ``Stage``: each runner puts the case into the open scene its own way (the
mock through its scene state, 3ds Max through pymxs), then the same assertion runs.
"""

from __future__ import annotations

import os
from typing import Protocol

from vrdr_max import host as host_module
from vrdr_max.cfgfile import CfgFile, cfg_name
from vrdr_max.facts import AssetFact, HiddenBy, RendererFamily, SceneFacts
from vrdr_max.host import LightKind, MaxHost, RenderOutcome
from vrdr_max.ports import Engine
from vrdr_max.renderers import RendererProp

PROBE_KEY = "contract_probe"
EDITOR_ONLY_MAP = "\\\\vrdr-contract\\maps\\editor_slot_only.png"
LAYER_HIDDEN_LIGHT = "vrdr_contract_layer_hidden"
CHILD_LAYER_LIGHT = "vrdr_contract_child_layer"
ENVIRONMENT_MAP = "\\\\vrdr-contract\\maps\\environment_missing.exr"
ELEMENT_MAP = "\\\\vrdr-contract\\maps\\element_missing.png"
RENDER_OUTPUT = "\\\\vrdr-contract\\renders\\contract_.exr"


def reads_a_snapshot(host: MaxHost) -> None:
    facts = host.read_scene()
    assert isinstance(facts, SceneFacts)
    assert facts.renderer.family is RendererFamily.VRAY, "the contract needs a V-Ray scene"
    assert facts.max_version is not None and facts.max_version >= 2020
    assert facts.default_lights is not None
    assert facts.dr_enabled is not None
    assert all(light.name for light in facts.lights)
    assert all(asset.path for asset in facts.assets)


def names_the_renderer(host: MaxHost) -> None:
    info = host.read_renderer()
    assert info == host.read_scene().renderer
    assert info.engine is not None, "the contract needs a V-Ray scene"


def reads_every_renderer_property(host: MaxHost) -> None:
    # A property name misspelt in renderers.PROPERTY_NAMES goes missing here.
    got = host.read_renderer_props()
    assert set(got) == set(RendererProp), f"renderer lacks {set(RendererProp) - set(got)}"
    assert got[RendererProp.DEFAULT_LIGHTS] in (0, 1, 2)


def writes_and_restores_properties(host: MaxHost) -> None:
    before = host.read_renderer_props()
    flipped = {RendererProp.DR_ENABLED: not before[RendererProp.DR_ENABLED],
               RendererProp.CHECK_MISSING_FILES: not before[RendererProp.CHECK_MISSING_FILES]}
    host.write_renderer_props(flipped, "vrdr contract: flip")
    after = host.read_renderer_props()
    assert {k: after[k] for k in flipped} == flipped
    host.write_renderer_props({k: before[k] for k in flipped}, "vrdr contract: restore")
    assert host.read_renderer_props() == before


def keeps_scene_data(host: MaxHost) -> None:
    assert host.read_scene_data(PROBE_KEY) is None
    host.write_scene_data(PROBE_KEY, "line one\nline \"two\"")
    assert host.read_scene_data(PROBE_KEY) == "line one\nline \"two\""
    host.write_scene_data(PROBE_KEY, None)
    assert host.read_scene_data(PROBE_KEY) is None


def names_its_folders(host: MaxHost) -> None:
    # V-Ray reads its DR cfg files from getDir #plugcfg and vrdr writes them there: it must be
    # an existing folder that takes a new file, and any cfg already in it must read.
    folder = host.plugcfg_dir()
    assert folder.is_absolute(), f"plugcfg {folder} is not an absolute path"
    assert folder.is_dir(), f"plugcfg {folder} is not an existing folder"
    probe = folder / f"vrdr_contract_{os.getpid()}.tmp"
    probe.write_bytes(b"")
    probe.unlink()
    for engine in Engine:
        path = folder / cfg_name(engine)
        if path.is_file():
            CfgFile.load(path, engine)
    assert host.max_version() >= 2020


def creates_a_light(host: MaxHost) -> None:
    before = len(host.read_scene().lights)
    name = host.create_light(LightKind.VRAY_DOME, "vrdr_contract_dome")
    facts = host.read_scene()
    assert len(facts.lights) == before + 1
    assert any(light.name == name and light.on for light in facts.lights)


def _render(host: MaxHost) -> RenderOutcome:
    fired: list[str] = []
    host.add_callback("postRender", lambda: fired.append("postRender"))
    try:
        outcome = host.render()
    finally:
        host.remove_callbacks()
    assert fired == ["postRender"]
    return outcome


def renders(host: MaxHost) -> None:
    # A finished render is "completed" only while a cancelled frame is known to skip
    # #postRenderFrame (host.CANCEL_SKIPS_FRAME_EVENT); otherwise the host cannot tell.
    finished = (RenderOutcome.COMPLETED if host_module.CANCEL_SKIPS_FRAME_EVENT
                else RenderOutcome.UNKNOWN)
    assert _render(host) is finished


CONTRACT = (reads_a_snapshot, names_the_renderer, reads_every_renderer_property,
            writes_and_restores_properties, keeps_scene_data, names_its_folders, creates_a_light,
            renders)


class Stage(Protocol):
    """Puts one case into the open scene before a staged clause reads it."""

    def bitmap_only_in_editor_slot(self, path: str) -> None:
        """A Bitmaptexture of ``path`` held by a Material Editor slot and nothing in the scene."""
        ...

    def light_on_hidden_layer(self, name: str) -> None:
        """A V-Ray light ``name`` whose own hidden flag is off, on a hidden layer."""
        ...

    def cancel_next_render(self) -> None:
        """The next render is cancelled while its (first) frame renders."""
        ...

    def environment_map(self, path: str) -> None:
        """A Bitmaptexture of ``path`` set as the environment map (Rendering > Environment)."""
        ...

    def map_in_render_element(self, path: str) -> None:
        """A VRayExtraTex render element whose texture is a Bitmaptexture of ``path``."""
        ...

    def render_output(self, path: str) -> None:
        """Render Setup's output set to ``path`` (not yet written), Save File on."""
        ...

    def light_in_child_of_hidden_layer(self, name: str) -> None:
        """A V-Ray light ``name`` on a visible layer nested in a hidden layer."""
        ...

    def missing_plugin_only_in_editor_slot(self) -> str:
        """A ``Missing_*`` object held only by a Material Editor slot; its class name."""
        ...


def ignores_a_map_only_in_an_editor_slot(host: MaxHost, stage: Stage) -> None:
    # A map in an editor slot alone is not rendered: a missing one must not block a render.
    stage.bitmap_only_in_editor_slot(EDITOR_ONLY_MAP)
    paths = {asset.path.lower() for asset in host.read_scene().assets}
    assert EDITOR_ONLY_MAP.lower() not in paths, "a map only in the Material Editor was read"


def counts_a_light_hidden_by_its_layer(host: MaxHost, stage: Stage) -> None:
    # V-Ray leaves out lights hidden for any reason; isHidden is only the node's own flag.
    stage.light_on_hidden_layer(LAYER_HIDDEN_LIGHT)
    light = next(lt for lt in host.read_scene().lights if lt.name == LAYER_HIDDEN_LIGHT)
    assert light.hidden, "a light on a hidden layer was read as visible"


def never_calls_a_cancelled_render_completed(host: MaxHost, stage: Stage) -> None:
    stage.cancel_next_render()
    outcome = _render(host)
    assert outcome is not RenderOutcome.COMPLETED, (
        "a cancelled render was reported completed: host.CANCEL_SKIPS_FRAME_EVENT is wrong "
        "for this 3ds Max")


def _asset(host: MaxHost, path: str) -> AssetFact | None:
    return next((a for a in host.read_scene().assets if a.path.lower() == path.lower()), None)


def finds_a_missing_environment_map(host: MaxHost, stage: Stage) -> None:
    # The environment hangs beside the node tree under rootScene (issue 15 item 1).
    stage.environment_map(ENVIRONMENT_MAP)
    asset = _asset(host, ENVIRONMENT_MAP)
    assert asset is not None, "the environment map was not read"
    assert asset.missing, "a missing environment map was read as found"


def finds_a_missing_map_in_a_render_element(host: MaxHost, stage: Stage) -> None:
    stage.map_in_render_element(ELEMENT_MAP)
    asset = _asset(host, ELEMENT_MAP)
    assert asset is not None, "a render element's map was not read"
    assert asset.missing, "a render element's missing map was read as found"


def never_reads_a_render_output_as_an_input(host: MaxHost, stage: Stage) -> None:
    # Asset Tracking lists outputs by default (issue 15 item 2): they are never inputs.
    stage.render_output(RENDER_OUTPUT)
    assert _asset(host, RENDER_OUTPUT) is None, "a render output was read as an input"


def counts_a_light_in_a_child_of_a_hidden_layer(host: MaxHost, stage: Stage) -> None:
    stage.light_in_child_of_hidden_layer(CHILD_LAYER_LIGHT)
    light = next(lt for lt in host.read_scene().lights if lt.name == CHILD_LAYER_LIGHT)
    assert light.hidden_by is HiddenBy.LAYER, "a light under a hidden parent layer was visible"


def notes_a_missing_plugin_only_in_an_editor_slot(host: MaxHost, stage: Stage) -> None:
    # Not rendered, so not an error (issue 15 item 8).
    cls = stage.missing_plugin_only_in_editor_slot()
    facts = host.read_scene()
    assert facts.missing_editor_only.get(cls, 0) >= 1, f"the editor's {cls} was not counted"
    assert cls not in facts.missing_instances, f"the editor's {cls} was counted as rendered"


STAGED_CONTRACT = (ignores_a_map_only_in_an_editor_slot, counts_a_light_hidden_by_its_layer,
                   never_calls_a_cancelled_render_completed, finds_a_missing_environment_map,
                   finds_a_missing_map_in_a_render_element,
                   never_reads_a_render_output_as_an_input,
                   counts_a_light_in_a_child_of_a_hidden_layer,
                   notes_a_missing_plugin_only_in_an_editor_slot)
