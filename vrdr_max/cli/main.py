"""Entry point of ``vrdr``: builds the parser from the command groups and maps errors to exits.

Every failure ends as one line on stderr: bad input and usage errors exit 2, an interrupted run
130, and anything unexpected (a bug) 70 with a hint to rerun with ``--debug``, which prints the
traceback. Only the module of the group a command names is imported (``vrdr cfg show`` loads
``cfg_cmds``, ``vrdr --help`` none: :data:`GROUPS` holds their names and help lines), and the
group modules import their heavy dependencies (pydantic, asyncio) inside their handlers, so a
command costs little more than starting Python and reading its files.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from vrdr_max import __version__
from vrdr_max.cli.common import EXIT_INTERNAL, EXIT_USAGE
from vrdr_max.cli.terminal import escaped_stdout
from vrdr_max.errors import VrdrError, one_line, os_error_message, validation_message

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from types import ModuleType
    from typing import NoReturn

GROUPS: dict[str, tuple[str, str]] = {
    # Each top-level command: the module under vrdr_max.cli whose ``register(sub)`` adds it
    # (with its neighbours, in this order), and the line ``vrdr --help`` shows for it.
    # tests/unit/test_cli_cfg.py holds these equal to what the modules register.
    "demo": ("demo_cmds", "the whole DR flow on the built-in demo scene"),
    "cfg": ("cfg_cmds", "read the DR cfg file"),
    "servers": ("cfg_cmds", "edit the render-server list"),
    "spawner": ("spawner_cmds", "V-Ray DR Spawner: NUMA processes, ports, command lines"),
    "probe": ("net_cmds", "TCP-connect to every enabled render server at once"),
    "discover": ("net_cmds", "listen for render servers' readiness broadcasts"),
    "pools": ("pools_cmds", "named server pools from the studio and user files"),
    "check": ("scene_cmds", "the DR preflight on a scene; exit 1 on errors"),
    "submit": ("scene_cmds", "preflight, write the cfg, render, restore"),
    "farm": ("farm_cmds", "render servers from the farm (Deadline Web Service)"),
    "bundle": ("bundle_cmds", "build the 3ds Max application package (folder + zip)"),
    "install": ("bundle_cmds", "copy the built package into 3ds Max's ApplicationPlugins"),
    "uninstall": ("bundle_cmds", "remove the package from ApplicationPlugins"),
    "panel": ("panel_cmds", "the DR panel in its own window (demo scene, or --scene/--cfg)"),
}

DEBUG_FLAG = "--debug"
MAX_USAGE_MESSAGE = 200
"""Longest argparse message shown: it repeats the offending value, however long."""
EXIT_BROKEN_PIPE = 141
"""What a shell reports for a command ended by SIGPIPE (128 + 13), as without Python."""


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized to the terminal without importing ``shutil``.

    argparse builds one for every ``add_argument`` and asks ``shutil`` for the width; shutil
    brings bz2, lzma and fnmatch, a cost every command would pay at start.
    """

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         _terminal_columns() - 2 if width is None else width)


def _terminal_columns() -> int:
    """What ``shutil.get_terminal_size().columns`` gives: $COLUMNS, the terminal, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors and ``--debug`` on every (sub)command.

    ``add_subparsers`` builds sub-parsers of the parent's class, so the whole tree shares this.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # SUPPRESS: a sub-command's default must not reset a --debug given before the group.
        self.add_argument(DEBUG_FLAG, action="store_true", default=argparse.SUPPRESS,
                          help="on an internal error, print the traceback")

    def error(self, message: str) -> NoReturn:
        """A usage error: one line (the usage block stays behind ``--help``), exit 2."""
        where = self.prog.removeprefix("vrdr").strip()
        text = one_line(message)
        if len(text) > MAX_USAGE_MESSAGE:  # argparse quotes the value: 5,000 digits, say
            text = text[:MAX_USAGE_MESSAGE - 3] + "..."
        self.exit(EXIT_USAGE, f"vrdr: error: {where + ': ' if where else ''}{text}"
                              f" (see: {self.prog} --help)\n")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``vrdr`` parser; each group module adds its own sub-commands.

    Args:
        argv: the command line to be parsed: only the group it names is built in full (its
            module imported; for ``cfg`` and ``servers`` only the verb it names), every other
            group is listed by name and help line. None builds every group.
    """
    parser = Parser(prog="vrdr", description="V-Ray Distributed Rendering tools for 3ds Max.")
    parser.add_argument("--version", action="version", version=f"vrdr {__version__}")
    sub = parser.add_subparsers(dest="group", metavar="GROUP", required=True)
    words = [] if argv is None else list(argv)
    at = next((i for i, a in enumerate(words) if not a.startswith("-")), len(words))
    named = words[at] if at < len(words) else None
    if named in GROUPS:
        # The one group the command needs: parsing it needs no other (each sub-parser costs
        # argparse's formatter and translation look-ups). A module with ``register_named``
        # builds just that group, and of its verbs the one named after it.
        group = _cli_module(GROUPS[named][0])
        register_named = getattr(group, "register_named", None)
        if register_named is None:
            group.register(sub)
        else:
            register_named(sub, named, words[at + 1:])
        return parser
    for name, (module, helptext) in GROUPS.items():
        if name in sub.choices:
            continue  # registered by its module with an earlier group
        if argv is None:
            _cli_module(module).register(sub)
        else:
            sub.add_parser(name, help=helptext)  # for the help and the list of choices
    return parser


def _cli_module(name: str) -> ModuleType:
    """``vrdr_max.cli.<name>``, imported without importlib (0.5 ms at every start)."""
    full = f"vrdr_max.cli.{name}"
    __import__(full)
    return sys.modules[full]


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
    args = build_parser(argv).parse_args(argv)
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
