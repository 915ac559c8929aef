"""Checks over hand-made facts and settings: the rules themselves, without a host."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from vrdr_max.checks import CHECKS, CheckContext, CheckStatus, Severity, run
from vrdr_max.checks.model import Check, Finding
from vrdr_max.checks.registry import check
from vrdr_max.checks.scene_checks import uses_default_lights
from vrdr_max.facts import DefaultLightInputs, HiddenBy, LightFact, SceneFacts
from vrdr_max.models import Dispatcher, DRSettings
from vrdr_max.ports import Engine, Mode
from vrdr_max.renderers import identify_renderer

ON = LightFact(name="Key", class_name="VRayLight")
OFF = LightFact(name="Fill", class_name="VRayLight", on=False)
HIDDEN = LightFact(name="Rim", class_name="VRayLight", hidden_by=HiddenBy.NODE)


@pytest.mark.parametrize(("inputs", "lights", "expected"), [
    (DefaultLightInputs(default_lights=0), [], False),
    (DefaultLightInputs(default_lights=1), [], True),
    (DefaultLightInputs(default_lights=1), [ON], False),
    (DefaultLightInputs(default_lights=1), [OFF], True),
    (DefaultLightInputs(default_lights=1, hidden_lights=False), [HIDDEN], True),
    (DefaultLightInputs(default_lights=1, hidden_lights=True), [HIDDEN], False),
    (DefaultLightInputs(default_lights=1, lights=False), [ON], True),
    (DefaultLightInputs(default_lights=2, gi_on=True), [], False),
    (DefaultLightInputs(default_lights=2, gi_on=False), [], True),
    (DefaultLightInputs(default_lights=2, gi_on=False), [ON], False),
])
def test_default_light_rule(inputs: DefaultLightInputs, lights: list[LightFact],
                            expected: bool) -> None:
    assert uses_default_lights(inputs, lights) is expected


def _ctx(settings: DRSettings | None = None, **facts: object) -> CheckContext:
    base = {"renderer": identify_renderer("V_Ray_6__update_2_1"), "dr_enabled": True}
    return CheckContext(facts=SceneFacts.model_validate({**base, **facts}),
                        settings=settings or DRSettings(servers=[{"host": "r1", "port": 20204}]))


def _ids(ctx: CheckContext, severity: Severity | None = None) -> set[str]:
    return {f.check_id for f in run(ctx).findings if severity is None or f.severity is severity}


def test_quiet_on_a_good_setup() -> None:
    assert _ids(_ctx(lights=[ON], default_lights=DefaultLightInputs())) == set()


def test_server_list_rules() -> None:
    dr2 = DRSettings(mode=Mode.DR2, servers=[{"host": "127.0.0.1", "port": 20208},
                                             {"host": "r1", "port": 20208},
                                             {"host": "R1", "port": 20208}])
    found = _ids(_ctx(dr2), Severity.ERROR)
    assert {"dr2-no-dispatcher", "dr2-localhost"} <= found
    assert "duplicate-servers" in _ids(_ctx(dr2), Severity.WARNING)
    dr2.dispatcher = Dispatcher(host="10.0.0.5", port=20208)
    dr2.servers = [s for s in dr2.servers if s.host == "r1"]
    assert _ids(_ctx(dr2)) == set()


def test_no_servers_and_port_mismatch() -> None:
    assert "no-servers" in _ids(_ctx(DRSettings()), Severity.ERROR)
    off = DRSettings(servers=[{"host": "r1", "port": 20204, "enabled": False}])
    assert "no-servers" in _ids(_ctx(off), Severity.ERROR)
    gpu_ports = DRSettings(servers=[{"host": "r1", "port": 20206}])
    assert _ids(_ctx(gpu_ports)) == {"engine-port-mismatch"}
    gpu = DRSettings(engine=Engine.GPU, servers=[{"host": "r1", "port": 20204}])
    assert "engine-port-mismatch" in _ids(_ctx(gpu))


@dataclass
class FakeProbe:
    host: str
    port: int
    ok: bool
    message: str = ""


def test_servers_offline_from_probe_results() -> None:
    settings = DRSettings(servers=[{"host": "r1", "port": 20204}, {"host": "r2", "port": 20204}])
    base = _ctx(settings)
    some = CheckContext(facts=base.facts, settings=settings, probe_results=[
        FakeProbe("r1", 20204, ok=True), FakeProbe("r2", 20204, ok=False, message="refused")])
    [finding] = [f for f in run(some).findings if f.check_id == "servers-offline"]
    assert finding.severity is Severity.WARNING
    assert finding.subjects == ["r2:20204: refused"]
    none = CheckContext(facts=base.facts, settings=settings, probe_results=[
        FakeProbe("r1", 20204, ok=False), FakeProbe("r2", 20204, ok=False)])
    assert "servers-offline" in _ids(none, Severity.ERROR)


def test_a_crashing_check_is_reported_not_raised() -> None:
    def boom(ctx: CheckContext) -> list[Finding]:
        raise KeyError("bug")

    report = run(_ctx(), [Check("boom", "Boom", boom), *CHECKS[:1]])
    assert report.results[0].status is CheckStatus.CRASHED
    assert "KeyError" in report.results[0].reason
    assert report.has_errors
    assert report.results[1].status is CheckStatus.PASSED


def test_a_second_check_with_a_taken_id_is_refused() -> None:
    # The registry is what keeps ids unique (counting CHECKS could never fail): a check that
    # reuses an id must be refused and leave the registered list as it was.
    before = list(CHECKS)
    with pytest.raises(ValueError, match="'dr-off' registered twice"):
        check("dr-off", "Impostor")(lambda ctx: [])
    assert before == CHECKS


def test_check_ids_are_stable() -> None:
    ids = [c.id for c in CHECKS]
    assert {"not-vray", "dr-off", "default-lights", "missing-maps", "missing-plugins",
            "farm-plugins", "unreachable-paths", "no-servers", "duplicate-servers",
            "dr2-no-dispatcher", "dr2-localhost", "engine-port-mismatch",
            "servers-saved-in-scene", "region-render"} <= set(ids)


@pytest.mark.parametrize(("check_missing_files", "severity"), [
    (True, Severity.ERROR),     # the servers refuse to render without the file
    (False, Severity.WARNING),  # they render, with the map switched off
])
def test_unreachable_paths_is_an_error_only_when_servers_refuse(check_missing_files: bool,
                                                                severity: Severity) -> None:
    local = {"path": "D:\\tex\\wood.png", "kind": "bitmap", "owner_class": "BitmapTexture",
             "owner": "Wood", "resolved_path": "D:\\tex\\wood.png"}
    unc = {**local, "path": "\\\\nas\\tex\\wood.png", "resolved_path": "\\\\nas\\tex\\wood.png"}
    ctx = _ctx(lights=[ON], default_lights=DefaultLightInputs(), assets=[local, unc],
               check_missing_files=check_missing_files)
    findings = [f for f in run(ctx).findings if f.check_id == "unreachable-paths"]
    assert [(f.severity, f.subjects) for f in findings] == [
        (severity, ["Wood (BitmapTexture): D:\\tex\\wood.png [local-drive]"])]
