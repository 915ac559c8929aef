"""vrdr_max.api, the TD module, through the real adapter on mock_pymxs."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from host_scenes import host_for

from vrdr_max import api
from vrdr_max.errors import InputError
from vrdr_max.manifest import FarmManifest
from vrdr_max.ports import Engine, Mode
from vrdr_max.probe import ProbeState
from vrdr_max.studio import STUDIO_ENV, USER_ENV, ConfigFile, resolve
from vrdr_max.submit import SubmissionStatus, SubmitOptions

STUDIO = {"pools": {"farm": {"servers": ["render01", "render02"]},
                    "gpu": {"engine": "gpu", "servers": ["gpu01"]}},
          "defaults": {"shared_drives": ["D:"], "restore": False}}


@pytest.fixture
def studio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "studio.json"
    path.write_text(json.dumps(STUDIO), encoding="utf-8")
    monkeypatch.setenv(STUDIO_ENV, str(path))
    monkeypatch.setenv(USER_ENV, str(tmp_path / "none.json"))
    return path


def test_load_takes_engine_and_folder_from_the_host(tmp_path: Path) -> None:
    with host_for("gpu", tmp_path / "plugcfg") as (host, _mock):
        stored = api.load(host=host)
    assert stored.settings.engine is Engine.GPU
    assert stored.cfg.path == tmp_path / "plugcfg" / "vrayrt_dr.cfg"
    with pytest.raises(InputError, match="plugcfg folder or a MaxHost"):
        api.load()


def test_apply_pool_replaces_or_merges(studio: Path, tmp_path: Path) -> None:
    stored = api.load(tmp_path)
    stored.settings.add_server("mine")
    api.apply_pool(stored.settings, "farm", merge=True)
    assert [s.host for s in stored.settings.servers] == ["mine", "render01", "render02"]
    api.apply_pool(stored.settings, "farm")
    assert [s.host for s in stored.settings.servers] == ["render01", "render02"]
    with pytest.raises(InputError, match='pool "gpu" is for V-Ray GPU'):
        api.apply_pool(stored.settings, "gpu")
    config = resolve(studio=ConfigFile.model_validate(
        {"pools": {"dr2": {"mode": "dr2", "servers": ["10.0.0.21"],
                           "dispatcher": {"host": "10.0.0.5", "port": 20208}}}}))
    api.apply_pool(stored.settings, "dr2", config=config)
    assert stored.settings.mode is Mode.DR2
    assert stored.settings.servers[0].port == 20208


def test_check_uses_studio_shared_drives(studio: Path, tmp_path: Path) -> None:
    with host_for("demo", tmp_path / "plugcfg") as (host, _mock):
        stored = api.load(host=host)
        report = api.check(host, stored.settings)
        explicit = api.check(host, stored.settings, shared_drives=[])
    def unreachable(r: Any) -> list[str]:
        return [s for f in r.findings if f.check_id == "unreachable-paths" for s in f.subjects]

    # D: is shared: only the relative map is left (each server resolves it in its own folders)
    assert unreachable(report) == ["Fabric_Sofa (BitmapTexture): fabric_sofa.jpg [relative]"]
    assert any("[local-drive]" in s for s in unreachable(explicit))


def test_submit_with_studio_defaults(studio: Path, tmp_path: Path) -> None:
    with host_for("clean", tmp_path / "plugcfg") as (host, mock):
        stored = api.load(host=host)
        api.apply_pool(stored.settings, "farm")
        report = api.submit(host, stored)
        seen = mock.renders[0].cfg_files["vray_dr.cfg"]
    assert report.status is SubmissionStatus.RENDERED
    assert "render01 1 20204" in seen
    assert not report.restored  # the studio file says restore: false
    assert "render02 1 20204" in (tmp_path / "plugcfg" / "vray_dr.cfg").read_text()


def test_submit_takes_probe_results_gathered_off_the_ui_thread(
        studio: Path, tmp_path: Path) -> None:
    with socket.socket() as listening, socket.socket() as closed:
        listening.bind(("127.0.0.1", 0))
        listening.listen(8)
        closed.bind(("127.0.0.1", 0))  # bound, not listening: refused
        up, down = listening.getsockname()[1], closed.getsockname()[1]
        with host_for("clean", tmp_path / "plugcfg") as (host, mock):
            stored = api.load(host=host)
            stored.settings.servers = []
            stored.settings.add_server("127.0.0.1", up)
            stored.settings.add_server("127.0.0.1", down)
            threads: set[int] = set()
            probing = api.probe_in_background(
                stored.settings, timeout=2.0,
                progress=lambda *_: threads.add(threading.get_ident()))
            results = probing.result(timeout=30)
            report = api.submit(host, stored, probe_results=results,
                                options=SubmitOptions(only_online=True))
            seen = mock.renders[0].cfg_files["vray_dr.cfg"]
    assert threads and threading.get_ident() not in threads  # probed on a worker thread
    assert [r.state for r in results] == [ProbeState.ONLINE, ProbeState.REFUSED]
    assert report.status is SubmissionStatus.RENDERED
    assert f"127.0.0.1 1 {up}" in seen
    assert f"127.0.0.1 1 {down}" not in seen  # only_online used the results given


def test_api_reads_studio_defaults_only_for_arguments_left_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "studio.json"
    broken.write_text("{}", encoding="utf-8")
    monkeypatch.setenv(STUDIO_ENV, str(broken))
    monkeypatch.setenv(USER_ENV, str(tmp_path / "none.json"))
    with host_for("clean", tmp_path / "plugcfg") as (host, _mock):
        stored = api.load(host=host)  # reads the studio file (dispatcher_in_vray_cfg)
        broken.write_text("{not json", encoding="utf-8")
        explicit = api.plan_submission(host, stored, options=SubmitOptions(),
                                       manifest=FarmManifest(), shared_drives=["P:"])
        assert explicit.restore is True
        checked = api.check(host, stored.settings, manifest=FarmManifest(), shared_drives=[])
        assert checked.results  # ran without reading the broken studio file
        with pytest.raises(InputError, match="not valid JSON"):  # a default is needed here
            api.plan_submission(host, stored, options=SubmitOptions(), shared_drives=["P:"])
