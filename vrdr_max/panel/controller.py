"""The panel's state and commands, without Qt: what the widgets show and what their clicks do.

The controller talks to the backend (cfg files, checks, fixes, submission) and to the
``MaxHost``; the widgets bind to it and never to the host. Every method runs on 3ds Max's main
thread; the slow, network-bound parts (probe, discovery) are plain functions the widgets hand
to a worker thread, whose results come back through :meth:`apply_probe_results` and friends.

Every edit is one undo step (``edits.py``): a few operations on the working copy that touch
only the rows they change, then a save through ``CfgFile.save`` (atomic, with a backup,
refusing a file that changed on disk). A long list is saved on the next event-loop turn when
the panel allows it (:meth:`PanelController.set_poster`): the edit shows at once, and a burst
of edits is saved once. (A worker thread would hold the interpreter lock for most of the save,
which stalls the UI thread's own Python as much.) Bad input never reaches the file: the
command returns the message and :attr:`PanelController.errors` holds it for the field that
caused it. Every command returns or records its error; none raises into a widget's slot.
"""

from __future__ import annotations

import os
import shlex
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError

from vrdr_max.addresses import validate_host
from vrdr_max.atomic import MAX_CFG_BYTES, read_bytes_snapshot
from vrdr_max.cfgfile import CfgDocument, cfg_name
from vrdr_max.checks import (
    SERVERS,
    CheckContext,
    CheckReport,
    CheckResult,
    Finding,
    Severity,
    checks_in,
    run,
    run_iter,
)
from vrdr_max.checks.farm_checks import licence_endpoints
from vrdr_max.errors import CfgConflictError, VrdrError, quote, validation_message
from vrdr_max.facts import PropValue, RendererInfo, SceneFacts
from vrdr_max.fixes import FIXES
from vrdr_max.host import MaxHost
from vrdr_max.hostport import parse_endpoint, validate_port
from vrdr_max.manifest import load_manifest
from vrdr_max.models import (
    AssetTransfer,
    CacheLimitType,
    Dispatcher,
    DRSettings,
    RenderServer,
    ServerEntry,
    ServerList,
)
from vrdr_max.panel import conflict
from vrdr_max.panel import numa_form as numa_rules
from vrdr_max.panel import paste_preview as paste_rules
from vrdr_max.panel.edits import (
    ChangeKind,
    History,
    Insert,
    Label,
    ListChange,
    Op,
    Remove,
    Replace,
    ResetList,
    SetEnabled,
    SetField,
    SetRenderer,
    Step,
    run_ops,
)
from vrdr_max.panel.farm_section import FarmSection
from vrdr_max.panel.listing import Status, plural, status_of, status_text, summary_line
from vrdr_max.panel.mirror import Mirror
from vrdr_max.ports import Engine, Mode, default_port
from vrdr_max.probe import ProbeResult
from vrdr_max.renderers import RendererProp
from vrdr_max.settings_store import StoredSettings, load_settings
from vrdr_max.spawner import parse_spawner_args, server_entries
from vrdr_max.studio import Effective, Pool, load_effective, resolve, user_config_path
from vrdr_max.submit import SubmissionReport, SubmitOptions, SubmitPlan, execute
from vrdr_max.submit import plan as plan_submission

Key = tuple[str, int]

SCENE_EVENTS = ("filePostOpen", "systemPostReset", "systemPostNew", "filePostMerge",
                "postRendererChange")
"""3ds Max events after which the panel reads the scene and the cfg again (File > New too)."""
GUARD_EVENT = "preRender"
SHUTDOWN_EVENT = "preSystemShutdown"
"""3ds Max is closing: "sent just before the software enters the shutdown process", while its UI
still runs (MAXScript reference, General Event Callback Mechanism > System Notifications;
``#postSystemShutdown`` comes when the UI is gone). The panel asks there whether to release an
open farm reservation. [unverified] that a modal Qt dialog shown from this callback is answered
before 3ds Max goes on closing (docs/panel.md "Not verified in a real 3ds Max")."""

NODE_CHECKS = frozenset({"default-lights", "missing-maps", "missing-plugins"})
"""Checks whose subjects name nodes, maps or missing-plugin classes: the panel offers Select."""

LATER_SAVE_FROM = 2000
"""Lists this long are saved on the event-loop turn after the edit (a save after an edit re-reads
every line of the file: 40 ms and more at 10,000 servers)."""

FIX_DISABLE_UNANSWERED = "disable-unanswered"
"""The panel's own fix of the "did not answer" finding: it needs the probe's answers."""
PANEL_FIXES = {FIX_DISABLE_UNANSWERED: "disable the servers that did not answer"}

GPU_OPTIONS = frozenset({"use_local_host", "check_missing_files"})
"""What V-Ray GPU keeps: ``vrayrt_dr.cfg``'s ``autostart_local_slave``, and the renderer's
Check for missing files (vray-dr.md §4, from production scripts). [unverified] that V-Ray 5/6/7
GPU still read only this key of the file: the belief is ``cfgfile.GPU_FILE_KEYS``, and the field
check reads the keys of the file V-Ray GPU wrote."""
GPU_ONLY_REASON = ("V-Ray GPU's vrayrt_dr.cfg holds only Use local host "
                   "(autostart_local_slave): this option is V-Ray CPU's")


class Event(str, Enum):
    """What changed; listeners refresh the views that show it."""

    SETTINGS = "settings"
    SERVERS = "servers"
    PROBE = "probe"
    PREFLIGHT = "preflight"
    ERRORS = "errors"
    CONFLICT = "conflict"
    GUARD = "guard"
    SCENE = "scene"
    HISTORY = "history"
    """What undo and redo would do changed."""
    SAVE = "save"
    """A save started or ended: which rows are on disk changed."""
    RERUN = "rerun"
    """A fix changed the scene: the preflight should read it again (see ``rerun_wanted``)."""
    FARM = "farm"
    """The Farm section changed (a reservation, its words, the pools read)."""
    SHUTDOWN = "shutdown"
    """3ds Max is closing (``#preSystemShutdown``): the panel asks about an open reservation."""


class Origin(str, Enum):
    """Where a server entry came from."""

    FILE = "file"
    ADDED = "added"
    POOL = "pool"
    NUMA = "NUMA"  # one entry per spawner process of a NUMA machine
    DISCOVERED = "discovered"
    FARM = "farm"  # reserved from the farm (Deadline); the label's second item is the job


class InputField(str, Enum):
    """Inputs (and channels) that can hold an inline error."""

    ADD = "add"
    EDIT = "edit"
    PASTE = "paste"
    NUMA = "numa"
    POOL = "pool"
    DISPATCHER = "dispatcher"
    MODE = "mode"
    OPTION = "option"
    MAX_SERVERS = "max_servers"
    CACHE_LIMIT = "cache_limit"
    SAVE = "save"
    FIX = "fix"
    SELECT = "select"
    STUDIO = "studio"
    PREFLIGHT = "preflight"
    RENDER = "render"
    PROBE = "probe"
    EVENT = "event"
    FARM = "farm"


OPTION_NAMES = ("use_local_host", "restart_servers", "save_servers_in_scene",
                "transfer_missing", "use_cached", "check_missing_files")
"""The on/off options of the panel (``max_servers`` and the cache limit take numbers)."""

_CHANGES = frozenset({Event.SETTINGS, Event.SERVERS, Event.PROBE, Event.SCENE})
"""Events after which the server checks' results are judged again."""

_FACT_PROPS = {RendererProp.DR_ENABLED: "dr_enabled",
               RendererProp.CHECK_MISSING_FILES: "check_missing_files"}
"""Renderer settings the scene facts hold as they are (``max_host.read_scene``): a fix that
writes only these changes those facts and no others."""

_RENDERER_OPTIONS = {"check_missing_files": (RendererProp.CHECK_MISSING_FILES,
                                             "vrdr: check for missing files")}


@dataclass(frozen=True)
class Row:
    """One line of the server table (its probe answer: :meth:`PanelController.probe_for`)."""

    server: RenderServer
    source: Origin


@dataclass(frozen=True)
class FindingRow:
    """One line of the preflight list; a fixed finding keeps its line until the next preflight."""

    finding: Finding
    title: str
    fixed: bool = False


@dataclass
class _ListState:
    """Entries per status, enabled ones, and enabled ones that did not answer."""

    counts: dict[Status, int]
    on: int = 0
    dead: int = 0

    def count(self, status: Status, enabled: bool, step: int) -> None:
        self.counts[status] += step
        if enabled:
            self.on += step
            if status is Status.REFUSED or status is Status.SILENT:
                self.dead += step


@dataclass(frozen=True)
class Reading:
    """A slice of the scene read, yielded by :meth:`PanelController.preflight_steps`."""

    part: str


PreflightItem = CheckResult | Reading
Listener = Callable[[Event], None]
Poster = Callable[[Callable[[], None]], None]
"""Runs a callable on the main thread on a later event-loop turn; callable from any thread."""


class PanelController:
    """State and commands of the DR panel for one 3ds Max session.

    Args:
        host: 3ds Max (or the mock); every call happens on the calling (main) thread.
        cfg_path: a cfg file to edit instead of the one in ``host.plugcfg_dir()``.
    """

    def __init__(self, host: MaxHost, cfg_path: Path | None = None) -> None:
        self.host = host
        self._cfg_path = cfg_path
        self._listeners: list[Listener] = []
        self._version = 0
        self._server_cache: tuple[tuple[int, RendererInfo], list[CheckResult]] | None = None
        self.errors: dict[InputField, str] = {}
        self.notes: dict[InputField, str] = {}
        """Warnings that are not errors (servers left on the other mode's port...)."""
        self._labels: dict[Key, Label] = {}
        self.probe_results: dict[Key, ProbeResult] = {}
        self.probe_changed: list[Key] = []
        self.probed_at: float | None = None
        self.report: CheckReport | None = None
        self._finding_rows: list[FindingRow] = []
        self._facts: SceneFacts | None = None
        self.preflight_note = ""
        self.rerun_wanted = False
        self.stepped_reruns = False
        """True when a listener (the panel) re-reads the scene in steps on ``Event.RERUN``."""
        self.guard_findings: list[Finding] = []
        self.conflict = False
        self.save_error: str | None = None
        self.last_submission: SubmissionReport | None = None
        self.callback_errors: list[str] = []
        self.expected: dict[str, str] = {}
        """Check ids this session sets off by its own making, and why (the demo's loopback
        stand-ins in DR2): their findings become notes that say so."""
        self.history = History()
        self.changes: list[ListChange] = []
        """The list changes of the last ``Event.SERVERS``, in order."""
        self._attached = False
        self._rendering = False
        self._poster: Poster | None = None
        self.later_save_from = LATER_SAVE_FROM
        self._save_due = False
        self._findings_due = False
        self._disk_entries: set[ServerEntry] | None = None
        self._studio: Effective = self._read_studio()
        self._mirror: Mirror | None = None
        self._state: _ListState | None = None
        self._state_of: Mirror | None = None
        self._mirror_of: ServerList | None = None
        self.list_owner: str | None = None
        """Why edits that write the cfg are refused now (a farm reservation holds it), or None."""
        self._shutdown_watched = False
        self.stored = self._load()
        self.farm = FarmSection(self)
        """The Farm section: render servers reserved from Deadline (``farm_section``)."""

    # -- events --------------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(event)`` after every change."""
        self._listeners.append(listener)

    def _emit(self, *events: Event) -> None:
        for event in events:
            if event in _CHANGES:
                self._version += 1  # what the server checks read may have changed
            for listener in list(self._listeners):
                listener(event)

    def farm_changed(self) -> None:
        """The Farm section changed: its widgets are told (``Event.FARM``)."""
        self._emit(Event.FARM)

    def record_error(self, field: InputField | str, message: str | None) -> None:
        """Put ``message`` in the error channel of ``field`` (None clears it)."""
        if message is None:
            self._ok(InputField(field))
        else:
            self._fail(InputField(field), message)

    def set_poster(self, poster: Poster | None) -> None:
        """Let work wait for a later event-loop turn: ``poster(func)`` runs ``func`` then.

        The panel passes one, so a long list's save and the list's findings run after the
        edit has been shown. Without a poster (scripts, tests of the controller) every save
        runs in the call.
        """
        self._poster = poster

    # -- loading -------------------------------------------------------------------------------

    def _load(self) -> StoredSettings:
        engine = self.host.read_renderer().engine or Engine.CPU
        in_cfg = self._studio.defaults.dispatcher_in_vray_cfg
        if self._cfg_path is not None:
            stored = load_settings(self._cfg_path.parent, engine, cfg_path=self._cfg_path,
                                   host=self.host, dispatcher_in_cfg=in_cfg)
        else:
            stored = load_settings(self.host.plugcfg_dir(), engine, host=self.host,
                                   dispatcher_in_cfg=in_cfg)
        self._disk_entries = None
        # The working list holds plain entries: the panel and each save read every row several
        # times, and decoding the file's line matches each time costs four times as much.
        stored.settings.servers = cast(Any, _plain_list(stored.settings.server_list.entries()))
        folder = stored.cfg.path.parent
        if not folder.is_dir():
            # Said now, not at the first edit: nothing can be saved until the folder exists.
            self.errors[InputField.SAVE] = (
                f"the folder {folder} does not exist: edits cannot be saved to "
                f"{stored.cfg.path.name} until it does")
        return stored

    def _read_studio(self) -> Effective:
        """The studio and user files; a broken one is said in the panel, the built-ins used."""
        try:
            config = load_effective()
        except VrdrError as exc:
            self.errors[InputField.STUDIO] = f"studio settings not used: {exc}"
            return resolve()
        self.errors.pop(InputField.STUDIO, None)
        return config

    def studio(self, *, reread: bool = True) -> Effective:
        """The studio and user configuration (pools, defaults), for the panel and its dialogs.

        Widgets and dialogs read it here, never from the files, so a broken file is one
        visible error and the built-in defaults, not a dead button.
        """
        if reread:
            had = self.errors.get(InputField.STUDIO)
            self._studio = self._read_studio()
            if had != self.errors.get(InputField.STUDIO):
                self._emit(Event.ERRORS)
        return self._studio

    def layout_path(self) -> Path:
        """Where the panel keeps its layout (the splitter), next to the user's config file."""
        return user_config_path(os.environ).with_name("panel-layout.ini")

    def dispatcher_where(self) -> str:
        """Where V-Ray reads the DR2 dispatcher from, said for the panel."""
        where = ("vrdr's settings next to the cfg and the scene (Render with DR writes it "
                 "there)")
        if self._studio.defaults.dispatcher_in_vray_cfg:
            return f"Kept in {where}, and in {self.cfg_path.name} (the studio switches that on)."
        return (f"Kept in {where}; not in {self.cfg_path.name} unless the studio sets "
                "dispatcher_in_vray_cfg.")

    def probe_timeout(self) -> float:
        """Seconds a probe waits for each server (studio default)."""
        return self.studio().defaults.probe_timeout

    def probe_interval(self) -> float:
        """Seconds between probes while the panel is visible; 0: only on open and on F5."""
        return self._studio.defaults.probe_interval

    @property
    def settings(self) -> DRSettings:
        """The settings the panel shows (the working copy)."""
        return self._working

    @property
    def _working(self) -> DRSettings:
        return self.stored.settings

    @property
    def cfg_path(self) -> Path:
        """The cfg file being edited."""
        return self.stored.cfg.path

    @property
    def engine_label(self) -> str:
        """``V-Ray CPU: vray_dr.cfg``, for the header."""
        engine = self.settings.engine
        return f"V-Ray {engine.value.upper()}: {cfg_name(engine)}"

    def refresh(self) -> None:
        """Read the renderer, the cfg and the scene record again (a scene was opened...).

        Unsaved edits are dropped (after a conflict, this is Reload); the undo steps go with
        them, since they were steps of the list that was shown.
        """
        self.flush()
        self.errors.pop(InputField.SAVE, None)
        self.stored = self._load()
        self.report = None
        self._finding_rows = []
        self._facts = None
        self.preflight_note = ""
        self.guard_findings = []
        self.conflict = False
        self.save_error = None
        self.notes.clear()
        self.history.clear()
        for field in (f for f in InputField if f not in (InputField.STUDIO, InputField.SAVE,
                                                         InputField.EVENT)):
            self.errors.pop(field, None)
        self.changes = [ListChange(ChangeKind.RESET)]
        self._emit(Event.SCENE, Event.SETTINGS, Event.SERVERS, Event.PREFLIGHT, Event.ERRORS,
                   Event.HISTORY, Event.SAVE)

    # -- the table -----------------------------------------------------------------------------

    def labels(self) -> dict[Key, Label]:
        """Where each listed entry came from, by key (edits keep it up to date)."""
        return self._labels

    def note(self, change: ListChange) -> None:
        """Record a change of the server list (operations call this, after the change).

        The mirror and the status counts follow the rows changed, not the whole list.
        """
        self.changes.append(change)
        servers = self._working.server_list
        mirror, state = self._mirror, self._state
        if mirror is None or self._mirror_of is not servers or change.kind is ChangeKind.RESET:
            self._mirror = self._state = None
            return
        counted = state is not None and self._state_of is mirror
        if counted and change.kind is ChangeKind.CHANGED:
            assert state is not None
            self._note_changed(change.rows, mirror, state, servers.entry)
            return
        if counted and change.kind is ChangeKind.REMOVED:
            assert state is not None
            for row in change.rows:
                self._count(state, mirror.entries[row], -1)
        mirror.apply(change, servers.entry)
        if counted and change.kind is ChangeKind.INSERTED:
            assert state is not None
            for row in change.rows:
                self._count(state, mirror.entries[row], 1)

    def _note_changed(self, rows: Sequence[int], mirror: Mirror, state: _ListState,
                      read: Callable[[int], ServerEntry]) -> None:
        """Follow entries changed in place; a row whose flag alone changed keeps its status.

        Disabling 10,000 rows then looks each row's probe answer up once, not twice.
        """
        entries = mirror.entries
        for row in rows:
            before, after = entries[row], read(row)
            if before[:3] == after[:3]:
                if before[3] != after[3]:
                    status = self._status_of_entry(before)
                    state.count(status, before[3], -1)
                    state.count(status, after[3], 1)
                entries[row] = after
                continue
            self._count(state, before, -1)
            mirror.apply(ListChange(ChangeKind.CHANGED, (row,)), read)
            self._count(state, after, 1)

    def _status_of_entry(self, entry: ServerEntry) -> Status:
        host, port, port_end, _enabled = entry
        return status_of(self.probe_results.get((host.lower(), port)) if port_end is None
                         else self.probe_for_entry(entry))

    def _count(self, state: _ListState, entry: ServerEntry, step: int) -> None:
        state.count(self._status_of_entry(entry), entry[3], step)

    def _rows(self) -> Mirror:
        """The list as plain entries with its host:port index (rebuilt for another list)."""
        servers = self._working.server_list
        if self._mirror is None or self._mirror_of is not servers:
            self._mirror, self._mirror_of = Mirror(servers.entries()), servers
        return self._mirror

    def row_count(self) -> int:
        """Entries in the list."""
        return len(self._rows().entries)

    def entry(self, row: int) -> ServerEntry:
        """Entry ``row`` as ``(host, port, port_end, enabled)``, without building an object."""
        return self._rows().entries[row]

    def entries(self) -> list[ServerEntry]:
        """Every entry as plain data (the panel's own list: read it, do not change it)."""
        return self._rows().entries

    def longest_hosts(self, count: int = 20) -> list[str]:
        """The longest host names listed (the table makes their column wide enough)."""
        return list(self._rows().longest_hosts(count))

    def origin(self, entry: ServerEntry) -> tuple[Origin, str | None]:
        """Where ``entry`` came from, and the pool's name when from a pool."""
        origin, pool = self._labels.get((entry[0].lower(), entry[1]), (Origin.FILE, None))
        return Origin(origin), pool

    def rows(self) -> list[Row]:
        """The server table: each entry with where it came from (builds every object)."""
        return [Row(s, self.origin(s.entry)[0]) for s in self.settings.servers]

    def probe_for(self, server: RenderServer) -> ProbeResult | None:
        """The last probe answer for ``server``; for a port range, an online port's if any."""
        return self.probe_for_entry(server.entry)

    def probe_for_entry(self, entry: ServerEntry) -> ProbeResult | None:
        """The last probe answer for ``entry``; for a port range, an online port's if any."""
        host, port, port_end, _enabled = entry
        if port_end is None:
            return self.probe_results.get((host.lower(), port))
        low = host.lower()
        answers = [r for r in (self.probe_results.get((low, p))
                               for p in range(port, port_end + 1)) if r]
        return next((r for r in answers if r.ok), answers[0] if answers else None)

    def _status_counts(self) -> _ListState:
        """Entries per status, enabled, enabled that did not answer.

        One pass over the list after a probe batch; an edit updates the counts of its rows.
        """
        mirror = self._rows()
        if self._state is not None and self._state_of is mirror:
            return self._state
        state = _ListState(dict.fromkeys(Status, 0))
        for entry in mirror.entries:
            self._count(state, entry, 1)
        self._state, self._state_of = state, mirror
        return state

    def list_summary(self, now: float | None = None) -> str:
        """``412 listed · 398 on · 389 online · 18 refused · 5 no answer · probed 12 s ago``."""
        state = self._status_counts()
        probed = self.probed_at is not None
        ago = None if self.probed_at is None else (now or time.monotonic()) - self.probed_at
        unsaved = len(self.unsaved_rows()) if self.unsaved else 0
        return summary_line(self.row_count(), state.on, state.counts if probed else None, ago,
                            unsaved)

    # -- errors --------------------------------------------------------------------------------

    def _fail(self, field: InputField, message: str) -> str:
        self.errors[field] = message
        self._emit(Event.ERRORS)
        return message

    def _ok(self, field: InputField) -> None:
        if self.errors.pop(field, None) is not None:
            self._emit(Event.ERRORS)

    def _note(self, field: InputField, message: str | None) -> None:
        before = self.notes.get(field)
        if message:
            self.notes[field] = message
        else:
            self.notes.pop(field, None)
        if before != message:
            self._emit(Event.ERRORS)

    # -- edits, undo, saving -------------------------------------------------------------------

    def _edit(self, label: str, ops: Sequence[Op], field: InputField) -> str | None:
        """Run ``ops`` as one undo step, show it, and save it."""
        if not ops:
            self._ok(field)
            return None
        if self._locked(ops):
            return self._fail(field, cast(str, self.list_owner))
        self.changes = []
        try:
            undo = run_ops(self, ops)
        except (VrdrError, ValidationError) as exc:
            return self._fail(field, _message(exc))
        self.history.record(Step(label, undo))
        self._ok(field)
        return self._after(undo)

    def _after(self, ops: Sequence[Op]) -> str | None:
        """Announce what ``ops`` changed, refresh the list's findings, save the file."""
        lists = [op for op in ops if isinstance(op, (Insert, Remove, Replace, SetEnabled,
                                                     ResetList))]
        error = self.save() if any(op.touches_file for op in ops) else None
        self._emit(Event.SETTINGS)
        if lists:
            self._emit(Event.SERVERS)
        self._emit(Event.HISTORY)
        self._later_list_findings()
        return error

    def _later_list_findings(self) -> None:
        """Judge the list's findings again once this event is over (once for a burst)."""
        if self._poster is None:
            self.refresh_list_findings()
        elif not self._findings_due:
            self._findings_due = True

            def run_due() -> None:
                self._findings_due = False
                self.refresh_list_findings()

            self._poster(run_due)

    def undo(self) -> str | None:
        """Take back the last edit (saved to the file like any edit)."""
        return self._replay(self.history.undo, self.history.redo)

    def redo(self) -> str | None:
        """Do again what the last undo took back."""
        return self._replay(self.history.redo, self.history.undo)

    def _replay(self, source: list[Step], target: list[Step]) -> str | None:
        if not source:
            return None
        if self._locked(source[-1].ops):
            return self._fail(InputField.EDIT, cast(str, self.list_owner))
        step = source.pop()
        self.changes = []
        try:
            again = run_ops(self, step.ops)
        except (VrdrError, ValidationError) as exc:
            source.append(step)
            return self._fail(InputField.EDIT, f"could not undo {step.label}: {_message(exc)}")
        target.append(Step(step.label, again))
        return self._after(again)

    @property
    def undo_label(self) -> str | None:
        """What Undo takes back, or None."""
        return self.history.undo[-1].label if self.history.undo else None

    @property
    def redo_label(self) -> str | None:
        """What Redo does again, or None."""
        return self.history.redo[-1].label if self.history.redo else None

    def save(self) -> str | None:
        """Write the working copy; a file changed on disk sets :attr:`conflict` instead.

        With a poster (the panel) and a long list, the save runs on the next event-loop turn,
        once for a burst of edits, so an edit and its save are two short stalls, not one long.

        Returns:
            The error of a save that ran in this call, else None (a later save reports through
            :attr:`save_error`, :attr:`conflict` and ``Event.SAVE``).
        """
        if self._poster is not None and self.row_count() >= self.later_save_from:
            if not self._save_due:
                self._save_due = True
                self._poster(self._save_when_due)
                self._emit(Event.SAVE)
            return None
        self._save_due = False
        try:
            self.stored.save()
        except BaseException as exc:  # noqa: BLE001 - every outcome is recorded, none is lost
            return self._saved(exc)
        return self._saved(None)

    def _save_when_due(self) -> None:
        if self._save_due:
            self._save_due = False
            try:
                self.stored.save()
            except BaseException as exc:  # noqa: BLE001 - every outcome is recorded
                self._saved(exc)
            else:
                self._saved(None)

    def _saved(self, outcome: BaseException | None) -> str | None:
        """Record how a save ended; return its error."""
        self._disk_entries = None
        if isinstance(outcome, CfgConflictError):
            self.conflict = True
            self._emit(Event.CONFLICT, Event.SAVE)
            return str(outcome)
        if outcome is not None:
            message = (str(outcome) if isinstance(outcome, VrdrError)
                       else f"vrdr bug while saving: {type(outcome).__name__}: {outcome}")
            self.save_error = message
            self._fail(InputField.SAVE, message)
            self._emit(Event.SAVE)
            return message
        self.conflict = False
        self.save_error = None
        self._ok(InputField.SAVE)
        self._emit(Event.SAVE)
        return None

    def _frozen(self) -> DRSettings:
        """A copy of the working settings with the servers as plain data (for a fix to edit)."""
        servers = _plain_list(self.entries())
        dispatcher = self._working.dispatcher
        return self._working.model_copy(update={
            "servers": servers, "assets": self._working.assets.model_copy(),
            "dispatcher": None if dispatcher is None else dispatcher.model_copy()})

    @property
    def saving(self) -> bool:
        """True while a save waits for the next event-loop turn."""
        return self._save_due

    def flush(self) -> None:
        """Run a save that waits for the next turn now (before a plan, a render, a reload)."""
        self._save_when_due()

    @property
    def unsaved(self) -> bool:
        """True when the file does not hold what the panel shows (conflict or failed save)."""
        return self.conflict or self.save_error is not None

    def unsaved_rows(self) -> set[int]:
        """Rows whose entry is not in the file on disk (empty unless :attr:`unsaved`)."""
        if not self.unsaved or self.saving:
            return set()
        disk = self._disk()
        return {i for i, e in enumerate(self.entries()) if e not in disk}

    def is_unsaved(self, entry: ServerEntry) -> bool:
        """True when ``entry`` is shown but not in the file on disk."""
        return self.unsaved and not self.saving and entry not in self._disk()

    def _disk(self) -> set[ServerEntry]:
        """The entries in the file: as last read or saved, or as it is now after a conflict."""
        if self._disk_entries is None:
            document = self.stored.cfg.document
            if self.conflict:  # another program wrote it: compare with what it holds now
                try:
                    document = CfgDocument.parse(self.cfg_path.read_bytes(), document.engine,
                                                 source=str(self.cfg_path))
                except (OSError, VrdrError):
                    document = CfgDocument.parse(b"", document.engine)
            self._disk_entries = set(document.server_list().entries())
        return self._disk_entries

    # -- a list held by the farm ---------------------------------------------------------------

    def _locked(self, ops: Sequence[Op]) -> bool:
        if self.list_owner is None or not any(op.touches_file for op in ops):
            return False
        # While a reservation is being made (no record yet) every cfg write waits; after, only
        # the file the reservation holds (the other engine's cfg is free).
        return self.farm.record is None or self.farm.holds_cfg

    def lock_list(self, reason: str) -> None:
        """Refuse edits that would write the cfg, saying ``reason`` (a reservation holds it).

        A reservation's release puts the artist's bytes back only over the bytes it wrote: an
        edit in between would leave the farm's list in the file for good.
        """
        self.list_owner = reason
        self._emit(Event.SETTINGS)

    def unlock_list(self) -> None:
        """Edits write the cfg again."""
        if self.list_owner is not None:
            self.list_owner = None
            self._emit(Event.SETTINGS)

    def label_farm(self, endpoints: Iterable[tuple[str, int]], job_id: str) -> None:
        """Mark ``(host, port)`` entries as reserved from the farm (source ``farm``)."""
        for host, port in endpoints:
            self._labels[(host.lower(), port)] = (Origin.FARM, job_id)

    def reload_cfg(self) -> None:
        """Read the cfg again after another writer (a reservation, its release) changed it.

        The scene's findings stay; the list's are judged again. Undo steps of the list that
        was shown go with it, as after Reload.
        """
        self.flush()
        self.errors.pop(InputField.SAVE, None)
        self.stored = self._load()
        self.conflict = False
        self.save_error = None
        self.history.clear()
        self.changes = [ListChange(ChangeKind.RESET)]
        self._emit(Event.SETTINGS, Event.SERVERS, Event.HISTORY, Event.SAVE, Event.ERRORS)
        self.refresh_list_findings()

    # -- list commands -------------------------------------------------------------------------

    def _listed(self, host: str, port: int, skip: int | None = None) -> bool:
        return self._rows().covers(host, port, skip)

    def _append(self, servers: Iterable[RenderServer], origin: Origin,
                pool: str | None = None) -> Op | None:
        """An insert at the end of the entries not listed yet (nor twice in ``servers``)."""
        start = self.row_count()
        new: list[RenderServer] = []
        seen: set[Key] = set()
        for server in servers:
            if server.key in seen or self._listed(server.host, server.port):
                continue
            seen.add(server.key)
            new.append(server)
        if not new:
            return None
        label = (origin, pool)  # one shared label: a tuple per row would stay tracked by gc
        return Insert(tuple(range(start, start + len(new))), tuple(new), (label,) * len(new))

    def add_server(self, text: str, source: Origin = Origin.ADDED) -> str | None:
        """Add ``host[:port]`` (the engine's default port when none); return an error or None."""
        try:
            host, port = parse_endpoint(text.strip(), self.settings.default_port)
            server = RenderServer(host=host, port=port)
        except (VrdrError, ValueError) as exc:
            return self._fail(InputField.ADD, _message(exc))
        op = self._append([server], source)
        if op is None:
            return self._fail(InputField.ADD, f"{text.strip()} is listed already")
        return self._edit(f"add {server.endpoint}", [op], InputField.ADD)

    def edit_server(self, row: int, *, host: str | None = None, port: int | str | None = None,
                    enabled: bool | None = None) -> str | None:
        """Change one entry in place; a bad host or port leaves the file untouched."""
        if not 0 <= row < self.row_count():
            return self._fail(InputField.EDIT, f"there is no row {row + 1}")
        old_host, old_port, port_end, old_enabled = self.entry(row)
        try:
            new = RenderServer(
                host=validate_host(host.strip()) if host is not None else old_host,
                port=validate_port(port.strip() if isinstance(port, str) else port)
                if port is not None else old_port,
                port_end=port_end,
                enabled=old_enabled if enabled is None else enabled)
        except (VrdrError, ValueError) as exc:
            return self._fail(InputField.EDIT, _message(exc))
        if new.entry == (old_host, old_port, port_end, old_enabled):
            self._ok(InputField.EDIT)
            return None
        if new.key != (old_host.lower(), old_port) and self._listed(new.host, new.port, row):
            return self._fail(InputField.EDIT, f"{new.endpoint} is listed already")
        if host is None and port is None:
            label = f"{'enable' if new.enabled else 'disable'} {new.endpoint}"
            return self._edit(label, [SetEnabled((row,), (new.enabled,))], InputField.EDIT)
        return self._edit(f"edit {new.endpoint}", [Replace((row,), (new,))], InputField.EDIT)

    def _valid_rows(self, rows: Iterable[int]) -> tuple[int, ...]:
        count = self.row_count()
        return tuple(sorted({r for r in rows if 0 <= r < count}))

    def remove_rows(self, rows: Iterable[int]) -> str | None:
        """Remove the entries in ``rows``."""
        chosen = self._valid_rows(rows)
        if not chosen:
            return None
        label = (f"remove {_endpoint(self.entry(chosen[0]))}" if len(chosen) == 1
                 else f"remove {plural(len(chosen), 'server')}")
        return self._edit(label, [Remove(chosen)], InputField.EDIT)

    def set_rows_enabled(self, rows: Iterable[int], enabled: bool) -> str | None:
        """Switch the entries in ``rows`` on or off (rows already so are left alone)."""
        entries = self.entries()
        chosen = tuple(r for r in self._valid_rows(rows) if entries[r][3] != enabled)
        if not chosen:
            return None
        verb = "enable" if enabled else "disable"
        label = (f"{verb} {_endpoint(self.entry(chosen[0]))}" if len(chosen) == 1
                 else f"{verb} {plural(len(chosen), 'server')}")
        return self._edit(label, [SetEnabled(chosen, (enabled,) * len(chosen))],
                          InputField.EDIT)

    def unanswered_rows(self) -> list[int]:
        """Enabled rows whose every probed port did not answer (unprobed rows are left out)."""
        out = []
        for i, entry in enumerate(self.entries()):
            if entry[3]:
                status = status_of(self.probe_for_entry(entry))
                if status is Status.REFUSED or status is Status.SILENT:
                    out.append(i)
        return out

    def unanswered_count(self) -> int:
        """How many enabled servers did not answer the last probe."""
        return self._status_counts().dead

    def disable_unanswered(self) -> str | None:
        """Disable the enabled servers the last probe found not answering (one undo step)."""
        rows = self.unanswered_rows()
        if not rows:
            return None
        return self._edit(f"disable {plural(len(rows), 'server')} that did not answer",
                          [SetEnabled(tuple(rows), (False,) * len(rows))], InputField.EDIT)

    def paste(self, text: str) -> str | None:
        """Add one ``host[:port]`` per line (spreadsheet rows: host, then an optional port cell).

        All or nothing: one bad line, or one that reads two ways (``node 05``), adds none and
        names the line; entries listed already keep their line and their origin. The paste
        dialog shows each line first (:meth:`paste_preview`).
        """
        lines = paste_rules.strict_entries(text, self.settings)
        if isinstance(lines, str):
            return self._fail(InputField.PASTE, lines)
        return self.add_pasted(lines)

    def paste_preview(self, text: str) -> list[paste_rules.PasteLine]:
        """Each pasted line judged against the list: new, listed, repeated, to check, invalid."""
        return paste_rules.preview(text, self.settings)

    def add_pasted(self, lines: Sequence[paste_rules.PasteLine]) -> str | None:
        """Add the servers pasted lines read as (the paste dialog's Add N): one undo step."""
        servers = [RenderServer(host=line.host, port=line.port, port_end=line.port_end,
                                enabled=line.enabled)
                   for line in lines if line.host is not None and line.port is not None]
        if not servers:
            return self._fail(InputField.PASTE, "nothing to add")
        op = self._append(servers, Origin.ADDED)
        label = f"paste {plural(len(op.rows) if isinstance(op, Insert) else 0, 'server')}"
        return self._edit(label, [op] if op else [], InputField.PASTE)

    def numa_preview(self, host: str, spawner_args: str,
                     machine_nodes: int | None = None) -> list[RenderServer] | str:
        """The entries a NUMA machine adds (the spawner's rules), or the error for the dialog."""
        try:
            options = parse_spawner_args(shlex.split(spawner_args), machine_nodes=machine_nodes)
            return server_entries(host.strip(), options)
        except (VrdrError, ValueError) as exc:
            return _message(exc)

    def add_numa(self, host: str, spawner_args: str, machine_nodes: int | None = None
                 ) -> str | None:
        """Add a NUMA machine's entries, one per spawner process."""
        entries = self.numa_preview(host, spawner_args, machine_nodes)
        if isinstance(entries, str):
            return self._fail(InputField.NUMA, entries)
        op = self._append(entries, Origin.NUMA)
        return self._edit(f"add NUMA machine {host.strip()}", [op] if op else [],
                          InputField.NUMA)

    def pool_names(self) -> list[str]:
        """The pools of the studio and user files, for this engine ([] if they cannot be read)."""
        return sorted(self.pools())

    def pools(self) -> dict[str, Pool]:
        """The studio and user files' pools for this engine, by name."""
        return {n: p for n, p in self.studio().pools.items()
                if p.engine is self.settings.engine}

    def numa_form(self, host: str, flags: str, machine_nodes: int | None
                  ) -> numa_rules.NumaPreview:
        """The NUMA dialog's preview: processes, entries, warnings, spawner command."""
        try:
            version: int | None = self.host.max_version()
        except VrdrError:
            version = None
        return numa_rules.preview(host, flags, machine_nodes, self.settings, version)

    def apply_pool(self, name: str, *, merge: bool) -> str | None:
        """Replace the list with a pool's servers, or merge them in (its mode and dispatcher too).

        Merged, the entries listed already keep their line and their origin.
        """
        try:
            pool = self.studio().pool(name)
        except VrdrError as exc:
            return self._fail(InputField.POOL, str(exc))
        if pool.engine is not self.settings.engine:
            return self._fail(InputField.POOL, (
                f"pool {quote(name)} is for V-Ray {pool.engine.value.upper()}, the settings "
                f"for {self.settings.engine.value.upper()}"))
        ops: list[Op] = []
        entries = pool.entries()
        if merge:
            op = self._append(entries, Origin.POOL, name)
            ops += [op] if op else []
        else:
            fresh = ServerList()
            kept = [s for s in entries if fresh.add(s)]
            ops.append(ResetList(tuple(kept), tuple((Origin.POOL, name) for _ in kept)))
        if pool.mode is not self.settings.mode:
            ops.append(SetField(("mode",), pool.mode))
        if pool.dispatcher is not None and pool.dispatcher != self.settings.dispatcher:
            ops.append(SetField(("dispatcher",), pool.dispatcher.model_copy()))
        return self._edit(f"{'merge' if merge else 'use'} pool {name}", ops, InputField.POOL)

    def add_discovered(self, addresses: Iterable[str]) -> str | None:
        """Add hosts heard by discovery, on the engine's default port."""
        servers = []
        for address in addresses:
            try:
                servers.append(RenderServer(host=address, port=self.settings.default_port))
            except (VrdrError, ValueError) as exc:
                return self._fail(InputField.ADD, _message(exc))
        op = self._append(servers, Origin.DISCOVERED)
        return self._edit(f"add {plural(len(servers), 'server')} heard", [op] if op else [],
                          InputField.ADD)

    # -- options -------------------------------------------------------------------------------

    def set_dr_enabled(self, on: bool) -> str | None:
        """Switch DR on or off in Render Setup (one undo step, in 3ds Max and here)."""
        if bool(self.settings.enabled) == on:
            return None
        return self._edit(f"DR {'on' if on else 'off'}", [SetRenderer(
            RendererProp.DR_ENABLED, "enabled", on, f"vrdr: DR {'on' if on else 'off'}")],
            InputField.SAVE)

    def option_unavailable(self, name: str) -> str | None:
        """Why option ``name`` (or ``max_servers``, ``cache_limit``) cannot be set, or None."""
        if self.settings.engine is Engine.GPU and name not in GPU_OPTIONS:
            return GPU_ONLY_REASON
        return None

    def option(self, name: str) -> bool:
        """The value of one of :data:`OPTION_NAMES`."""
        return bool(getattr(_option_owner(self.settings, name), name))

    def set_option(self, name: str, value: bool) -> str | None:
        """One of :data:`OPTION_NAMES`; the cfg options are saved, the renderer's set."""
        why = self.option_unavailable(name)
        if why is not None:
            return self._fail(InputField.OPTION, why)
        if self.option(name) == value:
            return None
        label = f"{_OPTION_LABELS.get(name, name)} {'on' if value else 'off'}"
        if name in _RENDERER_OPTIONS:
            prop, undo_label = _RENDERER_OPTIONS[name]
            return self._edit(label, [SetRenderer(prop, name, value, undo_label)],
                              InputField.OPTION)
        path = ("assets", name) if name in ("transfer_missing", "use_cached") else (name,)
        return self._edit(label, [SetField(path, value)], InputField.OPTION)

    def set_max_servers(self, text: str) -> str | None:
        """Max servers (0: all)."""
        why = self.option_unavailable("max_servers")
        if why is not None:
            return self._fail(InputField.MAX_SERVERS, why)
        try:
            value = int(text.strip())
            DRSettings.model_validate({"max_servers": value})
        except (ValueError, ValidationError) as exc:
            return self._fail(InputField.MAX_SERVERS, _number_message("max servers", text, exc))
        if value == self.settings.max_servers:
            self._ok(InputField.MAX_SERVERS)
            return None
        return self._edit(f"max servers {value}", [SetField(("max_servers",), value)],
                          InputField.MAX_SERVERS)

    def set_cache_limit(self, kind: CacheLimitType, text: str) -> str | None:
        """Cache limit type and value (hours or GB)."""
        why = self.option_unavailable("cache_limit")
        if why is not None:
            return self._fail(InputField.CACHE_LIMIT, why)
        try:
            value = float(text.strip())
            checked = AssetTransfer(cache_limit_type=kind, cache_limit=value)
        except (ValueError, ValidationError) as exc:
            return self._fail(InputField.CACHE_LIMIT, _number_message("cache limit", text, exc))
        assets = self.settings.assets
        ops: list[Op] = []
        if checked.cache_limit_type is not assets.cache_limit_type:
            ops.append(SetField(("assets", "cache_limit_type"), checked.cache_limit_type))
        if checked.cache_limit != assets.cache_limit:
            ops.append(SetField(("assets", "cache_limit"), checked.cache_limit))
        return self._edit("cache limit", ops, InputField.CACHE_LIMIT)

    def set_mode(self, mode: Mode) -> str | None:
        """DR or DR2 (kept in vrdr's sidecar); warns about servers left on the other's port."""
        if mode is self.settings.mode:
            return None
        error = self._edit(f"switch to {mode.value.upper()}", [SetField(("mode",), mode)],
                           InputField.MODE)
        self._note(InputField.MODE, self.mode_port_warning())
        return error

    def mode_port_warning(self) -> str | None:
        """Enabled servers on the default port of the mode not in use, said in words."""
        engine, mode = self.settings.engine, self.settings.mode
        other = Mode.DR if mode is Mode.DR2 else Mode.DR2
        theirs, ours = default_port(engine, other), default_port(engine, mode)
        left = sum(1 for (_h, port, end, on) in self.entries()
                   if on and port <= theirs <= (end or port))
        if not left:
            return None
        return (f"{plural(left, 'server')} {'is' if left == 1 else 'are'} on {other.value.upper()}"
                f"'s port {theirs}; {mode.value.upper()} servers listen on {ours}")

    def set_dispatcher(self, host: str, port: str, also_renders: bool) -> str | None:
        """The DR2 dispatcher; an empty host clears it."""
        try:
            dispatcher = None if not host.strip() else Dispatcher(
                host=host.strip(), port=validate_port(port.strip() or "0"),
                also_renders=also_renders)
        except (VrdrError, ValueError) as exc:
            return self._fail(InputField.DISPATCHER, _message(exc))
        if dispatcher == self.settings.dispatcher:
            self._ok(InputField.DISPATCHER)
            return None
        label = "dispatcher " + (dispatcher.endpoint if dispatcher else "cleared")
        return self._edit(label, [SetField(("dispatcher",), dispatcher)], InputField.DISPATCHER)

    # -- probe and discovery (run in a worker; results come back here) -------------------------

    def probe_endpoints(self) -> list[tuple[str, int, str]]:
        """``(host, port, label)`` of every listed server, the DR2 dispatcher, the licence servers.

        Disabled servers are probed too, so the artist sees them come back. The studio's Chaos
        License Servers (``farm.licence_servers``) are probed with them, as ``vrdr check
        --probe`` does, for the ``licence-server`` check; they are no rows of the table. A
        worker turns the tuples into probe targets (checking 1,000 host names takes tens of
        milliseconds).
        """
        self.studio()  # the licence servers as the files say now
        return self._endpoints(self.entries())

    def _endpoints(self, entries: Iterable[ServerEntry], *, enabled_only: bool = False
                   ) -> list[tuple[str, int, str]]:
        """Every port of ``entries``, the dispatcher in DR2 mode, then the licence servers."""
        endpoints = [(host, port, "server") for host, first, last, on in entries
                     if on or not enabled_only for port in range(first, (last or first) + 1)]
        d = self.settings.dispatcher
        if self.settings.mode is Mode.DR2 and d is not None:
            endpoints.append((d.host, d.port, "dispatcher"))
        return endpoints + self._licence_endpoints()

    def _licence_endpoints(self) -> list[tuple[str, int, str]]:
        """The studio's licence servers as the studio files were read last (none if broken)."""
        try:
            return licence_endpoints(self._studio.farm.licence_servers)
        except VrdrError:  # the config's validator checked them: not expected
            return []

    def apply_probe_results(self, results: Iterable[ProbeResult]) -> None:
        """Show probe answers (a batch at a time, as they arrive).

        :attr:`probe_changed` holds the endpoints of this batch, so a view repaints only them.
        Answers are kept by ``host:port``: an edit of other rows leaves them in place.
        """
        changed: list[Key] = []
        for result in results:
            if not result.cancelled:
                key = (result.host.lower(), result.port)
                self.probe_results[key] = result
                changed.append(key)
        self.probe_changed = changed
        if changed:
            self.probed_at = time.monotonic()
            self._state = None
        self._emit(Event.PROBE)

    def probe_finished(self) -> None:
        """A probe ended: the findings that read its answers are judged again."""
        self._ok(InputField.PROBE)
        self.refresh_list_findings()

    def probe_failed(self, message: str) -> None:
        """A probe's worker failed: said in the panel."""
        self._fail(InputField.PROBE, f"the probe failed: {message}")

    def dispatcher_probe(self) -> ProbeResult | None:
        """The last probe answer of the DR2 dispatcher."""
        d = self.settings.dispatcher
        return None if d is None else self.probe_results.get((d.host.lower(), d.port))

    # -- preflight -----------------------------------------------------------------------------

    def _context(self, facts: SceneFacts, settings: DRSettings | None = None) -> CheckContext:
        defaults = self._studio.defaults
        manifest = None
        if defaults.manifest:
            try:
                manifest = load_manifest(Path(defaults.manifest))
            except VrdrError as exc:
                self.errors[InputField.STUDIO] = f"farm manifest not used: {exc}"
        return CheckContext(facts=facts, settings=settings or self.settings,
                            probe_results=self._probe_list(), manifest=manifest,
                            shared_drives=defaults.shared_drives)

    def _probe_list(self) -> list[ProbeResult] | None:
        """The answers for what a submission probes (``targets_from_settings``), if all known.

        A partial probe is no probe: judging the answers that came as the whole list would
        call a farm down when one server answered.
        """
        results = self.probe_results
        wanted = self._endpoints(self.entries(), enabled_only=True)
        if not wanted:
            return None
        out = []
        for host, port, _label in wanted:
            result = results.get((host.lower(), port))
            if result is None:
                return None
            out.append(result)
        return out

    def preflight_steps(self) -> Iterator[PreflightItem]:
        """Read the scene in slices, then yield one check result at a time.

        The caller drives it (one item per event-loop turn; every runtime call stays on the
        calling, main thread) and calls :meth:`finish_preflight` with the check results. A
        scene that cannot be read ends the run early with the error in ``errors``.
        """
        self.studio()
        return self._preflight_items()

    def _preflight_items(self) -> Iterator[PreflightItem]:
        try:
            facts = yield from self._read_scene()
        except Exception as exc:  # noqa: BLE001 - a broken scene is said in the panel
            self._fail(InputField.PREFLIGHT, f"the scene could not be read: "
                                             f"{type(exc).__name__}: {exc}")
            return
        self._ok(InputField.PREFLIGHT)
        self._facts = facts
        yield from run_iter(self._context(facts, self._check_settings()))

    def _read_scene(self) -> Generator[Reading, None, SceneFacts]:
        """The host's read in slices (``read_scene_steps``), as :class:`Reading` items."""
        steps = self.host.read_scene_steps()
        while True:
            try:
                part = next(steps)
            except StopIteration as done:
                facts: SceneFacts = done.value
                return facts
            yield Reading(part)

    def preflight_failed(self, message: str) -> None:
        """The preflight's run broke (a bug): said in the panel; the report from before stays."""
        self._fail(InputField.PREFLIGHT, f"the preflight failed: {message}")

    def finish_preflight(self, results: Sequence[CheckResult], *, cancelled: bool = False,
                         keep_rows: bool = False) -> CheckReport | None:
        """Store and announce a finished preflight.

        Args:
            results: the check results, in run order.
            cancelled: the run was stopped; the previous report stays, and the summary says so.
            keep_rows: findings keep their lines (a fix's re-run): a finding gone is marked fixed.
        """
        if cancelled:
            self.preflight_note = ("preflight cancelled: the report from before"
                                   if self.report is not None else "preflight cancelled")
            self._emit(Event.PREFLIGHT)
            return self.report
        self.preflight_note = ""
        self.rerun_wanted = False
        self._set_report(CheckReport(results=list(results)), keep_rows=keep_rows)
        return self.report

    def preflight(self) -> CheckReport | None:
        """The whole preflight in one call (scripts, tests)."""
        results = [r for r in self.preflight_steps() if isinstance(r, CheckResult)]
        if InputField.PREFLIGHT in self.errors:
            return None
        return self.finish_preflight(results)

    def _set_report(self, report: CheckReport, *, keep_rows: bool) -> None:
        report = CheckReport(results=[self._expected(_with_panel_fixes(r))
                                      for r in report.results])
        titles = [(f, r.title) for r in report.results for f in r.findings]
        if keep_rows and self._finding_rows:
            self._finding_rows = _merge_rows(self._finding_rows, titles)
        else:
            self._finding_rows = [FindingRow(f, title) for f, title in titles]
        self.report = report
        self._emit(Event.PREFLIGHT)

    def _expected(self, result: CheckResult) -> CheckResult:
        """A finding this session causes itself (see :attr:`expected`) as a note that says so."""
        why = self.expected.get(result.check_id)
        if why is None or not result.findings:
            return result
        return result.model_copy(update={"findings": [
            f.model_copy(update={"severity": Severity.INFO, "fix": None,
                                 "message": f"{f.message} ({why})"}) for f in result.findings]})

    def finding_rows(self) -> list[FindingRow]:
        """The preflight's lines: every finding, and the fixed ones where they were."""
        return list(self._finding_rows)

    def refresh_list_findings(self) -> None:
        """Judge the server-list checks again after an edit or a probe (no scene read).

        With DR on, they are judged even without a report, so the render guard finds them
        ready (:meth:`_server_results`).
        """
        if self.report is None or self._facts is None:
            if self.settings.enabled:
                self._server_results(self.host.read_renderer())
            return
        fresh = {r.check_id: r for r in self._server_results(self._facts.renderer)}
        results = [fresh.pop(r.check_id, r) for r in self.report.results]
        self._set_report(CheckReport(results=results + list(fresh.values())), keep_rows=True)

    def _server_results(self, renderer: RendererInfo) -> list[CheckResult]:
        """The checks of the server list, kept until the list, the settings or a probe change.

        They read the settings, the probe's answers and the renderer only (no scene), so the
        results of the last change serve the render guard, which then passes over nothing.
        """
        key = (self._version, renderer)
        if self._server_cache is None or self._server_cache[0] != key:
            facts = SceneFacts(renderer=renderer, dr_enabled=True)
            results = run(self._context(facts, self._check_settings()),
                          checks_in(SERVERS)).results
            self._server_cache = (key, results)
        return self._server_cache[1]

    def _check_settings(self) -> DRSettings:
        """The working copy with a plain list of servers: the checks iterate it several times."""
        return self._working.model_copy(update={"servers": list(self._working.servers)})

    def summary(self) -> str:
        """``2 errors, 1 warning, 0 notes`` or why there is no report."""
        if self.report is None:
            return self.preflight_note or "preflight not run yet"
        live = [row.finding for row in self._finding_rows if not row.fixed]
        fixed = sum(1 for row in self._finding_rows if row.fixed)
        text = ", ".join(plural(sum(1 for f in live if f.severity is severity), word)
                         for severity, word in ((Severity.ERROR, "error"),
                                                (Severity.WARNING, "warning"),
                                                (Severity.INFO, "note")))
        if fixed:
            text += f"; {fixed} fixed"
        return f"{self.preflight_note}: {text}" if self.preflight_note else text

    @staticmethod
    def fix_description(fix_id: str) -> str:
        """What a fix does, for its button."""
        if fix_id in PANEL_FIXES:
            return PANEL_FIXES[fix_id]
        return FIXES[fix_id].description if fix_id in FIXES else fix_id

    def fix(self, fix_id: str) -> str | None:
        """Apply a fix; settings it changes are one undo step, saved like any edit.

        A fix that changes only settings re-runs the checks on the scene read last (no scene
        read); one that changes the scene asks for a re-read (``Event.RERUN``; run here when
        nothing listens). Findings keep their lines, the fixed ones marked until the next
        preflight. A scene change is 3ds Max's own undo step (Ctrl+Z in 3ds Max).
        """
        if fix_id == FIX_DISABLE_UNANSWERED:
            error = self.disable_unanswered()
            self.notes[InputField.FIX] = ("disabled the servers that did not answer "
                                          "(Undo takes it back)")
            self._emit(Event.ERRORS)
            return error
        if fix_id not in FIXES:
            return self._fail(InputField.FIX, f"unknown fix {quote(fix_id)}")
        scratch = self._frozen()
        watched = _WatchedHost(self.host)
        try:
            said = FIXES[fix_id].apply(cast(MaxHost, watched), scratch)
        except (VrdrError, ValidationError) as exc:
            return self._fail(InputField.FIX, _message(exc))
        self._ok(InputField.FIX)
        error = self._adopt_fix(fix_id, scratch)
        if watched.wrote:
            # The scene change is 3ds Max's undo step, not the panel's: say which Undo.
            said = said.replace(" (undo with Ctrl+Z)", "") + (
                ": one 3ds Max undo step (Edit > Undo in 3ds Max takes it back)")
        self.notes[InputField.FIX] = said
        self._emit(Event.ERRORS)
        if watched.scene or not watched.props <= _FACT_PROPS.keys():
            self.rerun_wanted = True  # only a new read of the scene tells what changed
            if self.stepped_reruns:
                self._emit(Event.RERUN)
            else:
                self._rerun_now()
        elif self._facts is not None:
            # Settings, or renderer switches the facts hold as they are: no scene read.
            if watched.props:
                props = self.host.read_renderer_props()
                self._facts = self._facts.model_copy(update={
                    _FACT_PROPS[p]: None if props.get(p) is None else bool(props[p])
                    for p in watched.props})
            report = run(self._context(self._facts, self._check_settings()))
            self._set_report(report, keep_rows=True)
        return error

    def _rerun_now(self) -> None:
        results = [r for r in self.preflight_steps() if isinstance(r, CheckResult)]
        if InputField.PREFLIGHT not in self.errors:
            self.finish_preflight(results, keep_rows=True)

    def _adopt_fix(self, fix_id: str, scratch: DRSettings) -> str | None:
        """Make the settings a fix changed one undo step (renderer switches it set included)."""
        working = self._working
        ops: list[Op] = []
        renderer_undo: list[Op] = []
        for name in DRSettings.model_fields:
            if name in ("servers", "engine"):
                continue
            before, after = getattr(working, name), getattr(scratch, name)
            if before == after:
                continue
            if name == "enabled" or name in _RENDERER_OPTIONS:
                # The fix has set it in 3ds Max already; here only the field and its undo.
                prop = (RendererProp.DR_ENABLED if name == "enabled"
                        else _RENDERER_OPTIONS[name][0])
                setattr(working, name, after)
                renderer_undo.append(SetRenderer(prop, name, bool(before), f"vrdr: {fix_id}"))
            else:
                ops.append(SetField((name,), after))
        old = list(self.entries())
        new = list(scratch.server_list.entries())
        if old != new:
            new_servers = tuple(_make(e) for e in new)
            ops.append(ResetList(new_servers, tuple(self.origin(e) for e in new)))
        label = f"fix: {self.fix_description(fix_id)}"
        if self._locked(ops):
            return self._fail(InputField.FIX, cast(str, self.list_owner))
        if not ops:
            if renderer_undo:
                self.history.record(Step(label, tuple(renderer_undo)))
                self._emit(Event.SETTINGS, Event.HISTORY)
            return None
        self.changes = []
        undo = run_ops(self, ops)
        self.history.record(Step(label, (*undo, *renderer_undo)))
        return self._after(undo)

    @staticmethod
    def node_names(finding: Finding) -> list[str]:
        """The node, map or class names a finding's subjects start with; empty if none."""
        if finding.check_id not in NODE_CHECKS:
            return []
        if finding.check_id == "missing-plugins":
            # "3 x Missing_GeomObject": the class; "Cls (file.dlo)" names no scene object.
            return [s.split(" x ", 1)[1] for s in finding.subjects if " x " in s]
        return [s.split(" (", 1)[0] for s in finding.subjects]

    def select(self, finding: Finding) -> int:
        """Select what the finding names: nodes, the objects using a map, missing objects.

        When nothing can be selected, the artist's selection stays and the panel says why.
        """
        names = self.node_names(finding)
        try:
            found = self.host.select_subjects(names) if names else 0
        except VrdrError as exc:
            self._fail(InputField.SELECT, str(exc))
            return 0
        if found:
            self._note(InputField.SELECT, f"selected {plural(found, 'object')} in the scene")
        else:
            self._note(InputField.SELECT, "nothing in the scene to select for this finding; "
                                          "your selection is unchanged")
        return found

    # -- render with DR ------------------------------------------------------------------------

    def probed_all(self) -> bool:
        """True when every switched-on server has a probe answer (what leaving out needs)."""
        return self._probe_list() is not None

    def plan(self, *, only_online: bool | None = None) -> SubmitPlan | None:
        """What Render with DR will do (nothing is changed); None with the error in ``errors``.

        Args:
            only_online: leave out the servers that did not answer; the studio's default
                (``only_online``) when None.
        """
        self.flush()
        config = self.studio()
        defaults = config.defaults
        manifest = None
        try:
            if defaults.manifest:
                manifest = load_manifest(Path(defaults.manifest))
            # Everything from the studio config read above: a broken file is one error, said
            # once, and the built-in defaults (api.plan_submission would read it again).
            submit_plan = plan_submission(
                self._working, self.host.read_scene(), self._probe_list(),
                cfg_path=self.cfg_path, loaded_from=self.stored.cfg.snapshot,
                options=SubmitOptions(
                    only_online=defaults.only_online if only_online is None else only_online,
                    # A reservation's release restores only the bytes it wrote: put them back.
                    restore=defaults.restore or self.farm.holds_cfg),
                manifest=manifest, shared_drives=defaults.shared_drives)
        except Exception as exc:  # noqa: BLE001 - a dead Render button is the bug this closes
            self._fail(InputField.RENDER, f"cannot plan the render: {_message(exc)}")
            return None
        self._ok(InputField.RENDER)
        return submit_plan

    def render(self, submit_plan: SubmitPlan, override_reason: str | None = None
               ) -> SubmissionReport:
        """Carry out a plan the artist saw; with errors left, ``override_reason`` is recorded."""
        self.flush()
        self._rendering = True
        try:
            report = execute(self.host, submit_plan, override_reason=override_reason or None)
        finally:
            self._rendering = False
        self.last_submission = report
        # The submission restored (or kept) the file: show what is on disk now.
        self.stored = self._load()
        self.changes = [ListChange(ChangeKind.RESET)]
        self._emit(Event.SETTINGS, Event.SERVERS)
        return report

    # -- a file changed on disk ----------------------------------------------------------------

    def conflict_diff(self) -> list[str]:
        """What changed in the cfg on disk since the panel read it, as a unified diff."""
        try:
            now = read_bytes_snapshot(self.cfg_path, max_bytes=MAX_CFG_BYTES).data
        except VrdrError as exc:
            return [f"the file on disk cannot be read: {exc}"]
        return conflict.changes(self.stored.cfg.snapshot.data, now, self.cfg_path.name)

    def reapply_on_disk(self) -> list[str] | str:
        """Put the unsaved edits on the cfg as it is now, and save ("apply my change").

        The list shown becomes the merge; like Reload, the undo steps of the list before go.

        Returns:
            What was re-applied, one line each; or the error (the edits stay unsaved).
        """
        mine = self.settings
        try:
            fresh = self._load()
        except VrdrError as exc:
            return self._fail(InputField.SAVE, str(exc))
        # Base: the file as the panel read it; what the file does not hold, as it is now.
        base = self.stored.cfg.document.to_settings(fresh.settings)
        merged, done = conflict.reapply(base, mine, fresh.settings)
        merged.servers = cast(Any, _plain_list(merged.server_list.entries()))
        theirs = {(h.lower(), p) for h, p, _end, _on in fresh.settings.server_list.entries()}
        for key in theirs:
            self._labels.pop(key, None)  # the file's entries now
        fresh.settings = merged
        self.stored = fresh
        self.conflict = False
        self.history.clear()
        self.changes = [ListChange(ChangeKind.RESET)]
        error = self.save()
        self._emit(Event.SETTINGS, Event.SERVERS, Event.HISTORY, Event.CONFLICT)
        return error if error is not None else done

    # -- 3ds Max events ------------------------------------------------------------------------

    @property
    def attached(self) -> bool:
        """True while the scene-event and render-guard callbacks are registered."""
        return self._attached

    def attach(self) -> None:
        """Register the scene-event and render-guard callbacks once (removed by :meth:`detach`)."""
        if self._attached:
            return
        if self._shutdown_watched:  # kept while the panel was closed: registered again below
            self.host.remove_callbacks()
        for event in SCENE_EVENTS:
            self.host.add_callback(event, self._guarded(event, self.refresh))
        self.host.add_callback(GUARD_EVENT, self._guarded(GUARD_EVENT, self.render_guard))
        self._watch_shutdown()
        self._attached = True

    def detach(self, *, watch_shutdown: bool = True) -> None:
        """Remove the callbacks and finish a save in flight (the panel closed).

        With a farm reservation still open (and ``watch_shutdown``), 3ds Max's closing is
        still watched, so the panel, hidden, asks about the reservation then.
        """
        self.flush()
        if self._attached or (self._shutdown_watched and not watch_shutdown):
            self.host.remove_callbacks()
            self._attached = False
            self._shutdown_watched = False
            if watch_shutdown and self.farm.reserved_job is not None:
                self._watch_shutdown()

    def _watch_shutdown(self) -> None:
        self.host.add_callback(SHUTDOWN_EVENT,
                               self._guarded(SHUTDOWN_EVENT, self.system_shutdown))
        self._shutdown_watched = True

    def system_shutdown(self) -> None:
        """``#preSystemShutdown``: the panel asks about an open reservation (``Event.SHUTDOWN``).

        Without a panel listening (scripts), an open reservation stays on record: the next
        panel offers it, ``vrdr farm release`` finishes it.
        """
        self._emit(Event.SHUTDOWN)

    def _guarded(self, event: str, func: Callable[[], object]) -> Callable[[], None]:
        def call() -> None:
            try:
                func()
            except Exception as exc:  # noqa: BLE001 - a panel bug must never break 3ds Max's event
                message = f"#{event}: {type(exc).__name__}: {exc}"
                self.callback_errors.append(message)
                self._fail(InputField.EVENT, f"the panel failed on 3ds Max's {message}")
        return call

    def render_guard(self) -> list[Finding]:
        """``#preRender``: with DR on, run the fast checks and report them; silent otherwise.

        Fast means no scene scan: the renderer's switches (a few runtime calls) and the server
        checks over the panel's list and last probe, one pass over the list each. Nothing here
        can stop the render.
        """
        if self._rendering or self.host.is_network_render():
            return []
        props = self.host.read_renderer_props()
        if not props.get(RendererProp.DR_ENABLED):
            return []
        results = self._server_results(self.host.read_renderer())
        findings = [f for r in results for f in r.findings if f.severity is not Severity.INFO]
        if self.unsaved:
            findings.append(Finding(
                check_id="panel-unsaved", severity=Severity.WARNING, message=(
                    f"the panel's server list is not saved to {self.cfg_path.name}: V-Ray "
                    "renders with the file's list")))
        self.guard_findings = findings
        self._emit(Event.GUARD)
        self.host.show_prompt(guard_prompt(findings))
        return findings


_OPTION_LABELS = {"use_local_host": "use local host", "restart_servers": "restart servers",
                  "save_servers_in_scene": "save servers in scene",
                  "transfer_missing": "transfer missing assets",
                  "use_cached": "use cached assets",
                  "check_missing_files": "check for missing files"}


class _WatchedHost:
    """The host as a fix sees it; notes what the fix changed in 3ds Max.

    ``props`` holds the renderer settings it wrote; ``scene`` is True when it called anything
    else that writes (a light created...), after which only a new scene read tells.
    """

    READS = frozenset({"read_scene", "read_scene_steps", "read_renderer", "read_renderer_props",
                       "read_scene_data", "plugcfg_dir", "max_version", "is_network_render",
                       "show_prompt"})

    def __init__(self, host: MaxHost) -> None:
        self._host = host
        self.props: set[RendererProp] = set()
        self.scene = False

    @property
    def wrote(self) -> bool:
        """True when the fix changed anything in 3ds Max."""
        return self.scene or bool(self.props)

    def write_renderer_props(self, values: Mapping[RendererProp, PropValue], label: str) -> None:
        """Pass on, noting which settings changed."""
        self._host.write_renderer_props(values, label)
        self.props |= set(values)

    def __getattr__(self, name: str) -> Any:
        if name not in self.READS:
            self.scene = True
        return getattr(self._host, name)


def _with_panel_fixes(result: CheckResult) -> CheckResult:
    """Give the "did not answer" finding the panel's fix (it needs the probe's answers)."""
    if result.check_id != "servers-offline" or not result.findings:
        return result
    return result.model_copy(update={"findings": [
        f.model_copy(update={"fix": FIX_DISABLE_UNANSWERED}) if f.fix is None else f
        for f in result.findings]})


def _merge_rows(old: list[FindingRow], new: list[tuple[Finding, str]]) -> list[FindingRow]:
    """The new findings on the old lines (by check, in order); old ones with none left: fixed."""
    queues: dict[str, list[tuple[Finding, str]]] = {}
    for finding, title in new:
        queues.setdefault(finding.check_id, []).append((finding, title))
    rows = []
    for row in old:
        queue = queues.get(row.finding.check_id)
        if queue:
            finding, title = queue.pop(0)
            rows.append(FindingRow(finding, title))
        else:
            rows.append(FindingRow(row.finding, row.title, fixed=True))
    rows += [FindingRow(f, t) for queue in queues.values() for f, t in queue]
    return rows


def _same_entry(item: Any) -> ServerEntry:
    return cast(ServerEntry, item)


def _plain_list(entries: Iterable[ServerEntry]) -> ServerList:
    """A server list whose items are the entries themselves (an object only when asked for)."""
    items = list(entries)
    return ServerList.lazy(lambda: items, _same_entry, origin=None)


def _make(entry: ServerEntry) -> RenderServer:
    host, port, port_end, enabled = entry
    return RenderServer.model_construct(host=host, port=port, port_end=port_end, enabled=enabled)


def _endpoint(entry: ServerEntry) -> str:
    return _make(entry).endpoint


def guard_prompt(findings: Sequence[Finding]) -> str:
    """The prompt-line text of the render guard."""
    if not findings:
        return "vrdr: DR render: the server checks passed"
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    first = findings[0].message
    return (f"vrdr: DR render: {plural(errors, 'error')}, "
            f"{plural(len(findings) - errors, 'warning')}: {first}")


def _option_owner(settings: DRSettings, name: str) -> object:
    """The model that holds option ``name``: the asset options sit in ``settings.assets``."""
    if name in ("transfer_missing", "use_cached"):
        return settings.assets
    if name in OPTION_NAMES:
        return settings
    raise KeyError(name)


def _message(exc: Exception) -> str:
    return validation_message(exc) if isinstance(exc, ValidationError) else str(exc)


def _number_message(what: str, text: str, exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return f"{what}: {validation_message(exc)}"
    return f"{what}: {text.strip()!r} is not a number"


__all__ = [
    "Event",
    "FindingRow",
    "InputField",
    "Origin",
    "PanelController",
    "Reading",
    "Row",
    "guard_prompt",
    "status_text",
]
