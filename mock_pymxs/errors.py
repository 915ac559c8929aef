"""Exceptions the mock raises, shaped like the ones real pymxs raises.

Real pymxs surfaces MAXScript runtime errors as Python ``RuntimeError`` (the ADN samples and
ayon-3dsmax catch ``RuntimeError``), undefined globals and unknown properties as
``AttributeError`` (Autodesk's own code probes with ``hasattr``). The 3ds Max 2021 ``pymxs``
module has no exception class of its own, so the adapter should catch the built-ins.
"""

from __future__ import annotations


class MAXScriptException(RuntimeError):  # noqa: N818 - named after MAXScript's own class
    """A MAXScript runtime error (real pymxs raises a plain ``RuntimeError``)."""


class UnknownPropertyError(AttributeError):
    """Reading or writing a property the MAXScript value does not have."""


class UndefinedGlobalError(AttributeError):
    """Looking up a global that is not defined in this (mock) 3ds Max."""


class MockGapError(Exception):
    """Something real 3ds Max has that mock_pymxs does not model: extend the mock, do not guess.

    Derived from Exception only: adapter code that catches RuntimeError or AttributeError (as it
    should for MAXScript errors) must not swallow a gap of the mock.
    """


class SceneFileError(ValueError):
    """A mock scene file that cannot be read or does not match the schema (one-line message)."""


MAX_SHOWN = 100
"""Longest value a SceneFileError message quotes whole (a long node or material name is still
shown in full); a longer one is cut short to its start and length."""


def shown(value: object, *, quoted: bool = True) -> str:
    """A scene file's value as a message quotes it (``repr``, or the text as is).

    A file may hold a 100,000-character name or a 4,000-digit number; the message names the
    field and shows the value's start and length, so it stays one readable line.
    """
    text = repr(value) if quoted or not isinstance(value, str) else value
    if len(text) <= MAX_SHOWN:
        return text
    size = len(value) if isinstance(value, str) else len(str(value))
    return f"{text[:MAX_SHOWN - 20]}... ({size} characters)"


def string_arg(value: object, fn: str | None = None) -> str:
    """``value`` when it is a string; else MAXScript's conversion error (naming ``fn``)."""
    if not isinstance(value, str):
        raise MAXScriptException(f"-- Unable to convert: {value!r} to type: String{_in(fn)}")
    return value


def integer_arg(value: object, fn: str | None = None) -> int:
    """``value`` when it is an integer (not a bool); else MAXScript's conversion error."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise MAXScriptException(f"-- Unable to convert: {value!r} to type: Integer{_in(fn)}")
    return value


def _in(fn: str | None) -> str:
    return f" ({fn})" if fn else ""
