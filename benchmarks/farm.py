"""Reserve 50 machines on the fake farm: what vrdr adds to the time the farm takes to hand them out.

Budget (issue 17): a reservation ends at most one probe timeout and one poll interval after the
farm has handed out its last machine, whatever the farm's pace: vrdr never waits a fixed time
(Deadline's own tool waits 10 s) and never probes one machine after the other.

The fake Deadline Web Service of ``tests/farm`` runs in this process with 50 workers on
127.0.2.1-50; worker *i* takes its task ``i/50 * --handout`` seconds after the submission and
its spawner listens at once. For each run: ``handout_s`` is when the farm handed out the last
task (the fake records it), ``total_s`` when ``reserve()`` returned, ``overhead_s`` the
difference, and ``ratio`` = overhead / (probe timeout + poll interval): at most 1 meets the
budget. A machine yardstick is measured in the same process (``yardstick.py``). Warm: the first
run is a warm-up (imports, first connections) and is reported apart; bytecode on.

    uv run python benchmarks/farm.py [--machines 50] [--handout 1.0] [--timeout 0.5]
                                     [--interval 0.25] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yardstick  # noqa: E402

from tests.farm.fake_deadline import FakeWorker, fake_farm  # noqa: E402
from vrdr_max.farm.deadline import DeadlineClient  # noqa: E402
from vrdr_max.farm.http import WebService  # noqa: E402
from vrdr_max.farm.records import RecordStore  # noqa: E402
from vrdr_max.farm.reservation import ReserveOptions, reserve  # noqa: E402
from vrdr_max.farm.urls import parse_service_url  # noqa: E402
from vrdr_max.ports import Engine  # noqa: E402


def one_run(machines: int, handout: float, timeout: float, interval: float) -> dict[str, Any]:
    workers = [FakeWorker(f"node{i:03d}", f"127.0.2.{i}", pickup_after=handout * i / machines)
               for i in range(1, machines + 1)]
    with fake_farm(workers) as farm, tempfile.TemporaryDirectory() as folder:
        cfg = Path(folder) / "vray_dr.cfg"
        client = DeadlineClient(WebService(parse_service_url(farm.url), timeout=5.0))
        options = ReserveOptions(servers=machines, engine=Engine.CPU, max_year=2026,
                                 port=farm.spawner_port, wait=handout + 30, poll_interval=interval,
                                 probe_timeout=timeout)
        started = time.monotonic()
        report = reserve(client, options, cfg, store=RecordStore(Path(folder) / "records"),
                         local_names=frozenset())
        ended = time.monotonic()
        job = farm.only_job()
        assigned = [t.assigned_at for t in job.tasks if t.assigned_at is not None]
        handout_s = max(assigned) - job.submitted
        total_s = ended - started
        overhead = total_s - handout_s
        return {"answered": len(report.servers), "handout_s": round(handout_s, 3),
                "total_s": round(total_s, 3), "overhead_s": round(overhead, 3),
                "ratio": round(overhead / (timeout + interval), 3),
                "requests": client.service.requests}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machines", type=int, default=50)
    parser.add_argument("--handout", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=0.5)
    parser.add_argument("--interval", type=float, default=0.25)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    machine = yardstick.measure()
    warmup = one_run(args.machines, args.handout, args.timeout, args.interval)
    runs = [one_run(args.machines, args.handout, args.timeout, args.interval)
            for _ in range(args.runs)]
    ratios = [r["ratio"] for r in runs]
    print(json.dumps({
        "benchmark": "farm reserve", "machines": args.machines, "handout_s": args.handout,
        "probe_timeout_s": args.timeout, "poll_interval_s": args.interval,
        "budget_s": args.timeout + args.interval, "warm": True, "bytecode": True,
        "yardstick": machine, "warmup": warmup, "runs": runs,
        "ratio_median": round(statistics.median(ratios), 3), "ratio_max": max(ratios),
        "overhead_per_cpu_loop": round(statistics.median(r["overhead_s"] for r in runs)
                                       * 1000 / machine["cpu_loop_ms"], 3),
        "all_answered": all(r["answered"] == args.machines for r in [warmup, *runs]),
        "within_budget": max(ratios) <= 1.0,
    }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
