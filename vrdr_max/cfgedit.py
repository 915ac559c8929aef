"""Editing a cfg document in place, and saving a cfg file: what only a command that edits runs.

``CfgDocument`` (``vrdr_max.cfgfile``) reads a file's lines; its editing methods (``apply``,
``apply_servers``) and ``CfgFile.save`` hand over to the functions here, which rewrite or drop
server lines in place, insert new ones after the last server line, rewrite option values and
append missing options, and write the file atomically. A command that only reads (``vrdr cfg
show``) neither imports nor compiles this module, nor the writer behind it (issue 18, item 5).
The untracked edits of a server list (the panel's working copy, settings built elsewhere) are
matched to the lines by ``vrdr_max.cfgmatch``.
"""

from __future__ import annotations

from vrdr_max.atomic import atomic_write
from vrdr_max.cfgfields import APPENDED
from vrdr_max.cfgfile import SaveResult
from vrdr_max.cfgread import (
    _TAIL,
    CfgLine,
    LineKind,
    _format_server,
    _format_value,
    _piece,
    cfg_name,
)
from vrdr_max.errors import InputError
from vrdr_max.snapshots import DEFAULT_BACKUP_SUFFIX

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from vrdr_max.cfgfile import CfgDocument, CfgFile
    from vrdr_max.cfgread import OptionValue, _Meta
    from vrdr_max.models import DRSettings
    from vrdr_max.server_list import ServerEntry, ServerList


def apply_settings(doc: CfgDocument, settings: DRSettings) -> None:
    """``CfgDocument.apply``: edit ``doc`` so that it holds ``settings`` (see there)."""
    if settings.engine is not doc.engine:
        raise InputError(f"these are {settings.engine.value.upper()} settings but "
                         f"{cfg_name(doc.engine)} is the {doc.engine.value.upper()} file")
    _apply(doc, settings.server_list, {field.name: field.get(settings) for field in doc._fields()})


def apply_servers(doc: CfgDocument, servers: ServerList) -> None:
    """``CfgDocument.apply_servers``: the server lines hold ``servers`` (see there)."""
    current = doc._field_values()
    _apply(doc, servers, {field.name: current.get(field.name, field.default)
                          for field in doc._fields()})


def _apply(doc: CfgDocument, servers: ServerList, wanted: dict[str, OptionValue | None]) -> None:
    """The servers by their tracked edits, else by diff, else the full re-match; the options."""
    ending = doc.line_ending
    current = doc._field_values()  # server edits leave the options as they are
    changes = servers.changes_since(doc.token)
    if changes is None or not _patch_servers(doc, *changes, ending):
        entries = servers.entry_list()
        if not doc._patch_by_diff(entries, ending):
            doc._all_meta()
            lines = [doc._line(i) for i in range(doc._count())]
            _store(doc, doc._apply_servers(lines, entries, ending), ending)
    _apply_options(doc, wanted, ending, current)


def _store(doc: CfgDocument, lines: list[CfgLine], ending: str) -> None:
    doc._before_edit()
    # A line that used to be last may have no terminator; it needs one now.
    for index in range(len(lines) - 1):
        if lines[index].ending not in ("\n", "\r\n"):
            lines[index] = lines[index]._replace(ending=ending)
    pieces = [_piece(line.text, line.ending) for line in lines]
    meta: list[_Meta] = list(lines)
    if not lines or lines[-1].ending in ("\n", "\r\n"):
        pieces.append("")
        meta.append(_TAIL)
    doc._pieces, doc._meta = pieces, meta
    doc._edited()


def insert(doc: CfgDocument, at: int, new: list[CfgLine] | list[ServerEntry], ending: str) -> None:
    """Insert ``new`` before line ``at``, each ended by ``ending``; ``at`` may be the count.

    ``new`` holds lines, or server entries: those are kept as their entries, as rewritten
    server lines are (plain tuples of text and numbers, which the garbage collector stops
    tracking, so pasting thousands of servers does not bring its full collections sooner).
    """
    doc._before_edit()
    count = doc._count()
    if at >= count and doc._pieces[-1] != "":
        # The last line had no terminator; it gets one now.
        last = doc._line(count - 1)
        doc._pieces[-1] = _piece(last.text, ending)
        doc._pieces.append("")
        if doc._meta is not None:
            if isinstance(doc._meta[-1], CfgLine):
                doc._meta[-1] = last._replace(ending=ending)
            doc._meta.append(_TAIL)
        at = count
    doc._pieces[at:at] = [
        _piece(item.text, item.ending) if isinstance(item, CfgLine)
        else _piece(_format_server(item), ending) for item in new]
    if doc._meta is not None:
        doc._meta[at:at] = new
    doc._edited()


def _patch_servers(doc: CfgDocument, edits: dict[int, ServerEntry | None], added: list[ServerEntry],
                   ending: str) -> bool:
    """Rewrite or drop just the server lines ``edits`` names, then add ``added``.

    ``edits`` maps a server line's place among the server lines to its new entry, or None
    when it goes; each rewritten line keeps its terminator. The result equals what matching
    every line gives (``CfgDocument._apply_servers``), in O(lines) without reading them all. False
    (nothing done) when every server line goes and others come: matching places those.
    """
    if edits:
        meta = doc._all_meta()
        rows = [i for i, m in enumerate(meta)
                if not isinstance(m, CfgLine) or m.server is not None]
        if added and all(edits.get(k, 0) is None for k in range(len(rows))):
            return False
        known = doc._entries
        doc._before_edit()
        gone: set[int] = set()
        pieces = doc._pieces
        for ordinal, entry in edits.items():
            i = rows[ordinal]
            if entry is None:
                gone.add(i)
                continue
            pieces[i] = _piece(_format_server(entry), _ending_at(doc, i))
            meta[i] = entry
        if gone:
            _drop(doc, gone)
        doc._edited()
        if known is not None:  # what the lines hold now, without reading them again
            after: list[ServerEntry | None] = list(known)
            for ordinal, entry in edits.items():
                after[ordinal] = entry
            doc._entries = [e for e in after if e is not None]
    known = doc._entries
    _insert_servers(doc, added, ending)
    if known is not None and added:
        doc._entries = [*known, *added]
    return True


def _drop(doc: CfgDocument, gone: set[int]) -> None:
    """Delete the lines at ``gone`` (pieces of a document whose every line was read)."""
    assert doc._meta is not None
    last = len(doc._pieces) - 1
    keep = [i for i in range(len(doc._pieces)) if i not in gone]
    doc._pieces = [doc._pieces[i] for i in keep]
    doc._meta = [doc._meta[i] for i in keep]
    if last in gone and doc._pieces:
        # The old last line (no terminator) went: the new last one keeps its own, a blank
        # line's too (its piece is "", which would otherwise read as the tail).
        doc._pieces.append("")
        doc._meta.append(_TAIL)
    elif not doc._pieces:
        doc._pieces, doc._meta = [""], [_TAIL]


def _ending_at(doc: CfgDocument, i: int) -> str:
    """The terminator of line ``i`` (what ``doc._line`` gives it), without reading it."""
    item = doc._meta_at(i)
    if isinstance(item, CfgLine):
        return item.ending
    last = i == len(doc._pieces) - 1
    if doc._pieces[i].endswith("\r"):
        return "\r" if last else "\r\n"
    return "" if last else "\n"


def _insert_servers(doc: CfgDocument, entries: list[ServerEntry], ending: str) -> None:
    """Put new server lines after the last server line (or where the first would go)."""
    if not entries:
        return
    count = doc._count()
    at = next((i + 1 for i in range(count - 1, -1, -1) if _is_server(doc, i)), None)
    if at is None:
        at = next((i for i in range(count) if _is_option(doc, i)), 0)
    insert(doc, at, entries, ending)


def _is_server(doc: CfgDocument, i: int) -> bool:
    item = doc._meta_at(i)
    return not isinstance(item, CfgLine) or item.server is not None


def _is_option(doc: CfgDocument, i: int) -> bool:
    item = doc._meta_at(i)
    return isinstance(item, CfgLine) and item.kind is LineKind.OPTION


def _apply_options(doc: CfgDocument, wanted: dict[str, OptionValue | None], ending: str,
                   current: dict[str, OptionValue]) -> None:
    """Rewrite the option lines whose value ``wanted`` changes; append missing ones.

    ``wanted`` holds each field's value; ``current`` the option values the lines have
    (``CfgDocument._field_values``).
    """
    fields = doc._fields()
    by_key = {key: field for field in fields for key in field.keys}
    edited = {name for name, value in current.items() if wanted[name] != value}
    appended = APPENDED[doc.engine]
    missing = [CfgLine(f"{field.keys[0]} {_format_value(value)}", ending, LineKind.OPTION,
                       key=field.keys[0], value=value)
               for field in fields
               if field.name not in current and field.name in appended
               and (value := wanted[field.name]) is not None]
    if not edited and not missing:
        return
    doc._before_edit()
    meta = doc._all_meta()
    gone: set[int] = set()
    for i in [i for i in range(doc._count()) if _is_option(doc, i)]:
        line = meta[i]
        assert isinstance(line, CfgLine)
        assert line.key is not None
        field = by_key.get(line.key)
        if field is None or field.name not in edited:
            continue
        value = wanted[field.name]
        if value is None:  # the setting is gone (no dispatcher), so is the line
            gone.add(i)
        else:
            new = line._replace(text=f"{line.key} {_format_value(value)}", value=value)
            doc._pieces[i], meta[i] = _piece(new.text, new.ending), new
    if gone:
        _drop(doc, gone)
    doc._edited()
    if missing:
        count = doc._count()
        last = max((i for i in range(count) if _is_option(doc, i)), default=count - 1)
        insert(doc, last + 1, missing, ending)


def save_file(cfg: CfgFile, *, backup: bool = True,
              backup_suffix: str = DEFAULT_BACKUP_SUFFIX) -> SaveResult:
    """The body of :meth:`CfgFile.save` (arguments, result and errors as documented there)."""
    settings, servers = cfg._settings, cfg.server_list
    document = cfg.document.copy()
    # Settings equal to what was read leave the file alone, even where applying them would
    # append options the file lacks; a missing file is always created.
    if settings is None:  # never built, so only the servers can have changed
        options = cfg._saved_options
        if _servers_changed(cfg, servers) or not cfg._snapshot.exists:
            document.apply_servers(servers)
    else:
        options = cfg.document.option_values(settings)
        if (options != cfg._saved_options or _servers_changed(cfg, servers)
                or not cfg._snapshot.exists):
            document.apply(settings)
    if not document.changed:
        return SaveResult(path=cfg.path, backup=None, changed=False, bytes_written=0)
    data = document.render()
    result = atomic_write(cfg.path, data, expected=cfg._snapshot,
                          backup_suffix=backup_suffix if backup else None)
    document._mark_saved(data)
    cfg._snapshot, cfg.document, cfg._saved_options = result.snapshot, document, options
    servers.rebase(document.token, document.may_list)
    return SaveResult(path=cfg.path, backup=result.backup, changed=True,
                      bytes_written=result.bytes_written)


def _servers_changed(cfg: CfgFile, servers: ServerList) -> bool:
    """True when the working copy's servers differ from the file's."""
    changes = servers.changes_since(cfg.document.token)
    if changes is not None:
        return bool(changes[0] or changes[1])
    return servers.entry_list() != cfg.document._server_entries()
