"""The ordered list of checks and the decorator that fills it."""

from __future__ import annotations

from collections.abc import Callable

from vrdr_max.checks.model import SCENE, Check, CheckFunc

CHECKS: list[Check] = []




def checks_in(scope: str) -> list[Check]:
    """The registered checks of one scope, in run order."""
    return [c for c in CHECKS if c.scope == scope]


def check(check_id: str, title: str, scope: str = SCENE) -> Callable[[CheckFunc], CheckFunc]:
    """Register ``func`` as the check ``check_id``; the order of registration is the run order.

    Args:
        check_id: the stable id (public interface: JSON output, docs, suppressions).
        title: what the check makes sure of, for people.
        scope: ``scene`` or ``servers`` (the latter need a server list to mean anything).
    """

    def register(func: CheckFunc) -> CheckFunc:
        if any(c.id == check_id for c in CHECKS):
            raise ValueError(f"check id {check_id!r} registered twice")
        CHECKS.append(Check(check_id, title, func, scope))
        return func

    return register
