"""Run checks: ``run_iter`` yields one result per check (for progress), ``run`` collects them."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from pydantic import BaseModel, Field

from vrdr_max.checks.model import (
    Check,
    CheckContext,
    CheckResult,
    CheckStatus,
    Finding,
    Severity,
    Skip,
)
from vrdr_max.checks.registry import CHECKS


def run_iter(ctx: CheckContext, checks: Iterable[Check] | None = None) -> Iterator[CheckResult]:
    """Run each check and yield its result as soon as it is known.

    A check that raises is reported as ``crashed`` with the error in ``reason``: a scene problem
    is a finding, and a bug in one check must not hide the others.
    """
    for chk in CHECKS if checks is None else checks:
        start = time.perf_counter()
        try:
            findings = chk.func(ctx)
        except Skip as skip:
            result = CheckResult(check_id=chk.id, title=chk.title, status=CheckStatus.SKIPPED,
                                 reason=str(skip))
        except Exception as exc:  # noqa: BLE001 - isolate a faulty check, report it as data
            result = CheckResult(check_id=chk.id, title=chk.title, status=CheckStatus.CRASHED,
                                 reason=f"{type(exc).__name__}: {exc}")
        else:
            failed = any(f.severity is not Severity.INFO for f in findings)
            result = CheckResult(check_id=chk.id, title=chk.title, findings=findings,
                                 status=CheckStatus.FAILED if failed else CheckStatus.PASSED)
        result.duration_ms = (time.perf_counter() - start) * 1000.0
        yield result


class CheckReport(BaseModel):
    """All results of one preflight run."""

    results: list[CheckResult] = Field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        """Every finding, in check order."""
        return [f for r in self.results for f in r.findings]

    def count(self, severity: Severity) -> int:
        """How many findings have ``severity``."""
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def has_errors(self) -> bool:
        """True when a finding is an error or a check crashed: the render should not start."""
        return self.count(Severity.ERROR) > 0 or any(
            r.status is CheckStatus.CRASHED for r in self.results)

    @property
    def fixes(self) -> list[str]:
        """The fix ids offered by the findings, each once, in order."""
        return list(dict.fromkeys(f.fix for f in self.findings if f.fix))


def run(ctx: CheckContext, checks: Iterable[Check] | None = None) -> CheckReport:
    """Run every check (or the ones given) and collect the results."""
    return CheckReport(results=list(run_iter(ctx, checks)))
