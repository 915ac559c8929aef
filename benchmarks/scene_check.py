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

    uv run python benchmarks/scene_check.py [--runs 5] [--nodes 100000] [--compare DIR]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--compare", type=Path, metavar="DIR",
                        help="another source tree to measure in the same run (before figures)")
    parser.add_argument("--files", default="compact,full", help="which files (compact,full)")
    parser.add_argument("--bytecode", default="on,off", help="bytecode on, off or both (on,off)")
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
