"""Entry point of ``vrdr``: builds the parser from the command groups and maps errors to exits.

Every failure ends as one line on stderr: bad input and usage errors exit 2, an interrupted run
130, and anything unexpected (a bug) 70 with a hint to rerun with ``--debug``, which prints the
traceback. The group modules import their heavy dependencies (pydantic, asyncio) inside their
handlers, so ``vrdr --help`` costs little more than starting Python.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from vrdr_max import __version__
from vrdr_max.cli import (
    bundle_cmds,
    cfg_cmds,
    demo_cmds,
    farm_cmds,
    net_cmds,
    panel_cmds,
    pools_cmds,
    scene_cmds,
    spawner_cmds,
)
from vrdr_max.cli.common import EXIT_INTERNAL, EXIT_USAGE
from vrdr_max.cli.terminal import escaped_stdout
from vrdr_max.errors import VrdrError, one_line, os_error_message, validation_message

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from typing import NoReturn

GROUPS = (demo_cmds, cfg_cmds, spawner_cmds, net_cmds, pools_cmds, scene_cmds, farm_cmds,
          bundle_cmds, panel_cmds)

DEBUG_FLAG = "--debug"
EXIT_BROKEN_PIPE = 141
"""What a shell reports for a command ended by SIGPIPE (128 + 13), as without Python."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors and ``--debug`` on every (sub)command.

    ``add_subparsers`` builds sub-parsers of the parent's class, so the whole tree shares this.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # SUPPRESS: a sub-command's default must not reset a --debug given before the group.
        self.add_argument(DEBUG_FLAG, action="store_true", default=argparse.SUPPRESS,
                          help="on an internal error, print the traceback")

    def error(self, message: str) -> NoReturn:
        """A usage error: one line (the usage block stays behind ``--help``), exit 2."""
        where = self.prog.removeprefix("vrdr").strip()
        self.exit(EXIT_USAGE, f"vrdr: error: {where + ': ' if where else ''}{one_line(message)}"
                              f" (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole ``vrdr`` parser; each group module adds its own sub-commands."""
    parser = Parser(prog="vrdr", description="V-Ray Distributed Rendering tools for 3ds Max.")
    parser.add_argument("--version", action="version", version=f"vrdr {__version__}")
    sub = parser.add_subparsers(dest="group", metavar="GROUP", required=True)
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``vrdr``; return the exit code (0 ok, 1 findings/offline, 2 bad input, 70 a bug)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with escaped_stdout():  # file text never drives the terminal nor breaks its encoding
            return _run(args)
    except KeyboardInterrupt:
        print("vrdr: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`vrdr ... | head`): nothing left to tell it.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # noqa: BLE001 - the last resort: a bug must not look like findings
        debug = DEBUG_FLAG in args
        if debug:
            import traceback  # noqa: PLC0415 - only on this path

            traceback.print_exc()
        print(f"vrdr: internal error: {type(exc).__name__}: {one_line(str(exc))}"
              + ("" if debug else f" (rerun with {DEBUG_FLAG} for the traceback)"),
              file=sys.stderr)
        return EXIT_INTERNAL


def _run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except VrdrError as exc:
        print(f"vrdr: error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        # A path the user gave that the system refuses (too long, permission denied, ...).
        print(f"vrdr: error: {os_error_message(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        # pydantic is loaded only by handlers that use it; without it this cannot be its error.
        pydantic = sys.modules.get("pydantic")
        if pydantic is None or not isinstance(exc, pydantic.ValidationError):
            raise
        print(f"vrdr: error: {one_line(validation_message(exc))}", file=sys.stderr)
        return EXIT_USAGE
    return code


def _silence_stdout() -> None:
    # Python flushes stdout again at exit; point it at devnull so that flush cannot fail loudly.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
