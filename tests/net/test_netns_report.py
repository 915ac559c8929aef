"""When the network-namespace tests cannot run, the run says so in its summary, not in a skip."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# pytest in a child process that believes it is not root, so the namespace lab is unavailable.
_AS_A_USER = """
import os, sys
os.geteuid = lambda: 1000
import pytest
sys.exit(pytest.main(sys.argv[1:]))
"""


def test_netns_tests_that_cannot_run_are_named_in_the_summary() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _AS_A_USER, "tests/net/test_discovery.py", "-m", "netns",
         "-p", "no:cacheprovider", "-q"],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()
    loud = [line for line in last if "network-namespace tests (marker netns) did NOT run" in line]
    assert loud, done.stdout
    assert "1 network-namespace tests" in loud[0] and "needs root" in loud[0]
