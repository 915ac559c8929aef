"""The import rules of ARCHITECTURE.md are lint errors: a stray import fails `ruff check`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUFF = Path(sys.executable).with_name("ruff")


def lint(filename: str, source: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(RUFF), "check", "--select", "TID251", "--stdin-filename",
                           filename, "-"], input=source, capture_output=True, text=True,
                          cwd=ROOT, check=False, timeout=60)


@pytest.mark.skipif(not RUFF.exists(), reason="ruff is not installed next to this Python")
@pytest.mark.parametrize(("filename", "source", "allowed"), [
    ("vrdr_max/checks/stray.py", "import pymxs\n", False),
    ("vrdr_max/submit_stray.py", "from pymxs import runtime\n", False),
    ("vrdr_max/checks/stray.py", "from qtpy import QtWidgets\n", False),
    ("vrdr_max/stray.py", "import PySide6\n", False),
    ("vrdr_max/stray.py", "import mock_pymxs\n", False),
    ("vrdr_max/max_host.py", "import pymxs\n", True),
    ("vrdr_max/panel/dock.py", "from qtpy import QtWidgets\nimport qtmax\n", True),
    ("vrdr_max/panel/controller.py", "from qtpy import QtCore\n", False),
    ("vrdr_max/panel/new_logic.py", "import PySide6\n", False),
    ("vrdr_max/panel/widgets.py", "from qtpy import QtWidgets\n", True),
    ("vrdr_max/mock_session.py", "import mock_pymxs\n", True),
])
def test_import_rules(filename: str, source: str, allowed: bool) -> None:
    result = lint(filename, source)
    assert (result.returncode == 0) is allowed, result.stdout
    if not allowed:
        assert "TID251" in result.stdout
