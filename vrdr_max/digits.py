"""Whole numbers in text from people and files, read without tripping Python's digit limit.

CPython refuses to turn a string of more than 4,300 digits into an ``int`` (a ``ValueError``,
since 3.11 and 3.10.7; earlier 3.10 releases have no limit, and 3ds Max 2024's Python may be
one). A number that long in a cfg line, a command-line argument or a JSON file is bad input,
never a bug: every reader bounds the digits itself, the same on every Python.
"""

from __future__ import annotations

from vrdr_max.errors import InputError

MAX_DIGITS = 4300
"""The most digits read as one number: CPython's default ``sys.int_info.default_max_str_digits``."""


def fits(digits: str) -> bool:
    """True when ``digits`` (a sign allowed) is short enough to be read as one number."""
    return len(digits) - digits.startswith(("-", "+")) <= MAX_DIGITS


def json_int(text: str) -> int:
    """``json.loads(..., parse_int=json_int)``: refuses a number longer than :data:`MAX_DIGITS`.

    Raises:
        InputError: ``a number of N digits (at most 4300)``; the reader adds the file's name.
    """
    if not fits(text):
        raise InputError(f"a number of {len(text.lstrip('-'))} digits (at most {MAX_DIGITS})")
    return int(text)


def plain_int(text: str) -> int | None:
    """``text`` as a whole number when it is unsigned ASCII digits within the limit, else None.

    ``str.isdigit`` also takes ``'²'`` and other digits that ``int()`` refuses.
    """
    return int(text) if text.isascii() and text.isdigit() and fits(text) else None
