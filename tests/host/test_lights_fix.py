"""The default-lights fix: the scene's own lights first (off or hidden), a dome light second."""

from __future__ import annotations

from pathlib import Path

import pytest
from host_scenes import host_for

from vrdr_max import fixes
from vrdr_max.checks import CheckContext, Finding, run, scene_checks
from vrdr_max.errors import InputError
from vrdr_max.facts import DefaultLightInputs, HiddenBy, LightFact
from vrdr_max.models import DRSettings


def lights_finding(host) -> Finding:  # type: ignore[no-untyped-def]
    report = run(CheckContext(facts=host.read_scene(), settings=DRSettings()))
    return next(f for f in report.findings if f.check_id == "default-lights")


def test_the_finding_offers_the_scenes_lights_first_and_the_dome_light_second(
        tmp_path: Path) -> None:
    with host_for("demo", tmp_path / "plugcfg") as (host, mock):
        finding = lights_finding(host)
        assert finding.subjects == ["Ceiling_Light_Panel (hidden)", "Spot_Photometric (off)",
                                    "IES_Downlight (off)"]
        offered = [f.id for f in fixes.choices(finding.fix or "")]
        assert offered == ["turn-on-lights", "add-dome-light"]
        done = fixes.FIXES["turn-on-lights"].apply(host, DRSettings())
        lights = {lt.name: (lt.on, lt.hidden_by) for lt in host.read_scene().lights}
        after = run(CheckContext(facts=host.read_scene(), settings=DRSettings()))
        undo, created = mock.undo_records, mock.created
    assert undo == ["vrdr: turn on 3 light(s)"]  # one undo step
    assert created == []  # no dome light
    assert lights == {"Ceiling_Light_Panel": (True, None), "Spot_Photometric": (True, None),
                      "IES_Downlight": (True, None)}
    assert done == ("turned on the scene's lights: Ceiling_Light_Panel (shown), "
                    "Spot_Photometric (on), IES_Downlight (on, shown) (undo with Ctrl+Z)")
    assert "default-lights" not in {f.check_id for f in after.findings}


def test_without_a_light_to_turn_on_the_dome_light_is_the_fix(tmp_path: Path) -> None:
    with host_for("clean", tmp_path / "plugcfg") as (host, _mock):
        facts = host.read_scene()
    layered = LightFact(name="Key", class_name="VRayLight", hidden_by=HiddenBy.LAYER)
    bare = facts.model_copy(update={"lights": [layered], "default_lights": DefaultLightInputs(
        hidden_lights=False)})
    report = run(CheckContext(facts=bare, settings=DRSettings()))
    finding = next(f for f in report.findings if f.check_id == "default-lights")
    assert finding.subjects == ["Key (hidden by its layer)"]
    assert finding.fix == "add-dome-light"
    assert [f.id for f in fixes.choices("add-dome-light")] == ["add-dome-light"]


@pytest.mark.parametrize(("light", "inputs", "offered"), [
    (LightFact(name="k", class_name="VRayLight", on=False), DefaultLightInputs(), True),
    (LightFact(name="k", class_name="VRayLight", hidden_by=HiddenBy.CATEGORY),
     DefaultLightInputs(hidden_lights=False), True),
    # Showing a layer shows more than its lights; a switch 3ds Max will not read stays as it is.
    (LightFact(name="k", class_name="VRayLight", hidden_by=HiddenBy.LAYER),
     DefaultLightInputs(hidden_lights=False), False),
    (LightFact(name="k", class_name="Missing_Light", on=None), DefaultLightInputs(), False),
    # Global switches > Lights off: no light of the scene counts, on or not.
    (LightFact(name="k", class_name="VRayLight", on=False), DefaultLightInputs(lights=False),
     False),
])
def test_which_lights_the_first_fix_switches(light: LightFact, inputs: DefaultLightInputs,
                                             offered: bool) -> None:
    assert bool(scene_checks.lights_to_turn_on(inputs, [light])) is offered


def test_the_lights_fix_says_so_when_there_is_nothing_to_turn_on(tmp_path: Path) -> None:
    with host_for("clean", tmp_path / "plugcfg") as (host, mock):
        with pytest.raises(InputError, match="add a dome light instead"):
            fixes.FIXES["turn-on-lights"].apply(host, DRSettings())
        assert mock.undo_records == []
