"""The ``vrdr farm`` verbs and ``vrdr submit --farm-servers N`` (loaded when they run).

``farm_cmds`` registers the group; this module adds its verbs the first time ``vrdr farm`` is
parsed and holds the handlers. :func:`submit_on_farm` wraps the submission of ``scene_cmds``
in a reservation.
"""

from __future__ import annotations

import argparse
import os
import sys

from vrdr_max.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    add_cfg_args,
    add_json_flag,
    cfg_engine,
    cfg_given,
    cfg_path,
)
from vrdr_max.cli.farm_cmds import URL_ENV, service_args
from vrdr_max.cli.json_output import emit_json
from vrdr_max.cli.progress import LiveLine
from vrdr_max.errors import InputError, one_line, quote

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any

    from vrdr_max.farm.deadline import DeadlineClient
    from vrdr_max.farm.errors import FarmError
    from vrdr_max.farm.reservation import Progress, ReleaseReport, ReserveReport
    from vrdr_max.ports import Engine
    from vrdr_max.studio import Effective

FLAGS = {"deadline_url": "--deadline", "pool": "--pool", "group": "--group",
         "priority": "--priority", "wait": "--wait"}
"""The farm setting each flag sets (``docs/studio-config.md``)."""


def add_verbs(farm: argparse.ArgumentParser) -> None:
    """Add the ``farm`` verbs to the group's parser."""
    # The verbs' parsers are plain ones (they would otherwise inherit the lazy class).
    verbs = farm.add_subparsers(dest="verb", metavar="VERB", required=True,
                                parser_class=getattr(farm, "verb_parser_class", type(farm)))

    workers = verbs.add_parser("workers", help="the farm's workers: address, state, pools")
    service_args(workers)
    workers.add_argument("--pool", help="only workers in this pool")
    # dest: "group" is the name of the top-level command (cli.main's sub-parsers).
    workers.add_argument("--group", dest="farm_group", metavar="GROUP",
                         help="only workers in this group")
    add_json_flag(workers)
    workers.set_defaults(func=cmd_workers)

    reserve = verbs.add_parser(
        "reserve", help="reserve N machines, write those that answer into the cfg",
        description="Submit a VraySpawner job for N machines, wait until they answer (or "
                    "--wait runs out), write the ones that answer into the cfg. Exit 0 when at "
                    "least one answered, 1 when none did (the job is released then), 2 for "
                    "bad input or a refused login.")
    service_args(reserve)
    reserve.add_argument("--servers", type=int, required=True, metavar="N",
                         help="how many machines to reserve")
    reserve.add_argument("--pool", help="the Deadline pool (default: farm.pool)")
    reserve.add_argument("--group", dest="farm_group", metavar="GROUP",
                         help="the Deadline group (default: farm.group)")
    reserve.add_argument("--priority", type=int, metavar="N",
                         help="the job's priority, 0-100 (default: farm.priority, 50)")
    reserve.add_argument("--wait", type=float, metavar="S",
                         help="seconds to wait for machines to answer (default: farm.wait, 60)")
    reserve.add_argument("--timeout", type=float, metavar="S",
                         help="probe timeout per machine (default: probe_timeout, 1)")
    add_cfg_args(reserve)
    add_json_flag(reserve)
    reserve.set_defaults(func=cmd_reserve)

    release = verbs.add_parser("release", help="complete the job, restore the cfg")
    release.add_argument("job_id", nargs="?", metavar="JOB_ID",
                         help="the spawner job (default: every reservation on record for the "
                              "cfg, or all of them)")
    service_args(release)
    add_cfg_args(release)
    add_json_flag(release)
    release.set_defaults(func=cmd_release)

    status = verbs.add_parser("status", help="reservations on record (left open or by a crash)")
    add_json_flag(status)
    status.set_defaults(func=cmd_status)

    fieldcheck = verbs.add_parser(
        "fieldcheck", help="read the fields vrdr relies on; submit nothing",
        description="Read one worker, the pools and groups, and one job's tasks, and report "
                    "which of the fields vrdr relies on are present (docs/field-check.md). "
                    "Submits nothing. Exit 1 when one is missing or different.")
    service_args(fieldcheck)
    fieldcheck.add_argument("--job", metavar="JOB_ID",
                            help="read this job's tasks (default: the newest job)")
    add_json_flag(fieldcheck)
    fieldcheck.set_defaults(func=cmd_fieldcheck)


# -- shared ------------------------------------------------------------------------------------

def _config(args: argparse.Namespace) -> Effective:
    """Studio and user files under the flags (``--deadline`` > ``VRDR_DEADLINE_URL`` > files)."""
    from pydantic import ValidationError  # noqa: PLC0415 - keep `vrdr --help` fast

    from vrdr_max.errors import validation_message  # noqa: PLC0415
    from vrdr_max.studio import FarmLayer, load_effective  # noqa: PLC0415

    given = {"deadline_url": getattr(args, "deadline", None) or os.environ.get(URL_ENV) or None,
             "pool": getattr(args, "pool", None), "group": getattr(args, "farm_group", None),
             "priority": getattr(args, "priority", None), "wait": getattr(args, "wait", None)}
    try:
        layer = FarmLayer.model_validate(given)
    except ValidationError as exc:
        field = str(exc.errors()[0]["loc"][0])
        flag = FLAGS[field] if field != "deadline_url" or getattr(args, "deadline", None) \
            else URL_ENV
        raise InputError(f"{flag}: {validation_message(exc).partition(': ')[2]}") from None
    return load_effective(farm_cli=layer)


def _client(args: argparse.Namespace, config: Effective, url: str | None = None
            ) -> DeadlineClient:
    from vrdr_max.farm.credentials import credentials_for  # noqa: PLC0415
    from vrdr_max.farm.deadline import DeadlineClient  # noqa: PLC0415
    from vrdr_max.farm.http import WebService  # noqa: PLC0415
    from vrdr_max.farm.urls import parse_service_url  # noqa: PLC0415

    text = url or config.farm.deadline_url
    if not text:
        raise InputError(f"no Deadline Web Service: give --deadline URL, set {URL_ENV}, or "
                         "farm.deadline_url in the config (docs/farm.md)")
    return DeadlineClient(WebService(parse_service_url(text), credentials_for(args.user),
                                     timeout=config.farm.http_timeout,
                                     ca_file=config.farm.ca_file))


def _farm_failed(exc: FarmError) -> int:
    """One line for a farm failure; exit 2 for a refused login, else 1."""
    from vrdr_max.farm.errors import FarmAuthError  # noqa: PLC0415

    auth = isinstance(exc, FarmAuthError)
    print(f"vrdr: {'error' if auth else 'farm'}: {one_line(str(exc))}", file=sys.stderr)
    return EXIT_USAGE if auth else EXIT_FINDINGS


def _store() -> Any:
    from vrdr_max.farm.records import RecordStore  # noqa: PLC0415

    return RecordStore.default()


# -- workers -----------------------------------------------------------------------------------

def cmd_workers(args: argparse.Namespace) -> int:
    """List the workers."""
    from vrdr_max.farm.errors import FarmError  # noqa: PLC0415

    config = _config(args)
    client = _client(args, config)
    try:
        workers = client.workers()
    except FarmError as exc:
        return _farm_failed(exc)
    shown = [w for w in workers if (args.pool is None or args.pool in w.pools)
             and (args.farm_group is None or args.farm_group in w.groups)]
    if args.json:
        emit_json({"url": client.service.url.text, "workers": [w.to_dict() for w in shown]})
        return EXIT_OK
    if not shown:
        print("no workers" + (" in that pool/group" if args.pool or args.farm_group else ""))
    for w in shown:
        # Names come from the farm: one worker is one line, whatever characters they hold.
        print(one_line(f"{w.name:<24} {w.address or '-':<16} {w.state:<12} "
                       f"pools: {','.join(w.pools) or '-'}  groups: {','.join(w.groups) or '-'}"))
    return EXIT_OK


# -- reserve -----------------------------------------------------------------------------------

def _reserve_port(config: Effective, engine: Engine) -> int:
    from vrdr_max.ports import Mode, default_port  # noqa: PLC0415

    return config.farm.spawner_port or default_port(engine, Mode.DR)


def _max_year(args: argparse.Namespace, config: Effective, scene_year: int | None = None) -> int:
    from vrdr_max.plugcfg import MAX_YEARS  # noqa: PLC0415

    # The scene's own 3ds Max is what the spawners must run; the config is the fallback.
    year = args.max_version or scene_year or config.farm.max_version
    if year is None:
        raise InputError("which 3ds Max do the farm's spawners run? give --max-version YEAR "
                         "or farm.max_version in the config")
    if year not in MAX_YEARS:
        raise InputError(f"--max-version {year} is not a 3ds Max year such as 2026")
    return int(year)


def _live_progress(line: LiveLine) -> Callable[[Progress], None]:
    def show(p: Progress) -> None:
        line.show(f"farm: {p.answered}/{p.asked} answered, {p.took} took the job, "
                  f"{p.seconds_left:.0f} s left", force=True)

    return show


def _reserve(args: argparse.Namespace, config: Effective, client: DeadlineClient, *,
             engine: Engine, path: Path, servers: int, year: int,
             session: bool = False) -> ReserveReport:
    from vrdr_max.farm.reservation import (  # noqa: PLC0415
        ReserveOptions,
        SubmissionInterrupted,
        reserve,
    )

    timeout = getattr(args, "timeout", None)
    options = ReserveOptions(servers=servers, engine=engine, max_year=year,
                             port=_reserve_port(config, engine), pool=config.farm.pool,
                             group=config.farm.group, priority=config.farm.priority,
                             wait=config.farm.wait, poll_interval=config.farm.poll_interval,
                             probe_timeout=config.defaults.probe_timeout if timeout is None
                             else timeout)
    line = LiveLine(sys.stderr)
    try:
        return reserve(client, options, path, store=_store(), session=session,
                       progress=_live_progress(line) if line.enabled else None)
    except KeyboardInterrupt as exc:
        line.clear()
        if isinstance(exc, SubmissionInterrupted):
            print(f"vrdr: farm: interrupted during the submission; the job may exist all the "
                  f"same: look for {quote(exc.job_name)} in Deadline Monitor and complete it",
                  file=sys.stderr)
        else:
            print("vrdr: farm: interrupted while waiting for machines; the reservation is "
                  "undone (see vrdr farm status)", file=sys.stderr)
        raise
    finally:
        line.clear()


def _reserve_lines(report: ReserveReport) -> list[str]:
    lines = [f"job {report.job_id}: {len(report.servers)} of {report.asked} machine(s) "
             f"answered in {report.waited_s:.1f} s"]
    if report.written:
        lines.append(f"written to {report.cfg_path}:")
        lines += [f"  {m.address} 1 {report.port}   {m.name or ''}".rstrip()
                  for m in report.servers]
    lines += [f"took the job and did not answer: {m.label}"
              + (f" [{m.state}]" if m.state else "") + f": {m.message}" for m in report.silent]
    lines += [f"left out (this workstation): {m.label}" for m in report.excluded]
    lines += report.messages
    if report.written:
        lines.append(f"release with: vrdr farm release {report.job_id} --cfg {report.cfg_path}")
    return [one_line(line) for line in lines]  # names and messages the farm gave, one line each


def cmd_reserve(args: argparse.Namespace) -> int:
    """Reserve machines and write the ones that answer into the cfg."""
    from vrdr_max.farm.errors import FarmError  # noqa: PLC0415

    if args.servers < 1:
        raise InputError(f"--servers {args.servers}: reserve at least 1 machine")
    config = _config(args)
    engine = cfg_engine(args)
    path = cfg_path(args, engine)
    year = _max_year(args, config)
    client = _client(args, config)
    try:
        report = _reserve(args, config, client, engine=engine, path=path,
                          servers=args.servers, year=year)
    except FarmError as exc:
        return _farm_failed(exc)
    if args.json:
        emit_json({"url": client.service.url.text, **report.to_dict()})
    else:
        print("\n".join(_reserve_lines(report)))
    return EXIT_OK if report.ok else EXIT_FINDINGS


# -- release -----------------------------------------------------------------------------------

def _release_lines(report: ReleaseReport) -> list[str]:
    done = [what for what, ok in (("job completed", report.job_completed),
                                  ("cfg restored", report.cfg_restored)) if ok]
    head = f"job {report.job_id}: " + (", ".join(done) or "nothing released")
    if not report.record_removed:
        head += " (still on record: vrdr farm status)"
    return [head, *(f"  {m}" for m in report.messages)]


def cmd_release(args: argparse.Namespace) -> int:
    """Complete the job(s) and restore the cfg."""
    from vrdr_max.farm.reservation import open_records, release, release_job  # noqa: PLC0415

    config = _config(args)
    store = _store()
    path = cfg_path(args, cfg_engine(args)) if cfg_given(args) else None
    records = list(open_records(store, cfg_path=None if args.job_id else path,
                                job_id=args.job_id))
    reports: list[ReleaseReport] = []
    if args.job_id and not records:
        reports.append(release_job(_client(args, config), args.job_id))
    for record in records:
        client = _client(args, config, url=args.deadline or record.url)
        reports.append(release(client, record, store))
    if args.json:
        emit_json({"released": [r.to_dict() for r in reports]})
    elif not reports:
        print("nothing on record to release" + (f" for {path}" if path else ""))
    else:
        print("\n".join(line for r in reports for line in _release_lines(r)))
    return EXIT_OK if all(r.ok for r in reports) else EXIT_FINDINGS


# -- status ------------------------------------------------------------------------------------

def cmd_status(args: argparse.Namespace) -> int:
    """List the reservations on record."""
    store = _store()
    records, broken = store.all()
    if args.json:
        emit_json({"folder": str(store.folder), "reservations": [r.to_dict() for r in records],
                   "unreadable": broken})
        return EXIT_OK
    if not records and not broken:
        print("no reservations on record")
    for r in records:
        what = [w for w, on in (("job open", r.job_open), ("cfg holds its servers",
                                                          r.cfg_pending)) if on]
        stale = (" [left behind by a process that is gone: release it]" if r.stale() else
                 "" if r.session or not r.finished else " [made by vrdr farm reserve]")
        print(f"job {r.job_id} on {r.url}: {len(r.servers)} of {r.asked} server(s) in "
              f"{r.cfg_path}; {', '.join(what) or 'nothing open'}{stale}")
        print(f"  release with: vrdr farm release {r.job_id}")
        print("".join(f"  note: {n}\n" for n in r.notes), end="")
    for line in broken:
        print(line)
    return EXIT_OK


# -- fieldcheck --------------------------------------------------------------------------------

def cmd_fieldcheck(args: argparse.Namespace) -> int:
    """Read the fields vrdr relies on and report which are there."""
    from vrdr_max.farm.errors import FarmError  # noqa: PLC0415
    from vrdr_max.farm.fields import check_fields  # noqa: PLC0415

    config = _config(args)
    client = _client(args, config)
    try:
        report = check_fields(client, job_id=args.job)
    except FarmError as exc:
        return _farm_failed(exc)
    if args.json:
        emit_json({"url": client.service.url.text, **report.to_dict()})
    else:
        print("\n".join(report.lines()))
    return EXIT_OK if report.ok else EXIT_FINDINGS


# -- vrdr submit --farm-servers ----------------------------------------------------------------

def submit_on_farm(args: argparse.Namespace,
                   run: Callable[[argparse.Namespace], tuple[int, dict[str, Any], list[str]]]
                   ) -> int:
    """Reserve, render, release as one transaction (``vrdr submit --farm-servers N``).

    The reservation writes the machines that answer into the cfg; ``run`` is the ordinary
    submission (which reads that cfg, renders and puts its own changes back); the release
    completes the job and restores the cfg's previous bytes on every way out, Ctrl+C included.
    """
    from vrdr_max.farm.errors import FarmError  # noqa: PLC0415
    from vrdr_max.farm.reservation import release  # noqa: PLC0415
    from vrdr_max.mock_session import mock_scene_host  # noqa: PLC0415
    from vrdr_max.ports import Engine  # noqa: PLC0415

    if args.farm_servers < 1:
        raise InputError(f"--farm-servers {args.farm_servers}: reserve at least 1 machine")
    config = _config(args)
    with mock_scene_host(args.scene) as (host, _mock):
        engine = cfg_engine(args, default=host.read_renderer().engine or Engine.CPU)
        scene_year = host.max_version()
    path = cfg_path(args, engine)
    year = _max_year(args, config, scene_year)
    client = _client(args, config)
    try:
        reserved = _reserve(args, config, client, engine=engine, path=path,
                            servers=args.farm_servers, year=year, session=True)
    except FarmError as exc:
        return _farm_failed(exc)
    farm: dict[str, Any] = {"url": client.service.url.text, "reservation": reserved.to_dict()}
    if not reserved.ok:
        _emit_submission(args, {"farm": farm}, _reserve_lines(reserved))
        return EXIT_FINDINGS
    store = _store()
    args.pool = None  # it named the Deadline pool; the cfg's servers are the farm's now
    code: int = EXIT_FINDINGS
    document: dict[str, Any] = {}
    lines: list[str] = []
    try:
        code, document, lines = run(args)
    finally:
        record = store.load(str(reserved.job_id))
        released = release(client, record, store) if record is not None else None
        if released is not None:
            farm["release"] = released.to_dict()
    lines = [*_reserve_lines(reserved)[:-1], *lines,
             *(_release_lines(released) if released else [])]
    _emit_submission(args, {**document, "farm": farm}, lines)
    return code if released is None or released.ok else EXIT_FINDINGS


def _emit_submission(args: argparse.Namespace, document: dict[str, Any],
                     lines: list[str]) -> None:
    if args.json:
        emit_json(document)
    else:
        print("\n".join(lines))
