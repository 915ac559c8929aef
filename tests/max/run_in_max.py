"""Run the MaxHost contract inside 3ds Max.

    3dsmaxbatch.exe <repo>\\tests\\max\\run_in_max.py

3ds Max Batch takes the script to run as its one required argument, and a Python file is
accepted as well as MAXScript (Autodesk, "3ds Max Batch": "3ds Max Batch requires a script file
as an input parameter, and an optional scene file to work on"). Give it the throwaway scene to
work on as that optional scene file (`3dsmaxbatch.exe -help` lists the option), or run this
file from a 3ds Max with the scene open (Scripting > Run Script).

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
