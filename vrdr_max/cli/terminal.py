r"""What ``vrdr`` writes to stdout: control characters escaped, in whatever encoding it has.

Text from shared files reaches the output verbatim: a pool name or description from the studio
file, a cfg's unknown lines, a scene's node names and paths. An escape sequence in it would drive
the reader's terminal (retitle it, clear it, hide or recolour the lines around it), and a
carriage return would let it overwrite what vrdr printed before it on the same line. Every
character that is not printable is written escaped instead (``\x1b``, ``\r``, ``\u202e``),
each line staying one line; what the terminal's encoding cannot take (``PYTHONIOENCODING=ascii``,
a non-UTF-8 console) is written as a backslash escape too, never a crash. JSON documents get the
same characters as JSON escapes (``\u001b``), so they stay valid JSON (``cli.json_output``).
"""

from __future__ import annotations

import io
import sys

from vrdr_max.errors import one_line

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:
    from types import TracebackType
    from typing import TextIO


def escape_controls(text: str) -> str:
    r"""``text`` with every character that is not printable escaped; its line breaks kept."""
    if text.isprintable() or text.replace("\n", "").isprintable():  # print's "\n" too
        return text
    return "\n".join(line if line.isprintable() else one_line(line)
                     for line in text.split("\n"))


class EscapingWriter(io.TextIOBase):
    """A text stream that passes what it is given to another, escaped (see the module)."""

    def __init__(self, inner: TextIO) -> None:
        super().__init__()
        self._inner = inner

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The encoding of the stream written to."""
        return str(getattr(self._inner, "encoding", None) or "utf-8")

    def write(self, text: str) -> int:
        """Write ``text`` escaped; what the encoding cannot take as backslash escapes."""
        safe = escape_controls(text)
        try:
            self._inner.write(safe)
        except UnicodeEncodeError:
            encoding = self.encoding
            self._inner.write(safe.encode(encoding, "backslashreplace").decode(encoding))
        return len(text)

    def flush(self) -> None:
        """Flush the stream written to."""
        self._inner.flush()

    def isatty(self) -> bool:
        """Whether the stream written to is a terminal."""
        return self._inner.isatty()

    def fileno(self) -> int:
        """The file descriptor of the stream written to."""
        return self._inner.fileno()

    def writable(self) -> bool:
        """Always True."""
        return True


def escaped_stdout() -> _EscapedStdout:
    """``sys.stdout`` escapes what it is given (see the module) until the ``with`` block ends."""
    return _EscapedStdout()


class _EscapedStdout:
    """What :func:`escaped_stdout` returns.

    A class rather than ``contextlib.contextmanager``: every ``vrdr`` command would pay the
    import of contextlib at start.
    """

    __slots__ = ("_active", "_original")

    def __init__(self) -> None:
        self._original: TextIO | None = None
        self._active = False

    def __enter__(self) -> None:
        original = sys.stdout
        if isinstance(original, EscapingWriter):
            return
        self._original, self._active = original, True
        # No stdout at all (`vrdr ... >&-`: Python starts with sys.stdout None): what a
        # command writes goes nowhere, as print() does then, and it ends as it would.
        sys.stdout = EscapingWriter(original if original is not None else io.StringIO())

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if not self._active:
            return
        original, self._original, self._active = self._original, None, False
        try:
            if kind is None:
                sys.stdout.flush()
        finally:
            sys.stdout = original
