"""``vrdr cfg ...`` and ``vrdr servers ...``: read and edit the DR server list. (stub, filled next)"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``cfg`` and ``servers`` groups."""
    sub.add_parser("cfg", help="show the DR cfg file")
