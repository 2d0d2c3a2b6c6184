"""The offline briefing pack: one self-contained HTML file, a PNG per slide, a PDF of the deck.

The pack opened from disk in Chromium with the network blocked is tested in
tests/browser/test_briefing.py; here: what the file holds, and the PNG/PDF rendering.
"""

from __future__ import annotations

import asyncio
import html
import io
import re
import struct
import zipfile
from datetime import UTC, datetime

import pandas as pd
import pytest
from PIL import Image

from dashboard import geo_assets, pack, slides
from dashboard.loading import load_csv_tables
from hostile_data import MARKDOWN_INJECTIONS, hostile_tables

GENERATED = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return load_csv_tables()


@pytest.fixture(scope="module")
def documents(tables) -> dict[str, str]:
    return {lang: pack.build_pack(tables, lang, versions={"pillars": 3, "targets": 1}, generated=GENERATED)
            for lang in ("ko", "en")}


def _markup(document: str) -> str:
    """The document without the contents of <script> and <style> elements."""
    document = re.sub(r"(<script\b[^>]*>).*?(</script>)", r"\1\2", document, flags=re.S | re.I)
    return re.sub(r"(<style\b[^>]*>).*?(</style>)", r"\1\2", document, flags=re.S | re.I)


def test_the_pack_is_self_contained(documents):
    for lang, document in documents.items():
        assert document.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in document
        markup = _markup(document)
        # No element loads anything: no src/href/srcset attributes, no <link>, no <iframe>, no <base>.
        assert not re.search(r"\s(?:src|href|srcset|poster|data)\s*=", markup, flags=re.I), lang
        assert not re.search(r"<(?:link|iframe|base|img|object|embed)\b", markup, flags=re.I), lang
        # Every url(...) in the styles is a data: URL (the inlined fonts).
        styles = "".join(re.findall(r"<style\b[^>]*>(.*?)</style>", document, flags=re.S))
        urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", styles)
        assert urls and all(url.startswith("data:font/woff2;base64,") for url in urls), urls[:3]
        # plotly.js and the geometry are inlined, before any figure is drawn.
        assert pack._plotly_js()[:2000] in document
        assert re.search(r'window\.PlotlyGeoAssets = \{"topojson": \{"world_110m": \{"type":\s*"Topology"', document)
        assert document.index("window.PlotlyGeoAssets") < document.index(pack._plotly_js()[:200])


def test_every_slide_and_figure_is_in_the_pack(documents, tables):
    for lang, document in documents.items():
        deck = slides.build_deck(tables, lang, map_resolution=pack.PACK_MAP_RESOLUTION)
        info = pack.pack_info(deck)
        assert info.slides == 9 and info.maps == 2 and info.figures == 5  # the closing slide has numbers, no chart
        assert len(re.findall(r'<section class="bp-slide"', document)) == info.slides
        assert len(re.findall(r'<script type="application/json" class="bp-figure"', document)) == info.figures
        assert len(re.findall(r'<div class="bp-fig" id="fig-\d+-\d+"></div>', document)) == info.figures
        for slide in deck:
            assert slide_text(slide.title) in document
            assert slide_text(slide.message) in document
            assert slide_text(slide.notes) in document  # the speaker notes appendix
        # The maps ask for the geometry that is inlined.
        for fig in (f for s in deck for f in s.figures if any(t.type == "choropleth" for t in f.data)):
            assert fig.layout.geo.resolution == pack.PACK_MAP_RESOLUTION


def slide_text(text: str) -> str:
    return html.escape(text)


def test_fonts_match_the_language(documents):
    ko, en = documents["ko"], documents["en"]
    assert ko.count("@font-face") == 4 and en.count("@font-face") == 2  # Korean subsets only when needed
    assert "U+AC00-D7A3" in ko and "U+AC00-D7A3" not in en
    assert len(en) < len(ko) < 8_000_000
    assert "pillars v3" in en and "2026-01-02 03:04 UTC" in en


def test_data_strings_are_escaped_in_the_pack():
    document = pack.build_pack(hostile_tables(), "en", generated=GENERATED, fonts=False)
    markup = _markup(document)
    assert "<script>alert" not in markup and "<img" not in markup.lower() and "<iframe" not in markup.lower()
    shown = [p for p in MARKDOWN_INJECTIONS if "<" in p and html.escape(p) in markup]
    assert len(shown) >= 3, shown  # the payloads reached the pack, as text
    # Figure JSON sits in <script type="application/json">: a "</script>" in data cannot close it.
    specs = re.findall(r'<script type="application/json" class="bp-figure"[^>]*>(.*?)</script>', document, re.S)
    assert specs and all("</" not in spec for spec in specs)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_png_per_slide_and_pdf(tables):
    """Each slide drawn by headless Chromium (kaleido's driver) at 1920x1080, maps included."""
    document = pack.build_pack(tables, "ko", generated=GENERATED)
    rendered = pack.render(document)
    assert len(rendered.pngs) == 9
    for image in rendered.pngs:
        assert _png_size(image) == (pack.SLIDE_WIDTH, pack.SLIDE_HEIGHT)
    # The belts map (slide 4) drew its countries: plenty of the region colours, not a blank frame.
    belts = Image.open(io.BytesIO(rendered.pngs[3])).convert("RGB").resize((480, 270))
    colours = belts.getcolors(480 * 270) or []
    europe = sum(count for count, rgb in colours if _near(rgb, (0x00, 0x9E, 0x73)))
    usa = sum(count for count, rgb in colours if _near(rgb, (0x00, 0x72, 0xB2)))
    assert europe > 150 and usa > 500, (europe, usa)
    assert rendered.pdf is not None and rendered.pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", rendered.pdf)) == 9
    english = pack.build_pack(tables, "en", fonts=False)

    async def inside_a_running_loop() -> bytes:  # as under Playwright's sync API
        return pack.render_pngs_zip(english)

    archive = zipfile.ZipFile(io.BytesIO(asyncio.run(inside_a_running_loop())))
    assert archive.namelist() == [f"slide-{n:02d}.png" for n in range(1, 10)]


def _near(rgb: tuple[int, int, int], target: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, target, strict=True))


def test_rendering_uses_the_local_browser_and_geometry():
    geo_assets.configure_kaleido()
    import os

    import plotly.io as pio

    assert os.environ.get("BROWSER_PATH")
    assert pio.defaults.topojson.startswith("file://")
