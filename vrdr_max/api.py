"""vrdr for pipeline TDs: load settings, edit servers, apply a pool, check, probe, submit.

Inside 3ds Max::

    from vrdr_max import api
    from vrdr_max.max_host import PymxsHost

    host = PymxsHost()
    stored = api.load(host=host)                      # vray_dr.cfg from getDir #plugcfg
    api.apply_pool(stored.settings, "night-farm")     # from VRDR_STUDIO_CONFIG / user file
    probing = api.probe_in_background(stored.settings)  # 3ds Max's UI stays responsive
    # ... later, once probing.done() (a timer or the next user action), on the UI thread:
    report = api.submit(host, stored, probe_results=probing.result())
    print(report.status, report.backup_path)

Probing waits up to a timeout on the network, so inside 3ds Max it runs on a worker thread and
``submit`` takes its results; ``submit`` itself never probes. Studio and user defaults
(``docs/studio-config.md``) are read only for the arguments a call leaves out.

Outside 3ds Max the same functions work on a cfg folder (``api.load(Path(...))``); anything
that needs the scene takes a ``MaxHost``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from vrdr_max.assetpaths import normalise_drives
from vrdr_max.checks import CheckContext, CheckReport, run
from vrdr_max.checks.farm_checks import probe_targets
from vrdr_max.errors import InputError, quote
from vrdr_max.host import MaxHost
from vrdr_max.manifest import FarmManifest, load_manifest
from vrdr_max.models import DRSettings
from vrdr_max.ports import Engine
from vrdr_max.probe import ProbeResult, ProbeTarget, ProgressCallback, probe
from vrdr_max.settings_store import StoredSettings, load_settings
from vrdr_max.studio import Effective, load_effective
from vrdr_max.submit import SubmissionReport, SubmitOptions, SubmitPlan, execute, plan


def load(cfg_dir: Path | None = None, *, engine: Engine | None = None,
         host: MaxHost | None = None) -> StoredSettings:
    """Load the DR settings.

    Args:
        cfg_dir: the plugcfg folder; taken from ``host`` when None.
        engine: CPU or GPU; from the scene's renderer when None and a host is given, else CPU.
        host: 3ds Max, for the plugcfg folder and the renderer's DR switches.

    Raises:
        InputError: when neither ``cfg_dir`` nor ``host`` is given, or a file is unreadable.
    """
    if cfg_dir is None:
        if host is None:
            raise InputError("give the plugcfg folder or a MaxHost")
        cfg_dir = host.plugcfg_dir()
    if engine is None:
        engine = (host.read_renderer().engine if host else None) or Engine.CPU
    return load_settings(cfg_dir, engine, host=host)


def apply_pool(settings: DRSettings, name: str, *, merge: bool = False,
               config: Effective | None = None) -> DRSettings:
    """Put the pool's servers into ``settings`` (replacing the list unless ``merge``).

    The pool's mode and dispatcher are taken too. ``config`` defaults to the studio and user
    files (``studio.load_effective()``).

    Raises:
        InputError: unknown pool, or a pool for the other engine.
    """
    pool = (config or load_effective()).pool(name)
    if pool.engine is not settings.engine:
        raise InputError(f"pool {quote(name)} is for V-Ray {pool.engine.value.upper()}, "
                         f"the settings for {settings.engine.value.upper()}")
    if not merge:
        settings.servers = []
    settings.add_servers(pool.entries())
    settings.mode = pool.mode
    if pool.dispatcher is not None:
        settings.dispatcher = pool.dispatcher
    return settings


def probe_servers(settings: DRSettings, *, timeout: float | None = None,
                  licence_servers: Iterable[str] | None = None) -> list[ProbeResult]:
    """TCP-connect to every enabled server (and the DR2 dispatcher). Not on 3ds Max's UI thread.

    ``timeout`` defaults to ``probe_timeout`` of the studio/user files (1 s built in); the
    Chaos License Servers (``farm.licence_servers`` there unless given) are probed too, for the
    ``licence-server`` check.
    """
    targets, seconds = _probe_plan(settings, timeout, licence_servers)
    return probe(targets, timeout=seconds)


def _probe_plan(settings: DRSettings, timeout: float | None,
                licence_servers: Iterable[str] | None) -> tuple[list[ProbeTarget], float]:
    """The targets and timeout, reading the studio/user files only for what is left out."""
    if timeout is None or licence_servers is None:
        config = load_effective()
        timeout = config.defaults.probe_timeout if timeout is None else timeout
        licence_servers = (config.farm.licence_servers if licence_servers is None
                           else licence_servers)
    return probe_targets(settings, licence_servers), timeout


def probe_in_background(settings: DRSettings, *, timeout: float | None = None,
                        progress: ProgressCallback | None = None,
                        licence_servers: Iterable[str] | None = None
                        ) -> Future[list[ProbeResult]]:
    """Start ``probe_servers`` on a worker thread and return at once.

    The servers are taken from ``settings`` now, so later edits do not change this probe.
    Poll ``done()`` from 3ds Max's UI thread (a timer), then pass ``result()`` to ``submit``.
    ``progress`` is called on the worker thread.
    """
    targets, seconds = _probe_plan(settings, timeout, licence_servers)
    future: Future[list[ProbeResult]] = Future()

    def work() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(probe(targets, timeout=seconds, progress=progress))
        except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)

    threading.Thread(target=work, name="vrdr-probe", daemon=True).start()
    return future


@dataclass(frozen=True)
class _Context:
    manifest: FarmManifest | None
    shared_drives: frozenset[str]
    options: SubmitOptions


def _context(manifest: FarmManifest | None, shared_drives: Iterable[str] | None,
             options: SubmitOptions | None, *, options_used: bool = True) -> _Context:
    """Explicit arguments, else the studio/user defaults, read only when one is left out."""
    if manifest is not None and shared_drives is not None and (
            options is not None or not options_used):
        return _Context(manifest, normalise_drives(shared_drives), options or SubmitOptions())
    defaults = load_effective().defaults
    if manifest is None and defaults.manifest:
        manifest = load_manifest(Path(defaults.manifest))
    drives = defaults.shared_drives if shared_drives is None else normalise_drives(shared_drives)
    opts = options or SubmitOptions(only_online=defaults.only_online, restore=defaults.restore)
    return _Context(manifest, drives, opts)


def check(host: MaxHost, settings: DRSettings, *,
          probe_results: Sequence[ProbeResult] | None = None,
          manifest: FarmManifest | None = None,
          shared_drives: Iterable[str] | None = None) -> CheckReport:
    """Run the DR preflight on the current scene.

    ``manifest`` and ``shared_drives`` default to the studio/user files.
    """
    ctx = _context(manifest, shared_drives, None, options_used=False)
    return run(CheckContext(facts=host.read_scene(), settings=settings,
                            probe_results=probe_results, manifest=ctx.manifest,
                            shared_drives=ctx.shared_drives))


def plan_submission(host: MaxHost, stored: StoredSettings, *,
                    probe_results: Sequence[ProbeResult] | None = None,
                    options: SubmitOptions | None = None, manifest: FarmManifest | None = None,
                    shared_drives: Iterable[str] | None = None) -> SubmitPlan:
    """What a submission of the current scene with ``stored`` settings would do (no changes).

    ``options``, ``manifest`` and ``shared_drives`` default to the studio/user files.
    """
    ctx = _context(manifest, shared_drives, options)
    return plan(stored.settings, host.read_scene(), probe_results, cfg_path=stored.cfg.path,
                loaded_from=stored.cfg.snapshot, options=ctx.options, manifest=ctx.manifest,
                shared_drives=ctx.shared_drives)


def submit(host: MaxHost, stored: StoredSettings, *,
           probe_results: Sequence[ProbeResult] | None = None,
           options: SubmitOptions | None = None, override_reason: str | None = None,
           manifest: FarmManifest | None = None,
           shared_drives: Iterable[str] | None = None) -> SubmissionReport:
    """Preflight, write the cfg and renderer settings, render, restore.

    Never probes: the call runs on 3ds Max's UI thread, where waiting on the network would
    freeze 3ds Max. Probe first on a worker thread (``probe_in_background``) and pass the
    results; without them the servers' reachability is not checked and ``only_online`` keeps
    every server. See ``submit.execute``; a blocked plan returns a ``blocked`` report unless
    overridden.

    Args:
        host: 3ds Max.
        stored: the settings to submit with (``load``).
        probe_results: ``probe_in_background(stored.settings).result()``, gathered off the
            UI thread.
        options: only-online, restore and scene-list choices; the studio/user defaults if None.
        override_reason: render despite preflight errors, recording why.
        manifest: the farm's plugin manifest; the studio/user default if None.
        shared_drives: drive letters every server has; the studio/user default if None.
    """
    submit_plan = plan_submission(host, stored, probe_results=probe_results, options=options,
                                  manifest=manifest, shared_drives=shared_drives)
    return execute(host, submit_plan, override_reason=override_reason)
