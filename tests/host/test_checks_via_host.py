"""Every check fires and stays quiet through the real max_host.py on mock_pymxs scenes."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from host_scenes import host_for, props, variant

from vrdr_max.checks import CheckContext, CheckReport, Finding, Severity, run
from vrdr_max.manifest import FarmManifest
from vrdr_max.models import Dispatcher, DRSettings
from vrdr_max.ports import Engine, Mode
from vrdr_max.probe import ProbeTarget, probe

SERVERS = DRSettings(servers=[{"host": "render01", "port": 20204}])


def preflight(tmp_path: Path, scene: Any, settings: DRSettings = SERVERS,
              **ctx: Any) -> CheckReport:
    with host_for(scene, tmp_path / "plugcfg") as (host, _mock):
        facts = host.read_scene()
    return run(CheckContext(facts=facts, settings=settings, **ctx))


def found(report: CheckReport, check_id: str) -> list[Finding]:
    return [f for f in report.findings if f.check_id == check_id]


def only(report: CheckReport, check_id: str) -> Finding:
    [finding] = found(report, check_id)
    return finding


@pytest.fixture
def clean(tmp_path: Path) -> CheckReport:
    return preflight(tmp_path, "clean")


@pytest.fixture
def demo(tmp_path: Path) -> CheckReport:
    return preflight(tmp_path, "demo")


def test_clean_scene_is_quiet(clean: CheckReport) -> None:
    assert clean.findings == []
    assert not clean.has_errors


def test_gpu_scene_is_quiet(tmp_path: Path) -> None:
    gpu = DRSettings(engine=Engine.GPU, servers=[{"host": "gpu01", "port": 20206}])
    assert preflight(tmp_path, "gpu", gpu).findings == []


def test_not_vray(tmp_path: Path) -> None:
    report = preflight(tmp_path, "scanline")
    finding = only(report, "not-vray")
    assert finding.severity is Severity.ERROR
    assert finding.subjects == ["Default_Scanline_Renderer"]
    # the V-Ray-only checks say why they did not run
    assert {r.check_id for r in report.results if r.status.value == "skipped"} >= {
        "dr-off", "default-lights"}


def test_missing_renderer(tmp_path: Path) -> None:
    scene = variant("clean", lambda d: d.update(renderer={"class": "Missing_Renderer"}))
    assert "missing on this machine" in only(preflight(tmp_path, scene), "not-vray").message


def test_dr_off(demo: CheckReport, clean: CheckReport) -> None:
    finding = only(demo, "dr-off")
    assert (finding.severity, finding.fix) == (Severity.WARNING, "enable-dr")
    assert found(clean, "dr-off") == []


def test_default_lights_names_the_idle_lights(demo: CheckReport) -> None:
    finding = only(demo, "default-lights")
    assert finding.severity is Severity.ERROR
    assert finding.subjects == ["Ceiling_Light_Panel (hidden)", "Spot_Photometric (off)",
                                "IES_Downlight (off)"]


def test_default_lights_rule_inputs_come_from_the_renderer(tmp_path: Path) -> None:
    off_switch = variant("clean", props(options_lights=False, options_defaultLights=1))
    assert found(preflight(tmp_path, off_switch), "default-lights")
    never = variant("demo", props(options_defaultLights=0))
    assert found(preflight(tmp_path, never), "default-lights") == []
    hidden_ok = variant("demo", props(options_hiddenLights=True))
    assert found(preflight(tmp_path, hidden_ok), "default-lights") == []


def test_missing_maps_error_or_warning(demo: CheckReport, tmp_path: Path) -> None:
    finding = only(demo, "missing-maps")
    assert finding.severity is Severity.ERROR  # demo has Check for missing files on
    assert finding.subjects == [
        "Wood_Floor_Diffuse (BitmapTexture): C:\\Users\\artist\\Desktop\\wood_floor_diffuse.jpg"]
    lenient = variant("demo", props(system_checkForMissingFiles=False))
    assert only(preflight(tmp_path, lenient), "missing-maps").severity is Severity.WARNING


def test_missing_plugins(demo: CheckReport, clean: CheckReport) -> None:
    finding = only(demo, "missing-plugins")
    assert finding.subjects == ["Forest_Pro (ForestPackPro.dlo)", "2 x Missing_GeomObject"]
    assert found(clean, "missing-plugins") == []


def test_farm_plugins_against_a_manifest(tmp_path: Path) -> None:
    lacking = FarmManifest.model_validate({"plugins": [{"product": "tyFlow",
                                                        "dlls": ["tyFlow.dlo"]}]})
    finding = only(preflight(tmp_path, "demo", manifest=lacking), "farm-plugins")
    assert finding.severity is Severity.ERROR
    assert finding.subjects == ["Phoenix FD: FireSmokeSim (phoenixfd.dlo), 1 in scene",
                                "ForestPackPro.dlo (recorded in the saved scene)"]
    has_it = FarmManifest.model_validate({"plugins": [
        {"product": "Phoenix", "dlls": ["PhoenixFD.dlo"]},
        {"product": "Forest Pack", "dlls": ["forestpackpro.dlo"]}]})
    assert found(preflight(tmp_path, "demo", manifest=has_it), "farm-plugins") == []
    # without a manifest it is a reminder, not a problem
    assert only(preflight(tmp_path, "demo"), "farm-plugins").severity is Severity.INFO


def test_unreachable_paths(demo: CheckReport, tmp_path: Path) -> None:
    finding = only(demo, "unreachable-paths")
    assert finding.fix == "enable-transfer"
    assert finding.subjects == [
        "Concrete_Wall (BitmapTexture): D:\\textures\\concrete_wall.png [local-drive]",
        "Fabric_Sofa (BitmapTexture): fabric_sofa.jpg [relative]",
        "Plant_Proxy (VRayProxy): D:\\proxies\\ficus_large.vrmesh [local-drive]"]
    shared_d = preflight(tmp_path, "demo", shared_drives=frozenset({"D:"}))
    assert only(shared_d, "unreachable-paths").subjects == [
        "Fabric_Sofa (BitmapTexture): fabric_sofa.jpg [relative]"]
    transfer = SERVERS.model_copy(deep=True)
    transfer.assets.transfer_missing = True
    assert found(preflight(tmp_path, "demo", transfer), "unreachable-paths") == []


def test_region_render(demo: CheckReport, clean: CheckReport) -> None:
    assert only(demo, "region-render").subjects == ["region"]
    assert found(clean, "region-render") == []


def test_demo_reports_every_planted_problem(demo: CheckReport) -> None:
    assert {f.check_id for f in demo.findings} == {
        "dr-off", "default-lights", "missing-maps", "missing-plugins", "farm-plugins",
        "unreachable-paths", "region-render"}


@pytest.mark.parametrize(("settings", "check_id", "subjects"), [
    (DRSettings(), "no-servers", []),
    (DRSettings(servers=[{"host": "r1", "port": 20204}, {"host": "R1", "port": 20204}]),
     "duplicate-servers", ["r1:20204 (listed 2 times)"]),
    (DRSettings(mode=Mode.DR2, servers=[{"host": "r1", "port": 20208}]),
     "dr2-no-dispatcher", []),
    (DRSettings(mode=Mode.DR2, dispatcher=Dispatcher(host="localhost", port=20208),
                servers=[{"host": "::1", "port": 20208}]),
     "dr2-localhost", ["[::1]:20208", "dispatcher localhost:20208"]),
    (DRSettings(servers=[{"host": "r1", "port": 20209}]),
     "engine-port-mismatch", ["r1:20209 (DR2 GPU port)"]),
    (DRSettings(save_servers_in_scene=True, servers=[{"host": "r1", "port": 20204}]),
     "servers-saved-in-scene", ["list_in_scene 1"]),
])
def test_server_list_checks_fire(tmp_path: Path, settings: DRSettings, check_id: str,
                                 subjects: list[str]) -> None:
    report = preflight(tmp_path, "clean", settings)
    assert only(report, check_id).subjects == subjects


@pytest.fixture
def listener() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_servers_offline_from_a_real_probe(tmp_path: Path, listener: int) -> None:
    with socket.socket() as closed:  # bound, never listening: refused, and the port stays ours
        closed.bind(("127.0.0.1", 0))
        refused_port = closed.getsockname()[1]
        settings = DRSettings(servers=[{"host": "127.0.0.1", "port": listener},
                                       {"host": "127.0.0.1", "port": refused_port}])
        results = probe([ProbeTarget(s.host, s.port) for s in settings.servers], timeout=1.0,
                        hint_ports=False)
    report = preflight(tmp_path, "clean", settings, probe_results=results)
    finding = only(report, "servers-offline")
    assert finding.severity is Severity.WARNING
    assert finding.subjects[0].startswith(f"127.0.0.1:{refused_port}: nothing listens")
    all_online = [r for r in results if r.ok]
    assert found(preflight(tmp_path, "clean", settings, probe_results=all_online),
                 "servers-offline") == []
