"""The panel's Farm section without Qt: render servers reserved from Deadline, and released.

The section is the panel's face of ``vrdr_max.farm`` (docs/farm.md): the Web Service URL (the
studio's ``farm.deadline_url``, editable for the session), a login the artist gives (a user
name, and a password asked in a dialog, kept in memory for this session only and never
written anywhere), the pools and groups read from the farm, "Reserve N" and "Release".

Everything that talks to the Web Service is a *job*: a plain function the panel runs on a
worker thread (``workers.Task``), which gets what it needs as arguments made here on the main
thread and hands back an :class:`Outcome`. The panel passes the outcome to :meth:`finish` on
the main thread, which says what happened in words and brings the server list up to date. HTTP
never runs on the main thread, and a job never touches the controller.

While a reservation holds the cfg, edits that would write it are refused (the release puts
the artist's bytes back only onto the bytes the reservation wrote) and the table shows the
farm's machines with the source ``farm``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from vrdr_max.errors import InputError, VrdrError, one_line
from vrdr_max.panel.listing import plural

if TYPE_CHECKING:
    from pathlib import Path

    from vrdr_max.farm.credentials import Credentials
    from vrdr_max.farm.deadline import DeadlineClient
    from vrdr_max.farm.records import RecordStore, ReservationRecord
    from vrdr_max.farm.reservation import (
        Machine,
        ReleaseReport,
        ReserveOptions,
        ReserveReport,
    )
    from vrdr_max.panel.controller import PanelController
    from vrdr_max.studio import FarmSettings

Report = Callable[[int, int, object], None]
"""How a job reports progress: ``report(done, total, payload)`` (``workers.Task``'s)."""
Job = Callable[[Report, threading.Event], "Outcome"]
"""A job for a worker thread: ``job(report, cancel)`` returns its outcome."""

DEFAULT_SERVERS = 4
"""The Reserve spin box's first value."""
MAX_SERVERS = 1000
"""The most machines the spin box asks for at once."""
NO_NAME = "(none)"
"""The pool and group lists' first item: the job names no pool (Deadline's "none" pool)."""
NO_USER = "no user given: type your Deadline user name in the Farm section"
"""What a 401 without a user says in the panel (the CLI says ``pass --user NAME``)."""
SHUTDOWN_WAIT_S = 5.0
"""How long 3ds Max's closing waits for a release beyond the Web Service's own timeout."""


class FarmState(str, Enum):
    """What the section is doing."""

    IDLE = "idle"
    """Nothing of this panel's holds the cfg."""
    BUSY = "busy"
    """A job talks to the Web Service."""
    RESERVED = "reserved"
    """A reservation is open: its machines are in the cfg, or its job is still to complete."""


class Action(str, Enum):
    """What a job did."""

    LISTS = "lists"
    RESERVE = "reserve"
    RELEASE = "release"


class ReservationCancelled(Exception):  # noqa: N818 - it is a request, not an error
    """Raised inside a reservation's wait when the artist pressed Cancel (it is undone)."""


@dataclass
class Outcome:
    """What a job hands back to :meth:`FarmSection.finish` (on the main thread).

    Attributes:
        action: which job it was.
        error: one line when it failed (names the URL and the HTTP status; no password).
        refused_login: the Web Service refused the login (the panel asks for it again).
        pools, groups: the farm's lists (``Action.LISTS``).
        reserved: the reservation's report (``Action.RESERVE``).
        cancelled: the artist cancelled the reservation (it was undone).
        job_id: the spawner job, when one was submitted.
        released: one report per record released (``Action.RELEASE``).
    """

    action: Action
    error: str | None = None
    refused_login: bool = False
    pools: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    reserved: ReserveReport | None = None
    cancelled: bool = False
    job_id: str | None = None
    released: list[ReleaseReport] = field(default_factory=list)


@dataclass(frozen=True)
class Login:
    """The artist's Deadline login for this session (never written anywhere).

    Attributes:
        user: the Deadline user; empty for a Web Service without authentication.
        password: its password; kept out of ``repr``.
    """

    user: str
    password: str = field(repr=False)


def machine_words(machine: Machine) -> str:
    """``render04 (10.0.0.24)``, with its worker state when Deadline gave one."""
    return machine.label + (f" [{machine.state}]" if machine.state else "")


def reserve_lines(report: ReserveReport) -> list[str]:
    """How a reservation went, in the artist's words: who answered, who took it and did not."""
    job = report.job_id or "-"
    answered = report.servers
    head = (f"Job {job}: {len(answered)} of {plural(report.asked, 'machine')} answered in "
            f"{report.waited_s:.1f} s")
    lines = [head + (": " + ", ".join(m.label for m in answered) if answered else "")]
    if report.written:
        lines.append(f"They are the server list in {report.cfg_path.name} now (source farm); "
                     "Release gives them back and puts your list back.")
    lines += [f"Took the job and did not answer: {machine_words(m)}: {m.message}"
              for m in report.silent]
    lines += [f"Left out (this workstation): {m.label}" for m in report.excluded]
    lines += [_sentence(m) for m in report.messages]
    return [one_line(line) for line in lines]  # names and messages the farm gave: one line each


def release_lines(reports: Sequence[ReleaseReport]) -> list[str]:
    """How a release went, one line per job and one per problem."""
    lines = []
    for report in reports:
        done = [what for what, ok in (("the job is complete (its machines are free again)",
                                       report.job_completed),
                                      ("your server list is back", report.cfg_restored)) if ok]
        head = f"Job {report.job_id}: " + ("; ".join(done) if done else "nothing released")
        if not report.record_removed:
            head += "; it stays on record: Release again to finish it"
        lines.append(head)
        lines += [_sentence(m) for m in report.messages]
    return [one_line(line) for line in lines]  # the farm's messages: one line each


def _sentence(text: str) -> str:
    return one_line(text[:1].upper() + text[1:])


class FarmSection:
    """The Farm section's state and commands (one per panel controller).

    Args:
        controller: the panel's controller (the cfg, the list, the host, the studio config).
        store: where reservation records are (the user's ``farm-reservations`` folder by
            default).
        settings: farm settings to use instead of the studio's (the demo's stand-in farm).
    """

    def __init__(self, controller: PanelController, *, store: RecordStore | None = None,
                 settings: FarmSettings | None = None) -> None:
        self.controller = controller
        self._store = store
        self._settings = settings
        self.url = self.settings().deadline_url or ""
        self.user = ""
        self._login: Login | None = None
        self.pools: list[str] = []
        self.groups: list[str] = []
        self.pool: str | None = self.settings().pool
        self.group: str | None = self.settings().group
        self.count = DEFAULT_SERVERS
        self.state = FarmState.IDLE
        self.record: ReservationRecord | None = None
        self.lines: list[str] = []
        self.progress = ""
        self.error: str | None = None
        self._adopt_open()

    # -- settings, login, records --------------------------------------------------------------

    def settings(self) -> FarmSettings:
        """The farm settings: the studio and user files' (``farm``), or the demo's."""
        if self._settings is not None:
            return self._settings
        return self.controller.studio(reread=False).farm

    @property
    def store(self) -> RecordStore:
        """The reservation records' folder."""
        if self._store is None:
            from vrdr_max.farm.records import RecordStore  # noqa: PLC0415 - on first use

            self._store = RecordStore.default()
        return self._store

    def set_url(self, text: str) -> None:
        """The Web Service URL for this session (the studio's is the default)."""
        text = text.strip()
        if text != self.url:
            self.url = text
            self._login = None  # a login is for one Web Service
            self._changed()

    def set_user(self, text: str) -> None:
        """The Deadline user name typed in the section; another name forgets the login."""
        text = text.strip()
        if text != self.user:
            self.user = text
            if self._login is not None and self._login.user != text:
                self._login = None
            self._changed()

    @property
    def needs_login(self) -> bool:
        """True until the artist gave a login (or "none": an empty user) in this session."""
        return self._login is None

    def log_in(self, user: str, password: str) -> None:
        """Keep the login the artist typed, in memory only, until 3ds Max closes or a 401.

        Raises:
            InputError: a user name Basic authentication cannot carry (nothing is kept).
        """
        user = user.strip()
        if ":" in user or not user.isprintable():
            raise InputError("a Deadline user name cannot hold ':' or control characters")
        self.user = user
        self._login = Login(user, password if user else "")
        self._changed()

    def forget_login(self) -> None:
        """Drop the login (the Web Service refused it, or another user or URL is given)."""
        self._login = None

    def _credentials(self) -> Credentials | None:
        from vrdr_max.farm.credentials import Credentials  # noqa: PLC0415

        login = self._login
        if login is None or not login.user:
            return None
        return Credentials(user=login.user, password=login.password)

    def client(self, url: str | None = None) -> DeadlineClient:
        """A client of the Web Service at ``url`` (the section's URL by default).

        Raises:
            InputError: no URL, or a URL that is not one (said without a password in it).
        """
        from vrdr_max.farm.deadline import DeadlineClient  # noqa: PLC0415 - HTTP on first use
        from vrdr_max.farm.http import WebService  # noqa: PLC0415
        from vrdr_max.farm.urls import parse_service_url  # noqa: PLC0415

        text = (url or self.url).strip()
        if not text:
            raise InputError("no Deadline Web Service: type its URL (e.g. "
                             "http://deadline01:8082) or set farm.deadline_url in the studio "
                             "config")
        settings = self.settings()
        credentials = self._credentials()
        return DeadlineClient(WebService(parse_service_url(text), credentials,
                                         timeout=settings.http_timeout,
                                         ca_file=settings.ca_file,
                                         no_user=NO_USER))

    def _adopt_open(self) -> None:
        """A reservation of a live process (this one, or ``vrdr farm reserve``) holding the cfg.

        The panel shows it as its own, so Release is at hand; one left behind by a process
        that is gone is offered on open instead (:meth:`left_behind`).
        """
        try:
            records, _broken = self.store.all()
        except VrdrError:
            return
        mine = [r for r in records if r.open and not r.stale() and self._for_this_cfg(r)]
        if mine:
            self._hold(mine[-1])

    def _for_this_cfg(self, record: ReservationRecord) -> bool:
        return record.cfg_path == str(self.controller.cfg_path)

    def left_behind(self) -> list[ReservationRecord]:
        """Open reservations whose process is gone (a crash, a killed 3ds Max), oldest first."""
        try:
            records, _broken = self.store.all()
        except VrdrError as exc:
            self._fail(str(exc))
            return []
        held = self.record.job_id if self.record is not None else None
        return [r for r in records if r.open and r.stale() and r.job_id != held]

    def keep_left_behind(self, records: Sequence[ReservationRecord]) -> None:
        """The artist chose not to release them now: the one for this cfg is shown as held."""
        mine = [r for r in records if self._for_this_cfg(r)]
        if mine and self.record is None:
            self._hold(mine[-1])
            self.lines = [f"A reservation left behind by a 3ds Max that closed holds "
                          f"{self.controller.cfg_path.name} (job {mine[-1].job_id}): Release "
                          "gives its machines back and puts your list back."]
            self._changed()

    def _hold(self, record: ReservationRecord) -> None:
        """Show ``record`` as this panel's reservation; lock the list while the cfg holds it."""
        self.record = record
        self.state = FarmState.RESERVED
        if record.cfg_pending:
            self.controller.lock_list(f"the server list is the farm reservation's (job "
                                      f"{record.job_id}): Release it to edit your list")
            self.controller.label_farm([(s.address, s.port) for s in record.servers],
                                       record.job_id)

    # -- what the widgets show -----------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a job runs."""
        return self.state is FarmState.BUSY

    @property
    def reserved_job(self) -> str | None:
        """The open reservation's job id, or None."""
        return self.record.job_id if self.record is not None and self.record.open else None

    @property
    def holds_cfg(self) -> bool:
        """True while the panel's cfg holds the reservation's machines (edits are refused).

        After a switch to the other engine the panel edits the other cfg file, which the
        reservation does not hold.
        """
        record = self.record
        return record is not None and record.cfg_pending and self._for_this_cfg(record)

    def can_reserve(self) -> bool:
        """Reserve is offered: nothing open, nothing running."""
        return self.state is FarmState.IDLE

    def can_release(self) -> bool:
        """Release is offered: a reservation is open and nothing runs."""
        return self.state is FarmState.RESERVED and self.record is not None

    def summary(self) -> str:
        """The section's head line (what shows when it is folded)."""
        if self.state is FarmState.BUSY:
            return _sentence(self.progress or "talking to the Web Service")
        record = self.record
        if record is not None and record.open:
            machines = plural(len(record.servers), "machine")
            return f"job {record.job_id}, {machines} reserved"
        return "nothing reserved" if self.url else "no Deadline Web Service set"

    def wait_text(self) -> str:
        """How long a reservation waits, and where that comes from."""
        settings = self.settings()
        return (f"Waits up to {settings.wait:g} s for the machines to answer (farm.wait in the "
                "studio config)")

    def close_question(self) -> str | None:
        """What closing asks about, or None when nothing is open."""
        record = self.record
        if record is None or not record.open:
            return None
        what = (f"{plural(len(record.servers), 'farm machine')} reserved in job {record.job_id}"
                + (f" hold {self.controller.cfg_path.name}" if record.cfg_pending else ""))
        return f"{what}. Release them (the farm gets them back and your server list comes back)?"

    def _changed(self) -> None:
        self.controller.farm_changed()

    def report_error(self, message: str) -> None:
        """Say ``message`` as the section's one error line."""
        self._fail(message)

    def _fail(self, message: str) -> None:
        self.error = one_line(message)
        self.controller.record_error("farm", self.error)
        self._changed()

    def _clear_error(self) -> None:
        self.error = None
        self.controller.record_error("farm", None)

    # -- jobs (run on a worker thread) ---------------------------------------------------------

    def _start(self, what: str) -> None:
        self.state = FarmState.BUSY
        self.progress = what
        self._clear_error()
        self._changed()

    def lists_job(self) -> Job | None:
        """Read the farm's pools and groups; None (the error said) when it cannot start."""
        if self.busy:
            return None
        try:
            client = self.client()
        except VrdrError as exc:
            self._fail(str(exc))
            return None
        self._start("reading the pools and groups")

        def run(_report: Report, _cancel: threading.Event) -> Outcome:
            from vrdr_max.farm.errors import FarmAuthError, FarmError  # noqa: PLC0415

            try:
                return Outcome(Action.LISTS, pools=client.pools(), groups=client.groups())
            except FarmError as exc:
                return Outcome(Action.LISTS, error=one_line(str(exc)),
                               refused_login=isinstance(exc, FarmAuthError))
        return run

    def reserve_job(self, count: int | None = None) -> Job | None:
        """Reserve ``count`` machines (the spin box's); None (the error said) when it cannot.

        The job submits the spawner job, waits for the machines to answer (up to the studio's
        ``farm.wait``), writes those that do into the cfg and keeps the record; Cancel (the
        worker's cancel event) undoes it: the job is completed and the cfg left as it was.
        """
        from vrdr_max.farm.reservation import ReserveOptions  # noqa: PLC0415
        from vrdr_max.ports import Mode, default_port  # noqa: PLC0415

        if not self.can_reserve():
            self._fail("a reservation is open or running: Release it first")
            return None
        c = self.controller
        c.flush()
        if c.unsaved:
            self._fail(f"the panel's list is not saved to {c.cfg_path.name}: reload or save it "
                       "before reserving")
            return None
        self.count = self.count if count is None else count
        try:
            c.studio()  # the studio's wait and defaults as the files say now
            settings = self.settings()
            client = self.client()
            engine = c.settings.engine
            options = ReserveOptions(
                servers=self.count, engine=engine, max_year=self._max_year(settings),
                port=settings.spawner_port or default_port(engine, Mode.DR), pool=self.pool,
                group=self.group, priority=settings.priority, wait=settings.wait,
                poll_interval=settings.poll_interval, probe_timeout=c.probe_timeout())
        except VrdrError as exc:
            self._fail(str(exc))
            return None
        self.lines = []
        self._start(f"reserving {plural(self.count, 'machine')}")
        # The reservation writes the cfg at the end of its wait, over the bytes it read first.
        c.lock_list("a farm reservation is being made: wait for it, or Cancel it")
        return _reserve_job(client, options, c.cfg_path, self.store)

    def _max_year(self, settings: FarmSettings) -> int:
        """The 3ds Max the spawners must run: this one's year, else ``farm.max_version``."""
        try:
            year = self.controller.host.max_version()
        except VrdrError:
            year = None
        year = year or settings.max_version
        if year is None:
            raise InputError("which 3ds Max do the farm's spawners run? set farm.max_version "
                             "in the studio config")
        return int(year)

    def release_job(self, records: Sequence[ReservationRecord] | None = None) -> Job | None:
        """Complete the jobs and restore the cfgs of ``records`` (the open reservation's).

        Each record is released on the Web Service it was made on. A record whose URL cannot be
        used has its cfg restored and stays on record for ``vrdr farm release``.
        """
        targets = list(records) if records is not None else (
            [self.record] if self.record is not None else [])
        if not targets or self.busy:
            return None
        work: list[tuple[DeadlineClient | None, ReservationRecord]] = []
        for record in targets:
            try:
                client: DeadlineClient | None = self.client(record.url)
            except VrdrError:
                client = None  # said by release(): "the job stays open: no Web Service given"
            work.append((client, record.model_copy(deep=True)))
        self._start(f"releasing {plural(len(targets), 'reservation')}")
        store = self.store

        def run(_report: Report, _cancel: threading.Event) -> Outcome:
            from vrdr_max.farm.reservation import release  # noqa: PLC0415

            released = []
            try:
                for client, record in work:
                    released.append(release(client, record, store))
            except VrdrError as exc:  # the record folder cannot be written
                return Outcome(Action.RELEASE, error=str(exc), released=released)
            return Outcome(Action.RELEASE, released=released)
        return run

    # -- outcomes (on the main thread) ---------------------------------------------------------

    def progressed(self, payload: object) -> str:
        """A reservation's progress, as the progress bar's words."""
        from vrdr_max.farm.reservation import Progress  # noqa: PLC0415

        if isinstance(payload, Progress):
            self.progress = (f"{payload.answered}/{payload.asked} answered · {payload.took} "
                             f"took the job · {payload.seconds_left:.0f} s left")
        return self.progress

    def failed(self, message: str) -> None:
        """A job broke (a vrdr bug): said in one line; the section is usable again."""
        self.state = FarmState.RESERVED if self.record is not None else FarmState.IDLE
        self.progress = ""
        if not self.holds_cfg:
            self.controller.unlock_list()
        self._fail(f"the farm job failed: {message}")

    def finish(self, outcome: Outcome) -> None:
        """Take a job's outcome: words, the list, the lock; then the widgets are told."""
        self.progress = ""
        self.state = FarmState.RESERVED if self.record is not None else FarmState.IDLE
        if outcome.refused_login:
            self.forget_login()
        if outcome.action is Action.LISTS:
            self._lists_done(outcome)
        elif outcome.action is Action.RESERVE:
            self.controller.unlock_list()
            self._reserve_done(outcome)
        else:
            self._release_done(outcome)
        if outcome.error:
            self._fail(outcome.error)
        self._changed()

    def _lists_done(self, outcome: Outcome) -> None:
        if outcome.error is None:
            self.pools, self.groups = outcome.pools, outcome.groups

    def _reserve_done(self, outcome: Outcome) -> None:
        report = outcome.reserved
        if report is not None:
            self.lines = reserve_lines(report)
            record = self.store.load(report.job_id) if report.job_id else None
            if record is not None and record.open:
                self._hold(record)
                self.controller.reload_cfg()
            return
        job = outcome.job_id
        record = self.store.load(job) if job else None
        if outcome.cancelled:
            self.lines = ["Reservation cancelled: " + (
                "the job is complete again and your server list is as it was" if record is None
                else "the job could not be completed; it stays on record: Release to finish it")]
        if record is not None and record.open:
            self._hold(record)
            self.controller.reload_cfg()

    def _release_done(self, outcome: Outcome) -> None:
        self.lines = release_lines(outcome.released)
        if any("refused the login" in m for r in outcome.released for m in r.messages):
            self.forget_login()  # release() words a 401 in its messages
        restored = any(r.cfg_restored for r in outcome.released)
        held = self.record
        if held is not None:
            fresh = self.store.load(held.job_id)
            self.record = fresh if fresh is not None and fresh.open else None
            if self.record is None or not self.record.cfg_pending:
                self.controller.unlock_list()
        self.state = FarmState.RESERVED if self.record is not None else FarmState.IDLE
        if restored:
            self.controller.reload_cfg()


def _reserve_job(client: DeadlineClient, options: ReserveOptions, cfg_path: Path,
                 store: RecordStore) -> Job:
    """The reservation as a worker's job (see :meth:`FarmSection.reserve_job`)."""

    def run(report: Report, cancel: threading.Event) -> Outcome:
        from vrdr_max.farm.errors import FarmAuthError, FarmError  # noqa: PLC0415
        from vrdr_max.farm.reservation import Progress, reserve  # noqa: PLC0415

        job: list[str] = []

        def progress(p: Progress) -> None:
            job[:] = [p.job_id]
            report(p.answered, p.asked, p)
            if cancel.is_set():
                raise ReservationCancelled

        def sleep(seconds: float) -> None:
            if cancel.wait(seconds):
                raise ReservationCancelled

        try:
            result = reserve(client, options, cfg_path, store=store, session=True,
                             clock=time.monotonic, sleep=sleep, progress=progress)
        except ReservationCancelled:
            return Outcome(Action.RESERVE, cancelled=True, job_id=job[0] if job else None)
        except FarmError as exc:
            return Outcome(Action.RESERVE, error=one_line(str(exc)),
                           refused_login=isinstance(exc, FarmAuthError),
                           job_id=job[0] if job else None)
        except VrdrError as exc:
            return Outcome(Action.RESERVE, error=str(exc), job_id=job[0] if job else None)
        return Outcome(Action.RESERVE, reserved=result, job_id=result.job_id)
    return run


__all__ = ["DEFAULT_SERVERS", "MAX_SERVERS", "NO_NAME", "NO_USER", "SHUTDOWN_WAIT_S", "Action",
           "FarmSection", "FarmState", "Login", "Outcome", "ReservationCancelled",
           "release_lines", "reserve_lines"]
