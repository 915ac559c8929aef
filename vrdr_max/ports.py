"""The TCP/UDP ports V-Ray DR uses: the one table every other module reads.

Values are the DR setup guide's table (``shared/reference/dr-setup-guide.txt``).
"""

from __future__ import annotations

from enum import Enum


class Engine(str, Enum):
    """Which V-Ray renders: CPU (V-Ray) or GPU (V-Ray GPU)."""

    CPU = "cpu"
    GPU = "gpu"


class Mode(str, Enum):
    """First-generation DR, or DR2 with a dispatcher."""

    DR = "dr"
    DR2 = "dr2"


DEFAULT_PORTS: dict[tuple[Engine, Mode], int] = {
    (Engine.CPU, Mode.DR): 20204,
    (Engine.GPU, Mode.DR): 20206,
    (Engine.CPU, Mode.DR2): 20208,
    (Engine.GPU, Mode.DR2): 20209,
}
"""Render-server port by engine and DR generation."""

STANDALONE_PORT = 20207
"""V-Ray Standalone ``vray -server`` listens here unless told otherwise."""

READY_BROADCAST_PORT = 20203
"""Render servers announce on this port that they can join an ongoing DR render."""

LICENSE_SERVER_PORT = 30304
"""Chaos License Server; every render server needs a render-node licence from it."""


def default_port(engine: Engine = Engine.CPU, mode: Mode = Mode.DR) -> int:
    """The render-server port V-Ray uses by default for ``engine`` and ``mode``."""
    return DEFAULT_PORTS[(engine, mode)]


def port_role(port: int) -> str | None:
    """Name the DR role a well-known port has, or ``None`` for any other port."""
    for (engine, mode), value in DEFAULT_PORTS.items():
        if value == port:
            return f"{mode.value.upper()} {engine.value.upper()}"
    if port == STANDALONE_PORT:
        return "V-Ray Standalone server"
    if port == READY_BROADCAST_PORT:
        return "server readiness broadcast"
    return None


DEADLINE_AVOIDED_PORT = 20205
"""No documented V-Ray role, but Deadline's spawner settings say "Avoid using TCP Port 20205"."""


def well_known_ports() -> dict[int, str]:
    """Every port that has a DR role (or a documented reason to avoid it), with that role.

    Used to warn when a port chosen for one server lands on another kind of server's port.
    """
    roles = {port: role for port in (*DEFAULT_PORTS.values(), STANDALONE_PORT, READY_BROADCAST_PORT)
             if (role := port_role(port)) is not None}
    roles[LICENSE_SERVER_PORT] = "Chaos License Server"
    roles[DEADLINE_AVOIDED_PORT] = "Deadline says to avoid it"
    return roles
