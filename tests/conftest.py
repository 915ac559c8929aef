"""Test-wide setup: Qt runs offscreen; the mock_pymxs fixtures are available everywhere."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# CI lands or refuses a change on one run: there the property tests draw the same examples on
# every run (a change cannot pass once and fail the next time on a draw of luck); elsewhere
# they draw new ones each run and so search further.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _no_machine_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see this machine's vrdr settings (studio file, user file, plugcfg)."""
    for name in ("VRDR_STUDIO_CONFIG", "VRDR_PLUGCFG", "APPDATA", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VRDR_USER_CONFIG", str(tmp_path / "no-user-config.json"))

pytest_plugins = ["mock_pymxs.pytest_plugin"]
