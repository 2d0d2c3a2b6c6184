"""The translation layer: every user-visible string is a key in `data/i18n/*.csv` (key, ko, en).

One file per area of the app (core, regions, data, briefing, ...) so that they can grow apart;
a key may be defined only once across all files.

`t("key", lang, name=...)` formats with str.format; a missing key raises in tests (see
`tests/test_i18n.py`) and falls back to the key itself at run time so a page never crashes.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from dashboard.paths import DATA_DIR

LANGUAGES = ("ko", "en")
DEFAULT_LANG = "ko"
I18N_DIR = DATA_DIR / "i18n"


class DuplicateKey(ValueError):
    """The same translation key is defined twice (a developer error, caught by the tests)."""


@cache
def catalog(folder: Path = I18N_DIR) -> dict[str, dict[str, str]]:
    """key -> {lang: text} from every CSV in `folder`, read once per process."""
    entries: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["key"] in entries:
                    raise DuplicateKey(f"{row['key']!r} is defined twice (again in {path.name})")
                entries[row["key"]] = {lang: row[lang] for lang in LANGUAGES}
    return entries


def normalise_lang(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANG


def t(key: str, lang: str, /, **params: object) -> str:
    """The text of `key` in `lang`, formatted with `params`."""
    entry = catalog().get(key)
    if entry is None:
        return key
    text = entry[normalise_lang(lang)]
    return text.format(**params) if params else text


def name_column(lang: str, base: str = "name") -> str:
    """The column holding a name in the UI language, e.g. name_ko / name_en."""
    return f"{base}_{normalise_lang(lang)}"
