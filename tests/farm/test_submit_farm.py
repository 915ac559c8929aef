"""``vrdr submit --farm-servers N``: reserve, render, release as one transaction."""

from __future__ import annotations

import json
from typing import Any

import pytest

import mock_pymxs
from vrdr_max import submit as submit_module

from .fake_deadline import FakeDeadline
from .helpers import ARTIST_CFG, USER, Env, Vrdr, assert_no_secret_in_files

CLEAN = str(mock_pymxs.SCENES_DIR / "clean.json")


def _submit(vrdr: Vrdr, env: Env, *extra: str, servers: str = "4") -> Any:
    return vrdr("submit", "--scene", CLEAN, "--cfg", str(env.cfg), "--farm-servers", servers,
                "--user", USER, *extra)


def test_submit_renders_with_the_farm_servers_and_releases(env: Env, farm: FakeDeadline,
                                                           vrdr: Vrdr) -> None:
    run = _submit(vrdr, env, "--json")
    assert run.code == 0, run.out + run.err
    doc = run.json()
    port = farm.spawner_port
    assert sorted(doc["plan"]["server_lines"]) == [
        f"127.0.0.{n} 1 {port}" for n in (2, 3, 4)]
    assert doc["report"]["status"] == "rendered"
    assert doc["farm"]["release"] == {"job_id": farm.only_job().job_id, "job_completed": True,
                                      "cfg_restored": True, "record_removed": True,
                                      "messages": []}
    [submit] = farm.sent("POST", "/api/jobs")
    assert submit.body["PluginInfo"]["Version"] == "Max2025"  # the scene's 3ds Max
    assert submit.body["JobInfo"]["Pool"] == "dr"
    assert env.cfg.read_bytes() == ARTIST_CFG
    assert env.record_files() == []
    assert_no_secret_in_files(env.tmp)


def test_with_farm_servers_pool_names_the_deadline_pool_not_a_vrdr_pool(
        env: Env, farm: FakeDeadline, vrdr: Vrdr) -> None:
    config = json.loads(env.user_config.read_text(encoding="utf-8"))
    config["pools"] = {"night": {"servers": ["10.9.9.9"]}}
    config["defaults"]["pool"] = "night"  # a vrdr pool default must not replace the farm's
    env.user_config.write_text(json.dumps(config), encoding="utf-8")
    run = _submit(vrdr, env, "--pool", "sim", "--json")
    doc = run.json()
    assert farm.sent("POST", "/api/jobs")[0].body["JobInfo"]["Pool"] == "sim"
    assert doc["plan"]["server_lines"] == [f"127.0.0.7 1 {farm.spawner_port}"]
    assert run.code == 0, run.out
    assert env.cfg.read_bytes() == ARTIST_CFG


def test_submit_without_any_machine_answering_does_not_render(env: Env, farm: FakeDeadline,
                                                               vrdr: Vrdr) -> None:
    run = _submit(vrdr, env, "--pool", "nobody-here", "--wait", "0.3", "--json")
    assert run.code == 1
    doc = run.json()
    assert "plan" not in doc and doc["farm"]["reservation"]["released"] is True
    assert env.cfg.read_bytes() == ARTIST_CFG and env.record_files() == []


def test_ctrl_c_during_the_render_releases_and_restores(env: Env, farm: FakeDeadline,
                                                        vrdr: Vrdr,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bytes] = []

    def interrupted(host: Any, plan: Any, **kwargs: Any) -> Any:
        seen.append(env.cfg.read_bytes())  # what V-Ray would read at render time
        raise KeyboardInterrupt

    monkeypatch.setattr(submit_module, "execute", interrupted)
    run = _submit(vrdr, env)
    assert run.code == 130 and "interrupted" in run.err
    assert f"127.0.0.2 1 {farm.spawner_port}".encode() in seen[0]
    job = farm.only_job()
    assert farm.commands("/api/jobs") == [{"Command": "complete", "JobID": job.job_id}]
    assert env.cfg.read_bytes() == ARTIST_CFG and env.record_files() == []


def test_a_failing_release_after_the_render_is_exit_1(env: Env, farm: FakeDeadline,
                                                      vrdr: Vrdr,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    real = submit_module.execute

    def render_then_farm_goes_down(host: Any, plan: Any, **kwargs: Any) -> Any:
        report = real(host, plan, **kwargs)
        farm.stop_http()
        return report

    monkeypatch.setattr(submit_module, "execute", render_then_farm_goes_down)
    run = _submit(vrdr, env)
    assert run.code == 1
    assert "the job stays open" in run.out
    assert env.cfg.read_bytes() == ARTIST_CFG  # the cfg comes back; the job stays on record
    assert len(env.record_files()) == 1
