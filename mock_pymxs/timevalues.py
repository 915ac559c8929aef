"""Time values and Render Setup's Time Output, as far as the mock models them.

MAXScript ``rendStart``/``rendEnd`` are Time values and ``animationRange`` an Interval; pymxs
code reads them with ``int(...)`` as frame numbers (used in production code: AYON's 3ds Max
``collect_frame_range``). Which frames a render asks for follows Autodesk's "Render Setup
Dialog" page: ``rendTimeType`` 1 single frame, 2 the active time segment, 3 ``rendStart`` to
``rendEnd``, both every ``rendNThFrame``, 4 the ``rendPickupFrames`` string ("1,3,5-12").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_pymxs.errors import MAXScriptException
from mock_pymxs.values import MXSWrapperBase, _Counted

if TYPE_CHECKING:
    from mock_pymxs.session import Session
    from mock_pymxs.state import SceneState


class Time(MXSWrapperBase):
    """A MAXScript time value in whole frames; prints as ``12f``."""

    __slots__ = ("_frame",)
    _frame: int

    def __init__(self, frame: int) -> None:
        object.__setattr__(self, "_frame", int(frame))

    def __int__(self) -> int:
        return self._frame

    def __float__(self) -> float:
        return float(self._frame)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Time) and other._frame == self._frame

    def __hash__(self) -> int:
        return hash(self._frame)

    def __str__(self) -> str:
        return f"{self._frame}f"

    __repr__ = __str__


class Interval(_Counted):
    """A MAXScript interval (``animationRange``): ``.start`` and ``.end`` are Time values."""

    __slots__ = ("_end", "_start")

    def __init__(self, session: Session, start: int, end: int) -> None:
        self._s = session
        self._start, self._end = start, end

    def _owner(self) -> str:
        return "Interval"

    def _prop_names(self) -> list[str]:
        return ["start", "end"]

    def _has(self, name: str) -> bool:
        return name.lower() in ("start", "end")

    def _get(self, name: str) -> Any:
        if name.lower() == "start":
            return Time(self._start)
        if name.lower() == "end":
            return Time(self._end)
        raise self._unknown(name)

    def _set(self, name: str, _value: object) -> None:
        # MAXScript help: the ends "cannot be set separately"; assign a whole interval.
        raise MAXScriptException(f"-- Runtime error: Cannot set {name} of an interval")

    def __str__(self) -> str:
        return f"(interval {self._start}f {self._end}f)"


def frame_number(value: object, what: str) -> int:
    """A frame from an assigned Time or integer, as MAXScript converts it."""
    if isinstance(value, Time):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise MAXScriptException(f"-- Unable to convert: {value!r} to type: Time ({what})")


def pickup_frame_count(text: str) -> int | None:
    """Frames in a pickup string ("1,3,5-12"), counted, not listed.

    None when Max would not accept the string; a range written backwards ("12-5") holds none.
    """
    count = 0
    for part in text.replace(" ", "").split(","):
        first, sep, last = part.partition("-")
        if not _frame_text(first) or (sep and not _frame_text(last)):
            return None
        count += max(0, int(last or first) - int(first) + 1)
    return count


def _frame_text(text: str) -> bool:
    # ASCII digits only ("²" is a digit to str.isdigit, not to int()), and few enough of them
    # for a frame number; what Max does with a longer one is [unverified].
    return text.isascii() and text.isdigit() and len(text) <= MAX_FRAME_DIGITS


MAX_FRAME_DIGITS = 18
"""Longest frame number a pickup string may hold in the mock (any int64)."""


def frame_count(st: SceneState) -> int:
    """How many frames one ``max quick render`` renders for the Time Output settings.

    Counted, never listed: a scene may ask for 50,000,000 frames, and their list alone took
    2.4 GB (issue 18, item 13).
    """
    if st.rend_time_type == 1:
        return 1
    if st.rend_time_type == 4:
        # What Max does with a string it cannot read is [unverified]; the mock renders one frame.
        return pickup_frame_count(st.rend_pickup_frames) or 1
    first, last = st.animation_range if st.rend_time_type == 2 else (st.rend_start, st.rend_end)
    return len(range(first, last + 1, st.rend_nth_frame))
