"""The MaxHost contract: what any implementation must do, on any V-Ray scene.

Run against mock_pymxs by ``tests/host/test_contract_mock.py`` and inside a real 3ds Max by
``tests/max/`` (the same functions, so the mock and the real thing are held to one standard).
Each function takes a host and raises AssertionError when the contract is broken.
"""

from __future__ import annotations

from vrdr_max.facts import RendererFamily, SceneFacts
from vrdr_max.host import LightKind, MaxHost, RenderOutcome
from vrdr_max.renderers import RendererProp

PROBE_KEY = "contract_probe"


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
    assert str(host.plugcfg_dir())
    assert host.max_version() >= 2020


def creates_a_light(host: MaxHost) -> None:
    before = len(host.read_scene().lights)
    name = host.create_light(LightKind.VRAY_DOME, "vrdr_contract_dome")
    facts = host.read_scene()
    assert len(facts.lights) == before + 1
    assert any(light.name == name and light.on for light in facts.lights)


def renders(host: MaxHost) -> None:
    fired: list[str] = []
    host.add_callback("postRender", lambda: fired.append("postRender"))
    try:
        assert host.render() is RenderOutcome.COMPLETED
    finally:
        host.remove_callbacks()
    assert fired == ["postRender"]


CONTRACT = (reads_a_snapshot, names_the_renderer, reads_every_renderer_property,
            writes_and_restores_properties, keeps_scene_data, names_its_folders, creates_a_light,
            renders)
