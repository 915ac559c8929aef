"""Exceptions for input the user must fix; scene problems are findings, not errors."""

from __future__ import annotations

from pydantic import ValidationError


class VrdrError(Exception):
    """Base of the errors vrdr reports to the user as one line (CLI exit code 2)."""


class InputError(VrdrError, ValueError):
    """Bad input from a user or a file: a malformed host, port, cfg path or option."""


class CfgConflictError(VrdrError):
    """The cfg file changed on disk since it was read; reload it and apply the edit again."""


class HostError(VrdrError):
    """3ds Max refused an operation (a property the renderer lacks, a failed render)."""


def validation_message(exc: ValidationError) -> str:
    """One line out of a pydantic error: the first problem, with the field it is in."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    msg = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg
