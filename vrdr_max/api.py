"""vrdr for pipeline TDs: load settings, edit servers, apply a pool, check, probe, submit.

Inside 3ds Max::

    from vrdr_max import api
    from vrdr_max.max_host import PymxsHost

    host = PymxsHost()
    stored = api.load(host=host)                      # vray_dr.cfg from getDir #plugcfg
    api.apply_pool(stored.settings, "night-farm")     # from VRDR_STUDIO_CONFIG / user file
    report = api.submit(host, stored)                 # probe, preflight, write, render, restore
    print(report.status, report.backup_path)

Outside 3ds Max the same functions work on a cfg folder (``api.load(Path(...))``); anything
that needs the scene takes a ``MaxHost``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vrdr_max.assetpaths import normalise_drives
from vrdr_max.checks import CheckContext, CheckReport, run
from vrdr_max.errors import InputError
from vrdr_max.host import MaxHost
from vrdr_max.manifest import FarmManifest, load_manifest
from vrdr_max.models import DRSettings
from vrdr_max.ports import Engine
from vrdr_max.probe import ProbeResult, probe, targets_from_settings
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
        raise InputError(f"pool {name!r} is for V-Ray {pool.engine.value.upper()}, the settings "
                         f"for {settings.engine.value.upper()}")
    if not merge:
        settings.servers = []
    settings.add_servers(pool.entries())
    settings.mode = pool.mode
    if pool.dispatcher is not None:
        settings.dispatcher = pool.dispatcher
    return settings


def probe_servers(settings: DRSettings, *, timeout: float | None = None) -> list[ProbeResult]:
    """TCP-connect to every enabled server (and the DR2 dispatcher). Not on 3ds Max's UI thread.

    ``timeout`` defaults to ``probe_timeout`` of the studio/user files (1 s built in).
    """
    seconds = load_effective().defaults["probe_timeout"] if timeout is None else timeout
    return probe(targets_from_settings(settings), timeout=seconds)


@dataclass(frozen=True)
class _Context:
    manifest: FarmManifest | None
    shared_drives: frozenset[str]
    options: SubmitOptions


def _context(manifest: FarmManifest | None, shared_drives: Iterable[str] | None,
             options: SubmitOptions | None) -> _Context:
    """Explicit arguments, else the studio/user defaults (docs/studio-config.md)."""
    defaults = load_effective().defaults
    if manifest is None and defaults["manifest"]:
        manifest = load_manifest(Path(defaults["manifest"]))
    drives = defaults["shared_drives"] if shared_drives is None else shared_drives
    opts = options or SubmitOptions(only_online=defaults["only_online"],
                                    restore=defaults["restore"])
    return _Context(manifest, normalise_drives(drives), opts)


def check(host: MaxHost, settings: DRSettings, *,
          probe_results: Sequence[ProbeResult] | None = None,
          manifest: FarmManifest | None = None,
          shared_drives: Iterable[str] | None = None) -> CheckReport:
    """Run the DR preflight on the current scene.

    ``manifest`` and ``shared_drives`` default to the studio/user files.
    """
    ctx = _context(manifest, shared_drives, None)
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


def submit(host: MaxHost, stored: StoredSettings, *, probe_first: bool = True,
           options: SubmitOptions | None = None, override_reason: str | None = None,
           manifest: FarmManifest | None = None,
           shared_drives: Iterable[str] | None = None) -> SubmissionReport:
    """Probe, preflight, write the cfg and renderer settings, render, restore.

    See ``submit.execute``; a blocked plan returns a ``blocked`` report unless overridden.
    """
    results = probe_servers(stored.settings) if probe_first else None
    submit_plan = plan_submission(host, stored, probe_results=results, options=options,
                                  manifest=manifest, shared_drives=shared_drives)
    return execute(host, submit_plan, override_reason=override_reason)
