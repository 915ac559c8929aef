"""The ordered list of checks and the decorator that fills it."""

from __future__ import annotations

from collections.abc import Callable

from vrdr_max.checks.model import Check, CheckFunc

CHECKS: list[Check] = []


def check(check_id: str, title: str) -> Callable[[CheckFunc], CheckFunc]:
    """Register ``func`` as the check ``check_id``; the order of registration is the run order."""

    def register(func: CheckFunc) -> CheckFunc:
        if any(c.id == check_id for c in CHECKS):
            raise ValueError(f"check id {check_id!r} registered twice")
        CHECKS.append(Check(check_id, title, func))
        return func

    return register
