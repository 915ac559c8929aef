"""The per-user plugcfg folder of a 3ds Max version on Windows, and its language folders.

Built as a ``PureWindowsPath``, so the rules run (and are tested) anywhere. Only
``--max-version`` needs them: ``plugcfg.find_cfg`` loads this module for it alone.
"""

from __future__ import annotations

from pathlib import PureWindowsPath

from vrdr_max.errors import InputError, quote
from vrdr_max.plugcfg import MAX_YEARS

LANGUAGES: dict[str, str] = {
    "ENU": "en-US",
    "FRA": "fr-FR",
    "DEU": "de-DE",
    "JPN": "ja-JP",
    "CHS": "zh-CN",
    "KOR": "ko-KR",
    "PTB": "pt-BR",
}
"""3ds Max language folder and its language sub-folder (vray-dr.md §3.1, as Deadline uses them)."""

DEFAULT_LANGUAGE = "ENU"
"""Used when no language is given (Deadline's fallback too)."""

PRODUCT_FOLDER = "3dsMax"
r"""Folder under ``%LOCALAPPDATA%\Autodesk``; 3ds Max IO and Design use ``3dsMaxIO`` and
``3dsMaxDesign`` (vray-dr.md §3.1) - pass those files with ``--cfg``."""

FIRST_YEAR_WITH_LANG_SUBDIR = 2013
"""Before 3ds Max 2013 plugcfg sat directly under ``<LANG>`` (vray-dr.md §3.1, one farm
vendor's script) [unverified on a real install]."""


def language_folders(lang: str | None = None) -> tuple[str, str]:
    """The ``<LANG>`` and ``<LangSubDir>`` folders for a language.

    Args:
        lang: a 3ds Max language code (``ENU``) or its locale (``en-US``), any case; None
            for the default.

    Returns:
        For example ``("FRA", "fr-FR")``.

    Raises:
        InputError: for a language 3ds Max does not install.
    """
    wanted = (lang or DEFAULT_LANGUAGE).strip().lower()
    for code, locale in LANGUAGES.items():
        if wanted in (code.lower(), locale.lower()):
            return code, locale
    known = ", ".join(f"{code} ({locale})" for code, locale in LANGUAGES.items())
    raise InputError(f"unknown 3ds Max language {quote(str(lang))}; known: {known}")


def windows_plugcfg_dir(max_version: int, local_appdata: str,
                        lang: str | None = None) -> PureWindowsPath:
    r"""The per-user plugcfg folder of a 3ds Max version on Windows.

    Args:
        max_version: the 3ds Max year, e.g. 2026.
        local_appdata: the value of ``%LOCALAPPDATA%``.
        lang: language code or locale (see :func:`language_folders`).

    Returns:
        ``<LOCALAPPDATA>\Autodesk\3dsMax\<YEAR> - 64bit\<LANG>\<LangSubDir>\plugcfg``.

    Raises:
        InputError: an implausible year or an unknown language.
    """
    if max_version not in MAX_YEARS:
        raise InputError(f"3ds Max version {max_version} is not a year such as 2026")
    code, locale = language_folders(lang)
    base = PureWindowsPath(local_appdata, "Autodesk", PRODUCT_FOLDER, f"{max_version} - 64bit",
                           code)
    if max_version >= FIRST_YEAR_WITH_LANG_SUBDIR:
        base = base / locale
    return base / "plugcfg"
