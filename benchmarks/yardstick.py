"""An in-run machine yardstick: fixed work timed in the same run as a benchmark.

Figures from different machines (or from one machine under different load) compare once each
is divided by the yardstick taken next to it. Two pieces of fixed work, each the best of a few
rounds so a scheduler hiccup does not count:

* ``cpu_loop_ms``: a pure-Python loop (integer arithmetic, a dict and a list), the kind of work
  the interpreter does in every benchmark here;
* ``loopback_connect_us``: one TCP connect + close to a listener on 127.0.0.1, the unit of work
  of the probe (kernel and event-loop cost, no network).
"""

from __future__ import annotations

import socket
import time

ROUNDS = 5
CPU_ITERATIONS = 200_000
CONNECTS = 200


def cpu_loop_ms() -> float:
    """Best of ``ROUNDS``: milliseconds for a fixed pure-Python loop."""
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        table: dict[int, int] = {}
        items: list[int] = []
        for i in range(CPU_ITERATIONS):
            table[i & 1023] = table.get(i & 1023, 0) + i * 7 % 13
            if i % 97 == 0:
                items.append(i)
        best = min(best, time.perf_counter() - started)
    return best * 1000.0


def loopback_connect_us() -> float:
    """Best of ``ROUNDS``: mean microseconds per blocking TCP connect + close on loopback."""
    best = float("inf")
    with socket.create_server(("127.0.0.1", 0), backlog=CONNECTS) as server:
        address = server.getsockname()
        for _ in range(ROUNDS):
            started = time.perf_counter()
            for _ in range(CONNECTS):
                socket.create_connection(address, timeout=5).close()
                server.accept()[0].close()
            best = min(best, (time.perf_counter() - started) / CONNECTS)
    return best * 1e6


def measure() -> dict[str, float]:
    """Both yardsticks, rounded, as JSON-ready figures."""
    return {"cpu_loop_ms": round(cpu_loop_ms(), 2),
            "loopback_connect_us": round(loopback_connect_us(), 1)}
