"""Farm health: the licence server and the V-Ray/3ds Max versions the render servers run.

After "the servers do not join", the DR failures users report most are a render node without
a licence and a server whose V-Ray differs from the workstation's. So:

* ``licence-server``: the Chaos License Server(s) the studio config names
  (``farm.licence_servers``, TCP 30304 by default) are probed with the render servers (label
  :data:`LICENCE_LABEL`); none answering is an error, since every render server needs a
  render-node licence from one (vray-dr.md §2, Chaos' firewall page);
* ``farm-vray-version``: the farm manifest may say which V-Ray build the servers run
  (``vray_version``); a workstation whose ``vrayVersion()`` differs in major.minor gets an
  error: V-Ray DR needs the same core version on both sides (Chaos' DR pages);
* ``farm-max-version``: the manifest may list the 3ds Max years the servers run
  (``max_years``); a scene opened in another year gets an error (the spawner starts the
  3ds Max of its own year).

A check never touches the network: the probe runs before, with the servers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from vrdr_max.addresses import format_endpoint
from vrdr_max.checks.model import LICENCE_LABEL, SCENE, CheckContext, Finding, Severity, Skip
from vrdr_max.checks.registry import check
from vrdr_max.hostport import split_endpoint
from vrdr_max.ports import LICENSE_SERVER_PORT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from vrdr_max.models import DRSettings
    from vrdr_max.probe import ProbeResult, ProbeTarget

_VERSION = re.compile(r"(\d+)\.(\d+)")
_WHY = {"refused": "nothing listens there", "timeout": "no answer (firewall or host down?)",
        "unresolvable": "the name does not resolve", "error": "the connection failed"}


def licence_endpoints(servers: Iterable[str]) -> list[tuple[str, int, str]]:
    """``(host, port, label)`` of the licence servers (``HOST[:PORT]``, 30304 by default).

    The panel hands these plain tuples to its probe worker, which makes the targets.

    Raises:
        InputError: a malformed entry.
    """
    endpoints = []
    for text in servers:
        host, port = split_endpoint(text)
        endpoints.append((host, port or LICENSE_SERVER_PORT, LICENCE_LABEL))
    return endpoints


def licence_targets(servers: Iterable[str]) -> list[ProbeTarget]:
    """Probe targets for the licence servers (``HOST[:PORT]``, port 30304 when none is given).

    Raises:
        InputError: a malformed entry.
    """
    from vrdr_max.probe import ProbeTarget  # noqa: PLC0415 - probe.py loads asyncio

    return [ProbeTarget(host, port, label) for host, port, label in licence_endpoints(servers)]


def probe_targets(settings: DRSettings, licence_servers: Iterable[str] = ()
                  ) -> list[ProbeTarget]:
    """What a preflight probes: the servers (and DR2 dispatcher), then the licence servers."""
    from vrdr_max.probe import targets_from_settings  # noqa: PLC0415

    return [*targets_from_settings(settings), *licence_targets(licence_servers)]


def major_minor(version: str | None) -> tuple[int, int] | None:
    """``"6.20.01"`` -> ``(6, 20)``; None when the text holds no ``major.minor``."""
    found = _VERSION.search(version or "")
    return None if found is None else (int(found.group(1)), int(found.group(2)))


@check("licence-server", "A licence server answers")
def licence_server(ctx: CheckContext) -> list[Finding]:
    """No licence server answering: render nodes cannot get a render-node licence."""
    results: list[ProbeResult] = [r for r in ctx.probe_results or ()
                                  if getattr(r, "label", None) == LICENCE_LABEL]
    if ctx.probe_results is None:
        raise Skip("servers were not probed")
    if not results:
        raise Skip("no licence server in the studio config (farm.licence_servers)")
    if any(r.ok for r in results):
        return []
    subjects = [f"{format_endpoint(r.host, r.port)}: {_WHY.get(r.state.value, r.message)}"
                for r in results]
    return [Finding(check_id="licence-server", severity=Severity.ERROR, subjects=subjects,
                    message="no licence server answers: render servers will not get a "
                            "render-node licence (is the Chaos License Server running, and "
                            f"TCP {LICENSE_SERVER_PORT} open?)")]


@check("farm-vray-version", "The farm runs this V-Ray version", SCENE)
def farm_vray_version(ctx: CheckContext) -> list[Finding]:
    """V-Ray DR needs the same core version (major.minor) on the client and the servers."""
    farm = ctx.manifest.vray_version if ctx.manifest else None
    if not farm:
        raise Skip("the farm manifest states no V-Ray version")
    client = ctx.facts.vray_version
    if not client:
        raise Skip("this workstation's V-Ray version is unknown (vrayVersion())")
    if major_minor(client) == major_minor(farm):
        return []
    return [Finding(check_id="farm-vray-version", severity=Severity.ERROR,
                    subjects=[f"workstation {client}", f"farm {farm}"],
                    message=f"this workstation runs V-Ray {client} but the farm's servers run "
                            f"{farm}: V-Ray DR needs the same version (major.minor) on both "
                            "sides")]


@check("farm-max-version", "The farm runs this 3ds Max version", SCENE)
def farm_max_version(ctx: CheckContext) -> list[Finding]:
    """The spawner starts the 3ds Max of its year: a scene from another year cannot join."""
    years = ctx.manifest.max_years if ctx.manifest else []
    if not years:
        raise Skip("the farm manifest states no 3ds Max years")
    year = ctx.facts.max_version
    if year is None:
        raise Skip("the scene's 3ds Max version is unknown")
    if year in years:
        return []
    listed = ", ".join(str(y) for y in sorted(years))
    return [Finding(check_id="farm-max-version", severity=Severity.ERROR,
                    subjects=[f"scene {year}", f"farm {listed}"],
                    message=f"this is 3ds Max {year} but the farm's servers run 3ds Max "
                            f"{listed}: they cannot open this render")]
