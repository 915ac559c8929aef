"""Fixtures shared by the host tests: an artist's plugcfg folder and the clean scene over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from host_scenes import host_for

from vrdr_max.host import MaxHost
from vrdr_max.plugcfg import PLUGCFG_ENV
from vrdr_max.studio import STUDIO_ENV, USER_ENV


@pytest.fixture
def artist_cfg() -> bytes:
    """The artist's ``vray_dr.cfg`` before vrdr touches it; a module overrides it with its own."""
    return b"oldbox 1 20204\r\n"


@pytest.fixture
def plugcfg(tmp_path: Path, artist_cfg: bytes) -> Path:
    """A plugcfg folder holding :func:`artist_cfg` as ``vray_dr.cfg``."""
    folder = tmp_path / "plugcfg"
    folder.mkdir()
    (folder / "vray_dr.cfg").write_bytes(artist_cfg)
    return folder


@pytest.fixture
def cfg(plugcfg: Path) -> Path:
    """The artist's ``vray_dr.cfg`` in :func:`plugcfg`, for the command line's ``--cfg``."""
    return plugcfg / "vray_dr.cfg"


@pytest.fixture
def no_config_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No studio or user settings file and no plugcfg folder from the environment."""
    monkeypatch.setenv(USER_ENV, str(tmp_path / "no-user.json"))
    monkeypatch.delenv(STUDIO_ENV, raising=False)
    monkeypatch.delenv(PLUGCFG_ENV, raising=False)


@pytest.fixture
def clean(plugcfg: Path) -> Iterator[tuple[MaxHost, Any]]:
    """The clean mock scene, with :func:`plugcfg` as its plugcfg folder: (host, mock)."""
    with host_for("clean", plugcfg) as pair:
        yield pair
