"""Time the cfg layer against the floor and print JSON figures.

Budgets (issue 11): load + add one server + save at most 4x the floor at 10,000 servers and 3x
at 100, where the floor is measured in the same run on the same file: read it, split it into
lines, join them again and replace the file atomically (temp file, fsync, ``os.replace``).
Adding 10,000 servers through the API (``DRSettings.add_servers``), ``vrdr pools apply`` and
``vrdr servers add`` stays linear (compare the time for N and N/2) and under 1 s. Bulk edits
(issue 18.6): ``vrdr servers remove|enable|disable`` of 300 listed hosts at most 2 x adding
300 new hosts to the same 1,000- and 10,000-server files (``--bulk-only`` for just those).
Every figure is a ratio to a baseline timed in the same rounds, interleaved; all warm (one
process, modules imported before the first timing), so bytecode plays no part.
The machine yardstick (``yardstick.py``) is taken in the same run, so figures compare across
machines. ``--compare-atomic REF`` also times the save with ``vrdr_max/atomic.py`` as it was at git
revision ``REF``, interleaved with the rest (a before/after in the same run).

    uv run python benchmarks/cfg_io.py [--repeat 15] [--add 10000] [--compare-atomic main]
                                       [--bulk-only] [--bulk-hosts 300]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import yardstick

from vrdr_max import atomic, cfgedit, cfgfile
from vrdr_max.atomic import atomic_write, read_bytes_snapshot
from vrdr_max.cfgfile import CPU_CFG_NAME, CfgDocument, CfgFile
from vrdr_max.cli.main import main as vrdr
from vrdr_max.models import DRSettings, RenderServer
from vrdr_max.ports import Engine

OPTIONS = ("restart_slaves 0", "list_in_scene 0", "max_servers 0", "use_local_machine 1",
           "transfer_missing_assets 1", "use_cached_assets 1", "cache_limit_type 2",
           "cache_limit 100.000000")


def make_cfg(count: int) -> bytes:
    """A CRLF file with ``count`` servers: IPs, names, old host-only lines, comments, blanks."""
    lines: list[str] = []
    for i in range(count):
        if i % 100 == 0:
            lines.append(f"# rack {i // 100} - added by the farm script")
        if i % 250 == 0:
            lines.append("")
        if i % 3 == 0:
            lines.append(f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256} {i % 7 and 1} 20204")
        elif i % 3 == 1:
            lines.append(f"render-node-{i:05d} 1 {20204 + i % 4}")
        else:
            lines.append(f"render-node-{i:05d} 1")
    lines.extend(OPTIONS)
    lines.append("render_region_warning 1")
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def new_hosts(count: int) -> list[str]:
    """``count`` distinct addresses that no generated file lists (172.16/12)."""
    return [f"172.{16 + i // 65536 % 16}.{i // 256 % 256}.{i % 256}" for i in range(count)]


def paired(repeat: int, setup: Callable[[], None],
           runs: dict[str, Callable[[], object]]) -> dict[str, object]:
    """Time each of ``runs`` in turn, ``repeat`` rounds, so load from other processes hits all
    alike; ratios are to the first one (the floor)."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            setup()
            start = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - start) * 1000)
    floor = next(iter(times.values()))
    out: dict[str, object] = {}
    for name, values in times.items():
        out[name] = {"median_ms": round(statistics.median(values), 3),
                     "min_ms": round(min(values), 3),
                     "ratio_of_medians": round(statistics.median(values)
                                               / statistics.median(floor), 2),
                     "ratio_of_minimums": round(min(values) / min(floor), 2)}
    return out


def floor_io(path: Path) -> None:
    """Read, split into lines, join, and replace the file atomically with fsync."""
    data = path.read_bytes()
    out = b"\n".join(data.split(b"\n"))
    temp = path.with_name(path.name + ".floor.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, out)
        os.fsync(fd)
    finally:
        os.close(fd)
    temp.replace(path)


def load_add_save(path: Path, *, backup: bool = True) -> None:
    """What ``vrdr servers add`` does for one host, through the public API."""
    cfg = CfgFile.load(path)
    cfg.settings.add_server("10.250.250.250")
    cfg.save(backup=backup)


def atomic_at(ref: str) -> ModuleType:
    """``vrdr_max/atomic.py`` as it was at git revision ``ref``, loaded beside today's."""
    root = Path(__file__).resolve().parent.parent
    source = subprocess.run(["git", "show", f"{ref}:vrdr_max/atomic.py"], cwd=root, check=True,
                            capture_output=True, text=True).stdout
    name = f"atomic_at_{ref.replace('/', '_').replace('~', '_')}"
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    exec(compile(source, f"{ref}:vrdr_max/atomic.py", "exec"), module.__dict__)
    return module


@contextlib.contextmanager
def saving_with(module: ModuleType) -> Iterator[None]:
    """``CfgFile`` reads and writes through ``module``'s functions while inside."""
    kept = cfgfile.read_bytes_snapshot, cfgedit.atomic_write
    cfgfile.read_bytes_snapshot, cfgedit.atomic_write = (module.read_bytes_snapshot,
                                                         module.atomic_write)
    try:
        yield
    finally:
        cfgfile.read_bytes_snapshot, cfgedit.atomic_write = kept


def load_add_save_with(module: ModuleType, path: Path) -> None:
    """:func:`load_add_save` through another version of ``atomic.py``."""
    with saving_with(module):
        load_add_save(path)


def without_folder_fsync(path: Path, data: bytes, snapshot: atomic.FileSnapshot) -> None:
    """``atomic_write`` with its folder fsync skipped: what that fsync costs, by difference."""
    kept = atomic._fsync_folder  # measured by leaving it out; nothing else patches it
    atomic._fsync_folder = lambda _folder: None
    try:
        atomic_write(path, data, expected=snapshot)
    finally:
        atomic._fsync_folder = kept


def cfg_work(data: bytes) -> bytes:
    """Load from bytes, add one server, render: the cfg layer's own work, no disk."""
    document = CfgDocument.parse(data, Engine.CPU)
    settings = document.to_settings()
    settings.add_server("10.250.250.250")
    edited = document.copy()  # as CfgFile.save does
    edited.apply(settings)
    return edited.render()


def cli_quiet(argv: list[str]) -> None:
    """Run the CLI in this process, its output discarded; fail loudly on a non-zero exit."""
    with contextlib.redirect_stdout(io.StringIO()):
        code = vrdr(argv)
    if code != 0:
        raise SystemExit(f"vrdr {argv[:2]} exited {code}")


def add_many(folder: Path, count: int, repeat: int) -> dict[str, object]:
    """Adding ``count`` servers: API into empty settings, ``pools apply``, ``servers add``.

    Interleaved with the floor on a file of ``count`` servers (ratios are to it).
    """
    hosts = new_hosts(count)
    servers = [RenderServer(host=h, port=20204) for h in hosts]
    cfg = folder / f"add{count}" / CPU_CFG_NAME
    cfg.parent.mkdir()
    floor_file = folder / f"floor{count}" / CPU_CFG_NAME
    floor_file.parent.mkdir()
    floor_file.write_bytes(make_cfg(count))
    studio = folder / f"studio{count}.json"
    studio.write_text(json.dumps({"version": 1, "pools": {"big": {"servers": hosts}}}))
    os.environ["VRDR_STUDIO_CONFIG"] = str(studio)
    os.environ["VRDR_USER_CONFIG"] = str(folder / "no-user-config.json")

    def reset() -> None:
        cfg.write_bytes(b"")

    return paired(repeat, reset, {
        "floor_read_split_join_replace": lambda: floor_io(floor_file),
        "api_add_servers": lambda: DRSettings().add_servers(servers),
        "pools_apply": lambda: cli_quiet(["pools", "apply", "big", "--cfg", str(cfg)]),
        "servers_add": lambda: cli_quiet(["servers", "add", "--cfg", str(cfg), *hosts]),
    })


def bulk_edits(folder: Path, count: int, hosts: int, repeat: int) -> dict[str, object]:
    """``vrdr servers add|remove|enable|disable`` of ``hosts`` hosts on a ``count``-server cfg.

    In this process (warm), interleaved, each from the same file (put back untimed); ratios are
    to adding as many new hosts (issue 18.6: each at most 2 x). The listed hosts are spread
    over the file; ``enable`` starts from a file where they are off, the others where they are
    on, so every verb writes.
    """
    on = make_cfg(count)
    step = max(1, count // hosts)
    names = [f"render-node-{i:05d}" for i in range(1, count, 3)][::max(1, step // 3)][:hosts]
    off = on
    for name in names:
        off = off.replace(f"{name} 1".encode(), f"{name} 0".encode())
    path = folder / f"bulk{count}" / CPU_CFG_NAME
    path.parent.mkdir()
    new = new_hosts(len(names))
    verbs = {"add": (on, new), "remove": (on, names), "disable": (on, names),
             "enable": (off, names)}
    times: dict[str, list[float]] = {verb: [] for verb in verbs}
    for _ in range(repeat):
        for verb, (data, argv_hosts) in verbs.items():
            path.write_bytes(data)
            start = time.perf_counter()
            cli_quiet(["servers", verb, "--cfg", str(path), *argv_hosts])
            times[verb].append((time.perf_counter() - start) * 1000)
            if path.read_bytes() == data:
                raise SystemExit(f"servers {verb} did not change the file")
    add = statistics.median(times["add"])
    return {"servers": count, "hosts": len(names), "repeat": repeat,
            "conditions": "warm, in this process, interleaved",
            "median_ms": {verb: round(statistics.median(t), 2) for verb, t in times.items()},
            "x_add": {verb: round(statistics.median(t) / add, 2) for verb, t in times.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--bulk-only", action="store_true",
                        help="only the bulk-edit figures (remove/enable/disable vs add)")
    parser.add_argument("--bulk-hosts", type=int, default=300)
    parser.add_argument("--add", type=int, default=10_000,
                        help="servers to add in the add-many figures (also timed at half)")
    parser.add_argument("--add-repeat", type=int, default=5)
    parser.add_argument("--compare-atomic", metavar="REF",
                        help="also time the save with atomic.py as at this git revision")
    args = parser.parse_args()
    before = atomic_at(args.compare_atomic) if args.compare_atomic else None

    out: dict[str, object] = {
        "repeat": args.repeat, "machine_yardstick": yardstick.measure(),
        "conditions": "warm: one process, every module imported before the first timing "
                      "(bytecode plays no part); variants interleaved with their floor"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        out["bulk_edits"] = [bulk_edits(folder, count, args.bulk_hosts, args.repeat)
                             for count in (1_000, 10_000)]
        if args.bulk_only:
            print(json.dumps(out, indent=2))
            return
        for count in (100, 10_000):
            data = make_cfg(count)
            path = folder / str(count) / CPU_CFG_NAME
            path.parent.mkdir()

            def reset(path: Path = path, data: bytes = data) -> None:
                path.write_bytes(data)

            reset()
            snapshot = read_bytes_snapshot(path)
            rendered = CfgDocument.parse(data + b"10.250.250.250 1 20204\r\n", Engine.CPU).render()
            runs: dict[str, Callable[[], object]] = {
                "floor_read_split_join_replace": lambda path=path: floor_io(path),
                "load_add_one_save": lambda path=path: load_add_save(path),
                "load_add_one_save_no_backup": lambda path=path: load_add_save(path,
                                                                               backup=False),
                # The two halves of it: the cfg work without I/O, and vrdr's atomic write
                # (conflict re-checks, fsync of the file and its folder).
                "cfg_work_without_io": lambda data=data: cfg_work(data),
                "parse": lambda data=data: CfgDocument.parse(data, Engine.CPU),
                "atomic_write_alone": lambda path=path, snapshot=snapshot, rendered=rendered:
                    atomic_write(path, rendered, expected=snapshot),
                "atomic_write_without_folder_fsync":
                    lambda path=path, snapshot=snapshot, rendered=rendered:
                    without_folder_fsync(path, rendered, snapshot),
            }
            if before is not None:
                old = before.read_bytes_snapshot(path)
                runs[f"load_add_one_save_atomic_at_{args.compare_atomic}"] = (
                    lambda path=path: load_add_save_with(before, path))
                runs[f"atomic_write_alone_at_{args.compare_atomic}"] = (
                    lambda path=path, old=old, rendered=rendered:
                    before.atomic_write(path, rendered, expected=old))
            figures = paired(args.repeat, reset, runs)
            out[f"servers_{count}"] = {"bytes": len(data), **figures,
                                       "budget_ratio": 4 if count == 10_000 else 3}
        for count in (args.add // 2, args.add):
            out[f"add_{count}"] = add_many(folder, count, args.add_repeat)
        half, full_n = out[f"add_{args.add // 2}"], out[f"add_{args.add}"]
        assert isinstance(half, dict)
        assert isinstance(full_n, dict)
        out["add_growth_n_vs_half"] = {
            name: round(full_n[name]["median_ms"] / half[name]["median_ms"], 2)
            for name in full_n}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
