"""The rule: `vrdr check` reports everything that would block `vrdr submit` on the same inputs.

Every bundled scene and synthetic scenes (``mock_pymxs.generator``, rendered with V-Ray CPU and
with V-Ray GPU) are checked and submitted with the same cfg file: CPU's ``vray_dr.cfg``, GPU's
``vrayrt_dr.cfg`` and a file of another name, each holding a few server lists. Whatever blocks
the submission must be among the errors `check` reports, and `check` must then exit 1. No
probe runs (`submit --no-probe`; `check` probes only when asked), so nothing leaves the
machine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import mock_pymxs
from mock_pymxs.generator import synthetic_scene
from vrdr_max.cli.main import main

BUNDLED = sorted(p.name for p in mock_pymxs.SCENES_DIR.glob("*.json"))
SYNTHETIC = [(seed, engine) for seed in (1, 2) for engine in ("cpu", "gpu")]
CFG_NAMES = ["vray_dr.cfg", "vrayrt_dr.cfg", "farm_servers.cfg"]
CFG_TEXTS = {
    "cpu-port": b"render01 1 20204\r\nrender02 1 20204\r\n",
    "gpu-port": b"render01 1 20206\r\n",
    "all-off": b"render01 0 20204\r\n",
    "localhost": b"localhost 1 20204\r\nuse_local_machine 1\r\nlist_in_scene 1\r\n",
}
GPU_RENDERER = "V_Ray_GPU_7_Hotfix_2"


def _synthetic(seed: int, engine: str, folder: Path) -> Path:
    scene = synthetic_scene(nodes=60, maps=20, lights=6, file_objects=4, seed=seed)
    data: dict[str, Any] = json.loads(scene.model_dump_json(by_alias=True))
    if engine == "gpu":  # the same scene rendered with V-Ray GPU (settings in V_Ray_settings)
        data["renderer"] = {"class": GPU_RENDERER, "props": {"distributed_rendering": True},
                            "v_ray_settings": {"options_defaultLights": 1,
                                               "system_checkForMissingFiles": True}}
        data["plugin_dlls"][0]["classes"].append(GPU_RENDERER)
    path = folder / f"synthetic_{seed}_{engine}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main([*args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def _check_errors(doc: dict[str, Any]) -> set[str]:
    errors = {f"{r['id']}: {f['message']}" for r in doc["results"] for f in r["findings"]
              if f["severity"] == "error"}
    return errors | {f"{r['id']}: check crashed ({r['reason']})" for r in doc["results"]
                     if r["status"] == "crashed"}


def _scenes(tmp_path: Path) -> list[Path]:
    return ([mock_pymxs.SCENES_DIR / name for name in BUNDLED]
            + [_synthetic(seed, engine, tmp_path) for seed, engine in SYNTHETIC])


@pytest.mark.parametrize("cfg_name", CFG_NAMES)
def test_check_reports_whatever_blocks_submit(tmp_path: Path, cfg_name: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    blocked_somewhere = 0
    for scene in _scenes(tmp_path):
        for label, text in CFG_TEXTS.items():
            cfg = tmp_path / f"{scene.stem}-{label}" / cfg_name
            cfg.parent.mkdir()
            cfg.write_bytes(text)
            check_code, check = _run(capsys, "check", "--scene", str(scene), "--cfg", str(cfg))
            _code, submit = _run(capsys, "submit", "--scene", str(scene), "--cfg", str(cfg),
                                 "--no-probe")
            blocking = set(submit["report"]["blocking"])
            where = f"{scene.name} with {label} {cfg_name}"
            assert blocking <= _check_errors(check), where
            if submit["report"]["status"] == "blocked":
                blocked_somewhere += 1
                assert check_code == 1, where
            assert cfg.read_bytes() == text, where  # submit put the file back
    assert blocked_somewhere  # the inputs do reach the blocking paths


def test_a_gpu_scene_checked_against_the_cpu_file_is_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "vray_dr.cfg"
    cfg.write_bytes(CFG_TEXTS["cpu-port"])
    code, doc = _run(capsys, "check", "--scene", str(mock_pymxs.SCENES_DIR / "gpu.json"),
                     "--cfg", str(cfg))
    assert code == 1
    [finding] = [f for r in doc["results"] if r["id"] == "cfg-engine" for f in r["findings"]]
    assert finding["severity"] == "error"
    assert "V-Ray GPU, which reads only vrayrt_dr.cfg" in finding["message"]
