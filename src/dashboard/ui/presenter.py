"""Presenter mode: the briefing deck as full-screen slides, for screen-sharing to diplomats.

* Chrome: our own CSS (`static/css/presenter.css`, injected with `st.html(Path)`, which Streamlit
  puts in the page's event container so it takes no space) hides the sidebar, header, toolbar,
  main menu, deploy button, status ("running") widget, decoration and footer while this page is
  shown, and lays the slide out as a flex column that fills the viewport, so every slide fits
  1280x720 and 1920x1080 without scrolling. Leaving the page removes the style with the page.
* Slide number and language live in the URL (`?slide=4&lang=en`). The number is bound with
  `dashboard.ui.state.url_bound` / `write_url` like every other view: writing `st.query_params`
  from the script makes Streamlit 1.67's frontend `history.pushState` a new entry, and Back/Forward
  rerun the script with the earlier query string (an "history navigation" rerun), which
  `url_bound` takes as a URL change. No full page reload, no extra session.
* Keyboard: the Previous/Next buttons carry Streamlit's own `shortcut=` (Left/Right), and two
  hidden buttons carry PageUp/PageDown (what presentation clickers send). Streamlit ignores these
  keys while focus is in a text field.
* Language: a button on the slide flips `st.session_state["lang"]` in its callback (the sidebar
  radio that owns the key is hidden but still rendered by app.py, and keeps the URL in step).
* Speaker notes: only on the presenter view, `?notes=1` (opened in a new tab from the bar; its
  "Hide notes" button drops the parameter again).
"""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from dashboard import pack, slides
from dashboard.i18n import LANGUAGES
from dashboard.paths import ROOT, STATIC_DIR
from dashboard.ui import share
from dashboard.ui.components import plotly_config
from dashboard.ui.data import Tables
from dashboard.ui.state import LANGUAGE_NAMES, lang, tr, url_bound, write_url

CSS_FILES = (STATIC_DIR / "css" / "slides.css", STATIC_DIR / "css" / "presenter.css")
NOTES_CSS = STATIC_DIR / "css" / "presenter-notes.css"
SLIDE_KEY = "slide"


# --------------------------------------------------------------------------- state


def _parse_slide(raw: tuple[str, ...]) -> int | None:
    try:
        return slides.clamp_number(int(raw[0]))
    except (ValueError, IndexError):
        return None


def slide_number() -> int:
    """The current slide (1-based), from the URL when it changed, else from the session."""
    url_bound(SLIDE_KEY, 1, _parse_slide, lambda value: [str(slides.clamp_number(value or 1))])
    number = slides.clamp_number(st.session_state.get(SLIDE_KEY) or 1)
    st.session_state[SLIDE_KEY] = number
    write_url(SLIDE_KEY)
    return number


def notes_requested() -> bool:
    return st.query_params.get("notes") in ("1", "true", "yes")


def _step(delta: int) -> None:
    st.session_state[SLIDE_KEY] = slides.clamp_number((st.session_state.get(SLIDE_KEY) or 1) + delta)


def _hide_notes() -> None:
    """Back to the plain slide view in the same tab (the notes view had no way out but the URL)."""
    if "notes" in st.query_params:
        del st.query_params["notes"]


def _other_language() -> str:
    return LANGUAGES[(LANGUAGES.index(lang()) + 1) % len(LANGUAGES)]


def _switch_language() -> None:
    st.session_state["lang"] = _other_language()


# --------------------------------------------------------------------------- cached building


@st.cache_resource(show_spinner=False, max_entries=64)
def _slide(_tables: Tables, fingerprint: str, number: int, language: str) -> slides.Slide:
    """One slide, built once per published-data state (figures are copied before any change)."""
    return slides.build_slide(_tables, number, language)


@st.cache_resource(show_spinner=False, max_entries=8)
def _titles(_tables: Tables, fingerprint: str, language: str) -> list[str]:
    return slides.slide_titles(_tables, language)


@st.cache_resource(show_spinner=False)
def _can_render() -> bool:
    return pack.can_render()


def _pack_html(tables: Tables, language: str) -> bytes:
    return pack.build_pack(tables, language, versions=tables.versions).encode("utf-8")


def _pack_png(tables: Tables, language: str) -> bytes:
    return pack.render_pngs_zip(pack.build_pack(tables, language, versions=tables.versions))


def _pack_pdf(tables: Tables, language: str) -> bytes:
    return pack.render_pdf(pack.build_pack(tables, language, versions=tables.versions))


# --------------------------------------------------------------------------- rendering


def hide_chrome(notes: bool) -> None:
    """Our presenter CSS (and the notes-view variant), as style-only st.html elements."""
    for path in CSS_FILES:
        st.html(Path(path))
    if notes:
        st.html(Path(NOTES_CSS))


def _url(number: int, language: str, **extra: str) -> str:
    params = {"slide": str(number), "lang": language, **extra}
    return "?" + "&".join(f"{key}={value}" for key, value in params.items())


def controls(tables: Tables, number: int, total: int, notes: bool) -> None:
    """The slim control bar: previous, counter, next, language, notes, link, download, exit."""
    language = lang()
    with st.container(horizontal=True, key="bp_bar", vertical_alignment="center", gap="small"):
        st.button(tr("briefing.prev"), key="bp_prev", on_click=_step, args=(-1,), shortcut="Left",
                  icon=":material/arrow_back:", disabled=number <= 1)
        st.markdown(f"**{number} / {total}**", width="content")
        st.button(tr("briefing.next"), key="bp_next", on_click=_step, args=(1,), shortcut="Right",
                  icon=":material/arrow_forward:", icon_position="right", disabled=number >= total)
        with st.container(key="bp_clicker", horizontal=True, width="content"):
            st.button(tr("briefing.prev"), key="bp_pageup", on_click=_step, args=(-1,), shortcut="PageUp")
            st.button(tr("briefing.next"), key="bp_pagedown", on_click=_step, args=(1,), shortcut="PageDown")
        st.space("stretch")
        st.button(LANGUAGE_NAMES[_other_language()], key="bp_lang", on_click=_switch_language,
                  icon=":material/translate:")
        if notes:
            st.button(tr("briefing.notes_close"), key="bp_notes_off", on_click=_hide_notes,
                      icon=":material/speaker_notes_off:")
        else:
            st.link_button(tr("briefing.notes_open"), _url(number, language, notes="1"),
                           icon=":material/speaker_notes:")
        share.copy_link(key="share_briefing", compact=True)
        with st.popover(tr("briefing.export"), icon=":material/download:"):
            st.caption(tr("briefing.export_note"))
            stem = f"briefing-{language}"
            st.download_button(tr("briefing.export_html"), data=lambda: _pack_html(tables, language),
                               file_name=f"{stem}.html", mime="text/html", on_click="ignore",
                               icon=":material/html:", key="bp_dl_html")
            if _can_render():  # PNG and PDF need a Chromium on the server (Debian's, as for kaleido)
                st.download_button(tr("briefing.export_png"), data=lambda: _pack_png(tables, language),
                                   file_name=f"{stem}-png.zip", mime="application/zip", on_click="ignore",
                                   icon=":material/image:", key="bp_dl_png")
                st.download_button(tr("briefing.export_pdf"), data=lambda: _pack_pdf(tables, language),
                                   file_name=f"{stem}.pdf", mime="application/pdf", on_click="ignore",
                                   icon=":material/picture_as_pdf:", key="bp_dl_pdf")
        st.page_link(str(ROOT / "pages" / "overview.py"), label=tr("briefing.exit"), icon=":material/close:",
                     query_params={"lang": language})


def _chart(fig: go.Figure, key: str) -> None:
    shown = go.Figure(fig)
    shown.update_layout(height=None, autosize=True)
    config = {**plotly_config(), "displayModeBar": False, "responsive": True}
    st.plotly_chart(shown, key=key, config=config, theme=None, height="stretch")


def _body(slide: slides.Slide) -> None:
    with st.container(key="bp_body"):
        if slide.layout == "side" and slide.cards and slide.figures:
            left, right = st.columns([1, slide.side_ratio], gap="medium")
            left.html(pack.cards_html(slide.cards, columns=1, fill=True))
            with right:
                for i, fig in enumerate(slide.figures):
                    _chart(fig, f"bp_chart_{i}")
        elif slide.layout == "stack" and slide.cards and slide.figures:
            st.html(pack.cards_html(slide.cards, columns=slide.card_columns))
            for i, fig in enumerate(slide.figures):
                _chart(fig, f"bp_chart_{i}")
        else:
            if slide.cards:
                st.html(pack.cards_html(slide.cards, columns=slide.card_columns, large=not slide.figures,
                                        fill=pack.fills(slide)))
            if len(slide.figures) > 1:
                for column, (i, fig) in zip(st.columns(len(slide.figures)), enumerate(slide.figures), strict=True):
                    with column:
                        _chart(fig, f"bp_chart_{i}")
            else:
                for i, fig in enumerate(slide.figures):
                    _chart(fig, f"bp_chart_{i}")


def present(tables: Tables) -> None:
    """The whole Briefing page."""
    notes = notes_requested()
    hide_chrome(notes)
    total = slides.slide_count()
    number = slide_number()
    language = lang()
    slide = _slide(tables, tables.fingerprint, number, language)
    controls(tables, number, total, notes)
    with st.container(key="bp_slide"):
        st.html(pack.slide_head_html(slide))
        _body(slide)
        foot = pack.slide_foot_html(slide, language)
        if foot:
            st.html(foot)
    if notes:
        titles = _titles(tables, tables.fingerprint, language)
        with st.container(key="bp_notes"):
            st.html(pack.notes_html(slide, language, titles[number] if number < total else None))
