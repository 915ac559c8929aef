"""``vrdr demo``: the main job on the built-in demo scene (see README quick start)."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``demo``."""
    demo = sub.add_parser("demo", help="the whole DR flow on the built-in demo scene")
    demo.add_argument("--yes", action="store_true", help="apply the safe fixes")
    demo.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the demo."""
    from vrdr_max.demo import run_demo  # noqa: PLC0415 - keep `vrdr --help` fast

    return run_demo(sys.stdout, yes=args.yes)
