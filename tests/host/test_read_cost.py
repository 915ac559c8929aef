"""The scene read's runtime-call budget (deterministic counts; times are in benchmarks/).

Per-light and per-asset costs are measured apart, by adding lights or assets to a scene and
dividing the extra calls by what was added; geometry must add nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mock_pymxs
from mock_pymxs.generator import synthetic_scene

PER_LIGHT = 6  # class, switch, name, node flag, layer, layer's flag
TARGET_LIGHT_EXTRA = 2  # its Targetobject's class, its photometric web file's resolution
PER_MAP = 3  # path, resolution, owner's name for about half (missing or not on a UNC path)
PER_TRACKED_FILE = 1  # resolution only: Asset Tracking lists it, no class scan reads it
CONSTANT = 200  # renderer, switches, version, collectors: independent of the scene's size
BASE = {"nodes": 1_000, "maps": 400, "lights": 60, "file_objects": 40}


def calls_for(tmp_path: Path, **size: Any) -> int:
    scene = synthetic_scene(**{**BASE, **size})
    with mock_pymxs.installed(scene, plugcfg_dir=tmp_path) as mock:
        from vrdr_max.max_host import PymxsHost

        mock.calls.reset()
        PymxsHost().read_scene()
        return mock.calls.total


def test_flat_in_geometry(tmp_path: Path) -> None:
    assert calls_for(tmp_path, nodes=20_000) == calls_for(tmp_path)  # 20 x the geometry


def test_cost_per_light_per_map_and_per_tracked_file(tmp_path: Path) -> None:
    base = calls_for(tmp_path)
    per_light = (calls_for(tmp_path, lights=120) - base) / 60
    per_map = (calls_for(tmp_path, maps=800) - base) / 400
    per_file = (calls_for(tmp_path, file_objects=80) - base) / 40
    assert per_light <= PER_LIGHT + TARGET_LIGHT_EXTRA / 2  # every other light is a target light
    assert per_map <= PER_MAP
    assert per_file <= PER_TRACKED_FILE
    assert base <= (PER_LIGHT + TARGET_LIGHT_EXTRA / 2) * 60 + PER_MAP * 400 + 40 + CONSTANT


SOURCES = {"branches": True, "render_elements": 4, "editor_maps": 12, "caches": 4}
PER_PATTERN = 1  # its folder's files, instead of a resolution
PER_RENDER_ELEMENT = 4  # its output's name, and its map (path, resolution, owner's name)


def test_the_sources_beside_the_node_tree_stay_flat_and_within_budget(tmp_path: Path) -> None:
    base = calls_for(tmp_path, **SOURCES)
    assert calls_for(tmp_path, nodes=20_000, **SOURCES) == base
    assert (calls_for(tmp_path, **{**SOURCES, "caches": 8}) - base) / 4 <= PER_PATTERN
    per_element = (calls_for(tmp_path, **{**SOURCES, "render_elements": 8}) - base) / 4
    assert per_element <= PER_RENDER_ELEMENT


def test_one_asset_fact_per_asset_never_a_copy(tmp_path: Path, monkeypatch: Any) -> None:
    """The owner's name is read before an asset's fact is made: no second model per asset.

    A scene read makes about 10,000 asset facts on a large scene; copying half of them to add
    the owner cost as much as making them (issue 18, item 7).
    """
    from vrdr_max.facts import AssetFact

    made: list[str] = []
    real_init = AssetFact.__init__
    real_made = AssetFact.made

    def counted(self: AssetFact, **values: Any) -> None:
        made.append(values["path"])
        real_init(self, **values)

    def counted_made(path: str, *args: Any, **values: Any) -> AssetFact:
        made.append(path)
        return real_made(path, *args, **values)

    # A copy (dataclasses.replace) makes its fact through __init__ too: counted as another.
    monkeypatch.setattr(AssetFact, "__init__", counted)
    monkeypatch.setattr(AssetFact, "made", counted_made)  # the adapter's way to make one
    scene = synthetic_scene(**{**BASE, **SOURCES, "missing_maps": 0.3})
    with mock_pymxs.installed(scene, plugcfg_dir=tmp_path):
        from vrdr_max.max_host import PymxsHost

        facts = PymxsHost().read_scene()
    assert len(made) == len(facts.assets)
    assert sum(a.owner is not None for a in facts.assets) > len(facts.assets) // 3
