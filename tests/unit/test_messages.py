"""Error messages quote user text with errors.quote (one line, no Python repr) (issue 10.11)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "vrdr_max"


def _reprs_in_error_messages(source: str) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in {"InputError", "VrdrError", "HostError", "CfgConflictError"}):
            continue
        for part in ast.walk(node):
            if isinstance(part, ast.FormattedValue) and part.conversion == ord("r"):
                lines.append(part.lineno)
    return lines


def test_user_facing_errors_use_quote_not_repr() -> None:
    found = {str(path.relative_to(PACKAGE)): lines for path in sorted(PACKAGE.rglob("*.py"))
             if (lines := _reprs_in_error_messages(path.read_text(encoding="utf-8")))}
    assert found == {}, "use errors.quote(text) instead of {text!r} in these messages"


def test_the_scan_finds_a_repr() -> None:
    assert _reprs_in_error_messages('raise InputError(f"host {text!r} is bad")') == [1]
    assert _reprs_in_error_messages('raise InputError(f"host {quote(text)} is bad")') == []
