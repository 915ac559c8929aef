"""Checks of the render-server list, the DR2 dispatcher, and the probe results."""

from __future__ import annotations

from collections import Counter

from vrdr_max.addresses import format_endpoint
from vrdr_max.cfgfile import cfg_name
from vrdr_max.checks.model import (
    LICENCE_LABEL,
    SERVERS,
    CheckContext,
    Finding,
    Severity,
    Skip,
)
from vrdr_max.checks.registry import check
from vrdr_max.loopback import is_loopback, names_this_machine
from vrdr_max.models import RenderServer
from vrdr_max.ports import DEFAULT_PORTS, STANDALONE_PORT, Engine, Mode
from vrdr_max.renderers import DR2_BUILD_SUFFIX, build_mode

FIX_DEDUPE = "dedupe-servers"
FIX_SCENE_LIST_OFF = "servers-from-cfg"


def _engine_name(engine: Engine) -> str:
    return f"V-Ray {engine.value.upper()}"


@check("cfg-engine", "The cfg is the one the renderer reads", SERVERS)
def cfg_engine(ctx: CheckContext) -> list[Finding]:
    """V-Ray CPU reads only ``vray_dr.cfg``, V-Ray GPU only ``vrayrt_dr.cfg``.

    A list checked against the other engine's file (or kept under another name) is not the one
    the servers are taken from at render time, and a submission refuses it: the preflight says
    so first (DR setup guide: GPU DR has its own Render Servers dialog; vray-dr.md §4).
    """
    engine = ctx.settings.engine
    findings = []
    scene = ctx.facts.renderer.engine
    if scene is not None and scene is not engine:
        findings.append(Finding(
            check_id="cfg-engine", severity=Severity.ERROR,
            subjects=[ctx.facts.renderer.class_name, cfg_name(engine)],
            message=f"the scene renders with {_engine_name(scene)}, which reads only "
                    f"{cfg_name(scene)}; this server list is for {_engine_name(engine)} "
                    f"({cfg_name(engine)}): check and submit with {cfg_name(scene)}"))
    if ctx.cfg_path is not None and ctx.cfg_path.name.lower() != cfg_name(engine):
        findings.append(Finding(
            check_id="cfg-engine", severity=Severity.ERROR, subjects=[ctx.cfg_path.name],
            message=f"{_engine_name(engine)} reads {cfg_name(engine)}, not "
                    f"{ctx.cfg_path.name}: a list in another file is not used at render time"))
    return findings


@check("no-servers", "Render servers listed", SERVERS)
def no_servers(ctx: CheckContext) -> list[Finding]:
    """DR with an empty list renders on the workstation alone, or on nothing.

    A DR2 dispatcher started with ``-run-dispatcher=2`` is also a render server (DR setup
    guide), so with it the render has a server even when the list is empty.
    """
    if ctx.settings.enabled_servers:
        return []
    listed = len(ctx.settings.servers)
    what = f"all {listed} listed servers are disabled" if listed else "the server list is empty"
    dispatcher = ctx.settings.dispatcher
    if ctx.settings.mode is Mode.DR2 and dispatcher is not None and dispatcher.also_renders:
        return [Finding(check_id="no-servers", severity=Severity.INFO,
                        subjects=[f"dispatcher {dispatcher.endpoint}"],
                        message=f"{what}: only the dispatcher renders (it also renders: "
                                "-run-dispatcher=2)")]
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


def _cfg_line(server: RenderServer) -> str:
    """The server's line as the cfg holds it (``host 1 port``)."""
    return f"{server.host} {int(server.enabled)} {server.port_text}"


@check("local-host-listed", "This workstation is not listed while it renders already", SERVERS)
def local_host_listed(ctx: CheckContext) -> list[Finding]:
    """This workstation listed while "Use local host" is on (DR1).

    With "Use local host" on, DR1 renders on this workstation already; listed as a server too
    (``localhost``, any loopback spelling, or its own name) it is asked to render twice.
    """
    if ctx.settings.mode is not Mode.DR:
        raise Skip("DR2 lists the workstation by its address (dr2-localhost)")
    if not ctx.settings.use_local_host:
        return []
    lines = [_cfg_line(s) for s in ctx.settings.enabled_servers
             if names_this_machine(s.host, ctx.facts.workstation or None)]
    if not lines:
        return []
    return [Finding(check_id="local-host-listed", severity=Severity.WARNING, subjects=lines,
                    message="Use local host is on, so this workstation renders already; the "
                            "server list names it again: remove the line or switch Use local "
                            "host off")]


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


def _wrong_ports(engine: Engine, mode: Mode) -> dict[int, str]:
    """Ports where no ``engine``/``mode`` render server listens, with what listens there.

    The other engine's ports, and in DR2 the DR1 ports of both engines (whatever the build
    calls itself).
    """
    other = Engine.GPU if engine is Engine.CPU else Engine.CPU
    ports = {DEFAULT_PORTS[(other, m)]: f"{m.value.upper()} {other.value.upper()}"
             for m in Mode}
    if engine is Engine.CPU:
        ports[STANDALONE_PORT] = "V-Ray Standalone (GPU servers)"
    if mode is Mode.DR2:
        ports.update({DEFAULT_PORTS[(e, Mode.DR)]: f"DR {e.value.upper()}" for e in Engine})
    return ports


@check("dr2-only-build", "The DR generation suits the V-Ray build", SERVERS)
def dr2_only_build(ctx: CheckContext) -> list[Finding]:
    """A DR2-only build (class name ending ``_DR2``, [unverified]) has no DR1 spawners to reach.

    DR2 settings with servers on the DR1 ports are ``engine-port-mismatch``'s, for every build.
    """
    renderer = ctx.facts.renderer
    if renderer.engine is None or build_mode(renderer.class_name) is not Mode.DR2:
        raise Skip("not a DR2-only V-Ray build")
    if ctx.settings.mode is Mode.DR2:
        return []
    dr2_port = DEFAULT_PORTS[(renderer.engine, Mode.DR2)]
    return [Finding(check_id="dr2-only-build", severity=Severity.ERROR,
                    subjects=[renderer.class_name],
                    message=f"{renderer.class_name} ends in {DR2_BUILD_SUFFIX}: a DR2-only "
                            f"build, but the settings are for DR: switch to DR2, set a "
                            f"dispatcher, list servers on {dr2_port}")]


@check("engine-port-mismatch", "Server ports match the engine and the DR generation", SERVERS)
def engine_port_mismatch(ctx: CheckContext) -> list[Finding]:
    """Entries on another engine's ports, or in DR2 on a DR1 port.

    They reach the wrong kind of server, or none: DR2 spawners listen on 20208 (CPU) and 20209
    (GPU), DR1 spawners on 20204 and 20206 (DR setup guide's port table), whatever the
    renderer's class name says.
    """
    wrong = _wrong_ports(ctx.settings.engine, ctx.settings.mode)
    # A range counts when any of its ports is wrong; one subject per entry, naming each role.
    hits = [f"{s.endpoint} ({', '.join(roles)})" for s in ctx.settings.enabled_servers
            if (roles := [f"{wrong[port]} port" for port in sorted(wrong) if port in s.ports])]
    if not hits:
        return []
    engine = ctx.settings.engine.value.upper()
    mode = ctx.settings.mode.value.upper()
    return [Finding(check_id="engine-port-mismatch", severity=Severity.WARNING, subjects=hits,
                    message=f"{engine} {mode} servers listed on ports of another engine or DR "
                            f"generation; {engine} {mode} uses {ctx.settings.default_port}")]


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
    # Licence servers probed alongside are the licence-server check's (farm_checks).
    probed = [r for r in ctx.probe_results if getattr(r, "label", None) != LICENCE_LABEL]
    down = [r for r in probed if not r.ok]
    if not down:
        return []
    all_down = len(down) == len(probed)
    return [Finding(check_id="servers-offline",
                    severity=Severity.ERROR if all_down else Severity.WARNING,
                    subjects=[f"{format_endpoint(r.host, r.port)}: {r.message}" for r in down],
                    message=f"{len(down)} of {len(probed)} "
                            f"endpoint{'' if len(probed) == 1 else 's'} did not answer"
                            + ("; nothing will render remotely" if all_down else ""))]
