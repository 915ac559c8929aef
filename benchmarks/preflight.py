"""Preflight cost on a large synthetic scene: wall time and runtime calls, ours vs a naive scan.

Usage: uv run python benchmarks/preflight.py [--nodes N] [--maps N] [--lights N] [--repeat N]

Prints one JSON document. Budget: at most 3 runtime calls
per asset or light plus a constant, flat in the number of geometry nodes, and under 1 s wall.
The naive baseline reads every node (class, name, hidden flag, light switch) the way a first
draft of a scene checker does, and is measured on the same scene in the same run.
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

import mock_pymxs  # noqa: E402
from mock_pymxs.generator import synthetic_scene  # noqa: E402
from vrdr_max.checks import CheckContext, run  # noqa: E402
from vrdr_max.models import DRSettings  # noqa: E402


def ours(host: Any) -> tuple[int, int]:
    facts = host.read_scene()
    report = run(CheckContext(facts=facts, settings=DRSettings(
        servers=[{"host": "render01", "port": 20204}])))
    return len(facts.assets) + len(facts.lights), len(report.findings)


def naive(rt: Any) -> tuple[int, int]:
    seen = 0
    for node in rt.objects:
        cls = str(rt.classOf(node))
        _name, _hidden = node.name, node.isHidden
        if str(rt.superClassOf(node)) == "light" and cls != "Targetobject":
            _on = node.on if rt.isProperty(node, "on") else None
        seen += 1
    for bitmap in rt.getClassInstances(rt.BitmapTexture):
        _ = rt.mapPaths.getFullFilePath(bitmap.filename)
        seen += 1
    return seen, 0


def measure(mock: mock_pymxs.MockMax, func: Any, arg: Any, repeat: int) -> dict[str, Any]:
    walls, calls, items = [], 0, 0
    for _ in range(repeat):
        mock.calls.reset()
        start = time.perf_counter()
        items, _ = func(arg)
        walls.append(time.perf_counter() - start)
        calls = mock.calls.total
    return {"wall_s_median": round(statistics.median(walls), 4),
            "wall_s_min": round(min(walls), 4), "runtime_calls": calls, "items": items}


def bench(nodes: int, maps: int, lights: int, repeat: int) -> dict[str, Any]:
    scene = synthetic_scene(nodes=nodes, maps=maps, lights=lights)
    with tempfile.TemporaryDirectory() as plugcfg:
        mock = mock_pymxs.install(scene, plugcfg_dir=plugcfg, check=False)
        try:
            from vrdr_max.max_host import PymxsHost  # noqa: PLC0415 - pymxs exists now

            host = PymxsHost()
            host.read_scene()  # warm-up: imports and first-touch costs
            facts = host.read_scene()
            a, li = len(facts.assets), len(facts.lights)
            result = {"ours": measure(mock, ours, host, repeat),
                      "naive": measure(mock, naive, mock.runtime, max(1, repeat // 3))}
        finally:
            mock.uninstall()
    budget_calls = 3 * (a + li)
    result.update(scene={"nodes": nodes, "maps": maps, "lights": lights, "assets_read": a,
                         "lights_read": li},
                  budget={"calls_max_3_per_item_plus_constant": budget_calls,
                          "calls_per_item": round(result["ours"]["runtime_calls"] / (a + li), 3),
                          "wall_s": 1.0},
                  ratio={"naive_over_ours_calls": round(
                      result["naive"]["runtime_calls"] / result["ours"]["runtime_calls"], 2),
                         "naive_over_ours_wall": round(
                      result["naive"]["wall_s_median"] / result["ours"]["wall_s_median"], 2)})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--maps", type=int, default=10_000)
    parser.add_argument("--lights", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    big = bench(args.nodes, args.maps, args.lights, args.repeat)
    # Flat in geometry: the same assets and lights with a tenth of the nodes.
    small = bench(args.nodes // 10, args.maps, args.lights, args.repeat)
    big["flat_in_geometry"] = {
        "nodes_small": args.nodes // 10, "calls_small": small["ours"]["runtime_calls"],
        "nodes_big": args.nodes, "calls_big": big["ours"]["runtime_calls"]}
    print(json.dumps(big, indent=2))


if __name__ == "__main__":
    main()
