"""``vrdr pools list|show|apply``: the studio's and the user's named server pools."""

from __future__ import annotations

import argparse

from vrdr_max.cli.common import EXIT_OK, add_cfg_args, add_json_flag, cfg_engine, cfg_path
from vrdr_max.cli.json_output import emit_json
from vrdr_max.errors import one_line


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``pools`` group."""
    pools = sub.add_parser("pools", help="named server pools from the studio and user files")
    verbs = pools.add_subparsers(dest="verb", metavar="VERB", required=True)
    lst = verbs.add_parser("list", help="the pools and where each comes from")
    add_json_flag(lst)
    lst.set_defaults(func=cmd_list)
    show = verbs.add_parser("show", help="a pool's servers (NUMA machines expanded)")
    show.add_argument("name")
    add_json_flag(show)
    show.set_defaults(func=cmd_show)
    apply = verbs.add_parser("apply", help="write a pool's servers into the cfg")
    apply.add_argument("name")
    apply.add_argument("--merge", action="store_true",
                       help="add to the servers already listed instead of replacing them")
    add_cfg_args(apply)
    apply.set_defaults(func=cmd_apply)


def cmd_list(args: argparse.Namespace) -> int:
    """List the pools."""
    from vrdr_max.studio import load_effective  # noqa: PLC0415 - keep `vrdr --help` fast

    eff = load_effective()
    rows = [{"name": name, "source": eff.pool_sources[name].value, "engine": pool.engine.value,
             "mode": pool.mode.value, "servers": len(pool.entries()),
             "description": pool.description} for name, pool in sorted(eff.pools.items())]
    if args.json:
        emit_json({"pools": rows, "files": {k.value: str(v) for k, v in eff.files.items()},
                   "defaults": eff.defaults.model_dump(mode="json"),
                   "default_sources": {k: v.value for k, v in eff.default_sources.items()}})
        return EXIT_OK
    if not rows:
        print("no pools: set VRDR_STUDIO_CONFIG or create the user config file "
              "(docs/studio-config.md)")
    for row in rows:
        print(f"{row['name']:<20} {row['servers']:>4} servers  {row['engine']}/{row['mode']}"
              f"  [{row['source']}]  {row['description']}")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    """Show one pool's entries."""
    from vrdr_max.studio import load_effective  # noqa: PLC0415

    eff = load_effective()
    pool = eff.pool(args.name)
    servers = [s.model_dump(include={"host", "port", "enabled"}) for s in pool.entries()]
    if args.json:
        emit_json({"name": args.name, "source": eff.pool_sources[args.name].value,
                   "engine": pool.engine.value, "mode": pool.mode.value,
                   "dispatcher": pool.dispatcher.model_dump() if pool.dispatcher else None,
                   "servers": servers})
        return EXIT_OK
    print(f"# {args.name} ({eff.pool_sources[args.name].value}): {pool.description}")
    for s in pool.entries():
        print(f"{'on ' if s.enabled else 'off'}     {s.endpoint}")
    if pool.dispatcher:
        print(f"dispatcher {pool.dispatcher.endpoint}")
    return EXIT_OK


def cmd_apply(args: argparse.Namespace) -> int:
    """Write the pool into the cfg (and its mode/dispatcher into vrdr's sidecar)."""
    from vrdr_max.api import apply_pool  # noqa: PLC0415
    from vrdr_max.settings_store import load_settings  # noqa: PLC0415
    from vrdr_max.studio import load_effective  # noqa: PLC0415

    engine = cfg_engine(args)
    path = cfg_path(args, engine)
    config = load_effective()
    stored = load_settings(path.parent, engine, cfg_path=path,
                           dispatcher_in_cfg=config.defaults.dispatcher_in_vray_cfg)
    apply_pool(stored.settings, args.name, merge=args.merge, config=config)
    result = stored.save()
    print(one_line(f"pool {args.name}: {len(stored.settings.servers)} server(s) in {path}"
                   + (f" (previous version in {result.backup})" if result.backup else "")))
    return EXIT_OK
