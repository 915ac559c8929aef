"""``vrdr bundle`` / ``vrdr install`` / ``vrdr uninstall``: the 3ds Max application package."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vrdr_max.cli.common import EXIT_FINDINGS, EXIT_OK, add_json_flag
from vrdr_max.cli.json_output import emit_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``bundle``, ``install`` and ``uninstall``."""
    bundle = sub.add_parser("bundle", help="build the 3ds Max application package (folder + zip)")
    bundle.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="output folder (the package folder and zip go here)")
    bundle.add_argument("--wheels", type=Path, metavar="DIR",
                        help="take the win_amd64 wheels from this folder (offline); default: "
                             "download the versions pinned in uv.lock into DIR/wheels")
    bundle.add_argument("--lock", type=Path, metavar="PATH",
                        help="the uv.lock with the pinned versions (default: the checkout's)")
    bundle.add_argument("--hash", action="append", default=[], metavar="WHEEL=SHA256",
                        help="vendor a wheel the lock does not list, if its sha256 is this "
                             "(repeatable)")
    bundle.add_argument("--python", action="append", default=[], metavar="ABI=PATH",
                        help="compile the bytecode for ABI (cp310, cp311, cp313) with this "
                             "interpreter (repeatable; default: look for it)")
    bundle.add_argument("--bytecode", action=argparse.BooleanOptionalAction, default=True,
                        help="ship compiled bytecode for each 3ds Max Python found (default: on)")
    add_json_flag(bundle)
    bundle.set_defaults(func=cmd_bundle)
    for verb, text in (("install", "copy the built package into 3ds Max's ApplicationPlugins"),
                       ("uninstall", "remove the package from ApplicationPlugins")):
        p = sub.add_parser(verb, help=text)
        p.add_argument("--all-users", action="store_true",
                       help="%%ProgramData%% instead of the user's %%APPDATA%% (needs admin)")
        if verb == "install":
            p.add_argument("--from", dest="bundle", type=Path, metavar="DIR",
                           help="the built vrdr-max.bundle folder (default: the package this "
                                "vrdr runs from)")
            p.add_argument("--max-version", type=int, metavar="YEAR",
                           help="check the package supports this 3ds Max and list what it loads")
        add_json_flag(p)
        p.set_defaults(func=cmd_install if verb == "install" else cmd_uninstall)


def cmd_bundle(args: argparse.Namespace) -> int:
    """Build the package."""
    from vrdr_max.deploy.bundle import build, parse_hash  # noqa: PLC0415 - keep `vrdr --help` fast
    from vrdr_max.deploy.bytecode import abi_version, parse_python  # noqa: PLC0415

    hashes = dict(parse_hash(text) for text in args.hash)
    pythons = dict(parse_python(text) for text in args.python)
    result = build(args.out, wheels=args.wheels, lock=args.lock, hashes=hashes,
                   bytecode=args.bytecode, pythons=pythons)
    if args.json:
        emit_json(result.to_json())
        return EXIT_OK
    abis = sorted({w.abi for w in result.wheels})
    chosen = ("the files git tracks" if result.sources == "git" else
              "every file of the source folders (not a git checkout)")
    print(f"package: {result.folder} ({result.files} files; sources: {chosen})")
    print(f"zip:     {result.zip_path} ({result.zip_bytes / 1e6:.1f} MB)")
    print(f"vendored for {', '.join(abis)}: " + ", ".join(
        sorted({f"{w.name}=={w.version}" for w in result.wheels})))
    compiled = [f"{abi} (Python {v})" for abi, v in result.bytecode.items() if v]
    if result.bytecode:
        print(f"bytecode: {', '.join(compiled) or 'none'}")
    for abi in (abi for abi, v in result.bytecode.items() if v is None):
        # Not a failure: that 3ds Max compiles the modules at each start instead.
        print(f"no bytecode for {abi}: no Python {abi_version(abi)} found here; its 3ds Max "
              f"compiles the modules at every start (give --python {abi}=PATH)")
    return EXIT_OK


def _target(args: argparse.Namespace) -> Path | None:
    from vrdr_max.deploy.install import plugins_dir  # noqa: PLC0415

    return plugins_dir(args.all_users)


def cmd_install(args: argparse.Namespace) -> int:
    """Copy the package into ApplicationPlugins."""
    from vrdr_max.deploy.install import default_bundle, install, not_windows_hint  # noqa: PLC0415
    from vrdr_max.errors import InputError  # noqa: PLC0415

    bundle = args.bundle or default_bundle()
    if bundle is None:
        raise InputError("--from DIR: name the built vrdr-max.bundle folder (`vrdr bundle`)")
    target_dir = _target(args)
    if target_dir is None:
        print(f"vrdr: {not_windows_hint(bundle)}", file=sys.stderr)
        return EXIT_FINDINGS
    result = install(bundle, target_dir, year=args.max_version)
    if args.json:
        emit_json({"installed": str(result.target), "replaced": result.replaced,
                   "max_version": result.year, "components": list(result.components)})
        return EXIT_OK
    print(f"{'replaced' if result.replaced else 'installed'}: {result.target}")
    if result.year is not None:
        print(f"3ds Max {result.year} loads: {', '.join(result.components)}")
    print("restart 3ds Max; the panel is in the main menu: V-Ray DR > V-Ray DR Panel")
    return EXIT_OK


def cmd_uninstall(args: argparse.Namespace) -> int:
    """Remove the package from ApplicationPlugins."""
    from vrdr_max.deploy.install import not_windows_hint, uninstall  # noqa: PLC0415

    target_dir = _target(args)
    if target_dir is None:
        print(f"vrdr: {not_windows_hint(None)}", file=sys.stderr)
        return EXIT_FINDINGS
    removed = uninstall(target_dir)
    if args.json:
        emit_json({"removed": None if removed is None else str(removed)})
    else:
        print(f"removed: {removed}" if removed else f"not installed in {target_dir}")
    return EXIT_OK
