"""The MaxHost contract inside a real 3ds Max: run_in_max.py runs it (docs/field-check.md)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "host"))

from contract import CONTRACT, STAGED_CONTRACT, Stage

from vrdr_max.host import MaxHost

CANCEL_BY_HAND = "VRDR_CONTRACT_CANCEL"
HIDDEN_LAYER = "vrdr_contract_hidden"


def _in_real_max() -> bool:
    try:
        import pymxs
    except ImportError:
        return False
    return not type(pymxs.runtime).__module__.startswith("mock_pymxs")


pytestmark = pytest.mark.skipif(
    not _in_real_max(),
    reason="needs a real 3ds Max with V-Ray (run tests/max/run_in_max.py through 3dsmaxbatch)")


class PymxsStage:
    """Stages the contract's cases in the open scene through pymxs (MAXScript reference names)."""

    def bitmap_only_in_editor_slot(self, path: str) -> None:
        from pymxs import runtime as rt

        # setMeditMaterial takes materials or texture maps, slots 1-24 [Autodesk, "Material
        # Editor" functions]; slot 24 is the last, least likely to hold the artist's work.
        rt.setMeditMaterial(24, rt.Bitmaptexture(filename=path, name="vrdr_contract_editor_only"))

    def light_on_hidden_layer(self, name: str) -> None:
        from pymxs import runtime as rt

        from vrdr_max.max_names import LAYER_HIDDEN

        layer = (rt.LayerManager.getLayerFromName(HIDDEN_LAYER)
                 or rt.LayerManager.newLayerFromName(HIDDEN_LAYER))
        light = rt.VRayLight(name=name)
        layer.addNode(light)
        setattr(layer, LAYER_HIDDEN, True)  # the spelling the adapter reads [unverified]

    def cancel_next_render(self) -> None:
        if not os.environ.get(CANCEL_BY_HAND):
            pytest.skip(f"a person must press Cancel: set {CANCEL_BY_HAND}=1 and press Cancel "
                        "in the rendering dialog as soon as it opens")
        print("vrdr contract: press Cancel in the rendering dialog now")


@pytest.mark.parametrize("clause", CONTRACT, ids=lambda f: f.__name__)
def test_contract_in_max(clause: Callable[[MaxHost], None]) -> None:
    from vrdr_max.max_host import PymxsHost

    clause(PymxsHost())


@pytest.mark.parametrize("clause", STAGED_CONTRACT, ids=lambda f: f.__name__)
def test_staged_contract_in_max(clause: Callable[[MaxHost, Stage], None]) -> None:
    from vrdr_max.max_host import PymxsHost

    clause(PymxsHost(), PymxsStage())
