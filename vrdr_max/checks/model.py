"""Check results as data: severities, findings, results, and the context a check reads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from vrdr_max.facts import SceneFacts
from vrdr_max.models import DRSettings

if TYPE_CHECKING:
    from vrdr_max.manifest import FarmManifest
    from vrdr_max.probe import ProbeResult


SCENE = "scene"
"""Scope of checks that read the scene."""
SERVERS = "servers"
"""Scope of checks that need a server list (skipped when no cfg is given)."""

LICENCE_LABEL = "licence"
"""Probe label of a Chaos License Server probed with the servers (``farm_checks``); the
server checks leave these results to the ``licence-server`` check."""


class Severity(str, Enum):
    """How much a finding matters for a DR render."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Finding(BaseModel):
    """One problem a check found, naming its subjects (nodes, files, servers)."""

    model_config = ConfigDict(frozen=True)

    check_id: str
    severity: Severity
    message: str
    subjects: list[str] = Field(default_factory=list)
    fix: str | None = None


class CheckStatus(str, Enum):
    """Outcome of one check."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    CRASHED = "crashed"


class CheckResult(BaseModel):
    """What one check reported."""

    check_id: str
    title: str
    status: CheckStatus
    findings: list[Finding] = Field(default_factory=list)
    reason: str = ""
    duration_ms: float = 0.0


@dataclass(frozen=True)
class CheckContext:
    """Everything a check may read. Checks never touch 3ds Max or the network themselves.

    ``cfg_path`` is the file the settings come from and a submission would write (None when
    not known: only its name is judged). This machine's name is the scene's
    (``facts.workstation``: the 3ds Max that opened it).
    """

    facts: SceneFacts
    settings: DRSettings
    probe_results: Sequence[ProbeResult] | None = None
    manifest: FarmManifest | None = None
    shared_drives: frozenset[str] = field(default_factory=frozenset)
    cfg_path: Path | None = None


class Skip(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by a check that does not apply (e.g. not V-Ray); the runner records the reason."""


CheckFunc = Callable[[CheckContext], list[Finding]]


@dataclass(frozen=True)
class Check:
    """A check: a stable id (public interface), a title, and the function."""

    id: str
    title: str
    func: CheckFunc
    scope: str = SCENE
