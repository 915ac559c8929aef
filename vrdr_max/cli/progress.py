"""A live progress line on a terminal's stderr, for the commands that wait on the network.

``vrdr probe``, ``vrdr discover``, the farm commands and the preflight's probe redraw one status
line while they wait (``probe_with_progress`` for the probes); every other command neither needs
nor loads this module.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from typing import TextIO

    from vrdr_max.probe import ProbeResult, ProbeTarget


def is_terminal(stream: TextIO) -> bool:
    """True when ``stream`` is an interactive terminal (live progress lines make sense)."""
    return stream.isatty() and os.environ.get("TERM") != "dumb"


LIVE_LINE_INTERVAL_S = 0.1
"""Fastest redraw of the live progress line; a redraw per result would flood a slow terminal."""


class LiveLine:
    """A carriage-return-redrawn status line on a terminal's stderr; silent when piped."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = is_terminal(stream)
        self._last = 0.0
        self._width = 0

    def show(self, text: str, *, force: bool = False) -> None:
        """Redraw the line, at most every ``LIVE_LINE_INTERVAL_S`` unless ``force``."""
        now = time.monotonic()
        if not self.enabled or (not force and now - self._last < LIVE_LINE_INTERVAL_S):
            return
        self._last = now
        self.stream.write("\r" + text.ljust(self._width))
        self._width = len(text)
        self.stream.flush()

    def clear(self) -> None:
        """Erase the line."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()


def probe_with_progress(targets: list[ProbeTarget], *, timeout: float,
                        concurrency: int | None = None) -> list[ProbeResult]:
    """Probe, with a live tally on a terminal's stderr."""
    from vrdr_max.probe import lift_fd_limit, probe  # noqa: PLC0415 - only commands that probe

    line = LiveLine(sys.stderr)
    counts: dict[str, int] = {}

    def progress(done: int, total: int, result: ProbeResult) -> None:
        counts[result.state.value] = counts.get(result.state.value, 0) + 1
        tally = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        line.show(f"probing {done}/{total}: {tally}", force=done == total)

    try:
        lift_fd_limit(len(targets))  # every endpoint at once: one timeout in all
        return probe(targets, timeout=timeout, concurrency=concurrency,
                     progress=progress if line.enabled else None)
    finally:
        line.clear()
