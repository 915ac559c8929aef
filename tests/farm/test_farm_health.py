"""Farm health in the preflight: the licence server, and the V-Ray/3ds Max versions of the farm."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

import mock_pymxs
from vrdr_max.checks import CheckContext, Severity, run
from vrdr_max.checks.farm_checks import licence_targets, major_minor
from vrdr_max.checks.model import LICENCE_LABEL
from vrdr_max.cli.main import main
from vrdr_max.facts import RendererFamily, RendererInfo, SceneFacts
from vrdr_max.manifest import FarmManifest
from vrdr_max.models import DRSettings
from vrdr_max.ports import LICENSE_SERVER_PORT, Engine
from vrdr_max.probe import ProbeResult, ProbeState

CLEAN = str(mock_pymxs.SCENES_DIR / "clean.json")


def _facts(vray: str | None = "6.20.01", year: int | None = 2026) -> SceneFacts:
    return SceneFacts(max_version=year, vray_version=vray,
                      renderer=RendererInfo(class_name="V_Ray_6__update_2_1",
                                            family=RendererFamily.VRAY, engine=Engine.CPU))


def _result(host: str, port: int, state: ProbeState, label: str = "server") -> ProbeResult:
    return ProbeResult(host, port, state, host, 1.0 if state is ProbeState.ONLINE else None,
                       f"{state.value}", label=label)


def _findings(ctx: CheckContext, check_id: str) -> list[object]:
    return [f for f in run(ctx).findings if f.check_id == check_id]


SETTINGS = DRSettings(servers=[{"host": "10.0.0.1", "port": 20204}])


def test_no_licence_server_answering_is_an_error_and_not_a_server_offline() -> None:
    results = [_result("10.0.0.1", 20204, ProbeState.ONLINE),
               _result("lic01", LICENSE_SERVER_PORT, ProbeState.REFUSED, LICENCE_LABEL)]
    ctx = CheckContext(facts=_facts(), settings=SETTINGS, probe_results=results)
    [finding] = _findings(ctx, "licence-server")
    assert finding.severity is Severity.ERROR
    assert "no licence server answers" in finding.message
    assert finding.subjects == ["lic01:30304: nothing listens there"]
    # The licence server is not one of the render servers: they all answered.
    assert _findings(ctx, "servers-offline") == []


def test_one_licence_server_answering_is_enough() -> None:
    results = [_result("lic01", 30304, ProbeState.TIMEOUT, LICENCE_LABEL),
               _result("lic02", 30304, ProbeState.ONLINE, LICENCE_LABEL)]
    ctx = CheckContext(facts=_facts(), settings=SETTINGS, probe_results=results)
    assert _findings(ctx, "licence-server") == []


def test_licence_check_skips_without_a_probe_or_a_configured_server() -> None:
    for results in (None, [_result("10.0.0.1", 20204, ProbeState.ONLINE)]):
        report = run(CheckContext(facts=_facts(), settings=SETTINGS, probe_results=results))
        [result] = [r for r in report.results if r.check_id == "licence-server"]
        assert result.status.value == "skipped"


def test_licence_targets_default_to_30304() -> None:
    a, b = licence_targets(["lic01", "[fd00::1]:30305"])
    assert (a.host, a.port, a.label) == ("lic01", 30304, LICENCE_LABEL)
    assert (b.host, b.port) == ("fd00::1", 30305)


@pytest.mark.parametrize(("client", "farm", "error"), [
    ("6.20.01", "6.20.03", False),
    ("6.20.01", "6.10.01", True),
    ("6.20.01", "7.00.02", True),
])
def test_vray_major_minor_must_match_the_farm(client: str, farm: str, error: bool) -> None:
    ctx = CheckContext(facts=_facts(client), settings=SETTINGS,
                       manifest=FarmManifest(vray_version=farm))
    found = _findings(ctx, "farm-vray-version")
    assert bool(found) is error
    if error:
        assert found[0].severity is Severity.ERROR
        assert client in found[0].message and farm in found[0].message


def test_version_checks_skip_when_a_side_is_unknown() -> None:
    for ctx in (CheckContext(facts=_facts(None), settings=SETTINGS,
                             manifest=FarmManifest(vray_version="6.20")),
                CheckContext(facts=_facts(), settings=SETTINGS, manifest=FarmManifest())):
        ids = {r.check_id: r.status.value for r in run(ctx).results}
        assert ids["farm-vray-version"] == "skipped"
        assert ids["farm-max-version"] == "skipped"
    assert major_minor("V-Ray 6.20.01") == (6, 20) and major_minor("six") is None


def test_a_scene_from_a_year_the_farm_does_not_run_is_an_error() -> None:
    manifest = FarmManifest(max_years=[2025, 2026])
    ok = CheckContext(facts=_facts(year=2026), settings=SETTINGS, manifest=manifest)
    assert _findings(ok, "farm-max-version") == []
    other = CheckContext(facts=_facts(year=2027), settings=SETTINGS, manifest=manifest)
    [finding] = _findings(other, "farm-max-version")
    assert "2025, 2026" in finding.message


def test_the_scene_read_carries_vray_version(tmp_path: Path) -> None:
    with mock_pymxs.installed("clean", plugcfg_dir=tmp_path) as _mock:
        from vrdr_max.max_host import PymxsHost

        assert PymxsHost().read_scene().vray_version == "6.20.01"


@pytest.fixture
def licence_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A user config naming a licence server that refuses, and a cfg whose server answers."""
    with socket.socket() as server, socket.socket() as closed:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        closed.bind(("127.0.0.1", 0))  # bound, not listening: refused
        config = tmp_path / "user.json"
        config.write_text(json.dumps({"version": 1, "farm": {"licence_servers": [
            f"127.0.0.1:{closed.getsockname()[1]}"]}}), encoding="utf-8")
        monkeypatch.setenv("VRDR_USER_CONFIG", str(config))
        cfg = tmp_path / "vray_dr.cfg"
        cfg.write_bytes(f"127.0.0.1 1 {server.getsockname()[1]}\r\n".encode())
        yield cfg


def test_vrdr_check_probes_the_licence_server_with_the_servers(
        licence_down: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"version": 1, "vray_version": "7.00.02",
                                    "max_years": [2025]}), encoding="utf-8")
    code = main(["check", "--scene", CLEAN, "--cfg", str(licence_down), "--probe",
                 "--manifest", str(manifest), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    status = {r["id"]: r["status"] for r in report["results"]}
    errors = {r["id"] for r in report["results"]
              if any(f["severity"] == "error" for f in r["findings"])}
    assert {"licence-server", "farm-vray-version"} <= errors
    assert status["servers-offline"] == "passed"  # the render server answered
    assert status["farm-max-version"] == "passed"  # the clean scene is 2025: the farm runs it
