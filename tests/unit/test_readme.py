"""The README's quick start and Python example stay true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_is_exactly_the_two_commands() -> None:
    block = re.search(r"## Quick start.*?```\n(.*?)```", README, re.S)
    assert block is not None
    assert block.group(1).split("\n")[:-1] == ["uv run vrdr demo", "uv run pytest"]


def test_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    example = re.search(r"## Python API.*?```python\n(.*?)```", README, re.S)
    assert example is not None
    (tmp_path / "vray_dr.cfg").write_bytes(b"render07 1 20204\r\nfuture_key 1\r\n")
    monkeypatch.chdir(tmp_path)
    exec(compile(example.group(1), "README.md", "exec"), {})
    text = (tmp_path / "vray_dr.cfg").read_bytes()
    assert b"render07 0 20204\r\n" in text
    assert b"10.0.0.21 1 20204\r\n" in text
    assert b"numa01 1 20207\r\n" in text
    assert b"future_key 1\r\n" in text
