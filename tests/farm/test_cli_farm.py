"""The contract of issue 17 item 3, end to end against the fake Web Service."""

from __future__ import annotations

import json

import pytest

from .fake_deadline import FakeDeadline
from .helpers import ARTIST_CFG, MAX_YEAR, TOKEN, USER, Env, Vrdr, assert_no_secret_in_files


def test_workers_lists_name_address_state_pools_groups(env: Env, farm: FakeDeadline,
                                                       vrdr: Vrdr) -> None:
    farm.worker("render03").override = "127.0.0.40"
    run = vrdr("farm", "workers", "--user", USER, "--json")
    assert run.code == 0, run.err
    rows = {w["name"]: w for w in run.json()["workers"]}
    assert rows["render01"] == {"name": "render01", "address": "127.0.0.2", "state": "Idle",
                                "pools": ["dr"], "groups": []}
    assert rows["render05"]["state"] == "Offline"
    assert rows["render03"]["address"] == "127.0.0.40"  # the override, not Info.IP
    assert run.json()["version"] == 1
    # Basic authentication on every request, and only the documented read.
    [request] = farm.requests
    assert (request.method, request.path, request.query) == (
        "GET", "/api/slaves", {"Data": ["infosettings"]})
    assert request.authorization == f"Basic {TOKEN}"


def test_workers_filters_by_pool_and_group(env: Env, farm: FakeDeadline, vrdr: Vrdr) -> None:
    farm.worker("render01").groups = ["gpu"]
    names = [w["name"] for w in vrdr("farm", "workers", "--user", USER, "--pool", "sim",
                                     "--json").json()["workers"]]
    assert names == ["sim01"]
    text = vrdr("farm", "workers", "--user", USER, "--group", "gpu").out
    assert "render01" in text and "render02" not in text


def test_reserve_writes_only_the_machines_that_answer_then_release_restores(
        env: Env, farm: FakeDeadline, vrdr: Vrdr) -> None:
    run = vrdr("farm", "reserve", "--user", USER, "--servers", "4", "--cfg", str(env.cfg),
               "--json")
    assert run.code == 0, run.err
    report = run.json()
    port = farm.spawner_port
    names = sorted(m["name"] for m in report["servers"])
    assert names == ["render01", "render02", "render03"]
    assert [m["name"] for m in report["silent"]] == ["render04"]
    text = env.cfg.read_bytes()
    for address in ("127.0.0.2", "127.0.0.3", "127.0.0.4"):
        assert f"{address} 1 {port}\r\n".encode() in text
    assert b"127.0.0.5" not in text and b"oldbox" not in text  # silent and the old list: gone
    assert b"; the artist's own note\r\nrestart_slaves 1\r\n" in text  # the rest kept
    # What vrdr asked Deadline for (rest-jobs "Submit Job", the DBR submitters' JobInfo).
    [submit] = farm.sent("POST", "/api/jobs")
    assert submit.body["IdOnly"] is True and submit.body["AuxFiles"] == []
    info, plugin = submit.body["JobInfo"], submit.body["PluginInfo"]
    assert {k: info[k] for k in ("Plugin", "Frames", "ChunkSize", "Pool", "Priority")} == {
        "Plugin": "VraySpawner", "Frames": "0-3", "ChunkSize": "1", "Pool": "dr",
        "Priority": "50"}
    assert "Blacklist" in info  # this workstation, as Deadline's own DBR tools leave it out
    assert plugin == {"Version": f"Max{MAX_YEAR}", "PortNumber": str(port)}
    # render04 took the job and never listened: its task went back to the farm.
    job = farm.only_job()
    [drop] = farm.commands("/api/tasks")
    render04_task = next(t.task_id for t in job.tasks if t.worker == "render04")
    assert drop == {"Command": "complete", "JobID": job.job_id, "TaskList": [render04_task]}
    status = vrdr("farm", "status", "--json").json()
    [record] = status["reservations"]
    assert record["job_id"] == job.job_id and record["cfg_pending"] and record["job_open"]
    assert_no_secret_in_files(env.tmp)

    release = vrdr("farm", "release", "--user", USER, "--cfg", str(env.cfg))
    assert release.code == 0, release.err
    assert env.cfg.read_bytes() == ARTIST_CFG
    assert farm.commands("/api/jobs") == [{"Command": "complete", "JobID": job.job_id}]
    assert env.record_files() == []
    assert sorted(p.name for p in env.cfg.parent.iterdir()) == ["vray_dr.cfg"]  # no litter


def test_reserve_sends_pool_group_and_priority(env: Env, farm: FakeDeadline,
                                               vrdr: Vrdr) -> None:
    farm.worker("render01").groups = ["gpu"]
    run = vrdr("farm", "reserve", "--user", USER, "--servers", "1", "--pool", "dr",
               "--group", "gpu", "--priority", "70", "--cfg", str(env.cfg), "--json")
    assert run.code == 0, run.err
    info = farm.sent("POST", "/api/jobs")[0].body["JobInfo"]
    assert (info["Pool"], info["Group"], info["Priority"]) == ("dr", "gpu", "70")
    assert [m["name"] for m in run.json()["servers"]] == ["render01"]


def test_releasing_twice_is_harmless(env: Env, farm: FakeDeadline, vrdr: Vrdr) -> None:
    assert vrdr("farm", "reserve", "--user", USER, "--servers", "1", "--cfg",
                str(env.cfg)).code == 0
    job_id = farm.only_job().job_id
    assert vrdr("farm", "release", job_id, "--user", USER).code == 0
    again = vrdr("farm", "release", job_id, "--user", USER)  # no record: completes the job
    assert again.code == 0, again.err
    assert vrdr("farm", "release", "--user", USER, "--cfg", str(env.cfg)).out.startswith(
        "nothing on record")
    unknown = vrdr("farm", "release", "f" * 24, "--user", USER)  # gone from the farm
    assert unknown.code == 0, unknown.err
    assert env.cfg.read_bytes() == ARTIST_CFG


def test_reserve_with_no_machine_answering_releases_and_exits_1(
        env: Env, farm: FakeDeadline, vrdr: Vrdr) -> None:
    run = vrdr("farm", "reserve", "--user", USER, "--servers", "2", "--pool", "nobody-here",
               "--wait", "0.3", "--cfg", str(env.cfg))
    assert run.code == 1
    assert "no machine answered" in run.out
    assert env.cfg.read_bytes() == ARTIST_CFG
    job = farm.only_job()
    assert farm.commands("/api/jobs") == [{"Command": "complete", "JobID": job.job_id}]
    assert env.record_files() == []


def test_deadline_url_from_env_and_from_the_flag(env: Env, farm: FakeDeadline, vrdr: Vrdr,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from .helpers import write_user_config

    write_user_config(env.user_config, None)  # the config names no Web Service
    missing = vrdr("farm", "workers", "--user", USER)
    assert missing.code == 2 and "no Deadline Web Service" in missing.err
    monkeypatch.setenv("VRDR_DEADLINE_URL", farm.url)
    assert vrdr("farm", "workers", "--user", USER).code == 0
    monkeypatch.setenv("VRDR_DEADLINE_URL", "http://127.0.0.1:1")  # the flag wins over it
    assert vrdr("farm", "workers", "--user", USER, "--deadline", farm.url).code == 0


@pytest.mark.parametrize(("args", "says"), [
    (["--servers", "0"], "--servers 0"),
    (["--servers", "2", "--wait", "-1"], "--wait"),
    (["--servers", "2", "--priority", "101"], "--priority"),
    (["--servers", "2", "--deadline", "ftp://x:1"], "http://"),
    (["--servers", "2", "--deadline", f"http://{USER}:hunter2@127.0.0.1:1"], "never in the URL"),
    (["--servers", "2", "--max-version", "20266"], "2026"),
    (["--servers", "2", "--timeout", "0"], "--timeout 0.0: give more than 0"),
    (["--servers", "2", "--timeout", "nan"], "--timeout nan: give more than 0"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_is_asked(
        env: Env, farm: FakeDeadline, vrdr: Vrdr, args: list[str], says: str) -> None:
    run = vrdr("farm", "reserve", "--user", USER, "--cfg", str(env.cfg), *args)
    assert run.code == 2, run.out + run.err
    assert says in run.err and run.err.count("\n") == 1
    assert "hunter2" not in run.err  # a password typed into the URL is never repeated
    assert farm.requests == []
    assert env.cfg.read_bytes() == ARTIST_CFG


def test_a_cfg_vrdr_cannot_write_fails_before_the_farm_is_asked(
        env: Env, farm: FakeDeadline, vrdr: Vrdr) -> None:
    dangling = env.tmp / "vray_dr.cfg"
    dangling.symlink_to(env.tmp / "gone" / "vray_dr.cfg")
    run = vrdr("farm", "reserve", "--user", USER, "--servers", "1", "--cfg", str(dangling))
    assert run.code == 2 and "does not exist" in run.err
    assert farm.sent("POST", "/api/jobs") == []


def test_fieldcheck_against_the_fake_finds_every_field(env: Env, farm: FakeDeadline,
                                                       vrdr: Vrdr) -> None:
    assert vrdr("farm", "reserve", "--user", USER, "--servers", "1", "--cfg",
                str(env.cfg)).code == 0
    posts = len(farm.sent("POST", "/api/jobs"))
    run = vrdr("farm", "fieldcheck", "--user", USER, "--json")
    assert run.code == 0, run.out
    facts = {f["field"]: f for f in run.json()["fields"]}
    for name in ("worker Info.Stat", "worker Settings address override", "task TaskID",
                 "task Slave", "task Stat", "job Stat", "job id in a job"):
        assert facts[name]["status"] == "ok", facts[name]
    assert facts["worker Info.Stat"]["unverified"] is True
    assert len(farm.sent("POST", "/api/jobs")) == posts  # it submits nothing
    assert {r.method for r in farm.requests[-8:]} == {"GET"}


def test_fieldcheck_says_which_field_differs(env: Env, farm: FakeDeadline, vrdr: Vrdr,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    assert vrdr("farm", "reserve", "--user", USER, "--servers", "1", "--cfg",
                str(env.cfg)).code == 0
    original = farm._tasks

    def renamed(query: dict[str, str]) -> tuple[int, object]:
        status, tasks = original(query)
        return status, [{("Worker" if k == "Slave" else k): v for k, v in t.items()}
                        for t in tasks]

    monkeypatch.setattr(farm, "_tasks", renamed)
    run = vrdr("farm", "fieldcheck", "--user", USER)
    assert run.code == 1
    line = next(x for x in run.out.splitlines() if "task Slave" in x)
    assert line.startswith("missing") and "TASK_WORKER_KEY" in line and "Worker" in line


def test_status_json_has_no_cfg_bytes_and_no_credentials(env: Env, farm: FakeDeadline,
                                                         vrdr: Vrdr) -> None:
    assert vrdr("farm", "reserve", "--user", USER, "--servers", "1", "--cfg",
                str(env.cfg)).code == 0
    text = vrdr("farm", "status", "--json").out
    assert "oldbox" not in text and "cfg_before" not in text
    assert json.loads(text)["reservations"][0]["url"] == farm.url
