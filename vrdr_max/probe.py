"""Render-server reachability: resolve and TCP-connect to every server at once, with asyncio.

A probe answers "will this server join?" as far as the network can tell: something accepts TCP
connections on the server's port. It does not speak V-Ray's protocol: an accepted connection is
closed straight away without sending a byte, so the server sees a connection that ends at once
(a FIN, never a reset) and nothing else.

Size: every endpoint is probed at once, up to what the process can hold (see
:func:`socket_budget`), so a run takes about one ``timeout`` however many endpoints hang.

Threading: :func:`probe` runs its own event loop in the calling thread and blocks until every
target has an answer (about one ``timeout``; more only when the socket budget is smaller than
the number of endpoints, then one ``timeout`` per wave). Never
call it on the main thread of 3ds Max: run it in a worker (``QThread``/``QThreadPool``) and pass
results and progress back with queued signals. The ``progress`` callback runs in that worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from vrdr_max.addresses import format_endpoint, validate_host, validate_port
from vrdr_max.errors import InputError
from vrdr_max.ports import DEFAULT_PORTS, STANDALONE_PORT, Engine, Mode, port_role

if TYPE_CHECKING:
    from vrdr_max.models import DRSettings

DEFAULT_TIMEOUT = 1.0
"""Seconds one endpoint gets for name lookup and TCP handshake together."""

MAX_TIMEOUT = 120.0
"""Longest per-endpoint timeout accepted; longer waits only hide a dead host."""

FD_RESERVE = 64
"""File descriptors a probe leaves to the rest of the process (its files, the event loop's own
descriptors, the resolver threads' sockets) when it sizes itself to the open-file limit."""

WINDOWS_SELECT_SOCKETS = 500
"""Sockets in flight under a ``SelectorEventLoop`` on Windows: its ``select()`` takes at most 512
sockets (Python docs, asyncio "Platform Support"); the rest is left to the loop's own socket."""

WINDOWS_PROACTOR_SOCKETS = 8192
"""Sockets in flight under the ``ProactorEventLoop``, Python's default on Windows since 3.8.

IOCP has no documented socket limit, but asyncio's proactor binds every socket before
``ConnectEx`` (``IocpProactor.connect``), so each connect in flight holds one port of the
dynamic range, 16,384 ports by default since Windows Vista (Microsoft KB 929851). Half of it is
left to the rest of the machine. [unverified: not measured on Windows]
"""

UNLIMITED_SOCKETS = 1 << 20
"""The budget where the open-file limit is "unlimited"."""

RESOLVER_THREADS = 16
"""getaddrinfo() blocks, so names are looked up on at most this many threads per probe run."""

CANCEL_POLL_S = 0.05
"""How often a running probe looks at its cancel event."""

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


def socket_budget(loop: asyncio.AbstractEventLoop | None = None) -> int:
    """How many sockets a probe may hold at once in this process, with ``loop``.

    POSIX: the soft open-file limit less ``FD_RESERVE``. Windows, where sockets are not
    counted against a descriptor limit: what the event loop can hold,
    ``WINDOWS_PROACTOR_SOCKETS`` for the ``ProactorEventLoop`` (the default) and
    ``WINDOWS_SELECT_SOCKETS`` for a ``SelectorEventLoop``.
    """
    if sys.platform == "win32":
        if loop is None or isinstance(loop, asyncio.ProactorEventLoop):
            return WINDOWS_PROACTOR_SOCKETS
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
    """Probe ``targets`` and block until all have an answer; see :func:`probe_async`.

    Runs a private event loop in the calling thread (or, if that thread already runs one, in
    a helper thread), so it is safe from any worker thread. Never call it on 3ds Max's main
    thread: it would freeze the UI for up to ``timeout`` seconds.
    """
    def run() -> list[ProbeResult]:
        return asyncio.run(probe_async(targets, timeout=timeout, concurrency=concurrency,
                                       progress=progress, cancel=cancel,
                                       hint_ports=hint_ports, resolver=resolver))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run()
    with ThreadPoolExecutor(max_workers=1) as helper:
        return helper.submit(run).result()


async def probe_async(targets: Iterable[ProbeTarget], *, timeout: float = DEFAULT_TIMEOUT,
                      concurrency: int | None = None,
                      progress: ProgressCallback | None = None,
                      cancel: threading.Event | None = None,
                      hint_ports: bool = True,
                      resolver: Resolver | None = None) -> list[ProbeResult]:
    """Resolve and TCP-connect to every target concurrently.

    Identical ``host:port`` targets are probed once and reported per target. Each endpoint
    gets ``timeout`` seconds from the moment its turn comes, for the name lookup and the
    handshake together; a name with several addresses has them tried in order inside that
    time. At most ``concurrency`` sockets are open at once, the endpoints' and the port
    hints' together; by default that is :func:`socket_budget`, so every endpoint's turn comes
    at once unless the process cannot hold that many sockets.

    Args:
        targets: what to probe.
        timeout: seconds per endpoint (0 < timeout <= MAX_TIMEOUT).
        concurrency: sockets open at once (at least 1); None for :func:`socket_budget`.
        progress: ``progress(done, total, result)``, called once per target, in completion
            order, on the thread that runs the event loop.
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
    if not 0 < timeout <= MAX_TIMEOUT:
        raise InputError(f"timeout {timeout} s is out of range (0-{MAX_TIMEOUT:g} s)")
    if concurrency is not None and concurrency < 1:
        raise InputError(f"concurrency {concurrency} must be at least 1")
    items = list(targets)
    slots: dict[Key, list[int]] = {}
    for index, target in enumerate(items):
        slots.setdefault(target.key, []).append(index)
    results: list[ProbeResult | None] = [None] * len(items)
    done = 0

    def deliver(key: Key, outcome: _Outcome) -> None:
        nonlocal done
        for index in slots[key]:
            result = outcome.result_for(items[index])
            results[index] = result
            done += 1
            if progress is not None:
                progress(done, len(items), result)

    sockets = concurrency or socket_budget(asyncio.get_running_loop())
    run = _Run(timeout, asyncio.Semaphore(sockets), cancel, hint_ports,
               resolver or _system_resolver)
    # Answers are queued as they come: waiting on the whole task set after every answer
    # would cost O(n) per answer.
    answers: asyncio.Queue[asyncio.Future[_Outcome]] = asyncio.Queue()
    tasks: dict[asyncio.Future[_Outcome], Key] = {}
    for key, indexes in slots.items():
        started = asyncio.ensure_future(run.endpoint(items[indexes[0]]))
        started.add_done_callback(answers.put_nowait)
        tasks[started] = key
    try:
        for _ in range(len(tasks)):
            finished = await _next_answer(answers, cancel)
            if finished is None:
                break
            deliver(tasks[finished], finished.result())
    finally:
        unfinished = [task for task in tasks if not task.done()]
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        await run.close()
    for key, indexes in slots.items():
        if results[indexes[0]] is None:
            deliver(key, _CANCELLED)
    return [r for r in results if r is not None]


def _system_resolver(host: str, port: int) -> list[tuple[Any, ...]]:
    return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM, socket.IPPROTO_TCP)


async def _next_answer(answers: asyncio.Queue[asyncio.Future[_Outcome]],
                       cancel: threading.Event | None) -> asyncio.Future[_Outcome] | None:
    """The next finished endpoint task, or None once ``cancel`` is set."""
    if cancel is None:
        return await answers.get()
    while not cancel.is_set():
        try:
            return await asyncio.wait_for(answers.get(), CANCEL_POLL_S)
        except asyncio.TimeoutError:
            continue
    return None


@dataclass(frozen=True)
class _Outcome:
    """An endpoint's answer, before it is copied onto each target that named the endpoint."""

    state: ProbeState
    message: str
    address: str | None = None
    latency_ms: float | None = None
    cancelled: bool = False
    other_port: int | None = None

    def result_for(self, target: ProbeTarget) -> ProbeResult:
        return ProbeResult(host=target.host, port=target.port, state=self.state,
                           address=self.address, latency_ms=self.latency_ms,
                           message=self.message, label=target.label,
                           cancelled=self.cancelled, other_port=self.other_port,
                           port_range=target.port_range)


_CANCELLED = _Outcome(ProbeState.ERROR, CANCELLED_MESSAGE, cancelled=True)


class _Phase:
    """Where an endpoint's probe is, so a timeout can say what it was waiting for."""

    def __init__(self) -> None:
        self.address: str | None = None
        self.resolved = False


class _Run:
    """State shared by the endpoints of one probe run: the socket slots and lookup threads."""

    def __init__(self, timeout: float, slots: asyncio.Semaphore,
                 cancel: threading.Event | None, hint_ports: bool,
                 resolver: Resolver) -> None:
        self.timeout = timeout
        self.slots = slots
        self.cancel = cancel
        self.hint_ports = hint_ports
        self.resolver = resolver
        self._lookups: ThreadPoolExecutor | None = None
        self._hints: dict[str, asyncio.Future[int | None]] = {}

    async def close(self) -> None:
        # A lookup stuck in getaddrinfo cannot be interrupted; let its thread finish alone
        # rather than hold the caller past the timeout.
        if self._lookups is not None:
            self._lookups.shutdown(wait=False, cancel_futures=True)
        unfinished = [task for task in self._hints.values() if not task.done()]
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)

    async def endpoint(self, target: ProbeTarget) -> _Outcome:
        loop = asyncio.get_running_loop()
        async with self.slots:
            if self.cancel is not None and self.cancel.is_set():
                return _CANCELLED
            deadline = loop.time() + self.timeout
            phase = _Phase()
            try:
                outcome = await asyncio.wait_for(self._resolve_and_connect(target, phase),
                                                 self.timeout)
            except asyncio.TimeoutError:
                return _timed_out(target, phase, self.timeout)
        # The slot is free again: the port-hint scan takes slots of its own, so a host whose
        # other ports hang never holds up the endpoints still waiting for their turn.
        if outcome.state is ProbeState.REFUSED and self.hint_ports and outcome.address:
            other = await self._other_port(outcome.address, target.port,
                                           deadline - loop.time())
            if other is not None:
                outcome = _Outcome(
                    ProbeState.REFUSED,
                    f"nothing listens on {_service(target.port)}, but "
                    f"{_service(other)} accepts: wrong port in the server list?",
                    outcome.address, outcome.latency_ms, other_port=other)
        return outcome

    async def _other_port(self, address: str, port: int, budget: float) -> int | None:
        """A well-known port other than ``port`` that accepts on ``address``, or None.

        The scan runs once per address and run: several refused entries on one host (a NUMA
        server listed port by port) share it instead of repeating it.
        """
        if budget <= 0:
            return None
        scan = self._hints.get(address)
        if scan is None:
            scan = self._hints[address] = asyncio.ensure_future(
                self._first_accepting_hint_port(address, budget))
        try:
            other = await asyncio.wait_for(asyncio.shield(scan), budget)
        except asyncio.TimeoutError:
            return None
        return other if other != port else None

    async def _first_accepting_hint_port(self, address: str, budget: float) -> int | None:
        """The first of HINT_PORTS to accept on ``address``, all tried at once, or None.

        Each try takes a socket slot of its own; the scan ends at the first port that
        accepts, once every port has answered, or after ``budget`` seconds.
        """
        family = socket.AF_INET6 if ":" in address else socket.AF_INET

        async def accepts(candidate: int) -> int | None:
            sockaddr: tuple[Any, ...] = ((address, candidate, 0, 0)
                                         if family == socket.AF_INET6 else (address, candidate))
            async with self.slots:
                attempt = await _connect(family, sockaddr)
            return candidate if attempt.state is ProbeState.ONLINE else None

        tries = [asyncio.ensure_future(accepts(candidate)) for candidate in HINT_PORTS]
        try:
            for answer in asyncio.as_completed(tries, timeout=budget):
                accepting = await answer
                if accepting is not None:
                    return accepting
        except asyncio.TimeoutError:
            pass
        finally:
            for task in tries:
                task.cancel()
            await asyncio.gather(*tries, return_exceptions=True)
        return None

    async def _resolve_and_connect(self, target: ProbeTarget, phase: _Phase) -> _Outcome:
        try:
            addresses = await self._resolve(target.host, target.port)
        except socket.gaierror as exc:
            return _unresolvable(target, exc)
        except OSError as exc:
            return _Outcome(ProbeState.ERROR, f"name lookup failed: {_strerror(exc)}")
        phase.resolved = True
        failures: list[_Outcome] = []
        for family, sockaddr in addresses:
            phase.address = str(sockaddr[0])
            outcome = _outcome(await _connect(family, sockaddr), target)
            if outcome.state is ProbeState.ONLINE:
                return outcome
            failures.append(outcome)
        refused = [f for f in failures if f.state is ProbeState.REFUSED]
        return (refused or failures)[0]

    async def _resolve(self, host: str, port: int) -> list[tuple[int, tuple[Any, ...]]]:
        literal = _literal(host, port)
        if literal is not None:
            return [literal]
        if self._lookups is None:
            self._lookups = ThreadPoolExecutor(max_workers=RESOLVER_THREADS,
                                               thread_name_prefix="vrdr-resolve")
        infos = await asyncio.get_running_loop().run_in_executor(
            self._lookups, self.resolver, host, port)
        seen: dict[tuple[Any, ...], int] = {}
        for family, _type, _proto, _name, sockaddr in infos:
            if family in (socket.AF_INET, socket.AF_INET6):
                seen.setdefault(tuple(sockaddr), int(family))
        if not seen:
            raise socket.gaierror(socket.EAI_NONAME, "no IPv4 or IPv6 address")
        return [(family, sockaddr) for sockaddr, family in seen.items()]


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


@dataclass(frozen=True)
class _Attempt:
    """One TCP handshake, before it is put into words for a target."""

    state: ProbeState
    address: str
    latency_ms: float | None = None
    error: OSError | None = None


async def _connect(family: int, sockaddr: tuple[Any, ...]) -> _Attempt:
    """One handshake; the socket is closed (FIN, no data) whatever happens."""
    address = str(sockaddr[0])
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as exc:
        return _Attempt(ProbeState.ERROR, address, error=exc)
    try:
        sock.setblocking(False)
        started = time.perf_counter()
        try:
            await asyncio.get_running_loop().sock_connect(sock, sockaddr)
        except ConnectionRefusedError:
            return _Attempt(ProbeState.REFUSED, address, _ms_since(started))
        except OSError as exc:
            return _Attempt(ProbeState.ERROR, address, error=exc)
        return _Attempt(ProbeState.ONLINE, address, _ms_since(started))
    finally:
        sock.close()


def _outcome(attempt: _Attempt, target: ProbeTarget) -> _Outcome:
    if attempt.state is ProbeState.ONLINE:
        message = f"accepted on {_service(target.port)}"
    elif attempt.state is ProbeState.REFUSED:
        message = _refused_message(target)
    else:
        message = _error_message(attempt.error or OSError("unknown error"), target)
    return _Outcome(attempt.state, message, attempt.address, attempt.latency_ms)


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _service(port: int) -> str:
    role = port_role(port)
    return f"{port} ({role})" if role else str(port)


def _server_process(target: ProbeTarget) -> str:
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


def _refused_message(target: ProbeTarget) -> str:
    return f"nothing listens on {_service(target.port)}: is the {_server_process(target)} running?"


def _timed_out(target: ProbeTarget, phase: _Phase, timeout: float) -> _Outcome:
    if not phase.resolved:
        return _Outcome(ProbeState.TIMEOUT,
                        f"name lookup of {target.host} took longer than {timeout:.1f} s: "
                        "DNS server slow or unreachable?")
    return _Outcome(ProbeState.TIMEOUT,
                    f"no answer on {_service(target.port)} within {timeout:.1f} s: "
                    "firewall or host down?", phase.address)


_LOOKUP_FAILED_FOR_GOOD = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME),
                           socket.EAI_FAIL}


def _unresolvable(target: ProbeTarget, exc: socket.gaierror) -> _Outcome:
    if exc.errno in _LOOKUP_FAILED_FOR_GOOD:
        return _Outcome(ProbeState.UNRESOLVABLE,
                        f"{target.host} does not resolve: misspelt, or gone from DNS?")
    if exc.errno == socket.EAI_AGAIN:
        return _Outcome(ProbeState.UNRESOLVABLE,
                        f"{target.host} could not be looked up now: DNS server unreachable?")
    return _Outcome(ProbeState.UNRESOLVABLE, f"{target.host} could not be looked up: "
                                             f"{_strerror(exc)}")


def _error_message(exc: OSError, target: ProbeTarget) -> str:
    if exc.errno in (errno.EMFILE, errno.ENFILE):
        return "too many open files in this process: probe with a lower concurrency"
    if exc.errno == errno.ENETUNREACH:
        return f"no route to the network of {target.host}: wrong address, or VPN down?"
    if exc.errno == errno.EHOSTUNREACH:
        return f"{target.host} is unreachable: host down, or a router blocks {target.port}?"
    return f"connect to {_service(target.port)} failed: {_strerror(exc)}"


def _strerror(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__

