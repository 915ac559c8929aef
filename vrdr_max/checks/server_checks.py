"""Checks of the render-server list, the DR2 dispatcher, and the probe results."""

from __future__ import annotations

from collections import Counter

from vrdr_max.addresses import format_endpoint, is_loopback
from vrdr_max.checks.model import SERVERS, CheckContext, Finding, Severity, Skip
from vrdr_max.checks.registry import check
from vrdr_max.ports import DEFAULT_PORTS, STANDALONE_PORT, Engine, Mode
from vrdr_max.renderers import DR2_BUILD_SUFFIX, build_mode

FIX_DEDUPE = "dedupe-servers"
FIX_SCENE_LIST_OFF = "servers-from-cfg"


@check("no-servers", "Render servers listed", SERVERS)
def no_servers(ctx: CheckContext) -> list[Finding]:
    """DR with an empty list renders on the workstation alone, or on nothing."""
    if ctx.settings.enabled_servers:
        return []
    listed = len(ctx.settings.servers)
    what = f"all {listed} listed servers are disabled" if listed else "the server list is empty"
    return [Finding(check_id="no-servers", severity=Severity.ERROR, subjects=[],
                    message=f"no render server will take part: {what}")]


@check("duplicate-servers", "Each server listed once", SERVERS)
def duplicate_servers(ctx: CheckContext) -> list[Finding]:
    """The same host:port twice: V-Ray connects once, the duplicate only confuses counts.

    A port range (``host 1 20204-20212``) lists each of its ports, so a range that shares a
    port with another entry of the same host is reported too.
    """
    counts: Counter[tuple[str, int, int | None]] = Counter()
    first: dict[tuple[str, int, int | None], str] = {}
    for server in ctx.settings.servers:
        key = (server.host.lower(), server.port, server.port_end)
        counts[key] += 1
        first.setdefault(key, server.endpoint)
    subjects = [f"{first[key]} (listed {n} times)" for key, n in counts.items() if n > 1]
    subjects += _overlaps(first)
    if not subjects:
        return []
    return [Finding(check_id="duplicate-servers", severity=Severity.WARNING, fix=FIX_DEDUPE,
                    subjects=subjects, message="servers listed more than once")]


@check("dr2-no-dispatcher", "DR2 has a dispatcher", SERVERS)
def dr2_no_dispatcher(ctx: CheckContext) -> list[Finding]:
    """DR2 needs the Dispatcher IP: without it the client has nothing to talk to."""
    if ctx.settings.mode is not Mode.DR2:
        raise Skip("DR2 is not in use")
    if ctx.settings.dispatcher is not None:
        return []
    return [Finding(check_id="dr2-no-dispatcher", severity=Severity.ERROR,
                    message="DR2 is selected but no dispatcher is set: start a spawner with "
                            "-run-dispatcher=1|2 and enter its address")]


@check("dr2-localhost", "DR2 lists machines by address", SERVERS)
def dr2_localhost(ctx: CheckContext) -> list[Finding]:
    """DR2 hands the list to the dispatcher, for which "localhost" is itself (the guide)."""
    if ctx.settings.mode is not Mode.DR2:
        raise Skip("DR2 is not in use")
    local = [s.endpoint for s in ctx.settings.enabled_servers if is_loopback(s.host)]
    if ctx.settings.dispatcher and is_loopback(ctx.settings.dispatcher.host):
        local.append(f"dispatcher {ctx.settings.dispatcher.endpoint}")
    if not local:
        return []
    return [Finding(check_id="dr2-localhost", severity=Severity.ERROR, subjects=local,
                    message="DR2 must list this workstation by its network address, not "
                            "localhost/127.x/::1")]


def _overlaps(entries: dict[tuple[str, int, int | None], str]) -> list[str]:
    """Distinct entries of one host whose ports overlap (only port ranges can)."""
    by_host: dict[str, list[tuple[int, int, str]]] = {}
    for (host, port, port_end), endpoint in entries.items():
        by_host.setdefault(host, []).append((port, port_end or port, endpoint))
    out = []
    for spans in by_host.values():
        spans.sort()
        reach, reach_endpoint = 0, ""
        for port, last, endpoint in spans:
            if port <= reach:
                out.append(f"{endpoint} (shares ports with {reach_endpoint})")
            if last > reach:
                reach, reach_endpoint = last, endpoint
    return out


def _wrong_engine_ports(engine: Engine) -> dict[int, str]:
    other = Engine.GPU if engine is Engine.CPU else Engine.CPU
    ports = {DEFAULT_PORTS[(other, mode)]: f"{mode.value.upper()} {other.value.upper()}"
             for mode in Mode}
    if engine is Engine.CPU:
        ports[STANDALONE_PORT] = "V-Ray Standalone (GPU servers)"
    return ports


@check("dr2-only-build", "The DR generation suits the V-Ray build", SERVERS)
def dr2_only_build(ctx: CheckContext) -> list[Finding]:
    """A DR2-only build (class name ending ``_DR2``, [unverified]) has no DR1 spawners to reach."""
    renderer = ctx.facts.renderer
    if renderer.engine is None or build_mode(renderer.class_name) is not Mode.DR2:
        raise Skip("not a DR2-only V-Ray build")
    dr2_port = DEFAULT_PORTS[(renderer.engine, Mode.DR2)]
    dr1_port = DEFAULT_PORTS[(renderer.engine, Mode.DR)]
    why = f"{renderer.class_name} ends in {DR2_BUILD_SUFFIX}: a DR2-only build"
    if ctx.settings.mode is not Mode.DR2:
        return [Finding(check_id="dr2-only-build", severity=Severity.ERROR,
                        subjects=[renderer.class_name],
                        message=f"{why}, but the settings are for DR: switch to DR2, set a "
                                f"dispatcher, list servers on {dr2_port}")]
    old = [s.endpoint for s in ctx.settings.enabled_servers if dr1_port in s.ports]
    if not old:
        return []
    return [Finding(check_id="dr2-only-build", severity=Severity.WARNING, subjects=old,
                    message=f"{why}; its spawners listen on {dr2_port}, not on the DR port "
                            f"{dr1_port}")]


@check("engine-port-mismatch", "Server ports match the engine", SERVERS)
def engine_port_mismatch(ctx: CheckContext) -> list[Finding]:
    """CPU entries on GPU ports (or the reverse) reach the wrong kind of server, or none."""
    wrong = _wrong_engine_ports(ctx.settings.engine)
    # A range counts when any of its ports is another engine's.
    hits = [f"{s.endpoint} ({wrong[port]} port)" for s in ctx.settings.enabled_servers
            for port in sorted(wrong) if port in s.ports]
    if not hits:
        return []
    engine = ctx.settings.engine.value.upper()
    return [Finding(check_id="engine-port-mismatch", severity=Severity.WARNING, subjects=hits,
                    message=f"{engine} DR servers listed on ports of the other engine; "
                            f"{engine} {ctx.settings.mode.value.upper()} uses "
                            f"{ctx.settings.default_port}")]


@check("servers-saved-in-scene", "Server list comes from the cfg", SERVERS)
def servers_saved_in_scene(ctx: CheckContext) -> list[Finding]:
    """With "Save servers in the scene" on, the scene's stored list overrides the cfg file."""
    if not ctx.settings.save_servers_in_scene:
        return []
    return [Finding(check_id="servers-saved-in-scene", severity=Severity.WARNING,
                    fix=FIX_SCENE_LIST_OFF, subjects=["list_in_scene 1"],
                    message="Save servers in the scene is on: a list stored in the .max file "
                            "overrides the cfg, so edits here may be ignored")]


@check("servers-offline", "Render servers answer", SERVERS)
def servers_offline(ctx: CheckContext) -> list[Finding]:
    """A server that does not accept a TCP connection will not join the render."""
    if ctx.probe_results is None:
        raise Skip("servers were not probed")
    down = [r for r in ctx.probe_results if not r.ok]
    if not down:
        return []
    all_down = len(down) == len(ctx.probe_results)
    return [Finding(check_id="servers-offline",
                    severity=Severity.ERROR if all_down else Severity.WARNING,
                    subjects=[f"{format_endpoint(r.host, r.port)}: {r.message}" for r in down],
                    message=f"{len(down)} of {len(ctx.probe_results)} "
                            f"endpoint{'' if len(ctx.probe_results) == 1 else 's'} did not answer"
                            + ("; nothing will render remotely" if all_down else ""))]
