"""``vray_dr.cfg`` / ``vrayrt_dr.cfg``: a lossless, line-based model of V-Ray's DR server list.

The file belongs to the user and to V-Ray, so it is read tolerantly and edited in place:
:class:`CfgDocument` keeps every line with its own terminator, understands server and option
lines, and keeps anything else verbatim. :class:`CfgFile` ties a document to its path and to the
bytes read from disk, so a save never overwrites someone else's change. Format and tolerance
rules: ``docs/cfg-files.md``.
"""

from __future__ import annotations

import codecs
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any, TypeAlias

from vrdr_max.addresses import validate_host
from vrdr_max.atomic import DEFAULT_BACKUP_SUFFIX, FileSnapshot, atomic_write, read_bytes_snapshot
from vrdr_max.errors import InputError, quote
from vrdr_max.models import DRSettings, RenderServer
from vrdr_max.ports import Engine, Mode, default_port

CPU_CFG_NAME = "vray_dr.cfg"
"""V-Ray (CPU) DR server list and options, in the 3ds Max plugcfg folder."""

GPU_CFG_NAME = "vrayrt_dr.cfg"
"""V-Ray GPU (formerly RT) DR server list, same folder."""

NEW_RESTART_KEY = "restart_slaves"
"""Spelling of the restart option in new files: every known writer (Deadline, Azure) uses it."""

RESTART_KEYS = tuple(dict.fromkeys((NEW_RESTART_KEY, "restart_slaves", "restart_servers")))
"""Both spellings are read; ``restart_servers`` is reported for V-Ray Next era builds
(vray-dr.md §3.3) [unverified]. A file keeps the spelling it has."""

DISPATCHER_KEY = "dr2_dispatcher"
"""[unverified] Hook for the DR2 dispatcher: no public file shows where V-Ray stores the
Dispatcher IP (vray-dr.md §15.1). Value format ``host port also_renders``, e.g.
``dr2_dispatcher 10.0.0.5 20208 1``. Change the name here once a real file shows it."""

NEW_FILE_LINE_ENDING = "\r\n"
"""Line ending for files that have none yet: the files live on Windows next to 3ds Max."""

OptionValue: TypeAlias = int | float | str


class _ValueKind(Enum):
    FLAG = "0|1"
    COUNT = "whole number >= 0"
    LIMIT_TYPE = "0|1|2"
    NUMBER = "number >= 0"
    DISPATCHER = "host port 0|1"


OPTION_KEYS: dict[str, _ValueKind] = {
    "restart_slaves": _ValueKind.FLAG,
    "restart_servers": _ValueKind.FLAG,
    "list_in_scene": _ValueKind.FLAG,
    "max_servers": _ValueKind.COUNT,
    "use_local_machine": _ValueKind.FLAG,
    "transfer_missing_assets": _ValueKind.FLAG,
    "use_cached_assets": _ValueKind.FLAG,
    "cache_limit_type": _ValueKind.LIMIT_TYPE,
    "cache_limit": _ValueKind.NUMBER,
    "autostart_local_slave": _ValueKind.FLAG,
    DISPATCHER_KEY: _ValueKind.DISPATCHER,
}
"""Every option key vrdr understands (vray-dr.md §3.2, §4) and the values it accepts. A line
with a known key but another value is kept verbatim as an unknown line."""


class LineKind(str, Enum):
    """What one line of a cfg file is."""

    BLANK = "blank"
    OPTION = "option"
    SERVER = "server"
    UNKNOWN = "unknown"


ServerEntry: TypeAlias = tuple[str, int, bool]
"""A server line's host (canonical), port and enabled flag."""


@dataclass(frozen=True, slots=True)
class CfgLine:
    r"""One line: its text without terminator, the terminator, and what it means.

    Attributes:
        text: the line as in the file, without its terminator.
        ending: ``"\n"`` or ``"\r\n"``; for the last line also ``""`` (none) or ``"\r"``.
        kind: blank, option, server or unknown.
        key: the option key as spelled (options only).
        value: the typed option value (options only).
        server: host, port, enabled (servers only).
    """

    text: str
    ending: str
    kind: LineKind
    key: str | None = None
    value: OptionValue | None = None
    server: ServerEntry | None = None


def cfg_name(engine: Engine) -> str:
    """The cfg file name V-Ray uses for ``engine``."""
    return GPU_CFG_NAME if engine is Engine.GPU else CPU_CFG_NAME


def engine_from_name(path: str | Path) -> Engine:
    """Tell the engine from a cfg file name (``vray_dr.cfg`` CPU, ``vrayrt_dr.cfg`` GPU).

    Raises:
        InputError: for any other name.
    """
    name = Path(path).name.lower()
    for engine in Engine:
        if name == cfg_name(engine):
            return engine
    raise InputError(f"cannot tell CPU from GPU by the file name {quote(Path(path).name)} "
                     f"(expected {CPU_CFG_NAME} or {GPU_CFG_NAME}); pass the engine (--gpu)")


# --- what the file holds, per engine ----------------------------------------------------------

def _flag(value: bool) -> int:
    return 1 if value else 0


_Put: TypeAlias = Callable[[dict[str, Any], OptionValue], None]
"""Stores a file value into a ``DRSettings.model_dump()`` dict."""


def _set_top(name: str, convert: Callable[[OptionValue], Any]) -> _Put:
    def put(data: dict[str, Any], value: OptionValue) -> None:
        data[name] = convert(value)
    return put


def _set_asset(name: str, convert: Callable[[OptionValue], Any]) -> _Put:
    def put(data: dict[str, Any], value: OptionValue) -> None:
        data["assets"][name] = convert(value)
    return put


def _dispatcher_value(settings: DRSettings) -> OptionValue | None:
    d = settings.dispatcher
    return None if d is None else f"{d.host} {d.port} {_flag(d.also_renders)}"


def _put_dispatcher(data: dict[str, Any], value: OptionValue) -> None:
    host, port, also = str(value).split()
    data["dispatcher"] = {"host": host, "port": int(port), "also_renders": also == "1"}


@dataclass(frozen=True)
class _Field:
    name: str
    keys: tuple[str, ...]
    get: Callable[[DRSettings], OptionValue | None]
    put: _Put


_COMMON_FIELDS = (
    _Field("restart_servers", RESTART_KEYS, lambda s: _flag(s.restart_servers),
           _set_top("restart_servers", bool)),
    _Field("save_servers_in_scene", ("list_in_scene",), lambda s: _flag(s.save_servers_in_scene),
           _set_top("save_servers_in_scene", bool)),
    _Field("max_servers", ("max_servers",), lambda s: s.max_servers, _set_top("max_servers", int)),
)
_ASSET_FIELDS = (
    _Field("transfer_missing", ("transfer_missing_assets",),
           lambda s: _flag(s.assets.transfer_missing), _set_asset("transfer_missing", bool)),
    _Field("use_cached", ("use_cached_assets",), lambda s: _flag(s.assets.use_cached),
           _set_asset("use_cached", bool)),
    _Field("cache_limit_type", ("cache_limit_type",), lambda s: int(s.assets.cache_limit_type),
           _set_asset("cache_limit_type", int)),
    _Field("cache_limit", ("cache_limit",), lambda s: float(s.assets.cache_limit),
           _set_asset("cache_limit", float)),
)
_DISPATCHER_FIELD = _Field("dispatcher", (DISPATCHER_KEY,), _dispatcher_value, _put_dispatcher)

_FIELDS: dict[Engine, tuple[_Field, ...]] = {
    # V-Ray's own order, used when options are appended to a file.
    Engine.CPU: (*_COMMON_FIELDS,
                 _Field("use_local_host", ("use_local_machine",),
                        lambda s: _flag(s.use_local_host), _set_top("use_local_host", bool)),
                 *_ASSET_FIELDS, _DISPATCHER_FIELD),
    Engine.GPU: (_Field("use_local_host", ("autostart_local_slave",),
                        lambda s: _flag(s.use_local_host), _set_top("use_local_host", bool)),
                 *_COMMON_FIELDS, *_ASSET_FIELDS, _DISPATCHER_FIELD),
}
"""Which settings field each option key feeds, per file."""

_APPENDED: dict[Engine, frozenset[str]] = {
    Engine.CPU: frozenset(f.name for f in _FIELDS[Engine.CPU]),
    # vrayrt_dr.cfg holds servers and autostart_local_slave; other keys are only kept up to
    # date when the file already has them (vray-dr.md §4). The DR2 dispatcher is added for
    # GPU DR2 as for CPU (the guide: "the process is similar"); its key is [unverified].
    Engine.GPU: frozenset({"use_local_host", "dispatcher"}),
}
"""Fields written to a file that lacks their key."""


def _held(settings: DRSettings, engine: Engine) -> tuple[Any, ...]:
    """The part of ``settings`` a cfg file of ``engine`` can hold, for change detection."""
    servers = tuple((s.host, s.port, s.enabled) for s in settings.servers)
    return servers, tuple(f.get(settings) for f in _FIELDS[engine])


# --- reading ----------------------------------------------------------------------------------

# Anything below space except tab, LF, VT, FF and CR marks a binary file.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_DIGITS = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
# Canonical dotted quads are what validate_host would return unchanged; matching them here
# keeps parsing a 10,000-server file fast.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")


def _decode(data: bytes, source: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"{source} is not a text file (byte {exc.start} is not valid "
                         f"{'UTF-16' if encoding == 'utf-16' else 'UTF-8'})") from None
    _check_text(text, source)
    return text


def _check_text(text: str, source: str) -> None:
    found = _CONTROL.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise InputError(f"{source} is not a text file (control character "
                         f"0x{ord(found.group()):02x} on line {line})")


def _split_lines(text: str) -> list[tuple[str, str]]:
    parts = text.split("\n")
    last = parts.pop()
    lines = [(p[:-1], "\r\n") if p.endswith("\r") else (p, "\n") for p in parts]
    if last:
        lines.append((last[:-1], "\r") if last.endswith("\r") else (last, ""))
    return lines


def _canonical_host(token: str) -> str | None:
    if _CANONICAL_IPV4.fullmatch(token):
        return token
    try:
        return validate_host(token)
    except InputError:
        return None


def _parse_server(tokens: list[str], default: int) -> ServerEntry | None:
    if len(tokens) == 3:
        flag, port_text = tokens[1], tokens[2]
        if flag not in ("0", "1") or not _DIGITS.fullmatch(port_text):
            return None
        port = int(port_text)
    elif len(tokens) == 2:
        second = tokens[1]
        if second in ("0", "1"):  # V-Ray 1.x/2.x: "host 1", no port
            flag, port = second, default
        elif _DIGITS.fullmatch(second):  # an early writer's "host port"
            flag, port = "1", int(second)
        else:
            return None
    else:
        return None
    if not 1 <= port <= 65535 or tokens[0].isdigit():
        return None
    host = _canonical_host(tokens[0])
    return None if host is None else (host, port, flag == "1")


def _parse_value(kind: _ValueKind, values: list[str]) -> OptionValue | None:
    if kind is _ValueKind.DISPATCHER:
        return _parse_dispatcher(values)
    if len(values) != 1:
        return None
    text = values[0]
    if kind is _ValueKind.FLAG:
        return int(text) if text in ("0", "1") else None
    if kind is _ValueKind.LIMIT_TYPE:
        return int(text) if text in ("0", "1", "2") else None
    if kind is _ValueKind.COUNT:
        return int(text) if _DIGITS.fullmatch(text) else None
    return float(text) if _NUMBER.fullmatch(text) else None


def _parse_dispatcher(values: list[str]) -> str | None:
    if len(values) != 3:
        return None
    host_text, port_text, also = values
    if also not in ("0", "1") or not _DIGITS.fullmatch(port_text):
        return None
    port = int(port_text)
    host = _canonical_host(host_text)
    if host is None or not 1 <= port <= 65535:
        return None
    return f"{host} {port} {also}"


def _classify(text: str, ending: str, default: int) -> CfgLine:
    # Non-ASCII never makes a valid host or value; V-Ray's reader is byte-based.
    if not text.isascii():
        return CfgLine(text, ending, LineKind.UNKNOWN)
    tokens = text.split()
    if not tokens:
        return CfgLine(text, ending, LineKind.BLANK)
    kind = OPTION_KEYS.get(tokens[0])
    if kind is not None:
        value = _parse_value(kind, tokens[1:])
        if value is None:
            return CfgLine(text, ending, LineKind.UNKNOWN)
        return CfgLine(text, ending, LineKind.OPTION, key=tokens[0], value=value)
    server = _parse_server(tokens, default)
    if server is None:
        return CfgLine(text, ending, LineKind.UNKNOWN)
    return CfgLine(text, ending, LineKind.SERVER, server=server)


def _format_server(server: RenderServer) -> str:
    return f"{server.host} {_flag(server.enabled)} {server.port}"


def _format_value(value: OptionValue) -> str:
    # V-Ray writes cache_limit with printf's %f.
    return f"{value:f}" if isinstance(value, float) else str(value)


# --- the document -----------------------------------------------------------------------------

class CfgDocument:
    """One cfg file's text as lines, editable without losing anything it does not understand.

    Build it with :meth:`parse`; read ``servers``/``options``/:meth:`to_settings`; edit with
    :meth:`apply`; get the bytes with :meth:`render`.
    """

    def __init__(self, lines: list[CfgLine], engine: Engine, original: bytes,
                 original_text: str) -> None:
        self.engine = engine
        self._lines = lines
        self._original = original
        self._original_text = original_text

    @classmethod
    def parse(cls, data: bytes | str, engine: Engine, *,
              source: str = "the cfg file") -> CfgDocument:
        """Read a cfg file's content.

        Args:
            data: the file's bytes (UTF-8 with or without BOM, or UTF-16 with BOM) or text.
            engine: CPU for ``vray_dr.cfg``, GPU for ``vrayrt_dr.cfg``.
            source: how to name the file in error messages.

        Returns:
            The document.

        Raises:
            InputError: the content is not text.
        """
        if isinstance(data, str):
            text = data.removeprefix("\ufeff")
            _check_text(text, source)
            try:
                original = data.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InputError(f"{source} is not a text file (character {exc.start} is not "
                                 "valid Unicode)") from None
        else:
            original = data
            text = _decode(data, source)
        default = default_port(engine, Mode.DR)
        lines = [_classify(body, ending, default) for body, ending in _split_lines(text)]
        return cls(lines, engine, original, text)

    def copy(self) -> CfgDocument:
        """An independent copy (lines are immutable, so the list is all that is copied)."""
        return CfgDocument(list(self._lines), self.engine, self._original, self._original_text)

    @property
    def lines(self) -> tuple[CfgLine, ...]:
        """Every line, in file order."""
        return tuple(self._lines)

    @property
    def servers(self) -> list[RenderServer]:
        """The server lines, in file order (fresh objects: editing them does not edit the file)."""
        return [RenderServer.model_construct(host=line.server[0], port=line.server[1],
                                             enabled=line.server[2])
                for line in self._lines if line.server is not None]

    @property
    def options(self) -> dict[str, OptionValue]:
        """Known option keys as spelled in the file and their typed values (last one wins)."""
        return {line.key: line.value for line in self._lines
                if line.key is not None and line.value is not None}

    @property
    def unknown_lines(self) -> list[str]:
        """Lines kept verbatim because they are neither blank, a server nor a known option."""
        return [line.text for line in self._lines if line.kind is LineKind.UNKNOWN]

    @property
    def line_ending(self) -> str:
        """The terminator most lines use; new lines get it (CRLF for a file without any)."""
        crlf = sum(1 for line in self._lines if line.ending == "\r\n")
        lf = sum(1 for line in self._lines if line.ending == "\n")
        if not crlf and not lf:
            return NEW_FILE_LINE_ENDING
        return "\r\n" if crlf >= lf else "\n"

    @property
    def changed(self) -> bool:
        """True when the text differs from what was parsed."""
        return self._text() != self._original_text

    def to_settings(self, base: DRSettings | None = None) -> DRSettings:
        """The file's servers and options on top of ``base``.

        Args:
            base: supplies what the file does not hold (mode, renderer switches, options the
                file lacks); defaults when None. The engine is always the document's.

        Returns:
            New settings; editing them does not edit the document.
        """
        data = (base or DRSettings()).model_dump(exclude={"servers"})
        data["engine"] = self.engine
        data["servers"] = self.servers
        current = self._field_values()
        for field in _FIELDS[self.engine]:
            if field.name in current:
                field.put(data, current[field.name])
        return DRSettings.model_validate(data)

    def apply(self, settings: DRSettings) -> None:
        """Edit the document so that it holds ``settings``, keeping every other byte.

        Unchanged lines keep their exact text; changed servers and options are rewritten in
        place (options keep their key spelling); removed servers' lines go; new servers follow
        the server before them in ``settings``; missing options are appended after the last
        option line; unknown lines stay where they are.

        Raises:
            InputError: ``settings`` are for the other engine's file.
        """
        if settings.engine is not self.engine:
            raise InputError(f"these are {settings.engine.value.upper()} settings but "
                             f"{cfg_name(self.engine)} is the {self.engine.value.upper()} file")
        ending = self.line_ending
        lines = self._apply_servers(self._lines, settings.servers, ending)
        lines = self._apply_options(lines, settings, ending)
        # A line that used to be last may have no terminator; it needs one now.
        for index in range(len(lines) - 1):
            if lines[index].ending not in ("\n", "\r\n"):
                lines[index] = replace(lines[index], ending=ending)
        self._lines = lines

    def render(self) -> bytes:
        """The file's bytes: the original bytes when nothing changed, else UTF-8 without BOM."""
        text = self._text()
        if text == self._original_text:
            return self._original
        return text.encode("utf-8")

    def _mark_saved(self, data: bytes) -> None:
        """Record that ``data`` (this document's :meth:`render`) is now the file's content."""
        self._original, self._original_text = data, self._text()

    def _text(self) -> str:
        return "".join(line.text + line.ending for line in self._lines)

    def _field_values(self) -> dict[str, OptionValue]:
        by_key = {key: field for field in _FIELDS[self.engine] for key in field.keys}
        values: dict[str, OptionValue] = {}
        for line in self._lines:
            field = by_key.get(line.key) if line.key is not None else None
            if field is not None and line.value is not None:
                values[field.name] = line.value
        return values

    @staticmethod
    def _apply_servers(lines: list[CfgLine], servers: list[RenderServer],
                       ending: str) -> list[CfgLine]:
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
            new = CfgLine(_format_server(server), ending, LineKind.SERVER,
                          server=(server.host, server.port, server.enabled))
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

    def _apply_options(self, lines: list[CfgLine], settings: DRSettings,
                       ending: str) -> list[CfgLine]:
        fields = _FIELDS[self.engine]
        by_key = {key: field for field in fields for key in field.keys}
        wanted = {field.name: field.get(settings) for field in fields}
        current = self._field_values()
        edited = {name for name, value in current.items() if wanted[name] != value}
        out: list[CfgLine] = []
        for line in lines:
            field = by_key.get(line.key) if line.key is not None else None
            if field is None or field.name not in edited:
                out.append(line)
                continue
            value = wanted[field.name]
            if value is not None:  # None: the setting is gone (no dispatcher), so is the line
                out.append(replace(line, text=f"{line.key} {_format_value(value)}", value=value))
        missing = [CfgLine(f"{field.keys[0]} {_format_value(value)}", ending, LineKind.OPTION,
                           key=field.keys[0], value=value)
                   for field in fields
                   if field.name not in current and field.name in _APPENDED[self.engine]
                   and (value := wanted[field.name]) is not None]
        if missing:
            last = max((i for i, line in enumerate(out) if line.kind is LineKind.OPTION),
                       default=len(out) - 1)
            out[last + 1:last + 1] = missing
        return out


def _match_servers(lines: list[CfgLine], server_rows: list[int],
                   servers: list[RenderServer]) -> dict[int, int]:
    """Map each settings index to the server line it keeps.

    Same host and port first, then the same host, so a port edit stays in place.
    """
    by_key: dict[tuple[str, int], deque[int]] = {}
    for i in server_rows:
        host, port, _ = lines[i].server or ("", 0, False)
        by_key.setdefault((host.lower(), port), deque()).append(i)
    match: dict[int, int] = {}
    for j, server in enumerate(servers):
        rows = by_key.get(server.key)
        if rows:
            match[j] = rows.popleft()
    used = set(match.values())
    by_host: dict[str, deque[int]] = {}
    for i in server_rows:
        if i not in used:
            host = (lines[i].server or ("", 0, False))[0]
            by_host.setdefault(host.lower(), deque()).append(i)
    for j, server in enumerate(servers):
        if j not in match:
            rows = by_host.get(server.host.lower())
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


def _kept_server(source: CfgLine, server: RenderServer, ending: str) -> CfgLine:
    entry = (server.host, server.port, server.enabled)
    if source.server == entry:
        return source if source.ending == ending else replace(source, ending=ending)
    return CfgLine(_format_server(server), ending, LineKind.SERVER, server=entry)


# --- the file on disk -------------------------------------------------------------------------

@dataclass(frozen=True)
class SaveResult:
    """What :meth:`CfgFile.save` did.

    Attributes:
        path: the cfg file.
        backup: the copy of the previous content, or None (nothing written, no previous file,
            or no backup asked for).
        changed: False when the file already held the settings and nothing was written.
        bytes_written: size of the new content (0 when nothing was written).
    """

    path: Path
    backup: Path | None
    changed: bool
    bytes_written: int


class CfgFile:
    """A cfg file on disk: its document, a working copy of its settings, and the bytes read.

    Attributes:
        path: the file.
        engine: CPU (``vray_dr.cfg``) or GPU (``vrayrt_dr.cfg``).
        document: the parsed text as last read or saved.
        settings: the working copy; edit it (``cfg.settings.add_server("10.0.0.5")``), then
            :meth:`save`.
    """

    def __init__(self, path: Path, engine: Engine, snapshot: FileSnapshot,
                 base: DRSettings | None = None) -> None:
        self.path = path
        self.engine = engine
        self._base = base
        self._snapshot = snapshot
        self.document = CfgDocument.parse(snapshot.data or b"", engine, source=str(path))
        self.settings = self.document.to_settings(base)
        # What the file itself holds: values that only ``base`` supplies (a sidecar's
        # dispatcher, a submission's options) must still count as changes to write.
        self._saved = _held(self.document.to_settings(), engine)

    @classmethod
    def load(cls, path: str | Path, engine: Engine | None = None, *,
             base: DRSettings | None = None) -> CfgFile:
        """Read a cfg file; a missing file is an empty document, created on save.

        Args:
            path: the file.
            engine: CPU or GPU; told from the file name when None.
            base: settings the file does not hold (mode, dispatcher, ...); defaults when None.

        Returns:
            The loaded file.

        Raises:
            InputError: the path is a folder, unreadable, not text, or its name does not say
                the engine and none was given.
        """
        target = Path(path)
        engine = engine_from_name(target) if engine is None else engine
        return cls(target, engine, read_bytes_snapshot(target), base)

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
        fresh = CfgFile.load(self.path, self.engine, base=self._base)
        self._snapshot, self.document = fresh._snapshot, fresh.document
        self.settings, self._saved = fresh.settings, fresh._saved

    def save(self, *, backup: bool = True) -> SaveResult:
        """Write :attr:`settings` into the file, atomically, if they changed what it holds.

        Args:
            backup: keep the previous content as ``<name>.vrdr.bak`` next to the file.

        Returns:
            What was written.

        Raises:
            CfgConflictError: the file changed on disk since it was read; nothing was written.
            InputError: the file or its folder is not writable.
        """
        held = _held(self.settings, self.engine)
        document = self.document.copy()
        # Settings equal to what was read leave the file alone, even where applying them would
        # append options the file lacks; a missing file is always created.
        if held != self._saved or not self._snapshot.exists:
            document.apply(self.settings)
        if not document.changed:
            return SaveResult(path=self.path, backup=None, changed=False, bytes_written=0)
        data = document.render()
        result = atomic_write(self.path, data, expected=self._snapshot,
                              backup_suffix=DEFAULT_BACKUP_SUFFIX if backup else None)
        document._mark_saved(data)
        self._snapshot, self.document, self._saved = result.snapshot, document, held
        return SaveResult(path=self.path, backup=result.backup, changed=True,
                          bytes_written=result.bytes_written)


def load_cfg(path: str | Path, engine: Engine | None = None) -> CfgFile:
    """Read a cfg file (see :meth:`CfgFile.load`)."""
    return CfgFile.load(path, engine)
