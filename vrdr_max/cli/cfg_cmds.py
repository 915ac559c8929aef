"""``vrdr cfg show`` and ``vrdr servers list|add|remove|enable|disable``.

The editing verbs' handler is ``cli.servers_edit``: the reading verbs load none of it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from vrdr_max.addresses import format_endpoint
from vrdr_max.cli.common import EXIT_OK, add_cfg_args, add_json_flag, cfg_engine, cfg_path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from vrdr_max.cfgread import CfgText


GROUPS: dict[str, tuple[str, dict[str, str]]] = {
    # Each group this module adds: its help line, and its verbs with theirs.
    "cfg": ("read the DR cfg file",
            {"show": "servers, options and unknown lines of the cfg"}),
    "servers": ("edit the render-server list",
                {"list": "list the render servers",
                 "add": "add servers (default port of the engine/mode)",
                 "remove": "remove servers (all ports of a host without :PORT)",
                 "enable": "switch servers on",
                 "disable": "switch servers off"}),
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``cfg`` and ``servers`` groups."""
    for group in GROUPS:
        _add_group(sub, group, None)


def register_named(sub: argparse._SubParsersAction[argparse.ArgumentParser], group: str,
                   rest: Sequence[str]) -> None:
    """Add only ``group``, and of its verbs only the one ``rest`` names in full.

    The other verbs are listed by name and help line (``vrdr servers --help`` and argparse's
    list of choices read nothing else): each verb's options cost argparse's formatter and
    translation look-ups at every start.

    Args:
        sub: the top-level sub-parsers.
        group: ``cfg`` or ``servers``.
        rest: the command line after the group's name.
    """
    verb = next((a for a in rest if not a.startswith("-")), None)
    _add_group(sub, group, verb if verb in GROUPS[group][1] else None)


def _add_group(sub: argparse._SubParsersAction[argparse.ArgumentParser], group: str,
               only: str | None) -> None:
    """Add ``group`` with every verb in full, or only ``only`` (the others named)."""
    helptext, verbs = GROUPS[group]
    parser = sub.add_parser(group, help=helptext)
    verb_sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    for verb, verb_help in verbs.items():
        p = verb_sub.add_parser(verb, help=verb_help)
        if only is None or verb == only:
            _add_verb(p, verb)


def _add_verb(p: argparse.ArgumentParser, verb: str) -> None:
    add_cfg_args(p)
    if verb in ("show", "list"):
        add_json_flag(p)
        p.set_defaults(func=cmd_cfg_show if verb == "show" else cmd_servers_list)
        return
    p.add_argument("endpoints", nargs="+", metavar="HOST[:PORT]",
                   help="host name or address; IPv6 with a port as [addr]:port")
    if verb == "add":
        p.add_argument("--disabled", action="store_true", help="add the servers switched off")
        p.add_argument("--dr2", action="store_true", help="use the DR2 default port")
    p.set_defaults(func=_edit)


def _edit(args: argparse.Namespace) -> int:
    """The editing verbs, from their own module: ``cfg show`` compiles none of their code."""
    from vrdr_max.cli.servers_edit import cmd_servers_edit  # noqa: PLC0415

    return cmd_servers_edit(args)


def _read(args: argparse.Namespace) -> tuple[Path, CfgText]:
    """The cfg the options name, read only: the verbs that print it load no editing code."""
    from vrdr_max.cfgread import CfgText  # noqa: PLC0415 - keep `vrdr --help` fast

    engine = cfg_engine(args)
    path = cfg_path(args, engine)
    return path, CfgText.read(path, engine)


def _servers_json(text: CfgText) -> list[dict[str, Any]]:
    # ``port_end`` only for a port range, so one-port entries read as they always did.
    return [{"host": host, "port": port, **({} if port_end is None else {"port_end": port_end}),
             "enabled": enabled} for host, port, port_end, enabled in text.entries()]


def cmd_cfg_show(args: argparse.Namespace) -> int:
    """Print the cfg's servers, known options (as spelled in the file) and unknown lines."""
    path, text = _read(args)
    if args.json:
        from vrdr_max.cli.json_output import emit_json  # noqa: PLC0415 - only with --json

        emit_json({"path": str(path), "engine": text.engine.value,
                   "servers": _servers_json(text), "options": dict(text.options),
                   "unknown_lines": list(text.unknown_lines)})
        return EXIT_OK
    # One write: every print goes through the escaping stdout (cli.terminal), a call per line.
    lines = [f"# {path}", *_server_lines(text)]
    lines += [f"option  {key} = {value}" for key, value in text.options.items()]
    lines += [f"kept    {line}" for line in text.unknown_lines]
    print("\n".join(lines))
    return EXIT_OK


def _server_lines(text: CfgText) -> list[str]:
    # Plain entries: reading the list builds no object and loads no pydantic.
    entries = text.entries()
    if not entries:
        return ["(no render servers)"]
    return [f"{'on ' if enabled else 'off'}     {format_endpoint(host, port, port_end)}"
            for host, port, port_end, enabled in entries]


def cmd_servers_list(args: argparse.Namespace) -> int:
    """Print the render servers."""
    path, text = _read(args)
    if args.json:
        from vrdr_max.cli.json_output import emit_json  # noqa: PLC0415 - only with --json

        emit_json({"path": str(path), "servers": _servers_json(text)})
    else:
        print("\n".join(_server_lines(text)))
    return EXIT_OK
