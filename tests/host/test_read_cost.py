"""The scene read's runtime-call budget (deterministic counts; times are in benchmarks/)."""

from __future__ import annotations

from pathlib import Path

import mock_pymxs
from mock_pymxs.generator import synthetic_scene

BUDGET_PER_ITEM = 3
CONSTANT = 200  # renderer, switches, version, collectors: independent of the scene's size


def calls_for(tmp_path: Path, nodes: int) -> tuple[int, int]:
    scene = synthetic_scene(nodes=nodes, maps=400, lights=60)
    with mock_pymxs.installed(scene, plugcfg_dir=tmp_path) as mock:
        from vrdr_max.max_host import PymxsHost

        mock.calls.reset()
        facts = PymxsHost().read_scene()
        return mock.calls.total, len(facts.assets) + len(facts.lights)


def test_at_most_three_calls_per_asset_or_light_and_flat_in_geometry(tmp_path: Path) -> None:
    small, items = calls_for(tmp_path, nodes=1_000)
    large, same_items = calls_for(tmp_path, nodes=20_000)
    assert items == same_items == 460
    assert small <= BUDGET_PER_ITEM * items + CONSTANT
    assert large == small  # twenty times the geometry, not one call more
