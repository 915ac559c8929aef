"""What every ``vrdr`` command shares: the JSON envelope, cfg location options, output helpers.

The live progress line of the commands that wait on the network is ``cli.progress`` (a
command that does not wait loads none of it).
"""

from __future__ import annotations

import argparse
import math
import os
import sys

from vrdr_max.errors import InputError
from vrdr_max.ports import Engine

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, TextIO

    from vrdr_max.probe import ProbeResult, ProbeTarget

JSON_VERSION = 1
"""Version of every ``--json`` document; bump it when a field changes meaning or goes away."""

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
"""A bug, not bad input (sysexits' EX_SOFTWARE): ``main``'s last-resort handler."""


def emit_json(document: dict[str, Any], stream: TextIO | None = None) -> None:
    """Print ``document`` with the ``"version"`` field first, as strict JSON.

    A non-finite number (a cfg value too large for a float, say) is written as text ("inf"),
    never as the ``Infinity``/``NaN`` that strict parsers reject.
    """
    import json  # noqa: PLC0415 - only commands that print JSON pay for it

    from vrdr_max.cli.terminal import json_for_terminal  # noqa: PLC0415

    out = stream or sys.stdout
    text = json.dumps(_finite({"version": JSON_VERSION, **document}), indent=2,
                      ensure_ascii=False, allow_nan=False)
    # Control characters and what the stream's encoding lacks as JSON escapes (issue 18.14/16).
    out.write(json_for_terminal(text, getattr(out, "encoding", None)) + "\n")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


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


def probe_with_progress(targets: list[ProbeTarget], *, timeout: float,
                        concurrency: int | None = None) -> list[ProbeResult]:
    """Probe, with a live tally on a terminal's stderr."""
    from vrdr_max.cli.progress import LiveLine  # noqa: PLC0415 - only commands that probe
    from vrdr_max.probe import lift_fd_limit, probe  # noqa: PLC0415

    line = LiveLine(sys.stderr)
    counts: dict[str, int] = {}

    def progress(done: int, total: int, result: ProbeResult) -> None:
        counts[result.state.value] = counts.get(result.state.value, 0) + 1
        tally = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        line.show(f"probing {done}/{total}: {tally}", force=done == total)

    try:
        lift_fd_limit(len(targets))  # every endpoint at once: one timeout in all
        return probe(targets, timeout=timeout, concurrency=concurrency,
                     progress=progress if line.enabled else None)
    finally:
        line.clear()
