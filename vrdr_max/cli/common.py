"""What every ``vrdr`` command shares: exit codes, the ``--json`` flag, cfg location options.

What only some commands run lives beside it, loaded by those alone: the JSON document
(``cli.json_output``), the live progress line and the probe behind it (``cli.progress``).
"""

from __future__ import annotations

import argparse
import os

from vrdr_max.errors import InputError
from vrdr_max.ports import Engine

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
"""A bug, not bad input (sysexits' EX_SOFTWARE): ``main``'s last-resort handler."""


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """``--json``: machine-readable output."""
    parser.add_argument("--json", action="store_true", help="print a JSON document (version 1)")


def add_cfg_args(parser: argparse.ArgumentParser) -> None:
    """``--cfg PATH``, ``--max-version YEAR`` and ``--gpu``: which cfg file to use."""
    from pathlib import Path  # noqa: PLC0415 - `vrdr --help` names no file: no pathlib at start

    parser.add_argument("--cfg", type=Path, metavar="PATH",
                        help="the vray_dr.cfg / vrayrt_dr.cfg file to use")
    parser.add_argument("--max-version", type=int, metavar="YEAR",
                        help="find the file in this 3ds Max version's per-user plugcfg folder")
    parser.add_argument("--lang", metavar="LANG",
                        help="with --max-version: the 3ds Max language (ENU, DEU, FRA, JPN, "
                             "CHS, KOR, PTB; default ENU)")
    parser.add_argument("--gpu", action="store_true",
                        help="V-Ray GPU: vrayrt_dr.cfg and the GPU ports")


def cfg_engine(args: argparse.Namespace, default: Engine = Engine.CPU) -> Engine:
    """``--gpu``, else the engine a ``--cfg`` file's name says, else ``default``.

    Raises:
        InputError: ``--gpu`` with V-Ray CPU's ``vray_dr.cfg``.
    """
    from vrdr_max.cfgread import CPU_CFG_NAME, GPU_CFG_NAME, engine_from_name  # noqa: PLC0415

    if args.cfg is not None and args.cfg.name.lower() in {CPU_CFG_NAME, GPU_CFG_NAME}:
        named = engine_from_name(args.cfg)
        if args.gpu and named is Engine.CPU:
            raise InputError(f"--gpu, but {args.cfg.name} is V-Ray CPU's file "
                             f"(V-Ray GPU reads {GPU_CFG_NAME})")
        return named
    return Engine.GPU if args.gpu else default


def cfg_given(args: argparse.Namespace) -> bool:
    """True when the user named a cfg (``--cfg``, ``--max-version`` or ``VRDR_PLUGCFG``)."""
    from vrdr_max.plugcfg import PLUGCFG_ENV  # noqa: PLC0415

    return args.cfg is not None or args.max_version is not None or bool(
        os.environ.get(PLUGCFG_ENV))


def cfg_path(args: argparse.Namespace, engine: Engine) -> Path:
    """The cfg file the options name (see ``plugcfg.find_cfg``)."""
    from vrdr_max.plugcfg import find_cfg  # noqa: PLC0415

    return find_cfg(engine, cfg=args.cfg, max_version=args.max_version, lang=args.lang)
