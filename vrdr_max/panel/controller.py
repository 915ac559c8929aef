"""The panel's state and commands, without Qt: what the widgets show and what their clicks do.

The controller talks to the backend (cfg files, checks, fixes, submission) and to the
``MaxHost``; the widgets bind to it and never to the host. Every method runs on 3ds Max's main
thread; the slow, network-bound parts (probe, discovery) are plain functions the widgets hand
to a worker thread, whose results come back through :meth:`apply_probe_results` and friends.

Edits are validated first and saved at once through ``CfgFile.save`` (atomic, with a backup,
refusing a file that changed on disk). Bad input never reaches the file: the command returns
the message and :attr:`PanelController.errors` holds it for the field that caused it.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from pydantic import ValidationError

from vrdr_max import api
from vrdr_max.addresses import parse_endpoint, validate_host, validate_port
from vrdr_max.atomic import MAX_CFG_BYTES, read_bytes_snapshot
from vrdr_max.cfgfile import cfg_name
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
from vrdr_max.errors import CfgConflictError, VrdrError, validation_message
from vrdr_max.facts import SceneFacts
from vrdr_max.fixes import FIXES
from vrdr_max.host import MaxHost
from vrdr_max.manifest import load_manifest
from vrdr_max.models import CacheLimitType, Dispatcher, DRSettings, RenderServer
from vrdr_max.panel import conflict
from vrdr_max.panel import numa_form as numa_rules
from vrdr_max.panel import paste_preview as paste_rules
from vrdr_max.ports import Engine, Mode
from vrdr_max.probe import ProbeResult
from vrdr_max.renderers import RendererProp
from vrdr_max.settings_store import StoredSettings, load_settings
from vrdr_max.spawner import parse_spawner_args, server_entries
from vrdr_max.studio import Pool, load_effective
from vrdr_max.submit import SubmissionReport, SubmitOptions, SubmitPlan, execute

Key = tuple[str, int]

SCENE_EVENTS = ("filePostOpen", "systemPostReset", "filePostMerge", "postRendererChange")
"""3ds Max events after which the panel reads the scene and the cfg again."""
GUARD_EVENT = "preRender"

NODE_CHECKS = frozenset({"default-lights", "missing-maps"})
"""Checks whose subjects start with a node (or map) name: the panel offers "select"."""


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


class Origin(str, Enum):
    """Where a server entry came from."""

    FILE = "file"
    ADDED = "added"
    POOL = "pool"
    NUMA = "NUMA"  # one entry per spawner process of a NUMA machine
    DISCOVERED = "discovered"


class InputField(str, Enum):
    """Inputs that can hold an inline error."""

    ADD = "add"
    EDIT = "edit"
    PASTE = "paste"
    NUMA = "numa"
    POOL = "pool"
    DISPATCHER = "dispatcher"
    MAX_SERVERS = "max_servers"
    CACHE_LIMIT = "cache_limit"
    SAVE = "save"
    FIX = "fix"


OPTION_NAMES = ("use_local_host", "restart_servers", "save_servers_in_scene",
                "transfer_missing", "use_cached", "check_missing_files")
"""The on/off options of the panel (``max_servers`` and the cache limit take numbers)."""


@dataclass(frozen=True)
class Row:
    """One line of the server table (its probe answer: :meth:`PanelController.probe_for`)."""

    server: RenderServer
    source: Origin


Listener = Callable[[Event], None]


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
        self.errors: dict[InputField, str] = {}
        self.sources: dict[Key, Origin] = {}
        self.probe_results: dict[Key, ProbeResult] = {}
        self.probe_changed: list[Key] = []
        self.report: CheckReport | None = None
        self.guard_findings: list[Finding] = []
        self.conflict = False
        self.last_submission: SubmissionReport | None = None
        self.callback_errors: list[str] = []
        self._attached = False
        self._rendering = False
        self.stored = self._load()

    # -- events --------------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(event)`` after every change."""
        self._listeners.append(listener)

    def _emit(self, *events: Event) -> None:
        for event in events:
            for listener in list(self._listeners):
                listener(event)

    # -- loading -------------------------------------------------------------------------------

    def _load(self) -> StoredSettings:
        engine = self.host.read_renderer().engine or Engine.CPU
        if self._cfg_path is not None:
            stored = load_settings(self._cfg_path.parent, engine, cfg_path=self._cfg_path,
                                   host=self.host)
        else:
            stored = load_settings(self.host.plugcfg_dir(), engine, host=self.host)
        self.sources = {s.key: self.sources.get(s.key, Origin.FILE)
                        for s in stored.settings.servers}
        return stored

    @property
    def settings(self) -> DRSettings:
        """The settings the panel shows (saved, unless :attr:`conflict`)."""
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
        """Read the renderer, the cfg and the scene record again (a scene was opened...)."""
        self.stored = self._load()
        self.report = None
        self.guard_findings = []
        self.conflict = False
        self.errors.clear()
        self._emit(Event.SCENE, Event.SETTINGS, Event.SERVERS, Event.PREFLIGHT, Event.ERRORS)

    # -- the table -----------------------------------------------------------------------------

    def rows(self) -> list[Row]:
        """The server table: each entry with where it came from."""
        return [Row(s, self.sources.get(s.key, Origin.FILE)) for s in self.settings.servers]

    def probe_for(self, server: RenderServer) -> ProbeResult | None:
        """The last probe answer for ``server``; for a port range, an online port's if any."""
        if server.port_end is None:
            return self.probe_results.get(server.key)
        host = server.host.lower()
        answers = [r for r in (self.probe_results.get((host, p)) for p in server.ports) if r]
        return next((r for r in answers if r.ok), answers[0] if answers else None)

    def _fail(self, field: InputField, message: str) -> str:
        self.errors[field] = message
        self._emit(Event.ERRORS)
        return message

    def _ok(self, field: InputField) -> None:
        if self.errors.pop(field, None) is not None:
            self._emit(Event.ERRORS)

    def _commit(self, settings: DRSettings, field: InputField,
                new_sources: dict[Key, Origin] | None = None) -> str | None:
        """Make ``settings`` the working copy and save them; a conflict keeps them unsaved."""
        self.stored.settings = settings
        for key, source in (new_sources or {}).items():
            self.sources.setdefault(key, source)
        self._ok(field)
        error = self.save()
        self._emit(Event.SETTINGS, Event.SERVERS)
        return error

    def save(self) -> str | None:
        """Write the working copy; on a file changed on disk, set :attr:`conflict` instead."""
        try:
            self.stored.save()
        except CfgConflictError as exc:
            self.conflict = True
            self._emit(Event.CONFLICT)
            return str(exc)
        except VrdrError as exc:
            return self._fail(InputField.SAVE, str(exc))
        self.conflict = False
        self._ok(InputField.SAVE)
        return None

    def _copy(self) -> DRSettings:
        return self.settings.model_copy(deep=True)

    def add_server(self, text: str, source: Origin = Origin.ADDED) -> str | None:
        """Add ``host[:port]`` (the engine's default port when none); return an error or None."""
        try:
            host, port = parse_endpoint(text.strip(), self.settings.default_port)
        except (VrdrError, ValueError) as exc:
            return self._fail(InputField.ADD, str(exc))
        settings = self._copy()
        if not settings.add_server(host, port):
            return self._fail(InputField.ADD, f"{text.strip()} is listed already")
        return self._commit(settings, InputField.ADD, {settings.servers[-1].key: source})

    def edit_server(self, row: int, *, host: str | None = None, port: int | str | None = None,
                    enabled: bool | None = None) -> str | None:
        """Change one entry in place; a bad host or port leaves the file untouched."""
        settings = self._copy()
        old = settings.servers[row]
        try:
            update: dict[str, object] = {}
            if host is not None:
                update["host"] = validate_host(host.strip())
            if port is not None:
                update["port"] = validate_port(port.strip() if isinstance(port, str) else port)
            if enabled is not None:
                update["enabled"] = enabled
            new = RenderServer.model_validate({**old.model_dump(), **update})
        except (VrdrError, ValueError) as exc:
            return self._fail(InputField.EDIT, _message(exc))
        if new.key != old.key and any(s.key == new.key for s in settings.servers):
            return self._fail(InputField.EDIT, f"{new.endpoint} is listed already")
        settings.servers = [new if i == row else s for i, s in enumerate(settings.servers)]
        if new.key != old.key:
            self.sources[new.key] = self.sources.pop(old.key, Origin.ADDED)
        return self._commit(settings, InputField.EDIT)

    def remove_rows(self, rows: Iterable[int]) -> str | None:
        """Remove the entries in ``rows``."""
        gone = set(rows)
        if not gone:
            return None
        settings = self._copy()
        settings.servers = [s for i, s in enumerate(settings.servers) if i not in gone]
        return self._commit(settings, InputField.EDIT)

    def set_rows_enabled(self, rows: Iterable[int], enabled: bool) -> str | None:
        """Switch the entries in ``rows`` on or off."""
        chosen = set(rows)
        settings = self._copy()
        settings.servers = [s.model_copy(update={"enabled": enabled}) if i in chosen else s
                            for i, s in enumerate(settings.servers)]
        return self._commit(settings, InputField.EDIT)

    def paste(self, text: str) -> str | None:
        """Add one ``host[:port]`` per line (spreadsheet rows: host, then an optional port cell).

        All or nothing: one bad line, or one that reads like a typo (``node 05``), adds none and
        names the line. The paste dialog shows each line first (:meth:`paste_preview`).
        """
        lines = paste_rules.strict_entries(text, self.settings)
        if isinstance(lines, str):
            return self._fail(InputField.PASTE, lines)
        return self.add_pasted(lines)

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
        settings = self._copy()
        settings.add_servers(entries)
        return self._commit(settings, InputField.NUMA, {s.key: Origin.NUMA for s in entries})

    def pool_names(self) -> list[str]:
        """The pools of the studio and user files, for this engine."""
        pools = load_effective().pools
        return sorted(n for n, p in pools.items() if p.engine is self.settings.engine)

    def apply_pool(self, name: str, *, merge: bool) -> str | None:
        """Replace the list with a pool's servers, or merge them in."""
        settings = self._copy()
        try:
            api.apply_pool(settings, name, merge=merge)
        except VrdrError as exc:
            return self._fail(InputField.POOL, str(exc))
        new = {s.key: Origin.POOL for s in settings.servers}
        if not merge:
            self.sources = {}
        return self._commit(settings, InputField.POOL, new)

    def add_discovered(self, addresses: Iterable[str]) -> str | None:
        """Add hosts heard by discovery, on the engine's default port."""
        settings = self._copy()
        for address in addresses:
            settings.add_server(address)
        new = {s.key: Origin.DISCOVERED for s in settings.servers}
        return self._commit(settings, InputField.ADD, new)

    # -- options -------------------------------------------------------------------------------

    def set_dr_enabled(self, on: bool) -> str | None:
        """Switch DR on or off in Render Setup (one undo step)."""
        return self._set_renderer(RendererProp.DR_ENABLED, "enabled", on,
                                  f"vrdr: DR {'on' if on else 'off'}")

    def _set_renderer(self, prop: RendererProp, name: str, value: bool, label: str
                      ) -> str | None:
        try:
            self.host.write_renderer_props({prop: value}, label)
        except VrdrError as exc:
            return self._fail(InputField.SAVE, str(exc))
        self.stored.settings = self.settings.model_copy(update={name: value})
        self._emit(Event.SETTINGS)
        return None

    def option(self, name: str) -> bool:
        """The value of one of :data:`OPTION_NAMES`."""
        return bool(getattr(_option_owner(self.settings, name), name))

    def set_option(self, name: str, value: bool) -> str | None:
        """One of :data:`OPTION_NAMES`; the cfg options are saved, the renderer's set."""
        if name == "check_missing_files":
            return self._set_renderer(RendererProp.CHECK_MISSING_FILES, name, value,
                                      "vrdr: check for missing files")
        settings = self._copy()
        setattr(_option_owner(settings, name), name, value)
        return self._commit(settings, InputField.SAVE)

    def set_max_servers(self, text: str) -> str | None:
        """Max servers (0: all)."""
        try:
            value = int(text.strip())
            settings = self._copy()
            settings.max_servers = value
        except (ValueError, ValidationError) as exc:
            return self._fail(InputField.MAX_SERVERS, _number_message("max servers", text, exc))
        return self._commit(settings, InputField.MAX_SERVERS)

    def set_cache_limit(self, kind: CacheLimitType, text: str) -> str | None:
        """Cache limit type and value (hours or GB)."""
        try:
            value = float(text.strip())
            settings = self._copy()
            settings.assets.cache_limit_type = kind
            settings.assets.cache_limit = value
        except (ValueError, ValidationError) as exc:
            return self._fail(InputField.CACHE_LIMIT, _number_message("cache limit", text, exc))
        return self._commit(settings, InputField.CACHE_LIMIT)

    def set_mode(self, mode: Mode) -> str | None:
        """DR or DR2 (kept in vrdr's sidecar and written to the cfg where V-Ray reads it)."""
        settings = self._copy()
        settings.mode = mode
        return self._commit(settings, InputField.DISPATCHER)

    def set_dispatcher(self, host: str, port: str, also_renders: bool) -> str | None:
        """The DR2 dispatcher; an empty host clears it."""
        settings = self._copy()
        try:
            settings.dispatcher = None if not host.strip() else Dispatcher(
                host=host.strip(), port=validate_port(port.strip() or "0"),
                also_renders=also_renders)
        except (VrdrError, ValueError) as exc:
            return self._fail(InputField.DISPATCHER, _message(exc))
        return self._commit(settings, InputField.DISPATCHER)

    # -- probe and discovery (run in a worker; results come back here) -------------------------

    def probe_endpoints(self) -> list[tuple[str, int, str]]:
        """``(host, port, label)`` of every listed server and of the DR2 dispatcher.

        Disabled servers are probed too, so the artist sees them come back. A worker turns the
        tuples into probe targets (checking 1,000 host names takes tens of milliseconds).
        """
        return self._endpoints(self.settings.servers)

    def _endpoints(self, servers: Iterable[RenderServer]) -> list[tuple[str, int, str]]:
        """Every port of ``servers``, then the dispatcher in DR2 mode."""
        endpoints = [(s.host, port, "server") for s in servers for port in s.ports]
        d = self.settings.dispatcher
        if self.settings.mode is Mode.DR2 and d is not None:
            endpoints.append((d.host, d.port, "dispatcher"))
        return endpoints

    def apply_probe_results(self, results: Iterable[ProbeResult]) -> None:
        """Show probe answers (a batch at a time, as they arrive).

        :attr:`probe_changed` holds the endpoints of this batch, so a view repaints only them.
        """
        changed: list[Key] = []
        for result in results:
            if not result.cancelled:
                key = (result.host.lower(), result.port)
                self.probe_results[key] = result
                changed.append(key)
        self.probe_changed = changed
        self._emit(Event.PROBE)

    def dispatcher_probe(self) -> ProbeResult | None:
        """The last probe answer of the DR2 dispatcher."""
        d = self.settings.dispatcher
        return None if d is None else self.probe_results.get((d.host.lower(), d.port))

    # -- preflight -----------------------------------------------------------------------------

    def _context(self, facts: SceneFacts) -> CheckContext:
        defaults = load_effective().defaults
        manifest = load_manifest(Path(defaults.manifest)) if defaults.manifest else None
        return CheckContext(facts=facts, settings=self.settings,
                            probe_results=self._probe_list(), manifest=manifest,
                            shared_drives=defaults.shared_drives)

    def _probe_list(self) -> list[ProbeResult] | None:
        """The answers for what a submission probes (``targets_from_settings``), if all known."""
        wanted = [(host.lower(), port)
                  for host, port, _ in self._endpoints(self.settings.enabled_servers)]
        if not wanted or any(k not in self.probe_results for k in wanted):
            return None
        return [self.probe_results[k] for k in wanted]

    def preflight_steps(self) -> Iterator[CheckResult]:
        """Read the scene once (here, on the main thread), then yield one check at a time.

        The caller drives it (one step per event-loop turn) and calls
        :meth:`finish_preflight` with the results.
        """
        return run_iter(self._context(self.host.read_scene()))

    def finish_preflight(self, results: Sequence[CheckResult]) -> CheckReport:
        """Store and announce a finished preflight."""
        self.report = CheckReport(results=list(results))
        self._emit(Event.PREFLIGHT)
        return self.report

    def preflight(self) -> CheckReport:
        """The whole preflight in one call (scripts, tests)."""
        return self.finish_preflight(list(self.preflight_steps()))

    def summary(self) -> str:
        """``2 errors, 1 warning, 0 notes`` or why there is no report."""
        if self.report is None:
            return "preflight not run yet"
        r = self.report
        return (f"{_plural(r.count(Severity.ERROR), 'error')}, "
                f"{_plural(r.count(Severity.WARNING), 'warning')}, "
                f"{_plural(r.count(Severity.INFO), 'note')}")

    def fix(self, fix_id: str) -> str | None:
        """Apply a fix, save what it changed, and run the preflight again."""
        settings = self._copy()
        try:
            FIXES[fix_id].apply(self.host, settings)
        except VrdrError as exc:
            return self._fail(InputField.FIX, str(exc))
        error = self._commit(settings, InputField.FIX)
        self.preflight()
        return error

    @staticmethod
    def node_names(finding: Finding) -> list[str]:
        """The node (or map) names a finding's subjects start with; empty if it names none."""
        if finding.check_id not in NODE_CHECKS:
            return []
        return [s.split(" (", 1)[0] for s in finding.subjects]

    def select(self, finding: Finding) -> int:
        """Select the finding's nodes in the scene; return how many were found."""
        return self.host.select_nodes(self.node_names(finding))

    # -- render with DR ------------------------------------------------------------------------

    def plan(self) -> SubmitPlan:
        """What Render with DR will do (nothing is changed)."""
        return api.plan_submission(self.host, self.stored, probe_results=self._probe_list())

    def render(self, submit_plan: SubmitPlan, override_reason: str | None = None
               ) -> SubmissionReport:
        """Carry out a plan the artist saw; with errors left, ``override_reason`` is recorded."""
        self._rendering = True
        try:
            report = execute(self.host, submit_plan, override_reason=override_reason or None)
        finally:
            self._rendering = False
        self.last_submission = report
        # The submission restored (or kept) the file: show what is on disk now.
        self.stored = self._load()
        self._emit(Event.SETTINGS, Event.SERVERS)
        return report

    # -- for the dialogs: plan choices, paste preview, conflict, NUMA, pools -------------------

    def probed_all(self) -> bool:
        """True when every switched-on server has a probe answer (what leaving out needs)."""
        return self._probe_list() is not None

    def plan_with(self, *, only_online: bool) -> SubmitPlan:
        """:meth:`plan` with "only servers that answered" on or off (the studio's other choices)."""
        options = SubmitOptions(only_online=only_online, restore=load_effective().defaults.restore)
        return api.plan_submission(self.host, self.stored, probe_results=self._probe_list(),
                                   options=options)

    def paste_preview(self, text: str) -> list[paste_rules.PasteLine]:
        """Each pasted line judged against the list: new, listed, repeated, to check, invalid."""
        return paste_rules.preview(text, self.settings)

    def add_pasted(self, lines: Sequence[paste_rules.PasteLine]) -> str | None:
        """Add the servers pasted lines read as (the paste dialog's Add N)."""
        servers = [RenderServer(host=line.host, port=line.port, port_end=line.port_end,
                                enabled=line.enabled)
                   for line in lines if line.host is not None and line.port is not None]
        if not servers:
            return self._fail(InputField.PASTE, "nothing to add")
        settings = self._copy()
        settings.add_servers(servers)
        return self._commit(settings, InputField.PASTE, {s.key: Origin.ADDED for s in servers})

    def conflict_diff(self) -> list[str]:
        """What changed in the cfg on disk since the panel read it, as a unified diff."""
        try:
            now = read_bytes_snapshot(self.cfg_path, max_bytes=MAX_CFG_BYTES).data
        except VrdrError as exc:
            return [f"the file on disk cannot be read: {exc}"]
        return conflict.changes(self.stored.cfg.snapshot.data, now, self.cfg_path.name)

    def reapply_on_disk(self) -> list[str] | str:
        """Put the unsaved edits on the cfg as it is now, and save ("apply my change").

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
        theirs = {s.key for s in fresh.settings.servers}
        added = {s.key: self.sources.get(s.key, Origin.ADDED) for s in merged.servers
                 if s.key not in theirs}
        self.stored = fresh
        self.conflict = False
        error = self._commit(merged, InputField.SAVE, added)
        return error if error is not None else done

    def numa_form(self, host: str, flags: str, machine_nodes: int | None
                  ) -> numa_rules.NumaPreview:
        """The NUMA dialog's preview: processes, entries, warnings, spawner command."""
        try:
            version: int | None = self.host.max_version()
        except VrdrError:
            version = None
        return numa_rules.preview(host, flags, machine_nodes, self.settings, version)

    def pools(self) -> dict[str, Pool]:
        """The studio and user files' pools for this engine, by name."""
        return {n: p for n, p in load_effective().pools.items()
                if p.engine is self.settings.engine}

    # -- 3ds Max events ------------------------------------------------------------------------

    @property
    def attached(self) -> bool:
        """True while the scene-event and render-guard callbacks are registered."""
        return self._attached

    def attach(self) -> None:
        """Register the scene-event and render-guard callbacks (removed by :meth:`detach`)."""
        if self._attached:
            return
        for event in SCENE_EVENTS:
            self.host.add_callback(event, self._guarded(self.refresh))
        self.host.add_callback(GUARD_EVENT, self._guarded(self.render_guard))
        self._attached = True

    def detach(self) -> None:
        """Remove the callbacks (the panel closed)."""
        if self._attached:
            self.host.remove_callbacks()
            self._attached = False

    def _guarded(self, func: Callable[[], object]) -> Callable[[], None]:
        def call() -> None:
            try:
                func()
            except Exception as exc:  # noqa: BLE001 - a panel bug must never break 3ds Max's event
                self.callback_errors.append(f"{type(exc).__name__}: {exc}")
        return call

    def render_guard(self) -> list[Finding]:
        """``#preRender``: with DR on, run the fast checks and report them; silent otherwise.

        Fast means no scene scan: the renderer's switches (a few runtime calls) and the server
        checks over the panel's list and last probe. Nothing here can stop the render.
        """
        if self._rendering or self.host.is_network_render():
            return []
        props = self.host.read_renderer_props()
        if not props.get(RendererProp.DR_ENABLED):
            return []
        facts = SceneFacts(renderer=self.host.read_renderer(), dr_enabled=True)
        report = run(self._context(facts), checks_in(SERVERS))
        findings = [f for f in report.findings if f.severity is not Severity.INFO]
        if self.conflict:
            findings.append(Finding(
                check_id="panel-unsaved", severity=Severity.WARNING, message=(
                    f"the panel's server list is not saved: {self.cfg_path.name} changed on "
                    "disk, V-Ray renders with the file's list")))
        self.guard_findings = findings
        self._emit(Event.GUARD)
        self.host.show_prompt(guard_prompt(findings))
        return findings


def guard_prompt(findings: Sequence[Finding]) -> str:
    """The prompt-line text of the render guard."""
    if not findings:
        return "vrdr: DR render: the server checks passed"
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    first = findings[0].message
    return (f"vrdr: DR render: {_plural(errors, 'error')}, "
            f"{_plural(len(findings) - errors, 'warning')}: {first}")


def status_text(result: ProbeResult | None) -> str:
    """``online 3 ms``, ``refused``, ... or empty when not probed."""
    if result is None:
        return ""
    if result.latency_ms is not None and result.ok:
        return f"{result.state.value} {result.latency_ms:.0f} ms"
    return result.state.value


def _option_owner(settings: DRSettings, name: str) -> object:
    """The model that holds option ``name``: the asset options sit in ``settings.assets``."""
    if name in ("transfer_missing", "use_cached"):
        return settings.assets
    if name in OPTION_NAMES:
        return settings
    raise KeyError(name)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _message(exc: Exception) -> str:
    return validation_message(exc) if isinstance(exc, ValidationError) else str(exc)


def _number_message(what: str, text: str, exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return f"{what}: {validation_message(exc)}"
    return f"{what}: {text.strip()!r} is not a number"


__all__ = [
    "Event",
    "InputField",
    "Origin",
    "PanelController",
    "Row",
    "guard_prompt",
    "status_text",
]
