"""``vrdr probe`` and ``vrdr discover``: which render servers answer, and who announces itself."""

from __future__ import annotations

import argparse
import sys

from vrdr_max.addresses import format_endpoint
from vrdr_max.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    add_cfg_args,
    add_json_flag,
    cfg_engine,
    cfg_path,
)
from vrdr_max.cli.json_output import emit_json
from vrdr_max.cli.progress import LiveLine, probe_with_progress
from vrdr_max.errors import InputError
from vrdr_max.hostport import parse_endpoint, validate_port
from vrdr_max.ports import READY_BROADCAST_PORT, Mode, default_port

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from vrdr_max.probe import ProbeResult, ProbeTarget

# probe.py and discovery.py cost a good part of `vrdr --help`'s budget, so the
# handlers import them. These repeat their defaults for the help text only
# (tests/unit/test_startup_cost.py holds them equal).
HELP_DEFAULT_TIMEOUT = 1.0
HELP_DEFAULT_SECONDS = 5.0
HELP_DEFAULT_BIND = "0.0.0.0"  # noqa: S104 - all IPv4 interfaces, as discovery listens


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the top-level verbs ``probe`` and ``discover``."""
    probe = sub.add_parser(
        "probe", help="TCP-connect to every enabled render server at once",
        description="Resolve and TCP-connect to every enabled render server (and the DR2 "
                    "dispatcher) concurrently. Exit 0 when all are online, 1 otherwise, "
                    "2 on bad input.")
    probe.add_argument("endpoints", nargs="*", metavar="HOST[:PORT]",
                       help="probe these instead of the cfg's servers "
                            "(default port of the engine and mode; IPv6 with a port as "
                            "[addr]:port)")
    add_cfg_args(probe)
    probe.add_argument("--dr2", action="store_true",
                       help="HOST without a port gets the DR2 port (20208, or 20209 with --gpu)")
    probe.add_argument("--timeout", type=float, default=HELP_DEFAULT_TIMEOUT, metavar="S",
                       help=f"seconds per server for lookup and connect "
                            f"(default {HELP_DEFAULT_TIMEOUT:g})")
    probe.add_argument("--concurrency", type=int, metavar="N",
                       help="sockets open at once (default: every server at once, as far as "
                            "the open-file limit allows)")
    add_json_flag(probe)
    probe.set_defaults(func=cmd_probe)

    discover = sub.add_parser(
        "discover", help="listen for render servers' readiness broadcasts",
        description="Listen for render servers' readiness broadcasts and list the senders. "
                    "Exit 0 when at least one was heard, 1 when none, 2 on bad input.")
    discover.add_argument("--seconds", type=float, default=HELP_DEFAULT_SECONDS, metavar="S",
                          help=f"how long to listen (default {HELP_DEFAULT_SECONDS:g})")
    discover.add_argument("--port", default=str(READY_BROADCAST_PORT), metavar="P",
                          help=f"UDP port (default {READY_BROADCAST_PORT})")
    discover.add_argument("--bind", default=HELP_DEFAULT_BIND, metavar="ADDR",
                          help="local address to listen on (default: all IPv4 interfaces)")
    add_json_flag(discover)
    discover.set_defaults(func=cmd_discover)


def _targets(args: argparse.Namespace) -> tuple[list[ProbeTarget], str]:
    """The targets and where they came from (for messages)."""
    from vrdr_max.probe import ProbeTarget, targets_from_settings  # noqa: PLC0415

    engine = cfg_engine(args)
    if args.endpoints:
        if args.cfg is not None or args.max_version is not None:
            raise InputError("give servers either as HOST[:PORT] arguments or with "
                             "--cfg/--max-version, not both")
        port = default_port(engine, Mode.DR2 if args.dr2 else Mode.DR)
        return [ProbeTarget(*parse_endpoint(text, port)) for text in args.endpoints], \
            "the command line"
    if args.dr2:
        raise InputError("--dr2 sets the port of HOST arguments; a cfg's servers have their own")
    from vrdr_max.settings_store import load_settings  # noqa: PLC0415 - keep `--help` fast

    path = cfg_path(args, engine)
    stored = load_settings(path.parent, engine, cfg_path=path)  # + the DR2 dispatcher
    if not stored.cfg.exists:
        raise InputError(f"no cfg file at {path}")
    return targets_from_settings(stored.settings), str(path)


def cmd_probe(args: argparse.Namespace) -> int:
    """Probe the servers; exit 0 when every one is online, 1 otherwise."""
    from vrdr_max.probe import summarise  # noqa: PLC0415

    targets, source = _targets(args)
    if not targets:
        print(f"vrdr: no enabled render servers in {source}", file=sys.stderr)
        return EXIT_FINDINGS
    results = probe_with_progress(targets, timeout=args.timeout,
                                  concurrency=args.concurrency)
    summary = summarise(results)
    if args.json:
        emit_json({"results": [r.to_dict() for r in results], "summary": summary.to_dict()})
    else:
        print_results(results)
    return EXIT_OK if summary.all_online else EXIT_FINDINGS


def print_results(results: list[ProbeResult]) -> None:
    """The text report: one line per target, one per port-range entry, then the summary."""
    from vrdr_max.probe import summarise  # noqa: PLC0415

    _print_rows(results)
    _print_ranges(results)
    summary = summarise(results)
    print(f"{summary.online} of {summary.total} online"
          + "".join(f", {n} {state}" for state, n in
                    (("refused", summary.refused), ("timeout", summary.timeout),
                     ("unresolvable", summary.unresolvable), ("error", summary.error))
                    if n))


def _print_rows(results: list[ProbeResult]) -> None:
    rows = [(r.state.value,
             r.endpoint + (f" ({r.label})" if r.label != "server" else "")
             + ("" if r.port_range is None else f" (range {r.port_range[0]}-{r.port_range[1]})"),
             r.address or "-",
             "-" if r.latency_ms is None else f"{r.latency_ms:.1f} ms",
             r.message) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        print("  ".join([*cells, row[4]]))


def _print_ranges(results: list[ProbeResult]) -> None:
    """One line per server entry with a port range: how many of its ports answered."""
    ranges: dict[tuple[str, int, int], list[ProbeResult]] = {}
    for r in results:
        if r.port_range is not None:
            ranges.setdefault((r.host, *r.port_range), []).append(r)
    for (host, first, last), ports in ranges.items():
        online = [str(r.port) for r in ports if r.ok]
        print(f"range {format_endpoint(host, first)}-{last}: {len(online)} of {len(ports)} "
              f"ports online" + (f" ({', '.join(online)})" if online else ""))


def cmd_discover(args: argparse.Namespace) -> int:
    """Listen for readiness broadcasts; exit 0 when a sender was heard, 1 when none."""
    from vrdr_max.discovery import listen  # noqa: PLC0415

    port = validate_port(args.port)
    line = LiveLine(sys.stderr)

    def progress(elapsed: float, senders: int, packets: int) -> None:
        line.show(f"listening on UDP {port}: {elapsed:.1f}/{args.seconds:g} s, "
                  f"{senders} senders, {packets} packets")

    try:
        report = listen(args.seconds, port=port, bind=args.bind,
                        progress=progress if line.enabled else None)
    finally:
        line.clear()
    if args.json:
        emit_json(report.to_dict())
    else:
        print(f"listened on UDP {report.port} at {report.bind} for {report.duration:.1f} s: "
              f"{len(report.senders)} senders, {report.packets} packets")
        for s in report.senders:
            print(f"{s.address}  first {s.first_seen:.1f} s  last {s.last_seen:.1f} s  "
                  f"{s.packets} packets  {s.bytes} bytes  last {s.last_size} bytes")
        if report.ignored_packets:
            print(f"{report.ignored_packets} packets from senders beyond the first "
                  f"{len(report.senders)} were counted, not tracked")
        if report.kernel_dropped:
            print(f"the system dropped at least {report.kernel_dropped} packets "
                  "(receive queue full)")
    return EXIT_OK if report.senders else EXIT_FINDINGS


