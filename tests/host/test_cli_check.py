"""`vrdr check --scene ...`: the preflight for CI pipelines."""

from __future__ import annotations

import importlib
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import mock_pymxs
from vrdr_max.cli.main import main

DEMO = str(mock_pymxs.SCENES_DIR / "demo.json")
CLEAN = str(mock_pymxs.SCENES_DIR / "clean.json")


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["check", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_demo_reports_each_planted_problem(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = run_json(capsys, "--scene", DEMO)
    assert code == 1
    assert doc["version"] == 1
    findings = {r["id"]: r["findings"] for r in doc["results"]}  # type: ignore[index]
    subjects = {cid: [s for f in fs for s in f["subjects"]] for cid, fs in findings.items()}
    assert subjects["dr-off"] == ["V_Ray_6__update_2_1"]
    assert "Spot_Photometric (off)" in subjects["default-lights"]
    assert any("wood_floor_diffuse.jpg" in s for s in subjects["missing-maps"])
    assert subjects["missing-plugins"] == ["Forest_Pro (ForestPackPro.dlo)",
                                           "2 x Missing_GeomObject"]
    assert any("phoenixfd.dlo" in s for s in subjects["farm-plugins"])
    assert any("concrete_wall.png" in s for s in subjects["unreachable-paths"])
    assert subjects["region-render"] == ["region"]
    assert doc["summary"]["has_errors"] is True  # type: ignore[index]


def test_clean_reports_no_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = run_json(capsys, "--scene", CLEAN)
    assert code == 0
    assert doc["summary"]["error"] == 0  # type: ignore[index]


def test_server_checks_run_with_a_cfg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "vray_dr.cfg"
    cfg.write_bytes(b"render01 1 20204\nrender01 1 20204\nlist_in_scene 1\n")
    before = cfg.read_bytes()
    code, doc = run_json(capsys, "--scene", CLEAN, "--cfg", str(cfg))
    assert code == 0  # duplicates and a scene list are warnings
    ids = {r["id"] for r in doc["results"] if r["findings"]}  # type: ignore[index,union-attr]
    assert ids == {"duplicate-servers", "servers-saved-in-scene"}
    assert cfg.read_bytes() == before


@pytest.mark.parametrize(("setup", "says"), [
    (lambda p: p.write_text("{", encoding="utf-8"), "line 1 column 2"),
    (lambda p: p.write_text('{"renderer": {"props": {}}}', encoding="utf-8"), "renderer.class"),
    (lambda p: None, "does not exist"),
])
def test_bad_scene_file_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           setup: object, says: str) -> None:
    scene = tmp_path / "scene.json"
    setup(scene)  # type: ignore[operator]
    assert main(["check", "--scene", str(scene)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert says in err


def test_human_output_names_subjects(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--scene", DEMO]) == 1
    out = capsys.readouterr().out
    assert "FAIL default-lights" in out
    assert "- Plant_Proxy (VRayProxy): D:\\proxies\\ficus_large.vrmesh [local-drive]" in out


def test_a_named_cfg_that_does_not_exist_is_bad_input(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--scene", CLEAN, "--cfg", str(tmp_path / "typo.cfg")]) == 2
    assert "no cfg file at" in capsys.readouterr().err


def test_max_version_outside_windows_is_bad_input(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    assert main(["check", "--scene", CLEAN, "--max-version", "2026"]) == 2
    assert capsys.readouterr().err.startswith("vrdr: error: ")


@pytest.mark.parametrize("command", ["check", "submit"])
def test_a_scene_file_is_validated_and_built_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        command: str) -> None:
    # Issue 18.7: a 100,000-node scene took seconds per pass, and there were two of each.
    calls: Counter[str] = Counter()

    def counted(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return function(*args, **kwargs)
        return wrapper

    for module in ("mock_pymxs.scene", "mock_pymxs.install", "mock_pymxs.state"):
        loaded = importlib.import_module(module)
        for name in ("build_state", "check_scene"):
            if hasattr(loaded, name):
                monkeypatch.setattr(loaded, name, counted(name, getattr(loaded, name)))
    validate = mock_pymxs.Scene.model_validate
    monkeypatch.setattr(mock_pymxs.Scene, "model_validate", counted("validate", validate))
    cfg = tmp_path / "vray_dr.cfg"
    cfg.write_bytes(b"render01 1 20204\r\n")
    main([command, "--scene", CLEAN, "--cfg", str(cfg), "--no-probe"])
    assert "Traceback" not in capsys.readouterr().err
    assert calls == {"validate": 1, "check_scene": 1, "build_state": 1}


@pytest.mark.parametrize("command", ["check", "submit"])
def test_no_garbage_collection_walks_the_scene_while_it_loads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    # Issue 18.7: as soon as loading ended, the collector's first pass walked every object
    # the 100,000-node scene had become; now the loaded scene is frozen before the collector
    # runs again, and `vrdr check` reads it with the collector still off.
    import gc

    with mock_pymxs.installed("clean"):  # max_host imports pymxs
        from vrdr_max.max_host import PymxsHost

    events: list[str] = []

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            events.append(f"collection of generation {info['generation']}")

    def marked(function: Callable[..., Any], event: str) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            events.append(f"{event} starts")
            result = function(*args, **kwargs)
            events.append(f"{event} ends")
            return result
        return wrapper

    monkeypatch.setattr(mock_pymxs, "install", marked(mock_pymxs.install, "load"))
    monkeypatch.setattr(PymxsHost, "read_scene", marked(PymxsHost.read_scene, "read"))
    cfg = tmp_path / "vray_dr.cfg"
    cfg.write_bytes(b"render01 1 20204\r\n")
    gc.collect()
    gc.callbacks.append(watch)
    try:
        main([command, "--scene", DEMO, "--cfg", str(cfg), "--no-probe"])
    finally:
        gc.callbacks.remove(watch)
        gc.unfreeze()
    loading = events[events.index("load starts"):]
    assert loading[:2] == ["load starts", "load ends"]
    if command == "check":
        assert loading[:4] == ["load starts", "load ends", "read starts", "read ends"]
