"""Test-wide setup: Qt runs offscreen; the mock_pymxs fixtures are available everywhere."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["mock_pymxs.pytest_plugin"]
