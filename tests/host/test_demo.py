"""`vrdr demo`, the README's main job: the whole flow on the demo scene, exit 0."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vrdr_max.cli.main import main


@pytest.mark.parametrize("yes", [False, True])
def test_demo_runs_the_whole_flow(capsys: pytest.CaptureFixture[str], yes: bool) -> None:
    assert main(["demo", "--yes"] if yes else ["demo"]) == 0
    out = capsys.readouterr().out
    for state in ("online", "refused", "timeout"):
        assert f"  {state} " in out
    assert "FAIL default-lights" in out
    assert ("fixed: turned on the scene's lights" in out) is yes
    assert ("would fix:" in out) is not yes
    assert "status: rendered" in out
    assert "left out (did not answer): 127.0.0.1:" in out
    assert "list_in_scene 0" in out.split("as V-Ray read it at render time")[1]
    assert out.rstrip().endswith("(byte-identical to before)")


def test_the_console_script_runs_the_demo() -> None:
    # The README's command, through the installed entry point rather than main().
    script = Path(sys.executable).with_name("vrdr")
    done = subprocess.run([str(script), "demo"], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "status: rendered" in done.stdout
