"""A cfg changed on disk under the panel: what changed, and the artist's edit put on the new file.

Qt-free. :func:`changes` is the diff the conflict dialog shows ("show what changed");
:func:`reapply` is its "apply my change to the new file": a three-way merge of the settings
the panel read (base), the artist's unsaved working copy (mine) and the file as it is now
(theirs). What the artist changed wins; everything else is the other writer's.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from vrdr_max.models import DRSettings, RenderServer

MAX_DIFF_LINES = 2_000
"""Lines of diff shown; a 10,000-server rewrite is summarised after that."""

_TOP_FIELDS = ("use_local_host", "restart_servers", "save_servers_in_scene", "max_servers",
               "mode", "dispatcher", "enabled", "check_missing_files")
_ASSET_FIELDS = ("transfer_missing", "use_cached", "cache_limit_type", "cache_limit")


def text_of(data: bytes | None) -> str:
    """A cfg file's bytes as text for the diff (UTF-16 with a BOM, else UTF-8; never raises)."""
    if data is None:
        return ""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")


def changes(read: bytes | None, now: bytes | None, name: str) -> list[str]:
    """A unified diff of the file as the panel read it against the file on disk now.

    Args:
        read: the bytes the panel read (None: the file did not exist).
        now: the bytes on disk now (None: the file is gone).
        name: the file's name, for the diff's header.

    Returns:
        The diff's lines (empty when the content is the same), at most :data:`MAX_DIFF_LINES`
        and a line saying how many more.
    """
    before = text_of(read).replace("\r\n", "\n").splitlines()
    after = text_of(now).replace("\r\n", "\n").splitlines()
    lines = list(difflib.unified_diff(
        before, after, fromfile=f"{name} (as the panel read it)" if read is not None
        else f"{name} (did not exist)", tofile=f"{name} (on disk now)" if now is not None
        else f"{name} (deleted)", lineterm=""))
    if len(lines) > MAX_DIFF_LINES:
        more = len(lines) - MAX_DIFF_LINES
        lines = [*lines[:MAX_DIFF_LINES], f"... and {more} more lines"]
    return lines


def _entries(settings: DRSettings) -> dict[tuple[str, int], RenderServer]:
    found: dict[tuple[str, int], RenderServer] = {}
    for server in settings.servers:
        found.setdefault(server.key, server)
    return found


def _fields(settings: DRSettings) -> Iterator[tuple[str, object]]:
    for name in _TOP_FIELDS:
        yield name, getattr(settings, name)
    for name in _ASSET_FIELDS:
        yield f"assets.{name}", getattr(settings.assets, name)


def reapply(base: DRSettings, mine: DRSettings, theirs: DRSettings
            ) -> tuple[DRSettings, list[str]]:
    """Put the artist's changes (``base`` to ``mine``) on top of ``theirs``.

    Servers are matched by host and port: the artist's removals, additions and on/off
    switches are applied to the other writer's list, in its order, additions at the end. Each
    option the artist changed takes the artist's value; the others keep the file's.

    Returns:
        The merged settings (a new object) and what was re-applied, one line each.
    """
    merged = theirs.model_copy(deep=True)
    done: list[str] = []
    before, after = _entries(base), _entries(mine)
    removed = {k for k in before if k not in after}
    switched = {k: s.enabled for k, s in after.items() if k in before
                and before[k].enabled != s.enabled}
    kept: list[RenderServer] = []
    for server in merged.servers:
        if server.key in removed:
            done.append(f"removed {server.endpoint}")
            continue
        on = switched.get(server.key, server.enabled)
        if on != server.enabled:
            done.append(f"switched {server.endpoint} {'on' if on else 'off'}")
        kept.append(server if on == server.enabled else server.model_copy(update={"enabled": on}))
    merged.servers = kept
    for key, server in after.items():
        if key not in before and merged.server_list.add(server.model_copy()):
            done.append(f"added {server.endpoint}")
    old, new = dict(_fields(base)), dict(_fields(mine))
    for name, value in new.items():
        if value != old[name]:
            owner, _, attr = name.rpartition(".")
            setattr(merged.assets if owner else merged, attr, value)
            done.append(f"{attr.replace('_', ' ')}: {_value(value)}")
    return merged, done


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    endpoint = getattr(value, "endpoint", None)
    if endpoint is not None:
        return str(endpoint)
    return str(getattr(value, "value", value))


__all__ = ["MAX_DIFF_LINES", "changes", "reapply", "text_of"]
