"""A small lab of hosts in network namespaces for the multi-host probe and discovery tests.

Needs root and iproute2. Every address lives inside namespaces this module creates; nothing is
ever sent from the root namespace to them, and the namespaces have no route out. Layout:

    client ns  veth 198.18.0.1/24 ──── veth 198.18.0.2/24  server ns
               tun  198.18.1.1   ╌╌ delay relay ╌╌  tun 198.18.2.1  slow ns
               lo   127.0.0.1 (+ a private DNS responder on 127.0.0.1:53)

198.18.0.0/15 is the block reserved for network benchmarks (RFC 2544), so it cannot clash with
a real network. 198.18.0.77 is on the link but owned by nobody: ARP gets no answer and a connect
times out (a blackholed host). 198.19.255.1 has no route at all (an error, at once).

"Slow host" without netem: the slow namespace is reached through two TUN devices joined by a
relay thread in this process that holds every packet for ``delay`` seconds in each direction,
so the TCP handshake really takes two delays. A listener that merely accepts late would not do:
the kernel completes the handshake before ``accept()``.

Code runs inside a namespace in one of two ways: :meth:`Lab.call` runs a function on a fresh
thread that has joined the namespace with ``setns`` (sockets created there belong to it), and
:meth:`Lab.python` runs ``python -c`` under ``ip netns exec``, which also bind-mounts the
namespace's own ``resolv.conf`` so name lookups go to the private DNS responder.
"""

from __future__ import annotations

import ctypes
import fcntl
import heapq
import itertools
import os
import re
import secrets
import select
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest

T = TypeVar("T")

CLIENT_IP = "198.18.0.1"
SERVER_IP = "198.18.0.2"
BROADCAST_IP = "198.18.0.255"
BLACKHOLE_IP = "198.18.0.77"
UNROUTED_IP = "198.19.255.1"
CLIENT_TUN_IP = "198.18.1.1"
SLOW_IP = "198.18.2.1"

NETNS_DIR = Path("/var/run/netns")
NETNS_ETC = Path("/etc/netns")
CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

RELAY_MAX_QUEUED = 512
"""Packets the delay relay holds at once; beyond that it drops, like a full router queue."""

LAB_MAX_LIFETIME_S = 300.0
"""Helper threads stop by themselves after this long, whatever the tests do."""

_libc = ctypes.CDLL(None, use_errno=True)


def unavailable_reason() -> str | None:
    """Why the lab cannot be built here, or None when it can."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root to create network namespaces (CI runs as root)"
    if shutil.which("ip") is None:
        return "needs iproute2's ip command"
    name = f"vrdrprobe-{os.getpid()}-{secrets.token_hex(3)}"
    added = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True,
                           check=False, timeout=30)
    if added.returncode != 0:
        return f"ip netns add failed: {added.stderr.strip() or added.returncode}"
    subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False, timeout=30)
    return None


RESOLVER_SOCKETS = ("/run/nscd/socket", "/run/systemd/resolve/io.systemd.Resolve")
"""Resolver daemons reached over a Unix socket answer from the main namespace, with real DNS."""


def dns_unavailable_reason() -> str | None:
    """Why names cannot be resolved inside a namespace without leaving it, or None."""
    for path in RESOLVER_SOCKETS:
        if Path(path).exists():
            return f"a resolver daemon listens on {path}; lookups would leave the namespace"
    return None


def tun_unavailable_reason() -> str | None:
    """Why the slow-host link (TUN devices) cannot be built, or None."""
    return None if Path("/dev/net/tun").exists() else "needs /dev/net/tun for the slow link"


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=30)


def run_in_netns(namespace: str, fn: Callable[[], T]) -> T:
    """Run ``fn`` on a new thread that has joined ``namespace``; return its result."""
    box: dict[str, Any] = {}

    def body() -> None:
        fd = os.open(NETNS_DIR / namespace, os.O_RDONLY)
        try:
            if _libc.setns(fd, CLONE_NEWNET) != 0:
                err = ctypes.get_errno()
                box["error"] = OSError(err, f"setns {namespace}: {os.strerror(err)}")
                return
        finally:
            os.close(fd)
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            box["error"] = exc

    thread = threading.Thread(target=body, name=f"netns-{namespace}")
    thread.start()
    thread.join(timeout=120)
    if thread.is_alive():
        raise TimeoutError(f"work in namespace {namespace} did not finish within 120 s")
    if "error" in box:
        raise box["error"]
    return cast(T, box["value"])


class DelayRelay:
    """Moves IP packets between two TUN devices, each after ``delay`` seconds."""

    def __init__(self, fd_a: int, fd_b: int, delay: float) -> None:
        self.fds = (fd_a, fd_b)
        self.delay = delay
        self.relayed = 0
        self.dropped = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="delay-relay", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        queue: list[tuple[float, int, int, bytes]] = []
        order = itertools.count()
        ends = time.monotonic() + LAB_MAX_LIFETIME_S
        while not self._stop.is_set() and time.monotonic() < ends:
            now = time.monotonic()
            while queue and queue[0][0] <= now:
                _, _, out, packet = heapq.heappop(queue)
                try:
                    os.write(out, packet)
                    self.relayed += 1
                except OSError:
                    self.dropped += 1
            wait = min(0.05, queue[0][0] - now) if queue else 0.05
            ready, _, _ = select.select(list(self.fds), [], [], max(0.0, wait))
            for fd in ready:
                packet = os.read(fd, 65536)
                if len(queue) >= RELAY_MAX_QUEUED:
                    self.dropped += 1
                    continue
                out = self.fds[1] if fd == self.fds[0] else self.fds[0]
                heapq.heappush(queue, (time.monotonic() + self.delay, next(order), out, packet))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


class DnsResponder:
    """A tiny authoritative DNS server for the lab: fixed A/AAAA records, optional delays.

    Names it does not know get NXDOMAIN; a known name with no record of the asked type gets
    an empty answer. Only what glibc's stub resolver sends is understood (one question).
    """

    def __init__(self, sock: socket.socket, records: dict[str, tuple[list[str], float]]) -> None:
        self.sock = sock
        self.records = {name.lower().rstrip("."): value for name, value in records.items()}
        self.queries: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lab-dns", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        pending: list[tuple[float, int, bytes, Any]] = []
        order = itertools.count()
        ends = time.monotonic() + LAB_MAX_LIFETIME_S
        while not self._stop.is_set() and time.monotonic() < ends:
            now = time.monotonic()
            while pending and pending[0][0] <= now:
                _, _, reply, peer = heapq.heappop(pending)
                self.sock.sendto(reply, peer)
            wait = min(0.05, pending[0][0] - now) if pending else 0.05
            ready, _, _ = select.select([self.sock], [], [], max(0.0, wait))
            if not ready:
                continue
            query, peer = self.sock.recvfrom(4096)
            answer = self._answer(query)
            if answer is not None:
                reply, delay = answer
                heapq.heappush(pending, (time.monotonic() + delay, next(order), reply, peer))

    def _answer(self, query: bytes) -> tuple[bytes, float] | None:
        if len(query) < 17:
            return None
        labels, offset = [], 12
        while offset < len(query) and query[offset]:
            length = query[offset]
            labels.append(query[offset + 1:offset + 1 + length].decode("ascii", "replace"))
            offset += 1 + length
        qtype, _qclass = struct.unpack("!HH", query[offset + 1:offset + 5])
        question = query[12:offset + 5]
        name = ".".join(labels).lower()
        self.queries.append(name)
        known = self.records.get(name)
        flags = 0x8180  # a response, recursion desired and available
        if known is None:
            header = struct.pack("!HHHHHH", struct.unpack("!H", query[:2])[0], flags | 3,
                                 1, 0, 0, 0)
            return header + question, 0.0
        addresses, delay = known
        answers = []
        for text in addresses:
            family = socket.AF_INET6 if ":" in text else socket.AF_INET
            if (family == socket.AF_INET and qtype == 1) or \
                    (family == socket.AF_INET6 and qtype == 28):
                data = socket.inet_pton(family, text)
                answers.append(struct.pack("!HHHIH", 0xC00C, qtype, 1, 60, len(data)) + data)
        header = struct.pack("!HHHHHH", struct.unpack("!H", query[:2])[0], flags, 1,
                             len(answers), 0, 0)
        return header + question + b"".join(answers), delay

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


class Lab:
    """The namespaces, links and helper threads of one test run."""

    def __init__(self, tag: str) -> None:
        self.client = f"vrdr-{tag}-c"
        self.server = f"vrdr-{tag}-s"
        self.slow = f"vrdr-{tag}-l"
        self.created: list[str] = []
        self.relay: DelayRelay | None = None
        self.dns: DnsResponder | None = None
        self._fds: list[int] = []

    def call(self, namespace: str, fn: Callable[[], T]) -> T:
        """Run ``fn`` inside ``namespace`` (see :func:`run_in_netns`)."""
        return run_in_netns(namespace, fn)

    def socket(self, namespace: str, family: int = socket.AF_INET,
               kind: int = socket.SOCK_STREAM) -> socket.socket:
        """A socket that belongs to ``namespace``; use and close it from any thread."""
        return self.call(namespace, lambda: socket.socket(family, kind))

    def python(self, namespace: str, code: str, *args: str,
               timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
        """Run ``python -c code args`` under ``ip netns exec`` (own resolv.conf)."""
        return subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-c", code,
                               *args], capture_output=True, text=True, timeout=timeout,
                              check=False, cwd=Path(__file__).resolve().parents[2])

    def build(self) -> None:
        for name in (self.client, self.server, self.slow):
            _ip("netns", "add", name)
            self.created.append(name)
            _ip("-n", name, "link", "set", "lo", "up")
        _ip("-n", self.client, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1",
            "netns", self.server)
        _ip("-n", self.client, "addr", "add", f"{CLIENT_IP}/24", "dev", "veth0")
        _ip("-n", self.server, "addr", "add", f"{SERVER_IP}/24", "dev", "veth1")
        _ip("-n", self.client, "link", "set", "veth0", "up")
        _ip("-n", self.server, "link", "set", "veth1", "up")

    def build_slow_link(self, delay: float) -> None:
        """Join the client and slow namespaces through the delay relay."""
        fd_client = self.call(self.client, _open_tun)
        self._fds.append(fd_client)
        fd_slow = self.call(self.slow, _open_tun)
        self._fds.append(fd_slow)
        for name, mine, theirs in ((self.client, CLIENT_TUN_IP, "198.18.2.0/24"),
                                   (self.slow, SLOW_IP, "198.18.1.0/24")):
            _ip("-n", name, "addr", "add", f"{mine}/32", "dev", "vrdrtun")
            _ip("-n", name, "link", "set", "vrdrtun", "up")
            _ip("-n", name, "route", "add", theirs, "dev", "vrdrtun")
        self.relay = DelayRelay(fd_client, fd_slow, delay)

    def start_dns(self, records: dict[str, tuple[list[str], float]]) -> DnsResponder:
        """Serve ``records`` (name -> (addresses, delay s)) on the client's 127.0.0.1:53."""
        reason = dns_unavailable_reason()
        if reason:
            pytest.skip(reason)
        folder = NETNS_ETC / self.client
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "resolv.conf").write_text("nameserver 127.0.0.1\noptions timeout:3 attempts:1\n")
        # Only files and our own DNS: no resolver daemon reached over a Unix socket (which would
        # live in the main namespace and ask real DNS servers).
        (folder / "nsswitch.conf").write_text("hosts: files dns\n")
        sock = self.socket(self.client, socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 53))
        self.dns = DnsResponder(sock, records)
        return self.dns

    def close(self) -> None:
        if self.dns is not None:
            self.dns.close()
        if self.relay is not None:
            self.relay.close()
        for fd in self._fds:
            os.close(fd)
        shutil.rmtree(NETNS_ETC / self.client, ignore_errors=True)
        for name in reversed(self.created):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


def _open_tun() -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR)
    try:
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", b"vrdrtun", IFF_TUN | IFF_NO_PI))
    except OSError:
        os.close(fd)
        raise
    return fd


_OURS = re.compile(r"^vrdr-(\d+)x[0-9a-f]+-[csl]$")


def remove_stale_namespaces() -> list[str]:
    """Delete lab namespaces left by test runs whose process is gone (killed mid-run)."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                            check=False).stdout.split("\n")
    removed = []
    for line in listed[:1000]:
        name = line.split(" ")[0]
        match = _OURS.match(name)
        if match is None or Path(f"/proc/{match.group(1)}").exists():
            continue
        subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
        shutil.rmtree(NETNS_ETC / name, ignore_errors=True)
        removed.append(name)
    return removed


@contextmanager
def lab() -> Iterator[Lab]:
    """Build the lab with names unique to this run; tear it down whatever happens."""
    remove_stale_namespaces()
    built = Lab(f"{os.getpid()}x{secrets.token_hex(2)}")
    try:
        built.build()
        yield built
    finally:
        built.close()
