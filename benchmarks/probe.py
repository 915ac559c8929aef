"""Probe 1,000 loopback endpoints (online, refused, blackholed) and print the figures as JSON.

Budget: the whole run takes about one timeout (under 1.3 s with a 1 s timeout),
because endpoints are probed concurrently. The sequential baseline is measured in the same run
on a sample with the same mix, one endpoint after the other, and scaled to the full count.

Blackholed endpoints are listeners with a backlog of 0 whose single accept-queue place is held
by a connection nobody accepts: the kernel drops further SYNs, so a connect hears nothing.
Everything stays on 127.0.0.1.

    python benchmarks/probe.py [--count 1000] [--timeout 1.0] [--concurrency 256]
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import sys
import time
import tracemalloc
from collections import Counter
from contextlib import ExitStack

from vrdr_max.probe import DEFAULT_CONCURRENCY, ProbeState, ProbeTarget, probe

BUDGET_S = 1.3
MIX = ("online", "online", "refused", "refused", "blackholed")
"""Per five endpoints: 40 % online, 40 % refused, 20 % blackholed, interleaved."""
SAMPLE = 20
"""Endpoints in the sequential baseline (same mix)."""
LOCAL = "127.0.0.1"


def raise_fd_limit(needed: int) -> tuple[int, int]:
    """Lift the soft open-file limit towards the hard one: each endpoint costs 2-3 descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def endpoint(kind: str, index: int, stack: ExitStack) -> ProbeTarget:
    """Open one endpoint of ``kind`` on loopback.

    Refused endpoints each get their own loopback address, like the distinct hosts of a
    farm: a refused host is scanned for a well-known port that does accept (port hints),
    once per address, so sharing one address would hide that cost.
    """
    host = f"127.1.{index // 250}.{index % 250 + 1}" if kind == "refused" else LOCAL
    server = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
    server.bind((host, 0))
    port = int(server.getsockname()[1])
    if kind == "online":
        server.listen(16)
    elif kind == "blackholed":
        server.listen(0)
        stack.enter_context(socket.create_connection((host, port), timeout=5))
    return ProbeTarget(host, port)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    args = parser.parse_args()
    limit = raise_fd_limit(4 * (args.count + SAMPLE) + 256)
    expected_state = {"online": ProbeState.ONLINE, "refused": ProbeState.REFUSED,
                      "blackholed": ProbeState.TIMEOUT}
    with ExitStack() as stack:
        kinds = [MIX[i % len(MIX)] for i in range(args.count)]
        targets = [endpoint(kind, i, stack) for i, kind in enumerate(kinds)]
        sample_kinds = [MIX[i % len(MIX)] for i in range(SAMPLE)]
        sample = [endpoint(kind, args.count + i, stack) for i, kind in enumerate(sample_kinds)]

        started = time.perf_counter()
        results = probe(targets, timeout=args.timeout, concurrency=args.concurrency)
        total_s = time.perf_counter() - started

        started = time.perf_counter()
        probe(targets, timeout=args.timeout, concurrency=args.concurrency, hint_ports=False)
        without_hints_s = time.perf_counter() - started

        started = time.perf_counter()
        sequential = probe(sample, timeout=args.timeout, concurrency=1)
        sample_s = time.perf_counter() - started

        # A second concurrent run, traced, for the memory figure (tracing slows allocation,
        # so it is kept out of the timed run).
        tracemalloc.start()
        traced = probe(targets, timeout=args.timeout, concurrency=args.concurrency)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    sequential_estimate_s = sample_s * args.count / SAMPLE
    states = Counter(r.state.value for r in results)
    as_expected = all(r.state is expected_state[k] for r, k in zip(results, kinds, strict=True))
    as_expected &= all(r.state is expected_state[k]
                       for r, k in zip(sequential, sample_kinds, strict=True))
    as_expected &= [r.state for r in traced] == [r.state for r in results]
    figures = {
        "endpoints": args.count,
        "mix": dict(Counter(kinds)),
        "timeout_s": args.timeout,
        "concurrency": args.concurrency,
        "total_s": round(total_s, 3),
        "ratio_to_one_timeout": round(total_s / args.timeout, 3),
        "total_s_without_port_hints": round(without_hints_s, 3),
        "budget_s": BUDGET_S,
        "within_budget": total_s < BUDGET_S,
        "sequential_sample": SAMPLE,
        "sequential_sample_s": round(sample_s, 3),
        "sequential_estimate_s": round(sequential_estimate_s, 1),
        "speedup_vs_sequential": round(sequential_estimate_s / total_s, 1),
        "states": dict(states),
        "states_as_expected": as_expected,
        "peak_traced_python_kib": round(traced_peak / 1024, 1),
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "fd_limit": list(limit),
        "python": sys.version.split()[0],
    }
    print(json.dumps(figures, indent=2))
    return 0 if as_expected else 1


if __name__ == "__main__":
    sys.exit(main())
