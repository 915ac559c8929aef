"""vrdr for pipeline TDs: load settings, edit servers, apply a pool, check, probe, submit.

Inside 3ds Max::

    from vrdr_max import api
    from vrdr_max.max_host import PymxsHost

    host = PymxsHost()
    stored = api.load(host=host)                      # vray_dr.cfg from getDir #plugcfg
    api.apply_pool(stored.settings, "night-farm")     # from VRDR_STUDIO_CONFIG / user file
    report = api.submit(host, stored.settings)        # preflight, write, render, restore
    print(report.status, report.backup_path)

Outside 3ds Max the same functions work on a cfg folder (``api.load(Path(...))``); anything
that needs the scene takes a ``MaxHost``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from vrdr_max.assetpaths import normalise_drives
from vrdr_max.checks import CheckContext, CheckReport, run
from vrdr_max.errors import InputError
from vrdr_max.host import MaxHost
from vrdr_max.manifest import FarmManifest
from vrdr_max.models import DRSettings, RenderServer
from vrdr_max.ports import Engine
from vrdr_max.probe import ProbeResult, probe, targets_from_settings
from vrdr_max.settings_store import StoredSettings, load_settings
from vrdr_max.spawner import NumaOptions, server_entries
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
        engine = (host.read_scene().renderer.engine if host else None) or Engine.CPU
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
    for server in pool.entries():
        settings.add_server(server.host, server.port, enabled=server.enabled)
    settings.mode = pool.mode
    if pool.dispatcher is not None:
        settings.dispatcher = pool.dispatcher
    return settings


def numa_servers(host: str, *, numa: int | None = None, nodes: Sequence[int] | None = None,
                 ports: Sequence[int] | None = None,
                 machine_nodes: int | None = None) -> list[RenderServer]:
    """The cfg entries for a NUMA machine whose spawner runs with these options."""
    return server_entries(host, NumaOptions(numa=numa, nodes=list(nodes) if nodes else None,
                                            ports=list(ports) if ports else None,
                                            machine_nodes=machine_nodes))


def probe_servers(settings: DRSettings, *, timeout: float = 1.0) -> list[ProbeResult]:
    """TCP-connect to every enabled server (and the DR2 dispatcher). Not on 3ds Max's UI thread."""
    return probe(targets_from_settings(settings), timeout=timeout)


def check(host: MaxHost, settings: DRSettings, *,
          probe_results: Sequence[ProbeResult] | None = None,
          manifest: FarmManifest | None = None, shared_drives: Iterable[str] = ()) -> CheckReport:
    """Run the DR preflight on the current scene."""
    facts = host.read_scene(manifest.class_names if manifest else ())
    return run(CheckContext(facts=facts, settings=settings, probe_results=probe_results,
                            manifest=manifest, shared_drives=normalise_drives(shared_drives)))


def plan_submission(host: MaxHost, settings: DRSettings, *,
                    probe_results: Sequence[ProbeResult] | None = None,
                    options: SubmitOptions | None = None, manifest: FarmManifest | None = None,
                    shared_drives: Iterable[str] = ()) -> SubmitPlan:
    """What a submission of the current scene would do (nothing is changed)."""
    facts = host.read_scene(manifest.class_names if manifest else ())
    return plan(settings, facts, probe_results, cfg_dir=host.plugcfg_dir(), options=options,
                manifest=manifest, shared_drives=normalise_drives(shared_drives))


def submit(host: MaxHost, settings: DRSettings, *, probe_first: bool = True,
           options: SubmitOptions | None = None, override_reason: str | None = None,
           manifest: FarmManifest | None = None,
           shared_drives: Iterable[str] = ()) -> SubmissionReport:
    """Preflight, write the cfg and renderer settings, render, restore; see ``submit.execute``."""
    results = probe_servers(settings) if probe_first else None
    submit_plan = plan_submission(host, settings, probe_results=results, options=options,
                                  manifest=manifest, shared_drives=shared_drives)
    return execute(host, submit_plan, override_reason=override_reason)
