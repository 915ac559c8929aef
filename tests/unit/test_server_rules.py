"""Server-list rules of issue 15: DR2 ports, a dispatcher that also renders, the workstation
listed while "Use local host" is on. Hand-made facts and settings, no host.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vrdr_max.checks import CheckContext, CheckStatus, Severity, run
from vrdr_max.facts import SceneFacts
from vrdr_max.models import Dispatcher, DRSettings
from vrdr_max.ports import Engine, Mode
from vrdr_max.renderers import identify_renderer

# Official builds: nothing in their class names says DR2.
CLASS = {Engine.CPU: "V_Ray_6__update_2_1", Engine.GPU: "V_Ray_GPU_7_Hotfix_2"}


def _result(settings: DRSettings, check_id: str, *, workstation: str | None = "ws042",
            cfg_path: Path | None = None) -> tuple[CheckStatus, list[tuple[Severity, list[str]]]]:
    facts = SceneFacts(renderer=identify_renderer(CLASS[settings.engine]), dr_enabled=True,
                       workstation=workstation or "")
    report = run(CheckContext(facts=facts, settings=settings, cfg_path=cfg_path))
    result = next(r for r in report.results if r.check_id == check_id)
    return result.status, [(f.severity, f.subjects) for f in result.findings]


@pytest.mark.parametrize(("engine", "dr2_port"), [(Engine.CPU, 20208), (Engine.GPU, 20209)])
def test_dr2_servers_on_dr1_ports_warn_whatever_the_class_name(engine: Engine,
                                                               dr2_port: int) -> None:
    dr2 = DRSettings(engine=engine, mode=Mode.DR2,
                     dispatcher=Dispatcher(host="10.0.0.5", port=dr2_port),
                     servers=[{"host": "r1", "port": 20204}, {"host": "r2", "port": 20206},
                              {"host": "r3", "port": dr2_port},
                              {"host": "r4", "port": 20200, "port_end": 20205}])
    status, findings = _result(dr2, "engine-port-mismatch")
    assert status is CheckStatus.FAILED
    [(severity, subjects)] = findings
    assert severity is Severity.WARNING
    assert [s.split(":")[0] for s in subjects] == ["r1", "r2", "r4"]
    assert "r1:20204 (DR CPU port)" in subjects
    assert "r2:20206 (DR GPU port)" in subjects


def test_the_same_ports_in_dr1_are_the_engine_s_own() -> None:
    dr1 = DRSettings(servers=[{"host": "r1", "port": 20204}])
    assert _result(dr1, "engine-port-mismatch") == (CheckStatus.PASSED, [])


def test_a_dispatcher_that_also_renders_is_a_render_server() -> None:
    alone = DRSettings(mode=Mode.DR2, dispatcher=Dispatcher(host="10.0.0.5", port=20208,
                                                            also_renders=True))
    status, findings = _result(alone, "no-servers")
    assert status is CheckStatus.PASSED
    assert findings == [(Severity.INFO, ["dispatcher 10.0.0.5:20208"])]


@pytest.mark.parametrize("dispatcher", [None, Dispatcher(host="10.0.0.5", port=20208)])
def test_without_a_rendering_dispatcher_an_empty_list_is_an_error(
        dispatcher: Dispatcher | None) -> None:
    settings = DRSettings(mode=Mode.DR2, dispatcher=dispatcher)
    assert _result(settings, "no-servers") == (CheckStatus.FAILED, [(Severity.ERROR, [])])
    dr1 = DRSettings(dispatcher=Dispatcher(host="10.0.0.5", port=20208, also_renders=True))
    assert _result(dr1, "no-servers")[0] is CheckStatus.FAILED  # a dispatcher is DR2's only


@pytest.mark.parametrize("engine", list(Engine))
def test_the_workstation_listed_while_use_local_host_is_on_warns_naming_the_lines(
        engine: Engine) -> None:
    port = 20204 if engine is Engine.CPU else 20206
    hosts = ["localhost", "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1", "127.0.0.2", "WS042",
             "ws042.studio.example", "render01"]
    settings = DRSettings(engine=engine, use_local_host=True,
                          servers=[{"host": h, "port": port} for h in hosts]
                          + [{"host": "127.0.0.1", "port": port, "enabled": False}])
    status, [(severity, lines)] = _result(settings, "local-host-listed")
    assert (status, severity) == (CheckStatus.FAILED, Severity.WARNING)
    assert lines == [f"{h} 1 {port}" for h in ("localhost", "::ffff:127.0.0.1", "::1",
                                               "127.0.0.2", "WS042", "ws042.studio.example")]


def test_no_warning_without_use_local_host_or_in_dr2() -> None:
    servers = [{"host": "localhost", "port": 20204}]
    off = DRSettings(use_local_host=False, servers=servers)
    assert _result(off, "local-host-listed") == (CheckStatus.PASSED, [])
    dr2 = DRSettings(mode=Mode.DR2, use_local_host=True, servers=servers)
    assert _result(dr2, "local-host-listed")[0] is CheckStatus.SKIPPED
    other = DRSettings(use_local_host=True, servers=[{"host": "ws0420", "port": 20204}])
    assert _result(other, "local-host-listed") == (CheckStatus.PASSED, [])
    unknown = DRSettings(use_local_host=True, servers=[{"host": "ws042", "port": 20204}])
    assert _result(unknown, "local-host-listed", workstation=None) == (CheckStatus.PASSED, [])


@pytest.mark.parametrize(("engine", "name", "expected"), [
    (Engine.CPU, "vray_dr.cfg", []), (Engine.GPU, "VRAYRT_DR.CFG", []),
    (Engine.CPU, "vrayrt_dr.cfg", ["vrayrt_dr.cfg"]), (Engine.GPU, "servers.cfg", ["servers.cfg"]),
])
def test_a_cfg_the_engine_does_not_read_is_an_error(engine: Engine, name: str,
                                                    expected: list[str]) -> None:
    settings = DRSettings(engine=engine, servers=[{"host": "r1", "port": 20204}])
    _status, findings = _result(settings, "cfg-engine", cfg_path=Path("plugcfg") / name)
    assert findings == [(Severity.ERROR, expected)] if expected else findings == []


def test_a_scene_of_the_other_engine_is_an_error() -> None:
    facts = SceneFacts(renderer=identify_renderer(CLASS[Engine.GPU]), dr_enabled=True)
    cpu = DRSettings(servers=[{"host": "r1", "port": 20204}])
    [finding] = [f for f in run(CheckContext(facts=facts, settings=cpu)).findings
                 if f.check_id == "cfg-engine"]
    assert finding.severity is Severity.ERROR
    assert finding.subjects == [CLASS[Engine.GPU], "vray_dr.cfg"]


@pytest.mark.parametrize("host", ["::ffff:127.0.0.1", "0:0:0:0:0:0:0:1", "::ffff:7f00:2"])
def test_dr2_localhost_in_other_spellings_is_an_error(host: str) -> None:
    dr2 = DRSettings(mode=Mode.DR2, dispatcher=Dispatcher(host="10.0.0.5", port=20208),
                     servers=[{"host": host, "port": 20208}])
    status, [(severity, _subjects)] = _result(dr2, "dr2-localhost")
    assert (status, severity) == (CheckStatus.FAILED, Severity.ERROR)
