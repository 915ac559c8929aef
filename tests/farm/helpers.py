"""Shared by the farm tests: the login searched for in every output, the artist's cfg, the farm."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .fake_deadline import OFFLINE, FakeDeadline, FakeWorker

USER = "artist"
PASSWORD = "Pw-9f3k!secret"
TOKEN = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SECRETS = (PASSWORD, TOKEN)

ARTIST_CFG = b"oldbox 1 20204\r\n; the artist's own note\r\nrestart_slaves 1\r\n"
"""The artist's cfg before any reservation; it must come back byte for byte."""

MAX_YEAR = 2026


def default_workers() -> list[FakeWorker]:
    """The issue's farm: some answer, one never listens, one offline, one in another pool."""
    return [
        FakeWorker("render01", "127.0.0.2"),
        FakeWorker("render02", "127.0.0.3", spawner_after=0.25),
        FakeWorker("render03", "127.0.0.4", pickup_after=0.05),
        FakeWorker("render04", "127.0.0.5", spawner_after=None),  # takes the job, never listens
        FakeWorker("render05", "127.0.0.6", state=OFFLINE),
        FakeWorker("sim01", "127.0.0.7", pools=["sim"]),
    ]


def write_user_config(path: Path, farm: FakeDeadline | None, **farm_keys: object) -> None:
    """A user config pointing vrdr at ``farm`` with short waits and timeouts."""
    keys: dict[str, object] = {"poll_interval": 0.05, "http_timeout": 1.0,
                               "max_version": MAX_YEAR, "pool": "dr", "wait": 1.0}
    if farm is not None:
        keys.update(deadline_url=farm.url, spawner_port=farm.spawner_port)
    keys.update(farm_keys)
    path.write_text(json.dumps({"version": 1, "defaults": {"probe_timeout": 0.3},
                                "farm": keys}), encoding="utf-8")


def assert_no_secret(*texts: str) -> None:
    """No text holds the password or its Basic token."""
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, "a credential reached the output"


def assert_no_secret_in_files(folder: Path) -> None:
    """No file under ``folder`` holds the password or its Basic token."""
    for path in folder.rglob("*"):
        if path.is_file():
            assert_no_secret(path.read_bytes().decode("utf-8", "replace"))


@dataclass
class Env:
    """Where a test's files are."""

    tmp: Path
    cfg: Path
    user_config: Path

    @property
    def records(self) -> Path:
        return self.user_config.parent / "farm-reservations"

    def record_files(self) -> list[Path]:
        return sorted(self.records.glob("*.json")) if self.records.is_dir() else []


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Vrdr = Callable[..., Run]
