"""Every way a reservation can go wrong (issue 17 "Faults"): the cfg stays byte-identical,
the job is released or left on record, and no credential appears in any output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .fake_deadline import OFFLINE, FakeDeadline
from .helpers import (
    ARTIST_CFG,
    USER,
    Env,
    Run,
    Vrdr,
    assert_no_secret,
    assert_no_secret_in_files,
    write_user_config,
)

WAIT_S = 10.0
"""Longest a test waits on a subprocess or the fake farm (every loop is bounded by it)."""


def _reserve(vrdr: Vrdr, env: Env, *extra: str, servers: str = "2") -> Run:
    return vrdr("farm", "reserve", "--user", USER, "--servers", servers, "--cfg", str(env.cfg),
                *extra)


def test_401_refused_login_exits_2_and_asks_nothing_else(
        env: Env, farm: FakeDeadline, vrdr: Vrdr, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VRDR_DEADLINE_PASSWORD", "wrong-password")
    run = _reserve(vrdr, env)
    assert run.code == 2
    err = run.err
    assert "HTTP 401" in err and farm.url in err and "user artist" in err
    assert err.count("\n") == 1
    assert "wrong-password" not in err
    assert [r.method for r in farm.requests] == ["POST"]  # nothing was reserved
    assert farm.jobs == {} and env.record_files() == []
    assert env.cfg.read_bytes() == ARTIST_CFG


def test_no_user_against_a_service_that_wants_one(env: Env, farm: FakeDeadline,
                                                  vrdr: Vrdr) -> None:
    run = vrdr("farm", "workers")
    assert run.code == 2 and "pass --user NAME" in run.err


def test_500_on_submit_exits_1_with_the_url_and_status(env: Env, farm: FakeDeadline,
                                                       vrdr: Vrdr) -> None:
    farm.fail[("POST", "/api/jobs")] = 500
    run = _reserve(vrdr, env)
    assert run.code == 1
    err = run.err
    assert f"POST {farm.url}/api/jobs: HTTP 500" in err
    assert "exception occurred within the Deadline code" in err  # the answer, quoted
    assert len(farm.sent("POST", "/api/jobs")) == 1  # a write is never retried
    assert env.cfg.read_bytes() == ARTIST_CFG and env.record_files() == []


def test_a_slow_answer_times_out_names_the_url_and_releases(env: Env, farm: FakeDeadline,
                                                             vrdr: Vrdr) -> None:
    write_user_config(env.user_config, farm, http_timeout=0.3, wait=0.5)
    farm.delay[("GET", "/api/slavesrenderingjob")] = 1.0
    run = _reserve(vrdr, env)
    assert run.code == 1
    out = run.out
    assert "no answer within 0.3 s" in out and f"{farm.url}/api/slavesrenderingjob" in out
    assert len(farm.sent("GET", "/api/slavesrenderingjob")) == 3  # a read is retried twice
    job = farm.only_job()
    assert farm.commands("/api/jobs") == [{"Command": "complete", "JobID": job.job_id}]
    assert env.cfg.read_bytes() == ARTIST_CFG and env.record_files() == []


def test_a_malformed_submission_answer_is_a_clear_error(env: Env, farm: FakeDeadline,
                                                        vrdr: Vrdr) -> None:
    farm.malformed.add(("POST", "/api/jobs"))
    run = _reserve(vrdr, env)
    assert run.code == 1
    assert "holds no job id" in run.err and f"{farm.url}/api/jobs" in run.err
    assert env.cfg.read_bytes() == ARTIST_CFG and env.record_files() == []


def test_a_malformed_poll_answer_ends_in_a_release(env: Env, farm: FakeDeadline,
                                                   vrdr: Vrdr) -> None:
    write_user_config(env.user_config, farm, wait=0.4)
    farm.malformed.add(("GET", "/api/slavesrenderingjob"))
    run = _reserve(vrdr, env)
    assert run.code == 1
    assert "is not JSON" in run.out
    assert farm.commands("/api/jobs")[0]["Command"] == "complete"
    assert env.cfg.read_bytes() == ARTIST_CFG


def test_web_service_down_at_reserve(env: Env, farm: FakeDeadline, vrdr: Vrdr) -> None:
    farm.stop_http()
    run = _reserve(vrdr, env)
    assert run.code == 1
    assert "connection refused" in run.err and farm.url in run.err
    assert env.cfg.read_bytes() == ARTIST_CFG and env.record_files() == []


def test_web_service_down_at_release_keeps_the_record_then_releases(
        env: Env, farm: FakeDeadline, vrdr: Vrdr) -> None:
    assert _reserve(vrdr, env).code == 0
    job = farm.only_job()
    farm.stop_http()
    down = vrdr("farm", "release", "--user", USER, "--cfg", str(env.cfg))
    assert down.code == 1
    assert "the job stays open" in down.out and "still on record" in down.out
    assert env.cfg.read_bytes() == ARTIST_CFG  # the cfg comes back regardless
    [record] = vrdr("farm", "status", "--json").json()["reservations"]
    assert record["job_open"] and not record["cfg_pending"]
    farm.start_http()
    back = vrdr("farm", "release", "--user", USER)
    assert back.code == 0, back.out
    assert farm.commands("/api/jobs") == [{"Command": "complete", "JobID": job.job_id}]
    assert env.record_files() == [] and env.cfg.read_bytes() == ARTIST_CFG


def test_a_worker_going_offline_after_pickup_is_reported_and_dropped(
        env: Env, farm: FakeDeadline, vrdr: Vrdr) -> None:
    farm.worker("render02").offline_after_pickup = True
    run = _reserve(vrdr, env, "--json", servers="4")
    assert run.code == 0
    report = run.json()
    silent = {m["name"]: m for m in report["silent"]}
    assert silent["render02"]["state"] == "Offline"
    assert b"127.0.0.3" not in env.cfg.read_bytes()
    job = farm.only_job()
    dropped = set(farm.commands("/api/tasks")[0]["TaskList"])
    assert {t.task_id for t in job.tasks if t.worker in {"render02", "render04"}} <= dropped
    assert farm.worker("render02").state == OFFLINE


def test_fewer_machines_than_asked_by_the_deadline(env: Env, farm: FakeDeadline,
                                                   vrdr: Vrdr) -> None:
    write_user_config(env.user_config, farm, wait=0.6)
    run = _reserve(vrdr, env, "--json", servers="6")
    assert run.code == 0
    report = run.json()
    assert report["asked"] == 6 and report["answered"] == 3
    assert any("nobody took" in m for m in report["messages"])
    job = farm.only_job()
    # The two places nobody took and render04's task went back: no machine joins unseen later.
    assert sorted(farm.commands("/api/tasks")[0]["TaskList"]) == sorted(
        t.task_id for t in job.tasks if t.worker in ("", "render04"))
    assert env.cfg.read_bytes().count(b" 1 ") == 3


def _vrdr_process(env: Env, *args: str) -> subprocess.Popen[str]:
    code = "from vrdr_max.cli.main import main; raise SystemExit(main())"
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))


def _start_waiting_reservation(env: Env, farm: FakeDeadline) -> subprocess.Popen[str]:
    write_user_config(env.user_config, farm, wait=30.0, pool="nobody-here")
    proc = _vrdr_process(env, "farm", "reserve", "--user", USER, "--servers", "2", "--cfg",
                         str(env.cfg))
    farm.wait_for(lambda: len(farm.sent("GET", "/api/slavesrenderingjob")) >= 2, WAIT_S)
    return proc


def test_ctrl_c_during_the_wait_releases_and_restores(env: Env, farm: FakeDeadline) -> None:
    proc = _start_waiting_reservation(env, farm)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=WAIT_S)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert_no_secret(out, err)
    job = farm.only_job()
    assert farm.commands("/api/jobs") == [{"Command": "complete", "JobID": job.job_id}]
    assert env.cfg.read_bytes() == ARTIST_CFG and env.record_files() == []


def test_a_crash_between_reserve_and_release_is_released_next_time(
        env: Env, farm: FakeDeadline, vrdr: Vrdr) -> None:
    proc = _start_waiting_reservation(env, farm)
    proc.kill()  # no handler runs: the record is all that is left
    out, err = proc.communicate(timeout=WAIT_S)
    assert_no_secret(out, err)
    assert farm.commands("/api/jobs") == []
    [record] = vrdr("farm", "status", "--json").json()["reservations"]
    assert record["stale"] and record["job_open"]
    assert "left behind by a process that is gone" in vrdr("farm", "status").out
    assert_no_secret_in_files(env.tmp)
    release = vrdr("farm", "release", "--user", USER)
    assert release.code == 0, release.out
    job = farm.only_job()
    assert farm.commands("/api/jobs") == [{"Command": "complete", "JobID": job.job_id}]
    assert env.cfg.read_bytes() == ARTIST_CFG and env.record_files() == []


def test_a_crash_after_the_cfg_was_written_is_restored_next_time(
        env: Env, farm: FakeDeadline, vrdr: Vrdr, tmp_path: Path) -> None:
    # `vrdr farm reserve` leaves the reservation open by design: the process that wrote the
    # cfg is gone before anything releases it, as after a 3ds Max crash.
    assert _reserve(vrdr, env).code == 0
    assert env.cfg.read_bytes() != ARTIST_CFG
    assert vrdr("farm", "release", "--user", USER).code == 0
    assert env.cfg.read_bytes() == ARTIST_CFG


def test_someone_editing_the_cfg_meanwhile_is_left_alone(env: Env, farm: FakeDeadline,
                                                         vrdr: Vrdr) -> None:
    assert _reserve(vrdr, env).code == 0
    edited = env.cfg.read_bytes() + b"added-by-hand 1 20204\r\n"
    env.cfg.write_bytes(edited)
    run = vrdr("farm", "release", "--user", USER)
    assert run.code == 0 and "changed after vrdr wrote it" in run.out
    assert env.cfg.read_bytes() == edited


def test_a_record_is_stale_only_when_its_process_is_gone_from_this_machine(
        tmp_path: Path) -> None:
    import socket as socket_module

    from vrdr_max.farm.records import ReservationRecord
    from vrdr_max.ports import Engine

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(WAIT_S)

    def record(pid: int, host: str, **state: bool) -> ReservationRecord:
        return ReservationRecord(job_id="j", job_name="n", url="http://h:1", cfg_path="c",
                                 engine=Engine.CPU, pid=pid, host=host, **state)

    here = socket_module.gethostname()
    assert record(gone.pid, here).stale()  # gone while it waited for machines
    assert record(gone.pid, here, finished=True, session=True).stale()  # a render's, gone
    assert not record(gone.pid, here, finished=True).stale()  # `vrdr farm reserve`: planned
    assert not record(os.getpid(), here).stale()
    assert not record(gone.pid, "another-machine").stale()


def test_a_cfg_edited_during_the_wait_is_kept_and_the_job_released(
        env: Env, farm: FakeDeadline, vrdr: Vrdr, monkeypatch: pytest.MonkeyPatch) -> None:
    from vrdr_max.farm import reservation

    edited = ARTIST_CFG + b"added-by-hand 1 20204\r\n"
    real = reservation._drop_the_rest

    def artist_saves_meanwhile(*args: object) -> None:
        env.cfg.write_bytes(edited)  # V-Ray's dialog saved while vrdr waited
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(reservation, "_drop_the_rest", artist_saves_meanwhile)
    run = _reserve(vrdr, env)
    assert run.code == 2 and "changed on disk" in run.err
    assert env.cfg.read_bytes() == edited
    job = farm.only_job()
    assert farm.commands("/api/jobs") == [{"Command": "complete", "JobID": job.job_id}]
    assert env.record_files() == []
