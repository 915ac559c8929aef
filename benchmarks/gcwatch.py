"""Watching the garbage collector from a benchmark (``gc.callbacks``), never changing it."""

from __future__ import annotations

import gc
import threading
import time


class Promotions:
    """Objects moved into the collector's oldest generation while watched (``gc.callbacks``).

    A middle-generation pass moves its survivors into the oldest generation; once those
    exceed a quarter of the long-lived objects, the next such pass becomes a full collection,
    which stops every thread (in 3ds Max, the UI) for as long as the whole heap takes. The
    collector is only observed, never tuned. Counting walks the oldest generation at every
    middle pass, so this runs apart from the timed probes.
    """

    def __init__(self) -> None:
        self.promoted = 0
        self.full = 0
        self._before = 0

    def __enter__(self) -> Promotions:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] == 2:
            self.full += phase == "start"
        elif info["generation"] == 1:
            oldest = len(gc.get_objects(generation=2))
            if phase == "start":
                self._before = oldest
            else:
                self.promoted += oldest - self._before


class GcWatch:
    """Observes (never changes) the collector: full collections and their length, any thread."""

    def __init__(self) -> None:
        self.full_ms: list[float] = []
        self._started: dict[int, float] = {}

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started[threading.get_ident()] = time.perf_counter()
        elif (began := self._started.pop(threading.get_ident(), None)) is not None:
            self.full_ms.append((time.perf_counter() - began) * 1000.0)


def full_collection_ms() -> float:
    """Milliseconds of one full collection of the heap as it is (the collector not tuned)."""
    start = time.perf_counter()
    gc.collect()
    return (time.perf_counter() - start) * 1000.0
