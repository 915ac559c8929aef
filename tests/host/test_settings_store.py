"""Settings from the cfg, vrdr's sidecar and the scene's record, per engine."""

from __future__ import annotations

from pathlib import Path

from host_scenes import host_for

from vrdr_max.models import Dispatcher, DRSettings
from vrdr_max.ports import Engine, Mode
from vrdr_max.settings_store import load_settings
from vrdr_max.sidecar import (
    SCENE_DATA_KEY,
    Sidecar,
    dump_sidecar,
    load_sidecar,
    remember_in_sidecar,
)

GPU_DR2 = DRSettings(engine=Engine.GPU, mode=Mode.DR2,
                     dispatcher=Dispatcher(host="10.0.0.5", port=20209))


def test_sidecar_keeps_each_engine(tmp_path: Path) -> None:
    remember_in_sidecar(tmp_path, GPU_DR2)
    remember_in_sidecar(tmp_path, DRSettings(engine=Engine.CPU, mode=Mode.DR))
    stored = load_settings(tmp_path, Engine.GPU)
    assert stored.settings.mode is Mode.DR2
    assert stored.settings.dispatcher == GPU_DR2.dispatcher
    assert load_settings(tmp_path, Engine.CPU).settings.mode is Mode.DR


def test_a_scene_record_for_one_engine_leaves_the_other_alone(tmp_path: Path) -> None:
    remember_in_sidecar(tmp_path, GPU_DR2)
    record = Sidecar()
    record.remember(DRSettings(engine=Engine.CPU, mode=Mode.DR))
    with host_for("clean", tmp_path) as (host, _mock):
        host.write_scene_data(SCENE_DATA_KEY, dump_sidecar(record))
        gpu = load_settings(tmp_path, Engine.GPU, host=host)
    assert gpu.settings.mode is Mode.DR2
    assert gpu.settings.dispatcher == GPU_DR2.dispatcher


def test_the_scene_record_wins_for_its_engine(tmp_path: Path) -> None:
    record = Sidecar()
    record.remember(DRSettings(mode=Mode.DR2, dispatcher=Dispatcher(host="10.0.0.9",
                                                                     port=20208)))
    with host_for("clean", tmp_path) as (host, _mock):
        host.write_scene_data(SCENE_DATA_KEY, dump_sidecar(record))
        cpu = load_settings(tmp_path, Engine.CPU, host=host)
    assert cpu.settings.mode is Mode.DR2
    assert cpu.settings.dispatcher is not None
    assert cpu.settings.dispatcher.host == "10.0.0.9"
    assert cpu.settings.enabled is True  # DR switch from the clean scene's renderer


def test_save_writes_cfg_then_sidecar(tmp_path: Path) -> None:
    stored = load_settings(tmp_path, Engine.CPU)
    stored.settings.add_server("10.0.0.21", 20208)
    stored.settings.mode = Mode.DR2
    stored.settings.dispatcher = Dispatcher(host="10.0.0.5", port=20208, also_renders=True)
    stored.save()
    text = (tmp_path / "vray_dr.cfg").read_text()
    assert "10.0.0.21 1 20208" in text
    assert "dr2_dispatcher" not in text  # the dispatcher goes to the sidecar only
    assert load_sidecar(tmp_path).engines[Engine.CPU].mode is Mode.DR2
