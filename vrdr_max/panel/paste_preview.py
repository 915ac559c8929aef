"""Pasted server lines judged against the list: new, already listed, repeated, to check, invalid.

Qt-free: the paste dialog shows :func:`preview` and adds what the artist keeps; the controller's
``paste`` takes text all or nothing through :func:`strict_entries`. Each line is read by the
backend's endpoint parser (:func:`vrdr_max.endpoints.parse_endpoint_line`), which also says when
a line reads like a typo (``node 05``: host ``node`` on port 5, or the machine ``node05``?);
this module only judges what the reading means for the list. A line the parser doubts is never
added silently: the preview marks it for the artist to decide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum

from vrdr_max.addresses import format_endpoint
from vrdr_max.endpoints import LineVerdict, parse_endpoint_line
from vrdr_max.models import DRSettings


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
        port_end: the last port of a range copied from a cfg line (``host 1 20204-20212``).
        enabled: False for a cfg line copied with its 0 flag (``host 0 20204``).
        why: for every status but new, the reason in words.
        ambiguous: to check because it reads two ways (``node 05``, a leading zero), not
            merely for an unusual port; :func:`strict_entries` refuses it.
    """

    number: int
    text: str
    status: PasteStatus
    host: str | None = None
    port: int | None = None
    port_end: int | None = None
    enabled: bool = True
    why: str = ""
    ambiguous: bool = False

    @property
    def endpoint(self) -> str:
        """``host:port`` as it reads, or empty when invalid."""
        if self.host is None or self.port is None:
            return ""
        return format_endpoint(self.host, self.port, self.port_end)

    @property
    def status_text(self) -> str:
        """``new``, ``already listed``, ``invalid: host ... contains a space`` ..."""
        return self.status.value + (f": {self.why}" if self.why else "")


def classify(number: int, text: str, settings: DRSettings,
             seen: dict[tuple[str, int], int] | None = None) -> PasteLine | None:
    """Read line ``number`` and judge it against the list (and the lines before it in ``seen``).

    Args:
        number: the line's number, for messages.
        text: the line.
        settings: the list it would go into (its default port, its entries).
        seen: keys of earlier lines of the same paste and their numbers; updated.

    Returns:
        The judged line; None for a blank line or a comment.
    """
    read = parse_endpoint_line(text, settings.default_port)
    if read.verdict is LineVerdict.EMPTY:
        return None
    if read.host is None or read.port is None:
        return PasteLine(number, text.strip(), PasteStatus.INVALID, why=read.reason)
    line = PasteLine(number, text.strip(), PasteStatus.NEW, read.host, read.port, read.port_end,
                     read.enabled)
    if settings.server_list.lists(read.host, read.port):
        return replace(line, status=PasteStatus.LISTED)
    key = (read.host.lower(), read.port)
    if seen is not None:
        if key in seen:
            return replace(line, status=PasteStatus.REPEATED, why=f"same as line {seen[key]}")
        seen[key] = number
    if read.verdict is LineVerdict.SUSPECT:
        return replace(line, status=PasteStatus.CHECK, why=read.reason, ambiguous=read.ambiguous)
    return line


def preview(text: str, settings: DRSettings) -> list[PasteLine]:
    """Every pasted server line of ``text``, judged in order (a repeat points at its first line)."""
    seen: dict[tuple[str, int], int] = {}
    judged = (classify(number, line, settings, seen)
              for number, line in enumerate(text.splitlines(), start=1))
    return [line for line in judged if line is not None]


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


__all__ = ["PasteLine", "PasteStatus", "addable", "classify", "preview", "strict_entries"]
