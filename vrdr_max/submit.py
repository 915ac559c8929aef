"""Client-side DR submission: a pure ``plan`` and a transactional ``execute``.

``plan`` says what will be written where: which cfg file and lines, which renderer properties,
what happens to "Save servers in the scene", the DR2 dispatcher, and what is restored afterwards.
``execute`` carries it out through a ``MaxHost`` — preflight gate, cfg write (atomic, with a
backup), renderer properties, the dispatcher record in the scene, the render (the Render button's
semantics), then the optional restore — and rolls back whatever it changed if a step fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path

from pydantic import BaseModel, Field

from vrdr_max.atomic import (
    MAX_CFG_BYTES,
    FileSnapshot,
    own_backup_suffix,
    read_bytes_snapshot,
    restore_snapshot,
)
from vrdr_max.cfgfile import CfgFile
from vrdr_max.checks import CheckContext, CheckReport, CheckStatus, Severity, run
from vrdr_max.errors import CfgConflictError, VrdrError
from vrdr_max.facts import PropValue, SceneFacts
from vrdr_max.host import MaxHost, RenderOutcome
from vrdr_max.manifest import FarmManifest
from vrdr_max.models import Dispatcher, DRSettings, RenderServer
from vrdr_max.ports import Engine, Mode
from vrdr_max.probe import ProbeResult
from vrdr_max.renderers import PROPERTY_NAMES, RendererProp
from vrdr_max.reporting import value_text
from vrdr_max.settings_store import dispatcher_in_cfg_setting
from vrdr_max.sidecar import SCENE_DATA_KEY, Sidecar, dump_sidecar
from vrdr_max.spawner import SpawnerCommand, format_command

CANCEL_NOTE = ("the render was cancelled: render servers may take a while to finish and may not "
               "be available at once for another render")
UNCONFIRMED_NOTE = ("the render ended, but 3ds Max could not tell whether every frame finished "
                    "(it may have been cancelled): check the output before relying on it")
GPU_DISPATCHER_NOTE = ("V-Ray GPU DR2: start vray.exe as the dispatcher on {host} and GPU servers "
                       "as `vray.exe -server`; the dispatcher flag is not documented [unverified]")


class SubmitOptions(BaseModel):
    """Choices the artist or TD makes for one submission."""

    only_online: bool = False
    restore: bool = True
    keep_scene_list: bool = False


class LoadedCfg(BaseModel):
    """The cfg's bytes when the settings were loaded (None: the file did not exist)."""

    data: bytes | None


class SubmitPlan(BaseModel):
    """What a submission will do, computed without touching anything."""

    engine: Engine
    mode: Mode
    cfg_path: Path
    cfg_loaded: LoadedCfg | None = None
    cfg_settings: DRSettings
    server_lines: list[str]
    skipped_servers: list[str] = Field(default_factory=list)
    renderer_props: dict[RendererProp, PropValue]
    renderer_prop_names: dict[str, PropValue]
    scene_list: str
    dispatcher: Dispatcher | None = None
    dispatcher_command: str | None = None
    scene_record: str
    restore: bool
    restore_note: str
    preflight: CheckReport
    problems: list[str] = Field(default_factory=list)

    @property
    def blocked(self) -> bool:
        """True when the preflight found errors or the plan itself cannot work."""
        return bool(self.problems) or self.preflight.has_errors

    @property
    def blocking_reasons(self) -> list[str]:
        """Why the plan is blocked, one line each."""
        errors = [f"{f.check_id}: {f.message}" for f in self.preflight.findings
                  if f.severity is Severity.ERROR]
        crashed = [f"{r.check_id}: check crashed ({r.reason})" for r in self.preflight.results
                   if r.status is CheckStatus.CRASHED]
        return [*self.problems, *errors, *crashed]


def plan(settings: DRSettings, facts: SceneFacts,
         probe_results: Sequence[ProbeResult] | None = None, *, cfg_path: Path,
         loaded_from: FileSnapshot | None = None, options: SubmitOptions | None = None,
         manifest: FarmManifest | None = None,
         shared_drives: frozenset[str] = frozenset()) -> SubmitPlan:
    """Work out a submission. Pure: reads nothing, writes nothing.

    Args:
        settings: the DR settings to render with (servers, options, mode, dispatcher).
        facts: the scene snapshot (``MaxHost.read_scene``).
        probe_results: reachability of the servers, if probed.
        cfg_path: the cfg file V-Ray reads (``vray_dr.cfg`` or ``vrayrt_dr.cfg`` in plugcfg).
        loaded_from: the file as ``settings`` were read from it (``CfgFile.snapshot``); the
            submission then refuses to overwrite a change made since (V-Ray's dialog).
        options: only online servers, restore afterwards, keep the scene's own list.
        manifest: the render servers' plugin manifest, for the preflight.
        shared_drives: drive letters every server has, for the preflight.

    Returns:
        The plan, with its preflight report and anything that blocks it.
    """
    opts = options or SubmitOptions()
    problems = []
    # The cfg's name and the scene's engine are judged by the preflight (check cfg-engine), so
    # `vrdr check` reports them too.
    answered = {(r.host.lower(), r.port) for r in probe_results or () if r.ok}
    servers: list[RenderServer] = []
    skipped: list[str] = []
    for server in settings.servers:
        # A port range takes part when any of its ports answered (NUMA spawners per port).
        offline = (opts.only_online and server.enabled and probe_results is not None
                   and not any((server.key[0], port) in answered for port in server.ports))
        if offline:
            skipped.append(server.endpoint)
        servers.append(server.model_copy(update={"enabled": False}) if offline else server)
    if settings.enabled_servers and not any(s.enabled for s in servers):
        problems.append("no listed server answered the probe: nothing would render remotely")
    cfg_settings = settings.model_copy(update={
        "servers": servers, "enabled": True,
        "dispatcher": settings.dispatcher if settings.mode is Mode.DR2 else None,
        "save_servers_in_scene": settings.save_servers_in_scene and opts.keep_scene_list})
    props: dict[RendererProp, PropValue] = {RendererProp.DR_ENABLED: True,
                                            RendererProp.CHECK_MISSING_FILES:
                                                settings.check_missing_files}
    names = PROPERTY_NAMES[settings.engine]
    ctx = CheckContext(facts=facts, settings=cfg_settings, probe_results=probe_results,
                       manifest=manifest, shared_drives=shared_drives, cfg_path=cfg_path)
    return SubmitPlan(
        engine=settings.engine, mode=settings.mode, cfg_path=cfg_path,
        cfg_loaded=None if loaded_from is None else LoadedCfg(data=loaded_from.data),
        cfg_settings=cfg_settings, skipped_servers=skipped,
        server_lines=[f"{s.host} {int(s.enabled)} {s.port_text}" for s in servers],
        renderer_props=props,
        renderer_prop_names={".".join(p for p in names[k] if p): v for k, v in props.items()},
        scene_list=_scene_list_note(settings, opts),
        dispatcher=settings.dispatcher if settings.mode is Mode.DR2 else None,
        dispatcher_command=_dispatcher_command(settings, facts.max_version),
        scene_record=_scene_record(settings),
        restore=opts.restore,
        restore_note=("after the render the previous cfg and renderer properties come back"
                      if opts.restore else "the new server list stays; the previous cfg is kept "
                      "as a backup next to it"),
        preflight=run(ctx), problems=problems)


def _scene_record(settings: DRSettings) -> str:
    sidecar = Sidecar()
    sidecar.remember(settings)
    return dump_sidecar(sidecar)


def _scene_list_note(settings: DRSettings, opts: SubmitOptions) -> str:
    if not settings.save_servers_in_scene:
        return "list_in_scene stays 0: V-Ray reads the cfg's list"
    if opts.keep_scene_list:
        return "list_in_scene stays 1: the list saved in the scene overrides the cfg (kept)"
    return "list_in_scene 1 -> 0 so that V-Ray reads this list, not one saved in the scene"


def _dispatcher_command(settings: DRSettings, max_version: int | None) -> str | None:
    if settings.mode is not Mode.DR2 or settings.dispatcher is None:
        return None
    if settings.engine is Engine.GPU:
        return GPU_DISPATCHER_NOTE.format(host=settings.dispatcher.host)
    mode = 2 if settings.dispatcher.also_renders else 1
    return format_command(SpawnerCommand(max_version=max_version or 2026, run_dispatcher=mode))


class SubmissionStatus(str, Enum):
    """How a submission ended."""

    RENDERED = "rendered"
    CANCELLED = "cancelled"
    UNCONFIRMED = "unconfirmed"
    """The render ran; the host could not tell whether it finished or was cancelled."""
    BLOCKED = "blocked"
    FAILED = "failed"
    NOT_RESTORED = "not-restored"
    """The render ran but putting the previous cfg or renderer settings back failed."""

    @property
    def ran(self) -> bool:
        """True when the render ran and everything was put back (or kept, as asked)."""
        return self in (SubmissionStatus.RENDERED, SubmissionStatus.CANCELLED,
                        SubmissionStatus.UNCONFIRMED)


_STATUS = {RenderOutcome.COMPLETED: SubmissionStatus.RENDERED,
           RenderOutcome.CANCELLED: SubmissionStatus.CANCELLED,
           RenderOutcome.UNKNOWN: SubmissionStatus.UNCONFIRMED}


class StepRecord(BaseModel):
    """One step of ``execute``."""

    name: str
    ok: bool
    duration_ms: float
    detail: str = ""


class SubmissionReport(BaseModel):
    """What ``execute`` did: steps, timings, the backup, any override."""

    status: SubmissionStatus
    cfg_path: Path
    steps: list[StepRecord] = Field(default_factory=list)
    backup_path: Path | None = None
    override_reason: str | None = None
    overridden: list[str] = Field(default_factory=list)
    blocking: list[str] = Field(default_factory=list)
    restored: bool = False
    rolled_back: bool = False
    messages: list[str] = Field(default_factory=list)
    error: str | None = None


class _Transaction:
    """Runs steps, times them, and remembers how to undo each change."""

    def __init__(self, report: SubmissionReport) -> None:
        self.report = report
        self.undo: list[tuple[str, Callable[[], None]]] = []

    def step(self, name: str, action: Callable[[], str]) -> None:
        start = time.perf_counter()
        try:
            detail = action()
        except BaseException as exc:
            self._record(name, False, start, f"{type(exc).__name__}: {exc}")
            raise
        self._record(name, True, start, detail)

    def _record(self, name: str, ok: bool, start: float, detail: str) -> None:
        self.report.steps.append(StepRecord(name=name, ok=ok, detail=detail,
                                            duration_ms=(time.perf_counter() - start) * 1e3))

    def unwind(self, name: str) -> dict[str, BaseException]:
        """Undo every change, newest first; keep going past a failing undo.

        Ctrl+C does not stop it halfway (the artist's cfg would keep this submission's list):
        an interrupted undo is tried once more, and the ones after it still run.

        Returns:
            What could not be undone and why (empty when everything was).
        """
        failed: dict[str, BaseException] = {}
        while self.undo:
            what, action = self.undo.pop()
            for attempt in range(_UNDO_ATTEMPTS):
                try:
                    self.step(f"{name}: {what}", _done(action))
                except KeyboardInterrupt as exc:
                    self.report.messages.append(f"Ctrl+C during the {name} of {what}: "
                                                + ("tried again" if attempt + 1 < _UNDO_ATTEMPTS
                                                   else "left undone"))
                    failed[what] = exc
                    continue
                except Exception as exc:  # noqa: BLE001 - one failed undo must not stop the others
                    failed[what] = exc
                    self.report.messages.append(f"could not {name} {what}: {exc}")
                else:
                    failed.pop(what, None)
                break
        return failed


_UNDO_ATTEMPTS = 2
"""Tries of one undo step that Ctrl+C interrupts (every undo step may run again)."""


def _done(action: Callable[[], None]) -> Callable[[], str]:
    def run_it() -> str:
        action()
        return "done"

    return run_it


def execute(host: MaxHost, submit_plan: SubmitPlan, *,
            override_reason: str | None = None) -> SubmissionReport:
    """Carry out ``submit_plan`` as a transaction.

    Args:
        host: 3ds Max.
        submit_plan: from :func:`plan`.
        override_reason: render despite preflight errors; the reason goes into the report.

    Returns:
        The report. Failures are reported, not raised: the status is ``failed`` and every
        change made before the failure has been rolled back.
    """
    p = submit_plan
    report = SubmissionReport(status=SubmissionStatus.BLOCKED, cfg_path=p.cfg_path,
                              blocking=p.blocking_reasons)
    if p.blocked:
        if not override_reason or not override_reason.strip():
            report.messages.append("preflight errors block the render; fix them or override "
                                   "with a reason")
            return report
        report.override_reason = override_reason.strip()
        report.overridden = report.blocking
    tx = _Transaction(report)
    try:
        outcome = _run_steps(host, p, tx)
    except Exception as exc:  # noqa: BLE001 - any failure (pymxs raises RuntimeError) rolls back
        report.status = SubmissionStatus.FAILED
        report.error = str(exc) if isinstance(exc, VrdrError) else f"{type(exc).__name__}: {exc}"
        report.rolled_back = not tx.unwind("roll back")
        return report
    except BaseException:
        tx.unwind("roll back")  # Ctrl+C or exit: leave nothing half-changed, then go on exiting
        raise
    report.status = _STATUS[outcome]
    if outcome is RenderOutcome.CANCELLED:
        report.messages.append(CANCEL_NOTE)
    elif outcome is RenderOutcome.UNKNOWN:
        report.messages.append(UNCONFIRMED_NOTE)
    if p.restore:
        tx.undo = [(what, action) for what, action in tx.undo if what != "scene record"]
        _restore(tx, p)
    else:
        report.messages.append(f"the new server list stays in {p.cfg_path}; the previous file "
                               f"is {report.backup_path or 'not kept (there was none)'}")
    return report


def _restore(tx: _Transaction, p: SubmitPlan) -> None:
    """Put the cfg and renderer settings back; a failure is the report's status, not a note."""
    report = tx.report
    failed = tx.unwind("restore")
    report.restored = not failed
    if not failed:
        return
    report.status = SubmissionStatus.NOT_RESTORED
    if "cfg" in failed:
        previous = (f"the previous version is in {report.backup_path}" if report.backup_path
                    else "there was no previous file")
        why = failed["cfg"]
        now = ("was changed by another program after vrdr wrote it and is left as it is"
               if isinstance(why, CfgConflictError)
               else "may still hold this submission's server list (Ctrl+C stopped the restore)"
               if isinstance(why, KeyboardInterrupt)
               else "still holds this submission's server list")
        report.error = f"restore failed: {p.cfg_path} {now}; {previous}"
    else:
        report.error = ("restore failed: the renderer keeps this submission's DR settings "
                        f"({', '.join(failed)})")


def _drop_own_backup(report: SubmissionReport) -> None:
    """Remove the submission's backup once the cfg holds the artist's content again."""
    if report.backup_path is None:
        return
    try:
        report.backup_path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:  # the cfg is back; a stale copy next to it is only litter
        report.messages.append(f"could not remove {report.backup_path} (the cfg is back as it "
                               f"was): {exc.strerror or exc}")
        return
    report.backup_path = None


def _run_steps(host: MaxHost, p: SubmitPlan, tx: _Transaction) -> RenderOutcome:
    before: dict[str, FileSnapshot] = {}
    props_before: dict[RendererProp, PropValue] = {}

    def snapshot() -> str:
        before["cfg"] = read_bytes_snapshot(p.cfg_path, max_bytes=MAX_CFG_BYTES)
        if p.cfg_loaded is not None and p.cfg_loaded.data != before["cfg"].data:
            raise CfgConflictError(f"{p.cfg_path} changed on disk since the settings were read "
                                   "(V-Ray's Render Servers dialog may have saved it); reload "
                                   "and submit again")
        current = host.read_renderer_props()
        props_before.update({k: current[k] for k in p.renderer_props if k in current})
        return f"{p.cfg_path} ({'absent' if before['cfg'].data is None else 'read'})"

    def write_cfg() -> str:
        cfg = CfgFile(p.cfg_path, p.engine, before["cfg"],
                      dispatcher_in_cfg=dispatcher_in_cfg_setting())
        cfg.settings = p.cfg_settings
        written: list[FileSnapshot] = []

        def put_back() -> None:
            restore_snapshot(before["cfg"], written[0] if written else None)
            _drop_own_backup(tx.report)

        tx.undo.append(("cfg", put_back))
        # A backup of its own: a save during the render (another vrdr, V-Ray's dialog, a second
        # 3ds Max) replaces <name>.vrdr.bak, and the artist's list must survive it.
        result = cfg.save(backup=True, backup_suffix=own_backup_suffix("submit"))
        written.append(cfg.snapshot)
        tx.report.backup_path = result.backup
        return f"{len(p.server_lines)} server line(s) in {p.cfg_path}"

    def write_props() -> str:
        missing = [k.value for k in p.renderer_props if k not in props_before]
        values = {k: v for k, v in p.renderer_props.items() if k in props_before}
        if RendererProp.DR_ENABLED not in values:
            raise VrdrError("the renderer has no distributed-rendering switch")
        # Registered first: a write that fails half-way is undone too.
        tx.undo.append(("renderer properties", lambda: host.write_renderer_props(
            {k: props_before[k] for k in values}, "vrdr: restore DR settings")))
        host.write_renderer_props(values, "vrdr: DR settings")
        skipped = f" (renderer lacks {', '.join(missing)})" if missing else ""
        return ", ".join(f"{k}={value_text(v)}" for k, v in p.renderer_prop_names.items()
                         ) + skipped

    def record_in_scene() -> str:
        old = host.read_scene_data(SCENE_DATA_KEY)
        tx.undo.append(("scene record", lambda: host.write_scene_data(SCENE_DATA_KEY, old)))
        host.write_scene_data(SCENE_DATA_KEY, p.scene_record)
        return f"mode {p.mode.value}" + (f", dispatcher {p.dispatcher.endpoint}"
                                         if p.dispatcher else "")

    outcome: list[RenderOutcome] = []

    def render() -> str:
        outcome.append(host.render())
        return outcome[0].value

    tx.step("snapshot", snapshot)
    tx.step("write cfg", write_cfg)
    tx.step("renderer properties", write_props)
    tx.step("scene record", record_in_scene)
    tx.step("render", render)
    return outcome[0]
