"""Host names and IP addresses: strict validation, and ``host:port`` as vrdr writes it.

Hosts end up in ``vray_dr.cfg`` (space-separated fields), on spawner command lines and in
socket calls, so anything that is not an IPv4 dotted quad, an IPv6 address or an RFC 1123
host name is rejected here, with a message that says what is wrong.

Reading ``HOST[:PORT]`` text and port numbers is ``hostport``; "is this host this machine"
is ``loopback``; IPv6 and the IPv4 spellings other than a canonical dotted quad are checked by
``iptext``, loaded when a host needs it. Every cfg command reads hosts, so this module holds
only what reading a farm's names and dotted quads runs (without bytecode every line loaded is
compiled at each start).
"""

from __future__ import annotations

import re

from vrdr_max.errors import InputError, quote

_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_MAX_NAME = 253
# A last label like this makes the token an address attempt (the WHATWG host parser's rule).
_NUMERIC_LABEL = re.compile(r"^(?:[0-9]+|0[xX][0-9A-Fa-f]*)$")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
CANONICAL_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
"""Exactly the dotted quads ipaddress accepts and spells the same way (held to that by
tests/unit/test_cfgfile_props.py); checked first because a farm list is mostly these."""
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
    if CANONICAL_IPV4.fullmatch(host):
        return host
    if not host:
        raise InputError("host is empty")
    for char, what in _FORBIDDEN.items():
        if char in host:
            raise InputError(f"host {quote(text)} contains {what}")
    if not host.isascii():
        raise InputError(f"host {quote(text)} has non-ASCII characters (use the IDNA 'xn--' form)")
    if ":" in host:
        from vrdr_max.iptext import ipv6_host  # noqa: PLC0415 - rare in a farm list

        return ipv6_host(text, host)
    if "[" in host or "]" in host:
        raise InputError(f"host {quote(text)} contains a bracket (brackets are only for IPv6)")
    labels = host.split(".")
    if len(labels) > 1 and not labels[-1]:
        labels.pop()  # one trailing dot: a fully qualified name
    if _NUMERIC_LABEL.match(labels[-1]):
        from vrdr_max.iptext import ipv4_host  # noqa: PLC0415 - canonical quads matched above

        return ipv4_host(text, host, labels)
    if len(host) > _MAX_NAME:
        raise InputError(f"host name {quote(text[:40])}... is longer than {_MAX_NAME} characters")
    for label in labels:
        if not _LABEL.match(label):
            raise InputError(f"host name {quote(text)} has an invalid label {quote(label)} "
                             "(letters, digits and inner hyphens only, 1-63 characters)")
    return host


def is_ipv6(host: str) -> bool:
    """True when ``host`` is an IPv6 address literal."""
    return ":" in host


def format_endpoint(host: str, port: int, port_end: int | None = None) -> str:
    """Write ``host:port``, bracketing IPv6 addresses (``[::1]:20204``).

    With ``port_end``, a port range as a cfg entry holds one: ``render01:20204-20212``.
    """
    ports = str(port) if port_end is None else f"{port}-{port_end}"
    return f"[{host}]:{ports}" if is_ipv6(host) else f"{host}:{ports}"
