r"""The ``--json`` document every command prints: versioned, strict, safe for a terminal.

Only the commands that print JSON load this module (``vrdr cfg show`` without ``--json`` does
not). Text from shared files reaches the document verbatim, so what a terminal must not get
(control characters, lone surrogates, bidirectional overrides) and what the stream's encoding
cannot take is written as JSON escapes (``\u001b``): the document means the same and stays valid
JSON (issue 18.14/16; ``cli.terminal`` does the same for plain text).
"""

from __future__ import annotations

import re
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from typing import Any, TextIO

JSON_VERSION = 1
"""Version of every ``--json`` document; bump it when a field changes meaning or goes away."""


def emit_json(document: dict[str, Any], stream: TextIO | None = None) -> None:
    """Print ``document`` with the ``"version"`` field first, as strict JSON.

    A non-finite number (a cfg value too large for a float, say) is written as text ("inf"),
    never as the ``Infinity``/``NaN`` that strict parsers reject.
    """
    import json  # noqa: PLC0415 - loaded when a document is printed, not with its command

    out = stream or sys.stdout
    text = json.dumps(_finite({"version": JSON_VERSION, **document}), indent=2,
                      ensure_ascii=False, allow_nan=False)
    # Control characters and what the stream's encoding lacks as JSON escapes (issue 18.14/16).
    out.write(json_for_terminal(text, getattr(out, "encoding", None)) + "\n")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and value - value != 0:  # inf or nan (no math module: 0.3 ms)
        return str(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


_NOT_PLAIN = re.compile(r"[^\x20-\x7e\n]")
"""Anything but printable ASCII and line breaks (the characters worth a second look)."""


def json_for_terminal(text: str, encoding: str | None) -> str:
    r"""A JSON document's text with what a terminal must not get written as JSON escapes.

    Non-printable characters (control characters, lone surrogates, bidirectional overrides)
    and characters ``encoding`` cannot take become ``\uXXXX`` escapes. They can only stand inside
    JSON strings, so the document means the same and stays valid.
    """
    if text.isascii() and "\x7f" not in text:
        return text  # json.dumps escapes every other ASCII control character

    def escaped(match: re.Match[str]) -> str:
        ch = match.group()
        if ch.isprintable() and _encodable(ch, encoding):
            return ch
        code = ord(ch)
        if code > 0xFFFF:  # a UTF-16 surrogate pair, as JSON spells characters past the BMP
            code -= 0x10000
            return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
        return f"\\u{code:04x}"

    return _NOT_PLAIN.sub(escaped, text)


def _encodable(ch: str, encoding: str | None) -> bool:
    try:
        ch.encode(encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True
