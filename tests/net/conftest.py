"""Real sockets for the probe and discovery tests: loopback endpoints, and the namespace lab."""

from __future__ import annotations

import errno
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from vrdr_max.models import RenderServer
from vrdr_max.ports import well_known_ports

from . import netns

SERVER_WAIT_S = 10.0
"""Longest a test server thread waits for anything; every helper loop is bounded by it."""


@dataclass
class AcceptingServer:
    """A loopback listener that accepts, reads each connection to EOF and records the bytes."""

    sock: socket.socket
    received: list[bytes] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def host(self) -> str:
        return str(self.sock.getsockname()[0])

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def serve(self, connections: int) -> threading.Thread:
        """Accept up to ``connections`` connections in a thread, each read until EOF."""
        def run() -> None:
            self.sock.settimeout(SERVER_WAIT_S)
            try:
                for _ in range(connections):
                    conn, _ = self.sock.accept()
                    with conn:
                        conn.settimeout(SERVER_WAIT_S)
                        chunks = []
                        while chunk := conn.recv(4096):
                            chunks.append(chunk)
                        self.received.append(b"".join(chunks))
            except OSError:
                pass
            finally:
                self.done.set()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread


def _listener(host: str = "127.0.0.1", backlog: int = 64,
              family: int = socket.AF_INET, port: int = 0) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.bind((host, port))
    sock.listen(backlog)
    return sock


@pytest.fixture
def online_port() -> Iterator[int]:
    """A loopback port where the kernel completes handshakes (nobody needs to accept)."""
    with _listener() as sock:
        yield sock.getsockname()[1]


@pytest.fixture
def accepting_server() -> Iterator[AcceptingServer]:
    """A listener whose connections are accepted and read to EOF (see AcceptingServer)."""
    with _listener() as sock:
        yield AcceptingServer(sock)


def closed_port_socket(host: str = "127.0.0.1", port: int = 0,
                       family: int = socket.AF_INET) -> socket.socket:
    """Reserve a port without listening: a connect to it is refused (RST).

    A fixed DR port (20204...) that this machine already serves on every address (a real
    spawner on a render workstation) cannot be reserved: the test is skipped with that reason.
    """
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if port and exc.errno == errno.EADDRINUSE:
            pytest.skip(f"port {port} is served on this machine already (a real DR server?)")
        raise
    return sock


@pytest.fixture(autouse=True)
def _dr_ports_not_served_here(request: pytest.FixtureRequest) -> None:
    """Tests marked ``dr_ports`` expect no real DR server on this machine's loopback."""
    if request.node.get_closest_marker("dr_ports") is None:
        return
    for port in well_known_ports():
        with socket.socket() as probe_sock:
            probe_sock.settimeout(0.5)
            if probe_sock.connect_ex(("127.63.0.250", port)) == 0:
                pytest.skip(f"something on this machine serves port {port} on every address "
                            "(a real DR server?); the port-hint tests need those ports free")


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that is bound (so nobody else takes it) but does not listen."""
    with closed_port_socket() as sock:
        yield sock.getsockname()[1]


def full_listener(host: str = "127.0.0.1", port: int = 0) -> tuple[socket.socket, socket.socket]:
    """A listener with backlog 0 and a filler connection holding its one accept-queue place.

    Nobody accepts, so the kernel drops every further SYN: a connect to it hears nothing.
    Returns the listener and the filler; the caller closes both.
    """
    server = _listener(host, backlog=0, port=port)
    filler = socket.create_connection(server.getsockname(), timeout=SERVER_WAIT_S)
    return server, filler


def consecutive_ports(host: str, count: int) -> list[socket.socket]:
    """``count`` sockets bound to consecutive ports of ``host`` (not listening yet)."""
    for base in range(41000, 60000, 97):
        bound: list[socket.socket] = []
        try:
            for port in range(base, base + count):
                sock = socket.socket()
                bound.append(sock)
                sock.bind((host, port))
        except OSError as exc:
            for sock in bound:
                sock.close()
            if exc.errno != errno.EADDRINUSE:
                raise
            continue
        return bound
    pytest.fail(f"no {count} consecutive free ports on {host}")


@contextmanager
def range_with_middle_refused(host: str) -> Iterator[RenderServer]:
    """A three-port range entry on ``host``: first and last port listen, the middle refuses."""
    first, middle, last = consecutive_ports(host, 3)
    with first, middle, last:
        first.listen(8)
        last.listen(8)  # the middle port is bound but does not listen: refused
        port = first.getsockname()[1]
        yield RenderServer(host=host, port=port, port_end=port + 2)


class Blackholes:
    """Loopback listeners whose accept queue is full: further SYNs are dropped silently.

    A backlog of 0 lets one connection wait in the accept queue; once a filler occupies it and
    nobody accepts, the kernel drops every new SYN, so a connect sees nothing: a timeout.
    """

    def __init__(self) -> None:
        self._sockets: list[socket.socket] = []

    def make(self) -> int:
        server, filler = full_listener()
        self._sockets += [server, filler]
        return int(server.getsockname()[1])

    def close(self) -> None:
        for sock in self._sockets:
            sock.close()


@pytest.fixture
def blackholes() -> Iterator[Blackholes]:
    """Factory of blackholed loopback ports; all closed after the test."""
    made = Blackholes()
    yield made
    made.close()


def _ipv6_loopback() -> str | None:
    if not socket.has_ipv6:
        return "Python was built without IPv6"
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
    except OSError as exc:
        return f"no IPv6 loopback here ({exc.strerror})"
    return None


@pytest.fixture
def ipv6_loopback() -> None:
    """Skip unless ::1 can be bound."""
    reason = _ipv6_loopback()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def lab() -> Iterator[netns.Lab]:
    """The namespace lab (client, server, slow host), built once per run; root only."""
    reason = netns.unavailable_reason()
    if reason:
        pytest.skip(reason)
    with netns.lab() as built:
        yield built


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say loudly when the network-namespace tests did not run (they need root)."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "netns" in r.keywords]
    if skipped:
        reason = netns.unavailable_reason() or "see the skip reasons above"
        terminalreporter.write_sep(
            "!", f"{len(skipped)} network-namespace tests (marker netns) did NOT run: {reason}",
            red=True, bold=True)
