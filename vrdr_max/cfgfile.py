"""``vray_dr.cfg`` / ``vrayrt_dr.cfg``: a lossless, line-based model of V-Ray's DR server list.

The file belongs to the user and to V-Ray, so it is read tolerantly and edited in place:
:class:`CfgDocument` keeps every line with its own terminator, understands server and option
lines, and keeps anything else verbatim. :class:`CfgFile` ties a document to its path and to the
bytes read from disk, so a save never overwrites someone else's change. Format and tolerance
rules: ``docs/cfg-files.md``.

The format and the reader live in ``vrdr_max.cfgread`` (re-exported here), the edits in
``vrdr_max.cfgedit``, the option keys' settings fields in ``vrdr_max.cfgfields``: a command
loads, and without bytecode compiles, only what it runs (issue 18, item 5).
"""

from __future__ import annotations

from collections import namedtuple
from pathlib import Path

from vrdr_max.cfgread import (
    CPU_CFG_NAME,
    DISPATCHER_KEY,
    GPU_CFG_NAME,
    GPU_FILE_KEYS,
    NEW_FILE_LINE_ENDING,
    NEW_RESTART_KEY,
    OPTION_KEYS,
    RESTART_KEYS,
    CfgLine,
    CfgText,
    LineKind,
    OptionValue,
    cfg_name,
    engine_from_name,
)
from vrdr_max.ports import Engine
from vrdr_max.snapshots import (
    DEFAULT_BACKUP_SUFFIX,
    MAX_CFG_BYTES,
    FileSnapshot,
    read_bytes_snapshot,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from typing import Any, NamedTuple

    from vrdr_max.cfgfields import OptionField
    from vrdr_max.models import DRSettings, RenderServer
    from vrdr_max.server_list import ServerEntry, ServerList

__all__ = [  # with the format's names of vrdr_max.cfgread, re-exported
    "CPU_CFG_NAME",
    "DISPATCHER_KEY",
    "GPU_CFG_NAME",
    "GPU_FILE_KEYS",
    "NEW_FILE_LINE_ENDING",
    "NEW_RESTART_KEY",
    "OPTION_KEYS",
    "RESTART_KEYS",
    "CfgDocument",
    "CfgFile",
    "CfgLine",
    "CfgText",
    "LineKind",
    "OptionValue",
    "SaveResult",
    "cfg_name",
    "engine_from_name",
    "load_cfg",
]


class CfgDocument(CfgText):
    r"""One cfg file's text as lines, editable without losing anything it does not understand.

    Build it with :meth:`parse`; read ``servers``/``options``/:meth:`to_settings`; edit with
    :meth:`apply`; get the bytes with :meth:`render`. Reading is :class:`CfgText`'s (module
    ``cfgread``); the edits themselves run in ``cfgedit``.
    """

    def copy(self) -> CfgDocument:
        """An independent copy with the same content (and token)."""
        twin = CfgDocument(list(self._pieces), self.engine, self._original, self._original_text,
                           dispatcher_in_cfg=self.dispatcher_in_cfg, token=self.token,
                           meta=None if self._meta is None else list(self._meta))
        # Derived values are never edited in place, so the twin can share them.
        twin._joined, twin._read = self._joined, self._read
        twin._raw_servers, twin._values = self._raw_servers, self._values
        twin._entries, twin._keys = self._entries, self._keys
        return twin

    @property
    def servers(self) -> list[RenderServer]:
        """The server lines, in file order (fresh objects: editing them does not edit the file)."""
        return list(self.server_list())

    def _server_keys(self) -> set[tuple[str, int, int | None]] | None:
        """Each server line's host (lower case) and ports; None when one is listed twice.

        Computed once per content, like :meth:`_server_entries` (the caller must not change
        the set).
        """
        if self._keys is None:
            entries = self._server_entries()
            keys = {(host.lower(), port, end) for host, port, end, _on in entries}
            self._keys = keys if len(keys) == len(entries) else False
        return self._keys if isinstance(self._keys, set) else None

    def _entries_are(self, entries: list[ServerEntry],
                     keys: set[tuple[str, int, int | None]] | None = None) -> None:
        """Record that the server lines now hold ``entries`` (after an edit that wrote them).

        ``keys``: their :meth:`_server_keys` when known (else found when next asked).
        """
        self._entries, self._keys = entries, keys

    def server_list(self) -> ServerList:
        """The server lines as a :class:`ServerList`, read when first needed."""
        from vrdr_max.server_list import ServerList  # noqa: PLC0415 - not for reading
        owed: list[list[Any]] = []
        self._owed = [*(cell for cell in self._owed if not cell), owed]

        def source() -> list[Any]:
            if not owed:
                owed.append(self._raw())
            return list(owed[0])

        return ServerList.lazy(source, self._entry, self.token, self.may_list)

    @property
    def changed(self) -> bool:
        """True when the text differs from what was parsed."""
        return self._text() != self._original_text

    def to_settings(self, base: DRSettings | None = None, *,
                    servers: ServerList | None = None) -> DRSettings:
        """The file's servers and options on top of ``base``.

        Args:
            base: supplies what the file does not hold (mode, renderer switches, options the
                file lacks); defaults when None. The engine is always the document's.
            servers: the server list to use (one this document handed out, perhaps edited
                since); a fresh :meth:`server_list` when None.

        Returns:
            New settings; editing them does not edit the document.
        """
        from vrdr_max.models import DRSettings  # noqa: PLC0415 - pydantic only from here on

        data = (base or DRSettings()).model_dump(exclude={"servers"})
        data["engine"] = self.engine
        data["servers"] = self.server_list() if servers is None else servers
        current = self._field_values()
        for field in self._fields():
            if field.name in current:
                field.put(data, current[field.name])
        return DRSettings.model_validate(data)

    def file_option_values(self) -> tuple[OptionValue | None, ...]:
        """What the file's options alone say, on defaults, as :meth:`option_values` gives them.

        Read from the option lines without building settings: every value the reader accepts
        is already in the form a settings field gives back (tests hold the two equal).
        """
        from vrdr_max.cfgfields import default_values  # noqa: PLC0415 - reading needs none

        current = self._field_values()
        return tuple(current.get(field.name, default)
                     for field, default in zip(self._fields(), default_values(
                         self.engine, self.dispatcher_in_cfg), strict=True))

    def apply(self, settings: DRSettings) -> None:
        """Edit the document so that it holds ``settings``, keeping every other byte.

        Unchanged lines keep their exact text; changed servers and options are rewritten in
        place (options keep their key spelling); removed servers' lines go; new servers follow
        the server before them in ``settings``; missing options are appended after the last
        option line; unknown lines stay where they are. When the only change to the servers
        since this document was read is additions, only the new lines are inserted.

        Raises:
            InputError: ``settings`` are for the other engine's file.
        """
        from vrdr_max.cfgedit import apply_settings  # noqa: PLC0415 - reading needs no editor

        apply_settings(self, settings)

    def apply_servers(self, servers: ServerList) -> None:
        """Edit the server lines so that they hold ``servers``; options keep their values.

        The same as :meth:`apply` with :meth:`to_settings` and ``servers`` (missing options are
        appended with their defaults), without building settings.
        """
        from vrdr_max.cfgedit import apply_servers  # noqa: PLC0415 - reading needs no editor

        apply_servers(self, servers)

    def _patch_by_diff(self, servers: list[ServerEntry], ending: str) -> bool:
        """Edit the server lines in place when ``servers`` differ from them in one simple way.

        For a list that cannot say what changed since the file was read (the panel's working
        copy, edited row by row); see ``cfgmatch.patch_by_diff``. False: the full re-match
        (:meth:`_apply_servers`) must run.
        """
        from vrdr_max.cfgmatch import patch_by_diff  # noqa: PLC0415 - tracked edits need none

        return patch_by_diff(self, servers, ending)

    def render(self) -> bytes:
        """The file's bytes: the original bytes when nothing changed, else UTF-8 without BOM."""
        text = self._text()
        if text == self._original_text:
            return self._original
        return text.encode("utf-8")

    def _mark_saved(self, data: bytes) -> None:
        """Record that ``data`` (this document's :meth:`render`) is now the file's content."""
        self._original, self._original_text = data, self._text()

    def may_list(self, host: str) -> bool:
        """False only when no server line of the text can be on ``host`` (lower case).

        A server line spells its host as validate_host returns it, except IPv6 (``0:0::1``
        for ``::1``), so the text tells.
        """
        if self._lower is None:
            self._lower = self._text().lower()
        return host in self._lower or (":" in host and ":" in self._lower)

    def _before_edit(self) -> None:
        # Server lists handed out read this content, not the edited one.
        for owed in self._owed:
            if not owed:
                owed.append(self._raw())
        self._owed = []

    def _edited(self) -> None:
        self._joined = self._lower = self._read = self._raw_servers = self._values = None
        self._entries = self._keys = None

    def _option_lines(self) -> list[CfgLine]:
        """The option lines in order, found without reading every line.

        Every option key has an underscore, so only lines with one can be option lines; most
        server lines have none (host names cannot), so few lines need the full reader.
        """
        if self._meta is not None:
            return [line for line in self._read_lines() if line.kind is LineKind.OPTION]
        text = self._text()
        lines = []
        index, counted = 0, 0
        at = text.find("_")
        while at != -1:
            start = text.rfind("\n", 0, at) + 1
            index += text.count("\n", counted, start)
            line = self._read_piece(index)
            if line.kind is LineKind.OPTION:
                lines.append(line)
            end = text.find("\n", at)
            if end == -1:
                break
            counted = start
            at = text.find("_", end)
        return lines

    # --- options ------------------------------------------------------------------------

    def _fields(self) -> tuple[OptionField, ...]:
        """The settings fields of this file's options (``cfgfields``; reading needs none)."""
        from vrdr_max.cfgfields import option_fields  # noqa: PLC0415

        return option_fields(self.engine, self.dispatcher_in_cfg)

    def _field_values(self) -> dict[str, OptionValue]:
        """Each settings field the option lines set, and its value (the last line wins)."""
        if self._values is None:
            by_key = {key: field for field in self._fields() for key in field.keys}
            self._values = {}
            for line in self._option_lines():
                field = by_key.get(line.key) if line.key is not None else None
                if field is not None and line.value is not None:
                    self._values[field.name] = line.value
        return self._values

    def option_values(self, settings: DRSettings) -> tuple[OptionValue | None, ...]:
        """What ``settings`` would put into this file's options, for change detection."""
        return tuple(field.get(settings) for field in self._fields())

    @staticmethod
    def _apply_servers(lines: list[CfgLine], servers: list[ServerEntry],
                       ending: str) -> list[CfgLine]:
        """The lines holding ``servers``, each kept line matched again (``cfgmatch``)."""
        from vrdr_max.cfgmatch import apply_servers  # noqa: PLC0415 - tracked edits need none

        return apply_servers(lines, servers, ending)


# --- the file on disk -------------------------------------------------------------------------

if TYPE_CHECKING:
    class _SaveFields(NamedTuple):
        path: Path
        backup: Path | None
        changed: bool
        bytes_written: int
else:
    _SaveFields = namedtuple("_SaveFields", "path backup changed bytes_written")


class SaveResult(_SaveFields):
    """What :meth:`CfgFile.save` did.

    Attributes:
        path: the cfg file.
        backup: the copy of the previous content, or None (nothing written, no previous file,
            or no backup asked for).
        changed: False when the file already held the settings and nothing was written.
        bytes_written: size of the new content (0 when nothing was written).
    """

    __slots__ = ()


class CfgFile:
    """A cfg file on disk: its document, a working copy of its settings, and the bytes read.

    Attributes:
        path: the file.
        engine: CPU (``vray_dr.cfg``) or GPU (``vrayrt_dr.cfg``).
        document: the parsed text as last read or saved.
        settings: the working copy; edit it (``cfg.settings.add_server("10.0.0.5")``), then
            :meth:`save`. Built when first asked for (it loads the pydantic models); code that
            only edits servers can use :attr:`server_list` instead.
    """

    def __init__(self, path: Path, engine: Engine, snapshot: FileSnapshot,
                 base: DRSettings | None = None, *, dispatcher_in_cfg: bool = False) -> None:
        self.path = path
        self.engine = engine
        self._base = base
        self._snapshot = snapshot
        self.document = CfgDocument.parse(snapshot.data or b"", engine, source=str(path),
                                          dispatcher_in_cfg=dispatcher_in_cfg)
        # The working copy's servers, made when first asked for; settings, once built, hold
        # this very list.
        self._servers: ServerList | None = None
        self._settings: DRSettings | None = None
        # What the file itself holds, for change detection once settings exist: values that
        # only ``base`` supplies (a sidecar's dispatcher, a submission's options) must still
        # count as changes to write.
        self._saved_options: tuple[OptionValue | None, ...] = ()
        if base is not None:
            self._build_settings()  # the caller has the models loaded already

    @classmethod
    def load(cls, path: str | Path, engine: Engine | None = None, *,
             base: DRSettings | None = None, dispatcher_in_cfg: bool = False) -> CfgFile:
        """Read a cfg file; a missing file is an empty document, created on save.

        Args:
            path: the file.
            engine: CPU or GPU; told from the file name when None.
            base: settings the file does not hold (mode, dispatcher, ...); defaults when None.
            dispatcher_in_cfg: read and write the DR2 dispatcher line (the studio setting
                ``dispatcher_in_vray_cfg``; see ``DISPATCHER_KEY``).

        Returns:
            The loaded file.

        Raises:
            InputError: the path is a folder, unreadable, not text, or its name does not say
                the engine and none was given.
        """
        target = Path(path)
        engine = engine_from_name(target) if engine is None else engine
        return cls(target, engine, read_bytes_snapshot(target, max_bytes=MAX_CFG_BYTES), base,
                   dispatcher_in_cfg=dispatcher_in_cfg)

    @property
    def settings(self) -> DRSettings:
        """The working copy: edit it, then :meth:`save` (built on first use)."""
        if self._settings is None:
            return self._build_settings()
        return self._settings

    @settings.setter
    def settings(self, value: DRSettings) -> None:
        if self._settings is None:
            self._saved_options = self.document.file_option_values()
        self._settings = value

    def _build_settings(self) -> DRSettings:
        self._settings = self.document.to_settings(self._base, servers=self.server_list)
        self._saved_options = self.document.file_option_values()
        return self._settings

    @property
    def server_list(self) -> ServerList:
        """The working copy's servers (``settings.server_list``), without building settings.

        Edit it through its entry-level methods (``add_entry``, ``remove_endpoints``,
        ``set_endpoints_enabled``) and :meth:`save`: no pydantic model is built.
        """
        if self._settings is not None:
            return self._settings.server_list
        if self._servers is None:
            self._servers = self.document.server_list()
        return self._servers

    def entries(self) -> list[ServerEntry]:
        """The working copy's servers as plain ``(host, port, port_end, enabled)`` entries.

        Reading a file's servers this way builds no list object and no model.
        """
        if self._settings is None and self._servers is None:
            return self.document.entries()
        return list(self.server_list.entries())

    @property
    def exists(self) -> bool:
        """True when the file existed when it was last read or saved."""
        return self._snapshot.exists

    @property
    def snapshot(self) -> FileSnapshot:
        """The file as last read or saved: what a later write must still find on disk."""
        return self._snapshot

    def reload(self) -> None:
        """Read the file again, dropping unsaved edits to :attr:`settings`."""
        fresh = CfgFile.load(self.path, self.engine, base=self._base,
                             dispatcher_in_cfg=self.document.dispatcher_in_cfg)
        self._snapshot, self.document, self._servers = (fresh._snapshot, fresh.document,
                                                        fresh._servers)
        self._settings, self._saved_options = fresh._settings, fresh._saved_options

    def save(self, *, backup: bool = True,
             backup_suffix: str = DEFAULT_BACKUP_SUFFIX) -> SaveResult:
        """Write :attr:`settings` into the file, atomically, if they changed what it holds.

        Args:
            backup: keep the previous content as ``<name>.vrdr.bak`` next to the file.
            backup_suffix: another suffix for the backup (``atomic.own_backup_suffix``).

        Returns:
            What was written.

        Raises:
            CfgConflictError: the file changed on disk since it was read; nothing was written.
            InputError: the file or its folder is not writable.
        """
        from vrdr_max.cfgedit import save_file  # noqa: PLC0415 - reading needs no writer

        return save_file(self, backup=backup, backup_suffix=backup_suffix)


def load_cfg(path: str | Path, engine: Engine | None = None) -> CfgFile:
    """Read a cfg file (see :meth:`CfgFile.load`)."""
    return CfgFile.load(path, engine)
