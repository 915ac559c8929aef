"""``vrdr panel``: a screenshot target that is not a regular file, and a Qt binding that is not one.

Both are the user's input: one line and exit 2, never a hang or exit 70 (issue 18, 13 and 14).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

WAIT_S = 120  # a demo screenshot takes seconds; only a hang comes near this


def vrdr(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("vrdr")  # the installed console script
    run_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **env}
    try:
        return subprocess.run([str(script), *args], capture_output=True, text=True,
                              timeout=WAIT_S, check=False, env=run_env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"vrdr {' '.join(args)} did not end within {WAIT_S} s (blocked?)")


@pytest.mark.parametrize("kind", ["fifo", "folder", "link to a fifo"])
def test_a_screenshot_onto_something_other_than_a_file_is_refused_at_once(
        tmp_path: Path, kind: str) -> None:
    # Before, Qt opened a FIFO for writing and waited for a reader forever.
    target = tmp_path / "panel.png"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        os.mkfifo(tmp_path / "pipe")
        target.symlink_to(tmp_path / "pipe")
    done = vrdr("panel", "--demo", "--screenshot", str(target))
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "not a regular file" in done.stderr, done.stderr
    assert "wrote" not in done.stdout


def test_a_qt_api_that_names_no_binding_is_bad_input(tmp_path: Path) -> None:
    # Before: qtpy's PythonQtValueError reached the CLI as "internal error" (exit 70).
    done = vrdr("panel", "--demo", "--screenshot", str(tmp_path / "x.png"), QT_API="bogus")
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert 'QT_API="bogus"' in done.stderr and "pyside6" in done.stderr
    assert not (tmp_path / "x.png").exists()
