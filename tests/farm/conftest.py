"""Fixtures of the farm tests: the fake farm, a user config pointing vrdr at it, the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vrdr_max.cli.main import main

from .fake_deadline import FakeDeadline, fake_farm
from .helpers import (
    ARTIST_CFG,
    PASSWORD,
    USER,
    Env,
    Run,
    Vrdr,
    assert_no_secret,
    default_workers,
    write_user_config,
)


@pytest.fixture
def farm() -> Iterator[FakeDeadline]:
    with fake_farm(default_workers(), user=USER, password=PASSWORD) as fake:
        yield fake


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, farm: FakeDeadline) -> Env:
    user_config = tmp_path / "user" / "config.json"
    user_config.parent.mkdir()
    write_user_config(user_config, farm)
    monkeypatch.setenv("VRDR_USER_CONFIG", str(user_config))
    monkeypatch.setenv("VRDR_DEADLINE_PASSWORD", PASSWORD)
    monkeypatch.delenv("VRDR_DEADLINE_URL", raising=False)
    plugcfg = tmp_path / "plugcfg"
    plugcfg.mkdir()
    cfg = plugcfg / "vray_dr.cfg"
    cfg.write_bytes(ARTIST_CFG)
    return Env(tmp=tmp_path, cfg=cfg, user_config=user_config)


@pytest.fixture
def vrdr(capsys: pytest.CaptureFixture[str]) -> Iterator[Vrdr]:
    """``vrdr(*args)`` runs the command line in this process; every output is leak-checked."""
    runs: list[Run] = []

    def run(*args: str) -> Run:
        code = main(list(args))
        captured = capsys.readouterr()
        result = Run(code, captured.out, captured.err)
        runs.append(result)
        return result

    yield run
    for result in runs:
        assert_no_secret(result.out, result.err)
