"""What every ``vrdr`` command shares: the JSON envelope, cfg location options, output helpers."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

JSON_VERSION = 1
"""Version of every ``--json`` document; bump it when a field changes meaning or goes away."""

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


def emit_json(document: dict[str, Any], stream: TextIO | None = None) -> None:
    """Print ``document`` with the ``"version"`` field first."""
    out = stream or sys.stdout
    json.dump({"version": JSON_VERSION, **document}, out, indent=2, ensure_ascii=False)
    out.write("\n")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """``--json``: machine-readable output."""
    parser.add_argument("--json", action="store_true", help="print a JSON document (version 1)")


def add_cfg_args(parser: argparse.ArgumentParser) -> None:
    """``--cfg PATH``, ``--max-version YEAR`` and ``--gpu``: which cfg file to use."""
    parser.add_argument("--cfg", type=Path, metavar="PATH",
                        help="the vray_dr.cfg / vrayrt_dr.cfg file to use")
    parser.add_argument("--max-version", type=int, metavar="YEAR",
                        help="find the file in this 3ds Max version's per-user plugcfg folder")
    parser.add_argument("--gpu", action="store_true",
                        help="V-Ray GPU: vrayrt_dr.cfg and the GPU ports")


def is_terminal(stream: TextIO) -> bool:
    """True when ``stream`` is an interactive terminal (live progress lines make sense)."""
    return stream.isatty() and os.environ.get("TERM") != "dumb"
