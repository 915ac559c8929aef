"""``vrdr probe`` and ``vrdr discover``: which render servers answer, and who announces itself."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from vrdr_max.addresses import parse_endpoint, validate_port
from vrdr_max.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    add_cfg_args,
    add_json_flag,
    emit_json,
    is_terminal,
)
from vrdr_max.discovery import DEFAULT_BIND, DEFAULT_SECONDS, listen
from vrdr_max.errors import InputError
from vrdr_max.ports import READY_BROADCAST_PORT, Engine, Mode, default_port
from vrdr_max.probe import (
    DEFAULT_CONCURRENCY,
    DEFAULT_TIMEOUT,
    ProbeResult,
    ProbeTarget,
    probe,
    summarise,
    targets_from_settings,
)

LIVE_LINE_INTERVAL_S = 0.1
"""Fastest redraw of the live progress line; a redraw per result would flood a slow terminal."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the top-level verbs ``probe`` and ``discover``."""
    probe = sub.add_parser(
        "probe", help="TCP-connect to every enabled render server at once",
        description="Resolve and TCP-connect to every enabled render server (and the DR2 "
                    "dispatcher) concurrently. Exit 0 when all are online, 1 otherwise, "
                    "2 on bad input.")
    probe.add_argument("endpoints", nargs="*", metavar="HOST[:PORT]",
                       help="probe these instead of the cfg's servers "
                            "(default port of the engine; IPv6 with a port as [addr]:port)")
    add_cfg_args(probe)
    probe.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                       help=f"seconds per server for lookup and connect "
                            f"(default {DEFAULT_TIMEOUT:g})")
    probe.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY, metavar="N",
                       help=f"servers probed at once (default {DEFAULT_CONCURRENCY})")
    add_json_flag(probe)
    probe.set_defaults(func=cmd_probe)

    discover = sub.add_parser(
        "discover", help="listen for render servers' readiness broadcasts",
        description="Listen for render servers' readiness broadcasts and list the senders. "
                    "Exit 0 when at least one was heard, 1 when none, 2 on bad input.")
    discover.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, metavar="S",
                          help=f"how long to listen (default {DEFAULT_SECONDS:g})")
    discover.add_argument("--port", default=str(READY_BROADCAST_PORT), metavar="P",
                          help=f"UDP port (default {READY_BROADCAST_PORT})")
    discover.add_argument("--bind", default=DEFAULT_BIND, metavar="ADDR",
                          help="local address to listen on (default: all IPv4 interfaces)")
    add_json_flag(discover)
    discover.set_defaults(func=cmd_discover)


class _LiveLine:
    """A carriage-return-redrawn status line on a terminal's stderr; silent when stderr is piped."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = is_terminal(stream)
        self._last = 0.0
        self._width = 0

    def show(self, text: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self._last < LIVE_LINE_INTERVAL_S):
            return
        self._last = now
        self.stream.write("\r" + text.ljust(self._width))
        self._width = len(text)
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()


def _targets(args: argparse.Namespace) -> tuple[list[ProbeTarget], str]:
    """The targets and where they came from (for messages)."""
    engine = Engine.GPU if args.gpu else Engine.CPU
    if args.endpoints:
        if args.cfg is not None or args.max_version is not None:
            raise InputError("give servers either as HOST[:PORT] arguments or with "
                             "--cfg/--max-version, not both")
        port = default_port(engine, Mode.DR)
        return [ProbeTarget(*parse_endpoint(text, port)) for text in args.endpoints], \
            "the command line"
    from vrdr_max.cfgfile import load_cfg  # noqa: PLC0415 - keep `vrdr --help` fast
    from vrdr_max.plugcfg import find_cfg  # noqa: PLC0415

    cfg = load_cfg(find_cfg(engine, cfg=args.cfg, max_version=args.max_version), engine)
    if not cfg.exists:
        raise InputError(f"no cfg file at {cfg.path}")
    return targets_from_settings(cfg.settings), str(cfg.path)


def cmd_probe(args: argparse.Namespace) -> int:
    """Probe the servers; exit 0 when every one is online, 1 otherwise."""
    targets, source = _targets(args)
    if not targets:
        print(f"vrdr: no enabled render servers in {source}", file=sys.stderr)
        return EXIT_FINDINGS
    line = _LiveLine(sys.stderr)
    counts: dict[str, int] = {}

    def progress(done: int, total: int, result: ProbeResult) -> None:
        counts[result.state.value] = counts.get(result.state.value, 0) + 1
        tally = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        line.show(f"probing {done}/{total}: {tally}", force=done == total)

    try:
        results = probe(targets, timeout=args.timeout, concurrency=args.concurrency,
                        progress=progress if line.enabled else None)
    finally:
        line.clear()
    summary = summarise(results)
    if args.json:
        emit_json({"results": [r.to_dict() for r in results], "summary": summary.to_dict()})
    else:
        _print_results(results)
        print(f"{summary.online} of {summary.total} online"
              + "".join(f", {n} {state}" for state, n in
                        (("refused", summary.refused), ("timeout", summary.timeout),
                         ("unresolvable", summary.unresolvable), ("error", summary.error))
                        if n))
    return EXIT_OK if summary.all_online else EXIT_FINDINGS


def _print_results(results: list[ProbeResult]) -> None:
    rows = [(r.state.value,
             r.endpoint + (f" ({r.label})" if r.label != "server" else ""),
             r.address or "-",
             "-" if r.latency_ms is None else f"{r.latency_ms:.1f} ms",
             r.message) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        print("  ".join([*cells, row[4]]))


def cmd_discover(args: argparse.Namespace) -> int:
    """Listen for readiness broadcasts; exit 0 when a sender was heard, 1 when none."""
    port = validate_port(args.port)
    line = _LiveLine(sys.stderr)

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


