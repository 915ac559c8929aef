"""Host names, IP addresses and ports: strict validation and ``HOST[:PORT]`` parsing.

Hosts end up in ``vray_dr.cfg`` (space-separated fields), on spawner command lines and in
socket calls, so anything that is not an IPv4 dotted quad, an IPv6 address or an RFC 1123
host name is rejected here, with a message that says what is wrong.
"""

from __future__ import annotations

import ipaddress
import re

from vrdr_max.errors import InputError, quote

_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_MAX_NAME = 253
# A last label like this makes the token an address attempt (the WHATWG host parser's rule).
_NUMERIC_LABEL = re.compile(r"^(?:[0-9]+|0[xX][0-9A-Fa-f]*)$")
_ZONE = re.compile(r"^[A-Za-z0-9_.-]+$")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# Exactly the dotted quads ipaddress accepts and spells the same way (held to that by
# tests/unit/test_cfgfile_props.py); checked first because a farm list is mostly these.
_CANONICAL_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_FORBIDDEN = {
    ";": "a semicolon",
    '"': "a quote",
    "'": "a quote",
    "\\": "a backslash",
    "/": "a slash",
    " ": "a space",
    "\t": "a tab",
}


def validate_host(text: str) -> str:
    """Check a render-server host and return it in canonical form.

    ``ipaddress`` is the one authority for addresses: a token that ends in a number (the way
    resolvers tell an address from a name) must be an IPv4 address it accepts, so
    ``010.000.000.005`` (octal to some resolvers), ``0x7f.1.1.1``, ``1.2.3.4.5`` and
    ``10.0.0.260`` are refused, never rewritten as another address. IPv6 is returned compressed,
    optionally in one pair of brackets, with a zone id of letters, digits, ``_``, ``.`` and
    ``-``. Names follow RFC 1123 (letters, digits, hyphens; labels of 1-63 characters; 253
    characters in all; one trailing dot at most).

    Args:
        text: what the user typed or the file held.

    Returns:
        The host: names as given, IP addresses in their canonical spelling.

    Raises:
        InputError: with a message naming the problem.
    """
    host = text.strip()
    if _CANONICAL_IPV4.fullmatch(host):
        return host
    if not host:
        raise InputError("host is empty")
    for char, what in _FORBIDDEN.items():
        if char in host:
            raise InputError(f"host {quote(text)} contains {what}")
    if not host.isascii():
        raise InputError(f"host {quote(text)} has non-ASCII characters (use the IDNA 'xn--' form)")
    if ":" in host:
        return _validate_ipv6(text, host)
    if "[" in host or "]" in host:
        raise InputError(f"host {quote(text)} contains a bracket (brackets are only for IPv6)")
    labels = host.split(".")
    if len(labels) > 1 and not labels[-1]:
        labels.pop()  # one trailing dot: a fully qualified name
    if _NUMERIC_LABEL.match(labels[-1]):
        return _validate_ipv4(text, host, labels)
    if len(host) > _MAX_NAME:
        raise InputError(f"host name {quote(text[:40])}... is longer than {_MAX_NAME} characters")
    for label in labels:
        if not _LABEL.match(label):
            raise InputError(f"host name {quote(text)} has an invalid label {quote(label)} "
                             "(letters, digits and inner hyphens only, 1-63 characters)")
    return host


def _validate_ipv6(text: str, host: str) -> str:
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


def _validate_ipv4(text: str, host: str, labels: list[str]) -> str:
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


def validate_port(value: int | str, what: str = "port") -> int:
    """Check a TCP/UDP port number (1-65535) and return it as an int.

    Raises:
        InputError: for anything that is not a whole number in range.
    """
    text = str(value).strip()
    if not (text.isascii() and text.lstrip("-").isdigit()):
        raise InputError(f"{what} {quote(str(value))} is not a number")
    if len(text.lstrip("-").lstrip("0")) > 5:  # never int() of thousands of digits
        raise InputError(f"{what} {quote(text[:12])}... is out of range (1-65535)")
    port = int(text)
    if not 1 <= port <= 65535:
        raise InputError(f"{what} {port} is out of range (1-65535)")
    return port


def is_ipv6(host: str) -> bool:
    """True when ``host`` is an IPv6 address literal."""
    return ":" in host


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
    if not ours or not theirs or ":" in theirs or _CANONICAL_IPV4.fullmatch(theirs):
        return False
    if ours == theirs:
        return True
    if "." in ours and "." in theirs:
        return False
    return ours.split(".", 1)[0] == theirs.split(".", 1)[0]


def split_endpoint(text: str) -> tuple[str, int | None]:
    """Parse ``HOST``, ``HOST:PORT``, ``IPV6`` or ``[IPV6]:PORT``; the port is None when absent.

    Raises:
        InputError: when the host or the port is invalid.
    """
    text = text.strip()
    if text.startswith("["):
        addr, sep, rest = text[1:].partition("]")
        if not sep:
            raise InputError(f"endpoint {quote(text)} has '[' without ']'")
        if rest and not rest.startswith(":"):
            raise InputError(f"endpoint {quote(text)}: expected ':PORT' after ']'")
        if ":" not in addr:
            raise InputError(f"endpoint {quote(text)}: brackets are only for IPv6 addresses")
        return validate_host(addr), validate_port(rest[1:]) if rest else None
    if text.count(":") == 1:
        host, _, port_text = text.partition(":")
        return validate_host(host), validate_port(port_text)
    return validate_host(text), None


def parse_endpoint(text: str, default_port: int) -> tuple[str, int]:
    """Like ``split_endpoint``, with ``default_port`` when none is given."""
    host, port = split_endpoint(text)
    return host, default_port if port is None else port


def format_endpoint(host: str, port: int, port_end: int | None = None) -> str:
    """Write ``host:port``, bracketing IPv6 addresses (``[::1]:20204``).

    With ``port_end``, a port range as a cfg entry holds one: ``render01:20204-20212``.
    """
    ports = str(port) if port_end is None else f"{port}-{port_end}"
    return f"[{host}]:{ports}" if is_ipv6(host) else f"{host}:{ports}"
