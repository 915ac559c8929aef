"""``HOST[:PORT]`` as people type it, and port numbers: parsed and checked.

The commands and settings that take endpoints from the user load this module; reading a cfg
does not (its lines have their own fields).
"""

from __future__ import annotations

from vrdr_max.addresses import validate_host
from vrdr_max.errors import InputError, quote


def validate_port(value: int | str, what: str = "port") -> int:
    """Check a TCP/UDP port number (1-65535) and return it as an int.

    Raises:
        InputError: for anything that is not a whole number in range.
    """
    text = str(value).strip()
    digits = text.removeprefix("-")  # one sign: "-5" is out of range, "--5" is no number
    if not (digits.isascii() and digits.isdigit()):
        raise InputError(f"{what} {quote(str(value))} is not a number")
    if len(digits.lstrip("0")) > 5:  # never int() of thousands of digits
        raise InputError(f"{what} {quote(text[:12])}... is out of range (1-65535)")
    port = int(text)
    if not 1 <= port <= 65535:
        raise InputError(f"{what} {port} is out of range (1-65535)")
    return port


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
