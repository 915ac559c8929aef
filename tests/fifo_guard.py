"""One helper for the tests that hand vrdr a FIFO: the call must not block on it."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def finishes(action: Callable[[], Any], fifo: Path, seconds: float = 10.0) -> Any:
    """Run ``action`` on a thread; its value, or the exception it ended with.

    Fails the test if it is still stuck on ``fifo`` after ``seconds`` (after releasing the
    blocked reader: a writer that comes and goes lets it open the FIFO).
    """
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(action())
        except BaseException as exc:  # noqa: BLE001 - handed to the test as a value
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(10)
        pytest.fail(f"blocked for {seconds} s on the FIFO {fifo.name}")
    return outcome[0]
