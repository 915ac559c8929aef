"""Preflight cost on a large synthetic scene: runtime calls, wall and CPU time, ours vs naive scans.

Usage: uv run python benchmarks/preflight.py [--nodes N] [--maps N] [--lights N] [--files N]
                                             [--caches N] [--elements N] [--repeat N]

Prints one JSON document. Budget: per light at most 6 runtime calls (class, switch, name, node
flag, layer, layer's name), per map at most 3, per file only Asset Tracking lists 1, per frame
pattern 1 (its folder's matching files), per render element 4 (its output, its map), plus a
constant; flat in the number of geometry nodes; under 1 s wall. Costs per light, per map, per
tracked file, per pattern and per render element are measured apart, by adding each to the
scene and dividing the extra calls and CPU time by what was added.

The scene holds the sources beyond the node tree (issue 15): an environment HDRI, a GI override
map, a fog map, render elements with maps and outputs, Render Setup's and V-Ray's outputs, 24
Material Editor slots (half of them maps only the editor holds), Phoenix cache patterns with
100 frames each, and the lights' layer nested in a parent layer.

Every measured function runs once before it is timed (warm: imports, first-touch costs, the
mock's caches); the JSON says so, and whether Python writes bytecode.

Two naive baselines run on the same scene in the same run:
* ``naive_fair`` reads every node the way a careful per-node scanner would: runtime functions
  looked up once, only the properties the checks read (superclass of every node; class, name,
  switch, hidden flag and layer of lights; file and resolution of maps; Asset Tracking files);
* ``naive_first_draft`` looks every function up again per node and reads name and hidden flag
  of every node, as a first draft does (kept to compare with earlier figures).

``machine_yardstick`` (``benchmarks/yardstick.py``) is fixed work timed in the same run: divide
a time by it to compare figures across machines.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yardstick  # noqa: E402

import mock_pymxs  # noqa: E402
from mock_pymxs.generator import synthetic_scene  # noqa: E402
from vrdr_max.checks import CheckContext, run  # noqa: E402
from vrdr_max.models import DRSettings  # noqa: E402

SETTINGS = DRSettings(servers=[{"host": "render01", "port": 20204}])


def ours(host: Any) -> int:
    facts = host.read_scene()
    run(CheckContext(facts=facts, settings=SETTINGS))
    return len(facts.assets) + len(facts.lights)


def naive_fair(rt: Any) -> int:
    import pymxs  # noqa: PLC0415 - the mock, installed by now

    class_of, super_of, resolve = rt.classOf, rt.superClassOf, rt.mapPaths.getFullFilePath
    light = rt.light
    seen = 0
    for node in rt.objects:
        if super_of(node) != light:
            continue
        cls = str(class_of(node))
        switch = "enabled" if cls.lower() in ("vraysun", "vrayies", "vrayambientlight") else "on"
        _ = (node.name, getattr(node, switch, None), node.isHidden, node.layer.ishidden)
        seen += 1
    for bitmap in rt.getClassInstances(rt.BitmapTexture, target=rt.rootNode):
        resolve(bitmap.filename)
        seen += 1
    ats = rt.ATSOps
    ats.Refresh()
    for path in ats.GetFiles(pymxs.byref(None))[1]:
        resolve(path)
    return seen


def naive_first_draft(rt: Any) -> int:
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
    return seen


def measure(mock: mock_pymxs.MockMax, func: Callable[[Any], int], arg: Any,
            repeat: int) -> dict[str, Any]:
    """Warm ``func`` with one untimed run, then time ``repeat`` runs."""
    func(arg)
    walls, cpus, calls, items = [], [], 0, 0
    for _ in range(repeat):
        mock.calls.reset()
        wall, cpu = time.perf_counter(), time.process_time()
        items = func(arg)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        calls = mock.calls.total
    return {"wall_s_median": round(statistics.median(walls), 4),
            "wall_s_min": round(min(walls), 4),
            "cpu_s_median": round(statistics.median(cpus), 4),
            "runtime_calls": calls, "items": items}


def bench(size: dict[str, int], repeat: int, *, naive: bool) -> dict[str, Any]:
    """Our read (+ checks) on one synthetic scene, and optionally both naive scans."""
    scene = synthetic_scene(**size)
    with tempfile.TemporaryDirectory() as plugcfg:
        mock = mock_pymxs.install(scene, plugcfg_dir=plugcfg, check=False)
        try:
            from vrdr_max.max_host import PymxsHost  # noqa: PLC0415 - pymxs exists now

            host = PymxsHost()
            result = {"ours": measure(mock, ours, host, repeat)}
            if naive:
                few = max(1, repeat // 3)
                result["naive_fair"] = measure(mock, naive_fair, mock.runtime, few)
                result["naive_first_draft"] = measure(mock, naive_first_draft, mock.runtime, few)
        finally:
            mock.uninstall()
    return result


def per_item(base: dict[str, Any], more: dict[str, Any], added: int) -> dict[str, float]:
    """Extra calls and CPU milliseconds per added item."""
    a, b = base["ours"], more["ours"]
    return {"calls": round((b["runtime_calls"] - a["runtime_calls"]) / added, 3),
            "cpu_ms": round(1000 * (b["cpu_s_median"] - a["cpu_s_median"]) / added, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--maps", type=int, default=10_000)
    parser.add_argument("--lights", type=int, default=1_000)
    parser.add_argument("--files", type=int, default=1_000)
    parser.add_argument("--caches", type=int, default=10)
    parser.add_argument("--elements", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    size = {"nodes": args.nodes, "maps": args.maps, "lights": args.lights,
            "file_objects": args.files, "caches": args.caches,
            "render_elements": args.elements, "branches": True, "editor_maps": 24}
    machine = yardstick.measure()
    big = bench(size, args.repeat, naive=True)
    small = bench({**size, "nodes": args.nodes // 10}, args.repeat, naive=False)
    costs = {
        "per_light": per_item(big, bench({**size, "lights": 2 * args.lights}, args.repeat,
                                         naive=False), args.lights),
        "per_map": per_item(big, bench({**size, "maps": 2 * args.maps}, args.repeat,
                                       naive=False), args.maps),
        "per_tracked_file": per_item(big, bench({**size, "file_objects": 2 * args.files},
                                                args.repeat, naive=False), args.files),
        "per_pattern": per_item(big, bench({**size, "caches": 2 * args.caches},
                                           args.repeat, naive=False), args.caches),
        "per_render_element": per_item(big, bench({**size, "render_elements": 2 * args.elements},
                                                  args.repeat, naive=False), args.elements),
    }
    ours_calls, ours_wall = big["ours"]["runtime_calls"], big["ours"]["wall_s_median"]
    print(json.dumps({
        "scene": size,
        **big,
        "cost": costs,
        # half the synthetic lights are target lights: +2 each (target's class, web file)
        "budget": {"calls_per_light": 6 + 2 / 2, "calls_per_map": 3,
                   "calls_per_tracked_file": 1, "calls_per_pattern": 1,
                   "calls_per_render_element": 4, "wall_s": 1.0},
        "within_budget": {
            "per_light": costs["per_light"]["calls"] <= 7,
            "per_map": costs["per_map"]["calls"] <= 3,
            "per_tracked_file": costs["per_tracked_file"]["calls"] <= 1,
            "per_pattern": costs["per_pattern"]["calls"] <= 1,
            "per_render_element": costs["per_render_element"]["calls"] <= 4,
            "flat": small["ours"]["runtime_calls"] == ours_calls,
            "wall": ours_wall < 1.0,
        },
        "warm": True,  # every function ran once, untimed, before its timed runs
        "bytecode": not sys.dont_write_bytecode,
        # calls must match; times also hold the mock's own per-node work (its collections)
        "flat_in_geometry": {"nodes_small": args.nodes // 10,
                             "calls_small": small["ours"]["runtime_calls"],
                             "cpu_s_small": small["ours"]["cpu_s_median"],
                             "nodes_big": args.nodes, "calls_big": ours_calls,
                             "cpu_s_big": big["ours"]["cpu_s_median"]},
        "ratio": {name: {"calls": round(big[name]["runtime_calls"] / ours_calls, 2),
                         "wall": round(big[name]["wall_s_median"] / ours_wall, 2),
                         "cpu": round(big[name]["cpu_s_median"]
                                      / big["ours"]["cpu_s_median"], 2)}
                  for name in ("naive_fair", "naive_first_draft")},
        "machine_yardstick": machine,
        "ours_wall_in_cpu_loops": round(1000 * ours_wall / machine["cpu_loop_ms"], 2),
    }, indent=2))


if __name__ == "__main__":
    main()
