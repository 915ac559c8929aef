"""Reading ``vray_dr.cfg`` / ``vrayrt_dr.cfg``: the format's lines, and a file's text as read.

The file belongs to the user and to V-Ray, so it is read tolerantly: every line keeps its own
terminator; server and option lines are understood, anything else is kept verbatim. This module
holds the format (file names, option keys and the values each accepts), the line reader, and
:class:`CfgText`, a file's text as lines with what they hold. ``vrdr_max.cfgfile`` builds the
editable :class:`~vrdr_max.cfgfile.CfgDocument` and the file on disk
(:class:`~vrdr_max.cfgfile.CfgFile`) on it and re-exports the public names here; a command that
only reads (``vrdr cfg show``, ``vrdr servers list``) loads this module alone, so without
bytecode it compiles no editing code (issue 18, item 5). Format and tolerance rules:
``docs/cfg-files.md``.
"""

from __future__ import annotations

import codecs
import re
from collections import namedtuple
from enum import Enum
from pathlib import Path

from vrdr_max.addresses import validate_host
from vrdr_max.digits import fits
from vrdr_max.errors import InputError, quote
from vrdr_max.ports import Engine, Mode, default_port
from vrdr_max.snapshots import MAX_CFG_BYTES, read_bytes_snapshot

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from typing import Any, NamedTuple, TypeAlias, TypeVar

    from vrdr_max.server_list import ServerEntry

    _Text = TypeVar("_Text", bound="CfgText")

# Reading and writing cfg lines loads neither pydantic nor dataclasses (nor typing): the models
# are imported when settings are first asked for (CfgFile.settings, CfgDocument.to_settings),
# and the records here are named tuples. `vrdr cfg show` and `vrdr servers add` start fast.

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
"""[unverified] No public file shows any dispatcher key in V-Ray's cfg files (vray-dr.md §15.1):
an invented line may show up as a phantom server or be dropped when V-Ray's dialog saves. So
the dispatcher lives in vrdr's sidecar and the scene, and this line (``host port also_renders``,
e.g. ``dr2_dispatcher 10.0.0.5 20208 1``) is read and written only when the studio setting
``dispatcher_in_vray_cfg`` asks for it, for a build where it has been seen to work. Otherwise
such a line is an unknown line, kept verbatim."""

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
with a known key but another value is kept verbatim as an unknown line; so is the dispatcher
line unless the studio switches it on (see ``DISPATCHER_KEY``)."""


class LineKind(str, Enum):
    """What one line of a cfg file is."""

    BLANK = "blank"
    OPTION = "option"
    SERVER = "server"
    UNKNOWN = "unknown"


if TYPE_CHECKING:
    class _LineFields(NamedTuple):
        text: str
        ending: str
        kind: LineKind
        key: str | None = None
        value: OptionValue | None = None
        server: ServerEntry | None = None
else:
    _LineFields = namedtuple("_LineFields", "text ending kind key value server",
                             defaults=(None, None, None))


class CfgLine(_LineFields):
    r"""One line: its text without terminator, the terminator, and what it means.

    Attributes:
        text: the line as in the file, without its terminator.
        ending: ``"\n"`` or ``"\r\n"``; for the last line also ``""`` (none) or ``"\r"``.
        kind: blank, option, server or unknown.
        key: the option key as spelled (options only).
        value: the typed option value (options only).
        server: host, first port, last port of a range or None, enabled (servers only).
    """


    __slots__ = ()


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
# Which settings field each option key feeds: vrdr_max.cfgfields (reading lines needs none).

def _flag(value: bool) -> int:
    return 1 if value else 0


GPU_FILE_KEYS = frozenset({"autostart_local_slave"})
"""The option keys V-Ray GPU writes into ``vrayrt_dr.cfg`` besides the servers (vray-dr.md §4,
from production scripts). [unverified] for V-Ray 5/6/7 (vray-dr.md §4, open question 5): the
field check reports the keys of the file V-Ray GPU wrote (``plugcfg.vrayrt_dr.cfg.keys``)."""


def _option_kinds(dispatcher_in_cfg: bool) -> dict[str, _ValueKind]:
    if dispatcher_in_cfg:
        return OPTION_KEYS
    return {key: kind for key, kind in OPTION_KEYS.items() if key != DISPATCHER_KEY}


# --- reading ----------------------------------------------------------------------------------

# Anything below space except tab, LF, VT, FF and CR marks a binary file.
_CONTROL = r"[\x00-\x08\x0e-\x1f\x7f]"  # compiled when a file has one (_check_text)
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0e, 0x20), 0x7f])
_DIGITS = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_INFINITY = float("inf")
_PORT_RANGE = re.compile(r"([0-9]+)-([0-9]+)")

# The fast path: one regex per line reads the common server line, ``host 0|1 [port]`` with no
# leading blanks, whose host is a name whose labels start with a letter or a canonical dotted
# quad. Both are exactly what validate_host returns unchanged (tests/unit/test_cfgfile_props.py
# holds it to that, against ``ipaddress``); anything else (ranges, IPv6, leading zeros, odd
# spacing) takes the full reader below. The raw piece may end in the CR of a CRLF.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_NAME_LABEL = r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
_FAST_SERVER = re.compile(
    rf"(?=[!-~]{{1,253}}[ \t])({_NAME_LABEL}(?:\.{_NAME_LABEL})*|{_OCTET}(?:\.{_OCTET}){{3}})"
    rf"[ \t]+([01])(?:[ \t]+({_PORT}))?[ \t]*\r?")


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
    # In UTF-8 a control character is its own byte: a quick C-level look first.
    if (encoding == "utf-16" or len(data.translate(None, _CONTROL_BYTES)) != len(data)
            or data.count(b"\r") != data.count(b"\r\n")):
        _check_text(text, source)
    return text


def _check_text(text: str, source: str) -> None:
    found = re.search(_CONTROL, text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise InputError(f"{source} is not a text file (control character "
                         f"0x{ord(found.group()):02x} on line {line})")
    if text.count("\r") != text.count("\r\n"):
        _check_lone_cr(text, source)


def _check_lone_cr(text: str, source: str) -> None:
    """Refuse a CR with more than blanks after it on its line (classic Mac OS line breaks).

    Such a CR breaks the line where LF does not, so the file cannot be read line by line. CR
    CR LF (CRLF written through a text-mode stream on Windows) and a CR ending the file are
    terminators. One pass over the lines: a regex looking ahead from every CR is quadratic in
    a run of CRs.
    """
    for number, line in enumerate(text.split("\n"), 1):
        if "\r" in line.rstrip(" \t\r"):
            raise InputError(f"{source} has a carriage return (CR) without a line feed inside "
                             f"a line, on line {number}: vrdr reads LF and CRLF line breaks "
                             "only; save the file with CRLF (Windows) line breaks")


def _piece(text: str, ending: str) -> str:
    """A line as stored: its text, plus the CR of a CR LF or of a final lone CR."""
    return text + "\r" if ending in ("\r\n", "\r") else text


def _canonical_host(token: str) -> str | None:
    try:
        return validate_host(token)
    except InputError:
        return None


def _parse_port(text: str) -> tuple[int, int | None] | None:
    """``20204`` or a range ``20204-20212`` (as Deadline writes), each port 1-65535."""
    if not fits(text):  # a number too long to read is no port: the line stays unknown
        return None
    ranged = _PORT_RANGE.fullmatch(text)
    if ranged:
        first, last = int(ranged.group(1)), int(ranged.group(2))
        return (first, last) if 1 <= first <= last <= 65535 else None
    if not _DIGITS.fullmatch(text):
        return None
    port = int(text)
    return (port, None) if 1 <= port <= 65535 else None


def _parse_server(tokens: list[str], default: int) -> ServerEntry | None:
    if len(tokens) == 3:
        flag = tokens[1]
        ports = _parse_port(tokens[2])
        if flag not in ("0", "1"):
            return None
    elif len(tokens) == 2:
        second = tokens[1]
        if second in ("0", "1"):  # V-Ray 1.x/2.x: "host 1", no port
            flag, ports = second, (default, None)
        else:  # an early writer's "host port"
            flag, ports = "1", _parse_port(second)
    else:
        return None
    if ports is None or tokens[0].isdigit():
        return None
    host = _canonical_host(tokens[0])
    return None if host is None else (host, ports[0], ports[1], flag == "1")


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
        return int(text) if _DIGITS.fullmatch(text) and fits(text) else None
    # Unsigned digits give a finite float or inf (compared directly: no math module, 0.3 ms to
    # load). 400 digits overflow to inf, which no dialog wrote: keep such a line as text, unread.
    number = float(text) if _NUMBER.fullmatch(text) else _INFINITY
    # Six decimals, as V-Ray's %f writes it and the settings keep it (AssetTransfer): a file
    # with more must read as what its settings give back, or saving it unchanged rewrites it.
    return None if number == _INFINITY else round(number, 6)


def _parse_dispatcher(values: list[str]) -> str | None:
    if len(values) != 3:
        return None
    host_text, port_text, also = values
    if also not in ("0", "1") or not _DIGITS.fullmatch(port_text) or not fits(port_text):
        return None
    port = int(port_text)
    host = _canonical_host(host_text)
    if host is None or not 1 <= port <= 65535:
        return None
    return f"{host} {port} {also}"


def _classify(text: str, ending: str, default: int, options: dict[str, _ValueKind]) -> CfgLine:
    # Non-ASCII never makes a valid host or value; V-Ray's reader is byte-based.
    if not text.isascii():
        return CfgLine(text, ending, LineKind.UNKNOWN)
    tokens = text.split()
    if not tokens:
        return CfgLine(text, ending, LineKind.BLANK)
    kind = options.get(tokens[0])
    if kind is not None:
        value = _parse_value(kind, tokens[1:])
        if value is None:
            return CfgLine(text, ending, LineKind.UNKNOWN)
        return CfgLine(text, ending, LineKind.OPTION, key=tokens[0], value=value)
    server = _parse_server(tokens, default)
    if server is None:
        return CfgLine(text, ending, LineKind.UNKNOWN)
    return CfgLine(text, ending, LineKind.SERVER, server=server)


def _format_server(server: ServerEntry) -> str:
    host, port, port_end, enabled = server
    return f"{host} {_flag(enabled)} {port}" + ("" if port_end is None else f"-{port_end}")


def _format_value(value: OptionValue) -> str:
    # V-Ray writes cache_limit with printf's %f.
    return f"{value:f}" if isinstance(value, float) else str(value)


# --- the document -----------------------------------------------------------------------------

_Meta: TypeAlias = "CfgLine | ServerEntry"
"""What one stored line is: a fully read line, or a server line's entry (the lines the fast
path read, and the lines rewritten from an entry). Entries are plain data, which the garbage
collector stops tracking: a 10,000-server file leaves no 10,000 objects (regex matches, lines)
for every full collection to visit."""

_TAIL = CfgLine("", "", LineKind.BLANK)
"""Stands for the empty piece after a file's last newline (not a line)."""


class CfgText:
    r"""One cfg file's text as lines, read without losing anything it does not understand.

    Build it with :meth:`parse` (or :meth:`read` from a path); read ``lines``, :meth:`entries`,
    ``options`` and ``unknown_lines``. :class:`~vrdr_max.cfgfile.CfgDocument` adds editing.

    The text is kept as the pieces between newlines (``"\n".join`` gives it back). Reading
    every line (one regex each; a full read for the few that need one) happens when something
    asks for lines, servers or unknown lines; loading, adding servers and saving read only the
    option lines and the lines around the insertion point. Servers become objects only when
    asked for.
    """

    def __init__(self, pieces: list[str], engine: Engine, original: bytes, original_text: str,
                 *, dispatcher_in_cfg: bool = False, token: object | None = None,
                 meta: list[_Meta] | None = None) -> None:
        self.engine = engine
        self.dispatcher_in_cfg = dispatcher_in_cfg
        self._pieces = pieces
        self._meta = meta  # per piece, once every line has been read
        self._original = original
        self._original_text = original_text
        self._default = default_port(engine, Mode.DR)
        self._options = _option_kinds(dispatcher_in_cfg)
        # Derived from the lines, computed when first needed, dropped on every edit.
        self._joined: str | None = None
        self._lower: str | None = None
        self._read: list[CfgLine] | None = None
        self._raw_servers: list[Any] | None = None
        self._entries: list[ServerEntry] | None = None  # never edited in place
        self._keys: set[tuple[str, int, int | None]] | bool | None = None  # False: a repeat
        self._values: dict[str, OptionValue] | None = None
        # Server lists handed out whose source is still this document: they get a snapshot
        # before it is edited.
        self._owed: list[list[list[Any]]] = []
        # Identifies this content for the ServerList it hands out (see ServerList.added_since).
        self.token = object() if token is None else token

    @classmethod
    def parse(cls: type[_Text], data: bytes | str, engine: Engine, *,
              source: str = "the cfg file", dispatcher_in_cfg: bool = False) -> _Text:
        """Read a cfg file's content.

        Args:
            data: the file's bytes (UTF-8 with or without BOM, or UTF-16 with BOM) or text.
            engine: CPU for ``vray_dr.cfg``, GPU for ``vrayrt_dr.cfg``.
            source: how to name the file in error messages.
            dispatcher_in_cfg: read (and later write) the DR2 dispatcher line
                (``DISPATCHER_KEY``); off, that line is an unknown line.

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
        document = cls(text.split("\n"), engine, original, text,
                       dispatcher_in_cfg=dispatcher_in_cfg)
        document._joined = text
        return document

    @classmethod
    def read(cls: type[_Text], path: str | Path, engine: Engine) -> _Text:
        """Read a cfg file's text, for a command that only reads it (to edit: ``CfgFile``).

        Args:
            path: the file; a missing file is an empty text.
            engine: CPU for ``vray_dr.cfg``, GPU for ``vrayrt_dr.cfg``.

        Returns:
            The text, read as ``CfgFile.load`` reads it (no dispatcher line).

        Raises:
            InputError: the path is a folder, unreadable, or not text.
        """
        snapshot = read_bytes_snapshot(Path(path), max_bytes=MAX_CFG_BYTES)
        return cls.parse(snapshot.data or b"", engine, source=str(path))

    @property
    def lines(self) -> tuple[CfgLine, ...]:
        """Every line, in file order."""
        self._all_meta()
        return tuple(self._line(i) for i in range(self._count()))

    def entries(self) -> list[ServerEntry]:
        """Every server line as ``(host, port, port_end, enabled)``: plain data, in file order."""
        return list(self._server_entries())

    def _server_entries(self) -> list[ServerEntry]:
        """:meth:`entries`, decoded once per content (the caller must not change the list)."""
        if self._entries is None:
            self._entries = list(map(self._entry, self._raw()))
        return self._entries

    @property
    def options(self) -> dict[str, OptionValue]:
        """Known option keys as spelled in the file and their typed values (last one wins)."""
        return {line.key: line.value for line in self._read_lines()
                if line.key is not None and line.value is not None}

    @property
    def unknown_lines(self) -> list[str]:
        """Lines kept verbatim because they are neither blank, a server nor a known option."""
        return [line.text for line in self._read_lines() if line.kind is LineKind.UNKNOWN]

    @property
    def line_ending(self) -> str:
        """The terminator most lines use; new lines get it (CRLF for a file without any)."""
        text = self._text()
        crlf = text.count("\r\n")
        lf = text.count("\n") - crlf
        if not crlf and not lf:
            return NEW_FILE_LINE_ENDING
        return "\r\n" if crlf >= lf else "\n"

    # --- storage ------------------------------------------------------------------------

    def _text(self) -> str:
        if self._joined is None:
            self._joined = "\n".join(self._pieces)
        return self._joined

    def _count(self) -> int:
        """Lines in the file: the piece after the last newline is one only when not empty."""
        return len(self._pieces) - (self._pieces[-1] == "")

    def _entry(self, item: Any) -> ServerEntry:
        if type(item) is tuple:  # a rewritten server line's entry
            return item
        if isinstance(item, CfgLine):
            assert item.server is not None
            return item.server
        port = item.group(3)  # a fast-path match, not stored
        return item.group(1), int(port) if port else self._default, None, item.group(2) == "1"

    def _all_meta(self) -> list[_Meta]:
        """Read every line: the fast-path regex on each, the full reader on the rest."""
        if self._meta is None:
            pieces = self._pieces
            default = self._default
            meta: list[Any] = [
                None if m is None else
                (m[1], int(m[3]) if m[3] else default, None, m[2] == "1")
                for m in map(_FAST_SERVER.fullmatch, pieces)]
            read = []
            for i in [i for i, m in enumerate(meta) if m is None]:
                meta[i] = line = self._read_piece(i)
                read.append(line)
            self._meta, self._read = meta, read
        return self._meta

    def _read_piece(self, i: int) -> CfgLine:
        """The full reader on one piece."""
        piece = self._pieces[i]
        if i < len(self._pieces) - 1:
            body, ending = (piece[:-1], "\r\n") if piece.endswith("\r") else (piece, "\n")
        else:
            body, ending = (piece[:-1], "\r") if piece.endswith("\r") else (piece, "")
        return _classify(body, ending, self._default, self._options)

    def _meta_at(self, i: int) -> _Meta | re.Match[str]:
        """What line ``i`` is, without reading every line (a server line: its match)."""
        if self._meta is not None:
            return self._meta[i]
        return _FAST_SERVER.fullmatch(self._pieces[i]) or self._read_piece(i)

    def _raw(self) -> list[Any]:
        """One item per server line, for ServerList (see :meth:`_entry`)."""
        if self._raw_servers is None:
            self._raw_servers = [m for m in self._all_meta()
                                 if not isinstance(m, CfgLine) or m.server is not None]
        return self._raw_servers

    def _line(self, i: int) -> CfgLine:
        item = self._meta_at(i)
        if isinstance(item, CfgLine):
            return item
        piece = self._pieces[i]
        last = i == len(self._pieces) - 1
        if piece.endswith("\r"):
            return CfgLine(piece[:-1], "\r" if last else "\r\n", LineKind.SERVER,
                           server=self._entry(item))
        return CfgLine(piece, "" if last else "\n", LineKind.SERVER, server=self._entry(item))

    def _read_lines(self) -> list[CfgLine]:
        """The fully read lines (options, blanks, unknown, unusual servers), in order."""
        if self._read is None:
            self._read = [m for m in self._all_meta() if isinstance(m, CfgLine)]
        return self._read
