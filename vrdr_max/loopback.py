r"""Whether a host names this machine: every loopback spelling, or the workstation's own name.

The scene checks (a render server that is the workstation itself, a path on ``\\localhost``)
load this module; the cfg commands do not.
"""

from __future__ import annotations

import ipaddress

from vrdr_max.addresses import CANONICAL_IPV4

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
"""Host names that mean "this machine" whatever the resolver says."""


def is_loopback(host: str) -> bool:
    """True for every spelling of "this machine" as an address.

    ``localhost``, ``127.0.0.0/8`` and ``::1`` however ``ipaddress`` accepts them written
    (``0:0:0:0:0:0:0:1``, ``[::1]``, ``::1%eth0``), and IPv4-mapped loopback
    (``::ffff:127.0.0.1``, ``::ffff:7f00:1``).

    The same answer on every Python 3ds Max ships: ``IPv6Address.is_loopback`` is False for
    IPv4-mapped loopback up to Python 3.12 and True from 3.13, so the mapped address is
    judged as the IPv4 address it carries (RFC 4291 §2.5.5.2).
    """
    text = host.strip()
    if text.lower().rstrip(".") in LOOPBACK_NAMES:
        return True
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def names_this_machine(host: str, workstation: str | None) -> bool:
    """True when ``host`` is a loopback spelling or the workstation's own name.

    Names compare case-insensitively without a trailing dot; a bare name matches a fully
    qualified one whose first label it is (``ws042`` and ``ws042.studio.example``), but two
    qualified names must be equal.

    Args:
        host: a host from the server list.
        workstation: this machine's name (``SceneFacts.workstation``), or None when unknown.
    """
    if is_loopback(host):
        return True
    if not workstation:
        return False
    ours, theirs = (n.strip().lower().rstrip(".") for n in (workstation, host))
    if not ours or not theirs or ":" in theirs or CANONICAL_IPV4.fullmatch(theirs):
        return False
    if ours == theirs:
        return True
    if "." in ours and "." in theirs:
        return False
    return ours.split(".", 1)[0] == theirs.split(".", 1)[0]
