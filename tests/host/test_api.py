"""vrdr_max.api, the TD module, through the real adapter on mock_pymxs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from host_scenes import host_for

from vrdr_max import api
from vrdr_max.errors import InputError
from vrdr_max.ports import Engine, Mode
from vrdr_max.studio import STUDIO_ENV, USER_ENV, ConfigFile, resolve
from vrdr_max.submit import SubmissionStatus

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
    with pytest.raises(InputError, match="pool 'gpu' is for V-Ray GPU"):
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
    assert "unreachable-paths" not in {f.check_id for f in report.findings}  # D: is shared
    assert "unreachable-paths" in {f.check_id for f in explicit.findings}


def test_submit_with_studio_defaults(studio: Path, tmp_path: Path) -> None:
    with host_for("clean", tmp_path / "plugcfg") as (host, mock):
        stored = api.load(host=host)
        api.apply_pool(stored.settings, "farm")
        report = api.submit(host, stored, probe_first=False)
        seen = mock.renders[0].cfg_files["vray_dr.cfg"]
    assert report.status is SubmissionStatus.RENDERED
    assert "render01 1 20204" in seen
    assert not report.restored  # the studio file says restore: false
    assert "render02 1 20204" in (tmp_path / "plugcfg" / "vray_dr.cfg").read_text()
