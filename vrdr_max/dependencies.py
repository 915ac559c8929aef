"""The runtime dependencies actually loaded, against the versions vrdr-max needs.

Inside 3ds Max other pipeline tools (AYON, ShotGrid, studio tools) often bring their own
pydantic. The start-up script appends vrdr-max's vendored copies after everything already on
``sys.path``, so a copy another tool put there first, or imported first, is the one Python
uses. Before the panel imports anything that needs them, :func:`check_dependencies` says
whether those copies fit; the panel then tells the artist why it cannot open instead of
failing with a traceback. Importing this module imports none of them.
"""

from __future__ import annotations

import importlib
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

REQUIREMENTS: dict[str, str] = {
    "pydantic": ">=2.11,<2.14",
    "qtpy": ">=2.4",
    "filelock": ">=4.1.0",
    "packaging": ">=22",
}
"""Import name -> the version range of ``pyproject.toml``'s ``dependencies`` (kept equal by
``tests/startup/test_dependency_check.py``)."""

_OPS: dict[str, Callable[[tuple[int, ...], tuple[int, ...]], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
    "==": operator.eq, "!=": operator.ne,
}
_SPEC = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*([0-9]+(?:\.[0-9]+)*)\s*$")
_RELEASE = re.compile(r"^\s*v?([0-9]+(?:\.[0-9]+)*)")


@dataclass(frozen=True)
class DependencyProblem:
    """One dependency that is missing, unreadable or of a version vrdr-max cannot use."""

    name: str
    needed: str
    found: str | None
    where: str | None
    error: str | None = None

    @property
    def text(self) -> str:
        """One phrase naming the module, what was found, where, and what is needed."""
        if self.error is not None:
            return f"{self.name} cannot be imported ({self.error}); vrdr-max needs {self.needed}"
        origin = f" from {self.where}" if self.where else ""
        if self.found is None:
            return f"{self.name}{origin} has no version; vrdr-max needs {self.needed}"
        return (f"{self.name} {self.found} is loaded{origin}, but vrdr-max needs "
                f"{self.needed}")


def release(version: str) -> tuple[int, ...] | None:
    """The numeric release part of a version (``2.13.5`` -> ``(2, 13, 5)``), or None."""
    match = _RELEASE.match(version)
    return tuple(int(p) for p in match.group(1).split(".")) if match else None


def fits(version: str, needed: str) -> bool:
    """Whether ``version`` satisfies every clause of ``needed`` (e.g. ``>=2.11,<2.14``).

    Release numbers only, compared with zeros padded (``2.14`` == ``2.14.0``); a pre-release
    counts as its release. Raises ValueError for a clause it cannot read.
    """
    have = release(version)
    if have is None:
        return False
    for clause in needed.split(","):
        match = _SPEC.match(clause)
        if match is None:
            raise ValueError(f"cannot read the version clause {clause!r}")
        want = tuple(int(p) for p in match.group(2).split("."))
        width = max(len(have), len(want))
        pad_have = have + (0,) * (width - len(have))
        pad_want = want + (0,) * (width - len(want))
        if not _OPS[match.group(1)](pad_have, pad_want):
            return False
    return True


def _version_of(module: object) -> str | None:
    for attr in ("__version__", "VERSION"):
        value = getattr(module, attr, None)
        if value is not None:
            return str(value)
    return None


def check_dependencies(names: Iterable[str] | None = None) -> list[DependencyProblem]:
    """Import each dependency (the copy Python picks) and compare its version with ours.

    Args:
        names: import names to check; every one of :data:`REQUIREMENTS` when None.

    Returns:
        The problems, empty when everything fits. Nothing is raised: an import that fails in
        any way is a problem naming the error.
    """
    problems = []
    for name in REQUIREMENTS if names is None else names:
        needed = REQUIREMENTS[name]
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - pydantic raises SystemError on a core mismatch
            problems.append(DependencyProblem(name, needed, None, None,
                                              f"{type(exc).__name__}: {exc}"))
            continue
        found = _version_of(module)
        if found is None or not fits(found, needed):
            where = getattr(module, "__file__", None)
            problems.append(DependencyProblem(name, needed, found, where))
    return problems


_ADVICE = "Another tool in this 3ds Max probably loaded its own copy first; ask your TD."


def problems_line(problems: Iterable[DependencyProblem]) -> str:
    """The one Listener line for ``problems``."""
    return ("vrdr-max: the V-Ray DR panel cannot open: "
            + "; ".join(p.text for p in problems) + ". " + _ADVICE)


def problems_message(problems: Iterable[DependencyProblem]) -> str:
    """The same for the artist, one problem per paragraph (the dock that replaces the panel)."""
    return "\n\n".join(["The V-Ray DR panel cannot open.",
                         *(f"{p.text}." for p in problems), _ADVICE])
