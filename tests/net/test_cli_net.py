"""``vrdr probe`` and ``vrdr discover`` through the real entry point, over real sockets."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from vrdr_max.cli.main import main
from vrdr_max.cli.net_cmds import print_results
from vrdr_max.models import DRSettings
from vrdr_max.probe import FD_RESERVE, probe, targets_from_settings

from .conftest import Blackholes, range_with_middle_refused

ENTRY = "import sys; from vrdr_max.cli.main import main; sys.exit(main())"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _no_plugcfg_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VRDR_PLUGCFG", raising=False)


# --- vrdr probe -----------------------------------------------------------------------------

def test_probe_all_online_exits_0(capsys: pytest.CaptureFixture[str], online_port: int) -> None:
    code, out, err = run(capsys, "probe", f"127.0.0.1:{online_port}")
    assert (code, err) == (0, "")
    first, summary = out.splitlines()
    assert first.split()[:3] == ["online", f"127.0.0.1:{online_port}", "127.0.0.1"]
    assert summary == "1 of 1 online"


def test_probe_some_offline_exits_1_and_json_lists_every_state(
        capsys: pytest.CaptureFixture[str], online_port: int, closed_port: int,
        blackholes: Blackholes) -> None:
    blackhole = blackholes.make()
    code, out, err = run(capsys, "probe", f"127.0.0.1:{online_port}",
                         f"127.0.0.1:{closed_port}", f"127.0.0.1:{blackhole}",
                         "--timeout", "0.3", "--json")
    assert (code, err) == (1, "")
    document: dict[str, Any] = json.loads(out)
    assert set(document) == {"version", "results", "summary"}
    assert document["version"] == 1
    assert [r["state"] for r in document["results"]] == ["online", "refused", "timeout"]
    assert set(document["results"][0]) == {"host", "port", "label", "state", "address",
                                           "latency_ms", "message", "cancelled", "other_port",
                                           "port_range"}
    assert document["summary"] == {"total": 3, "online": 1, "refused": 1, "timeout": 1,
                                   "unresolvable": 0, "error": 0, "cancelled": 0}


def test_probe_text_summary_names_what_failed(capsys: pytest.CaptureFixture[str],
                                              closed_port: int) -> None:
    code, out, _ = run(capsys, "probe", f"127.0.0.1:{closed_port}")
    assert code == 1
    assert out.splitlines()[-1] == "0 of 1 online, 1 refused"


@pytest.mark.dr_ports
def test_probe_gpu_uses_the_gpu_port_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.63.0.3", 20206)):
        code, out, _ = run(capsys, "probe", "127.63.0.3", "--gpu", "--json")
    assert code == 0
    assert json.loads(out)["results"][0]["port"] == 20206


@pytest.mark.dr_ports
@pytest.mark.parametrize(("argv", "port"), [(["--dr2"], 20208), (["--dr2", "--gpu"], 20209)])
def test_probe_dr2_uses_the_dr2_port_by_default(capsys: pytest.CaptureFixture[str],
                                                argv: list[str], port: int) -> None:
    with socket.create_server(("127.63.0.4", port)):
        code, out, _ = run(capsys, "probe", "127.63.0.4", *argv, "--json")
    assert code == 0
    [result] = json.loads(out)["results"]
    assert (result["port"], result["state"]) == (port, "online")


def test_probe_text_shows_each_port_of_a_range_entry_and_a_line_per_range(
        capsys: pytest.CaptureFixture[str]) -> None:
    host = "127.63.0.9"
    with range_with_middle_refused(host) as server:
        port = server.port
        results = probe(targets_from_settings(DRSettings(servers=[server])), hint_ports=False)
    print_results(results)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:4] for line in lines[:3]] == [
        ["online", f"{host}:{port}", "(range", f"{port}-{port + 2})"],
        ["refused", f"{host}:{port + 1}", "(range", f"{port}-{port + 2})"],
        ["online", f"{host}:{port + 2}", "(range", f"{port}-{port + 2})"]]
    assert lines[3:] == [f"range {host}:{port}-{port + 2}: 2 of 3 ports online "
                         f"({port}, {port + 2})",
                         "2 of 3 online, 1 refused"]


@pytest.mark.parametrize(("argv", "message"), [
    (["10.0.0.300"], 'vrdr: error: host "10.0.0.300" is not a valid IPv4 address (300 > 255)'),
    (["a;b"], 'vrdr: error: host "a;b" contains a semicolon'),
    (["render01:0"], "vrdr: error: port 0 is out of range (1-65535)"),
    (["127.0.0.1", "--timeout", "0"],
     "vrdr: error: timeout 0.0 s: give more than 0 and at most 120 s"),
    (["127.0.0.1", "--concurrency", "0"], "vrdr: error: concurrency 0 must be at least 1"),
    (["--dr2", "--cfg", "x.cfg"],
     "vrdr: error: --dr2 sets the port of HOST arguments; a cfg's servers have their own"),
    (["127.0.0.1", "--cfg", "x.cfg"],
     "vrdr: error: give servers either as HOST[:PORT] arguments or with --cfg/--max-version, "
     "not both"),
])
def test_probe_bad_input_exits_2_with_one_line(capsys: pytest.CaptureFixture[str],
                                               argv: list[str], message: str) -> None:
    code, out, err = run(capsys, "probe", *argv)
    assert (code, out) == (2, "")
    assert err.splitlines() == [message]


def write_cfg(folder: Path, lines: list[str]) -> Path:
    path = folder / "vray_dr.cfg"
    path.write_bytes("".join(f"{line}\r\n" for line in lines).encode())
    return path


def test_probe_cfg_probes_enabled_servers_and_leaves_file_alone(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, online_port: int,
        closed_port: int) -> None:
    cfg = write_cfg(tmp_path, [f"127.0.0.1 1 {online_port}", f"127.0.0.1 0 {closed_port}",
                               "restart_slaves 0"])
    before = cfg.read_bytes()
    code, out, err = run(capsys, "probe", "--cfg", str(cfg), "--json")
    assert (code, err) == (0, "")
    assert [(r["port"], r["state"]) for r in json.loads(out)["results"]] == [
        (online_port, "online")]
    assert cfg.read_bytes() == before


def test_probe_cfg_with_an_offline_server_exits_1(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, online_port: int,
        closed_port: int) -> None:
    cfg = write_cfg(tmp_path, [f"127.0.0.1 1 {online_port}", f"127.0.0.1 1 {closed_port}"])
    code, _, _ = run(capsys, "probe", "--cfg", str(cfg))
    assert code == 1


def test_probe_cfg_without_enabled_servers_exits_1(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    cfg = write_cfg(tmp_path, ["127.0.0.1 0 20204"])
    code, out, err = run(capsys, "probe", "--cfg", str(cfg))
    assert (code, out) == (1, "")
    assert err == f"vrdr: no enabled render servers in {cfg}\n"


def test_probe_missing_cfg_or_none_given_exits_2(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    code, _, err = run(capsys, "probe", "--cfg", str(tmp_path / "vray_dr.cfg"))
    assert code == 2
    assert err == f"vrdr: error: no cfg file at {tmp_path / 'vray_dr.cfg'}\n"
    code, _, err = run(capsys, "probe")
    assert code == 2
    assert err.startswith("vrdr: error: ")
    assert not (tmp_path / "vray_dr.cfg").exists()


def _run_cli(argv: list[str], stderr: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", ENTRY, *argv], stdout=subprocess.PIPE,
                          stderr=stderr, text=True, timeout=60, check=False,
                          env={**os.environ, "TERM": "xterm"},
                          cwd=Path(__file__).resolve().parents[2])


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_probe_progress_line_on_a_terminal_only(online_port: int) -> None:
    master, slave = os.openpty()
    try:
        on_tty = _run_cli(["probe", f"127.0.0.1:{online_port}"], stderr=slave)
        os.close(slave)
        chunks = []
        for _ in range(100):  # bounded read of what the child wrote to the terminal
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: nothing more
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    terminal = b"".join(chunks).decode()
    assert on_tty.returncode == 0
    assert "\rprobing 1/1: 1 online" in terminal
    assert terminal.endswith("\r")  # the line is wiped before the results are printed
    piped = _run_cli(["probe", f"127.0.0.1:{online_port}"], stderr=subprocess.PIPE)
    assert piped.returncode == 0
    assert piped.stderr == ""
    assert piped.stdout.splitlines()[-1] == on_tty.stdout.splitlines()[-1] == "1 of 1 online"


# --- vrdr discover --------------------------------------------------------------------------

def _announce(port: int, stop: threading.Event) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.2", 0))
        for _ in range(40):  # bounded: about 2 s of announcements
            sock.sendto(b"\x01\x02ready", ("127.0.0.1", port))
            if stop.wait(0.05):
                return


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_discover_reports_senders_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_udp_port()
    stop = threading.Event()
    announcer = threading.Thread(target=_announce, args=(port, stop))
    announcer.start()
    try:
        code, out, err = run(capsys, "discover", "--seconds", "0.5", "--port", str(port),
                             "--bind", "127.0.0.1", "--json")
    finally:
        stop.set()
        announcer.join()
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["version"] == 1
    assert document["port"] == port
    [sender] = document["senders"]
    assert sender["address"] == "127.0.0.2"
    assert sender["last_size"] == 7
    assert sender["packets"] >= 1


def test_discover_without_senders_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_udp_port()
    code, out, err = run(capsys, "discover", "--seconds", "0.2", "--port", str(port),
                         "--bind", "127.0.0.1")
    assert (code, err) == (1, "")
    assert out.startswith(f"listened on UDP {port} at 127.0.0.1 for ")
    assert out.rstrip().endswith(": 0 senders, 0 packets")


@pytest.mark.parametrize(("argv", "message"), [
    (["--port", "0"], "vrdr: error: port 0 is out of range (1-65535)"),
    (["--port", "x"], 'vrdr: error: port "x" is not a number'),
    (["--seconds", "-1"], "vrdr: error: listen time -1.0 s: give more than 0 and at most 3600 s"),
    (["--bind", "a;b"], 'vrdr: error: bind address "a;b" is not an IPv4 or IPv6 address'),
])
def test_discover_bad_input_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                                    message: str) -> None:
    code, out, err = run(capsys, "discover", *argv)
    assert (code, out) == (2, "")
    assert err.splitlines() == [message]


_LIMIT_SCRIPT = """
import json, resource, sys
from vrdr_max.cli.main import main
from vrdr_max.probe import FD_RESERVE, lift_fd_limit
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (FD_RESERVE + 20, hard))
code = main(["probe", *sys.argv[1:], "--timeout", "0.3", "--json"])
after_cli = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
resource.setrlimit(resource.RLIMIT_NOFILE, (FD_RESERVE, FD_RESERVE + 30))  # a low hard limit
lift_fd_limit(10_000)
print(json.dumps({"code": code, "after_cli": after_cli,
                  "capped": list(resource.getrlimit(resource.RLIMIT_NOFILE))}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_NOFILE is POSIX")
def test_vrdr_probe_raises_its_own_open_file_limit_up_to_the_hard_one(
        blackholes: Blackholes) -> None:
    # The command owns its process: it lifts its soft limit so every endpoint goes at once
    # (a library call leaves the limit alone: test_default_concurrency_stays_within_...).
    ports = [f"127.0.0.1:{blackholes.make()}" for _ in range(30)]
    done = subprocess.run([sys.executable, "-c", _LIMIT_SCRIPT, *ports], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.splitlines()[-1])
    assert answer["code"] == 1  # every target timed out
    assert answer["after_cli"] >= 30 + FD_RESERVE  # each endpoint's socket beside the reserve
    assert answer["capped"] == [FD_RESERVE + 30] * 2  # raised only as far as the hard limit
