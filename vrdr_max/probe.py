"""Render-server reachability: resolve and TCP-connect to every server at once, with asyncio.

A probe answers "will this server join?" as far as the network can tell: something accepts TCP
connections on the server's port. It does not speak V-Ray's protocol: an accepted connection is
closed straight away without sending a byte, so the server sees a connection that ends at once
(a FIN, never a reset) and nothing else.

Threading: :func:`probe` runs its own event loop in the calling thread and blocks until every
target has an answer (at most about ``timeout`` per wave of ``concurrency`` endpoints). Never
call it on the main thread of 3ds Max: run it in a worker (``QThread``/``QThreadPool``) and pass
results and progress back with queued signals. The ``progress`` callback runs in that worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable
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

DEFAULT_CONCURRENCY = 256
"""Endpoints probed at the same time (one socket each, plus one lookup thread per name)."""

RESOLVER_THREADS = 16
"""getaddrinfo() blocks, so names are looked up on at most this many threads per probe run."""

CANCEL_POLL_S = 0.05
"""How often a running probe looks at its cancel event."""

HINT_PORTS: tuple[int, ...] = tuple(sorted({*DEFAULT_PORTS.values(), STANDALONE_PORT}))
"""Ports tried on a host that refused, to spot a server listed with the wrong port."""

CANCELLED_MESSAGE = "cancelled"

Key = tuple[str, int]


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
    """

    host: str
    port: int
    label: str = "server"

    def __post_init__(self) -> None:
        object.__setattr__(self, "host", validate_host(self.host))
        object.__setattr__(self, "port", validate_port(self.port))

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
    """The enabled render servers, plus the dispatcher when the mode is DR2."""
    targets = [ProbeTarget(s.host, s.port, "server") for s in settings.enabled_servers]
    if settings.mode is Mode.DR2 and settings.dispatcher is not None:
        targets.append(ProbeTarget(settings.dispatcher.host, settings.dispatcher.port,
                                   "dispatcher"))
    return targets


def probe(targets: Iterable[ProbeTarget], *, timeout: float = DEFAULT_TIMEOUT,
          concurrency: int = DEFAULT_CONCURRENCY, progress: ProgressCallback | None = None,
          cancel: threading.Event | None = None, hint_ports: bool = True) -> list[ProbeResult]:
    """Probe ``targets`` and block until all have an answer; see :func:`probe_async`.

    Runs a private event loop in the calling thread (or, if that thread already runs one, in
    a helper thread), so it is safe from any worker thread. Never call it on 3ds Max's main
    thread: it would freeze the UI for up to ``timeout`` seconds.
    """
    def run() -> list[ProbeResult]:
        return asyncio.run(probe_async(targets, timeout=timeout, concurrency=concurrency,
                                       progress=progress, cancel=cancel,
                                       hint_ports=hint_ports))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run()
    with ThreadPoolExecutor(max_workers=1) as helper:
        return helper.submit(run).result()


async def probe_async(targets: Iterable[ProbeTarget], *, timeout: float = DEFAULT_TIMEOUT,
                      concurrency: int = DEFAULT_CONCURRENCY,
                      progress: ProgressCallback | None = None,
                      cancel: threading.Event | None = None,
                      hint_ports: bool = True) -> list[ProbeResult]:
    """Resolve and TCP-connect to every target concurrently.

    Identical ``host:port`` targets are probed once and reported per target. Each endpoint
    gets ``timeout`` seconds from the moment its turn comes, for the name lookup and the
    handshake together; a name with several addresses has them tried in order inside that
    time. At most ``concurrency`` endpoints are in flight at once.

    Args:
        targets: what to probe.
        timeout: seconds per endpoint (0 < timeout <= MAX_TIMEOUT).
        concurrency: endpoints in flight at once (at least 1).
        progress: ``progress(done, total, result)``, called once per target, in completion
            order, on the thread that runs the event loop.
        cancel: set it (from any thread) to stop; targets without an answer then come back
            with ``cancelled=True``, state ``error`` and message ``"cancelled"``.
        hint_ports: on a refused connection, try the other well-known DR ports of that host
            (within what is left of its timeout) and name one that accepts.

    Returns:
        One result per target, in target order.

    Raises:
        InputError: for a timeout or concurrency out of range.
    """
    if not 0 < timeout <= MAX_TIMEOUT:
        raise InputError(f"timeout {timeout} s is out of range (0-{MAX_TIMEOUT:g} s)")
    if concurrency < 1:
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

    run = _Run(timeout, asyncio.Semaphore(concurrency), cancel, hint_ports)
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
                           cancelled=self.cancelled, other_port=self.other_port)


_CANCELLED = _Outcome(ProbeState.ERROR, CANCELLED_MESSAGE, cancelled=True)


class _Phase:
    """Where an endpoint's probe is, so a timeout can say what it was waiting for."""

    def __init__(self) -> None:
        self.address: str | None = None
        self.resolved = False


class _Run:
    """State shared by the endpoints of one probe run: the slot semaphore and lookup threads."""

    def __init__(self, timeout: float, slots: asyncio.Semaphore,
                 cancel: threading.Event | None, hint_ports: bool) -> None:
        self.timeout = timeout
        self.slots = slots
        self.cancel = cancel
        self.hint_ports = hint_ports
        self._resolver: ThreadPoolExecutor | None = None
        self._hints: dict[str, asyncio.Future[tuple[int, ...]]] = {}

    async def close(self) -> None:
        # A lookup stuck in getaddrinfo cannot be interrupted; let its thread finish alone
        # rather than hold the caller past the timeout.
        if self._resolver is not None:
            self._resolver.shutdown(wait=False, cancel_futures=True)
        unfinished = [task for task in self._hints.values() if not task.done()]
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)

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
                _accepting_hint_ports(address, budget))
        try:
            accepting = await asyncio.wait_for(asyncio.shield(scan), budget)
        except asyncio.TimeoutError:
            return None
        return next((p for p in accepting if p != port), None)

    async def endpoint(self, target: ProbeTarget) -> _Outcome:
        async with self.slots:
            if self.cancel is not None and self.cancel.is_set():
                return _CANCELLED
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.timeout
            phase = _Phase()
            try:
                outcome = await asyncio.wait_for(self._resolve_and_connect(target, phase),
                                                 self.timeout)
            except asyncio.TimeoutError:
                return _timed_out(target, phase, self.timeout)
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
        if self._resolver is None:
            self._resolver = ThreadPoolExecutor(max_workers=RESOLVER_THREADS,
                                                thread_name_prefix="vrdr-resolve")
        infos = await asyncio.get_running_loop().run_in_executor(
            self._resolver, socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM,
            socket.IPPROTO_TCP)
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


async def _accepting_hint_ports(address: str, budget: float) -> tuple[int, ...]:
    """The HINT_PORTS that accept on ``address``, tried one by one within ``budget`` s."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    accepting: list[int] = []

    async def scan() -> None:
        for candidate in HINT_PORTS:
            sockaddr: tuple[Any, ...] = ((address, candidate, 0, 0)
                                         if family == socket.AF_INET6 else (address, candidate))
            if (await _connect(family, sockaddr)).state is ProbeState.ONLINE:
                accepting.append(candidate)

    with contextlib.suppress(asyncio.TimeoutError):  # what answered in time still counts
        await asyncio.wait_for(scan(), budget)
    return tuple(accepting)


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

