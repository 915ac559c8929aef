"""Fixtures of the package tests: one local wheel folder and one package built from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from startup_helpers import Wheelhouse, build_bundle, make_wheelhouse


@pytest.fixture(scope="session")
def house(tmp_path_factory: pytest.TempPathFactory) -> Wheelhouse:
    """Small fake wheels (one compiled per ABI, one pure) and the lock pinning them."""
    return make_wheelhouse(tmp_path_factory.mktemp("house"))


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory, house: Wheelhouse) -> Path:
    """The package built from this checkout with the local wheels (read-only in tests)."""
    return build_bundle(tmp_path_factory.mktemp("bundle"), house)
