"""Round trip: export a scene from the mock, load the export, read the same SceneFacts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from host_scenes import host_for, variant

import mock_pymxs
from mock_pymxs.generator import synthetic_scene
from vrdr_max import export
from vrdr_max.cli.main import main
from vrdr_max.facts import SceneFacts

BUNDLED = sorted(p.stem for p in mock_pymxs.SCENES_DIR.glob("*.json"))


def _round_trip(scene: str | mock_pymxs.Scene, tmp_path: Path) -> tuple[SceneFacts, SceneFacts,
                                                                         dict[str, Any]]:
    with host_for(scene, tmp_path / "a") as (host, _mock):
        before = host.read_scene()
        path = export.write_export(host, tmp_path / "export.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    loaded = mock_pymxs.load_scene(path)  # validates like any scene file
    with host_for(loaded, tmp_path / "b") as (host, _mock):
        after = host.read_scene()
    return before, after, data


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_scenes_round_trip(tmp_path: Path, name: str) -> None:
    before, after, _data = _round_trip(name, tmp_path)
    assert after == before


def test_a_synthetic_scene_round_trips(tmp_path: Path) -> None:
    scene = synthetic_scene(nodes=300, maps=60, lights=20, seed=7)
    before, after, data = _round_trip(scene, tmp_path)
    assert after == before
    assert len(before.assets) == 60 and any(a.missing for a in before.assets)
    # geometry is not DR-relevant: only lights and asset owners become nodes
    assert len(data["nodes"]) == len(before.lights)


def _moved_and_unknown(data: dict[str, Any]) -> None:
    """A map found through a map path, a renderer and a light class the mock's table lacks."""
    data["renderer"]["class"] = "V_Ray_9__update_1"
    data["plugin_dlls"][1]["classes"].append("V_Ray_9__update_1")
    data["maps"][0]["filename"] = "C:\\old\\oak_floor.jpg"  # found in the map path instead
    data["nodes"].append({"name": "Studio_Light", "class": "Fancy_Light", "superclass": "light",
                          "hidden": True, "props": {"on": False}})
    data["plugin_dlls"].append({"name": "fancy.dlo", "path": "C:\\fancy.dlo",
                                "classes": ["Fancy_Light"]})


def test_moved_files_and_classes_the_mock_does_not_know_round_trip(tmp_path: Path) -> None:
    before, after, data = _round_trip(variant("clean", _moved_and_unknown), tmp_path)
    assert after == before
    assert before.renderer.version == "9 update 1"
    assert any(a.resolved_path and a.resolved_path != a.path for a in before.assets)
    assert "\\\\fileserver\\assets\\textures" in data["map_paths"]
    assert {"name": "Studio_Light", "class": "Fancy_Light", "superclass": "light",
            "hidden": True, "props": {"on": False}} in data["nodes"]


def test_the_export_changes_nothing(tmp_path: Path) -> None:
    with host_for("demo", tmp_path) as (host, mock):
        export.export_scene(host)
        assert mock.writes == [] and mock.created == [] and mock.renders == []


def test_vrdr_check_on_an_export_finds_what_it_finds_on_the_scene(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with host_for("demo", tmp_path / "a") as (host, _mock):
        export.write_export(host, tmp_path / "demo_export.json")

    def findings(scene: str) -> tuple[int, list[Any]]:
        code = main(["check", "--scene", scene, "--json"])
        doc = json.loads(capsys.readouterr().out)
        return code, [(r["id"], r["status"], r["findings"]) for r in doc["results"]]

    original = findings(str(mock_pymxs.SCENES_DIR / "demo.json"))
    assert original[0] == 1  # the demo scene has errors, so this compares something
    assert findings(str(tmp_path / "demo_export.json")) == original
