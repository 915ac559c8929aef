"""Run the MaxHost contract inside 3ds Max.

    3dsmaxbatch.exe -mxsString "python.ExecuteFile @\"<repo>\\tests\\max\\run_in_max.py\""

The scene must use V-Ray (CPU or GPU); the contract creates a dome light and renders once.
pytest and the project's dependencies must be importable from 3ds Max's Python.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
code = pytest.main([str(HERE), "-p", "no:cacheprovider", "-q"])
print(f"vrdr contract in 3ds Max: pytest exit code {code}")
