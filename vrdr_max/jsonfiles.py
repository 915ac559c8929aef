"""Small JSON files of vrdr's own (studio config, manifest, sidecar): read into pydantic models.

Every JSON file vrdr reads goes through :func:`parse_json_model`, so a number too long for
Python to read (``digits.MAX_DIGITS``) is bad input on every Python version, never a bug.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from vrdr_max.atomic import read_bytes_snapshot
from vrdr_max.digits import json_int
from vrdr_max.errors import InputError, validation_message

M = TypeVar("M", bound=BaseModel)


def parse_json_model(model: type[M], text: str, source: str) -> M:
    """Parse JSON ``text`` into ``model``.

    Raises:
        InputError: ``<source> is not valid JSON: ...`` or ``<source>: <field>: <problem>``.
    """
    try:
        data = json.loads(text, parse_int=json_int)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source} is not valid JSON: {exc}") from None
    except RecursionError:
        raise InputError(f"{source} is not valid JSON: nested too deeply") from None
    except InputError as exc:  # a number too long to read (digits.json_int)
        raise InputError(f"{source}: {exc}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{source}: {validation_message(exc)}") from None


def load_json_model(model: type[M], path: Path, what: str = "") -> M:
    """Read a UTF-8 JSON file (a BOM is fine) into ``model``.

    Args:
        model: the pydantic model.
        path: the file.
        what: how messages name the file, e.g. "manifest" ("manifest <path>: ...").

    Raises:
        InputError: missing, not a regular file, too big, unreadable, not UTF-8, not JSON, or a
            bad field (named).
    """
    source = f"{what} {path}" if what else str(path)
    data = read_bytes_snapshot(path).data  # refuses FIFOs, devices, folders and huge files
    if data is None:
        raise InputError(f"cannot read {source}: no such file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source} is not UTF-8 text: {exc.reason}") from None
    return parse_json_model(model, text, source)
