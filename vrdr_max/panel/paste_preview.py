"""Pasted server lines read one by one: new, already listed, repeated, to check, or invalid.

Qt-free: the paste dialog shows :func:`preview` and adds what the artist keeps; the controller's
``paste`` takes text all or nothing through :func:`strict_entries`. Hosts and ports are read by
the backend's endpoint parser (``addresses.split_endpoint``); this module only splits a line
into its cells and judges what the parser's answer means for the list.

A line that parses but reads like a typo is never added silently: ``node 05`` (a name split by a
space, or host ``node`` on port 5?), a port with a leading zero, a port below 1024 (no V-Ray
render server listens there). The preview marks it for the artist to decide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum

from vrdr_max.addresses import format_endpoint, split_endpoint, validate_host, validate_port
from vrdr_max.errors import VrdrError, quote
from vrdr_max.models import DRSettings

LOWEST_SERVER_PORT = 1024
"""Ports below this are system services; a render server's port there reads as a typo."""

_SEPARATORS = re.compile(r"[;,\s]+")
_DIGITS = re.compile(r"[0-9]+")


class PasteStatus(str, Enum):
    """What adding a pasted line would do."""

    NEW = "new"
    LISTED = "already listed"
    REPEATED = "repeated"
    CHECK = "to check"
    INVALID = "invalid"


@dataclass(frozen=True)
class PasteLine:
    """One non-blank pasted line and how it reads.

    Attributes:
        number: the line's number in the pasted text (from 1).
        text: the line, trimmed.
        status: see :class:`PasteStatus`.
        host: the host it reads as (None when invalid).
        port: the port it reads as (the engine's default when the line gives none).
        enabled: False for a cfg line copied with its 0 flag (``host 0 20204``).
        why: for every status but new, the reason in words.
        ambiguous: to check because it reads two ways (``node 05``: a split name, or a port?)
            or has a leading zero, not merely an unusual port; :func:`strict_entries` refuses it.
    """

    number: int
    text: str
    status: PasteStatus
    host: str | None = None
    port: int | None = None
    enabled: bool = True
    why: str = ""
    ambiguous: bool = False

    @property
    def endpoint(self) -> str:
        """``host:port`` as it reads, or empty when invalid."""
        if self.host is None or self.port is None:
            return ""
        return format_endpoint(self.host, self.port)

    @property
    def status_text(self) -> str:
        """``new``, ``already listed``, ``invalid: host ... contains a space`` ..."""
        return self.status.value + (f": {self.why}" if self.why else "")


@dataclass(frozen=True)
class _Reading:
    host: str
    port: int
    enabled: bool = True
    doubt: str = ""
    ambiguous: bool = False


def cells(line: str) -> list[str]:
    """A line's cells: split at tabs, spaces, commas and semicolons (spreadsheet copies)."""
    return [c for c in _SEPARATORS.split(line.strip()) if c]


def _port_doubt(text: str, port: int) -> str:
    if len(text) > 1 and text.startswith("0"):
        return f"port {text} has a leading zero"
    if port < LOWEST_SERVER_PORT:
        return (f"port {port} is below {LOWEST_SERVER_PORT}: render servers listen on ports "
                "like 20204")
    return ""


def _read(line: str, default_port: int) -> _Reading:
    """How one line reads, with a doubt when it reads like a typo.

    Raises:
        InputError: the line is no server (what is wrong, in words).
    """
    parts = cells(line)
    if len(parts) == 1:
        host, port = split_endpoint(parts[0])
        if port is None:
            return _Reading(host, default_port)
        given = parts[0].rsplit(":", 1)[1]
        return _Reading(host, port, doubt=_port_doubt(given, port), ambiguous=given[:1] == "0")
    if len(parts) == 2 and _DIGITS.fullmatch(parts[1]):
        host, port = validate_host(parts[0]), validate_port(parts[1])
        doubt = _port_doubt(parts[1], port)
        if doubt:
            joined = parts[0] + parts[1]
            try:
                validate_host(joined)
            except VrdrError:
                pass
            else:
                doubt = f"reads as host {host} on port {port}; did you mean {joined}? ({doubt})"
        return _Reading(host, port, doubt=doubt, ambiguous=bool(doubt))
    if len(parts) == 3 and parts[1] in ("0", "1") and _DIGITS.fullmatch(parts[2]):
        # A line copied from a vray_dr.cfg: host, on/off flag, port.
        return _Reading(validate_host(parts[0]), validate_port(parts[2]), parts[1] == "1")
    raise ValueError(f"{quote(line.strip())} is not host[:port], host and port cells, or a cfg "
                     "line (host 1 port)")


def classify(number: int, text: str, settings: DRSettings,
             seen: dict[tuple[str, int], int] | None = None) -> PasteLine:
    """Read line ``number`` and judge it against the list (and the lines before it in ``seen``).

    Args:
        number: the line's number, for messages.
        text: the line.
        settings: the list it would go into (its default port, its entries).
        seen: keys of earlier lines of the same paste and their numbers; updated.
    """
    try:
        reading = _read(text, settings.default_port)
    except (VrdrError, ValueError) as exc:
        return PasteLine(number, text.strip(), PasteStatus.INVALID, why=str(exc))
    line = PasteLine(number, text.strip(), PasteStatus.NEW, reading.host, reading.port,
                     reading.enabled)
    if settings.server_list.lists(reading.host, reading.port):
        return replace(line, status=PasteStatus.LISTED)
    key = (reading.host.lower(), reading.port)
    if seen is not None:
        if key in seen:
            return replace(line, status=PasteStatus.REPEATED, why=f"same as line {seen[key]}")
        seen[key] = number
    if reading.doubt:
        return replace(line, status=PasteStatus.CHECK, why=reading.doubt,
                       ambiguous=reading.ambiguous)
    return line


def preview(text: str, settings: DRSettings) -> list[PasteLine]:
    """Every non-blank line of ``text``, judged in order (a repeat points at its first line)."""
    seen: dict[tuple[str, int], int] = {}
    return [classify(number, line, settings, seen)
            for number, line in enumerate(text.splitlines(), start=1) if line.strip()]


def strict_entries(text: str, settings: DRSettings) -> list[PasteLine] | str:
    """The lines to add from ``text``, all or nothing: the first invalid or ambiguous line's error.

    Lines already listed or repeated are left out quietly (adding them would change nothing); a
    port written out plainly is taken as written, however unusual (``host:1001``).
    """
    lines = preview(text, settings)
    for line in lines:
        if line.status is PasteStatus.INVALID:
            return f"line {line.number}: {line.why}"
        if line.status is PasteStatus.CHECK and line.ambiguous:
            return (f"line {line.number}: {line.why}; nothing was added (the paste dialog lets "
                    "you keep it as it reads)")
    if not lines:
        return "nothing to paste: one host[:port] per line"
    return [line for line in lines if line.status in (PasteStatus.NEW, PasteStatus.CHECK)]


def addable(lines: Iterable[PasteLine], accepted: Iterable[int] = ()) -> list[PasteLine]:
    """The lines Add adds: the new ones and the doubtful ones the artist kept (by number)."""
    kept = set(accepted)
    return [line for line in lines if line.status is PasteStatus.NEW
            or (line.status is PasteStatus.CHECK and line.number in kept)]


__all__ = ["LOWEST_SERVER_PORT", "PasteLine", "PasteStatus", "addable", "cells", "classify",
           "preview", "strict_entries"]
