"""`import vrdr_max` and `vrdr --help` load neither pydantic nor asyncio nor Qt (issue 11.1).

Each case runs in a fresh interpreter: the test process itself has loaded everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import vrdr_max
from vrdr_max import discovery, probe
from vrdr_max.cli import net_cmds

HEAVY = ("pydantic", "pydantic_core", "asyncio", "qtpy", "PySide6", "PySide2", "PyQt5", "PyQt6",
         "shiboken6", "shiboken2")

REPORT = (f"import json, sys; print(json.dumps(sorted(m for m in {HEAVY!r} "
          "if m in sys.modules)))")


def heavy_modules_after(code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", f"{code}\n{REPORT}"], capture_output=True,
                          text=True, check=True, timeout=120)
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return loaded


@pytest.mark.parametrize("code", [
    "import vrdr_max",
    "import vrdr_max.errors",
    "import vrdr_max.cli.main",
    "from vrdr_max.cli.main import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass",
    "from vrdr_max.cli.main import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n"
    "    pass",
])
def test_start_up_imports_nothing_heavy(code: str) -> None:
    assert heavy_modules_after(code) == []


def test_lazy_exports_resolve_every_name_of_all() -> None:
    for name in vrdr_max.__all__:
        assert getattr(vrdr_max, name) is not None, name
    assert vrdr_max.numa_servers.__name__ == "server_entries"
    assert set(vrdr_max.__all__) <= set(dir(vrdr_max))
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = vrdr_max.nothing_here  # type: ignore[attr-defined]


def test_probe_help_defaults_match_the_probe_module() -> None:
    assert net_cmds.HELP_DEFAULT_TIMEOUT == probe.DEFAULT_TIMEOUT
    assert net_cmds.HELP_DEFAULT_SECONDS == discovery.DEFAULT_SECONDS
    assert net_cmds.HELP_DEFAULT_BIND == discovery.DEFAULT_BIND


def test_demo_and_reporting_do_not_import_the_cli() -> None:
    code = ("import sys, vrdr_max.demo, vrdr_max.reporting\n"
            "print(sorted(m for m in sys.modules if m.startswith('vrdr_max.cli')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "[]"
