"""The MaxHost contract inside a real 3ds Max: run with tests/max/run_in_max.py (see README)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "host"))

from contract import CONTRACT

from vrdr_max.host import MaxHost


def _in_real_max() -> bool:
    try:
        import pymxs
    except ImportError:
        return False
    return not type(pymxs.runtime).__module__.startswith("mock_pymxs")


pytestmark = pytest.mark.skipif(
    not _in_real_max(),
    reason="needs a real 3ds Max with V-Ray (run tests/max/run_in_max.py through 3dsmaxbatch)")


@pytest.mark.parametrize("clause", CONTRACT, ids=lambda f: f.__name__)
def test_contract_in_max(clause: Callable[[MaxHost], None]) -> None:
    from vrdr_max.max_host import PymxsHost

    clause(PymxsHost())
