"""The briefing as files: slide HTML fragments, a self-contained HTML pack, PNG per slide, a PDF.

Pure (no Streamlit). The Briefing page renders the same fragments (`slide_head_html`,
`cards_html`, `slide_foot_html`) so the pack and the live slides look alike.

The HTML pack opens from disk on a machine without internet and makes no network request:
plotly.js (`plotly.offline.get_plotlyjs()`), the world geometry (pre-registered in
`window.PlotlyGeoAssets.topojson`, which plotly.js consults before fetching
`<topojsonURL>world_110m.json`) and, optionally, the Noto Sans KR fonts (as data: URLs) are inlined.

PNG and PDF: each slide of the pack is rendered by the same headless Chromium that kaleido uses
(through kaleido's own driver, `choreographer`) and captured with the DevTools protocol
(`Page.captureScreenshot` per slide, `Page.printToPDF` for the deck, one page per slide).
"""

from __future__ import annotations

import asyncio
import base64
import html
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import plotly.graph_objects as go

from dashboard import geo_assets
from dashboard.i18n import normalise_lang, t
from dashboard.paths import STATIC_DIR
from dashboard.slides import Card, Slide

SLIDES_CSS = STATIC_DIR / "css" / "slides.css"
FONTS_DIR = STATIC_DIR / "fonts"
#: World geometry resolution used in the pack (110m keeps the file small; 50m adds 1.4 MB).
PACK_MAP_RESOLUTION = 110
#: The size each slide is laid out and captured at.
SLIDE_WIDTH, SLIDE_HEIGHT = 1920, 1080

_e = html.escape


# --------------------------------------------------------------------------- fragments


def slide_head_html(slide: Slide) -> str:
    """Section kicker, title and the one message of a slide (every data string escaped)."""
    section = f'<p class="bp-section">{_e(slide.section)}</p>' if slide.section else ""
    hero = " bp-hero" if slide.layout == "title" else ""
    return (f'<div class="bp bp-head{hero}">{section}<h1 class="bp-title">{_e(slide.title)}</h1>'
            f'<p class="bp-message">{_e(slide.message)}</p></div>')


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    value = colour.lstrip("#")
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


#: Text on coloured badges: white or this near-black, whichever contrasts more (the slide ink
#: #1b1f24 reaches only 4.3:1 on vermilion; this one 5:1).
BADGE_DARK = "#0b0d10"


def text_on(background: str, dark: str = BADGE_DARK, light: str = "#ffffff") -> str:
    """Dark or white text, whichever has the higher WCAG contrast on `background` (white on orange is illegible)."""
    if not (isinstance(background, str) and len(background) == 7 and background.startswith("#")):
        return dark
    return light if contrast(light, background) >= contrast(dark, background) else dark


def cards_html(cards: Sequence[Card], *, columns: int | None = None, large: bool = False, fill: bool = False) -> str:
    """The slide's cards as a grid (`columns` per row; 1 stacks them; `large` for card-only slides;
    `fill` stretches the rows over the height the slide gives them, so no half-empty screen)."""
    if not cards:
        return ""
    cols = columns or min(len(cards), 5)
    items = []
    for card in cards:
        kicker = f'<span class="bp-kicker">{_e(card.kicker)}</span>' if card.kicker else ""
        body = f'<p class="bp-card-b">{_e(card.body)}</p>' if card.body else ""
        accent = _e(card.accent)
        wide = " bp-wide" if card.wide else ""
        items.append(f'<div class="bp-card{wide}" style="--accent:{accent};--bp-kicker-bg:{accent};'
                     f'--bp-kicker-fg:{text_on(card.accent)}">{kicker}'
                     f'<p class="bp-card-h">{_e(card.heading)}</p>{body}</div>')
    classes = "bp bp-cards" + (" bp-stack" if cols == 1 else "") + (" bp-large" if large else "") \
        + (" bp-fill" if fill else "")
    return f'<div class="{classes}" style="--bp-cols:{int(cols)}">{"".join(items)}</div>'


def source_line(slide: Slide, lang: str) -> list[str]:
    """The foot's texts, in order: footnote, sources, and what is illustrative.

    On a slide that mixes sourced definitions with generated numbers the line says which is which
    ("Targets: MSIT briefing ... · Progress: illustrative (generated) data"), so the badge never
    reads as if the source had published the generated numbers.
    """
    parts = [slide.footnote] if slide.footnote else []
    sources = "; ".join(slide.sources)
    labelled = slide.illustrative and slide.illustrative_label
    if sources:
        parts.append(t("briefing.source_for", lang, what=slide.source_label, sources=sources)
                     if labelled and slide.source_label else t("ui.source", lang, sources=sources))
    if labelled:
        parts.append(t("briefing.illustrative_for", lang, what=slide.illustrative_label))
    elif slide.illustrative:
        parts.append(t("ui.illustrative_caption", lang))
    return parts


def fills(slide: Slide) -> bool:
    """Whether the slide's cards stretch over the body (card-only slides but the title slide)."""
    return slide.layout == "cards" and not slide.figures


def slide_foot_html(slide: Slide, lang: str) -> str:
    """Footnote, source line and, when the slide shows generated numbers, the illustrative badge."""
    parts = source_line(slide, lang)
    if not parts:
        return ""
    footnote = f'<span class="bp-footnote">{_e(parts.pop(0))}</span>' if slide.footnote else ""
    spans = [f'<span class="bp-badge">{_e(text)}</span>' if slide.illustrative and i == len(parts) - 1
             else f'<span>{_e(text)}</span>' for i, text in enumerate(parts)]
    separator = '<span aria-hidden="true">·</span>'
    return f'<div class="bp bp-foot">{footnote}{separator.join(spans)}</div>'


def notes_html(slide: Slide, lang: str, next_title: str | None) -> str:
    nxt = t("briefing.next_up", lang, title=next_title) if next_title else t("briefing.last", lang)
    return (f'<div class="bp bp-notes"><h2>{_e(t("briefing.notes_title", lang))}</h2>'
            f'<p>{_e(slide.notes)}</p><p><em>{_e(nxt)}</em></p>'
            f'<p class="bp-keys">{_e(t("briefing.keys_hint", lang))}</p></div>')


# --------------------------------------------------------------------------- inlined assets


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


@cache
def _topojson(resolution: int) -> str:
    return geo_assets.topojson_path(resolution).read_text(encoding="utf-8")


def _font_faces(lang: str) -> list[dict]:
    """The app's Noto Sans KR faces, as declared in .streamlit/config.toml (Korean subsets only for ko)."""
    import tomllib

    config = tomllib.loads((STATIC_DIR.parent / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    faces = config.get("theme", {}).get("fontFaces", [])
    chosen = []
    for face in faces:
        name = Path(str(face.get("url", ""))).name
        if not name.endswith(".woff2") or not (FONTS_DIR / name).is_file():
            continue
        if lang != "ko" and "-korean-" in name:
            continue
        chosen.append({**face, "file": FONTS_DIR / name})
    return chosen


def font_css(lang: str) -> str:
    """@font-face rules with the woff2 files inlined as data: URLs."""
    rules = []
    for face in _font_faces(lang):
        data = base64.b64encode(face["file"].read_bytes()).decode("ascii")
        unicode_range = f"unicode-range:{face['unicodeRange']};" if face.get("unicodeRange") else ""
        rules.append(f'@font-face{{font-family:"{face.get("family", "Noto Sans KR")}";'
                     f'src:url(data:font/woff2;base64,{data}) format("woff2");'
                     f'font-weight:{face.get("weight", "400")};font-style:{face.get("style", "normal")};'
                     f'font-display:block;{unicode_range}}}')
    return "\n".join(rules)


def _script_json(value: object) -> str:
    """JSON safe to place inside a <script> element."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


# --------------------------------------------------------------------------- the pack

_PACK_CSS = """
html, body { margin: 0; padding: 0; background: #ffffff; }
body { font-family: "Noto Sans KR", "Noto Sans CJK KR", "Malgun Gothic", "Apple SD Gothic Neo", sans-serif; }
.bp-slide {
  position: relative; width: 100vw; height: 100vh; overflow: hidden; display: flex; flex-direction: column;
  gap: max(8px, 1.4vh); padding: 3vh clamp(16px, 3vw, 64px) 2.4vh; box-sizing: border-box;
  border-bottom: 1px solid #d9dee5;
}
.bp-body { flex: 1 1 0; min-height: 0; display: flex; flex-direction: column; gap: max(8px, 1.4vh); }
.bp-body.bp-side { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 2.2fr); align-items: stretch; }
.bp-side > .bp-cards { align-self: start; }
.bp-side > .bp-cards.bp-fill { align-self: stretch; }
.bp-body > .bp-cards.bp-fill { flex: 1 1 0; min-height: 0; }
.bp-slide:has(.bp-hero) .bp-body { justify-content: center; }
.bp-figs { flex: 1 1 0; min-height: 0; display: flex; gap: max(8px, 1.4vh); }
.bp-fig { flex: 1 1 0; min-width: 0; min-height: 0; height: 100%; }
.bp-page-no { position: absolute; right: clamp(16px, 3vw, 64px); bottom: 2.4vh; font-size: 18px; color: #3d4652; }
.bp-appendix { padding: 4vh clamp(16px, 3vw, 64px); font-size: 20px; line-height: 1.5; color: #1b1f24; }
.bp-appendix h2 { font-size: 32px; margin: 0 0 0.6em 0; }
.bp-appendix h3 { font-size: 22px; margin: 1em 0 0.2em 0; }
.bp-appendix p { margin: 0; font-size: 20px; }
.bp-appendix .bp-data-note { margin-top: 2em; color: #3d4652; font-size: 18px; }
.bp-capture .modebar-container { display: none !important; }
@page { size: 1920px 1080px; margin: 0; }
@media print {
  .modebar-container { display: none !important; }
  .bp-slide { width: 1920px; height: 1080px; break-after: page; border: none; }
  .bp-slide:last-of-type { break-after: auto; }
  .bp-appendix { display: none; }
}
"""

_PACK_JS = """
(function () {
  const config = {displaylogo: false, responsive: true, displayModeBar: "hover",
                  modeBarButtonsToRemove: ["sendDataToCloud"]};
  const plots = [];
  document.querySelectorAll("script.bp-figure").forEach(function (node) {
    const spec = JSON.parse(node.textContent);
    const target = document.getElementById(node.dataset.target);
    plots.push(Plotly.newPlot(target, spec.data, spec.layout || {}, config));
  });
  window.bpReady = Promise.all(plots).then(function () { return document.fonts.ready; })
    .then(function () { return new Promise(function (resolve) { requestAnimationFrame(function () { resolve(plots.length); }); }); });
  const slides = Array.from(document.querySelectorAll(".bp-slide"));
  function current() {
    let best = 0;
    slides.forEach(function (slide, i) { if (slide.getBoundingClientRect().top <= window.innerHeight / 2) best = i; });
    return best;
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const forward = ["ArrowRight", "PageDown"].includes(event.key);
    const back = ["ArrowLeft", "PageUp"].includes(event.key);
    if (!forward && !back) return;
    event.preventDefault();
    const next = Math.max(0, Math.min(slides.length - 1, current() + (forward ? 1 : -1)));
    slides[next].scrollIntoView({block: "start"});
  });
})();
"""


@dataclass(frozen=True)
class PackInfo:
    """What the pack holds (for tests and the download label)."""

    slides: int
    figures: int
    maps: int


def _figure_json(fig: go.Figure) -> str:
    shown = go.Figure(fig)
    shown.update_layout(height=None, width=None, autosize=True)
    return shown.to_json()


def _slide_section(slide: Slide, number: int, total: int, lang: str, figure_ids: list[tuple[str, str]]) -> str:
    figs = []
    for i, fig in enumerate(slide.figures):
        div_id = f"fig-{number}-{i + 1}"
        figure_ids.append((div_id, _figure_json(fig)))
        figs.append(f'<div class="bp-fig" id="{div_id}"></div>')
    figs_html = f'<div class="bp-figs">{"".join(figs)}</div>' if figs else ""
    if slide.layout == "side" and slide.cards and figs:
        columns = f"minmax(0, 1fr) minmax(0, {slide.side_ratio:g}fr)"
        body = (f'<div class="bp-body bp-side" style="grid-template-columns:{columns}">'
                f'{cards_html(slide.cards, columns=1, fill=True)}{figs_html}</div>')
    else:
        cards = cards_html(slide.cards, columns=slide.card_columns, large=not figs,
                           fill=fills(slide)) if slide.cards else ""
        body = f'<div class="bp-body">{cards}{figs_html}</div>'
    label = _e(t("briefing.slide_label", lang, n=number))
    return (f'<section class="bp-slide" id="slide-{number}" data-slide="{number}" aria-label="{label}">'
            f'{slide_head_html(slide)}{body}{slide_foot_html(slide, lang)}'
            f'<span class="bp-page-no">{number} / {total}</span></section>')


def render_pack(deck: Sequence[Slide], lang: str, *, versions: Mapping[str, int] | None = None,
                generated: datetime | None = None, fonts: bool = True) -> str:
    """The self-contained HTML document for an already built deck."""
    lang = normalise_lang(lang)
    figure_ids: list[tuple[str, str]] = []
    sections = [_slide_section(slide, n, len(deck), lang, figure_ids) for n, slide in enumerate(deck, start=1)]
    specs = "".join(f'<script type="application/json" class="bp-figure" data-target="{div_id}">'
                    f'{_script_json(spec)}</script>' for div_id, spec in figure_ids)
    notes = "".join(f'<h3>{n}. {_e(slide.title)}</h3><p>{_e(slide.notes)}</p>'
                    for n, slide in enumerate(deck, start=1) if slide.notes)
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    version_text = ", ".join(f"{name} v{number}" for name, number in sorted((versions or {}).items()))
    data_note = _e(t("briefing.pack_data_note", lang, versions=f"{when}" + (f" · {version_text}" if version_text else "")))
    title = deck[0].title if deck else t("briefing.title.fallback", lang)
    geo = {"topojson": {f"world_{PACK_MAP_RESOLUTION}m": "__TOPOJSON__"}}
    geo_script = _script_json(geo).replace('"__TOPOJSON__"', _script_json(_topojson(PACK_MAP_RESOLUTION)))
    return "".join([
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(t('briefing.pack_title', lang, title=title))}</title>",
        f"<style>{font_css(lang) if fonts else ''}</style>",
        f"<style>{SLIDES_CSS.read_text(encoding='utf-8')}</style><style>{_PACK_CSS}</style>",
        f"<script>window.PlotlyGeoAssets = {geo_script};</script>",
        f"<script>{_plotly_js()}</script>",
        "</head><body>",
        *sections,
        f'<aside class="bp-appendix bp"><h2>{_e(t("briefing.notes_title", lang))}</h2>{notes}',
        f'<p class="bp-data-note">{data_note}</p><p class="bp-data-note">{_e(t("briefing.pack_keys_hint", lang))}</p>',
        "</aside>",
        specs,
        f"<script>{_PACK_JS}</script>",
        "</body></html>",
    ])


def build_pack(tables: Mapping, lang: str, *, versions: Mapping[str, int] | None = None,
               generated: datetime | None = None, fonts: bool = True) -> str:
    """The whole briefing in `lang` as one self-contained HTML document (no network needed)."""
    from dashboard.slides import build_deck

    deck = build_deck(tables, lang, map_resolution=PACK_MAP_RESOLUTION)
    return render_pack(deck, lang, versions=versions, generated=generated, fonts=fonts)


def pack_info(deck: Iterable[Slide]) -> PackInfo:
    slides = list(deck)
    figures = [fig for slide in slides for fig in slide.figures]
    maps = sum(1 for fig in figures if any(trace.type in ("choropleth", "scattergeo") for trace in fig.data))
    return PackInfo(slides=len(slides), figures=len(figures), maps=maps)


# --------------------------------------------------------------------------- PNG and PDF


@dataclass(frozen=True)
class Rendered:
    pngs: list[bytes]
    pdf: bytes | None


async def _render(document: str, *, pngs: bool, pdf: bool, timeout: float) -> Rendered:
    import choreographer

    geo_assets.configure_kaleido()  # BROWSER_PATH -> Debian's chromium, as for kaleido
    with tempfile.TemporaryDirectory(prefix="briefing-pack-") as folder:
        path = Path(folder) / "briefing.html"
        path.write_text(document, encoding="utf-8")
        # A dead proxy: should anything in the page reach for the network, it fails at once.
        async with choreographer.Browser(path=os.environ.get("BROWSER_PATH"), headless=True,
                                         proxy_server="127.0.0.1:9") as browser:
            tab = await browser.create_tab("about:blank")
            await tab.send_command("Emulation.setDeviceMetricsOverride", params={
                "width": SLIDE_WIDTH, "height": SLIDE_HEIGHT, "deviceScaleFactor": 1, "mobile": False})
            await tab.send_command("Page.enable")
            loaded = tab.subscribe_once("Page.loadEventFired")
            await tab.send_command("Page.navigate", params={"url": path.as_uri()})
            await asyncio.wait_for(loaded, timeout)
            ready = await asyncio.wait_for(tab.send_command("Runtime.evaluate", params={
                "expression": "document.body.classList.add('bp-capture'), window.bpReady",
                "awaitPromise": True, "returnByValue": True}), timeout)
            if "exceptionDetails" in ready.get("result", {}):
                raise RuntimeError(f"the briefing pack did not draw: {ready['result']['exceptionDetails']}")
            images = []
            if pngs:
                reply = await tab.send_command("Runtime.evaluate", params={
                    "expression": "Array.from(document.querySelectorAll('.bp-slide')).map(s => s.offsetTop)",
                    "returnByValue": True})
                for top in reply["result"]["result"]["value"]:
                    shot = await tab.send_command("Page.captureScreenshot", params={
                        "format": "png", "captureBeyondViewport": True,
                        "clip": {"x": 0, "y": top, "width": SLIDE_WIDTH, "height": SLIDE_HEIGHT, "scale": 1}})
                    images.append(base64.b64decode(shot["result"]["data"]))
            document_pdf = None
            if pdf:
                printed = await tab.send_command("Page.printToPDF", params={
                    "printBackground": True, "preferCSSPageSize": True})
                document_pdf = base64.b64decode(printed["result"]["data"])
            return Rendered(images, document_pdf)


def can_render() -> bool:
    """Whether a Chromium for PNG/PDF rendering is available (kaleido's setting or Debian's)."""
    import shutil

    geo_assets.configure_kaleido()
    path = os.environ.get("BROWSER_PATH")
    return bool(path and os.access(path, os.X_OK)) or any(
        shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome", "chrome"))


def render(document: str, *, pngs: bool = True, pdf: bool = True, timeout: float = 60.0) -> Rendered:
    """Draw the pack in headless Chromium: one PNG per slide (1920x1080) and/or a PDF of the deck.

    Runs its own event loop; called from a thread that already runs one (e.g. under Playwright's
    sync API), it does so in a worker thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_render(document, pngs=pngs, pdf=pdf, timeout=timeout))
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, _render(document, pngs=pngs, pdf=pdf, timeout=timeout)).result()


def render_pngs_zip(document: str, stem: str = "slide") -> bytes:
    """A ZIP of `slide-01.png` ... , one 1920x1080 PNG per slide."""
    images = render(document, pngs=True, pdf=False).pngs
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for number, image in enumerate(images, start=1):
            archive.writestr(f"{stem}-{number:02d}.png", image)
    return buffer.getvalue()


def render_pdf(document: str) -> bytes:
    """The deck as one PDF, one 1920x1080 page per slide."""
    pdf = render(document, pngs=False, pdf=True).pdf
    assert pdf is not None
    return pdf
