"""Port ranges as Deadline writes them (``host 1 20204-20212``): read, checked, kept."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from vrdr_max.cfgfile import CPU_CFG_NAME, CfgFile
from vrdr_max.checks import CheckContext, Severity, run
from vrdr_max.cli.main import main
from vrdr_max.facts import SceneFacts
from vrdr_max.models import DRSettings, RenderServer
from vrdr_max.ports import Engine
from vrdr_max.renderers import identify_renderer

GOLDEN = Path(__file__).parent / "golden" / "deadline_vray_dr.cfg"


def findings(settings: DRSettings) -> dict[str, list[str]]:
    facts = SceneFacts.model_validate({"renderer": identify_renderer("V_Ray_6__update_2_1"),
                                       "dr_enabled": True})
    report = run(CheckContext(facts=facts, settings=settings))
    return {f.check_id: f.subjects for f in report.findings if f.severity is not Severity.INFO}


def test_deadline_file_has_servers_so_no_servers_stays_quiet(tmp_path: Path) -> None:
    path = tmp_path / CPU_CFG_NAME
    shutil.copyfile(GOLDEN, path)
    cfg = CfgFile.load(path)
    assert [s.endpoint for s in cfg.settings.servers] == [
        "node01:20204-20212", "node02:20204", "10.0.0.7:20204-20205"]
    assert "no-servers" not in findings(cfg.settings)


def test_adding_to_a_deadline_file_keeps_every_byte(tmp_path: Path) -> None:
    path = tmp_path / CPU_CFG_NAME
    shutil.copyfile(GOLDEN, path)
    cfg = CfgFile.load(path)
    assert not cfg.settings.add_server("node01", 20210)  # inside node01's range
    assert cfg.settings.add_server("node09")
    cfg.save()
    data = path.read_bytes()
    assert data.replace(b"node09 1 20204\r\n", b"", 1) == GOLDEN.read_bytes()
    assert not cfg.save().changed


def test_a_range_over_the_gpu_port_is_an_engine_port_mismatch() -> None:
    cpu = DRSettings(servers=[RenderServer(host="r1", port=20204, port_end=20206)])
    assert findings(cpu)["engine-port-mismatch"] == ["r1:20204-20206 (DR GPU port)"]
    clear = DRSettings(servers=[RenderServer(host="r1", port=20204, port_end=20205)])
    assert "engine-port-mismatch" not in findings(clear)


def test_overlapping_ranges_on_one_host_are_duplicates() -> None:
    settings = DRSettings(servers=[RenderServer(host="r1", port=20204, port_end=20212),
                                   RenderServer(host="R1", port=20208),
                                   RenderServer(host="r2", port=20208),
                                   RenderServer(host="r1", port=20213, port_end=20220)])
    assert findings(settings)["duplicate-servers"] == [
        "R1:20208 (shares ports with r1:20204-20212)"]
    exact = DRSettings(servers=[RenderServer(host="r1", port=20204, port_end=20212)] * 2)
    assert findings(exact)["duplicate-servers"] == ["r1:20204-20212 (listed 2 times)"]


def test_gpu_golden_reads_ranges() -> None:
    cfg = CfgFile.load(GOLDEN.with_name("deadline_vrayrt_dr.cfg"), Engine.GPU)
    assert [list(s.ports) for s in cfg.settings.servers] == [[20206, 20207], [20206]]


def test_cfg_show_json_gives_the_range(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    path = tmp_path / CPU_CFG_NAME
    shutil.copyfile(GOLDEN, path)
    assert main(["servers", "list", "--cfg", str(path), "--json"]) == 0
    servers = json.loads(capsys.readouterr().out)["servers"]
    assert servers[:2] == [{"host": "node01", "port": 20204, "port_end": 20212, "enabled": True},
                           {"host": "node02", "port": 20204, "enabled": True}]
