"""``vrdr spawner plan`` and ``vrdr spawner command`` through the real entry point."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vrdr_max.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["spawner", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, *argv, "--json")
    assert (code, err) == (0, "")
    document: dict[str, Any] = json.loads(out)
    assert document["version"] == 1
    return document


def layout(document: dict[str, Any]) -> list[tuple[list[int], int]]:
    return [(p["nodes"], p["port"]) for p in document["processes"]]


# --- vrdr spawner plan ----------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "expected"), [
    (["--numa", "--numa-nodes", "8"], [([n], 20204 + n) for n in range(8)]),
    (["--numa=4", "--numa-nodes", "8"],
     [([0, 1], 20204), ([2, 3], 20205), ([4, 5], 20206), ([6, 7], 20207)]),
    (["--node", "3,5,6", "--ports", "30000,40000"], [([3], 30000), ([5], 40000), ([6], 40001)]),
    (["--node", "2,3,4,5,6", "--numa", "3"], [([2, 3], 20204), ([4, 5], 20205), ([6], 20206)]),
])
def test_plan_guide_examples(capsys: pytest.CaptureFixture[str], argv: list[str],
                             expected: list[tuple[list[int], int]]) -> None:
    document = run_json(capsys, "plan", *argv)
    assert layout(document) == expected
    assert set(document) == {"version", "processes", "warnings"}


def test_plan_port_and_ports_are_the_same_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert (run_json(capsys, "plan", "--node", "0,1", "--port", "30000")
            == run_json(capsys, "plan", "--node", "0,1", "--ports", "30000"))


def test_plan_without_options_is_the_ordinary_spawner(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "plan") == {
        "version": 1, "processes": [{"nodes": [], "port": 20204}], "warnings": []}


def test_plan_json_carries_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    document = run_json(capsys, "plan", "--numa", "--numa-nodes", "3")
    assert [w.split(",")[0] for w in document["warnings"]] == [
        "process 2 listens on port 20205 (auto-incremented)",
        "process 3 listens on port 20206 (auto-incremented)"]


def test_plan_with_host_lists_one_cfg_entry_per_port(capsys: pytest.CaptureFixture[str]) -> None:
    document = run_json(capsys, "plan", "--numa=2", "--numa-nodes", "4", "--host", "render07")
    assert document["servers"] == [
        {"host": "render07", "port": 20204, "enabled": True},
        {"host": "render07", "port": 20205, "enabled": True}]


def test_plan_human_output_is_a_table_and_warnings_go_to_stderr(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plan", "--node", "2,3,4,5,6", "--numa=3", "--host", "10.0.0.21")
    assert code == 0
    assert out.splitlines() == [
        "process  NUMA nodes    port",
        "      1  2,3           20204",
        "      2  4,5           20205",
        "      3  6             20206",
        "client server entries:",
        "  10.0.0.21:20204",
        "  10.0.0.21:20205",
        "  10.0.0.21:20206",
    ]
    assert [line.split(" listens")[0] for line in err.splitlines()] == [
        "vrdr: warning: process 2", "vrdr: warning: process 3"]


def test_plan_human_output_without_node_selection_says_all(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plan", "--port", "30000")
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == "      1  all           30000"


@pytest.mark.parametrize(("argv", "message"), [
    (["--node", "3,3"], "NUMA node 3 is listed twice"),
    (["--node", "-1"], "NUMA node -1 is negative"),
    (["--node", "0,8", "--numa-nodes", "8"], "NUMA node 8 does not exist"),
    (["--node", "a"], '--node: "a" is not a whole number'),
    (["--port", "0"], "out of range"),
    (["--port", "30000,30000"], "port 30000 is listed twice"),
    (["--node", "0,1", "--port", "65535"], "past 65535"),
    (["--numa=-1", "--numa-nodes", "4"], "cannot be negative"),
    (["--numa=x", "--numa-nodes", "4"], '--numa: "x" is not a whole number'),
    (["--numa"], "--numa without --node needs --numa-nodes M"),
    (["--numa-nodes", "0"], "must be 1-64"),
    (["--numa-nodes", "30000000"], "must be 1-64"),
    (["--host", "10.0.0.300"], "10.0.0.300"),
    (["--host", "a;b"], "semicolon"),
])
def test_plan_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str],
                                               argv: list[str], message: str) -> None:
    code, out, err = run(capsys, "plan", *argv)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert err.startswith("vrdr: error: ")
    assert message in err


def test_plan_does_not_accept_abbreviated_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["spawner", "plan", "--nod", "1"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --nod" in capsys.readouterr().err


# --- vrdr spawner command -------------------------------------------------------------------

GUIDE_EXE = r"C:\ProgramData\Autodesk\ApplicationPlugins\VRay3dsMax2026\bin\vrayspawner2026.exe"


def test_command_guides_dispatcher_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "command", "--max-version", "2026", "--dispatcher", "2")
    assert (code, out, err) == (0, f"{GUIDE_EXE} -run-dispatcher=2\n", "")


def test_command_json(capsys: pytest.CaptureFixture[str]) -> None:
    document = run_json(capsys, "command", "--exe", r"D:\V Ray\vrayspawner2026.exe",
                        "--node", "2,3,4,5,6", "--numa=3", "--port", "30000",
                        "--tempdir", "D:\\tmp\\", "--cmdparams=-silent -mip",
                        "--app-name", "3dsmaxio.exe", "--service")
    assert document == {
        "version": 1,
        "argv": [r"D:\V Ray\vrayspawner2026.exe", "-node=2,3,4,5,6", "-numa=3", "-port=30000",
                 "-cmdparams=-silent -mip", "-tempdir=D:\\tmp\\", "-AppName=3dsmaxio.exe",
                 "-Service"],
        "command": (r'"D:\V Ray\vrayspawner2026.exe" -node=2,3,4,5,6 -numa=3 -port=30000 '
                    r'-cmdparams="-silent -mip" -tempdir="D:\tmp\\" -AppName="3dsmaxio.exe" '
                    "-Service"),
        "warnings": [],
    }


def test_command_numa_needs_no_node_count(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "command", "--max-version", "2025", "--numa")
    assert code == 0
    assert out.split() == [GUIDE_EXE.replace("2026", "2025"), "-numa"]


def test_command_unregister(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "command", "--max-version", "2026", "--unregister")["argv"][1:] == [
        "-UnregServer"]


def test_command_warnings_go_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "command", "--max-version", "2026", "--node", "0,1,2")
    assert code == 0
    assert out == f"{GUIDE_EXE} -node=0,1,2\n"
    assert len(err.splitlines()) == 2


@pytest.mark.parametrize(("argv", "message"), [
    ([], "either the 3ds Max version"),
    (["--max-version", "2026", "--exe", "s.exe"], "either the 3ds Max version"),
    (["--max-version", "26"], "not a release year"),
    (["--max-version", "twenty"], '--max-version: "twenty" is not a whole number'),
    (["--exe", "s.exe", "--service", "--unregister"], "give one of them"),
    (["--exe", "s.exe", "--unregister", "--node", "1"], "drop -node"),
    (["--exe", "s.exe", "--dispatcher", "3"], "-run-dispatcher=3: use 1"),
    (["--exe", "s.exe", "--dispatcher", "x"], '"x" is not a whole number'),
    (["--exe", "s.exe", "--dispatcher", "1", "--numa"], "starts no render server"),
    (["--exe", "s.exe", "--cmdparams", 'say "hi"'], "double quote"),
    (["--exe", "s.exe", "--tempdir", ""], "-tempdir is empty"),
    (["--exe", "", "--numa"], "executable is empty"),
    (["--exe", "s.exe", "--node", "1,1"], "listed twice"),
    (["--exe", "s.exe", "--node", "0,1", "--port", "65535"], "past 65535"),
])
def test_command_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str],
                                                  argv: list[str], message: str) -> None:
    code, out, err = run(capsys, "command", *argv)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert message in err
