"""Server text as people paste it: each line read into a host and port, with a verdict and why.

A paste preview (the panel's, a TD's script) shows every line as a server, as nothing (blank or
a comment), as invalid (with why), or as a server that looks like a typo: ``node 05`` reads as
host ``node`` port 5, but is far more likely the machine ``node05``. Nothing here decides for
the artist; the verdict and the reason are for them to read.

Forms read (cells may be split by spaces, tabs, commas or semicolons, as spreadsheets copy)::

    render01                    the default port of the engine and mode
    render01:20205              [2001:db8::7]:20205      2001:db8::7
    render01 20205              a spreadsheet row: host, port
    render01 1 20204            a line of another vray_dr.cfg: host, on/off, port or range
    render01 0 20204-20212
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from vrdr_max.addresses import validate_host
from vrdr_max.errors import InputError, quote
from vrdr_max.hostport import split_endpoint, validate_port
from vrdr_max.server_list import ServerEntry

LOWEST_SERVER_PORT = 1024
"""Below this a port is a system service's, never a render server's (DR listens on 20204-20209
by default): such a port in pasted text is more likely part of a host name."""

_SEPARATORS = str.maketrans({",": " ", ";": " ", "\t": " "})


class LineVerdict(str, Enum):
    """What one pasted line is."""

    OK = "ok"
    """A server: host and port (the default when the line names none)."""
    EMPTY = "empty"
    """Blank, or a comment (``#``): nothing to add."""
    INVALID = "invalid"
    """Cannot be a server; ``reason`` says why."""
    SUSPECT = "suspect"
    """Reads as a server, but likely a typo; ``reason`` says how it was read and why it looks
    wrong. Add it only if the artist confirms."""


@dataclass(frozen=True)
class EndpointLine:
    """One line of pasted server text, as read.

    Attributes:
        text: the line, without its line break.
        verdict: ok, empty, invalid or suspect.
        host: the host in canonical form (ok and suspect lines), else None.
        port: the port, or the first port of a range (ok and suspect lines), else None.
        port_end: the last port of a range (``render01 1 20204-20212``), else None.
        enabled: False for a cfg line switched off (``render01 0 20204``).
        port_given: whether the line named the port (False: the default port was used).
        reason: why the line is invalid or suspect; empty for ok and empty lines.
        ambiguous: a suspect line that reads two ways (``node 05``, a leading zero, ``host 1``),
            not merely an unusual port written out plainly (``render01:1001``).
    """

    text: str
    verdict: LineVerdict
    host: str | None = None
    port: int | None = None
    port_end: int | None = None
    enabled: bool = True
    port_given: bool = False
    reason: str = ""
    ambiguous: bool = False

    @property
    def ok(self) -> bool:
        """True for a server line that needs no second look."""
        return self.verdict is LineVerdict.OK

    @property
    def entry(self) -> ServerEntry | None:
        """``(host, port, port_end, enabled)`` of an ok or suspect line, else None."""
        if self.host is None or self.port is None:
            return None
        return self.host, self.port, self.port_end, self.enabled


def parse_endpoint_lines(text: str, default_port: int) -> list[EndpointLine]:
    """Read every line of ``text`` (see :func:`parse_endpoint_line`)."""
    return [parse_endpoint_line(line, default_port) for line in text.splitlines()]


def parse_endpoint_line(text: str, default_port: int) -> EndpointLine:
    """Read one line of pasted server text; never raises for bad text.

    Args:
        text: the line (its line break, if any, is ignored).
        default_port: the port of a line that names none (the engine and mode's).

    Returns:
        The line as read: a verdict, and the server it names (ok and suspect lines) or why
        it names none.
    """
    line = text.rstrip("\r\n")
    cells = line.translate(_SEPARATORS).split()
    if not cells or cells[0].startswith("#"):
        return EndpointLine(line, LineVerdict.EMPTY)
    try:
        return _read(line, cells, default_port)
    except InputError as exc:
        return EndpointLine(line, LineVerdict.INVALID, reason=str(exc))


def _read(line: str, cells: list[str], default_port: int) -> EndpointLine:
    if len(cells) == 1:
        host, port = split_endpoint(cells[0])
        if port is None:
            return EndpointLine(line, LineVerdict.OK, host, default_port)
        return _checked(line, host, port, cells[0].rpartition(":")[2], given=True)
    if len(cells) == 2:
        host = validate_host(cells[0])
        if cells[1] in ("0", "1"):  # V-Ray 1.x/2.x cfg line "host 1", or a port of 0/1?
            return EndpointLine(
                line, LineVerdict.SUSPECT, host, default_port, enabled=cells[1] == "1",
                ambiguous=True,
                reason=f"read as a cfg line: {host} switched {'on' if cells[1] == '1' else 'off'}"
                       f", default port {default_port} (a port of {cells[1]} is no server's)")
        return _checked(line, host, validate_port(cells[1]), cells[1], given=True,
                        joined=cells[0] + cells[1])
    if len(cells) == 3 and cells[1] in ("0", "1"):  # a line of another vray_dr.cfg
        host = validate_host(cells[0])
        first, _, last = cells[2].partition("-")
        port = validate_port(first)
        port_end = validate_port(last) if last else None
        if port_end is not None and port_end < port:
            raise InputError(f"port range {quote(cells[2])} ends before it starts")
        read = _checked(line, host, port, first, given=True)
        return EndpointLine(line, read.verdict, host, port, port_end, cells[1] == "1", True,
                            read.reason, read.ambiguous)
    joined = "".join(cells)
    hint = f" (did you mean {joined}?)" if _valid_host(joined) else ""
    raise InputError(f"{quote(line.strip())} is not one server: a host name has no spaces; "
                     f"expected host, host:port, host port or a cfg line{hint}")


def _checked(line: str, host: str, port: int, written: str, *, given: bool,
             joined: str | None = None) -> EndpointLine:
    """An ok line, or a suspect one when the port does not look like a server's."""
    doubts = []
    if written.startswith("0"):
        doubts.append(f"the port is written {quote(written)}, with a leading zero")
    elif port < LOWEST_SERVER_PORT:
        doubts.append(f"port {port} is a system service's, not a render server's")
    if not doubts:
        return EndpointLine(line, LineVerdict.OK, host, port, port_given=given)
    hint = f"; did you mean the host {joined}?" if joined and _valid_host(joined) else ""
    return EndpointLine(line, LineVerdict.SUSPECT, host, port, port_given=given,
                        reason=f"read as host {host} port {port}, but {doubts[0]}{hint}",
                        ambiguous=bool(hint) or written.startswith("0"))


def _valid_host(text: str) -> bool:
    try:
        validate_host(text)
    except InputError:
        return False
    return True
