"""A hostile or broken Web Service: vrdr answers with one clear line and releases what it holds.

Raw answers come from a one-connection server on loopback (``_raw_server``) that sends exactly
the bytes a test gives; every socket has a timeout and every loop a bound.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from vrdr_max.farm.credentials import Credentials
from vrdr_max.farm.deadline import DeadlineClient
from vrdr_max.farm.errors import FarmError, FarmProtocolError, FarmUnreachableError
from vrdr_max.farm.http import WebService
from vrdr_max.farm.urls import parse_service_url

from .fake_deadline import FakeDeadline
from .helpers import ARTIST_CFG, PASSWORD, TOKEN, USER, Env, Vrdr, assert_no_secret

STEP_S = 0.05
"""Pause between two trickled bytes."""
TRICKLE_STEPS = 200
"""Most bytes a trickling server sends (so it gives up after about 10 s on its own)."""


Talk = Callable[[socket.socket], None]


@contextmanager
def _raw_server(talk: Talk) -> Iterator[str]:
    """A server on loopback that reads one request and runs ``talk`` on the connection."""
    listener = socket.socket()
    listener.settimeout(10.0)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10.0)
            try:
                conn.recv(65536)
                talk(conn)
            except OSError:
                pass  # the client gave up: that is what some tests want

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        thread.join(15.0)


def _trickle(head: bytes) -> Talk:
    def talk(conn: socket.socket) -> None:
        conn.sendall(head)
        for _ in range(TRICKLE_STEPS):
            threading.Event().wait(STEP_S)
            conn.sendall(b" ")
    return talk


def _service(url: str, **options: object) -> WebService:
    return WebService(parse_service_url(url), Credentials(USER, PASSWORD), retries=0,
                      **options)  # type: ignore[arg-type]


# -- answers -------------------------------------------------------------------------------

@pytest.mark.parametrize("head", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n[",  # a body that never ends
    b"HTTP/1.1 200 OK\r\nX-Slow: ",  # headers that never end
], ids=["body", "headers"])
def test_a_trickling_answer_ends_at_the_total_deadline(head: bytes) -> None:
    # Each byte comes well within the socket timeout; only a deadline for the whole answer
    # ends the request before the server gives up on its own.
    with _raw_server(_trickle(head)) as url, pytest.raises(FarmUnreachableError) as late:
        _service(url, timeout=0.5, total_timeout=0.5).get("/api/pools")
    assert f"GET {url}/api/pools: no complete answer within 0.5 s" in str(late.value)


def _say(data: bytes) -> Talk:
    def talk(conn: socket.socket) -> None:
        conn.sendall(data)
    return talk


@pytest.mark.parametrize("body", [b"[1,2", b"[]"], ids=["not JSON yet", "JSON already"])
def test_an_answer_cut_short_is_said_to_be_cut_short(body: bytes) -> None:
    # Content-Length says 100 bytes; the connection closes after a few. Even a cut that
    # happens to parse ("[]") is not the answer the Web Service meant.
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
    with _raw_server(_say(head + body)) as url, pytest.raises(FarmUnreachableError) as cut:
        _service(url, timeout=2.0).get("/api/pools")
    assert f"GET {url}/api/pools: the connection closed after {len(body)} of 100 bytes" in str(
        cut.value)


def test_an_answer_that_is_not_http_is_a_protocol_error() -> None:
    with _raw_server(_say(b"SSH-2.0-OpenSSH_9.6\r\n")) as url, \
            pytest.raises(FarmProtocolError) as wrong:
        _service(url, timeout=2.0).get("/api/pools")
    assert f"GET {url}/api/pools: the answer is not HTTP" in str(wrong.value)
    assert str(wrong.value).endswith(': "SSH-2.0-OpenSSH_9.6"')  # quoted


def test_a_too_deeply_nested_answer_to_a_write_is_a_protocol_error(farm: FakeDeadline) -> None:
    farm.answers[("POST", "/api/jobs")] = "[" * 100_000
    service = WebService(parse_service_url(farm.url), Credentials(USER, PASSWORD))
    with pytest.raises(FarmProtocolError, match=f"POST {farm.url}/api/jobs: "):
        service.send("POST", "/api/jobs", {})


def test_the_reason_phrase_never_carries_the_login() -> None:
    def talk(conn: socket.socket) -> None:
        conn.sendall(f"HTTP/1.1 500 Basic {TOKEN} {PASSWORD}\r\nContent-Length: 0\r\n"
                     "\r\n".encode())

    with _raw_server(talk) as url, pytest.raises(FarmError) as failed:
        _service(url, timeout=2.0).send("PUT", "/api/jobs", {})
    assert "HTTP 500" in str(failed.value)
    assert_no_secret(str(failed.value))


@pytest.mark.parametrize("stat", [[3], {"x": 1}])
def test_a_job_state_of_the_wrong_type_is_not_a_crash(farm: FakeDeadline, stat: object) -> None:
    from vrdr_max.farm.reservation import release_job

    farm.fail[("PUT", "/api/jobs")] = 500
    farm.answers[("GET", "/api/jobs")] = [{"_id": "j1", "Stat": stat}]
    client = DeadlineClient(WebService(parse_service_url(farm.url),
                                       Credentials(USER, PASSWORD), retries=0))
    report = release_job(client, "j1")
    assert not report.job_completed and "the job stays open" in report.messages[0]


@pytest.mark.parametrize("answer", [None, "Error", 42, [None]], ids=repr)
def test_a_job_answer_of_the_wrong_shape_is_not_taken_for_a_released_job(
        env: Env, farm: FakeDeadline, vrdr: Vrdr, answer: object) -> None:
    assert vrdr("farm", "reserve", "--user", USER, "--servers", "1",
                "--cfg", str(env.cfg)).code == 0
    farm.fail[("PUT", "/api/jobs")] = 500
    farm.answers[("GET", "/api/jobs")] = answer
    run = vrdr("farm", "release", "--user", USER, "--cfg", str(env.cfg))
    assert run.code == 1 and "the job stays open" in run.out
    assert len(env.record_files()) == 1  # still on record: the machines are not free yet
    assert env.cfg.read_bytes() == ARTIST_CFG


def test_fieldcheck_names_a_job_answer_of_the_wrong_shape(env: Env, farm: FakeDeadline,
                                                          vrdr: Vrdr) -> None:
    farm.answers[("GET", "/api/jobs")] = None
    run = vrdr("farm", "fieldcheck", "--user", USER, "--job", "abc", "--json")
    assert run.code == 1
    facts = {f["field"]: f for f in run.json()["fields"]}
    assert facts["GET /api/jobs?JobID=abc"]["status"] == "different"  # not "no such job"
    assert "expected a list of jobs, got NoneType" in facts["GET /api/jobs?JobID=abc"]["found"]


# -- release on every path -------------------------------------------------------------------

@pytest.mark.parametrize("fault", ["down", "401"])
def test_releasing_an_unrecorded_job_the_service_will_not_complete_is_exit_1(
        env: Env, farm: FakeDeadline, vrdr: Vrdr, monkeypatch: pytest.MonkeyPatch,
        fault: str) -> None:
    if fault == "down":
        farm.stop_http()
    else:
        monkeypatch.setenv("VRDR_DEADLINE_PASSWORD", "wrong")
    run = vrdr("farm", "release", "000000000000000000000009", "--user", USER)
    assert run.code == 1, run.err
    assert "the job stays open" in run.out and "/api/jobs" in run.out
    assert "internal error" not in run.err


def test_a_lost_answer_to_the_submission_names_the_job_that_may_exist(
        env: Env, farm: FakeDeadline, vrdr: Vrdr) -> None:
    from .helpers import write_user_config

    write_user_config(env.user_config, farm, http_timeout=0.3)
    farm.delay[("POST", "/api/jobs")] = 1.0  # the job is made after vrdr stopped waiting
    run = vrdr("farm", "reserve", "--user", USER, "--servers", "1", "--cfg", str(env.cfg))
    assert run.code == 1 and run.err.count("\n") == 1
    farm.wait_for(lambda: bool(farm.jobs))
    job = farm.only_job()
    assert "no answer within 0.3 s" in run.err
    assert f'"{job.info["Name"]}"' in run.err and "Deadline Monitor" in run.err
    assert env.cfg.read_bytes() == ARTIST_CFG


def test_a_refused_connection_at_submission_says_nothing_was_reserved(
        env: Env, farm: FakeDeadline, vrdr: Vrdr) -> None:
    farm.stop_http()
    run = vrdr("farm", "reserve", "--user", USER, "--servers", "1", "--cfg", str(env.cfg))
    assert run.code == 1 and "connection refused" in run.err
    assert "Deadline Monitor" not in run.err  # the request never reached it


def test_more_machines_than_the_job_has_tasks_are_not_probed(
        env: Env, farm: FakeDeadline, tmp_path: Path) -> None:
    # A job of N tasks is rendered by N machines at most: a longer list is not its answer,
    # and probing it would let the Web Service point vrdr at any number of addresses.
    from vrdr_max.farm.records import RecordStore
    from vrdr_max.farm.reservation import ReserveOptions, reserve
    from vrdr_max.ports import Engine
    from vrdr_max.probe import ProbeResult, ProbeState, ProbeTarget

    farm.answers[("GET", "/api/slavesrenderingjob")] = [f"127.0.9.{i}" for i in range(1, 4)]
    probed: list[int] = []

    def prober(targets: list[ProbeTarget], timeout: float) -> list[ProbeResult]:
        probed.append(len(targets))
        return [ProbeResult(host=t.host, port=t.port, state=ProbeState.ONLINE, address=None,
                            latency_ms=None, message="stub") for t in targets]

    client = DeadlineClient(WebService(parse_service_url(farm.url),
                                       Credentials(USER, PASSWORD)))
    options = ReserveOptions(servers=2, engine=Engine.CPU, max_year=2026, port=20204,
                             wait=0.2, poll_interval=0.05)
    report = reserve(client, options, env.cfg, store=RecordStore(tmp_path / "records"),
                     prober=prober)
    assert probed == [] and report.servers == [] and report.released
    assert any("3 machines for a job of 2 tasks" in m for m in report.messages)
    assert env.cfg.read_bytes() == ARTIST_CFG


# -- credentials ---------------------------------------------------------------------------

@pytest.mark.parametrize("password", ['p"w\\1', "p w%1/é", "p\nw:@1"], ids=repr)
def test_an_error_echoing_the_password_escaped_never_shows_it(password: str) -> None:
    import json
    import urllib.parse

    forms = {password, json.dumps(password)[1:-1], json.dumps(password, ensure_ascii=False)[1:-1],
             urllib.parse.quote(password), urllib.parse.quote_plus(password)}
    body = ("bad login " + " | ".join(sorted(forms))).encode()  # as a server might echo it

    def talk(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 500 Error\r\nContent-Length: %d\r\n\r\n" % len(body) + body)

    with _raw_server(talk) as url, pytest.raises(FarmError) as failed:
        WebService(parse_service_url(url), Credentials(USER, password), timeout=2.0,
                   retries=0).send("PUT", "/api/jobs", {})
    message = str(failed.value)
    assert "bad login" in message
    for form in forms:
        assert form not in message, form


def test_ctrl_c_during_the_submission_names_the_job_that_may_exist(
        env: Env, farm: FakeDeadline, vrdr: Vrdr, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = WebService.send

    def interrupted(self: WebService, method: str, path: str, body: object) -> object:
        if method == "POST":  # Ctrl+C while the POST waits for its answer
            sent(self, method, path, body)
            raise KeyboardInterrupt
        return sent(self, method, path, body)

    monkeypatch.setattr(WebService, "send", interrupted)
    run = vrdr("farm", "reserve", "--user", USER, "--servers", "1", "--cfg", str(env.cfg))
    assert run.code == 130
    job = farm.only_job()  # made, and vrdr never learnt its id
    assert "reservation is undone" not in run.err
    assert f'"{job.info["Name"]}"' in run.err and "Deadline Monitor" in run.err
    assert env.cfg.read_bytes() == ARTIST_CFG and env.record_files() == []
