"""Hostile scene descriptions and terminals, round 3 (issue 18, items 13, 14 and 16).

A scene's frame range is counted, never listed; text that is not Unicode is bad input, not a
bug; output the terminal cannot show, and control characters from shared files, are escaped.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from host_scenes import edited_file

import mock_pymxs
from mock_pymxs.session import Session
from vrdr_max.cli.main import main
from vrdr_max.errors import InputError
from vrdr_max.export import write_export
from vrdr_max.studio import STUDIO_ENV, USER_ENV

ARTIST = b"render01 1 20204\r\n"
ENTRY = "import sys; from vrdr_max.cli.main import main; sys.exit(main())"


pytestmark = pytest.mark.usefixtures("no_config_files")


@pytest.fixture
def artist_cfg() -> bytes:
    return ARTIST


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


# --- item 14: text that is not Unicode, output the terminal's encoding cannot take ------------

SURROGATES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "a map's file": (lambda d: d["maps"][0].update(filename="C:\\tex\ud800.jpg"),
                     "maps[0].filename"),
    "a light's name": (lambda d: d["nodes"][7].update(name="Key\udfff"), "nodes[7].name"),
    "a property's name": (lambda d: d["renderer"]["props"].update({"gi\ud83d": True}),
                          "renderer.props: a key holds"),
}


@pytest.mark.parametrize("where", SURROGATES)
@pytest.mark.parametrize("command", ["check", "submit"])
def test_a_lone_surrogate_in_a_scene_is_bad_input(
        tmp_path: Path, cfg: Path, capsys: pytest.CaptureFixture[str], where: str,
        command: str) -> None:
    edit, names = SURROGATES[where]
    scene = edited_file(tmp_path, edit)
    before = scene.read_bytes()
    code = main([command, "--scene", str(scene), "--cfg", str(cfg), "--no-probe", "--json"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("vrdr: error: scene.json: ")
    assert names in err and "lone surrogate" in err
    assert scene.read_bytes() == before
    assert cfg.read_bytes() == ARTIST


def test_a_surrogate_pair_is_one_character_not_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scene = edited_file(tmp_path, lambda d: d["nodes"][7].update(name="Key \U0001f4a1"))
    assert b"\\ud83d\\udca1" in scene.read_bytes()
    assert main(["check", "--scene", str(scene), "--json"]) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_export_refuses_a_lone_surrogate(tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    with mock_pymxs.installed("clean"):  # pymxs is the mock from here
        from pymxs import runtime as rt

        from vrdr_max.max_host import PymxsHost

        rt.getNodeByName("Key_Light").name = "Key\ud800Light"
        with pytest.raises(InputError) as caught:
            write_export(PymxsHost(), out)
    message = str(caught.value)
    assert "\n" not in message
    assert "lone surrogate" in message and "Key\\ud800Light" in message
    assert not out.exists()


def run_vrdr(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None
             ) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-c", ENTRY, *args], capture_output=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, check=False, timeout=120)


ASCII_TERMINAL = {"PYTHONIOENCODING": "ascii"}
C_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0",
            "PYTHONIOENCODING": ""}


@pytest.mark.parametrize("terminal", [ASCII_TERMINAL, C_LOCALE], ids=["ascii", "C locale"])
def test_output_the_terminal_cannot_encode_is_escaped(tmp_path: Path,
                                                      terminal: dict[str, str]) -> None:
    folder = tmp_path / "prés" / "plugcfg"
    folder.mkdir(parents=True)
    cfg = folder / "vray_dr.cfg"
    cfg.write_bytes(ARTIST)
    studio = tmp_path / "studio.json"
    studio.write_text(json.dumps({"version": 1, "pools": {"nuit-équipe": {
        "description": "rendu de nuit ☾", "servers": ["render01"]}}}), encoding="utf-8")
    env = {**terminal, STUDIO_ENV: str(studio), USER_ENV: str(tmp_path / "none.json")}
    for args in (["cfg", "show", "--cfg", str(cfg)], ["pools", "list"],
                 ["check", "--scene", str(scene_file(tmp_path)), "--cfg", str(cfg)]):
        text = run_vrdr(*args, env=env)
        assert text.returncode == 0, text.stderr
        assert text.stderr == b""
        text.stdout.decode("ascii")  # escaped, not mangled into another encoding
        doc = run_vrdr(*args, "--json", env=env)
        assert doc.returncode == 0, doc.stderr
        parsed = json.loads(doc.stdout.decode("ascii"))
        assert parsed["version"] == 1
    assert "nuit-équipe" in json.loads(run_vrdr("pools", "list", "--json", env=env).stdout)[
        "pools"][0]["name"]
    assert cfg.read_bytes() == ARTIST


# --- item 16: control characters from shared files, panel errors -----------------------------

CONTROLS = ("\x1b", "\x07", "\r", "\x9b", "\x7f", "\u202e")


def test_control_characters_from_a_studio_file_are_escaped(tmp_path: Path) -> None:
    name = "evil\x1b[31m\x07"
    description = "desc\x1b]0;pwned\x07 \x9b2J\rX\u202e"
    studio = tmp_path / "studio.json"
    studio.write_text(json.dumps({"version": 1, "pools": {name: {
        "description": description, "servers": ["render01"]}}}), encoding="utf-8")
    env = {STUDIO_ENV: str(studio), USER_ENV: str(tmp_path / "none.json")}
    text = run_vrdr("pools", "list", env=env)
    assert text.returncode == 0, text.stderr
    out = text.stdout.decode("utf-8")
    assert not any(c in out for c in CONTROLS), out
    assert "evil\\x1b[31m\\x07" in out and out.count("\n") == 1
    doc = run_vrdr("pools", "list", "--json", env=env)
    raw = doc.stdout.decode("utf-8")
    assert not any(c in raw for c in CONTROLS), raw
    [pool] = json.loads(raw)["pools"]
    assert (pool["name"], pool["description"]) == (name, description)  # the same text


def test_control_characters_in_a_scene_are_escaped_in_the_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scene = edited_file(tmp_path, lambda d: d["maps"][0].update(
        filename="C:\\tex\x1b[2J\r\u202eoak.jpg"))
    assert main(["check", "--scene", str(scene)]) == 0  # a missing map is a warning
    out = capsys.readouterr().out
    assert "C:\\tex\\x1b[2J\\r\\u202eoak.jpg" in out
    assert not any(c in out for c in CONTROLS)


qt_bindings = pytest.mark.skipif(
    not any(importlib.util.find_spec(b) for b in ("PySide6", "PySide2")),
    reason="the panel needs PySide6 or PySide2")


@qt_bindings
def test_a_panel_error_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "panel.png"
    done = run_vrdr("panel", "--demo", "--screenshot", str(target),
                    env={"QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 2
    assert done.stderr.decode() == (f"vrdr: error: cannot write {target}: folder {target.parent} "
                                    "does not exist\n")


@qt_bindings
def test_a_panel_without_a_display_is_one_line_not_an_abort(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-c", ENTRY, "panel", "--demo"], capture_output=True,
                          env=env, cwd=tmp_path, check=False, timeout=120)
    assert done.returncode == 2, done.stderr
    err = done.stderr.decode()
    assert err.startswith("vrdr: error: Qt cannot go on: ") and err.count("\n") == 1, err
