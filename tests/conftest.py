"""Test-wide setup: Qt runs offscreen; the mock_pymxs fixtures are available everywhere."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _no_machine_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see this machine's vrdr settings (studio file, user file, plugcfg)."""
    for name in ("VRDR_STUDIO_CONFIG", "VRDR_PLUGCFG", "APPDATA", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VRDR_USER_CONFIG", str(tmp_path / "no-user-config.json"))

pytest_plugins = ["mock_pymxs.pytest_plugin"]
