"""Start-up cost: `import vrdr_max` and `vrdr --help` against a bare `python -c pass`.

Budgets (issue 11.1): `import vrdr_max` under 3 x and `vrdr --help` under 5 x the bare start,
both measured in this run (the bare start is the machine yardstick), neither loading pydantic,
asyncio or Qt. `--compare DIR` measures another source tree in the same run, interleaved, for
before/after figures (make one with `git archive REV | tar -x -C DIR`).

    uv run python benchmarks/import_cost.py [--runs 30] [--compare DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pydantic", "asyncio", "qtpy", "PySide6", "PySide2")
HELP = "import sys; from vrdr_max.cli.main import main; sys.argv[1:] = ['--help']\ntry:\n" \
       "    main()\nexcept SystemExit:\n    pass"
CASES = {"python -c pass": "pass", "import vrdr_max": "import vrdr_max", "vrdr --help": HELP}
BUDGETS = {"import vrdr_max": 3.0, "vrdr --help": 5.0}


def _run(code: str, tree: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    # `python -c` puts the working folder first on sys.path: run in the tree being measured.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=tree, check=True,
                          text=True, **kwargs)  # type: ignore[call-overload,no-any-return]


def _once(code: str, tree: Path) -> float:
    start = time.perf_counter()
    _run(code, tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _heavy(code: str, tree: Path) -> list[str]:
    report = f"\nimport sys; print(*(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    return _run(code + report, tree, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE).stderr.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--compare", type=Path, metavar="DIR",
                        help="another source tree to measure in the same run (before figures)")
    args = parser.parse_args()
    trees = {"this tree": ROOT} | ({"compare": args.compare.resolve()} if args.compare else {})
    for tree in trees.values():  # warm the bytecode caches and the file-system cache
        for code in CASES.values():
            _once(code, tree)
    samples: dict[tuple[str, str], list[float]] = {
        (label, case): [] for label in trees for case in CASES}
    for _ in range(args.runs):  # interleaved, so load changes hit every case alike
        for label, tree in trees.items():
            for case, code in CASES.items():
                samples[label, case].append(_once(code, tree))
    result: dict[str, object] = {"runs": args.runs, "python": sys.version.split()[0],
                                 "cpus": os.cpu_count()}
    for label, tree in trees.items():
        median_ms = {case: statistics.median(samples[label, case]) * 1000 for case in CASES}
        bare = median_ms["python -c pass"]
        result[label] = {
            "tree": str(tree),
            "median_ms": {case: round(ms, 1) for case, ms in median_ms.items()},
            "x_bare_start": {case: round(median_ms[case] / bare, 2) for case in BUDGETS},
            "within_budget": {case: median_ms[case] / bare < budget
                              for case, budget in BUDGETS.items()},
            "heavy_modules_loaded": {case: _heavy(CASES[case], tree) for case in BUDGETS},
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
