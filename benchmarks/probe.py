"""Probe 1,000 loopback endpoints with 200, 500 and 1,000 of them blackholed; print JSON figures.

Budget: each run takes about one timeout (under 1.3 s with a 1 s timeout) whatever share of
the endpoints hangs, because every endpoint is probed at once (up to the file-descriptor
limit). Every time is also given as a ratio to the in-run baseline, interleaved with the probes
of each round: one blocking ``socket.create_connection`` to a blackholed endpoint with the same
timeout (what giving up on one silent server costs at least). Each mix is also probed with the
socket cap of Windows (``WINDOWS_SELECT_SOCKETS``, 500 in flight: two waves for 1,000 hanging
endpoints); the selector stays epoll, since ``select()`` on Linux cannot watch descriptors
above 1023. The sequential baseline is measured on a sample of the first mix, one endpoint
after the other, and scaled to the full count; a machine yardstick is taken too. Conditions:
warm (one process, every module imported before the first timing), so bytecode plays no part.

Blackholed endpoints are listeners with a backlog of 0 whose single accept-queue place is held
by a connection nobody accepts: the kernel drops further SYNs, so a connect hears nothing.
The endpoints that do not hang are half online, half refused (each refused one on its own
loopback address, so the "wrong port?" scan runs once per endpoint). Everything stays on
127.0.0.x.

    python benchmarks/probe.py [--count 1000] [--blackholed 200 500 1000] [--timeout 1.0]
                               [--concurrency N] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from contextlib import ExitStack
from typing import Any

import yardstick
from gcwatch import Promotions

from vrdr_max.probe import WINDOWS_SELECT_SOCKETS, ProbeState, ProbeTarget, probe

BUDGET_S = 1.3
SAMPLE = 20
"""Endpoints in the sequential baseline (the first mix's proportions)."""
PROMOTION_RUNS = 5
"""Probes of the first mix watched for objects promoted into the oldest GC generation."""
LOCAL = "127.0.0.1"
EXPECTED = {"online": ProbeState.ONLINE, "refused": ProbeState.REFUSED,
            "blackholed": ProbeState.TIMEOUT}


def raise_fd_limit(needed: int) -> tuple[int, int]:
    """Lift the soft open-file limit towards the hard one: each endpoint costs 2-3 descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def mix(count: int, blackholed: int) -> list[str]:
    """``count`` kinds, ``blackholed`` of them blackholed, spread evenly; the rest alternate."""
    kinds: list[str] = []
    others = 0
    for i in range(count):
        if (i + 1) * blackholed // count > i * blackholed // count:
            kinds.append("blackholed")
        else:
            kinds.append(("online", "refused")[others % 2])
            others += 1
    return kinds


class Endpoints:
    """Opens loopback endpoints of each kind; everything closes with the stack."""

    def __init__(self, stack: ExitStack) -> None:
        self.stack = stack
        self.refused_hosts = 0

    def open(self, kind: str) -> ProbeTarget:
        if kind == "refused":  # a distinct host each: port hints scan once per address
            index, self.refused_hosts = self.refused_hosts, self.refused_hosts + 1
            host = f"127.1.{index // 250}.{index % 250 + 1}"
        else:
            host = LOCAL
        server = self.stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        server.bind((host, 0))
        port = int(server.getsockname()[1])
        if kind == "online":
            server.listen(64)
        elif kind == "blackholed":
            server.listen(0)
            self.stack.enter_context(socket.create_connection((host, port), timeout=5))
        return ProbeTarget(host, port)


def promoted_per_probe(targets: list[ProbeTarget], runs: int,
                       **options: Any) -> tuple[float, int]:
    """Mean objects promoted into the oldest generation per probe of ``targets``; full GCs."""
    with Promotions() as watch:
        for _ in range(runs):
            probe(targets, **options)
    return watch.promoted / runs, watch.full


def timed(targets: list[ProbeTarget], **options: Any) -> tuple[float, list[Any]]:
    started = time.perf_counter()
    results = probe(targets, **options)
    return time.perf_counter() - started, results


def one_silent_connect(target: ProbeTarget, timeout: float) -> float:
    """The baseline: a blocking connect to one blackholed endpoint, until it gives up."""
    started = time.perf_counter()
    try:
        socket.create_connection((target.host, target.port), timeout=timeout).close()
    except OSError:
        pass
    else:
        raise SystemExit("the baseline's blackholed endpoint accepted")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--blackholed", type=int, nargs="+", default=[200, 500, 1000])
    parser.add_argument("--timeout", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, help="default: the probe's own choice")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds per mix (medians are reported)")
    args = parser.parse_args()
    limit = raise_fd_limit(4 * (len(args.blackholed) * args.count + SAMPLE) + 256)
    options: dict[str, Any] = {"timeout": args.timeout}
    if args.concurrency is not None:
        options["concurrency"] = args.concurrency
    machine = yardstick.measure()
    runs = []
    as_expected = True
    with ExitStack() as stack:
        endpoints = Endpoints(stack)
        silent = endpoints.open("blackholed")
        for blackholed in args.blackholed:
            kinds = mix(args.count, blackholed)
            targets = [endpoints.open(kind) for kind in kinds]
            times: dict[str, list[float]] = {"baseline": [], "probe": [], "without_hints": [],
                                              "windows_cap": []}
            states: Counter[str] = Counter()
            for _ in range(args.rounds):  # interleaved: load hits baseline and probes alike
                times["baseline"].append(one_silent_connect(silent, args.timeout))
                total_s, results = timed(targets, **options)
                times["probe"].append(total_s)
                times["without_hints"].append(timed(targets, hint_ports=False, **options)[0])
                capped_s, capped = timed(targets, **{**options,
                                                     "concurrency": WINDOWS_SELECT_SOCKETS})
                times["windows_cap"].append(capped_s)
                as_expected &= all(r.state is EXPECTED[k]
                                   for rs in (results, capped)
                                   for r, k in zip(rs, kinds, strict=True))
                states = Counter(r.state.value for r in results)
            median = {name: statistics.median(values) for name, values in times.items()}
            runs.append({
                "mix": dict(Counter(kinds)),
                "median_s": {name: round(value, 3) for name, value in median.items()},
                "x_baseline": {name: round(value / median["baseline"], 2)
                               for name, value in median.items() if name != "baseline"},
                "total_s": round(median["probe"], 3),
                "within_budget": median["probe"] < BUDGET_S,
                "windows_cap_waves_if_all_hang": -(-args.count // WINDOWS_SELECT_SOCKETS),
                "states": dict(states),
            })
        sample_kinds = mix(SAMPLE, SAMPLE * args.blackholed[0] // args.count)
        sample = [endpoints.open(kind) for kind in sample_kinds]
        sample_s, sequential = timed(sample, timeout=args.timeout, concurrency=1)
        as_expected &= all(r.state is EXPECTED[k]
                           for r, k in zip(sequential, sample_kinds, strict=True))
        # The first mix again, traced, for the memory figure (tracing slows allocation, so
        # it is kept out of the timed runs).
        traced_targets = [endpoints.open(kind) for kind in mix(args.count, args.blackholed[0])]
        tracemalloc.start()
        probe(traced_targets, **options)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        promoted, promoted_full = promoted_per_probe(traced_targets, PROMOTION_RUNS, **options)

    sequential_estimate_s = sample_s * args.count / SAMPLE
    figures = {
        "endpoints": args.count,
        "timeout_s": args.timeout,
        "concurrency": args.concurrency or "default",
        "budget_s": BUDGET_S,
        "conditions": "warm, one process; bytecode not involved; rounds interleaved",
        "rounds": args.rounds,
        "windows_select_sockets": WINDOWS_SELECT_SOCKETS,
        "runs": runs,
        "all_within_budget": all(run["within_budget"] for run in runs),
        "sequential_sample": SAMPLE,
        "sequential_sample_s": round(sample_s, 3),
        "sequential_estimate_s": round(sequential_estimate_s, 1),
        "speedup_vs_sequential": round(sequential_estimate_s / runs[0]["total_s"], 1),
        "sequential_estimate_x_baseline": round(
            sequential_estimate_s / runs[0]["median_s"]["baseline"], 1),
        "states_as_expected": as_expected,
        "peak_traced_python_kib": round(traced_peak / 1024, 1),
        "gen2_promoted_per_probe": round(promoted),
        "gen2_promoted_per_endpoint": round(promoted / args.count, 1),
        "promotion_runs": PROMOTION_RUNS,
        "promotion_runs_full_gcs": promoted_full,
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "fd_limit": list(limit),
        "machine_yardstick": machine,
        "python": sys.version.split()[0],
    }
    print(json.dumps(figures, indent=2))
    return 0 if as_expected else 1


if __name__ == "__main__":
    sys.exit(main())
