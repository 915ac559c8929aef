"""``vrdr check`` and ``vrdr submit`` on a scene description (``mock_pymxs`` JSON), for CI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from vrdr_max.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    add_cfg_args,
    add_json_flag,
    emit_json,
    is_terminal,
)
from vrdr_max.errors import InputError
from vrdr_max.ports import Engine

if TYPE_CHECKING:
    from vrdr_max.host import MaxHost
    from vrdr_max.manifest import FarmManifest
    from vrdr_max.probe import ProbeResult
    from vrdr_max.settings_store import StoredSettings
    from vrdr_max.studio import Effective


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scene", required=True, metavar="FILE.json",
                   help="a scene description (mock_pymxs JSON; see mock_pymxs/scenes/README.md)")
    add_cfg_args(p)
    p.add_argument("--manifest", type=Path, metavar="PATH",
                   help="the render servers' plugin manifest (docs/checks.md)")
    p.add_argument("--shared-drive", action="append", metavar="LETTER", dest="shared_drives",
                   help="a drive letter every render server has mapped (repeatable), e.g. P:")
    p.add_argument("--probe", action=argparse.BooleanOptionalAction, default=None,
                   help="TCP-probe the servers first (default: off for check, on for submit)")
    p.add_argument("--timeout", type=float, metavar="S", help="probe timeout per server")
    add_json_flag(p)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``check`` and ``submit``."""
    check = sub.add_parser("check", help="the DR preflight on a scene; exit 1 on errors")
    _common(check)
    check.set_defaults(func=cmd_check)
    submit = sub.add_parser("submit", help="preflight, write the cfg, render, restore")
    _common(submit)
    submit.add_argument("--pool", help="render with this pool's servers")
    submit.add_argument("--only-online", action=argparse.BooleanOptionalAction, default=None,
                        help="list only the servers that answered the probe")
    submit.add_argument("--restore", action=argparse.BooleanOptionalAction, default=None,
                        help="put the previous cfg and renderer settings back afterwards")
    submit.add_argument("--keep-scene-list", action="store_true",
                        help="leave 'Save servers in the scene' as it is")
    submit.add_argument("--fix", action="store_true", help="apply the safe fixes first")
    submit.add_argument("--override", metavar="REASON",
                        help="render despite preflight errors; the reason goes in the report")
    submit.set_defaults(func=cmd_submit)


def _config(args: argparse.Namespace) -> Effective:
    from vrdr_max.studio import load_effective  # noqa: PLC0415 - keep `vrdr --help` fast

    return load_effective({"shared_drives": args.shared_drives, "probe_timeout": args.timeout,
                           "manifest": str(args.manifest) if args.manifest else None,
                           "only_online": getattr(args, "only_online", None),
                           "restore": getattr(args, "restore", None),
                           "pool": getattr(args, "pool", None)})


def _manifest(config: Effective) -> FarmManifest | None:
    from vrdr_max.manifest import load_manifest  # noqa: PLC0415

    path = config.defaults["manifest"]
    return load_manifest(Path(path)) if path else None


def _cfg_path(args: argparse.Namespace, engine: Engine, required: bool) -> Path | None:
    from vrdr_max.plugcfg import find_cfg  # noqa: PLC0415

    try:
        return find_cfg(engine, cfg=args.cfg, max_version=args.max_version)
    except InputError:
        if required:
            raise
        return None


def _settings(host: MaxHost, args: argparse.Namespace, required: bool
              ) -> StoredSettings | None:
    from vrdr_max.settings_store import load_settings  # noqa: PLC0415

    scene_engine = host.read_scene().renderer.engine
    engine = Engine.GPU if args.gpu else (scene_engine or Engine.CPU)
    path = _cfg_path(args, engine, required)
    return None if path is None else load_settings(path.parent, engine, cfg_path=path, host=host)


def _probe(stored: StoredSettings, timeout: float, quiet: bool) -> list[ProbeResult]:
    from vrdr_max.probe import probe, targets_from_settings  # noqa: PLC0415

    targets = targets_from_settings(stored.settings)
    live = not quiet and is_terminal(sys.stderr)

    def progress(done: int, total: int, result: ProbeResult) -> None:
        if live:
            print(f"\rprobing {done}/{total} {result.endpoint:<40}", end="", file=sys.stderr)

    results = probe(targets, timeout=timeout, progress=progress)
    if live:
        print("\r" + " " * 60 + "\r", end="", file=sys.stderr)
    return results


def cmd_check(args: argparse.Namespace) -> int:
    """Run the preflight; exit 1 when a finding is an error."""
    from vrdr_max.assetpaths import normalise_drives  # noqa: PLC0415
    from vrdr_max.checks import SCENE, CheckContext, checks_in, run  # noqa: PLC0415
    from vrdr_max.cli.report_text import check_report_json, check_report_lines  # noqa: PLC0415
    from vrdr_max.mock_session import mock_scene_host  # noqa: PLC0415
    from vrdr_max.models import DRSettings  # noqa: PLC0415

    config = _config(args)
    manifest = _manifest(config)
    with mock_scene_host(args.scene) as (host, _mock):
        stored = _settings(host, args, required=False)
        facts = host.read_scene(manifest.class_names if manifest else ())
    results = (_probe(stored, config.defaults["probe_timeout"], args.json)
               if stored and args.probe else None)
    settings = stored.settings if stored else DRSettings()
    ctx = CheckContext(facts=facts, settings=settings, probe_results=results, manifest=manifest,
                       shared_drives=normalise_drives(config.defaults["shared_drives"]))
    report = run(ctx, None if stored else checks_in(SCENE))
    if args.json:
        emit_json({"scene": str(args.scene), "cfg": str(stored.cfg.path) if stored else None,
                   **check_report_json(report)})
    else:
        if stored is None:
            print("(no cfg given: server-list checks skipped; use --cfg or VRDR_PLUGCFG)")
        print("\n".join(check_report_lines(report)))
    return EXIT_FINDINGS if report.has_errors else EXIT_OK


def cmd_submit(args: argparse.Namespace) -> int:
    """Plan and execute a submission on a scene description."""
    from vrdr_max.api import apply_pool  # noqa: PLC0415
    from vrdr_max.assetpaths import normalise_drives  # noqa: PLC0415
    from vrdr_max.cli import report_text  # noqa: PLC0415
    from vrdr_max.fixes import apply_fixes  # noqa: PLC0415
    from vrdr_max.mock_session import mock_scene_host  # noqa: PLC0415
    from vrdr_max.submit import SubmitOptions, execute, plan  # noqa: PLC0415

    config = _config(args)
    manifest = _manifest(config)
    defaults = config.defaults
    drives = normalise_drives(defaults["shared_drives"])
    engine = Engine.GPU if args.gpu else None
    path = _cfg_path(args, engine or Engine.CPU, required=True)
    assert path is not None  # required=True raises instead
    with mock_scene_host(args.scene, plugcfg_dir=path.parent) as (host, _mock):
        stored = _settings(host, args, required=True)
        assert stored is not None
        if defaults["pool"]:
            apply_pool(stored.settings, defaults["pool"], config=config)
        results = (_probe(stored, defaults["probe_timeout"], args.json)
                   if args.probe is not False else None)
        options = SubmitOptions(only_online=defaults["only_online"], restore=defaults["restore"],
                                keep_scene_list=args.keep_scene_list)
        classes = manifest.class_names if manifest else ()
        submit_plan = plan(stored.settings, host.read_scene(classes), results,
                           cfg_dir=path.parent, options=options, manifest=manifest,
                           shared_drives=drives)
        fixed: list[str] = []
        if args.fix and submit_plan.preflight.fixes:
            fixed = apply_fixes(submit_plan.preflight.fixes, host, stored.settings)
            submit_plan = plan(stored.settings, host.read_scene(classes), results,
                               cfg_dir=path.parent, options=options, manifest=manifest,
                               shared_drives=drives)
        report = execute(host, submit_plan, override_reason=args.override)
    if args.json:
        emit_json({"plan": submit_plan.model_dump(mode="json", exclude={"preflight"}),
                   "preflight": report_text.check_report_json(submit_plan.preflight),
                   "fixes_applied": fixed, "report": report.model_dump(mode="json")})
    else:
        print("\n".join(report_text.check_report_lines(submit_plan.preflight)))
        print("\n".join(f"fixed: {line}" for line in fixed))
        print("\n".join(report_text.plan_lines(submit_plan)))
        print("\n".join(report_text.submission_lines(report)))
    return EXIT_OK if report.status.value in ("rendered", "cancelled") else EXIT_FINDINGS
