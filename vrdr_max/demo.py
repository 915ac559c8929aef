"""``vrdr demo``: the whole DR flow on the built-in demo scene, with stand-in render servers.

Nothing here touches a real 3ds Max or network: the scene is ``mock_pymxs``'s demo scene, the
plugcfg folder is a temporary one, and the "render servers" are loopback sockets opened for the
run (labelled as stand-ins), so the probe shows a real mix of answers.
"""

from __future__ import annotations

import socket
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from vrdr_max import reporting
from vrdr_max.checks import CheckContext, run
from vrdr_max.errors import quote
from vrdr_max.fixes import FIXES, apply_fixes
from vrdr_max.mock_session import mock_scene_host
from vrdr_max.probe import ProbeResult, ProbeTarget, probe
from vrdr_max.settings_store import load_settings
from vrdr_max.submit import SubmitOptions, execute, plan

ARTIST_CFG = (b"artist-ws-07 1 20204\r\n"
              b"restart_slaves 0\r\nlist_in_scene 1\r\nmax_servers 0\r\nuse_local_machine 1\r\n"
              b"transfer_missing_assets 0\r\nuse_cached_assets 1\r\ncache_limit_type 2\r\n"
              b"cache_limit 100.000000\r\nsome_future_key 1\r\n")
OVERRIDE_REASON = ("vrdr demo: the demo scene's remaining errors are planted on purpose; "
                   "a real submission stops here")
PROBE_TIMEOUT = 1.0


def stand_in_cfg(ports: Iterable[int]) -> bytes:
    """:data:`ARTIST_CFG` with loopback ``ports`` as its servers (its options kept).

    Use local host is switched off: the stand-ins listen on this machine, and with it on the
    preflight rightly warns that this workstation is listed while it renders already.
    """
    servers = b"".join(b"127.0.0.1 1 %d\r\n" % port for port in ports)
    options = ARTIST_CFG.split(b"\r\n", 1)[1]
    return servers + options.replace(b"use_local_machine 1", b"use_local_machine 0")


@dataclass(frozen=True)
class StandIn:
    """A loopback socket standing in for a render server."""

    label: str
    port: int


@contextmanager
def stand_in_servers() -> Iterator[list[StandIn]]:
    """Three listening stand-ins, one closed port, one that never answers (full accept queue)."""
    with ExitStack() as stack:
        servers = []
        for i in range(1, 4):
            sock = stack.enter_context(socket.socket())
            sock.bind(("127.0.0.1", 0))
            sock.listen(16)
            servers.append(StandIn(f"stand-in render server {i} (listening)",
                                   sock.getsockname()[1]))
        # Bound but not listening: connects are refused, and no other program can take the port.
        closed = stack.enter_context(socket.socket())
        closed.bind(("127.0.0.1", 0))
        servers.append(StandIn("stand-in for a machine whose spawner is not running",
                               closed.getsockname()[1]))
        busy = stack.enter_context(socket.socket())
        busy.bind(("127.0.0.1", 0))
        busy.listen(0)  # never accepted: once its queue is full, further connects time out
        port = busy.getsockname()[1]
        for _ in range(8):
            filler = stack.enter_context(socket.socket())
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        servers.append(StandIn("stand-in for a host that does not answer", port))
        yield servers


class _Printer:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def section(self, title: str) -> None:
        print(f"\n== {title}", file=self.out)

    def lines(self, lines: list[str]) -> None:
        for line in lines:
            print(line, file=self.out)


def run_demo(out: TextIO, *, yes: bool = False) -> int:
    """Run the demo and print every stage; return 0 when the (mock) render happened."""
    show = _Printer(out)
    with tempfile.TemporaryDirectory(prefix="vrdr-demo-") as tmp, stand_in_servers() as farm:
        plugcfg = Path(tmp) / "plugcfg"
        plugcfg.mkdir()
        cfg_path = plugcfg / "vray_dr.cfg"
        cfg_path.write_bytes(ARTIST_CFG)
        show.section("The artist's vray_dr.cfg before")
        show.lines(ARTIST_CFG.decode().splitlines())
        with mock_scene_host("demo", plugcfg_dir=plugcfg) as (host, mock):
            stored = load_settings(plugcfg, host=host)
            settings = stored.settings
            settings.servers = []
            # The stand-ins listen on this machine: with Use local host on, the preflight would
            # rightly say this workstation is listed while it renders already.
            settings.use_local_host = False
            for server in farm:
                settings.add_server("127.0.0.1", server.port)

            show.section(f"Probing {len(farm)} servers (timeout {PROBE_TIMEOUT:.1f} s)")
            results = probe([ProbeTarget("127.0.0.1", s.port) for s in farm],
                            timeout=PROBE_TIMEOUT, hint_ports=False)
            show.lines(_probe_lines(farm, results))

            show.section("Preflight of the demo scene (living room)")
            facts = host.read_scene()
            report = run(CheckContext(facts=facts, settings=settings, probe_results=results))
            show.lines(reporting.check_report_lines(report))

            show.section("Safe fixes")
            if yes:
                show.lines([f"fixed: {line}" for line in
                            apply_fixes(report.fixes, host, settings)])
            else:
                show.lines([f"would fix: {FIXES[f].description}" for f in report.fixes]
                           + ["(run `vrdr demo --yes` to apply them)"])

            show.section("Submission plan (only servers that answered)")
            submit_plan = plan(settings, host.read_scene(), results, cfg_path=cfg_path,
                               loaded_from=stored.cfg.snapshot,
                               options=SubmitOptions(only_online=True))
            show.lines(reporting.plan_lines(submit_plan))

            show.section("Submission")
            if submit_plan.blocked:
                show.lines([f"preflight errors remain ({len(submit_plan.blocking_reasons)}); "
                            f"overriding with the reason: {OVERRIDE_REASON}"])
            result = execute(host, submit_plan, override_reason=OVERRIDE_REASON)
            show.lines(reporting.submission_lines(result))
            if mock.renders:
                render = mock.renders[-1]
                show.section(f"vray_dr.cfg as V-Ray read it at render time "
                             f"({quote(render.statement)}, {render.renderer_class}, "
                             "system_distributedRender="
                             f"{reporting.value_text(render.props.get('system_distributedRender'))})")
                show.lines(render.cfg_files.get("vray_dr.cfg", "").splitlines())
        show.section("vray_dr.cfg after the render")
        after = cfg_path.read_bytes()
        show.lines(after.decode().splitlines())
        show.lines(["(byte-identical to before)" if after == ARTIST_CFG
                    else "(differs from before)"])
    return 0 if result.status.ran else 1


def _probe_lines(farm: list[StandIn], results: list[ProbeResult]) -> list[str]:
    return [f"  {r.state.value:<12} {r.endpoint:<17} {s.label}: {r.message}"
            for s, r in zip(farm, results, strict=True)]


__all__ = ["run_demo"]
