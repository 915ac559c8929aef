"""The fake Deadline Web Service of the farm tests: ``vrdr_max.farm.stand_in``.

It lives in the package so ``vrdr panel --demo --farm`` can show the panel's Farm section
against it; the tests and benchmarks import it from here as before.
"""

from __future__ import annotations

from vrdr_max.farm.stand_in import (
    IDLE,
    JOB_ACTIVE,
    JOB_COMPLETED,
    OFFLINE,
    RENDERING,
    TASK_COMPLETED,
    TASK_QUEUED,
    TASK_RENDERING,
    FakeDeadline,
    FakeJob,
    FakeTask,
    FakeWorker,
    Recorded,
    fake_farm,
    frames,
    free_spawner_port,
)

__all__ = ["IDLE", "JOB_ACTIVE", "JOB_COMPLETED", "OFFLINE", "RENDERING", "TASK_COMPLETED",
           "TASK_QUEUED", "TASK_RENDERING", "FakeDeadline", "FakeJob", "FakeTask", "FakeWorker",
           "Recorded", "fake_farm", "frames", "free_spawner_port"]
