"""pytest fixtures for mock_pymxs: enable with ``pytest_plugins = ["mock_pymxs.pytest_plugin"]``.

``mock_max`` installs a scene for one test and uninstalls it afterwards. The scene is the
demo scene unless the test is marked ``@pytest.mark.mock_scene("clean")`` (a bundled scene
name or a path). ``getDir #plugcfg`` returns a fresh ``tmp_path / "plugcfg"`` folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_pymxs.install import MockMax, install


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``mock_scene`` marker (the project runs pytest with --strict-markers)."""
    config.addinivalue_line("markers", "mock_scene(scene): the scene the mock_max fixture installs")


@pytest.fixture
def mock_max(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MockMax]:
    """The mock installed as ``pymxs``/``qtmax`` for one test."""
    marker = request.node.get_closest_marker("mock_scene")
    scene = marker.args[0] if marker is not None and marker.args else None
    plugcfg = tmp_path / "plugcfg"
    plugcfg.mkdir()
    mock = install(scene, plugcfg_dir=plugcfg)
    try:
        yield mock
    finally:
        mock.uninstall()
