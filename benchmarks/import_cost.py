"""Cold start: whole ``vrdr`` processes against ``python -c pass``, with and without bytecode.

Every figure is a ratio to ``python -c pass`` started in the same round of the same run, under
the same bytecode condition; the cases and conditions take turns (interleaved), so load from
other processes hits all alike. Each case is a whole process, started the way the ``vrdr``
console script starts (``from vrdr_max.cli.main import main; sys.exit(main())``); its output is
discarded. The commands read (``cfg show``) and edit (``servers add``, one new host; the file is
put back between runs, untimed) a 100-server ``vray_dr.cfg``.

Budgets (issues 11.1 and 18.5): ``import vrdr_max`` under 3 x; ``vrdr --help`` under 5 x;
``vrdr cfg show`` and ``vrdr servers add`` at most 4 x; in every bytecode condition.

One more case has no budget: the floor of ``servers add``. It is no product path but the least
any ``servers add`` built from vrdr's own parts runs: the command line's parser, the cfg reader
(``cfgread``) and the atomic writer (``atomic``), with the new line simply appended. It shows
what a second, smaller edit path beside ``cfgfile`` and ``server_list`` could gain at most.

Bytecode conditions (each run gets its own ``PYTHONPYCACHEPREFIX``, so the tree's own
``__pycache__`` folders are never read, and before/after trees meet the same conditions):

* ``bytecode``: warm caches (every case ran once into the prefix before timing), as on the
  second start of any install;
* ``no_bytecode_site``: the standard library compiled (as an installer leaves it), vrdr_max and
  its dependencies compiled from source on every start (``PYTHONDONTWRITEBYTECODE=1``, a prefix
  holding only the standard library's bytecode): a fresh install where nothing can be cached,
  e.g. a read-only plugin folder without shipped bytecode;
* ``no_bytecode_all``: nothing cached at all, the standard library compiled from source too (an
  empty prefix, writing off). Harsher than any real install; the modules frozen into the
  interpreter (``os``, ``site``, ``codecs``, ... on 3.11+) are never compiled, in the baseline
  either.

The file system cache is warm in every condition (each file was read by the warm-up).
``--compare DIR`` measures another source tree in the same run, interleaved, for before/after
figures (make one with ``git archive REV | tar -x -C DIR``).

``--bundle DIR`` adds a fourth condition, ``shipped_bytecode``: the package ``vrdr bundle``
built into DIR (``DIR/vrdr-max.bundle``), run from its ``Contents/python`` with only the
bytecode the package ships (no cache prefix, writing off), as from a read-only install. The
baseline is ``python -c pass`` under the same environment.

    uv run python benchmarks/import_cost.py [--runs 20] [--compare DIR] [--bundle DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from cfg_io import make_cfg

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pydantic", "asyncio", "filelock", "importlib.metadata", "qtpy", "PySide6", "PySide2")
VRDR = "import sys; from vrdr_max.cli.main import main; sys.exit(main())"
"""What the ``vrdr`` console script runs."""

NEW_HOST = "10.250.250.250"
FLOOR = "floor: servers add on the reader and writer alone"
FLOOR_CODE = (  # not a product path: what any `servers add` reusing vrdr's own parts must run
    "import sys\n"
    "from vrdr_max.cli.main import build_parser\n"
    "from vrdr_max.cfgread import CfgText\n"
    "from vrdr_max.atomic import atomic_write\n"
    "from vrdr_max.snapshots import read_bytes_snapshot\n"
    "from vrdr_max.hostport import split_endpoint\n"
    "from vrdr_max.ports import Engine, Mode, default_port\n"
    "args = build_parser(sys.argv[1:]).parse_args(sys.argv[1:])\n"
    "before = read_bytes_snapshot(args.cfg)\n"
    "document = CfgText.parse(before.data or b'', Engine.CPU, source=args.cfg)\n"
    "host, port = split_endpoint(args.endpoints[0])\n"
    "port = port or default_port(Engine.CPU, Mode.DR)\n"
    "if all((e[0], e[1]) != (host, port) for e in document.entries()):\n"
    "    text = (before.data or b'').decode().rstrip('\\n') + '\\n%s 1 %d\\n' % (host, port)\n"
    "    atomic_write(args.cfg, text.encode(), expected=before)\n"
    "    print('added: ' + args.endpoints[0])\n")  # no braces: CASES go through str.format
CASES: dict[str, tuple[str, ...]] = {
    "python -c pass": ("-c", "pass"),
    "import vrdr_max": ("-c", "import vrdr_max"),
    "vrdr --help": ("-c", VRDR, "--help"),
    "vrdr cfg show": ("-c", VRDR, "cfg", "show", "--cfg", "{cfg}"),
    "vrdr servers add": ("-c", VRDR, "servers", "add", "--cfg", "{cfg}", NEW_HOST),
    FLOOR: ("-c", FLOOR_CODE, "servers", "add", "--cfg", "{cfg}", NEW_HOST),
}
BUDGETS = {"import vrdr_max": 3.0, "vrdr --help": 5.0, "vrdr cfg show": 4.0,
           "vrdr servers add": 4.0}
MODES = ("bytecode", "no_bytecode_site", "no_bytecode_all")


class Tree:
    """One source tree under test, with its own copy of the 100-server cfg."""

    def __init__(self, label: str, path: Path, work: Path) -> None:
        self.label, self.path = label, path
        self.cfg = work / label.replace(" ", "_") / "vray_dr.cfg"
        self.cfg.parent.mkdir(parents=True)
        self.data = make_cfg(100)
        self.cfg.write_bytes(self.data)

    def argv(self, case: str) -> list[str]:
        return [sys.executable, *(a.format(cfg=self.cfg) for a in CASES[case])]

    def reset(self) -> None:
        self.cfg.write_bytes(self.data)
        for leftover in self.cfg.parent.iterdir():
            if leftover != self.cfg:
                if leftover.is_dir():
                    shutil.rmtree(leftover)
                else:
                    leftover.unlink()


def _env(tree: Tree, prefix: Path | None, write: bool) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "VRDR_"))}
    env.update(PYTHONPATH=str(tree.path),
               VRDR_USER_CONFIG=str(tree.cfg.parent / "no-user.json"),
               VRDR_STUDIO_CONFIG=str(tree.cfg.parent / "no-studio.json"))
    if prefix is not None:  # None: the bytecode beside the sources (a package that ships it)
        env["PYTHONPYCACHEPREFIX"] = str(prefix)
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run(tree: Tree, case: str, prefix: Path | None, *, write: bool = False,
         report: bool = False) -> subprocess.CompletedProcess[str]:
    argv = tree.argv(case)
    if report:  # which heavy modules the process loaded, printed on stderr at exit
        code = argv[2]
        argv[2] = (f"import atexit, sys\natexit.register(lambda: print(*(m for m in {HEAVY!r} "
                   f"if m in sys.modules), file=sys.stderr))\n{code}")
    tree.reset()
    done = subprocess.run(argv, env=_env(tree, prefix, write), cwd=tree.path, text=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{case} ({tree.label}) exited {done.returncode}: {done.stderr}")
    return done


def _once(tree: Tree, case: str, prefix: Path | None) -> float:
    argv, env = tree.argv(case), _env(tree, prefix, write=False)
    tree.reset()
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=tree.path, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{case} ({tree.label}) exited {done.returncode}")
    return elapsed


def _stdlib_only(prefix: Path) -> None:
    """Drop every cached module of ``prefix`` that is not the standard library's."""
    paths = sysconfig.get_paths()
    stdlib = Path(paths["stdlib"]).resolve()
    sites = {Path(paths["purelib"]).resolve(), Path(paths["platlib"]).resolve()}
    for cached in list(prefix.rglob("*.pyc")):
        source_dir = Path(cached.parent.anchor) / cached.parent.relative_to(prefix)
        if not source_dir.is_relative_to(stdlib) or any(
                source_dir.is_relative_to(site) for site in sites):
            cached.unlink()


def _count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file())


def _bundle_tree(out: Path, work: Path) -> Tree:
    """The package ``vrdr bundle`` built into ``out``, as a tree to run from."""
    tree = Tree("bundle", (out / "vrdr-max.bundle/Contents/python").resolve(), work)
    if not (tree.path / "vrdr_max").is_dir():
        raise SystemExit(f"--bundle: no vrdr-max.bundle package in {out}")
    return tree


def _prepare(trees: list[Tree], prefixes: dict[str, Path | None]) -> None:
    """Warm the caches: every case once, writing bytecode into the warm prefix and into the
    one that keeps only the standard library's part; this also warms the file cache."""
    for tree in trees:
        for case in CASES:
            for mode in ("bytecode", "no_bytecode_site"):
                _run(tree, case, prefixes[mode], write=True)
    site, empty = prefixes["no_bytecode_site"], prefixes["no_bytecode_all"]
    assert site is not None
    assert empty is not None
    _stdlib_only(site)
    empty.mkdir(parents=True)


def _figures(mode: str, trees: list[Tree], samples: dict[tuple[str, str, str], list[float]],
             warm: Path | None) -> dict[str, object]:
    """Each tree's medians and ratios in one condition."""
    per_tree: dict[str, object] = {}
    # `python -c pass` does not depend on the tree: every tree's runs of it, pooled, are this
    # mode's baseline.
    bare = statistics.median([t for tree in trees
                              for t in samples[mode, tree.label, "python -c pass"]]) * 1000
    for tree in trees:
        medians = {case: statistics.median(samples[mode, tree.label, case]) * 1000
                   for case in CASES}
        per_tree[tree.label] = {
            "tree": str(tree.path),
            "baseline_ms": round(bare, 1),
            "median_ms": {case: round(ms, 1) for case, ms in medians.items()},
            "x_bare_start": {case: round(medians[case] / bare, 2) for case in (*BUDGETS, FLOOR)},
            "within_budget": {case: medians[case] / bare <= BUDGETS[case] for case in BUDGETS},
            "heavy_modules_loaded": {
                case: _run(tree, case, warm, report=True).stderr.split()
                for case in BUDGETS} if mode == "bytecode" else "as with bytecode",
        }
    return per_tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--compare", type=Path, metavar="DIR",
                        help="another source tree to measure in the same run (before figures)")
    parser.add_argument("--bundle", type=Path, metavar="DIR",
                        help="the --out folder of `vrdr bundle`: its package, run with the "
                             "bytecode it ships (condition shipped_bytecode)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        trees = [Tree("this tree", ROOT, work)]
        if args.compare:
            trees.append(Tree("compare", args.compare.resolve(), work))
        prefixes: dict[str, Path | None] = {mode: work / "pycache" / mode for mode in MODES}
        runs_in = dict.fromkeys(MODES, trees)
        if args.bundle:  # its own bytecode beside its sources: no prefix
            runs_in["shipped_bytecode"] = [_bundle_tree(args.bundle, work)]
            prefixes["shipped_bytecode"] = None
        _prepare(trees, prefixes)

        def files() -> dict[str, int]:
            return {mode: _count_files(prefixes[mode] or runs_in[mode][0].path)
                    for mode in runs_in}

        files_before = files()
        samples: dict[tuple[str, str, str], list[float]] = {}
        for _ in range(args.runs):  # interleaved: every mode, tree and case in each round
            for mode, measured in runs_in.items():
                for tree in measured:
                    for case in CASES:
                        samples.setdefault((mode, tree.label, case), []).append(
                            _once(tree, case, prefixes[mode]))
        files_after = files()
        result: dict[str, object] = {
            "runs": args.runs, "python": sys.version.split()[0], "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "processes": "whole processes, file system cache warm",
            "bytecode_files_in_prefix": {  # shipped_bytecode: the package's files
                mode: {"before": files_before[mode], "after": files_after[mode]}
                for mode in runs_in},
        }
        for mode, measured in runs_in.items():
            result[mode] = _figures(mode, measured, samples, prefixes["bytecode"])
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
