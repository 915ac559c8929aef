"""Fixes applied through the real adapter: each one silences its check and can be undone."""

from __future__ import annotations

from pathlib import Path

import pytest
from host_scenes import host_for

from vrdr_max.checks import CheckContext, run
from vrdr_max.errors import InputError
from vrdr_max.fixes import ALTERNATIVES, DOME_LIGHT_NAME, FIXES, apply_fixes
from vrdr_max.models import DRSettings


def test_safe_fixes_clear_their_findings_on_the_demo(tmp_path: Path) -> None:
    settings = DRSettings(save_servers_in_scene=True,
                          servers=[{"host": "r1", "port": 20204}, {"host": "R1", "port": 20204}])
    with host_for("demo", tmp_path / "plugcfg") as (host, mock):
        before = run(CheckContext(facts=host.read_scene(), settings=settings))
        # Every fix but those offered only as another choice (the dome light after the lights).
        second = {f for others in ALTERNATIVES.values() for f in others}
        assert set(before.fixes) == set(FIXES) - second
        done = apply_fixes([*before.fixes, *second], host, settings)
        after = run(CheckContext(facts=host.read_scene(), settings=settings))
        created = mock.created
        undo = mock.undo_records
    assert len(done) == len(FIXES)
    fixed_ids = {"dr-off", "default-lights", "unreachable-paths", "duplicate-servers",
                 "servers-saved-in-scene"}
    assert fixed_ids & {f.check_id for f in before.findings} == fixed_ids
    assert fixed_ids & {f.check_id for f in after.findings} == set()
    assert [(c.class_name, c.name, c.kwargs.get("type")) for c in created] == [
        ("VRayLight", DOME_LIGHT_NAME, 1)]
    assert undo == ["vrdr: enable DR", "vrdr: turn on 3 light(s)", f"vrdr: add {DOME_LIGHT_NAME}"]
    assert settings.assets.transfer_missing
    assert not settings.save_servers_in_scene
    assert [s.endpoint for s in settings.servers] == ["r1:20204"]


def test_an_unknown_fix_id_raises_before_any_fix_runs(tmp_path: Path) -> None:
    settings = DRSettings()
    with host_for("demo", tmp_path / "plugcfg") as (host, mock):
        with pytest.raises(InputError, match='unknown fix "no-such-fix"'):
            apply_fixes(["enable-dr", "no-such-fix"], host, settings)
        undo = mock.undo_records
    assert undo == []  # fail-closed: the known fix before it did not run either
    assert settings.enabled is DRSettings().enabled
