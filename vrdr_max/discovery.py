"""Listen for render servers' readiness broadcasts (UDP 20203) and report who sent them.

V-Ray's render servers announce on UDP 20203 that they can join an ongoing DR render. The
packet format is V-Ray's own and undocumented, so it is never parsed: a sender is known by its
source address alone, and of each packet only the size is kept. Memory is bounded whatever
arrives: one fixed receive buffer, no payload kept, at most ``max_senders`` senders tracked
(packets from further senders are counted, not stored). Time is bounded too: the listener
stops after ``seconds`` even under a flood.

Sharing the port: the socket is bound with ``SO_REUSEADDR`` (and ``SO_REUSEPORT`` where it
exists) so a V-Ray listener on the same machine can keep its port. On Linux and macOS every
socket sharing the port receives each broadcast. On Windows ``SO_REUSEADDR`` means more: a
socket with it may bind a port another process already holds (unless that one used
``SO_EXCLUSIVEADDRUSE``), and which of the sockets then gets a *unicast* datagram is
undefined. docs/probe.md says what this means in practice.
"""

from __future__ import annotations

import ipaddress
import select
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vrdr_max.errors import InputError, VrdrError, quote
from vrdr_max.hostport import validate_port
from vrdr_max.ports import READY_BROADCAST_PORT

DEFAULT_SECONDS = 5.0
MAX_SECONDS = 3600.0
"""Longest listen accepted (an hour); the loop is always bounded in time."""

DEFAULT_MAX_SENDERS = 4096
"""Senders tracked per listen; a farm is far smaller, a spoofed flood is not."""

RECV_BUFFER = 65536
"""One receive buffer, reused: large enough for any UDP datagram (65,507 bytes over IPv4)."""

SOCKET_RCVBUF = 1 << 20
"""Kernel receive buffer asked for (the kernel may cap it); a larger one only absorbs bursts."""

DEFAULT_BIND = "0.0.0.0"  # noqa: S104 - broadcasts reach only a socket bound to the wildcard
"""Listen on every IPv4 interface: that is where subnet broadcasts arrive."""

PROGRESS_INTERVAL_S = 0.2
"""Longest wait between two looks at the clock, the cancel event and the progress callback."""

SO_RXQ_OVFL = getattr(socket, "SO_RXQ_OVFL", 40)
"""Linux: ask the kernel for its count of datagrams dropped on a full receive queue."""

_CMSG_SPACE = socket.CMSG_SPACE(4) if hasattr(socket, "CMSG_SPACE") else 0

PacketCallback = Callable[[str, int], None]
"""``on_packet(address, size)``: called for each packet from a tracked sender."""

ProgressCallback = Callable[[float, int, int], None]
"""``progress(elapsed_s, senders, packets)``: called about every PROGRESS_INTERVAL_S."""


@dataclass(frozen=True)
class Sender:
    """One address that sent readiness packets.

    Attributes:
        address: the source IP address.
        port: the source port of its latest packet.
        first_seen: seconds after the start of listening when its first packet arrived.
        last_seen: the same, for its latest packet.
        packets: how many packets it sent.
        bytes: their total size.
        last_size: size of its latest packet.
    """

    address: str
    port: int
    first_seen: float
    last_seen: float
    packets: int
    bytes: int
    last_size: int

    def to_dict(self) -> dict[str, Any]:
        """The sender as JSON-ready data."""
        return {"address": self.address, "port": self.port,
                "first_seen_s": round(self.first_seen, 3),
                "last_seen_s": round(self.last_seen, 3), "packets": self.packets,
                "bytes": self.bytes, "last_size": self.last_size}


@dataclass(frozen=True)
class DiscoveryReport:
    """What one listen heard.

    Attributes:
        port: the UDP port listened on.
        bind: the local address bound.
        started_at: when listening began (seconds since the epoch).
        duration: how long it listened, in seconds.
        senders: the tracked senders, in order of first packet.
        packets: packets from tracked senders.
        bytes: their total size.
        ignored_packets: packets from senders beyond ``max_senders`` (counted, not tracked).
        kernel_dropped: datagrams the kernel dropped on a full receive queue, as last
            reported by the kernel (Linux only; None where the platform cannot tell).
        receive_errors: transient receive errors skipped (e.g. Windows' ICMP resets).
        cancelled: True when the listen was cancelled before its time was up.
    """

    port: int
    bind: str
    started_at: float
    duration: float
    senders: tuple[Sender, ...]
    packets: int
    bytes: int
    ignored_packets: int
    kernel_dropped: int | None
    receive_errors: int
    cancelled: bool

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (field names are part of the public interface)."""
        return {"port": self.port, "bind": self.bind, "started_at": round(self.started_at, 3),
                "duration_s": round(self.duration, 3),
                "senders": [s.to_dict() for s in self.senders], "packets": self.packets,
                "bytes": self.bytes, "ignored_packets": self.ignored_packets,
                "kernel_dropped": self.kernel_dropped, "receive_errors": self.receive_errors,
                "cancelled": self.cancelled}


class _Tally:
    """Mutable per-sender counters; turned into a frozen :class:`Sender` at the end."""

    __slots__ = ("bytes", "first", "last", "last_size", "packets", "port")

    def __init__(self, port: int, now: float) -> None:
        self.port = port
        self.first = now
        self.last = now
        self.packets = 0
        self.bytes = 0
        self.last_size = 0


def listen(seconds: float = DEFAULT_SECONDS, *, port: int = READY_BROADCAST_PORT,
           bind: str = DEFAULT_BIND, max_senders: int = DEFAULT_MAX_SENDERS, reuse: bool = True,
           on_packet: PacketCallback | None = None, progress: ProgressCallback | None = None,
           cancel: threading.Event | None = None) -> DiscoveryReport:
    """Listen for readiness broadcasts for ``seconds`` and report their senders.

    Blocks the calling thread: run it off 3ds Max's main thread.

    Args:
        seconds: how long to listen (0 < seconds <= MAX_SECONDS).
        port: the UDP port.
        bind: local IPv4 or IPv6 address to bind (``0.0.0.0`` hears IPv4 broadcasts).
        max_senders: how many distinct senders to track.
        reuse: share the port with other listeners (SO_REUSEADDR / SO_REUSEPORT).
        on_packet: ``on_packet(address, size)`` for each packet from a tracked sender.
        progress: ``progress(elapsed_s, senders, packets)``, about every 0.2 s.
        cancel: set it (from any thread) to stop early.

    Returns:
        The report.

    Raises:
        InputError: for arguments out of range.
        VrdrError: when the port cannot be bound (in use without sharing, or not allowed).
    """
    if not 0 < seconds <= MAX_SECONDS:
        raise InputError(f"listen time {seconds} s: give more than 0 and at most {MAX_SECONDS:g} s")
    if max_senders < 1:
        raise InputError(f"max_senders {max_senders} must be at least 1")
    port = validate_port(port)
    sock, kernel_counts = _open(bind, port, reuse)
    with sock:
        return _Listener(sock, kernel_counts, max_senders, on_packet).run(
            seconds, port, bind, progress, cancel)


def _open(bind: str, port: int, reuse: bool) -> tuple[socket.socket, bool]:
    try:
        address = ipaddress.ip_address(bind)
    except ValueError:
        raise InputError(f"bind address {quote(bind)} is not an IPv4 or IPv6 address") from None
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        if reuse:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if hasattr(socket, "SO_REUSEPORT"):
                _try_setsockopt(sock, socket.SO_REUSEPORT, 1)
        # Option 40 means SO_RXQ_OVFL on Linux only; elsewhere it may mean something else.
        kernel_counts = (sys.platform.startswith("linux") and hasattr(sock, "recvmsg_into")
                         and _try_setsockopt(sock, SO_RXQ_OVFL, 1))
        _try_setsockopt(sock, socket.SO_RCVBUF, SOCKET_RCVBUF)
        try:
            sock.bind((str(address), port))
        except OSError as exc:
            raise VrdrError(f"cannot listen on UDP {port} at {bind}: {exc.strerror or exc}"
                            + ("" if reuse else " (port sharing is off)")) from None
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock, kernel_counts


def _try_setsockopt(sock: socket.socket, option: int, value: int) -> bool:
    # Optional features: a platform without them still listens, it just reports less.
    try:
        sock.setsockopt(socket.SOL_SOCKET, option, value)
    except OSError:
        return False
    return True


class _Listener:
    """The receive loop: one socket, one buffer, a bounded table of senders."""

    def __init__(self, sock: socket.socket, kernel_counts: bool, max_senders: int,
                 on_packet: PacketCallback | None) -> None:
        self.sock = sock
        self.kernel_counts = kernel_counts
        self.max_senders = max_senders
        self.on_packet = on_packet
        self.buffer = bytearray(RECV_BUFFER)
        self.view = memoryview(self.buffer)
        self.tallies: dict[str, _Tally] = {}
        self.packets = 0
        self.bytes = 0
        self.ignored = 0
        self.errors = 0
        self.dropped: int | None = 0 if kernel_counts else None

    def run(self, seconds: float, port: int, bind: str, progress: ProgressCallback | None,
            cancel: threading.Event | None) -> DiscoveryReport:
        started_at = time.time()
        start = time.monotonic()
        deadline = start + seconds
        next_tick = start + PROGRESS_INTERVAL_S
        cancelled = False
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            if now >= next_tick:
                next_tick = now + PROGRESS_INTERVAL_S
                if cancel is not None and cancel.is_set():
                    cancelled = True
                    break
                if progress is not None:
                    progress(now - start, len(self.tallies), self.packets)
            if not self._receive_one(now - start):
                # Queue empty: sleep until a datagram, the next tick or the deadline.
                select.select([self.sock], [], [], max(0.0, min(deadline, next_tick) - now))
        duration = time.monotonic() - start
        senders = tuple(sorted(
            (Sender(address, t.port, t.first, t.last, t.packets, t.bytes, t.last_size)
             for address, t in self.tallies.items()), key=lambda s: s.first_seen))
        return DiscoveryReport(port=port, bind=bind, started_at=started_at, duration=duration,
                               senders=senders, packets=self.packets, bytes=self.bytes,
                               ignored_packets=self.ignored, kernel_dropped=self.dropped,
                               receive_errors=self.errors, cancelled=cancelled)

    def _receive_one(self, elapsed: float) -> bool:
        """Take one datagram off the queue; False when the queue is empty."""
        try:
            if self.kernel_counts:
                size, ancillary, _flags, source = self.sock.recvmsg_into([self.view],
                                                                         _CMSG_SPACE)
                self._note_drops(ancillary)
            else:
                size, source = self.sock.recvfrom_into(self.view)
        except (BlockingIOError, InterruptedError):
            return False
        except (ConnectionResetError, ConnectionRefusedError):
            # Windows reports an ICMP "port unreachable" for an earlier send as a reset on
            # the next receive; it says nothing about the datagrams waiting.
            self.errors += 1
            return True
        self._count(source, size, elapsed)
        return True

    def _note_drops(self, ancillary: list[tuple[int, int, bytes]]) -> None:
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_RXQ_OVFL and len(data) >= 4:
                self.dropped = max(self.dropped or 0, struct.unpack("=I", data[:4])[0])

    def _count(self, source: Any, size: int, elapsed: float) -> None:
        address = _source_address(source)
        tally = self.tallies.get(address)
        if tally is None:
            if len(self.tallies) >= self.max_senders:
                self.ignored += 1
                return
            tally = self.tallies[address] = _Tally(int(source[1]), elapsed)
        tally.port = int(source[1])
        tally.last = elapsed
        tally.packets += 1
        tally.bytes += size
        tally.last_size = size
        self.packets += 1
        self.bytes += size
        if self.on_packet is not None:
            self.on_packet(address, size)


def _source_address(source: Any) -> str:
    """The sender's IP as text; an IPv4-mapped IPv6 source is given as plain IPv4."""
    text = str(source[0])
    if text.startswith("::ffff:"):
        mapped = ipaddress.IPv6Address(text.split("%", maxsplit=1)[0]).ipv4_mapped
        if mapped is not None:
            return str(mapped)
    return text
