"""``vrdr spawner plan`` and ``vrdr spawner command``: NUMA processes, ports, command lines."""

from __future__ import annotations

import argparse
import sys

from vrdr_max.cli.common import EXIT_OK, add_json_flag
from vrdr_max.cli.json_output import emit_json
from vrdr_max.errors import InputError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:  # the spawner module loads pydantic: the handlers import it
    from typing import Any

    from vrdr_max.numa import NumaOptions
    from vrdr_max.spawner import SpawnerPlan


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``spawner`` group with its ``plan`` and ``command`` verbs."""
    group = sub.add_parser("spawner", help="V-Ray DR Spawner: NUMA processes, ports, command lines")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)

    plan = verbs.add_parser(
        "plan", allow_abbrev=False,
        help="the render-server processes a spawner starts (NUMA nodes and ports)")
    _add_numa_args(plan)
    plan.add_argument("--host", metavar="H",
                      help="also list the client's server entries for this host, one per port")
    add_json_flag(plan)
    plan.set_defaults(func=_plan)

    command = verbs.add_parser(
        "command", allow_abbrev=False,
        help="print a spawner command line for a render server")
    command.add_argument("--max-version", metavar="YEAR",
                         help="3ds Max version: use the spawner's default install path")
    command.add_argument("--exe", metavar="PATH", help="the spawner executable to run")
    command.add_argument("--dispatcher", metavar="1|2",
                         help="DR2: 1 = dispatcher only, 2 = dispatcher and render server")
    _add_numa_args(command)
    command.add_argument("--service", action="store_true",
                         help="register the spawner as a Windows service (-Service)")
    command.add_argument("--unregister", action="store_true",
                         help="unregister the spawner service (-UnregServer)")
    command.add_argument("--cmdparams", metavar="S",
                         help="arguments for the spawned application (write --cmdparams=-x "
                              "when S starts with a dash)")
    command.add_argument("--tempdir", metavar="P", help="the spawner's temporary folder")
    command.add_argument("--app-name", metavar="EXE",
                         help="the spawned executable instead of 3dsmax.exe")
    add_json_flag(command)
    command.set_defaults(func=_command)


def _add_numa_args(parser: argparse.ArgumentParser) -> None:
    # Values stay strings here so bad input becomes one InputError line, not argparse usage.
    parser.add_argument("--numa", nargs="?", const="", metavar="N",
                        help="N render-server processes; without N (or 0) one per NUMA node")
    parser.add_argument("--node", metavar="LIST",
                        help="NUMA nodes to use, comma-separated (numbered from 0)")
    parser.add_argument("--port", "--ports", dest="port", metavar="LIST",
                        help="listening ports, comma-separated; the last one auto-increments")
    parser.add_argument("--numa-nodes", metavar="M",
                        help="how many NUMA nodes the machine has")


def _numa_options(args: argparse.Namespace, *, need_count: bool) -> NumaOptions:
    from vrdr_max.numa import NumaOptions  # noqa: PLC0415
    from vrdr_max.spawner import parse_number, parse_number_list  # noqa: PLC0415

    numa: str | None = args.numa
    if need_count and numa is not None and args.node is None and args.numa_nodes is None:
        raise InputError("--numa without --node needs --numa-nodes M (the machine's NUMA node "
                         "count): the number of processes depends on it")
    return NumaOptions(
        numa=None if numa is None else (parse_number(numa, "--numa") if numa else 0),
        nodes=None if args.node is None else parse_number_list(args.node, "--node"),
        ports=None if args.port is None else parse_number_list(args.port, "--port"),
        machine_nodes=None if args.numa_nodes is None else parse_number(
            args.numa_nodes, "--numa-nodes"),
    )


def _plan_document(plan: SpawnerPlan) -> dict[str, Any]:
    return {
        "processes": [{"nodes": list(p.nodes), "port": p.port} for p in plan.processes],
        "warnings": list(plan.warnings),
    }


def _out(text: str) -> None:
    sys.stdout.write(f"{text}\n")


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        sys.stderr.write(f"vrdr: warning: {warning}\n")


def _plan(args: argparse.Namespace) -> int:
    from vrdr_max.spawner import plan_processes, server_entries  # noqa: PLC0415

    options = _numa_options(args, need_count=True)
    plan = plan_processes(options)
    servers = None if args.host is None else server_entries(args.host, options)
    if args.json:
        document = _plan_document(plan)
        if servers is not None:
            document["servers"] = [s.model_dump(include={"host", "port", "enabled"})
                                   for s in servers]
        emit_json(document)
        return EXIT_OK
    _out(f"{'process':>7}  {'NUMA nodes':<12}  port")
    for number, process in enumerate(plan.processes, start=1):
        nodes = ",".join(str(n) for n in process.nodes) or "all"
        _out(f"{number:>7}  {nodes:<12}  {process.port}")
    if servers is not None:
        _out("client server entries:")
        for server in servers:
            _out(f"  {server.endpoint}")
    _warn(plan.warnings)
    return EXIT_OK


def _command(args: argparse.Namespace) -> int:
    from vrdr_max.spawner import (  # noqa: PLC0415
        DISPATCHER_OPTION,
        SpawnerCommand,
        build_command,
        check_command,
        format_command,
        parse_number,
    )

    cmd = SpawnerCommand(
        max_version=None if args.max_version is None else parse_number(
            args.max_version, "--max-version"),
        executable=args.exe,
        run_dispatcher=None if args.dispatcher is None else parse_number(
            args.dispatcher, DISPATCHER_OPTION),
        numa_options=_numa_options(args, need_count=False),
        service=args.service,
        unregister=args.unregister,
        cmdparams=args.cmdparams,
        tempdir=args.tempdir,
        app_name=args.app_name,
    )
    warnings = check_command(cmd)
    line = format_command(cmd)
    if args.json:
        emit_json({"argv": build_command(cmd), "command": line, "warnings": warnings})
        return EXIT_OK
    _out(line)
    _warn(warnings)
    return EXIT_OK
