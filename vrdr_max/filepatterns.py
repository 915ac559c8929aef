"""Frame and tile patterns in file names: which loader expands which token, and matching.

A path such as ``Fire_####.aur`` or ``skin.<UDIM>.exr`` names many files; the file named
literally never exists. It is a pattern only for a loader that documents the token, so the
tokens come per loader (owner class) or, for files only Asset Tracking lists, per kind. Tokens
are looked for in the file name only (the loaders document them there).

Sources:

* V-Ray Bitmap (``VRayBitmap``, the older ``VRayHDRI``): ``<UDIM>`` (four digits, 1001 up),
  ``<UVTILE>``/``<uvtile>`` (``_u1_v1``, lower case from 0), ``$U``/``$V``/``$u``/``$v`` with an
  optional digit count (``$2U``), and ``<frameNum>`` for image sequences (Chaos, "V-Ray Bitmap"
  and "File Names for Bitmap Textures").
* Phoenix caches: ``#`` signs are the frame number with at least as many digits (Chaos,
  Phoenix "Input" rollout). ``VRayVolumeGrid`` takes ``#`` and ``<frame0n>`` (``<frame04>`` is
  four digits, zero-padded), and "the same logic is used for VRayMesh" (V-Ray proxies) (Chaos,
  VRayVolumeGrid "Input Rollout").
* 3ds Max's Bitmap map documents no token: ``wood_#1.jpg`` is one file.
* A file only Asset Tracking lists has no known loader: ``<UDIM>``, ``<UVTILE>`` and
  ``<frameNum>`` are read as tokens for image files because Windows reserves ``<`` and ``>``
  in file names, so such a name is never a literal file [unverified which loader expands them:
  OSL textures, other plugins].
* ``$F``-style frame numbers: no source documents them for a 3ds Max loader, so they are
  literal text [unverified].
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vrdr_max.facts import AssetKind


@dataclass(frozen=True)
class Token:
    """One token a loader expands: how it is written, what it matches, an example of it."""

    name: str
    written: re.Pattern[str]
    matches: Callable[[re.Match[str]], str]
    example: Callable[[re.Match[str], int], str]

    @property
    def trigger(self) -> str:
        """The character every spelling of the token starts with (a cheap first test)."""
        return self.name[0]


def _digits(m: re.Match[str]) -> str:
    return rf"\d{{{len(m.group(0))},}}"


def _padded(count: str, i: int, zero: bool = True) -> str:
    width = int(count) if count else 1
    return f"{i:0{width}d}" if zero else f"{i:>{width}d}"


HASH_RUN = Token("#", re.compile(r"#+"), _digits,
                 lambda m, i: f"{i:0{len(m.group(0))}d}")
FRAME_TAG = Token("<frame0n>", re.compile(r"<frame(0?)(\d*)>", re.IGNORECASE),
                  lambda m: rf"\d{{{m.group(2) or 1},}}" if m.group(1) else r"\s*\d+",
                  lambda m, i: _padded(m.group(2), i, zero=bool(m.group(1))))
UDIM = Token("<UDIM>", re.compile(r"<UDIM>", re.IGNORECASE), lambda _m: r"\d{4}",
             lambda _m, i: str(1001 + i))
UVTILE = Token("<UVTILE>", re.compile(r"<UVTILE>", re.IGNORECASE), lambda _m: r"_u\d+_v\d+",
               lambda _m, i: f"_u{i + 1}_v1")
FRAME_NUM = Token("<frameNum>", re.compile(r"<frameNum>", re.IGNORECASE), lambda _m: r"\d+",
                  lambda _m, i: f"{i + 1:04d}")
UV_COORD = Token("$U", re.compile(r"\$(\d*)([UVuv])"),
                 lambda m: rf"\d{{{m.group(1) or 1},}}",
                 lambda m, i: _padded(m.group(1), i + 1 if m.group(2) in "Uu" else 1))

VRAY_BITMAP = (UDIM, UVTILE, FRAME_NUM, UV_COORD)
FRAME_SEQUENCE = (HASH_RUN, FRAME_TAG)
ANGLE_TOKENS = (UDIM, UVTILE, FRAME_NUM)

# Tokens by the class that holds the path (max_names.ASSET_SOURCES owners), lower case.
LOADER_TOKENS: dict[str, tuple[Token, ...]] = {
    "vraybitmap": VRAY_BITMAP,
    "vrayhdri": VRAY_BITMAP,
    "vrayproxy": FRAME_SEQUENCE,
    "bitmaptexture": (),
    "vrayies": (),
}
# Tokens of files only Asset Tracking lists, by the kind their extension gives.
KIND_TOKENS: dict[AssetKind, tuple[Token, ...]] = {
    AssetKind.VOLUME: FRAME_SEQUENCE,
    AssetKind.PROXY: FRAME_SEQUENCE,
    AssetKind.BITMAP: ANGLE_TOKENS,
    AssetKind.HDRI: ANGLE_TOKENS,
}


@dataclass(frozen=True)
class FilePattern:
    """A path whose file name holds tokens: the folder, a wildcard and a full-name regex."""

    folder: str
    name: str
    wildcard: str
    regex: re.Pattern[str]
    parts: tuple[str | tuple[Token, re.Match[str]], ...]

    def matches(self, file_name: str) -> bool:
        """True when ``file_name`` (no folder) is one of the files the pattern names."""
        return self.regex.fullmatch(file_name) is not None

    def example(self, i: int) -> str:
        """The ``i``-th file name the pattern could name (for exported test scenes)."""
        return "".join(part if isinstance(part, str) else part[0].example(part[1], i)
                       for part in self.parts)


def tokens_for(owner_class: str, kind: AssetKind) -> tuple[Token, ...]:
    """The tokens the loader of a file expands: by its owner class, else by its kind."""
    if owner_class:
        return LOADER_TOKENS.get(owner_class.lower(), ())
    return KIND_TOKENS.get(kind, ())


def find_pattern(path: str, tokens: Sequence[Token]) -> FilePattern | None:
    """The pattern ``path`` writes with ``tokens``, or None when its file name has none."""
    if not tokens:
        return None
    text = path.replace("/", "\\")
    folder, sep, name = text.rpartition("\\")
    if not any(token.trigger in name for token in tokens):
        return None
    parts: list[str | tuple[Token, re.Match[str]]] = []
    regex, wildcard, i, found = [], [], 0, False
    while i < len(name):
        hit = next(((t, m) for t in tokens if (m := t.written.match(name, i))), None)
        if hit is None:
            parts.append(name[i])
            regex.append(re.escape(name[i]))
            wildcard.append(name[i])
            i += 1
            continue
        token, m = hit
        parts.append((token, m))
        regex.append(token.matches(m))
        if not wildcard or wildcard[-1] != "*":
            wildcard.append("*")
        i, found = m.end(), True
    if not found:
        return None
    return FilePattern(folder=folder if sep else "", name=name, wildcard="".join(wildcard),
                       regex=re.compile("".join(regex), re.IGNORECASE), parts=tuple(parts))
