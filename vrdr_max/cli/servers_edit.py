"""``vrdr servers add|remove|enable|disable``: the editing verbs of the server list.

``cli.cfg_cmds`` builds their parsers and calls into this module, so ``vrdr cfg show`` and
``servers list`` compile none of this code (without bytecode, at each start).
"""

from __future__ import annotations

from vrdr_max.cli.common import EXIT_OK, cfg_engine, cfg_path
from vrdr_max.errors import InputError, one_line
from vrdr_max.hostport import split_endpoint
from vrdr_max.ports import Mode, default_port

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    import argparse

    from vrdr_max.cfgfile import CfgFile


def cmd_servers_edit(args: argparse.Namespace) -> int:
    """Add, remove, enable or disable servers; validate everything before touching the file.

    Works on the cfg's plain entries (no pydantic model is built) and in one pass over the
    list for any number of hosts, so editing N hosts of a long list costs O(list + N).
    """
    engine = cfg_engine(args)
    mode = Mode.DR2 if getattr(args, "dr2", False) else Mode.DR
    port = default_port(engine, mode)
    # Parse every endpoint first: one bad entry leaves the file untouched.
    given = [(text, split_endpoint(text)) for text in args.endpoints]
    cfg = _load(args)
    servers = cfg.server_list
    messages = []
    if args.verb == "add":
        for text, (host, only_port) in given:
            added = servers.add_entry(host, only_port or port, enabled=not args.disabled)
            messages.append(f"{'added' if added else 'already listed'}: {text}")
    else:
        endpoints = [endpoint for _, endpoint in given]
        if args.verb == "remove":
            counts = servers.remove_endpoints(endpoints)
        else:
            counts = servers.set_endpoints_enabled(endpoints, args.verb == "enable")
        for (text, _), count in zip(given, counts, strict=True):
            if not count:  # nothing is saved: the file stays as it was
                raise InputError(f"{text} is not in {cfg.path}")
            messages.append(f"{args.verb}d: {text}")
    result = cfg.save()
    for line in messages:
        print(line)
    if result.changed and result.backup:
        print(one_line(f"saved {cfg.path} (previous version in {result.backup})"))
    return EXIT_OK


def _load(args: argparse.Namespace) -> CfgFile:
    from vrdr_max.cfgfile import load_cfg  # noqa: PLC0415 - keep `vrdr --help` fast

    engine = cfg_engine(args)
    return load_cfg(cfg_path(args, engine), engine)
