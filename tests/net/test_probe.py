"""Probing over real sockets: every state, the concurrency bound, cancel, progress, IPv6, netns."""

from __future__ import annotations

import _socket
import asyncio
import gc
import json
import resource
import select
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from vrdr_max import probe as probe_module
from vrdr_max.errors import InputError
from vrdr_max.models import Dispatcher, DRSettings, RenderServer
from vrdr_max.ports import Mode
from vrdr_max.probe import (
    CANCELLED_MESSAGE,
    ProbeResult,
    ProbeState,
    ProbeTarget,
    probe,
    probe_async,
    summarise,
    targets_from_settings,
)

from . import netns
from .conftest import (
    SERVER_WAIT_S,
    AcceptingServer,
    Blackholes,
    closed_port_socket,
    full_listener,
    range_with_middle_refused,
)

LOCAL = "127.0.0.1"
SPARE_LOOPBACK = "127.63.0.1"
"""A loopback address nothing else on this machine uses, so well-known ports are free there."""


def test_online_connection_is_closed_without_sending_anything(
        accepting_server: AcceptingServer) -> None:
    served = accepting_server.serve(connections=1)
    [result] = probe([ProbeTarget(LOCAL, accepting_server.port)])
    served.join(timeout=10)
    assert result.state is ProbeState.ONLINE
    assert result.ok
    assert result.address == LOCAL
    assert result.latency_ms is not None
    assert result.latency_ms >= 0
    assert f"accepted on {accepting_server.port}" == result.message
    assert accepting_server.received == [b""]


def test_refused_names_port_and_cause(closed_port: int) -> None:
    [result] = probe([ProbeTarget(LOCAL, closed_port)], hint_ports=False)
    assert result.state is ProbeState.REFUSED
    assert not result.ok
    assert result.address == LOCAL
    assert result.latency_ms is not None
    assert result.message == f"nothing listens on {closed_port}: is the render server running?"


@pytest.mark.dr_ports
def test_refused_on_a_dr_port_names_role_and_spawner() -> None:
    with closed_port_socket(SPARE_LOOPBACK, 20204):
        [result] = probe([ProbeTarget(SPARE_LOOPBACK, 20204)])
    assert result.state is ProbeState.REFUSED
    assert result.other_port is None
    assert result.message == "nothing listens on 20204 (DR CPU): is the spawner running?"


@pytest.mark.dr_ports
def test_refused_dispatcher_says_dispatcher() -> None:
    with closed_port_socket(SPARE_LOOPBACK, 20208):
        [result] = probe([ProbeTarget(SPARE_LOOPBACK, 20208, "dispatcher")], hint_ports=False)
    assert result.message == "nothing listens on 20208 (DR2 CPU): is the dispatcher running?"
    assert result.label == "dispatcher"


@pytest.mark.dr_ports
def test_refused_points_at_the_dr_port_that_does_accept() -> None:
    host = "127.63.0.2"
    gpu = socket.create_server((host, 20206))
    with gpu, closed_port_socket(host, 20204):
        [result] = probe([ProbeTarget(host, 20204)])
        [without_hint] = probe([ProbeTarget(host, 20204)], hint_ports=False)
    assert result.state is ProbeState.REFUSED
    assert result.other_port == 20206
    assert result.message == ("nothing listens on 20204 (DR CPU), but 20206 (DR GPU) "
                              "accepts: wrong port in the server list?")
    assert without_hint.other_port is None


def test_full_accept_queue_times_out(blackholes: Blackholes) -> None:
    port = blackholes.make()
    [result] = probe([ProbeTarget(LOCAL, port)], timeout=0.3)
    assert result.state is ProbeState.TIMEOUT
    assert result.address == LOCAL
    assert result.latency_ms is None
    assert result.message == f"no answer on {port} within 0.3 s: firewall or host down?"


@pytest.mark.parametrize("watcher", ["epoll", "poll", "select"])
def test_every_way_of_watching_sockets_tells_the_states_apart(
        watcher: str, online_port: int, closed_port: int, blackholes: Blackholes,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The probe takes epoll where there is one (Linux), else poll (other POSIX systems), else
    # select (Windows); hiding the better ones here runs each of them on this machine.
    for better in ("epoll", "poll")[:("epoll", "poll", "select").index(watcher)]:
        monkeypatch.delattr(select, better)
    if not hasattr(select, watcher):
        pytest.skip(f"this system has no {watcher}")
    blackhole = blackholes.make()
    results = probe([ProbeTarget(LOCAL, online_port), ProbeTarget(LOCAL, closed_port),
                     ProbeTarget(LOCAL, blackhole)], timeout=0.3, hint_ports=False)
    assert [r.state for r in results] == [ProbeState.ONLINE, ProbeState.REFUSED,
                                          ProbeState.TIMEOUT]


def test_results_keep_target_order_and_progress_reports_each_target_once(
        online_port: int, closed_port: int, blackholes: Blackholes) -> None:
    blackhole = blackholes.make()
    targets = [ProbeTarget(LOCAL, blackhole), ProbeTarget(LOCAL, online_port),
               ProbeTarget(LOCAL, closed_port), ProbeTarget("::1", closed_port)]
    calls: list[tuple[int, int, ProbeResult]] = []
    results = probe(targets, timeout=0.3, hint_ports=False,
                    progress=lambda done, total, r: calls.append((done, total, r)))
    assert [(r.host, r.port) for r in results] == [(t.host, t.port) for t in targets]
    assert results[0].state is ProbeState.TIMEOUT
    assert results[1].state is ProbeState.ONLINE
    assert results[2].state is ProbeState.REFUSED
    assert [c[0] for c in calls] == [1, 2, 3, 4]
    assert {c[1] for c in calls} == {4}
    assert sorted(map(id, (c[2] for c in calls))) == sorted(map(id, results))
    assert calls[-1][2] is results[0]  # the timeout is the last to come back


def test_identical_endpoints_are_probed_once_and_reported_per_target(
        accepting_server: AcceptingServer) -> None:
    served = accepting_server.serve(connections=2)
    port = accepting_server.port
    results = probe([ProbeTarget(LOCAL, port), ProbeTarget(LOCAL, port, "dispatcher")])
    with socket.create_connection((LOCAL, port), timeout=10) as sentinel:
        sentinel.sendall(b"end")  # whatever the probe did arrived before this
    served.join(timeout=10)
    assert [r.state for r in results] == [ProbeState.ONLINE, ProbeState.ONLINE]
    assert [r.label for r in results] == ["server", "dispatcher"]
    assert accepting_server.received == [b"", b"end"]


class HandshakeLog(_socket.socket):
    """``socket.socket`` that logs ("start"|"end", sockaddr) when a connect starts and when the
    socket closes, in order: exact, unlike sampling the kernel's socket table, where an
    aborted connect can linger for a moment. The probe lets go of the object once a handshake
    is under way (``detach``) and closes the descriptor itself (``probe._close``), so those
    are logged by descriptor."""

    events: list[tuple[str, tuple[Any, ...]]]
    detached: dict[int, tuple[Any, ...]]

    def connect_ex(self, address: Any) -> int:
        self._sockaddr = tuple(address)
        self.events.append(("start", self._sockaddr))
        return super().connect_ex(address)

    def connect(self, address: Any) -> None:
        self._sockaddr = tuple(address)
        self.events.append(("start", self._sockaddr))
        super().connect(address)

    def detach(self) -> int:
        fd = super().detach()
        if hasattr(self, "_sockaddr"):
            self.detached[fd] = self._sockaddr
        return fd

    def close(self) -> None:
        if self.fileno() != -1 and hasattr(self, "_sockaddr"):
            self.events.append(("end", self._sockaddr))
        super().close()


def counting_connects(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    """Log the probe's handshakes (see HandshakeLog); the events in order."""
    events: list[tuple[str, tuple[Any, ...]]] = []
    detached: dict[int, tuple[Any, ...]] = {}
    monkeypatch.setattr(HandshakeLog, "events", events, raising=False)
    monkeypatch.setattr(HandshakeLog, "detached", detached, raising=False)
    monkeypatch.setattr(probe_module, "_RawSocket", HandshakeLog)
    close = probe_module._close

    def logged_close(fd: int) -> None:
        events.append(("end", detached.pop(fd)))
        close(fd)

    monkeypatch.setattr(probe_module, "_close", logged_close)
    return events


def peak_in_flight(events: list[tuple[str, tuple[Any, ...]]]) -> int:
    inflight = peak = 0
    for kind, _ in events:
        inflight += 1 if kind == "start" else -1
        peak = max(peak, inflight)
    return peak


def test_peak_concurrency_stays_at_the_limit(blackholes: Blackholes,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    ports = sorted({blackholes.make() for _ in range(6)})
    events = counting_connects(monkeypatch)
    results = probe([ProbeTarget(LOCAL, p) for p in ports], timeout=0.3, concurrency=2)
    assert {r.state for r in results} == {ProbeState.TIMEOUT}
    assert peak_in_flight(events) == 2
    assert [kind for kind, _ in events].count("end") == len(ports)  # every socket closed


ABOVE_OLD_FIXED_LIMIT = 300
"""More blackholed endpoints than the 256 a fixed concurrency used to allow."""


def test_default_concurrency_takes_every_endpoint_at_once(
        blackholes: Blackholes, monkeypatch: pytest.MonkeyPatch) -> None:
    needed = 3 * ABOVE_OLD_FIXED_LIMIT + probe_module.FD_RESERVE + 100
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        pytest.skip(f"the open-file limit {soft} is below the {needed} this test needs")
    ports = [blackholes.make() for _ in range(ABOVE_OLD_FIXED_LIMIT)]
    events = counting_connects(monkeypatch)
    results = probe([ProbeTarget(LOCAL, p) for p in ports], timeout=0.3)
    assert {r.state for r in results} == {ProbeState.TIMEOUT}
    # Every handshake was under way before the first one gave up: one wave, one timeout.
    assert peak_in_flight(events) == ABOVE_OLD_FIXED_LIMIT


IN_FLIGHT = 150


def test_endpoints_in_flight_keep_next_to_no_objects_the_collector_tracks(
        online_port: int, blackholes: Blackholes) -> None:
    # Whatever a probe keeps alive through its timeout ends up in the collector's oldest
    # generation, whose full collection stops every thread (the UI's in 3ds Max). With the
    # blackholed endpoints all in flight, the first answer moves everything young that is
    # alive into the oldest generation; the growth is what the probe holds (the asyncio
    # version held about 45 objects per endpoint).
    needed = 3 * IN_FLIGHT + probe_module.FD_RESERVE + 100
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        pytest.skip(f"the open-file limit {soft} is below the {needed} this test needs")
    targets = [ProbeTarget(LOCAL, blackholes.make()) for _ in range(IN_FLIGHT)]
    targets.append(ProbeTarget(LOCAL, online_port))
    oldest: list[int] = []

    def on_progress(_done: int, _total: int, result: ProbeResult) -> None:
        if result.ok:
            gc.collect(1)
            oldest.append(len(gc.get_objects(generation=2)))

    gc.collect()
    before = len(gc.get_objects(generation=2))
    results = probe(targets, timeout=0.5, progress=on_progress, hint_ports=False)
    assert [r.state for r in results] == [ProbeState.TIMEOUT] * IN_FLIGHT + [ProbeState.ONLINE]
    # From Python 3.13 the collector tracks sockets too (3ds Max 2027): the one socket each
    # endpoint in flight needs is counted there, on top of what the probe holds.
    raw = _socket.socket()
    sockets = IN_FLIGHT if gc.is_tracked(raw) else 0
    raw.close()
    assert oldest[0] - before - sockets < IN_FLIGHT  # under one object per endpoint in flight


_FD_LIMIT_SCRIPT = """
import json, resource, sys
from vrdr_max.probe import FD_RESERVE, ProbeTarget, probe, socket_budget
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (FD_RESERVE + 40, hard))
ports = [int(p) for p in sys.argv[1:]]
results = probe([ProbeTarget("127.0.0.1", p) for p in ports], timeout=0.1)
print(json.dumps({"budget": socket_budget(), "states": [r.state.value for r in results]}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_NOFILE is POSIX")
def test_default_concurrency_stays_within_the_open_file_limit(blackholes: Blackholes) -> None:
    # A low limit means waves (three here), never "too many open files" for the endpoints
    # beyond the limit.
    ports = [str(blackholes.make()) for _ in range(110)]
    done = subprocess.run([sys.executable, "-c", _FD_LIMIT_SCRIPT, *ports],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["budget"] == 40
    assert answer["states"] == ["timeout"] * len(ports)


@pytest.mark.dr_ports
def test_port_hints_are_tried_at_once(blackholes: Blackholes) -> None:
    # 20206 and 20207 hang; one by one, the scan would spend the whole timeout on 20206 and
    # never reach 20208, which accepts.
    host = "127.63.0.5"
    hanging = [full_listener(host, port) for port in (20206, 20207)]
    accepting = socket.create_server((host, 20208))
    try:
        with accepting, closed_port_socket(host, 20204):
            [result] = probe([ProbeTarget(host, 20204)], timeout=0.5)
    finally:
        for sockets in hanging:
            for sock in sockets:
                sock.close()
    assert result.state is ProbeState.REFUSED
    assert result.other_port == 20208
    assert result.message == ("nothing listens on 20204 (DR CPU), but 20208 (DR2 CPU) "
                              "accepts: wrong port in the server list?")


@pytest.mark.dr_ports
def test_port_hint_scan_does_not_hold_the_endpoints_slot(
        online_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    events = counting_connects(monkeypatch)
    host = "127.63.0.6"
    with closed_port_socket(host, 20204):
        refused, online = probe([ProbeTarget(host, 20204), ProbeTarget(LOCAL, online_port)],
                                concurrency=1)
    assert (refused.state, online.state) == (ProbeState.REFUSED, ProbeState.ONLINE)
    starts = [sockaddr for kind, sockaddr in events if kind == "start"]
    # With one slot, the second endpoint goes as soon as the first one's own handshake is
    # over, before any of the first host's hint ports is tried.
    assert starts[:2] == [(host, 20204), (LOCAL, online_port)]
    assert {port for _, port in starts[2:]} == set(probe_module.HINT_PORTS)


def test_cancel_returns_unfinished_targets_as_cancelled(
        online_port: int, blackholes: Blackholes) -> None:
    cancel = threading.Event()
    targets = [ProbeTarget(LOCAL, online_port)] + [ProbeTarget(LOCAL, blackholes.make())
                                                   for _ in range(3)]

    def on_progress(_done: int, _total: int, result: ProbeResult) -> None:
        if result.ok:
            cancel.set()

    results = probe(targets, timeout=30.0, progress=on_progress, cancel=cancel)
    assert results[0].state is ProbeState.ONLINE
    assert not results[0].cancelled
    for result in results[1:]:
        assert result.cancelled
        assert result.state is ProbeState.ERROR
        assert result.message == CANCELLED_MESSAGE
    assert summarise(results).cancelled == 3


def test_cancel_before_start_probes_nothing(accepting_server: AcceptingServer) -> None:
    cancel = threading.Event()
    cancel.set()
    calls: list[int] = []
    results = probe([ProbeTarget(LOCAL, accepting_server.port)], cancel=cancel,
                    progress=lambda done, _t, _r: calls.append(done))
    assert [r.cancelled for r in results] == [True]
    assert calls == [1]
    accepting_server.sock.settimeout(0.2)
    with pytest.raises(TimeoutError):
        accepting_server.sock.accept()


@pytest.mark.usefixtures("ipv6_loopback")
def test_ipv6_loopback_online_and_refused() -> None:
    with socket.create_server(("::1", 0), family=socket.AF_INET6) as server, \
            closed_port_socket("::1", family=socket.AF_INET6) as closed:
        results = probe([ProbeTarget("::1", server.getsockname()[1]),
                         ProbeTarget("::1", closed.getsockname()[1])],
                        hint_ports=False)
    assert [r.state for r in results] == [ProbeState.ONLINE, ProbeState.REFUSED]
    assert [r.address for r in results] == ["::1", "::1"]
    assert results[0].endpoint.startswith("[::1]:")


def test_blocking_probe_works_inside_a_running_event_loop(online_port: int) -> None:
    async def from_async_code() -> list[ProbeResult]:
        return probe([ProbeTarget(LOCAL, online_port)])

    assert asyncio.run(from_async_code())[0].ok


def test_probe_from_a_worker_thread_and_probe_async(online_port: int) -> None:
    box: list[ProbeResult] = []
    worker = threading.Thread(target=lambda: box.extend(probe([ProbeTarget(LOCAL, online_port)])))
    worker.start()
    worker.join(timeout=10)
    assert [r.state for r in box] == [ProbeState.ONLINE]
    assert asyncio.run(probe_async([ProbeTarget(LOCAL, online_port)]))[0].ok


_EMFILE_SCRIPT = """
import asyncio, json, resource, sys
from vrdr_max.probe import ProbeTarget, probe_async
loop = asyncio.new_event_loop()          # the loop's own descriptors come first
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
hoard = []
try:
    while True:
        hoard.append(open("/dev/null"))
except OSError:
    pass
results = loop.run_until_complete(probe_async([ProbeTarget("127.0.0.1", int(sys.argv[1]))]))
print(json.dumps([r.to_dict() for r in results]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_NOFILE is POSIX")
def test_out_of_file_descriptors_is_an_error_state(online_port: int) -> None:
    done = subprocess.run([sys.executable, "-c", _EMFILE_SCRIPT, str(online_port)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)
    assert result["state"] == "error"
    assert result["message"] == ("too many open files in this process: "
                                 "probe with a lower concurrency")


# --- names, through an injected resolver (no root, never the machine's resolver) ------------


class StuckResolver:
    """A name lookup that hangs until the test ends, like a DNS server that never answers."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[tuple[Any, ...]]:
        self.asked.append(host)
        self.release.wait(SERVER_WAIT_S)
        raise socket.gaierror(socket.EAI_AGAIN, "released")


def fixed_resolver(table: dict[str, list[str] | int]) -> probe_module.Resolver:
    """Names to addresses (tried in that order), or to a ``gaierror`` number."""
    def resolve(host: str, port: int) -> list[tuple[Any, ...]]:
        answer = table[host]
        if isinstance(answer, int):
            raise socket.gaierror(answer, "lookup failed")
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))
                for address in answer]
    return resolve


def test_name_lookup_that_never_answers_times_out() -> None:
    stuck = StuckResolver()
    try:
        [result] = probe([ProbeTarget("render07", 20204)], timeout=0.2, resolver=stuck)
    finally:
        stuck.release.set()
    assert stuck.asked == ["render07"]
    assert result.state is ProbeState.TIMEOUT
    assert result.address is None
    assert result.message == ("name lookup of render07 took longer than 0.2 s: "
                              "DNS server slow or unreachable?")


def test_names_that_do_not_resolve_and_several_addresses_in_order(
        online_port: int) -> None:
    with closed_port_socket("127.0.0.2", online_port):  # the first address refuses
        resolve = fixed_resolver({"gone": socket.EAI_NONAME, "flaky": socket.EAI_AGAIN,
                                  "dual": ["127.0.0.2", LOCAL]})
        gone, flaky, dual = probe([ProbeTarget("gone", 20204), ProbeTarget("flaky", 20204),
                                   ProbeTarget("dual", online_port)],
                                  timeout=1.0, hint_ports=False, resolver=resolve)
    assert (gone.state, gone.message) == (
        ProbeState.UNRESOLVABLE, "gone does not resolve: misspelt, or gone from DNS?")
    assert (flaky.state, flaky.message) == (
        ProbeState.UNRESOLVABLE, "flaky could not be looked up now: DNS server unreachable?")
    assert (dual.state, dual.address) == (ProbeState.ONLINE, LOCAL)


def test_ip_addresses_never_reach_the_resolver(online_port: int) -> None:
    stuck = StuckResolver()
    try:
        [result] = probe([ProbeTarget(LOCAL, online_port)], resolver=stuck)
    finally:
        stuck.release.set()
    assert result.ok
    assert stuck.asked == []


# --- server entries with a port range ------------------------------------------------------


def test_a_port_range_entry_is_probed_on_every_port() -> None:
    host = "127.63.0.8"
    with range_with_middle_refused(host) as server:
        port = server.port
        targets = targets_from_settings(DRSettings(servers=[server]))
        results = probe(targets, hint_ports=False)
    assert [(t.port, t.port_range) for t in targets] == [
        (port + i, (port, port + 2)) for i in range(3)]
    assert [(r.port, r.state) for r in results] == [
        (port, ProbeState.ONLINE), (port + 1, ProbeState.REFUSED), (port + 2, ProbeState.ONLINE)]
    assert results[1].to_dict()["port_range"] == [port, port + 2]


def test_a_port_outside_its_range_is_an_input_error() -> None:
    with pytest.raises(InputError, match="port 20213 is outside its range 20204-20212"):
        ProbeTarget("render01", 20213, port_range=(20204, 20212))


@pytest.mark.parametrize(("kwargs", "text"), [
    ({"timeout": 0}, "timeout 0 s: give more than 0 and at most 120 s"),
    ({"timeout": 1000}, "timeout 1000 s: give more than 0"),
    ({"concurrency": 0}, "concurrency 0 must be at least 1"),
])
def test_bad_options_are_input_errors(kwargs: dict[str, float], text: str) -> None:
    with pytest.raises(InputError, match=text):
        probe([], **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("host", "port"), [("10.0.0.300", 20204), ("a;b", 20204),
                                            ("render01", 0), ("render01", 70000)])
def test_bad_targets_are_input_errors(host: str, port: int) -> None:
    with pytest.raises(InputError):
        ProbeTarget(host, port)


def test_targets_from_settings_take_enabled_servers_and_dr2_dispatcher() -> None:
    servers = [RenderServer(host="render01", port=20208),
               RenderServer(host="render02", port=20208, enabled=False),
               RenderServer(host="fd00::5", port=20208)]
    dispatcher = Dispatcher(host="dispatch01", port=20208)
    dr2 = DRSettings(mode=Mode.DR2, servers=servers, dispatcher=dispatcher)
    assert targets_from_settings(dr2) == [ProbeTarget("render01", 20208),
                                          ProbeTarget("fd00::5", 20208),
                                          ProbeTarget("dispatch01", 20208, "dispatcher")]
    dr1 = DRSettings(mode=Mode.DR, servers=servers, dispatcher=dispatcher)
    assert [t.label for t in targets_from_settings(dr1)] == ["server", "server"]


def test_summary_counts_states() -> None:
    def result(state: ProbeState) -> ProbeResult:
        return ProbeResult("h", 1, state, None, None, "m")

    summary = summarise([result(s) for s in (ProbeState.ONLINE, ProbeState.ONLINE,
                                             ProbeState.TIMEOUT, ProbeState.UNRESOLVABLE)])
    assert summary.to_dict() == {"total": 4, "online": 2, "refused": 0, "timeout": 1,
                                 "unresolvable": 1, "error": 0, "cancelled": 0}
    assert not summary.all_online
    assert summarise([result(ProbeState.ONLINE)]).all_online
    assert not summarise([]).all_online


# --- several hosts, in network namespaces (root only) -------------------------------------


@pytest.mark.netns
def test_hosts_on_a_link_online_refused_blackholed_unrouted(lab: netns.Lab) -> None:
    server = lab.socket(lab.server)
    closed = lab.socket(lab.server)
    with server, closed:
        server.bind((netns.SERVER_IP, 0))
        server.listen(8)
        closed.bind((netns.SERVER_IP, 0))
        targets = [ProbeTarget(netns.SERVER_IP, server.getsockname()[1]),
                   ProbeTarget(netns.SERVER_IP, closed.getsockname()[1]),
                   ProbeTarget(netns.BLACKHOLE_IP, 20204),
                   ProbeTarget(netns.UNROUTED_IP, 20204)]
        results = lab.call(lab.client,
                           lambda: probe(targets, timeout=0.5, hint_ports=False))
    assert [r.state for r in results] == [ProbeState.ONLINE, ProbeState.REFUSED,
                                          ProbeState.TIMEOUT, ProbeState.ERROR]
    assert results[2].address == netns.BLACKHOLE_IP
    assert results[2].message == ("no answer on 20204 (DR CPU) within 0.5 s: "
                                  "firewall or host down?")
    assert results[3].message == (f"no route to the network of {netns.UNROUTED_IP}: "
                                  "wrong address, or VPN down?")


SLOW_DELAY_S = 0.15


@pytest.fixture(scope="session")
def slow_lab(lab: netns.Lab) -> netns.Lab:
    reason = netns.tun_unavailable_reason()
    if reason:
        pytest.skip(reason)
    if lab.relay is None:
        lab.build_slow_link(SLOW_DELAY_S)
    return lab


@pytest.mark.netns
def test_slow_host_is_online_with_its_latency_or_times_out_when_too_slow(
        slow_lab: netns.Lab) -> None:
    server = slow_lab.socket(slow_lab.slow)
    with server:
        server.bind((netns.SLOW_IP, 0))
        server.listen(8)
        target = ProbeTarget(netns.SLOW_IP, server.getsockname()[1])
        patient = slow_lab.call(slow_lab.client, lambda: probe([target], timeout=3.0))
        hasty = slow_lab.call(slow_lab.client, lambda: probe([target], timeout=0.1))
    assert patient[0].state is ProbeState.ONLINE
    # The handshake crosses the relay twice (SYN, SYN-ACK), each held SLOW_DELAY_S.
    assert patient[0].latency_ms is not None
    assert patient[0].latency_ms >= 2 * SLOW_DELAY_S * 1000
    assert hasty[0].state is ProbeState.TIMEOUT


_NAMES_SCRIPT = """
import json, socket, sys
from vrdr_max.probe import ProbeTarget, probe
order = [info[4][0] for info in socket.getaddrinfo("dual.test", None, socket.AF_INET,
                                                    socket.SOCK_STREAM)]
listener = socket.create_server((order[1], 0))
port = listener.getsockname()[1]
blocker = socket.socket(); blocker.bind((order[0], port))   # refused on the first address
targets = [ProbeTarget("gone.invalid", 20204), ProbeTarget("slow.test", 20204),
           ProbeTarget("farm.test", int(sys.argv[1])), ProbeTarget("dual.test", port)]
results = probe(targets, timeout=0.5, hint_ports=False)
print(json.dumps({"order": order, "results": [r.to_dict() for r in results]}))
"""


@pytest.mark.netns
def test_names_through_a_private_resolver(lab: netns.Lab) -> None:
    # The client namespace's resolv.conf points at a responder on its own loopback, so no
    # lookup leaves the lab.
    dns = lab.dns or lab.start_dns({"farm.test": ([netns.SERVER_IP], 0.0),
                                    "slow.test": ([netns.SERVER_IP], 1.0),
                                    "dual.test": (["127.0.0.2", "127.0.0.3"], 0.0)})
    server = lab.socket(lab.server)
    with server:
        server.bind((netns.SERVER_IP, 0))
        server.listen(8)
        done = lab.python(lab.client, _NAMES_SCRIPT, str(server.getsockname()[1]))
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    gone, slow, farm, dual = answer["results"]
    assert gone["state"] == "unresolvable"
    assert gone["message"] == "gone.invalid does not resolve: misspelt, or gone from DNS?"
    assert slow["state"] == "timeout"
    assert slow["message"] == ("name lookup of slow.test took longer than 0.5 s: "
                               "DNS server slow or unreachable?")
    assert farm["state"] == "online"
    assert farm["address"] == netns.SERVER_IP
    assert dual["state"] == "online"
    assert dual["address"] == answer["order"][1] != answer["order"][0]
    assert {"gone.invalid", "farm.test", "slow.test", "dual.test"} <= set(dns.queries)



# --- resources: every socket is closed, whatever ended the probe -------------------------------


class SocketLedger:
    """Every socket the probe makes, to check each one is closed when a run ends (the ones it
    let go of as objects, by their descriptor: closed through ``probe._close``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.made: list[_socket.socket] = []
        self.held: set[int] = set()  # descriptors the probe holds without an object
        ledger = self

        class Recorded(_socket.socket):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                if len(args) < 4 and "fileno" not in kwargs:  # not a socketpair's end
                    ledger.made.append(self)

            def detach(self) -> int:
                fd = super().detach()
                if self in ledger.made:
                    ledger.held.add(fd)
                return fd

        close = probe_module._close

        def recorded_close(fd: int) -> None:
            self.held.discard(fd)
            close(fd)

        monkeypatch.setattr(probe_module, "_RawSocket", Recorded)
        monkeypatch.setattr(probe_module, "_close", recorded_close)

    def still_open(self) -> list[str]:
        return [repr(s) for s in self.made if s.fileno() != -1] + [
            f"descriptor {fd}" for fd in sorted(self.held)]


@pytest.mark.dr_ports
def test_no_socket_is_left_open_after_timeouts_refusals_hints_and_cancel(
        online_port: int, blackholes: Blackholes, monkeypatch: pytest.MonkeyPatch) -> None:
    # Looked at inside the caller's own event loop, right after each run: asyncio.run's
    # clean-up at the end would hide a task the probe left behind.
    hanging = [blackholes.make() for _ in range(5)]
    host = "127.63.0.7"
    hint_hangs = [full_listener(host, port) for port in (20206, 20207)]
    hint_accepts = socket.create_server((host, 20208))

    def interrupt(_done: int, _total: int, result: ProbeResult) -> None:
        if result.ok:
            raise KeyboardInterrupt  # Ctrl+C arrives as an exception in the loop

    async def runs() -> list[list[str]]:
        leaked = []
        # timeouts (dropped handshakes) and a refusal whose hint scan stops at 20208
        # while 20206 and 20207 still hang
        first = await probe_async([ProbeTarget(LOCAL, p) for p in hanging]
                                  + [ProbeTarget(host, 20204), ProbeTarget(LOCAL, online_port)],
                                  timeout=0.5)
        assert [r.state for r in first] == [ProbeState.TIMEOUT] * 5 + [ProbeState.REFUSED,
                                                                        ProbeState.ONLINE]
        assert first[5].other_port == 20208
        leaked.append(ledger.still_open())
        cancel = threading.Event()
        asyncio.get_running_loop().call_later(0.2, cancel.set)
        results = await probe_async([ProbeTarget(LOCAL, p) for p in hanging], timeout=30.0,
                                    cancel=cancel)
        assert all(r.cancelled for r in results)
        leaked.append(ledger.still_open())
        with pytest.raises(KeyboardInterrupt):
            await probe_async([ProbeTarget(LOCAL, p) for p in hanging]
                              + [ProbeTarget(LOCAL, online_port)], timeout=30.0,
                              progress=interrupt)
        leaked.append(ledger.still_open())
        return leaked

    try:
        with hint_accepts, closed_port_socket(host, 20204):
            ledger = SocketLedger(monkeypatch)
            assert asyncio.run(runs()) == [[], [], []]
            assert len(ledger.made) >= 5 + 1 + 4 + 1  # the runs did make sockets
    finally:
        for sockets in hint_hangs:
            for sock in sockets:
                sock.close()


def test_a_refusal_is_reported_over_an_earlier_address_that_failed(closed_port: int) -> None:
    # TCP to the broadcast address fails at once in the kernel (unreachable or not permitted):
    # no packet leaves. The later refusal proves the host is there, so it is the answer.
    resolve = fixed_resolver({"dual": ["255.255.255.255", LOCAL]})
    [result] = probe([ProbeTarget("dual", closed_port)], timeout=1.0, hint_ports=False,
                     resolver=resolve)
    assert (result.state, result.address) == (ProbeState.REFUSED, LOCAL)


# --- name lookups waiting for a resolver thread (issue 18.4) --------------------------------


def test_names_waiting_for_a_resolver_thread_get_their_whole_timeout(closed_port: int) -> None:
    """200 names, each looked up in 100 ms on 16 threads: the last start after 1.2 s.

    Each endpoint's timeout starts when its lookup does, so none of them is a false "DNS server
    slow or unreachable?" (there were 40 when the clock started at the endpoint's turn).
    """
    def slow_but_working(host: str, port: int) -> list[tuple[Any, ...]]:
        time.sleep(0.1)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (LOCAL, port))]

    names = [f"render{i:03d}" for i in range(200)]
    results = probe([ProbeTarget(name, closed_port) for name in names], timeout=1.0,
                    hint_ports=False, resolver=slow_but_working)
    assert [r.host for r in results] == names
    assert {r.state for r in results} == {ProbeState.REFUSED}


def test_lookups_queued_behind_stuck_ones_time_out_with_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every resolver thread holds a lookup past its timeout: the names behind them time out
    too, at once, rather than wait for threads that may never come back."""
    monkeypatch.setattr(probe_module, "RESOLVER_THREADS", 2)
    stuck = StuckResolver()
    done: list[str] = []
    started = time.monotonic()
    try:
        results = probe([ProbeTarget(f"render{i}", 20204) for i in range(6)], timeout=0.3,
                        resolver=stuck, progress=lambda _d, _t, r: done.append(r.host))
    finally:
        stuck.release.set()
    assert time.monotonic() - started < SERVER_WAIT_S  # it did not wait for the stuck threads
    assert stuck.asked == ["render0", "render1"]  # the others never reached the resolver
    assert {r.state for r in results} == {ProbeState.TIMEOUT}
    assert all(r.message.endswith("DNS server slow or unreachable?") for r in results)
    assert sorted(done) == [f"render{i}" for i in range(6)]


def test_a_late_lookup_answer_does_not_revive_a_timed_out_endpoint(
        blackholes: Blackholes, closed_port: int) -> None:
    """The answer arrives after the endpoint was reported as timed out: it stays reported once."""
    answered = threading.Event()
    reported = threading.Event()

    def late(host: str, port: int) -> list[tuple[Any, ...]]:
        reported.wait(SERVER_WAIT_S)  # answers once the probe has given up on it
        answered.set()
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (LOCAL, port))]

    seen: list[tuple[int, int, str, ProbeState]] = []

    def progress(done: int, total: int, result: ProbeResult) -> None:
        seen.append((done, total, result.host, result.state))
        if result.host == "late":
            reported.set()

    # One slot: the blackholed address takes its turn when the name gives up, and holds the
    # run open for another timeout, long enough for the late answer to come in.
    results = probe([ProbeTarget("late", closed_port), ProbeTarget(LOCAL, blackholes.make())],
                    timeout=0.5, concurrency=1, hint_ports=False, resolver=late,
                    progress=progress)
    assert answered.is_set()
    assert [(r.host, r.state) for r in results] == [("late", ProbeState.TIMEOUT),
                                                    (LOCAL, ProbeState.TIMEOUT)]
    assert seen == [(1, 2, "late", ProbeState.TIMEOUT), (2, 2, LOCAL, ProbeState.TIMEOUT)]


@pytest.mark.dr_ports
def test_an_expired_port_hint_wait_gives_its_slot_back_once(
        blackholes: Blackholes, monkeypatch: pytest.MonkeyPatch) -> None:
    """A refused endpoint hands its slot to its hint scan; when the wait for the scan runs out
    nothing is given back again: the run never holds more sockets than its concurrency."""
    host = "127.63.0.9"
    events = counting_connects(monkeypatch)
    hanging = [ProbeTarget(LOCAL, blackholes.make()) for _ in range(5)]
    with closed_port_socket(host, 20204):
        # Two slots: the refusal's slot goes to the next endpoint before any hint port is
        # tried (endpoints go first), so the scan is still waiting when its time runs out,
        # with three endpoints still waiting for a turn.
        results = probe([ProbeTarget(host, 20204), *hanging], timeout=0.3, concurrency=2)
    assert [r.state for r in results] == [ProbeState.REFUSED] + [ProbeState.TIMEOUT] * 5
    assert results[0].other_port is None
    assert peak_in_flight(events) == 2
    assert [kind for kind, _ in events].count("end") == [kind for kind, _ in events].count(
        "start")
