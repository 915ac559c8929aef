"""Matching a server list to a cfg file's lines when its edits were not tracked.

``CfgDocument`` saves a list it handed out by the edits the list recorded (``ServerList``);
this module is for the other lists: the panel's working copy, edited row by row
(:func:`patch_by_diff`), and settings built elsewhere (:func:`apply_servers`, the full re-match
of every server line). The command line never needs it: ``vrdr servers add`` and friends save
tracked edits, so they neither import nor compile this module (issue 18, item 5).
"""

from __future__ import annotations

from collections import deque

from vrdr_max.cfgread import CfgLine, LineKind, _format_server, _piece

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeAlias

    from vrdr_max.cfgfile import CfgDocument
    from vrdr_max.cfgread import _Meta
    from vrdr_max.server_list import ServerEntry

_LineEdit: TypeAlias = "Callable[[list[str], list[_Meta]], None]"
"""An edit of a document's pieces and their line records (see :func:`patch_by_diff`)."""
_Found: TypeAlias = "tuple[_LineEdit, list[int], list[int]]"
"""The edit, the positions in the old entries that went or changed, and in the new list."""


def patch_by_diff(doc: CfgDocument, servers: list[ServerEntry], ending: str) -> bool:
    """Edit the server lines in place when ``servers`` differ from them in one simple way.

    For a list that cannot say what changed since the file was read (the panel's working
    copy, edited row by row): its entries are compared with the file's.

    Entries changed where they stand, only entries taken out, or only entries put in:
    what an edit in the panel does. The result is byte for byte what :func:`apply_servers`
    gives (tests hold the two equal), found with one pass instead of re-matching every
    line, which costs tens of milliseconds at 10,000 servers. Whenever the re-match could
    pair a line differently (a key listed twice, a renamed host with other lines before
    it, a reorder) or a last line lacks its line break, this returns False and the full
    re-match runs.
    """
    meta = doc._all_meta()
    old = doc._server_entries()
    if old == servers:
        return False  # nothing to do
    line = CfgLine
    rows = [i for i, m in enumerate(meta) if type(m) is not line or m.server]
    keys = doc._server_keys()
    if not old or keys is None:
        return False  # a key listed twice: the re-match decides
    if len(old) == len(servers):
        found = _changed_lines(doc, rows, old, servers, keys, ending=ending)
    elif len(servers) < len(old):
        found = _removed_lines(doc, rows, old, servers)
    else:
        found = _inserted_lines(doc, rows, old, servers, keys, ending=ending)
    if found is None:
        return False
    edit, went, came = found
    doc._before_edit()
    edit(doc._pieces, meta)
    doc._edited()
    # What the edited lines now hold, so the next save reads no line: the entries, and their
    # keys when still each listed once (the old keys were).
    after = (keys - {_match_key(old[k]) for k in went}) | {_match_key(servers[j]) for j in came}
    doc._entries_are(servers, after if len(after) == len(servers) else None)
    return True


def _changed_lines(doc: CfgDocument, rows: list[int], old: list[ServerEntry],
                   servers: list[ServerEntry], keys: set[tuple[str, int, int | None]], *,
                   ending: str) -> _Found | None:
    """Rewrite the lines of entries changed where they stand; None when that differs."""
    changed = [k for k, (a, b) in enumerate(zip(old, servers, strict=True)) if a != b]
    last = len(doc._pieces) - 1
    # Kept as their entries, as CfgDocument keeps rewritten lines (plain tuples, untracked by
    # the garbage collector).
    lines = []
    for k in changed:
        new_key = _match_key(servers[k])
        if rows[k] == last or (new_key != _match_key(old[k]) and new_key in keys):
            return None
        renamed = servers[k][0].lower() != old[k][0].lower()
        if renamed and not (len(changed) == 1 and _follows(rows, k)):
            return None  # renamed: the re-match puts it after the entry before it
        # A renamed entry's line is a new line to the re-match (its old line goes), so it
        # ends as new lines do: with the file's own ending, not the old line's.
        lines.append((rows[k], servers[k], ending if renamed else doc._line(rows[k]).ending))

    def edit(pieces: list[str], meta: list[_Meta]) -> None:
        for i, entry, line_ending in lines:
            pieces[i], meta[i] = _piece(_format_server(entry), line_ending), entry

    return edit, changed, changed


def _removed_lines(doc: CfgDocument, rows: list[int], old: list[ServerEntry],
                   servers: list[ServerEntry]) -> _Found | None:
    """Delete the lines of the entries taken out; None when that differs."""
    gone = _dropped(old, servers)
    if gone is None or any(rows[k] == len(doc._pieces) - 1 for k in gone):
        return None

    def edit(pieces: list[str], meta: list[_Meta]) -> None:
        for k in reversed(gone):
            del pieces[rows[k]], meta[rows[k]]

    return edit, gone, []


def _inserted_lines(doc: CfgDocument, rows: list[int], old: list[ServerEntry],
                    servers: list[ServerEntry], keys: set[tuple[str, int, int | None]], *,
                    ending: str) -> _Found | None:
    """Insert the new entries' lines; None when that differs."""
    put = _dropped(servers, old)  # the new entries, as positions in ``servers``
    if put is None or any(_match_key(servers[j]) in keys for j in put):
        return None
    # Each goes after the line of the entry before it (before the first, at the head).
    places = [rows[0] if j - n == 0 else rows[j - n - 1] + 1 for n, j in enumerate(put)]
    if any(place > len(doc._pieces) - 1 for place in places):
        return None  # after a last line without a line break

    def edit(pieces: list[str], meta: list[_Meta]) -> None:
        # From the end, so each place still means what it meant; equal places keep the
        # list's order.
        for place, j in sorted(zip(places, put, strict=True), reverse=True):
            pieces.insert(place, _piece(_format_server(servers[j]), ending))
            meta.insert(place, servers[j])

    return edit, [], put


def apply_servers(lines: list[CfgLine], servers: list[ServerEntry],
                  ending: str) -> list[CfgLine]:
    """Every line, with the server lines matched to ``servers`` and rewritten.

    Kept lines (same host and ports, then same host) stay where they are, in the order of
    ``servers``; new servers follow the entry before them; removed servers' lines go.
    """
    server_rows = [i for i, line in enumerate(lines) if line.server is not None]
    match = _match_servers(lines, server_rows, servers)
    # Kept lines stay in the slots server lines occupy, in the order of ``settings``.
    slots = sorted(match.values())
    slot_to_j = dict(zip(slots, sorted(match), strict=True))
    head: list[CfgLine] = []
    after: dict[int, list[CfgLine]] = {}
    anchor: int | None = None
    for j, server in enumerate(servers):
        if j in match:
            anchor = j
            continue
        new = CfgLine(_format_server(server), ending, LineKind.SERVER, server=server)
        (head if anchor is None else after.setdefault(anchor, [])).append(new)
    head_at = _head_position(lines, slots, server_rows)
    out: list[CfgLine] = []
    removed = set(server_rows) - set(slots)
    for i, line in enumerate(lines):
        if i == head_at:
            out.extend(head)
        if i in slot_to_j:
            j = slot_to_j[i]
            out.append(_kept_server(lines[match[j]], servers[j], line.ending))
            out.extend(after.get(j, ()))
        elif i not in removed:
            out.append(line)
    if head_at >= len(lines):
        out.extend(head)
    return out


def _match_servers(lines: list[CfgLine], server_rows: list[int],
                   servers: list[ServerEntry]) -> dict[int, int]:
    """Map each settings index to the server line it keeps.

    Same host and ports first, then the same host, so a port edit stays in place.
    """
    by_key: dict[tuple[str, int, int | None], deque[int]] = {}
    for i in server_rows:
        host, port, port_end, _ = lines[i].server or ("", 0, None, False)
        by_key.setdefault((host.lower(), port, port_end), deque()).append(i)
    match: dict[int, int] = {}
    for j, (host, port, port_end, _) in enumerate(servers):
        rows = by_key.get((host.lower(), port, port_end))
        if rows:
            match[j] = rows.popleft()
    used = set(match.values())
    by_host: dict[str, deque[int]] = {}
    for i in server_rows:
        if i not in used:
            host = (lines[i].server or ("", 0, None, False))[0]
            by_host.setdefault(host.lower(), deque()).append(i)
    for j, server in enumerate(servers):
        if j not in match:
            rows = by_host.get(server[0].lower())
            if rows:
                match[j] = rows.popleft()
    return match


def _head_position(lines: list[CfgLine], slots: list[int], server_rows: list[int]) -> int:
    """Where servers that come before every kept one go."""
    if slots:
        return slots[0]
    if server_rows:
        return server_rows[0]
    return next((i for i, line in enumerate(lines) if line.kind is LineKind.OPTION), 0)


def _kept_server(source: CfgLine, entry: ServerEntry, ending: str) -> CfgLine:
    if source.server == entry:
        return source if source.ending == ending else source._replace(ending=ending)
    return CfgLine(_format_server(entry), ending, LineKind.SERVER, server=entry)


def _match_key(entry: ServerEntry) -> tuple[str, int, int | None]:
    """What the full re-match pairs lines by (:func:`_match_servers`)."""
    return entry[0].lower(), entry[1], entry[2]


def _follows(rows: list[int], k: int) -> bool:
    """True when server line ``k`` comes right after the one before it (or leads with none)."""
    if k == 0:
        return len(rows) == 1 or rows[1] == rows[0] + 1
    return rows[k] == rows[k - 1] + 1


def _dropped(longer: list[ServerEntry], shorter: list[ServerEntry]) -> list[int] | None:
    """Positions in ``longer`` whose removal leaves ``shorter`` (in order), or None."""
    out: list[int] = []
    j = 0
    for i, entry in enumerate(longer):
        if j < len(shorter) and shorter[j] == entry:
            j += 1
        else:
            out.append(i)
    return out if j == len(shorter) else None
