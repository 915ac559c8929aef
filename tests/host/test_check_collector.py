"""`vrdr check` imports, loads and reads with the cyclic collector off (issue 18, item 7).

The command's imports (pydantic, the models built at import, the checks, the mock) make
about 45,000 objects that live as long as the process; with the collector on, it walked them
in about 64 passes before the scene was even read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import mock_pymxs

ROOT = Path(__file__).resolve().parents[2]
# A fresh process: the command's imports happen in it, as they do for `vrdr check`.
COUNT = """
import contextlib, gc, io, sys
from vrdr_max.cli.main import main
passes = []
gc.callbacks.append(lambda phase, info: passes.append(phase) if phase == "stop" else None)
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["check", "--scene", sys.argv[1]])
print(code, len(passes))
"""


def test_a_check_collects_a_few_times_not_once_per_700_imported_objects(tmp_path: Path
                                                                         ) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "VRDR_USER_CONFIG": str(tmp_path / "no-user-config.json")}
    env.pop("VRDR_STUDIO_CONFIG", None)
    env.pop("VRDR_PLUGCFG", None)
    done = subprocess.run([sys.executable, "-c", COUNT, str(mock_pymxs.SCENES_DIR / "demo.json")],
                          env=env, cwd=tmp_path, capture_output=True, text=True, check=False,
                          timeout=120)
    assert done.stderr == ""
    code, passes = map(int, done.stdout.split())
    assert code == 1  # the demo scene's planted errors: the command ran to its report
    # Before: 64 passes (one per 700 new objects, nearly all during the imports).
    assert passes < 10
