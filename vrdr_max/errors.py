"""Exceptions for input the user must fix; scene problems are findings, not errors."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up cost)
if TYPE_CHECKING:  # only a type here: `import vrdr_max` must not load pydantic (issue 11.1)
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
    if first["type"] == "model_type":  # pydantic names the class ("instance of ConfigFile")
        msg = "a JSON object is needed here" + (
            ", not a list" if isinstance(first["input"], list) else "")
    return f"{where}: {msg}" if where else msg


def one_line(text: str) -> str:
    r"""``text`` with line breaks and other control characters escaped (``\n``, ``\x1b``).

    Messages quote user text (hosts, paths, file contents); escaping keeps each message one
    line and keeps a terminal's control sequences out of it.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


def quote(text: str) -> str:
    """User text for a message: in double quotes, on one line (see ``one_line``)."""
    return f'"{one_line(text)}"'


def os_error_message(exc: OSError) -> str:
    """One line for an error of the system: the file it names, then why (``strerror``)."""
    why = exc.strerror or str(exc)
    return f"{quote(str(exc.filename))}: {why}" if exc.filename is not None else one_line(why)
