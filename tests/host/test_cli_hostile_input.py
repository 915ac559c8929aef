"""Hostile input never reaches the user as a traceback (issue 10, items 8, 10, 11, 18).

Bad input is one line on stderr and exit 2; a bug is one line and exit 70 with a hint to rerun
with --debug; every --json document is strict JSON without file bytes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import mock_pymxs
from vrdr_max.cli import cfg_cmds
from vrdr_max.cli.main import main
from vrdr_max.errors import one_line, quote
from vrdr_max.plugcfg import PLUGCFG_ENV
from vrdr_max.sidecar import SIDECAR_NAME
from vrdr_max.studio import STUDIO_ENV, USER_ENV

NO_USER = "~vrdr-no-such-user-4f1c"
TOO_LONG = "n" * 300  # one name longer than any file system's NAME_MAX (255)
DEEP = "[" * 100_000 + "]" * 100_000  # deeper than the JSON parser's recursion limit
ENTRY = "import sys; from vrdr_max.cli.main import main; sys.exit(main())"


pytestmark = pytest.mark.usefixtures("no_config_files")


@pytest.fixture
def artist_cfg() -> bytes:
    return b"render01 1 20204\r\n"


def one_error_line(capsys: pytest.CaptureFixture[str], code: int, says: str = "") -> str:
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("vrdr: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert says in err
    return err


def strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"not strict JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


# --- item 8: paths ----------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["cfg", "show", "--cfg", f"{NO_USER}/vray_dr.cfg"],
    ["servers", "add", "--cfg", NO_USER, "render02"],
])
def test_unknown_home_folder_is_bad_input(argv: list[str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    one_error_line(capsys, main(argv), "no home folder")


def test_unknown_home_folder_in_the_environment_is_bad_input(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(PLUGCFG_ENV, NO_USER)
    one_error_line(capsys, main(["cfg", "show"]), "no home folder")
    monkeypatch.delenv(USER_ENV)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", NO_USER)
    one_error_line(capsys, main(["pools", "list"]), "no home folder")


@pytest.mark.parametrize("argv", [
    ["cfg", "show", "--cfg", f"{TOO_LONG}/vray_dr.cfg"],
    ["servers", "add", "--cfg", TOO_LONG, "render02"],
    ["check", "--scene", f"{TOO_LONG}.json"],
    ["check", "--scene", TOO_LONG],
])
def test_a_name_too_long_is_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str],
                                      argv: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    one_error_line(capsys, main(argv), "too long")


def test_a_user_config_name_too_long_is_bad_input(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(USER_ENV, str(tmp_path / TOO_LONG / "config.json"))
    one_error_line(capsys, main(["pools", "list"]), "too long")


def _as_plain_owner(argv: list[str]) -> list[str]:
    """Run as the files' owner without root's power to read anything: a user namespace that
    maps this user to an unprivileged id, so permission bits apply even when tests run as root.
    """
    command = [sys.executable, "-c", ENTRY, *argv]
    if os.geteuid() != 0:
        return command
    return ["unshare", "--user", "--map-user=1000", "--map-group=1000", *command]


@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("unshare") is None,
                    reason="as root, permission bits bind only inside a user namespace "
                           "(util-linux unshare)")
def test_permission_denied_is_one_line(tmp_path: Path, cfg: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "config.json").write_text("{}", encoding="utf-8")
    cfg.chmod(0)
    locked.chmod(0)
    env = {**os.environ, USER_ENV: str(locked / "config.json"),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    try:
        for argv, extra in ((["cfg", "show", "--cfg", str(cfg)], {}),
                            (["pools", "list"], {})):
            done = subprocess.run(_as_plain_owner(argv), capture_output=True, text=True,
                                  env={**env, **extra}, check=False, timeout=60)
            if "unshare:" in done.stderr:
                pytest.skip(f"user namespaces unavailable here: {done.stderr.strip()}")
            assert done.returncode == 2, done.stderr
            assert done.stderr.startswith("vrdr: error: ") and done.stderr.count("\n") == 1
            assert "ermission denied" in done.stderr
    finally:
        locked.chmod(0o755)
        cfg.chmod(0o644)


# --- item 8: undecodable and deeply nested JSON ----------------------------------------------

def test_deeply_nested_or_undecodable_scene_is_bad_input(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP, encoding="utf-8")
    one_error_line(capsys, main(["check", "--scene", str(deep)]), "nested too deeply")
    utf16 = tmp_path / "utf16.json"
    utf16.write_bytes('{"max_version": 2025}'.encode("utf-16"))
    one_error_line(capsys, main(["check", "--scene", str(utf16)]), "not UTF-8")


def test_deeply_nested_studio_file_manifest_and_sidecar_are_bad_input(
        tmp_path: Path, cfg: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP, encoding="utf-8")
    one_error_line(capsys, main(["check", "--scene", "clean", "--manifest", str(deep)]),
                   "nested too deeply")
    (cfg.parent / SIDECAR_NAME).write_text(DEEP, encoding="utf-8")
    one_error_line(capsys, main(["pools", "apply", "x", "--cfg", str(cfg)]),
                   "nested too deeply")
    monkeypatch.setenv(STUDIO_ENV, str(deep))
    one_error_line(capsys, main(["pools", "list"]), "nested too deeply")


def _scene_with(tmp_path: Path, change: dict[str, Any]) -> Path:
    data = json.loads((mock_pymxs.SCENES_DIR / "clean.json").read_text(encoding="utf-8"))
    data["renderer"]["props"].update(change)
    path = tmp_path / "scene.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(("change", "says"), [
    ({"system_distributedRender": "yes"}, "takes bool"),
    ({"system_distributedRender": None}, "takes bool"),
    ({"options_defaultLights": "abc"}, "takes int"),
    ({"noSuchProperty": 1}, "has no property"),
])
@pytest.mark.parametrize("verb", ["check", "submit"])
def test_wrong_types_and_unknown_properties_in_a_scene_are_bad_input(
        tmp_path: Path, cfg: Path, capsys: pytest.CaptureFixture[str],
        change: dict[str, Any], says: str, verb: str) -> None:
    before = cfg.read_bytes()
    scene = _scene_with(tmp_path, change)
    one_error_line(capsys, main([verb, "--scene", str(scene), "--cfg", str(cfg), "--no-probe"]),
                   says)
    assert cfg.read_bytes() == before


# --- item 8: the last-resort handler -----------------------------------------------------------

def _bug(_args: object) -> int:
    return 1 // 0


def test_a_bug_is_one_line_exit_70_and_debug_shows_the_traceback(
        cfg: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cfg_cmds, "cmd_cfg_show", _bug)
    assert main(["cfg", "show", "--cfg", str(cfg)]) == 70
    err = capsys.readouterr().err
    assert err == ("vrdr: internal error: ZeroDivisionError: integer division or modulo by zero"
                   " (rerun with --debug for the traceback)\n")
    assert main(["cfg", "show", "--cfg", str(cfg), "--debug"]) == 70
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert err.endswith("vrdr: internal error: ZeroDivisionError: integer division or modulo "
                        "by zero\n")
    assert main(["--debug", "cfg", "show", "--cfg", str(cfg)]) == 70
    assert "Traceback" in capsys.readouterr().err


# --- item 10: strict JSON, never file bytes ---------------------------------------------------

def test_json_output_is_strict_even_for_a_number_too_big_for_a_float(
        cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg.write_bytes(b"render01 1 20204\r\ncache_limit " + b"9" * 400 + b".0\r\n")
    assert main(["cfg", "show", "--cfg", str(cfg), "--json"]) == 0
    doc = strict_json(capsys.readouterr().out)
    # No dialog writes such a value: the line is kept as text, never read as Infinity.
    assert "cache_limit" not in doc["options"]
    assert doc["unknown_lines"] == ["cache_limit " + "9" * 400 + ".0"]


def test_submit_json_carries_no_file_bytes_and_survives_a_utf16_cfg(
        cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = "render01 1 20204\r\nrestart_slaves 0\r\n".encode("utf-16")
    cfg.write_bytes(original)
    assert main(["submit", "--scene", "clean", "--cfg", str(cfg), "--no-probe", "--json"]) == 0
    out = capsys.readouterr().out
    doc = strict_json(out)
    assert doc["report"]["status"] == "rendered"
    assert "cfg_loaded" not in doc["plan"]
    assert "restart_slaves" not in out  # the cfg's own lines are not echoed
    assert cfg.read_bytes() == original


# --- item 11: usage errors and user text on one line -----------------------------------------

@pytest.mark.parametrize(("argv", "says"), [
    (["servers", "add"], "servers add: the following arguments are required: HOST[:PORT]"),
    (["no-such-group"], "invalid choice"),
    (["probe", "--timeout", "x"], "invalid float value"),
    (["servers"], "required: VERB"),
    ([], "required: GROUP"),
])
def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str], argv: list[str],
                                   says: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith("vrdr: error: ") and err.count("\n") == 1, err
    assert says in err
    assert "usage:" not in err
    assert "--help" in err


@pytest.mark.parametrize("argv", [
    ["pools", "show", "night\nfarm\x1b[2J"],
    ["check", "--scene", "no\nsuch\rscene.json"],
    ["servers", "add", "--cfg", "x\ny/vray_dr.cfg", "host\nname"],
    ["no\nsuch\ngroup"],
])
def test_messages_quoting_user_text_stay_on_one_line(
        capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(str(exc.code))
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "\r" not in err and "\x1b" not in err, err


def test_one_line_escapes_breaks_and_control_characters() -> None:
    assert one_line("a\nb\r\x1b[31mc\u2028d\tä") == "a\\nb\\r\\x1b[31mc\\u2028d\\tä"
    assert one_line("C:\\Users\\art") == "C:\\Users\\art"
    assert quote("night\nfarm") == '"night\\nfarm"'


# --- item 18: --version, no Python reprs ------------------------------------------------------

def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == "vrdr 0.1.0\n"


def test_text_output_has_no_python_reprs(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["submit", "--scene", "clean", "--cfg", str(cfg), "--no-probe"]) == 0
    out = capsys.readouterr().out
    assert "system_distributedRender = true" in out
    assert "system_distributedRender=true" in out
    # Python's spellings of values: booleans, None, enum members, lists and quoted strings.
    assert re.search(r"\b(True|False|None)\b|<\w+\.\w+: |\[\'|\(\'", out) is None, out


def test_a_reader_that_goes_away_gets_no_traceback(cfg: Path) -> None:
    # Several pipe buffers of output (64 KiB each on Linux), so writing must fail.
    cfg.write_text("".join(f"render{i} 1 20204\n" for i in range(10_000)), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    with subprocess.Popen([sys.executable, "-c", ENTRY, "servers", "list", "--cfg", str(cfg)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().startswith(b"on")
        proc.stdout.close()  # like `| head -1`
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=60)
    assert (code, err) == (141, "")
