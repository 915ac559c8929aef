"""``vrdr check`` on a 100,000-node scene file against ``json.load`` of the same file.

Budget (issue 18, item 7): the whole ``vrdr check --scene F`` process at most 4 x the whole
``python -c "import json; json.load(open(F))"`` process on the same file, both started the same
way and measured in this run, interleaved (one of each per round, so load from other processes
hits both alike). Warm: the file is in the page cache and, with bytecode on, every ``.pyc`` is
written before timing starts. With bytecode off, ``PYTHONPYCACHEPREFIX`` points at an empty
folder and ``-B`` keeps it empty, so every module of both processes compiles from source.

Two files of the synthetic scene (``mock_pymxs.generator.synthetic_scene``: 100,000 geometry
nodes, 1,000 lights, 10,000 maps): ``compact`` leaves out every field at its default and is
indented as ``vrdr_max.export`` writes; ``full`` spells out every field on one line. ``--compare
DIR`` measures another source tree in the same run for before/after figures (make one with
``git archive REV | tar -x -C DIR``).

``--phases`` prints instead where the time of one ``vrdr check`` goes (imports, studio config,
parse, validation, scene checks, live state, read, preflight checks, report), timed inside the
real command in a child process, next to ``python -c pass`` and the ``json.load`` process.

    uv run python benchmarks/scene_check.py [--runs 5] [--nodes 100000] [--compare DIR]
                                            [--phases]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mock_pymxs.generator import synthetic_scene  # noqa: E402

BUDGET = 4.0
CHECK = "import sys; from vrdr_max.cli.main import main; sys.exit(main())"
LOAD = "import json, sys; json.load(open(sys.argv[1], encoding='utf-8'))"
PASS = "pass"
# --phases: one ``vrdr check --scene F`` in a child process, the functions it runs wrapped
# with timers (the child's own code: the real command, its phases timed from outside).
PHASES = r"""
import sys, time
start = time.perf_counter()
import json, types
import pydantic
from vrdr_max.cli.main import main
from vrdr_max.checks import SCENE, CheckContext, checks_in, run
from vrdr_max.checks.farm_checks import probe_targets
from vrdr_max.models import DRSettings
from vrdr_max import reporting
from vrdr_max.cli import scene_cmds
import vrdr_max.mock_session
import mock_pymxs
from mock_pymxs import install as mock_install, scene as mock_scene, state as mock_state
imported = time.perf_counter()
with mock_pymxs.installed("clean"):  # max_host imports pymxs, there once the mock is installed
    from vrdr_max.max_host import PymxsHost
spent = {}

def timed(label, function):
    def wrapper(*args, **kwargs):
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - began
    return wrapper

def timed_class(owner, name, label):
    function = getattr(owner, name).__func__
    setattr(owner, name, classmethod(timed(label, function)))

scene_cmds._config = timed("studio config", scene_cmds._config)
mock_scene.json = types.SimpleNamespace(loads=timed("json.loads", json.loads),
                                        JSONDecodeError=json.JSONDecodeError)
if hasattr(mock_scene, "_parsed_fast"):  # pydantic-core's parser first, json where it refuses
    mock_scene._parsed_fast = timed("json.loads", mock_scene._parsed_fast)
if hasattr(mock_scene, "NodeRecords"):
    timed_class(mock_scene.NodeRecords, "from_json", "node records (by column)")
    mock_scene.nodes_surely_clean = timed("scene checks", mock_scene.nodes_surely_clean)
if hasattr(mock_scene, "MapColumns"):
    timed_class(mock_scene.MapColumns, "from_json", "map records (by column)")
timed_class(mock_scene.Scene, "model_validate", "schema validation (pydantic)")
mock_scene.check_scene = timed("scene checks", mock_scene.check_scene)
mock_state.build_state = timed("live state", mock_state.build_state)
mock_pymxs.install = timed("install", mock_pymxs.install)
PymxsHost.read_scene = timed("read_scene", PymxsHost.read_scene)
import vrdr_max.checks as checks_module
checks_module.run = timed("preflight checks", checks_module.run)
reporting.check_report_lines = timed("report", reporting.check_report_lines)
began = time.perf_counter()
code = main(sys.argv[1:])
ended = time.perf_counter()
inner = ("json.loads", "node records (by column)", "map records (by column)",
         "schema validation (pydantic)", "scene checks", "live state")
out = {"imports": imported - start, "command": ended - began, **spent}
out["install: the rest (read, decode, surrogates, runtime table)"] = (
    spent["install"] - sum(spent.get(k, 0.0) for k in inner))
del out["install"]
out["command: the rest (argparse, settings, print)"] = (ended - began) - sum(
    v for k, v in out.items() if k not in ("imports", "command"))
del out["command"]
print(json.dumps({k: round(v * 1000, 1) for k, v in out.items()}))
"""


def write_scenes(folder: Path, nodes: int) -> dict[str, Path]:
    """The ``compact`` and ``full`` files of one synthetic scene."""
    scene = synthetic_scene(nodes=nodes)
    with warnings.catch_warnings():  # model_construct'ed specs: serializer warnings only
        warnings.simplefilter("ignore")
        compact = scene.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        full = scene.model_dump(mode="json", by_alias=True)
    files = {"compact": folder / "compact.json", "full": folder / "full.json"}
    files["compact"].write_text(json.dumps(compact, indent=2, ensure_ascii=False) + "\n",
                                encoding="utf-8")
    files["full"].write_text(json.dumps(full, ensure_ascii=False), encoding="utf-8")
    return files


def _command(code: str, args: list[str], bytecode: bool) -> list[str]:
    return [sys.executable, *([] if bytecode else ["-B"]), "-c", code, *args]


def _env(tree: Path, bytecode: bool, empty_cache: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not bytecode:
        env["PYTHONPYCACHEPREFIX"] = str(empty_cache)
    for name in ("VRDR_PLUGCFG", "VRDR_STUDIO_CONFIG"):
        env.pop(name, None)
    return env


def _once(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    # vrdr check exits 1 when the preflight finds errors: findings, not a failed run.
    if done.returncode not in (0, 1) or done.stderr:
        raise SystemExit(f"{command[-3:]} exited {done.returncode}: {done.stderr[-500:]!r}")
    return elapsed


def _phases(code: str, args: list[str], env: dict[str, str], cwd: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=cwd,
                          capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"phases exited {done.returncode}: {done.stderr[-500:]!r}")
    phases: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return phases


def phases(trees: dict[str, Path], files: dict[str, Path], runs: int,
           empty_cache: Path) -> dict[str, object]:
    """Where the time of one ``vrdr check`` goes, per phase (ms, median of ``runs``), bytecode on.

    Each run is a child process: ``python -c pass`` (interpreter start), the whole
    ``json.load`` process, and ``vrdr check`` with its phases timed.
    """
    out: dict[str, object] = {}
    for label, tree in trees.items():
        env = _env(tree, True, empty_cache)
        for name, path in files.items():
            samples: dict[str, list[float]] = {}
            for round_ in range(runs + 1):  # round 0 warms up
                figures = {"interpreter start (python -c pass)":
                           1000 * _once(_command(PASS, [], True), env, tree),
                           **_phases(PHASES, ["check", "--scene", str(path)], env, tree)}
                figures["json.load process (baseline)"] = 1000 * _once(
                    _command(LOAD, [str(path)], True), env, tree)
                figures["vrdr check process"] = 1000 * _once(
                    _command(CHECK, ["check", "--scene", str(path)], True), env, tree)
                if round_:
                    for key, value in figures.items():
                        samples.setdefault(key, []).append(value)
            medians = {k: round(statistics.median(v), 1) for k, v in samples.items()}
            phase_sum = sum(v for k, v in medians.items() if not k.endswith(("process",
                                                                            "(baseline)")))
            medians["sum of vrdr check's phases"] = round(phase_sum, 1)
            # What the phases leave out: interpreter shutdown (freeing the scene), exit.
            medians["vrdr check process minus its phases"] = round(
                medians["vrdr check process"] - phase_sum, 1)
            medians["x_json_load"] = round(
                medians["vrdr check process"] / medians["json.load process (baseline)"], 2)
            out[f"{label}, {name}"] = medians
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--compare", type=Path, metavar="DIR",
                        help="another source tree to measure in the same run (before figures)")
    parser.add_argument("--files", default="compact,full", help="which files (compact,full)")
    parser.add_argument("--bytecode", default="on,off", help="bytecode on, off or both (on,off)")
    parser.add_argument("--phases", action="store_true",
                        help="where the time goes instead: one check's phases, bytecode on")
    args = parser.parse_args()
    trees = {"this tree": ROOT} | ({"compare": args.compare.resolve()} if args.compare else {})
    modes = [m == "on" for m in args.bytecode.split(",")]
    with tempfile.TemporaryDirectory(prefix="vrdr-scene-bench-") as tmp:
        folder = Path(tmp)
        empty_cache = folder / "no-pyc"
        empty_cache.mkdir()
        files = {k: v for k, v in write_scenes(folder, args.nodes).items()
                 if k in args.files.split(",")}
        # The user config must not add pools or defaults to the run (a fresh account's state).
        os.environ["VRDR_USER_CONFIG"] = str(folder / "no-user-config.json")
        if args.phases:
            print(json.dumps({"runs": args.runs, "nodes": args.nodes,
                              "python": sys.version.split()[0],
                              "load_average": [round(x, 2) for x in os.getloadavg()],
                              "conditions": "warm, bytecode on, one child process per run; "
                                            "phases timed inside the real command",
                              **phases(trees, files, args.runs, empty_cache)}, indent=2))
            return
        cases: dict[tuple[str, str, bool, str], list[str]] = {}
        for label in trees:
            for name, path in files.items():
                for bytecode in modes:
                    cases[label, name, bytecode, "json.load"] = [LOAD, str(path)]
                    cases[label, name, bytecode, "vrdr check"] = [
                        CHECK, "check", "--scene", str(path)]
        samples: dict[tuple[str, str, bool, str], list[float]] = {k: [] for k in cases}
        for round_ in range(args.runs + 1):  # round 0 warms up (and writes the .pyc files)
            for (label, name, bytecode, kind), (code, *rest) in cases.items():
                took = _once(_command(code, rest, bytecode),
                             _env(trees[label], bytecode, empty_cache), trees[label])
                if round_:
                    samples[label, name, bytecode, kind].append(took)
        sizes = {name: path.stat().st_size for name, path in files.items()}
    result: dict[str, object] = {
        "runs": args.runs, "nodes": args.nodes, "python": sys.version.split()[0],
        "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
        "conditions": "warm (page cache, a warm-up run of each case first); interleaved; "
                      "bytecode on: .pyc written in the warm-up; off: -B with an empty "
                      "PYTHONPYCACHEPREFIX (every module compiled, in both processes)",
        "file_bytes": sizes, "budget_x": BUDGET,
    }
    for label, tree in trees.items():
        figures: dict[str, object] = {"tree": str(tree)}
        for name in files:
            for bytecode in modes:
                load = statistics.median(samples[label, name, bytecode, "json.load"])
                check = statistics.median(samples[label, name, bytecode, "vrdr check"])
                ratio = check / load
                figures[f"{name}, bytecode {'on' if bytecode else 'off'}"] = {
                    "json.load_ms": round(load * 1000, 1),
                    "vrdr_check_ms": round(check * 1000, 1),
                    "x_json_load": round(ratio, 2),
                    "within_budget": ratio <= BUDGET,
                }
        result[label] = figures
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
