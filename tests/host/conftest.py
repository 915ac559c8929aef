"""Fixtures shared by the host tests: an artist's plugcfg folder and the clean scene over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from host_scenes import host_for

from vrdr_max.host import MaxHost


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
def clean(plugcfg: Path) -> Iterator[tuple[MaxHost, Any]]:
    """The clean mock scene, with :func:`plugcfg` as its plugcfg folder: (host, mock)."""
    with host_for("clean", plugcfg) as pair:
        yield pair
