"""The documented way to run the contract in 3ds Max is `3dsmaxbatch.exe <script file>` (15.15).

Autodesk's "3ds Max Batch": the script file is the required input (a .py is accepted); the
header used to pass it through `-mxsString` instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN_IN_MAX = ROOT / "tests" / "max" / "run_in_max.py"


def _commands(text: str) -> list[list[str]]:
    return [line.strip().strip("`").split() for line in text.splitlines()
            if line.strip().strip("`").startswith("3dsmaxbatch")]


@pytest.mark.parametrize("where", ["header", "docs/field-check.md"])
def test_the_documented_command_passes_the_script_file(where: str) -> None:
    if where == "header":
        text = ast.get_docstring(ast.parse(RUN_IN_MAX.read_text("utf-8"))) or ""
    else:
        text = (ROOT / where).read_text("utf-8")
    commands = _commands(text)
    assert commands, f"{where} shows no 3dsmaxbatch command"
    for argv in commands:
        assert argv[0] == "3dsmaxbatch.exe"
        assert argv[1].replace("\\", "/").endswith("tests/max/run_in_max.py"), argv
        assert "-mxsString" not in argv
