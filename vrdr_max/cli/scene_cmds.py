"""``vrdr check`` and ``vrdr submit`` on a scene description (``mock_pymxs`` JSON), for CI."""

from __future__ import annotations

import argparse
from pathlib import Path

from vrdr_max.cli import farm_cmds
from vrdr_max.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    add_cfg_args,
    add_json_flag,
    cfg_engine,
    cfg_given,
    cfg_path,
)
from vrdr_max.cli.json_output import emit_json
from vrdr_max.errors import InputError, one_line
from vrdr_max.ports import Engine

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from typing import Any

    from vrdr_max.host import MaxHost
    from vrdr_max.manifest import FarmManifest
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
    farm_cmds.add_submit_flags(submit)
    submit.set_defaults(func=cmd_submit)


FLAGS = {"shared_drives": "--shared-drive", "probe_timeout": "--timeout",
         "manifest": "--manifest", "only_online": "--only-online", "restore": "--restore",
         "pool": "--pool"}
"""The studio default each flag sets (``docs/studio-config.md``)."""


def _config(args: argparse.Namespace) -> Effective:
    """The studio/user files under the command line's flags, resolved once per command."""
    from pydantic import ValidationError  # noqa: PLC0415 - keep `vrdr --help` fast

    from vrdr_max.errors import validation_message  # noqa: PLC0415
    from vrdr_max.studio import Defaults, load_effective  # noqa: PLC0415

    given = {"shared_drives": args.shared_drives, "probe_timeout": args.timeout,
             "manifest": str(args.manifest) if args.manifest else None,
             "only_online": getattr(args, "only_online", None),
             "restore": getattr(args, "restore", None), "pool": getattr(args, "pool", None)}
    if all(value is None for value in given.values()):
        return load_effective(None)  # no flag given: nothing to validate
    try:
        flags = Defaults.model_validate(given)
    except ValidationError as exc:
        field = str(exc.errors()[0]["loc"][0])
        raise InputError(f"{FLAGS[field]}: {validation_message(exc).partition(': ')[2]}"
                         ) from None
    return load_effective(flags)


def _manifest(config: Effective) -> FarmManifest | None:
    path = config.defaults.manifest
    if not path:
        return None
    from vrdr_max.manifest import load_manifest  # noqa: PLC0415 - only when one is named

    return load_manifest(Path(path))


def _settings(host: MaxHost, args: argparse.Namespace, config: Effective, *, for_check: bool
              ) -> StoredSettings | None:
    """The named cfg (and sidecar) for the engine the scene renders with.

    ``check`` runs without a cfg when none is named, but a named one must exist; ``submit``
    needs one named and creates it if absent.
    """
    if for_check and not cfg_given(args):
        return None
    from vrdr_max.atomic import check_regular_file  # noqa: PLC0415 - only with a cfg
    from vrdr_max.settings_store import load_settings  # noqa: PLC0415

    engine = cfg_engine(args, default=host.read_renderer().engine or Engine.CPU)
    path = cfg_path(args, engine)
    # Checked without opening it: a FIFO or a dangling link is named for what it is.
    if for_check and check_regular_file(path) is None:
        raise InputError(f"no cfg file at {path}")
    return load_settings(path.parent, engine, cfg_path=path, host=host,
                         dispatcher_in_cfg=config.defaults.dispatcher_in_vray_cfg)


class _CollectorOff:
    """No garbage collection while the block runs; what it made is left out of later ones.

    A command is one process, and the scene lives until it ends; a 100,000-node scene is
    hundreds of thousands of objects, and the collector's passes walk them all again (the
    first one as soon as loading ends; ``benchmarks/scene_check.py --phases``). Only cyclic
    garbage waits for a collection, and loading and reading a scene make none. On a normal
    exit the objects made so far are frozen (never collected; a caller that runs commands in
    its own process can ``gc.unfreeze()`` afterwards); either way the collector runs as before.
    """

    def __enter__(self) -> None:
        import gc  # noqa: PLC0415

        self._enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, exc_type: object, *_exc: object) -> None:
        import gc  # noqa: PLC0415

        if exc_type is None:  # a load that failed leaves nothing worth keeping
            gc.freeze()
        if self._enabled:
            gc.enable()


def cmd_check(args: argparse.Namespace) -> int:
    """Run the preflight; exit 1 when a finding is an error."""
    # The imports (pydantic and the models it defines and builds) and the config too: they make
    # about 45,000 objects that live as long as the process, which the collector walked in
    # about 70 passes (10 ms of a check on a 100,000-node scene, issue 18, item 7).
    with _CollectorOff():
        from vrdr_max.checks import SCENE, CheckContext, checks_in, run  # noqa: PLC0415
        from vrdr_max.checks.farm_checks import probe_targets  # noqa: PLC0415
        from vrdr_max.cli.progress import probe_with_progress  # noqa: PLC0415 - only with --probe
        from vrdr_max.mock_session import mock_scene_host  # noqa: PLC0415
        from vrdr_max.models import DRSettings  # noqa: PLC0415
        from vrdr_max.reporting import check_report_json, check_report_lines  # noqa: PLC0415

        config = _config(args)
        manifest = _manifest(config)
        licence = config.farm.licence_servers  # probed with the servers (farm-health checks)
        with mock_scene_host(args.scene) as (host, _mock):
            stored = _settings(host, args, config, for_check=True)
            facts = host.read_scene()
    results = (probe_with_progress(probe_targets(stored.settings, licence),
                                   timeout=config.defaults.probe_timeout)
               if stored and args.probe else None)
    # No cfg: the defaults, as DRSettings() has them (defaults are not validated), without
    # building the validators of the settings and their servers for nothing.
    settings = stored.settings if stored else DRSettings.model_construct()
    ctx = CheckContext(facts=facts, settings=settings, probe_results=results, manifest=manifest,
                       shared_drives=config.defaults.shared_drives,
                       cfg_path=stored.cfg.path if stored else None)
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
    """Plan and execute a submission on a scene description (with farm servers if asked)."""
    if args.farm_servers is not None:
        # The reservation wraps the submission: it reserves, runs _submit, releases.
        from vrdr_max.cli.farm_verbs import submit_on_farm  # noqa: PLC0415

        return submit_on_farm(args, _submit)
    code, document, lines = _submit(args)
    if args.json:
        emit_json(document)
    else:
        print("\n".join(lines))
    return code


def _submit(args: argparse.Namespace) -> tuple[int, dict[str, Any], list[str]]:
    """The submission: its exit code, its JSON document and its text lines."""
    from contextlib import ExitStack  # noqa: PLC0415

    from vrdr_max import reporting  # noqa: PLC0415
    from vrdr_max.api import apply_pool  # noqa: PLC0415
    from vrdr_max.checks.farm_checks import probe_targets  # noqa: PLC0415
    from vrdr_max.cli.progress import probe_with_progress  # noqa: PLC0415 - only with --probe
    from vrdr_max.fixes import apply_fixes  # noqa: PLC0415
    from vrdr_max.mock_session import mock_scene_host  # noqa: PLC0415
    from vrdr_max.submit import (  # noqa: PLC0415
        SubmitOptions,
        execute,
        plan,
    )

    config = _config(args)
    manifest = _manifest(config)
    licence = config.farm.licence_servers  # probed with the servers (farm-health checks)
    defaults = config.defaults
    drives = defaults.shared_drives
    folder = cfg_path(args, cfg_engine(args)).parent
    with ExitStack() as stack:
        # Only the load with the collector off: a submission runs callbacks for every frame.
        with _CollectorOff():
            host, _mock = stack.enter_context(mock_scene_host(args.scene, plugcfg_dir=folder))
        stored = _settings(host, args, config, for_check=False)
        assert stored is not None  # for_check=False always loads one
        if defaults.pool and args.farm_servers is None:  # farm servers are the list then
            apply_pool(stored.settings, defaults.pool, config=config)
        results = (probe_with_progress(probe_targets(stored.settings, licence),
                                       timeout=defaults.probe_timeout)
                   if args.probe is not False else None)
        options = SubmitOptions(only_online=defaults.only_online, restore=defaults.restore,
                                keep_scene_list=args.keep_scene_list)
        submit_plan = plan(stored.settings, host.read_scene(), results,
                           cfg_path=stored.cfg.path, loaded_from=stored.cfg.snapshot,
                           options=options, manifest=manifest, shared_drives=drives)
        fixed: list[str] = []
        if args.fix and submit_plan.preflight.fixes:
            fixed = apply_fixes(submit_plan.preflight.fixes, host, stored.settings)
            submit_plan = plan(stored.settings, host.read_scene(), results,
                               cfg_path=stored.cfg.path, loaded_from=stored.cfg.snapshot,
                               options=options, manifest=manifest, shared_drives=drives)
        report = execute(host, submit_plan, override_reason=args.override)
    # Never the cfg's bytes (cfg_loaded): they are the user's file, in any encoding.
    document = {"plan": submit_plan.model_dump(mode="json", exclude={"preflight", "cfg_loaded"}),
                "preflight": reporting.check_report_json(submit_plan.preflight),
                "fixes_applied": fixed, "report": report.model_dump(mode="json")}
    lines = [*reporting.check_report_lines(submit_plan.preflight),
             *(f"fixed: {one_line(line)}" for line in fixed), *reporting.plan_lines(submit_plan),
             *reporting.submission_lines(report)]
    return (EXIT_OK if report.status.ran else EXIT_FINDINGS), document, lines
