"""What the mock records for tests and benchmarks: runtime calls, writes, renders, creations."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


class CallCounter:
    """Counts crossings of the Python/MAXScript boundary: a total and one count per name.

    Names: ``rt.<global>`` for a runtime lookup (``set rt.<global>`` for a write),
    ``get <Owner>.<prop>`` / ``set <Owner>.<prop>`` for a property of a wrapped value, and
    ``call <function>`` for a call (``call mapPaths.getFullFilePath``, ``call classOf``).
    """

    def __init__(self) -> None:
        self.by_name: Counter[str] = Counter()

    @property
    def total(self) -> int:
        """Every crossing: the sum of the per-name counts.

        Summed when asked for, not kept up at each crossing (a large scene's read: 30,000).
        """
        return self.by_name.total()

    def hit(self, name: str) -> None:
        """Count one crossing."""
        self.by_name[name] += 1

    def __getitem__(self, name: str) -> int:
        return self.by_name[name]

    def reset(self) -> None:
        """Start counting from zero."""
        self.by_name.clear()

    def snapshot(self) -> dict[str, int]:
        """The per-name counts as a plain dict (for JSON output)."""
        return dict(self.by_name)


@dataclass(frozen=True)
class WriteRecord:
    """One property write on a wrapped value (or a runtime global)."""

    owner: str
    owner_class: str
    prop: str
    old: object
    new: object


@dataclass(frozen=True)
class RenderRecord:
    """One render started through ``execute("max quick render")``."""

    statement: str
    renderer_class: str
    props: dict[str, object]
    outcome: str
    time: float
    render_type: str
    width: int
    height: int
    cfg_files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CreateRecord:
    """One object created by calling a class (``rt.VRayLight(name="Key")``)."""

    class_name: str
    name: str | None
    kwargs: dict[str, object]
