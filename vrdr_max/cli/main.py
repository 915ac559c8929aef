"""Entry point of ``vrdr``: builds the parser from the command groups and maps errors to exits."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from vrdr_max.cli import (
    bundle_cmds,
    cfg_cmds,
    demo_cmds,
    net_cmds,
    panel_cmds,
    pools_cmds,
    scene_cmds,
    spawner_cmds,
)
from vrdr_max.cli.common import EXIT_USAGE
from vrdr_max.errors import VrdrError, validation_message

GROUPS = (demo_cmds, cfg_cmds, spawner_cmds, net_cmds, pools_cmds, scene_cmds, bundle_cmds,
          panel_cmds)


def build_parser() -> argparse.ArgumentParser:
    """The whole ``vrdr`` parser; each group module adds its own sub-commands."""
    parser = argparse.ArgumentParser(
        prog="vrdr", description="V-Ray Distributed Rendering tools for 3ds Max.")
    sub = parser.add_subparsers(dest="group", metavar="GROUP", required=True)
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``vrdr``; return the exit code (0 ok, 1 findings/offline, 2 bad input)."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except VrdrError as exc:
        print(f"vrdr: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationError as exc:
        print(f"vrdr: error: {validation_message(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("vrdr: interrupted", file=sys.stderr)
        return 130
    return code
