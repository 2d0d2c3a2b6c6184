"""The translation layer: every key in both languages, every key used in code defined."""

import re
from pathlib import Path

import pytest

from dashboard.i18n import LANGUAGES, catalog, t

ROOT = Path(__file__).resolve().parents[1]
KEY_CALL = re.compile(r"""\b(?:tr|t)\(\s*["']([a-z0-9_]+\.[a-z0-9_.]+)["']""")


def test_every_key_has_korean_and_english_text():
    for key, texts in catalog().items():
        for lang in LANGUAGES:
            assert texts[lang].strip(), f"{key} has no {lang} text"


def test_korean_texts_are_korean():
    hangul = re.compile(r"[\uac00-\ud7a3]")
    untranslated = [key for key, texts in catalog().items()
                    if texts["ko"] == texts["en"] and re.search(r"[a-z]{4,}", texts["en"]) and not hangul.search(texts["ko"])]
    assert untranslated == []


def test_every_literal_key_used_in_code_is_defined():
    sources = [*ROOT.glob("pages/*.py"), ROOT / "app.py", *ROOT.glob("src/dashboard/**/*.py")]
    used = {key for path in sources for key in KEY_CALL.findall(path.read_text(encoding="utf-8"))}
    missing = sorted(key for key in used if key not in catalog())
    assert missing == []


def test_formatting_and_fallback():
    assert t("ui.source", "en", sources="MSIT") == "Source: MSIT"
    assert t("ui.source", "ko", sources="MSIT") == "출처: MSIT"
    assert t("no.such.key", "en") == "no.such.key"
    assert t("page.overview", "xx") == t("page.overview", "ko")


@pytest.mark.parametrize("prefix", ["page.", "status.", "unit."])
def test_families_complete(prefix):
    keys = [key for key in catalog() if key.startswith(prefix)]
    assert len(keys) >= 3
