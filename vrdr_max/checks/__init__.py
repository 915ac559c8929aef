"""The DR preflight: small checks with stable ids, run over ``SceneFacts`` and ``DRSettings``.

Importing this package registers every check, in the order they run.
"""

from vrdr_max.checks import scene_checks, server_checks  # noqa: F401 - registers the checks

# isort: split
# Registration order is run order: the farm checks come after the scene and server checks.
from vrdr_max.checks import farm_checks  # noqa: F401
from vrdr_max.checks.model import (
    SCENE,
    SERVERS,
    Check,
    CheckContext,
    CheckResult,
    CheckStatus,
    Finding,
    Severity,
)
from vrdr_max.checks.registry import CHECKS, checks_in
from vrdr_max.checks.runner import CheckReport, run, run_iter

__all__ = [
    "CHECKS",
    "SCENE",
    "SERVERS",
    "Check",
    "CheckContext",
    "CheckReport",
    "CheckResult",
    "CheckStatus",
    "Finding",
    "Severity",
    "checks_in",
    "run",
    "run_iter",
]
