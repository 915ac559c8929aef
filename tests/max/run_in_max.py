"""Run the MaxHost contract inside 3ds Max.

    3dsmaxbatch.exe -mxsString "python.ExecuteFile @\"<repo>\\tests\\max\\run_in_max.py\""

The scene must use V-Ray (CPU or GPU) and be a throwaway copy: the contract creates a dome light,
a V-Ray light on a hidden layer and a bitmap in Material Editor slot 24, and renders. The
cancelled-render clause needs a person: set VRDR_CONTRACT_CANCEL=1 and run 3ds Max with its UI
(not 3dsmaxbatch), then press Cancel when the render starts; otherwise it is skipped.
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
