"""Discovery over real UDP sockets: senders, hostile datagrams, floods, port sharing, netns."""

from __future__ import annotations

import os
import random
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from vrdr_max.discovery import DiscoveryReport, listen
from vrdr_max.errors import InputError, VrdrError

from . import netns

WAIT_S = 10.0
"""Longest any helper waits for the listener; every loop below is bounded by count too."""

MAX_DATAGRAM = 65507


def free_udp_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                       socket.SOCK_DGRAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class Listening:
    """``listen()`` on a thread, stopped by cancel once the test has what it needs."""

    def __init__(self, **kwargs: Any) -> None:
        self.ready = threading.Event()
        self.cancel = threading.Event()
        self.heard: dict[str, int] = {}
        self._heard_event = threading.Condition()
        self.report: DiscoveryReport | None = None
        self.error: BaseException | None = None
        kwargs.setdefault("seconds", 30.0)
        self._kwargs = kwargs
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        try:
            self.report = listen(**self._kwargs, cancel=self.cancel,
                                 progress=lambda *_: self.ready.set(),
                                 on_packet=self._on_packet)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            self.error = exc
        finally:
            self.ready.set()

    def _on_packet(self, address: str, _size: int) -> None:
        with self._heard_event:
            self.heard[address] = self.heard.get(address, 0) + 1
            self._heard_event.notify_all()

    def wait_for(self, address: str, packets: int = 1, timeout: float = WAIT_S) -> bool:
        """Wait until ``packets`` packets from ``address`` were counted."""
        with self._heard_event:
            return self._heard_event.wait_for(
                lambda: self.heard.get(address, 0) >= packets, timeout=timeout)

    def start(self) -> None:
        """Start listening (the thread inherits the caller's network namespace)."""
        self._thread.start()
        assert self.ready.wait(WAIT_S)

    def stop(self) -> None:
        self.cancel.set()
        self._thread.join(WAIT_S)

    def __enter__(self) -> Listening:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def result(self) -> DiscoveryReport:
        if self.error is not None:
            raise self.error
        assert self.report is not None
        return self.report


@pytest.fixture
def port() -> int:
    return free_udp_port()


@pytest.fixture
def sender() -> Iterator[socket.socket]:
    """A 'render server' on its own loopback address."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.2", 0))
        yield sock


def test_genuine_sender_is_reported_with_counts_and_sizes(port: int,
                                                          sender: socket.socket) -> None:
    with Listening(port=port, bind="127.0.0.1") as run:
        for size in (10, 20, 30):
            sender.sendto(b"x" * size, ("127.0.0.1", port))
        assert run.wait_for("127.0.0.2", 3)
    report = run.result()
    [found] = report.senders
    assert found.address == "127.0.0.2"
    assert found.port == sender.getsockname()[1]
    assert (found.packets, found.bytes, found.last_size) == (3, 60, 30)
    assert 0 <= found.first_seen <= found.last_seen <= report.duration
    assert (report.packets, report.bytes, report.ignored_packets) == (3, 60, 0)
    assert report.cancelled
    assert report.to_dict()["senders"][0]["address"] == "127.0.0.2"


def test_empty_garbage_and_largest_datagrams_are_only_counted(port: int,
                                                              sender: socket.socket) -> None:
    sizes = [0, 1, MAX_DATAGRAM, 7]
    with Listening(port=port, bind="127.0.0.1") as run:
        for size in sizes:
            sender.sendto(os.urandom(size), ("127.0.0.1", port))
        assert run.wait_for("127.0.0.2", len(sizes))
    [found] = run.result().senders
    assert found.packets == len(sizes)
    assert found.bytes == sum(sizes)
    assert found.last_size == 7


def test_flood_then_genuine_sender_still_reported(port: int, sender: socket.socket) -> None:
    rng = random.Random(20203)
    pool = os.urandom(MAX_DATAGRAM)
    flood_count = 2000
    with Listening(port=port, bind="127.0.0.1") as run, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as flood:
        flood.bind(("127.0.0.1", 0))
        for _ in range(flood_count):
            flood.sendto(pool[:rng.randint(0, MAX_DATAGRAM)], ("127.0.0.1", port))
        heard = False
        for _ in range(100):  # the queue may still be full: repeat until the listener hears it
            sender.sendto(b"ready", ("127.0.0.1", port))
            if run.wait_for("127.0.0.2", timeout=0.1):
                heard = True
                break
        assert heard
    report = run.result()
    by_address = {s.address: s for s in report.senders}
    assert set(by_address) == {"127.0.0.1", "127.0.0.2"}
    assert by_address["127.0.0.1"].packets <= flood_count
    if report.kernel_dropped is not None:
        # Every flood datagram was either counted or reported dropped by the kernel.
        assert by_address["127.0.0.1"].packets + report.kernel_dropped >= flood_count


def test_sender_table_is_capped_and_the_rest_counted(port: int) -> None:
    sources = [f"127.0.0.{n}" for n in range(2, 8)]
    with Listening(port=port, bind="127.0.0.1", max_senders=3) as run:
        for address in sources:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.bind((address, 0))
                sock.sendto(b"hello", ("127.0.0.1", port))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.bind((sources[0], 0))
                sock.sendto(b"last", ("127.0.0.1", port))  # queued after all the others
        assert run.wait_for(sources[0], 2)
    report = run.result()
    assert [s.address for s in report.senders] == sources[:3]
    assert report.ignored_packets == 3
    assert report.packets == 4


@pytest.mark.parametrize("options", ["SO_REUSEADDR SO_REUSEPORT", "SO_REUSEADDR",
                                     "SO_REUSEPORT"])
def test_shares_the_port_with_another_listener(port: int, options: str) -> None:
    # Which options V-Ray's listener sets is unknown; vrdr sets both, so it can join either.
    if not all(hasattr(socket, name) for name in options.split()):
        pytest.skip(f"this system has no {options}")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as vray:
        for name in options.split():
            vray.setsockopt(socket.SOL_SOCKET, getattr(socket, name), 1)
        vray.bind(("127.0.0.1", port))
        report = listen(0.3, port=port, bind="127.0.0.1")
    assert report.senders == ()
    assert not report.cancelled


def test_port_held_without_sharing_is_a_clear_error(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as exclusive:
        exclusive.bind(("127.0.0.1", port))
        with pytest.raises(VrdrError, match=f"cannot listen on UDP {port} at 127.0.0.1"):
            listen(0.3, port=port, bind="127.0.0.1")


@pytest.mark.parametrize(("kwargs", "text"), [
    ({"seconds": 0}, "listen time 0 s: give more than 0 and at most 3600 s"),
    ({"seconds": 5000}, "listen time 5000 s: give more than 0"),
    ({"port": 0}, "port 0 is out of range"),
    ({"bind": "nope"}, 'bind address "nope" is not an IPv4 or IPv6 address'),
    ({"max_senders": 0}, "max_senders 0 must be at least 1"),
])
def test_bad_arguments_are_input_errors(kwargs: dict[str, Any], text: str) -> None:
    with pytest.raises(InputError, match=text):
        listen(**{"seconds": 0.1, "bind": "127.0.0.1", **kwargs})


@pytest.mark.usefixtures("ipv6_loopback")
def test_ipv6_sender() -> None:
    port = free_udp_port("::1")
    with Listening(port=port, bind="::1") as run, \
            socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"v6", ("::1", port))
        assert run.wait_for("::1")
    assert [s.address for s in run.result().senders] == ["::1"]


@pytest.mark.netns
def test_broadcast_from_another_host_reaches_both_listeners(lab: netns.Lab) -> None:
    port = 20203  # the real port: the namespace is ours alone
    vray = lab.socket(lab.client, socket.AF_INET, socket.SOCK_DGRAM)
    announcer = lab.socket(lab.server, socket.AF_INET, socket.SOCK_DGRAM)
    with vray, announcer:
        vray.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        vray.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        vray.bind(("0.0.0.0", port))  # inside the lab namespace
        vray.settimeout(WAIT_S)
        announcer.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        run = Listening(port=port)
        lab.call(lab.client, run.start)  # the listener thread is born in the client ns
        try:
            heard = False
            for _ in range(50):
                announcer.sendto(b"\x00ready", (netns.BROADCAST_IP, port))
                if run.wait_for(netns.SERVER_IP, timeout=0.1):
                    heard = True
                    break
            assert heard
        finally:
            run.stop()
        data, source = vray.recvfrom(64)
    report = run.result()
    assert [s.address for s in report.senders] == [netns.SERVER_IP]
    assert (data, source[0]) == (b"\x00ready", netns.SERVER_IP)
