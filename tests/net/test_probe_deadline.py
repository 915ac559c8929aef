"""A probe never waits past its timeout: a late answer is a timeout, not a success (no root).

The network-namespace tests show it with a slow host and a slow DNS server; these show it on
loopback with a handshake and a name lookup that both succeed, but only after the timeout. A
probe that waited for them would report the endpoint online.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from vrdr_max.probe import ProbeState, ProbeTarget, probe

from .conftest import SERVER_WAIT_S, full_listener

LOCAL = "127.0.0.1"
TIMEOUT_S = 0.2
FREE_AFTER_S = 1.0
"""When the late answers come: five timeouts on. The blackholed listener accepts again (the
kernel's next SYN retransmission, 1 s then 3 s after the first SYN, gets its answer) and the
name lookup returns an address that accepts."""


def test_a_handshake_that_completes_after_the_timeout_is_a_timeout() -> None:
    server, filler = full_listener()
    port = server.getsockname()[1]
    accepted: list[socket.socket] = []

    def free_the_queue() -> None:  # the host comes back: its next SYN gets an answer
        server.settimeout(SERVER_WAIT_S)
        accepted.append(server.accept()[0])

    timer = threading.Timer(FREE_AFTER_S, free_the_queue)
    timer.start()
    try:
        [result] = probe([ProbeTarget(LOCAL, port)], timeout=TIMEOUT_S, hint_ports=False)
    finally:
        timer.join(SERVER_WAIT_S + FREE_AFTER_S)
        for sock in (*accepted, filler, server):
            sock.close()
    assert accepted, "the listener never accepted again: the test proved nothing"
    assert result.state is ProbeState.TIMEOUT, result
    assert result.latency_ms is None
    assert result.message == f"no answer on {port} within {TIMEOUT_S} s: firewall or host down?"


class LateResolver:
    """A name lookup that answers, with an address that accepts, ``FREE_AFTER_S`` late.

    The test releases it early once the probe has returned, so no thread outlives the test.
    """

    def __init__(self, address: str) -> None:
        self.address = address
        self.release = threading.Event()
        self.answered = threading.Event()

    def __call__(self, host: str, port: int) -> list[tuple[Any, ...]]:
        self.release.wait(FREE_AFTER_S)  # a probe that waited this long gets an address
        self.answered.set()
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "",
                 (self.address, port))]


def test_a_name_that_resolves_after_the_timeout_is_a_timeout(online_port: int) -> None:
    late = LateResolver(LOCAL)
    try:
        [result] = probe([ProbeTarget("render07", online_port)], timeout=TIMEOUT_S,
                         hint_ports=False, resolver=late)
        answered_before_the_probe_returned = late.answered.is_set()
    finally:
        late.release.set()
    assert not answered_before_the_probe_returned
    assert result.state is ProbeState.TIMEOUT, result
    assert result.address is None
    assert result.message == (f"name lookup of render07 took longer than {TIMEOUT_S} s: "
                              "DNS server slow or unreachable?")
