"""The Briefing page: slides from the URL, next/previous, language on the slide, notes view, downloads."""

from __future__ import annotations

import json

import pytest

from dashboard import slides


def html(at) -> str:
    """Every st.html body the run produced (the slide text and our stylesheets)."""
    return "\n".join(element.proto.body for element in at.get("html"))


def query(at, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def counter(at) -> str:
    return next(m.value for m in at.markdown if " / " in m.value)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_slide_renders_from_the_url(open_page, lang):
    for number in range(1, slides.slide_count() + 1):
        at = open_page("briefing", lang=lang, slide=str(number))
        assert not at.exception, (number, [e.value for e in at.exception])
        assert counter(at) == f"**{number} / {slides.slide_count()}**"
        assert query(at, "slide") == str(number) and query(at, "lang") == lang
        body = html(at)
        assert 'class="bp-title"' in body and "bp-message" in body
        assert "stSidebar" in body  # the presenter stylesheet that hides the chrome
        assert len(at.get("plotly_chart")) <= 2
        assert "bp bp-notes" not in body  # notes only on the presenter view


def test_slide_four_in_english(open_page):
    at = open_page("briefing", lang="en", slide="4")
    assert "Global cooperation belts" in html(at)
    assert len(at.get("plotly_chart")) == 1
    assert at.button(key="bp_prev").disabled is False and at.button(key="bp_next").disabled is False


def test_next_previous_and_the_url(open_page):
    at = open_page("briefing", lang="en", slide="1")
    assert at.button(key="bp_prev").disabled  # nothing before the first slide
    at.button(key="bp_next").click().run()
    assert query(at, "slide") == "2" and "Vision: S&amp;T/ICT fused with diplomacy" in html(at)
    at.button(key="bp_pagedown").click().run()  # what a presenter's clicker sends
    assert query(at, "slide") == "3"
    at.button(key="bp_pageup").click().run()
    at.button(key="bp_prev").click().run()
    assert query(at, "slide") == "1"


def test_the_last_slide_has_no_next(open_page):
    at = open_page("briefing", lang="en", slide="9")
    assert at.button(key="bp_next").disabled and not at.button(key="bp_prev").disabled
    assert "Thank you" in html(at)


@pytest.mark.parametrize("raw, expected", [("0", "1"), ("99", "9"), ("abc", "1"), ("-2", "1"), ("4.5", "1")])
def test_bad_slide_numbers_are_clamped(open_page, raw, expected):
    at = open_page("briefing", lang="en", slide=raw)
    assert not at.exception
    assert query(at, "slide") == expected


def test_language_button_on_the_slide(open_page):
    at = open_page("briefing", lang="en", slide="3")
    assert at.button(key="bp_lang").label == "한국어"
    at.button(key="bp_lang").click().run()
    assert not at.exception
    assert query(at, "lang") == "ko" and query(at, "slide") == "3"
    assert "4대 전략 목표" in html(at)
    assert at.sidebar.radio[0].value == "ko"  # the one language widget followed
    assert at.button(key="bp_lang").label == "English"


def test_notes_only_on_the_presenter_view(open_page):
    plain = open_page("briefing", lang="en", slide="6")
    assert "bp bp-notes" not in html(plain)
    assert any("notes=1" in button.proto.url for button in plain.get("link_button"))
    notes = open_page("briefing", lang="en", slide="6", notes="1")
    body = html(notes)
    assert "Speaker notes" in body and "the dashboard&#x27;s assumption" in body
    assert "Next slide: The 4th industrial revolution: D·N·A" in body
    assert not any(button.key == "bp_notes_off" for button in plain.button)  # only on the notes view


def test_notes_view_has_a_hide_notes_control(open_page):
    at = open_page("briefing", lang="ko", slide="6", notes="1")
    hide = at.button(key="bp_notes_off")
    assert hide.label == "노트 숨기기"
    assert not any("notes=1" in button.proto.url for button in at.get("link_button"))  # no "open notes" here
    hide.click().run()
    assert not at.exception
    assert query(at, "notes") is None and query(at, "slide") == "6" and query(at, "lang") == "ko"
    assert "bp bp-notes" not in html(at)
    assert any("notes=1" in button.proto.url for button in at.get("link_button"))


def test_downloads_and_share_link_are_offered(open_page):
    at = open_page("briefing", lang="ko", slide="2")
    names = sorted(button.proto.label for button in at.get("download_button"))
    assert names == sorted(["브리핑 자료 (HTML, 오프라인)", "슬라이드 이미지 (PNG, ZIP)", "슬라이드 (PDF)"])
    assert all(button.proto.deferred_file_id for button in at.get("download_button"))  # built on click only
    shares = [c for c in at.get("bidi_component") if c.proto.component_name == "share_link"]
    assert len(shares) == 2  # sidebar (hidden while presenting) and the control bar
    compact = {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.json)["compact"] for c in shares}
    assert compact == {"share_sidebar": False, "share_briefing": True}


@pytest.mark.parametrize("page", ["overview", "targets", "data"])
def test_every_page_has_the_copy_link_button(open_page, page):
    at = open_page(page, lang="en")
    assert not at.exception
    shares = [c for c in at.sidebar.get("bidi_component") if c.proto.component_name == "share_link"]
    assert len(shares) == 1
    data = json.loads(shares[0].proto.json)
    assert data["label"] == "Copy link to this view" and data["copied"] == "Link copied"
    assert "window.location.href" in shares[0].proto.js_content  # the address as it is when clicked
