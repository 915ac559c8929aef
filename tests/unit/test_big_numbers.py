"""Numbers too long for Python (over 4,300 digits) are bad input, never a bug (issue 18.12).

``int()`` of such a string raises ``ValueError`` on CPython 3.11+ and 3.10.7+ (not on older
3.10): in a cfg line the line stays an unknown line; in an argument or any JSON file vrdr reads
(studio config with its pools, sidecar, manifest, scene) the command exits 2 with one line and
leaves the files as they were. Run on 3.10 and 3.13 too (see .ci/run).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vrdr_max.cfgfile import CfgDocument
from vrdr_max.cli.main import main
from vrdr_max.digits import MAX_DIGITS
from vrdr_max.ports import Engine

BIG = "9" * (MAX_DIGITS + 700)
CFG = b"render01 1 20204\r\nrestart_slaves 0\r\n"
SCENES = Path(__file__).resolve().parents[2] / "mock_pymxs" / "scenes"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "vray_dr.cfg").write_bytes(CFG)
    (tmp_path / "studio.json").write_text('{"version": 1}')
    monkeypatch.setenv("VRDR_STUDIO_CONFIG", str(tmp_path / "studio.json"))
    monkeypatch.setenv("VRDR_USER_CONFIG", str(tmp_path / "no-user.json"))
    monkeypatch.delenv("VRDR_PLUGCFG", raising=False)
    return tmp_path


def one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str], *,
                    short: bool = True) -> str:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("vrdr: error: ")
    if short:  # host messages quote the host as typed, however long
        assert len(err) < 400  # the number is not repeated in full
    return err


@pytest.mark.parametrize("line", [
    f"max_servers {BIG}", f"render02 1 {BIG}", f"render02 1 20204-{BIG}",
    f"render02 1 {BIG}-20212", f"render02 {BIG}", f"10.0.0.{BIG} 1 20204",
    f"dr2_dispatcher 10.0.0.5 {BIG} 1",
])
@pytest.mark.parametrize("dispatcher", [False, True])
def test_a_cfg_line_with_a_huge_number_stays_an_unknown_line(line: str,
                                                             dispatcher: bool) -> None:
    text = CFG + line.encode() + b"\r\n"
    document = CfgDocument.parse(text, Engine.CPU, dispatcher_in_cfg=dispatcher)
    assert document.unknown_lines == [line]
    assert [s.host for s in document.servers] == ["render01"]
    settings = document.to_settings()
    settings.add_server("render03")
    document.apply(settings)
    assert line.encode() + b"\r\n" in document.render()


def test_cfg_commands_keep_the_line(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = folder / "vray_dr.cfg"
    cfg.write_bytes(CFG + f"max_servers {BIG}\r\n".encode())
    assert main(["cfg", "show", "--cfg", str(cfg), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unknown_lines"] == [f"max_servers {BIG}"]
    assert main(["servers", "add", "--cfg", str(cfg), "render03"]) == 0
    assert cfg.read_bytes().startswith(b"render01 1 20204\r\nrender03 1 20204\r\n")
    assert f"max_servers {BIG}\r\n".encode() in cfg.read_bytes()


@pytest.mark.parametrize("argv", [
    ["servers", "add", "--cfg", "{cfg}", f"render02:{BIG}"],
    ["servers", "add", "--cfg", "{cfg}", f"[::1]:{BIG}"],
    ["servers", "add", "--cfg", "{cfg}", f"10.0.0.{BIG}"],
    ["servers", "add", "--cfg", "{cfg}", f"10.{BIG}.0.1"],
    ["servers", "remove", "--cfg", "{cfg}", f"render01:-{BIG}"],
    ["servers", "add", "--cfg", "{cfg}", "--max-version", BIG, "render02"],
    ["probe", f"render02:{BIG}"],
    ["probe", "127.0.0.1:1", "--concurrency", BIG],
    ["probe", "127.0.0.1:1", "--timeout", BIG],
    ["discover", "--port", BIG],
    ["discover", "--seconds", BIG],
    ["spawner", "plan", "--node", BIG],
    ["spawner", "plan", "--port", BIG],
    ["spawner", "plan", "--numa", "--numa-nodes", BIG],
    ["spawner", "plan", f"--numa={BIG}", "--numa-nodes", "2"],
    ["spawner", "command", "--max-version", BIG],
    ["spawner", "command", "--dispatcher", BIG],
])
def test_a_huge_number_in_an_argument_is_bad_input(folder: Path, argv: list[str],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    cfg = folder / "vray_dr.cfg"
    one_line_exit_2([a.replace("{cfg}", str(cfg)) for a in argv], capsys,
                    short=not any(a.startswith("10.") for a in argv))
    assert cfg.read_bytes() == CFG


@pytest.mark.parametrize(("studio", "argv"), [
    ('{"version": %s}', ["pools", "list"]),
    ('{"version": 1, "pools": {"night": {"servers": [%s]}}}', ["pools", "show", "night"]),
    ('{"version": 1, "pools": {"night": {"servers": ["render05:%s"]}}}',
     ["pools", "apply", "night", "--cfg", "{cfg}"]),
    ('{"version": 1, "defaults": {"probe_timeout": %s}}', ["pools", "list"]),
])
def test_a_huge_number_in_the_studio_config_is_bad_input(
        folder: Path, studio: str, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "studio.json").write_text(studio % BIG)
    err = one_line_exit_2([a.replace("{cfg}", str(folder / "vray_dr.cfg")) for a in argv],
                          capsys)
    assert "studio.json" in err
    assert (folder / "vray_dr.cfg").read_bytes() == CFG


@pytest.mark.parametrize("what", ["scene", "sidecar", "manifest"])
def test_a_huge_number_in_a_scene_sidecar_or_manifest_is_bad_input(
        folder: Path, what: str, capsys: pytest.CaptureFixture[str]) -> None:
    scene = (SCENES / "clean.json").read_text()
    if what == "scene":
        scene = scene.replace("{", '{"extra_count": ' + BIG + ", ", 1)
    (folder / "scene.json").write_text(scene)
    if what == "sidecar":
        (folder / "vrdr_settings.json").write_text(f'{{"version": {BIG}}}')
    argv = ["check", "--scene", str(folder / "scene.json"), "--cfg", str(folder / "vray_dr.cfg")]
    if what == "manifest":
        (folder / "manifest.json").write_text(f'{{"version": 1, "servers": {{"a": {BIG}}}}}')
        argv += ["--manifest", str(folder / "manifest.json")]
    err = one_line_exit_2(argv, capsys)
    assert f"{MAX_DIGITS + 700} digits" in err
    assert (folder / "vray_dr.cfg").read_bytes() == CFG
