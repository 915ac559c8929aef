"""IP address literals other than a canonical dotted quad: IPv6, and the IPv4 spellings refused.

``addresses.validate_host`` hands a host here when it has a colon or ends in a number and is
not a canonical dotted quad (which it accepts itself): a farm list of names and dotted quads
never loads this module.
"""

from __future__ import annotations

import ipaddress
import re

from vrdr_max.errors import InputError, quote

_ZONE = re.compile(r"^[A-Za-z0-9_.-]+$")


def ipv6_host(text: str, host: str) -> str:
    """``validate_host`` for a host with a colon: an IPv6 address, compressed (see there).

    Raises:
        InputError: with a message naming the problem.
    """
    inner = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if "[" in inner or "]" in inner:
        raise InputError(f"host {quote(text)} has a stray bracket")
    _, percent, zone = inner.partition("%")
    if percent and not _ZONE.match(zone):
        raise InputError(f"host {quote(text)} has an invalid IPv6 zone id {quote(zone)} "
                         "(letters, digits, '_', '.' and '-' only)")
    try:
        address = ipaddress.IPv6Address(inner)
    except ValueError as exc:
        raise InputError(f"host {quote(text)} is not a valid IPv6 address ({exc})") from None
    mapped = address.ipv4_mapped
    if mapped is None:
        return str(address)
    # One spelling on every Python 3ds Max ships: 3.13 writes IPv4-mapped addresses in mixed
    # notation (RFC 5952 §5), earlier versions in hex (::ffff:7f00:1).
    return f"::ffff:{mapped}" + (f"%{address.scope_id}" if address.scope_id else "")


def ipv4_host(text: str, host: str, labels: list[str]) -> str:
    """``validate_host`` for a host ending in a number: IPv4 as ipaddress accepts it, or why not.

    Raises:
        InputError: with a message naming the problem.
    """
    # Resolvers read "010" as octal and "0x7f" as hex, so anything ipaddress does not accept
    # as written is refused rather than "corrected" into a different address.
    try:
        return str(ipaddress.IPv4Address(host))
    except ValueError:
        pass
    if not all(label.isdigit() for label in labels):
        raise InputError(f"host {quote(text)} is not a valid IPv4 address (decimal numbers only; "
                         "a name cannot end in a number)")
    if len(labels) != 4:
        raise InputError(f"host {quote(text)} is not a valid IPv4 address (needs 4 numbers, "
                         f"has {len(labels)})")
    for label in labels:
        value = label.lstrip("0")
        if len(value) > 3 or int(value or "0") > 255:  # never int() of thousands of digits
            shown = label if len(label) <= 12 else f"{label[:12]}..."
            raise InputError(f"host {quote(text)} is not a valid IPv4 address ({shown} > 255)")
    if host.endswith("."):
        raise InputError(f"host {quote(text)} is not a valid IPv4 address (a trailing dot)")
    raise InputError(f"host {quote(text)} is not a valid IPv4 address (leading zeros: some "
                     "resolvers read 010 as octal 8; write the address plainly)")
