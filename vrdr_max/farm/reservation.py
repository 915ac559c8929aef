"""A reservation as a transaction: reserve, probe, write the cfg; release afterwards.

The farm decides who is free; vrdr only asks for N machines and takes what answers:

1. the cfg is read first (a bad path or file fails before the farm is asked for anything);
2. the VraySpawner job is submitted (one task per machine) with this workstation on its
   blacklist, and its record is written at once (``records``), so a crash leaves it visible;
3. until ``wait`` runs out or N machines answer, vrdr polls who took the job every
   ``poll_interval`` and probes each new machine, and again each silent one (a spawner needs
   seconds to start after its worker takes the task; Deadline's own tool waits a fixed 10 s
   and writes whatever took the job, answering or not);
4. if nothing answered, the job is completed and the cfg never touched; otherwise the tasks
   of machines that took the job but stayed silent, and the places nobody took, are completed
   (those machines go back to the farm), and the machines that answered replace the cfg's
   server list as ``<address> 1 <port>`` lines (the rest of the file byte for byte);
5. :func:`release` completes the job and puts the cfg's previous bytes back.

Any failure or Ctrl+C between 2 and 4 completes the job and leaves the cfg as it was; if
the Web Service cannot be reached then, the record stays for ``vrdr farm release``.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vrdr_max.addresses import validate_host
from vrdr_max.atomic import MAX_CFG_BYTES, check_writable, read_bytes_snapshot, restore_snapshot
from vrdr_max.cfgfile import CfgFile
from vrdr_max.errors import CfgConflictError, InputError
from vrdr_max.farm.deadline import (
    TASK_STATES,
    DeadlineClient,
    SpawnerJob,
    Worker,
    plugin_version,
)
from vrdr_max.farm.errors import FarmError, FarmHTTPError, FarmUnreachableError
from vrdr_max.farm.records import RecordStore, ReservationRecord, ReservedServer
from vrdr_max.models import RenderServer
from vrdr_max.ports import Engine
from vrdr_max.probe import ProbeResult, ProbeTarget, probe
from vrdr_max.timeouts import MAX_TIMEOUT

QUEUED_TASK_CODE = next(code for code, name in TASK_STATES.items() if name == "Queued")

Clock = Callable[[], float]
Sleep = Callable[[float], None]
Prober = Callable[[list[ProbeTarget], float], list[ProbeResult]]


class SubmissionInterrupted(KeyboardInterrupt):
    """Ctrl+C while the submission was on its way: the job may exist, its id is unknown.

    Attributes:
        job_name: the job's name, to find it in Deadline Monitor.
    """

    def __init__(self, job_name: str) -> None:
        super().__init__(job_name)
        self.job_name = job_name


@dataclass(frozen=True)
class ReserveOptions:
    """What to ask the farm for.

    Attributes:
        servers: how many machines (one task each).
        engine: V-Ray CPU or GPU (which spawner, which cfg).
        max_year: the 3ds Max year the spawners run.
        port: where the spawners listen (written into the cfg).
        pool, group, priority: the spawner job's Deadline settings.
        wait: seconds to wait for machines to answer (the poll deadline).
        poll_interval: seconds between two looks at who took the job.
        probe_timeout: seconds a probe of one machine may take.
    """

    servers: int
    engine: Engine
    max_year: int
    port: int
    pool: str | None = None
    group: str | None = None
    priority: int = 50
    wait: float = 60.0
    poll_interval: float = 2.0
    probe_timeout: float = 1.0

    def __post_init__(self) -> None:
        if self.servers < 1:
            raise InputError(f"--servers {self.servers}: reserve at least 1 machine")
        if not self.wait > 0:
            raise InputError(f"--wait {self.wait}: must be more than 0 seconds")
        if not 0 < self.probe_timeout <= MAX_TIMEOUT:
            raise InputError(f"--timeout {self.probe_timeout}: give more than 0 and at most "
                             f"{MAX_TIMEOUT:g} s")
        if not self.poll_interval > 0:
            raise InputError(f"poll interval {self.poll_interval}: must be more than 0 seconds")


@dataclass
class Machine:
    """A machine that took the job.

    Attributes:
        address: where its spawner is reached (the worker's override, else what Deadline said).
        name: the Deadline worker name, when known.
        answered: its spawner accepted a connection.
        message: the last probe's answer (why it is silent).
        state: the worker's state at the end, for silent machines ("Offline", ...).
        local: this workstation (left out, as Deadline does).
    """

    address: str
    name: str | None = None
    answered: bool = False
    message: str = "not probed yet"
    state: str | None = None
    local: bool = False

    @property
    def label(self) -> str:
        """``name (address)`` or the address."""
        return f"{self.name} ({self.address})" if self.name else self.address

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (keys are public interface)."""
        return {"name": self.name, "address": self.address, "answered": self.answered,
                "message": self.message, "state": self.state}


@dataclass
class ReserveReport:
    """How a reservation went."""

    job_id: str | None
    asked: int
    cfg_path: Path
    port: int
    servers: list[Machine] = field(default_factory=list)
    silent: list[Machine] = field(default_factory=list)
    excluded: list[Machine] = field(default_factory=list)
    written: bool = False
    released: bool = False
    waited_s: float = 0.0
    messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when at least one machine answered and is in the cfg."""
        return self.written and bool(self.servers)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``vrdr farm reserve`` (keys are public interface)."""
        return {"job_id": self.job_id, "asked": self.asked, "answered": len(self.servers),
                "cfg": str(self.cfg_path), "port": self.port, "written": self.written,
                "released": self.released, "waited_s": round(self.waited_s, 3),
                "servers": [m.to_dict() for m in self.servers],
                "silent": [m.to_dict() for m in self.silent],
                "excluded": [m.to_dict() for m in self.excluded],
                "messages": list(self.messages)}


@dataclass(frozen=True)
class Progress:
    """Where a wait stands (for a live line)."""

    answered: int
    took: int
    asked: int
    seconds_left: float
    job_id: str = ""
    """The spawner job (a caller that stops the wait learns which job was undone)."""


@dataclass
class ReleaseReport:
    """How a release went."""

    job_id: str
    job_completed: bool = False
    cfg_restored: bool = False
    record_removed: bool = False
    messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is left to release."""
        return self.record_removed

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``vrdr farm release`` (keys are public interface)."""
        return {"job_id": self.job_id, "job_completed": self.job_completed,
                "cfg_restored": self.cfg_restored, "record_removed": self.record_removed,
                "messages": list(self.messages)}


def this_machine_names() -> frozenset[str]:
    """This workstation's names as Deadline may call its worker (no name lookup)."""
    name = socket.gethostname().strip().lower()
    return frozenset({name, name.split(".")[0]} - {""})


def job_name(host: str, when: float) -> str:
    """The spawner job's name in Deadline Monitor."""
    return f"vrdr DR servers for {host or 'a workstation'} " + time.strftime(
        "%Y-%m-%d %H:%M:%S", time.localtime(when))


def _probe(targets: list[ProbeTarget], timeout: float) -> list[ProbeResult]:
    return probe(targets, timeout=timeout, hint_ports=False)


class _Wait:
    """Who took the job, which of them answer; polled until enough answer or time runs out."""

    def __init__(self, client: DeadlineClient, job_id: str, options: ReserveOptions,
                 local_names: frozenset[str], prober: Prober) -> None:
        self.client = client
        self.job_id = job_id
        self.options = options
        self.local_names = local_names
        self.prober = prober
        self.machines: dict[str, Machine] = {}
        """Address -> machine: one machine however many names the farm gives it."""
        self.seen: set[str] = set()
        """What the farm answered so far (names or addresses)."""
        self.workers: list[Worker] | None = None
        self.last_error: FarmError | None = None

    @property
    def answered(self) -> list[Machine]:
        return [m for m in self.machines.values() if m.answered]

    def poll(self) -> None:
        try:
            addresses = self.client.rendering(self.job_id, self.options.servers)
        except FarmError as exc:  # one lost poll is not the end of the reservation
            self.last_error = exc
            return
        new = [a for a in dict.fromkeys(addresses) if a not in self.seen]
        if new:
            self._identify(new)
        probed: list[Machine] = []
        targets: list[ProbeTarget] = []
        for machine in self.machines.values():
            if machine.answered or machine.local:
                continue
            try:
                targets.append(ProbeTarget(machine.address, self.options.port))
            except InputError as exc:
                machine.message = f"not a usable address: {exc}"
                continue
            probed.append(machine)
        if not targets:
            return
        for machine, result in zip(probed, self.prober(targets, self.options.probe_timeout),
                                   strict=True):
            machine.answered = result.ok
            machine.message = result.message

    def _identify(self, addresses: list[str]) -> None:
        """Name the new machines and apply address overrides (worker list read when needed)."""
        if self.workers is None or not all(self._worker(a) for a in addresses):
            try:
                self.workers = self.client.workers()
            except FarmError as exc:
                self.last_error = exc
                self.workers = self.workers or []
        local_addresses = self.client.service.local_addresses
        for given in addresses:
            worker = self._worker(given)
            address = worker.address if worker and worker.address else given
            # An address the probe cannot use is kept as given: the probe step says why.
            with contextlib.suppress(InputError):
                address = validate_host(address)
            self.seen.add(given)
            if address in self.machines:  # a second name for a machine already here
                continue
            name = worker.name if worker else None
            local = (address in local_addresses or given in local_addresses
                     or (name is not None and name.lower() in self.local_names))
            self.machines[address] = Machine(address=address, name=name, local=local,
                                           message="this workstation: left out" if local
                                           else "not probed yet")

    def _worker(self, address: str) -> Worker | None:
        for worker in self.workers or ():
            if address in (worker.ip, worker.override, worker.name):
                return worker
        return None


def reserve(client: DeadlineClient, options: ReserveOptions, cfg_path: Path, *,
            store: RecordStore, local_names: frozenset[str] | None = None,
            clock: Clock = time.monotonic, sleep: Sleep = time.sleep,
            prober: Prober = _probe, session: bool = False,
            progress: Callable[[Progress], None] | None = None) -> ReserveReport:
    """Reserve up to ``options.servers`` machines and write the ones that answer into the cfg.

    Blocks for up to ``options.wait`` seconds (plus one probe timeout): never call it on 3ds
    Max's main thread; run it in a worker and pass ``progress`` back with queued signals.

    Args:
        client: the Web Service.
        options: how many machines, which spawner, how long to wait.
        cfg_path: ``vray_dr.cfg``/``vrayrt_dr.cfg`` to write.
        store: where the reservation's record goes.
        local_names: this workstation's names (default: :func:`this_machine_names`).
        clock: monotonic seconds (tests and benchmarks pass their own).
        sleep: waits between polls.
        prober: probes targets with a timeout (default: ``vrdr_max.probe.probe``).
        session: the caller releases it itself before it ends (a submission, the panel), so
            its record is "left behind" once this process is gone; False for a reservation
            meant to outlive the process (``vrdr farm reserve``).
        progress: called after each poll.

    Returns:
        The report. ``ok`` when at least one machine answered and the cfg lists it; when none
        did, the job has been completed again (``released``) and the cfg is untouched.

    Raises:
        InputError: the cfg cannot be read or written (before anything is asked of the farm).
        FarmError: the submission failed (nothing was reserved; when its answer was lost
            the message names the job to look for in Deadline Monitor), or a later step
            failed after the job was completed again and the cfg left as it was.
        KeyboardInterrupt: likewise undone first; :class:`SubmissionInterrupted` when it came
            during the submission (no job id to undo).
    """
    names = this_machine_names() if local_names is None else local_names
    before = read_bytes_snapshot(cfg_path, max_bytes=MAX_CFG_BYTES)
    check_writable(cfg_path)
    CfgFile(cfg_path, options.engine, before)  # a cfg vrdr cannot read fails here, not later
    started_wall = time.time()
    host = socket.gethostname()
    job = SpawnerJob(name=job_name(host, started_wall), servers=options.servers,
                     port=options.port,
                     plugin_version=plugin_version(options.engine.value, options.max_year),
                     pool=options.pool, group=options.group, priority=options.priority,
                     blacklist=sorted({n for n in (host.strip(),) if n}))
    try:
        job_id = client.submit(job)
    except KeyboardInterrupt:
        raise SubmissionInterrupted(job.name) from None
    except FarmUnreachableError as exc:
        if not exc.reached:
            raise  # the request never left: nothing was reserved
        # The answer is lost, not necessarily the job: without its id vrdr cannot release it.
        raise FarmUnreachableError(f"{exc}; the job may exist all the same: look for "
                                   f'"{job.name}" in Deadline Monitor and complete it',
                                   url=exc.url, reached=True) from None
    record = ReservationRecord(job_id=job_id, job_name=job.name, url=client.service.url.text,
                               cfg_path=str(cfg_path), engine=options.engine,
                               cfg_before=ReservationRecord.encode(before.data),
                               asked=options.servers, created=started_wall, host=host,
                               session=session)
    report = ReserveReport(job_id=job_id, asked=options.servers, cfg_path=cfg_path,
                           port=options.port)
    try:
        store.save(record)
        wait = _Wait(client, job_id, options, names, prober)
        started = clock()
        _wait_for_machines(wait, clock, sleep, started, progress)
        report.waited_s = clock() - started
        _sort(wait, report)
        if not report.servers:
            _nothing_answered(client, wait, report, record, store)
            return report
        _drop_the_rest(client, wait, report)
        _write_cfg(CfgFile(cfg_path, options.engine, before), options.port, report, record,
                   store)
    except BaseException as exc:
        _undo(client, record, store, report, exc)
        raise
    return report


def _wait_for_machines(wait: _Wait, clock: Clock, sleep: Sleep, started: float,
                       progress: Callable[[Progress], None] | None) -> None:
    options = wait.options
    deadline = started + options.wait
    while True:
        tick = clock()
        wait.poll()
        now = clock()
        if progress is not None:
            progress(Progress(answered=len(wait.answered),
                              took=sum(not m.local for m in wait.machines.values()),
                              asked=options.servers, seconds_left=max(0.0, deadline - now),
                              job_id=wait.job_id))
        if len(wait.answered) >= options.servers or now >= deadline:
            return
        sleep(max(0.0, min(tick + options.poll_interval, deadline) - now))


def _sort(wait: _Wait, report: ReserveReport) -> None:
    for machine in wait.machines.values():
        if machine.local:
            report.excluded.append(machine)
        elif machine.answered:
            report.servers.append(machine)
        else:
            report.silent.append(machine)
    # More answers than asked cannot come from one task per machine; keep the first N anyway.
    report.silent.extend(report.servers[report.asked:])
    del report.servers[report.asked:]
    if report.silent and wait.workers is not None:
        _silent_states(wait, report.silent)
    if wait.last_error is not None:
        report.messages.append(f"the Web Service did not always answer while vrdr waited: "
                               f"{wait.last_error}")


def _silent_states(wait: _Wait, silent: list[Machine]) -> None:
    """Read the silent machines' worker states once more (an offline worker says why)."""
    try:
        wait.workers = wait.client.workers()
    except FarmError:
        return
    for machine in silent:
        worker = next((w for w in wait.workers if machine.name and w.name == machine.name),
                      None)
        if worker is not None:
            machine.state = worker.state


def _nothing_answered(client: DeadlineClient, wait: _Wait, report: ReserveReport,
                      record: ReservationRecord, store: RecordStore) -> None:
    took = len(report.silent)
    report.messages.append(
        f"no machine answered within {wait.options.wait:g} s ({took} took the job); the job "
        "is released and the cfg is unchanged")
    _complete(client, record, store, report)


def _drop_the_rest(client: DeadlineClient, wait: _Wait, report: ReserveReport) -> None:
    """Complete the tasks of silent machines and of places nobody took (they go back)."""
    dropped_names = {m.name.lower() for m in report.silent + report.excluded if m.name}
    try:
        tasks = client.tasks(wait.job_id)
        drop = [t.task_id for t in tasks if not t.completed and (
            (t.worker is not None and t.worker.lower() in dropped_names)
            or (t.worker is None and t.state_code == QUEUED_TASK_CODE))]
        if drop:
            client.complete_tasks(wait.job_id, drop)
    except FarmError as exc:
        report.messages.append(f"could not hand back the machines that did not answer ({exc});"
                               " they stay in the job until it is released")
        return
    queued = len(drop) - sum(1 for t in tasks if t.task_id in drop and t.worker is not None)
    if queued:
        report.messages.append(f"{queued} place(s) nobody took within the wait were dropped "
                               "from the job")


def _write_cfg(cfg: CfgFile, port: int, report: ReserveReport, record: ReservationRecord,
               store: RecordStore) -> None:
    before = cfg.snapshot.data
    cfg.settings.servers = []
    cfg.settings.add_servers(RenderServer(host=m.address, port=port) for m in report.servers)
    # The record, not a .bak beside the cfg, keeps the previous bytes for the release.
    cfg.save(backup=False)
    record.cfg_written = ReservationRecord.encode(cfg.snapshot.data)
    record.cfg_pending = cfg.snapshot.data != before
    record.servers = [ReservedServer(name=m.name, address=m.address, port=port)
                      for m in report.servers]
    report.written = True
    record.finished = True
    store.save(record)


def _complete(client: DeadlineClient, record: ReservationRecord, store: RecordStore,
              report: ReserveReport) -> None:
    try:
        client.complete_job(record.job_id)
    except FarmError as exc:
        record.notes.append(f"could not complete the job: {exc}")
        store.save(record)
        report.messages.append(f"the job could not be released ({exc}); it stays on record: "
                               f"vrdr farm release {record.job_id}")
        return
    record.job_open = False
    report.released = True
    store.delete(record)


def _undo(client: DeadlineClient, record: ReservationRecord, store: RecordStore,
          report: ReserveReport, cause: BaseException) -> None:
    """After a failure or Ctrl+C: complete the job, put the cfg back; keep the record if not."""
    why = "interrupted" if isinstance(cause, KeyboardInterrupt) else "failed"
    release_report = release(client, record, store)
    report.released = release_report.job_completed
    report.messages.append(f"reservation {why}: " + ("the job is released"
                                                      if release_report.job_completed
                                                      else "the job could not be released")
                           + ("" if not record.cfg_written else
                              ", the cfg is restored" if release_report.cfg_restored else ""))
    report.messages.extend(release_report.messages)


def release(client: DeadlineClient | None, record: ReservationRecord,
            store: RecordStore) -> ReleaseReport:
    """Complete the job and restore the cfg; forget the record once both are done.

    Releasing twice is harmless: a job the Web Service reports completed or gone counts as
    released, and a cfg already holding its previous bytes as restored. A Web Service that
    cannot be reached keeps the record (the cfg is restored anyway, the job stays open).

    Args:
        client: the Web Service (None: only the cfg is restored, the job stays on record).
        record: the reservation.
        store: its record folder.

    Returns:
        What was done; ``ok`` when nothing is left.
    """
    report = ReleaseReport(job_id=record.job_id)
    if record.job_open and client is not None:
        try:
            client.complete_job(record.job_id)
            record.job_open = False
        except FarmHTTPError as exc:
            if _already_done(client, record.job_id):
                record.job_open = False
            else:
                report.messages.append(f"the job stays open: {exc}")
        except FarmError as exc:
            report.messages.append(f"the job stays open: {exc}")
    elif record.job_open:
        report.messages.append("the job stays open: no Web Service given")
    report.job_completed = not record.job_open
    if record.cfg_pending:
        written = record.written
        try:
            restore_snapshot(record.before, written)
            record.cfg_pending = False
            report.cfg_restored = True
        except CfgConflictError:
            record.cfg_pending = False
            report.messages.append(f"{record.cfg_path} changed after vrdr wrote it (someone "
                                   "edited it): left as it is")
        except InputError as exc:
            report.messages.append(f"the cfg is not restored: {exc}")
    if record.open:
        record.notes = [*record.notes, *report.messages][-10:]
        store.save(record)
    else:
        store.delete(record)
        report.record_removed = True
    return report


def _already_done(client: DeadlineClient, job_id: str) -> bool:
    """True when the job is gone or already complete (a second release, Monitor's hand)."""
    from vrdr_max.farm.deadline import job_state  # noqa: PLC0415

    try:
        job = client.job(job_id)
    except FarmError:
        return False
    return job is None or job_state(job) == "Completed"


def release_job(client: DeadlineClient, job_id: str) -> ReleaseReport:
    """Complete a job that has no record (``vrdr farm release JOB_ID`` from another machine)."""
    report = ReleaseReport(job_id=job_id, record_removed=True)
    try:
        client.complete_job(job_id)
        report.job_completed = True
    except FarmError as exc:  # unreachable or a refused login: said, like release() says it
        report.job_completed = isinstance(exc, FarmHTTPError) and _already_done(client, job_id)
        if not report.job_completed:
            report.messages.append(f"the job stays open: {exc}")
            report.record_removed = False
    return report


def open_records(store: RecordStore, *, cfg_path: Path | None = None,
                 job_id: str | None = None) -> Iterable[ReservationRecord]:
    """Records still open, for one cfg or one job (or all)."""
    records, _broken = store.all()
    for record in records:
        if job_id is not None and record.job_id != job_id:
            continue
        if cfg_path is not None and Path(record.cfg_path) != cfg_path:
            continue
        yield record
