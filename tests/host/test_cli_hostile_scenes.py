"""Hostile scene descriptions and terminals, round 3 (issue 18, items 13, 14 and 16).

A scene's frame range is counted, never listed; text that is not Unicode is bad input, not a
bug; output the terminal cannot show, and control characters from shared files, are escaped.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

import mock_pymxs
from mock_pymxs.session import Session
from vrdr_max.cli.main import main
from vrdr_max.studio import STUDIO_ENV, USER_ENV

ARTIST = b"render01 1 20204\r\n"


@pytest.fixture(autouse=True)
def no_config_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(USER_ENV, str(tmp_path / "no-user.json"))
    monkeypatch.delenv(STUDIO_ENV, raising=False)
    monkeypatch.delenv("VRDR_PLUGCFG", raising=False)


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "plugcfg" / "vray_dr.cfg"
    path.parent.mkdir()
    path.write_bytes(ARTIST)
    return path


def scene_file(tmp_path: Path, name: str = "scene.json", **render: Any) -> Path:
    data = json.loads((mock_pymxs.SCENES_DIR / "clean.json").read_text(encoding="utf-8"))
    data["render"].update(render)
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# --- item 13: frame ranges counted, not listed -------------------------------------------------

def _render_peak(scene: Path, cfg: Path, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> int:
    """Memory one ``vrdr submit`` allocates during its render, the adapter's counting included
    (exit 0, status rendered, the cfg restored)."""
    peaks: list[int] = []
    render = Session.quick_render

    def measured(session: Session, statement: str) -> None:
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        render(session, statement)
        peaks.append(tracemalloc.get_traced_memory()[1] - start)

    monkeypatch.setattr(Session, "quick_render", measured)
    tracemalloc.start()
    try:
        code = main(["submit", "--scene", str(scene), "--cfg", str(cfg), "--no-probe"])
    finally:
        tracemalloc.stop()
    out = capsys.readouterr().out
    assert code == 0, out
    assert "status: rendered" in out
    assert cfg.read_bytes() == ARTIST
    [peak] = peaks
    return peak


@pytest.mark.parametrize("render", [
    {"time_type": 3, "start": 0, "end": 99_999},
    {"time_type": 2, "animation_range": [-50_000, 49_999]},
    {"time_type": 4, "pickup_frames": "0-49999,50000-99999"},
])
def test_a_long_frame_range_costs_no_memory_per_frame(
        tmp_path: Path, cfg: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, render: dict[str, Any]) -> None:
    # 50,000,000 frames took 79 s and 2.4 GB: the mock listed every frame, and the adapter kept
    # one list entry per #postRenderFrame. 100,000 frames show it without the wait.
    one_frame = _render_peak(scene_file(tmp_path, "one.json", time_type=1), cfg, capsys,
                             monkeypatch)
    long_range = _render_peak(scene_file(tmp_path, "long.json", **render), cfg, capsys,
                              monkeypatch)
    assert long_range - one_frame < 100_000  # a list of 100,000 frames alone is 0.8 MB


def test_frames_are_counted_without_a_render_callback(cfg: Path, tmp_path: Path) -> None:
    # The mock's render sends per-frame notifications only to callbacks that want them.
    with mock_pymxs.installed(scene_file(tmp_path, time_type=3, start=0, end=2_999_999)) as mock:
        tracemalloc.start()
        try:
            mock.runtime.execute("max quick render")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert len(mock.renders) == 1
    assert peak < 100_000
