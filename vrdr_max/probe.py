"""Render-server reachability: resolve and TCP-connect to every server at once, on one selector.

A probe answers "will this server join?" as far as the network can tell: something accepts TCP
connections on the server's port. It does not speak V-Ray's protocol: an accepted connection is
closed straight away without sending a byte, so the server sees a connection that ends at once
(a FIN, never a reset) and nothing else.

Size: every endpoint is probed at once, up to what the process can hold (see
:func:`socket_budget`), so a run takes about one ``timeout`` however many endpoints hang.

Threading: :func:`probe` watches its sockets with one selector in the calling thread and
blocks until every target has an answer (about one ``timeout``; more only when the socket
budget is smaller than the number of endpoints, then one ``timeout`` per wave). Never
call it on the main thread of 3ds Max: run it in a worker (``QThread``/``QThreadPool``) and pass
results and progress back with queued signals. The ``progress`` callback runs in that worker.
"""

from __future__ import annotations

import _socket
import contextlib
import errno
import heapq
import ipaddress
import os
import select
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple

from vrdr_max.addresses import format_endpoint, validate_host
from vrdr_max.errors import InputError
from vrdr_max.hostport import validate_port
from vrdr_max.ports import DEFAULT_PORTS, STANDALONE_PORT, Engine, Mode, port_role
from vrdr_max.timeouts import DEFAULT_TIMEOUT, MAX_TIMEOUT

if TYPE_CHECKING:
    from vrdr_max.models import DRSettings

FD_RESERVE = 64
"""File descriptors a probe leaves to the rest of the process (its files, the event loop's own
descriptors, the resolver threads' sockets) when it sizes itself to the open-file limit."""

WINDOWS_SELECT_SOCKETS = 500
"""Sockets in flight on Windows, where the probe's selector is ``select()``, which takes at most
512 sockets per call (Python docs, ``select.select`` and asyncio "Platform Support"). A probe of
more endpoints that all hang takes one timeout per 500 there. [unverified: not measured on
Windows]"""

UNLIMITED_SOCKETS = 1 << 20
"""The budget where the open-file limit is "unlimited"."""

RESOLVER_THREADS = 16
"""getaddrinfo() blocks, so names are looked up on at most this many threads per probe run."""

CANCEL_POLL_S = 0.05
"""How often a running probe looks at its cancel event."""

LOOKUP_POLL_S = 0.01
"""How often a running probe collects finished name lookups while any are under way."""

HINT_PORTS: tuple[int, ...] = tuple(sorted({*DEFAULT_PORTS.values(), STANDALONE_PORT}))
"""Ports tried on a host that refused, to spot a server listed with the wrong port."""

CANCELLED_MESSAGE = "cancelled"

Key = tuple[str, int]

Resolver = Callable[[str, int], Sequence[tuple[Any, ...]]]
"""A blocking name lookup with ``socket.getaddrinfo``'s answer shape:
``resolver(host, port) -> [(family, type, proto, canonname, sockaddr), ...]``; raises
``socket.gaierror`` when the name does not resolve."""


class ProbeState(str, Enum):
    """What a TCP connect to one endpoint found."""

    ONLINE = "online"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    UNRESOLVABLE = "unresolvable"
    ERROR = "error"


@dataclass(frozen=True)
class ProbeTarget:
    """One endpoint to probe; the host is validated and put in canonical form.

    Attributes:
        host: name or address.
        port: TCP port.
        label: what the endpoint is, e.g. ``"server"`` or ``"dispatcher"``.
        port_range: ``(first, last)`` port of the server entry this port belongs to, when the
            entry is a range (``host 1 20204-20212``); None for a one-port entry.
    """

    host: str
    port: int
    label: str = "server"
    port_range: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "host", validate_host(self.host))
        object.__setattr__(self, "port", validate_port(self.port))
        if self.port_range is not None:
            first, last = self.port_range
            if not validate_port(first) <= self.port <= validate_port(last):
                raise InputError(f"port {self.port} is outside its range {first}-{last}")

    @property
    def key(self) -> Key:
        """Identity for de-duplication: host names compare case-insensitively."""
        return self.host.lower(), self.port

    @property
    def endpoint(self) -> str:
        """``host:port``, with IPv6 in brackets."""
        return format_endpoint(self.host, self.port)


@dataclass(frozen=True)
class ProbeResult:
    """The answer for one target.

    Attributes:
        host: the target's host.
        port: the target's port.
        state: what the connect found.
        address: the IP address that answered (or was tried last), None if none resolved.
        latency_ms: TCP handshake time of the answer (online or refused), else None.
        message: one short sentence naming the port and the likely cause.
        label: the target's label.
        cancelled: True when the run was cancelled before this target had an answer;
            the state is then ``error`` and the message ``"cancelled"``.
        other_port: for ``refused``: a well-known DR port on the same host that accepted.
        port_range: the target's ``port_range``: the server entry's ``(first, last)`` port.
    """

    host: str
    port: int
    state: ProbeState
    address: str | None
    latency_ms: float | None
    message: str
    label: str = "server"
    cancelled: bool = False
    other_port: int | None = None
    port_range: tuple[int, int] | None = None

    @property
    def ok(self) -> bool:
        """True when the endpoint accepted a connection."""
        return self.state is ProbeState.ONLINE

    @property
    def endpoint(self) -> str:
        """``host:port``, with IPv6 in brackets."""
        return format_endpoint(self.host, self.port)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (field names are part of the public interface)."""
        return {
            "host": self.host, "port": self.port, "label": self.label,
            "state": self.state.value, "address": self.address,
            "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 3),
            "message": self.message, "cancelled": self.cancelled, "other_port": self.other_port,
            "port_range": None if self.port_range is None else list(self.port_range),
        }


@dataclass(frozen=True)
class ProbeSummary:
    """How many targets ended in each state."""

    total: int
    online: int
    refused: int
    timeout: int
    unresolvable: int
    error: int
    cancelled: int

    @property
    def all_online(self) -> bool:
        """True when there was at least one target and every target is online."""
        return self.total > 0 and self.online == self.total

    def to_dict(self) -> dict[str, int]:
        """The counts as JSON-ready data."""
        return {"total": self.total, "online": self.online, "refused": self.refused,
                "timeout": self.timeout, "unresolvable": self.unresolvable,
                "error": self.error, "cancelled": self.cancelled}


ProgressCallback = Callable[[int, int, ProbeResult], None]
"""``progress(done, total, result)``: called once per target as its answer arrives."""


def summarise(results: Iterable[ProbeResult]) -> ProbeSummary:
    """Count the results by state."""
    items = list(results)
    count = dict.fromkeys(ProbeState, 0)
    for result in items:
        count[result.state] += 1
    return ProbeSummary(
        total=len(items), online=count[ProbeState.ONLINE], refused=count[ProbeState.REFUSED],
        timeout=count[ProbeState.TIMEOUT], unresolvable=count[ProbeState.UNRESOLVABLE],
        error=count[ProbeState.ERROR], cancelled=sum(r.cancelled for r in items))


def targets_from_settings(settings: DRSettings) -> list[ProbeTarget]:
    """The enabled render servers, plus the dispatcher when the mode is DR2.

    A server entry with a port range (``host 1 20204-20212``) gives one target per port.
    """
    targets = [ProbeTarget(s.host, port, "server",
                           None if s.port_end is None else (s.port, s.port_end))
               for s in settings.enabled_servers for port in s.ports]
    if settings.mode is Mode.DR2 and settings.dispatcher is not None:
        targets.append(ProbeTarget(settings.dispatcher.host, settings.dispatcher.port,
                                   "dispatcher"))
    return targets


def socket_budget() -> int:
    """How many sockets a probe may hold at once in this process.

    POSIX: the soft open-file limit less ``FD_RESERVE``. Windows, where sockets are not
    counted against a descriptor limit: what one ``select()`` call can watch,
    ``WINDOWS_SELECT_SOCKETS``.
    """
    if sys.platform == "win32":
        return WINDOWS_SELECT_SOCKETS
    import resource  # noqa: PLC0415 - POSIX only

    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return UNLIMITED_SOCKETS
    return max(1, min(soft, UNLIMITED_SOCKETS) - FD_RESERVE)


def lift_fd_limit(endpoints: int) -> None:
    """Raise this process's soft open-file limit (never past the hard one) to fit a probe.

    Room is made for ``endpoints`` sockets and the port hints of each. For a program that owns
    its process, such as the ``vrdr`` command; a library call inside someone else's process
    (3ds Max) leaves the limit alone and probes in waves instead. Does nothing where there is
    no such limit (Windows) or it is high enough already.
    """
    if sys.platform == "win32":
        return
    import resource  # noqa: PLC0415 - POSIX only

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = endpoints * (1 + len(HINT_PORTS)) + FD_RESERVE
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):  # a tighter limit only means waves
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def probe(targets: Iterable[ProbeTarget], *, timeout: float = DEFAULT_TIMEOUT,
          concurrency: int | None = None, progress: ProgressCallback | None = None,
          cancel: threading.Event | None = None, hint_ports: bool = True,
          resolver: Resolver | None = None) -> list[ProbeResult]:
    """Resolve and TCP-connect to every target concurrently; block until all have an answer.

    Identical ``host:port`` targets are probed once and reported per target. Each endpoint
    gets ``timeout`` seconds from the moment its turn comes (for a name, from the moment a
    resolver thread takes its lookup), for the name lookup and the handshake together; a name
    with several addresses has them tried in order inside that time. At most ``concurrency``
    sockets are open at once, the endpoints' and the port hints' together; by default that is
    :func:`socket_budget`, so every endpoint's turn comes at once unless the process cannot
    hold that many sockets.

    Runs in the calling thread (one selector, no event loop), so it is safe from any worker
    thread. Never call it on 3ds Max's main thread: it would freeze the UI for up to
    ``timeout`` seconds.

    Args:
        targets: what to probe.
        timeout: seconds per endpoint (0 < timeout <= MAX_TIMEOUT).
        concurrency: sockets open at once (at least 1); None for :func:`socket_budget`.
        progress: ``progress(done, total, result)``, called once per target, in completion
            order, on the calling thread.
        cancel: set it (from any thread) to stop; targets without an answer then come back
            with ``cancelled=True``, state ``error`` and message ``"cancelled"``.
        hint_ports: on a refused connection, try the other well-known DR ports of that host
            (all at once, within what is left of its timeout, without holding up other
            endpoints) and name one that accepts.
        resolver: the name lookup (default: the system's ``getaddrinfo``), run on lookup
            threads; IP addresses never reach it.

    Returns:
        One result per target, in target order.

    Raises:
        InputError: for a timeout or concurrency out of range.
    """
    engine, answers = _prepare(targets, timeout=timeout, concurrency=concurrency,
                               progress=progress, cancel=cancel, hint_ports=hint_ports,
                               resolver=resolver)
    try:
        while not engine.finished:
            answers.deliver(engine.step(CANCEL_POLL_S))
    finally:
        engine.close()
    return answers.results()


async def probe_async(targets: Iterable[ProbeTarget], *, timeout: float = DEFAULT_TIMEOUT,
                      concurrency: int | None = None,
                      progress: ProgressCallback | None = None,
                      cancel: threading.Event | None = None,
                      hint_ports: bool = True,
                      resolver: Resolver | None = None) -> list[ProbeResult]:
    """:func:`probe` for code that runs an asyncio loop: the loop keeps running meanwhile.

    The sockets are watched on the loop's default executor, in turns of at most
    ``CANCEL_POLL_S``; ``progress`` runs on the loop's thread, and an exception it raises
    (or the caller's task being cancelled) ends the probe with every socket closed.
    """
    import asyncio  # noqa: PLC0415 - only this entry point needs it (start-up cost)

    engine, answers = _prepare(targets, timeout=timeout, concurrency=concurrency,
                               progress=progress, cancel=cancel, hint_ports=hint_ports,
                               resolver=resolver)
    loop = asyncio.get_running_loop()
    try:
        while not engine.finished:
            answers.deliver(await loop.run_in_executor(None, engine.step, CANCEL_POLL_S))
    finally:
        engine.close()
    return answers.results()


def _prepare(targets: Iterable[ProbeTarget], *, timeout: float, concurrency: int | None,
             progress: ProgressCallback | None, cancel: threading.Event | None,
             hint_ports: bool, resolver: Resolver | None) -> tuple[_Engine, _Answers]:
    if not 0 < timeout <= MAX_TIMEOUT:
        raise InputError(f"timeout {timeout} s: give more than 0 and at most {MAX_TIMEOUT:g} s")
    if concurrency is not None and concurrency < 1:
        raise InputError(f"concurrency {concurrency} must be at least 1")
    answers = _Answers(targets, progress)
    engine = _Engine(answers.endpoints, timeout, concurrency or socket_budget(), cancel=cancel,
                     hint_ports=hint_ports, resolver=resolver or _system_resolver)
    return engine, answers


def _system_resolver(host: str, port: int) -> list[tuple[Any, ...]]:
    return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM, socket.IPPROTO_TCP)


_Plain = tuple[str, int, str, "tuple[int, int] | None"]
"""What the probe keeps of a target while it runs: ``(host, port, label, port_range)``.

A plain tuple of plain values, which the garbage collector stops tracking at its first pass
(a tuple subclass such as a ``NamedTuple`` stays tracked), so a probe's bookkeeping never piles
up in the oldest generation, whose full collection stops every thread.
"""


class _Endpoint(NamedTuple):
    """A target's plain values with names, made when its answer is put into words."""

    host: str
    port: int
    label: str
    port_range: tuple[int, int] | None


class _Answers:
    """The targets, their endpoints (identical ``host:port`` once), and the results so far."""

    def __init__(self, targets: Iterable[ProbeTarget],
                 progress: ProgressCallback | None) -> None:
        self._items: list[_Plain] = [(t.host, t.port, t.label, t.port_range) for t in targets]
        first: dict[Key, int] = {}
        self._twins: dict[int, list[int]] = {}  # first target -> later ones, same endpoint
        for index, (host, port, _label, _range) in enumerate(self._items):
            key = (host.lower(), port)
            if key in first:
                self._twins.setdefault(first[key], []).append(index)
            else:
                first[key] = index
        self._first = list(first.values())  # endpoint -> its first target
        self.endpoints = [self._items[index] for index in self._first]
        self._results: list[ProbeResult | None] = [None] * len(self._items)
        self._done = 0
        self._progress = progress

    def deliver(self, answers: list[tuple[int, _Outcome]]) -> None:
        """Copy each endpoint's outcome onto its targets, and report them."""
        for endpoint, outcome in answers:
            first = self._first[endpoint]
            for index in (first, *self._twins.get(first, ())):
                result = outcome.result_for(_Endpoint(*self._items[index]))
                self._results[index] = result
                self._done += 1
                if self._progress is not None:
                    self._progress(self._done, len(self._items), result)

    def results(self) -> list[ProbeResult]:
        """Every result in target order; targets still without one come back cancelled."""
        self.deliver([(endpoint, _CANCELLED) for endpoint, first in enumerate(self._first)
                      if self._results[first] is None])
        return [r for r in self._results if r is not None]


@dataclass(frozen=True)
class _Outcome:
    """An endpoint's answer, before it is copied onto each target that named the endpoint."""

    state: ProbeState
    message: str
    address: str | None = None
    latency_ms: float | None = None
    cancelled: bool = False
    other_port: int | None = None

    def result_for(self, target: _Endpoint) -> ProbeResult:
        return ProbeResult(host=target.host, port=target.port, state=self.state,
                           address=self.address, latency_ms=self.latency_ms,
                           message=self.message, label=target.label,
                           cancelled=self.cancelled, other_port=self.other_port,
                           port_range=target.port_range)


_CANCELLED = _Outcome(ProbeState.ERROR, CANCELLED_MESSAGE, cancelled=True)


_RawSocket = _socket.socket
"""The C socket type (the ``socket`` module's subclass carries more). A connect's socket object
is let go of as soon as its handshake is under way (``detach``): the probe keeps only the
descriptor, an int the garbage collector never tracks, through the timeout. Socket objects are
tracked since Python 3.13; 150 blackholed connects would otherwise be 150 tracked objects
promoted into the oldest generation."""


def _so_error(fd: int) -> int:
    """How the handshake on ``fd`` ended (``SO_ERROR``; 0: accepted)."""
    sock = _RawSocket(fileno=fd)
    try:
        return int(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
    finally:
        sock.detach()  # the descriptor stays the probe's


def _close(fd: int) -> None:
    """Close a socket by its descriptor: an orderly close (FIN), never data."""
    _socket.close(fd)

_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN}

# What an endpoint is doing (``_Engine._phase``). _QUEUED: its name lookup waits for a resolver
# thread, and its timeout has not started.
_WAITING, _QUEUED, _LOOKUP, _CONNECTING, _HINTING, _DONE = range(6)
# What a deadline in ``_Engine._deadlines`` belongs to.
_ENDPOINT, _SCAN = 0, 1


class _Scan:
    """The port-hint scan of one address: HINT_PORTS tried at once, shared by its endpoints."""

    __slots__ = ("address", "done", "fds", "pending", "port", "waiters")

    def __init__(self, address: str) -> None:
        self.address = address
        self.pending = len(HINT_PORTS)
        self.port: int | None = None
        self.done = False
        self.fds: list[int] = []
        self.waiters: list[int] = []


class _Engine:
    """Every handshake of one probe run, watched in the thread that calls :meth:`step`.

    Why no asyncio: a task, a ``wait_for`` and their futures, handles and contexts per
    endpoint are about 45 tracked objects that live through the timeout, so a probe of 1,000
    servers promoted some 45,000 objects into the collector's oldest generation and set off a
    full collection (which stops every thread, the UI's too) about every other probe. Here an
    endpoint in flight costs its socket; the rest is ints, floats and tuples of them, which
    the collector does not track, kept in lists indexed by endpoint.

    Slots: an endpoint holds one from its turn (name lookup included) until its handshakes
    are over; each port-hint try holds one while it connects. Turns go in order, endpoints
    first, then hint tries as they are asked for.
    """

    def __init__(self, endpoints: list[_Plain], timeout: float, sockets: int, *,
                 cancel: threading.Event | None, hint_ports: bool, resolver: Resolver) -> None:
        self._endpoints = endpoints
        self._timeout = timeout
        self._free = sockets
        self._cancel = cancel
        self._hint_ports = hint_ports
        self._resolver = resolver
        count = len(endpoints)
        self._left = count
        self._next = 0  # the first endpoint whose turn has not come
        self._phase = [_WAITING] * count
        self._deadline = [0.0] * count
        self._address: list[str | None] = [None] * count  # tried last, for a timeout
        self._addresses: list[tuple[tuple[int, tuple[Any, ...]], ...]] = [()] * count
        self._fd = [-1] * count
        self._started = [0.0] * count
        self._held: dict[int, _Held] = {}  # failures so far, or a refusal awaiting a hint
        self._deadlines: list[tuple[float, int, int]] = []  # heap of (when, _ENDPOINT|_SCAN, id)
        self._open: set[int] = set()  # descriptors of the handshakes in flight
        self._owner: dict[int, int] = {}  # descriptor -> endpoint, or ~(scan * hints + hint)
        self._watcher: _Watcher | None = None
        self._dropped: set[int] = set()  # descriptors closed since the last wait
        self._scans: list[_Scan] = []
        self._scan_of: dict[str, int] = {}
        self._hint_queue: deque[tuple[int, int]] = deque()  # (scan, hint) awaiting a slot
        self._lookups: ThreadPoolExecutor | None = None
        self._threads = RESOLVER_THREADS
        # What the resolver threads report, in order: (endpoint, when its lookup began, None)
        # and then (endpoint, 0.0, the finished lookup).
        self._lookup_news: deque[tuple[int, float, Future[Sequence[tuple[Any, ...]]] | None]] = (
            deque())
        self._lookups_out = 0
        self._queued: dict[int, Future[Sequence[tuple[Any, ...]]]] = {}  # waiting for a thread
        self._stuck: set[int] = set()  # timed out, its lookup still holding a thread
        self._out: list[tuple[int, _Outcome]] = []
        self._stopped = False
        self._lock = threading.Lock()  # step() on a worker, close() on the caller's thread

    @property
    def finished(self) -> bool:
        """True once every endpoint has an outcome, or the run was cancelled or closed."""
        return self._stopped or self._left == 0

    def step(self, wait: float) -> list[tuple[int, _Outcome]]:
        """Run for at most ``wait`` seconds; the ``(endpoint, outcome)`` pairs that ended."""
        with self._lock:
            self._out = []
            if self._stopped:
                return self._out
            if self._cancel is not None and self._cancel.is_set():
                self._stop()
                return self._out
            self._take_turns()
            now = time.monotonic()
            until = min(wait, self._deadlines[0][0] - now) if self._deadlines else wait
            if self._out:
                until = 0.0
            elif self._lookups_out:
                until = min(until, LOOKUP_POLL_S)
            until = max(0.0, until)
            if self._open and self._watcher is not None:
                self._dropped.clear()
                for fd in self._watcher.wait(until):
                    # An earlier answer of this batch may have closed this socket (a hint
                    # scan that ended), and its descriptor may already serve a new one.
                    if fd not in self._dropped:
                        self._answered(fd)
            elif until and self._left:
                time.sleep(until)
            while self._lookup_news:
                self._lookup_news_in(*self._lookup_news.popleft())
            self._expire(time.monotonic())
            self._take_turns()
            if self._left == 0:
                self._stop()
            return self._out

    def close(self) -> None:
        """Close every socket still open and let the lookup threads go; idempotent."""
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        self._stopped = True
        for fd in list(self._open):
            self._drop(fd)
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
        # A lookup stuck in getaddrinfo cannot be interrupted; let its thread finish alone
        # rather than hold the caller past the timeout.
        if self._lookups is not None:
            self._lookups.shutdown(wait=False, cancel_futures=True)
            self._lookups = None

    # --- turns ---------------------------------------------------------------------------

    def _take_turns(self) -> None:
        while self._free and self._next < len(self._endpoints):
            if self._cancel is not None and self._cancel.is_set():
                return
            self._free -= 1
            self._next += 1
            self._begin(self._next - 1)
        while self._free and self._hint_queue:
            scan, port = self._hint_queue.popleft()
            if not self._scans[scan].done:
                self._free -= 1
                self._try_hint(scan, port)

    def _begin(self, endpoint: int) -> None:
        host, port, _label, _range = self._endpoints[endpoint]
        literal = _literal(host, port)
        if literal is not None:
            self._clock_starts(endpoint, time.monotonic())
            self._phase[endpoint] = _CONNECTING
            self._start(endpoint, *literal)
            return
        # The timeout starts when a resolver thread takes the lookup (_lookup_news_in): names
        # queued behind slow lookups are not timed out for the wait.
        self._phase[endpoint] = _QUEUED
        if self._lookups is None:
            self._lookups = ThreadPoolExecutor(max_workers=self._threads,
                                               thread_name_prefix="vrdr-resolve")
        news = self._lookup_news
        lookup = self._lookups.submit(_look_up, news, self._resolver, endpoint, host, port)
        self._lookups_out += 1
        self._queued[endpoint] = lookup
        lookup.add_done_callback(lambda done: news.append((endpoint, 0.0, done)))

    def _clock_starts(self, endpoint: int, now: float) -> None:
        self._deadline[endpoint] = now + self._timeout
        heapq.heappush(self._deadlines, (self._deadline[endpoint], _ENDPOINT, endpoint))

    def _lookup_news_in(self, endpoint: int, began: float,
                        lookup: Future[Sequence[tuple[Any, ...]]] | None) -> None:
        """A lookup began on a thread (``lookup`` None) or finished; in that order."""
        if lookup is None:
            self._queued.pop(endpoint, None)
            if self._phase[endpoint] == _QUEUED:
                self._phase[endpoint] = _LOOKUP
                self._clock_starts(endpoint, began)
            return
        self._lookups_out -= 1
        self._queued.pop(endpoint, None)  # cancelled before it began
        self._stuck.discard(endpoint)
        if self._phase[endpoint] != _LOOKUP:
            return  # timed out meanwhile: reported already, the answer comes too late
        self._resolved(endpoint, lookup)

    def _resolved(self, endpoint: int, lookup: Future[Sequence[tuple[Any, ...]]]) -> None:
        target = self._target(endpoint)
        try:
            infos = lookup.result()
        except socket.gaierror as exc:
            self._release(endpoint, _unresolvable(target, exc))
            return
        except OSError as exc:
            self._release(endpoint, _Outcome(ProbeState.ERROR,
                                             f"name lookup failed: {_strerror(exc)}"))
            return
        seen: dict[tuple[Any, ...], int] = {}
        for family, _type, _proto, _name, sockaddr in infos:
            if family in (socket.AF_INET, socket.AF_INET6):
                seen.setdefault(tuple(sockaddr), int(family))
        if not seen:
            self._release(endpoint, _unresolvable(
                target, socket.gaierror(socket.EAI_NONAME, "no IPv4 or IPv6 address")))
            return
        self._addresses[endpoint] = tuple((family, sockaddr) for sockaddr, family in seen.items())
        self._phase[endpoint] = _CONNECTING
        self._next_address(endpoint)

    def _target(self, endpoint: int) -> _Endpoint:
        return _Endpoint(*self._endpoints[endpoint])

    # --- handshakes ----------------------------------------------------------------------

    def _next_address(self, endpoint: int) -> None:
        """Start the handshake with the endpoint's next looked-up address."""
        (family, sockaddr), *rest = self._addresses[endpoint]
        self._addresses[endpoint] = tuple(rest)
        self._start(endpoint, family, sockaddr)

    def _start(self, endpoint: int, family: int, sockaddr: tuple[Any, ...]) -> None:
        """One handshake of the endpoint, on the slot it holds."""
        self._address[endpoint] = str(sockaddr[0])
        self._started[endpoint] = time.perf_counter()
        fd, code = self._connect(family, sockaddr, endpoint)
        if fd != -1:
            self._fd[endpoint] = fd
        else:
            self._handshake_over(endpoint, code)

    def _try_hint(self, scan: int, hint: int) -> None:
        address = self._scans[scan].address
        port = HINT_PORTS[hint]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
        fd, code = self._connect(family, sockaddr, ~(scan * len(HINT_PORTS) + hint))
        if fd != -1:
            self._scans[scan].fds.append(fd)
        else:
            self._free += 1
            self._hint_answered(scan, hint, code)

    def _connect(self, family: int, sockaddr: tuple[Any, ...], owner: int) -> tuple[int, int]:
        """Start one handshake.

        Returns:
            ``(descriptor, 0)`` while it is under way, else ``(-1, error number)`` of how it
            ended at once (0: accepted).
        """
        try:
            sock = _RawSocket(family, socket.SOCK_STREAM)
        except OSError as exc:
            return -1, exc.errno or errno.EIO
        try:
            sock.setblocking(False)
            code = sock.connect_ex(sockaddr)
            if code in _IN_PROGRESS:
                if self._watcher is None:
                    self._watcher = _Watcher()
                self._watcher.add(sock.fileno())
                fd = sock.detach()  # from here on the probe holds the descriptor alone
                self._open.add(fd)
                self._owner[fd] = owner
                return fd, 0
        except OSError as exc:
            sock.close()
            return -1, exc.errno or errno.EIO
        sock.close()
        return -1, code

    def _answered(self, fd: int) -> None:
        code = _so_error(fd)
        owner = self._owner[fd]
        self._drop(fd)
        if owner >= 0:
            self._fd[owner] = -1
            self._handshake_over(owner, code)
        else:
            scan, hint = divmod(~owner, len(HINT_PORTS))
            self._scans[scan].fds.remove(fd)
            self._free += 1
            self._hint_answered(scan, hint, code)

    def _drop(self, fd: int) -> None:
        """Stop watching ``fd`` and close its socket (FIN, never data)."""
        if self._watcher is not None:
            self._watcher.remove(fd)
        self._owner.pop(fd)
        self._open.remove(fd)
        _close(fd)
        self._dropped.add(fd)

    def _handshake_over(self, endpoint: int, code: int) -> None:
        outcome = _outcome(code, self._address[endpoint] or "",
                           _ms_since(self._started[endpoint]), self._target(endpoint))
        if outcome.state is ProbeState.ONLINE:
            self._held.pop(endpoint, None)
            self._release(endpoint, outcome)
            return
        # Several addresses: the first refusal proves the host is there, so it wins over an
        # earlier failure of another kind; otherwise the first failure is the answer.
        earlier = self._held.get(endpoint)
        if earlier is None or (outcome.state is ProbeState.REFUSED
                               and earlier[0] != ProbeState.REFUSED.value):
            self._held[endpoint] = _hold(outcome)
        if self._addresses[endpoint]:
            self._next_address(endpoint)
            return
        final = _unhold(self._held.pop(endpoint))
        if final.state is ProbeState.REFUSED and self._hint_ports and final.address:
            self._free += 1  # the hint scan takes slots of its own
            self._await_hint(endpoint, final)
        else:
            self._release(endpoint, final)

    # --- port hints ----------------------------------------------------------------------

    def _await_hint(self, endpoint: int, refused: _Outcome) -> None:
        """Wait for the address's hint scan (started now if it is the first refusal there)."""
        address = refused.address or ""
        deadline = self._deadline[endpoint]
        scan = self._scan_of.get(address)
        if scan is None:
            if deadline <= time.monotonic():
                self._finish(endpoint, refused)
                return
            scan = self._scan_of[address] = len(self._scans)
            self._scans.append(_Scan(address))
            heapq.heappush(self._deadlines, (deadline, _SCAN, scan))
            self._hint_queue.extend((scan, hint) for hint in range(len(HINT_PORTS)))
        self._held[endpoint] = _hold(refused)
        self._phase[endpoint] = _HINTING
        self._scans[scan].waiters.append(endpoint)
        if self._scans[scan].done:
            self._scan_over(scan)

    def _hint_answered(self, scan: int, hint: int, code: int) -> None:
        record = self._scans[scan]
        if record.done:
            return
        record.pending -= 1
        if code == 0:
            record.port = HINT_PORTS[hint]
        if record.port is not None or record.pending == 0:
            self._scan_over(scan)

    def _scan_over(self, scan: int) -> None:
        """The scan found its port, or gave up: tell every endpoint still waiting for it."""
        record = self._scans[scan]
        record.done = True
        for fd in record.fds:
            self._drop(fd)
            self._free += 1
        record.fds = []
        waiters, record.waiters = record.waiters, []
        for endpoint in waiters:
            if self._phase[endpoint] != _HINTING:
                continue
            refused = _unhold(self._held.pop(endpoint))
            target = self._target(endpoint)
            other = record.port
            if other is not None and other != target.port:
                refused = _Outcome(
                    ProbeState.REFUSED,
                    f"nothing listens on {_service(target.port)}, but "
                    f"{_service(other)} accepts: wrong port in the server list?",
                    refused.address, refused.latency_ms, other_port=other)
            self._finish(endpoint, refused)

    # --- deadlines and endings -----------------------------------------------------------

    def _expire(self, now: float) -> None:
        while self._deadlines and self._deadlines[0][0] <= now:
            _when, kind, ref = heapq.heappop(self._deadlines)
            if kind == _SCAN:
                if not self._scans[ref].done:
                    self._scan_over(ref)
                continue
            phase = self._phase[ref]
            if phase == _HINTING:  # no hint in time: the refusal stands alone
                self._finish(ref, _unhold(self._held.pop(ref)))
            elif phase in (_LOOKUP, _CONNECTING):
                if self._fd[ref] != -1:
                    self._drop(self._fd[ref])
                    self._fd[ref] = -1
                if phase == _LOOKUP:
                    self._stuck.add(ref)  # its thread stays in the lookup
                self._held.pop(ref, None)
                self._release(ref, _timed_out(self._target(ref), phase == _CONNECTING,
                                              self._address[ref], self._timeout))
        if self._queued and len(self._stuck) >= self._threads:
            # Every resolver thread holds a lookup the DNS server left unanswered for a whole
            # timeout: the names behind them would wait for as long, maybe for ever.
            for endpoint in sorted(self._queued):
                self._queued.pop(endpoint).cancel()
                if self._phase[endpoint] == _QUEUED:
                    self._release(endpoint, _timed_out(self._target(endpoint), False, None,
                                                       self._timeout))

    def _release(self, endpoint: int, outcome: _Outcome) -> None:
        """The endpoint's own handshakes are over: free its slot and report it."""
        self._free += 1
        self._finish(endpoint, outcome)

    def _finish(self, endpoint: int, outcome: _Outcome) -> None:
        self._phase[endpoint] = _DONE
        self._left -= 1
        self._out.append((endpoint, outcome))


def _look_up(news: deque[tuple[int, float, Any]], resolver: Resolver, endpoint: int,
             host: str, port: int) -> Sequence[tuple[Any, ...]]:
    """Run on a resolver thread: say when the lookup begins (its timeout starts), then look up."""
    news.append((endpoint, time.monotonic(), None))
    return resolver(host, port)


_Held = tuple[str, str, "str | None", "float | None"]
"""An outcome kept while an endpoint waits (``state``'s value, message, address, latency): a
plain tuple, untracked by the garbage collector, unlike the dataclass."""


def _hold(outcome: _Outcome) -> _Held:
    return outcome.state.value, outcome.message, outcome.address, outcome.latency_ms


def _unhold(held: _Held) -> _Outcome:
    state, message, address, latency_ms = held
    return _Outcome(ProbeState(state), message, address, latency_ms)


class _Watcher:
    """Sockets waited on until they can be written (the handshake ended), by descriptor.

    ``epoll`` or ``poll`` where there is one, else ``select`` (Windows). None of them keeps a
    Python object per socket, unlike ``selectors``, whose key per socket is a tuple subclass
    that the garbage collector keeps tracking.
    """

    def __init__(self) -> None:
        self._epoll = select.epoll() if hasattr(select, "epoll") else None
        self._poll = select.poll() if self._epoll is None and hasattr(select, "poll") else None
        self._fds: set[int] = set()  # for select()

    def add(self, fd: int) -> None:
        if self._epoll is not None:
            self._epoll.register(fd, select.EPOLLOUT)
        elif self._poll is not None:
            self._poll.register(fd, select.POLLOUT)
        else:
            self._fds.add(fd)

    def remove(self, fd: int) -> None:
        if self._epoll is not None:
            self._epoll.unregister(fd)
        elif self._poll is not None:
            self._poll.unregister(fd)
        else:
            self._fds.discard(fd)

    def wait(self, timeout: float) -> list[int]:
        """The descriptors whose handshake ended, waiting at most ``timeout`` seconds."""
        if self._epoll is not None:
            return [fd for fd, _event in self._epoll.poll(timeout)]
        if self._poll is not None:
            return [fd for fd, _event in self._poll.poll(timeout * 1000.0)]
        # Windows reports a failed connect as an exception, not as writable.
        _, writable, failed = select.select([], list(self._fds), list(self._fds), timeout)
        return list({*writable, *failed})

    def close(self) -> None:
        if self._epoll is not None:
            self._epoll.close()


def _literal(host: str, port: int) -> tuple[int, tuple[Any, ...]] | None:
    """An IP literal needs no lookup thread; None for names (and scoped IPv6, left to libc)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv4Address):
        return socket.AF_INET, (str(address), port)
    if address.scope_id:
        return None
    return socket.AF_INET6, (str(address), port, 0, 0)


def _outcome(code: int, address: str, latency_ms: float, target: _Endpoint) -> _Outcome:
    """A handshake's end, from its error number (``connect_ex``, ``SO_ERROR``; 0: accepted)."""
    if code == 0:
        return _Outcome(ProbeState.ONLINE, f"accepted on {_service(target.port)}", address,
                        latency_ms)
    if code == errno.ECONNREFUSED:
        return _Outcome(ProbeState.REFUSED, _refused_message(target), address, latency_ms)
    return _Outcome(ProbeState.ERROR, _error_message(OSError(code, os.strerror(code)), target),
                    address)


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _service(port: int) -> str:
    role = port_role(port)
    return f"{port} ({role})" if role else str(port)


def _server_process(target: _Endpoint) -> str:
    if target.label == "dispatcher":
        return "dispatcher"
    gpu_ports = {p for (engine, _), p in DEFAULT_PORTS.items() if engine is Engine.GPU}
    if target.port in gpu_ports:
        return "V-Ray GPU render server"
    if target.port == STANDALONE_PORT:
        return "V-Ray Standalone server (vray -server)"
    if target.port in DEFAULT_PORTS.values():
        return "spawner"
    return "render server"


def _refused_message(target: _Endpoint) -> str:
    return f"nothing listens on {_service(target.port)}: is the {_server_process(target)} running?"


def _timed_out(target: _Endpoint, resolved: bool, address: str | None,
               timeout: float) -> _Outcome:
    if not resolved:
        return _Outcome(ProbeState.TIMEOUT,
                        f"name lookup of {target.host} took longer than {timeout:.1f} s: "
                        "DNS server slow or unreachable?")
    return _Outcome(ProbeState.TIMEOUT,
                    f"no answer on {_service(target.port)} within {timeout:.1f} s: "
                    "firewall or host down?", address)


_LOOKUP_FAILED_FOR_GOOD = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME),
                           socket.EAI_FAIL}


def _unresolvable(target: _Endpoint, exc: socket.gaierror) -> _Outcome:
    if exc.errno in _LOOKUP_FAILED_FOR_GOOD:
        return _Outcome(ProbeState.UNRESOLVABLE,
                        f"{target.host} does not resolve: misspelt, or gone from DNS?")
    if exc.errno == socket.EAI_AGAIN:
        return _Outcome(ProbeState.UNRESOLVABLE,
                        f"{target.host} could not be looked up now: DNS server unreachable?")
    return _Outcome(ProbeState.UNRESOLVABLE, f"{target.host} could not be looked up: "
                                             f"{_strerror(exc)}")


def _error_message(exc: OSError, target: _Endpoint) -> str:
    if exc.errno in (errno.EMFILE, errno.ENFILE):
        return "too many open files in this process: probe with a lower concurrency"
    if exc.errno == errno.ENETUNREACH:
        return f"no route to the network of {target.host}: wrong address, or VPN down?"
    if exc.errno == errno.EHOSTUNREACH:
        return f"{target.host} is unreachable: host down, or a router blocks {target.port}?"
    return f"connect to {_service(target.port)} failed: {_strerror(exc)}"


def _strerror(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__

