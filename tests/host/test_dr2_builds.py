"""DR2-only V-Ray builds (class names ending in ``_DR2``, [unverified]): mode, ports, checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from host_scenes import host_for, variant

from vrdr_max.checks import CheckContext, CheckStatus, Severity, run
from vrdr_max.facts import SceneFacts
from vrdr_max.models import Dispatcher, DRSettings
from vrdr_max.ports import Engine, Mode
from vrdr_max.renderers import build_mode, identify_renderer
from vrdr_max.settings_store import load_settings

CPU_DR2 = "V_Ray_7__update_3_DR2"
GPU_DR2 = "V_Ray_GPU_7__update_3_DR2"


def _renderer(cls: str) -> Any:
    def edit(data: dict[str, Any]) -> None:
        data["renderer"]["class"] = cls
        for dll in data["plugin_dlls"]:
            if dll["name"].startswith("vrender"):
                dll["classes"].append(cls)

    return edit


@pytest.mark.parametrize(("name", "engine", "version"), [
    (CPU_DR2, Engine.CPU, "7 update 3"),
    (GPU_DR2, Engine.GPU, "7 update 3"),
])
def test_a_dr2_build_is_named_by_its_class(name: str, engine: Engine, version: str) -> None:
    info = identify_renderer(name)
    assert (info.engine, info.version) == (engine, version)
    assert build_mode(name) is Mode.DR2


@pytest.mark.parametrize("name", ["V_Ray_7_Hotfix_2", "V_Ray_GPU_6__update_2_1",
                                  "Default_Scanline_Renderer", "My_DR2"])
def test_other_names_say_nothing_about_the_mode(name: str) -> None:
    assert build_mode(name) is None


@pytest.mark.parametrize(("base", "cls", "engine", "port"), [
    ("clean", CPU_DR2, Engine.CPU, 20208), ("gpu", GPU_DR2, Engine.GPU, 20209)])
def test_mode_and_default_port_follow_the_build(tmp_path: Path, base: str, cls: str,
                                                engine: Engine, port: int) -> None:
    scene = variant(base, _renderer(cls))
    with host_for(scene, tmp_path) as (host, _mock):
        stored = load_settings(tmp_path, engine, host=host)
    assert stored.settings.mode is Mode.DR2
    assert stored.settings.default_port == port
    stored.settings.add_server("r1")
    assert [s.port for s in stored.settings.servers] == [port]


def test_an_official_build_keeps_the_stored_mode(tmp_path: Path) -> None:
    with host_for("clean", tmp_path) as (host, _mock):
        assert load_settings(tmp_path, Engine.CPU, host=host).settings.mode is Mode.DR


def _check(cls: str, settings: DRSettings, check_id: str = "dr2-only-build") -> list[Any]:
    facts = SceneFacts(renderer=identify_renderer(cls), dr_enabled=True)
    report = run(CheckContext(facts=facts, settings=settings))
    result = next(r for r in report.results if r.check_id == check_id)
    return [result.status, [(f.severity, f.subjects) for f in result.findings]]


def test_dr_settings_on_a_dr2_build_are_an_error() -> None:
    dr1 = DRSettings(servers=[{"host": "r1", "port": 20204}])
    assert _check(CPU_DR2, dr1) == [CheckStatus.FAILED, [(Severity.ERROR, [CPU_DR2])]]


def test_dr2_settings_with_dr1_ports_on_a_dr2_build_warn() -> None:
    dr2 = DRSettings(mode=Mode.DR2, dispatcher=Dispatcher(host="10.0.0.5", port=20208),
                     servers=[{"host": "r1", "port": 20204},
                              {"host": "r3", "port": 20200, "port_end": 20206},
                              {"host": "r2", "port": 20208}])
    # DR1 ports in DR2 settings are engine-port-mismatch's, for every build (issue 15.7).
    _status, findings = _check(CPU_DR2, dr2, "engine-port-mismatch")
    assert [(sev, [s.split(":")[0] for s in subjects]) for sev, subjects in findings] == [
        (Severity.WARNING, ["r1", "r3"])]
    assert _check(CPU_DR2, dr2) == [CheckStatus.PASSED, []]
    dr2.servers = dr2.servers[2:]
    assert _check(CPU_DR2, dr2, "engine-port-mismatch") == [CheckStatus.PASSED, []]


def test_the_check_skips_official_builds() -> None:
    assert _check("V_Ray_7_Hotfix_2", DRSettings())[0] is CheckStatus.SKIPPED
