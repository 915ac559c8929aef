"""Time the cfg layer on a 10,000-server vray_dr.cfg and print JSON figures.

Measures parse, to_settings, apply+render after one edit, atomic_write alone (temp file,
fsync, backup, replace), and a full CfgFile load + edit + save in a temp folder. Baselines
measured in the same run: a naive ``splitlines()`` + ``split()`` over the same text, and a
plain ``write_bytes`` of the same content, so the figures can be compared across machines.

    uv run python benchmarks/cfg_io.py [--servers 10000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from vrdr_max.atomic import atomic_write, read_bytes_snapshot
from vrdr_max.cfgfile import CPU_CFG_NAME, CfgDocument, CfgFile
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


def measure(repeat: int, run: Callable[[], object],
            setup: Callable[[], None] | None = None) -> dict[str, float]:
    times: list[float] = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": round(statistics.median(times), 3), "min_ms": round(min(times), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    data = make_cfg(args.servers)
    text = data.decode("ascii")
    document = CfgDocument.parse(data, Engine.CPU)
    settings = document.to_settings()
    edited = settings.model_copy(deep=True)
    edited.add_server("10.250.250.250")

    def apply_render() -> bytes:
        copy = document.copy()
        copy.apply(edited)
        return copy.render()

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / CPU_CFG_NAME
        plain = Path(folder) / "plain.cfg"

        def reset() -> None:
            path.write_bytes(data)

        def load_edit_save() -> None:
            cfg = CfgFile.load(path)
            cfg.settings.add_server("10.250.250.250")
            cfg.save()

        results["baseline_splitlines_split"] = measure(
            args.repeat, lambda: [line.split() for line in text.splitlines()])
        results["baseline_write_bytes"] = measure(args.repeat, lambda: plain.write_bytes(data))
        results["parse"] = measure(args.repeat, lambda: CfgDocument.parse(data, Engine.CPU))
        results["to_settings"] = measure(args.repeat, document.to_settings)
        results["apply_render_one_edit"] = measure(args.repeat, apply_render)
        results["atomic_write_with_backup"] = measure(
            args.repeat, lambda: atomic_write(path, data, expected=read_bytes_snapshot(path)),
            reset)
        results["cfgfile_load_edit_save"] = measure(args.repeat, load_edit_save, reset)

    base_read = results["baseline_splitlines_split"]["median_ms"]
    base_write = results["baseline_write_bytes"]["median_ms"]
    print(json.dumps({
        "servers": len(document.servers),
        "lines": len(document.lines),
        "bytes": len(data),
        "repeat": args.repeat,
        "results": results,
        "ratio_to_baseline": {
            "parse_vs_split": round(results["parse"]["median_ms"] / base_read, 1),
            "apply_render_vs_split": round(
                results["apply_render_one_edit"]["median_ms"] / base_read, 1),
            "load_edit_save_vs_write_bytes": round(
                results["cfgfile_load_edit_save"]["median_ms"] / base_write, 1),
        },
    }, indent=2))


if __name__ == "__main__":
    main()
