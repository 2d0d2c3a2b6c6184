"""The briefing deck: the agenda's slides, built from the live tables, readable on a projector."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from dashboard import slides, theme
from dashboard.i18n import catalog
from dashboard.loading import load_csv_tables
from dashboard.i18n import t
from dashboard.pack import BADGE_DARK, cards_html, notes_html, slide_foot_html, slide_head_html, source_line
from hostile_data import EVIL_HOST, MARKDOWN_INJECTIONS, hostile_tables

HANGUL = re.compile(r"[\uac00-\ud7a3]")
KEY_LIKE = re.compile(r"\b(?:briefing|share|ui|unit|status|chart|map)\.[a-z_]+(?:\.[a-z_]+)*\b")


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return load_csv_tables()


@pytest.fixture(scope="module")
def decks(tables) -> dict[str, list[slides.Slide]]:
    return {lang: slides.build_deck(tables, lang) for lang in ("ko", "en")}


def _texts(slide: slides.Slide) -> list[str]:
    return [slide.section, slide.title, slide.message, slide.notes, *slide.sources,
            *(part for card in slide.cards for part in (card.heading, card.body, card.kicker))]


def test_the_deck_follows_the_briefing_agenda(decks):
    for lang, deck in decks.items():
        assert [slide.id for slide in deck] == list(slides.SLIDE_IDS)
        assert [slide.id for slide in deck] == ["title", "vision", "pillars", "belts", "package", "targets", "dna",
                                                "pyeongchang", "closing"]
        for slide in deck:
            assert slide.title.strip() and slide.message.strip() and slide.notes.strip(), (lang, slide.id)
            assert len(slide.figures) <= 2, slide.id
            assert slide.layout in ("title", "cards", "figure", "side", "stack")
            assert slide.cards or slide.figures, f"{slide.id} has nothing but text"
    en = {slide.id: slide for slide in decks["en"]}
    assert en["title"].title == "2017 Policy Briefing for Foreign Diplomats in Korea"
    assert [card.heading for card in en["vision"].cards] == ["Technology", "Industry", "Relations", "Diffusion"]
    assert [card.kicker for card in en["pillars"].cards] == ["P1", "P2", "P3", "P4"]
    assert [card.kicker for card in en["dna"].cards] == ["D", "N", "A"]
    assert [card.kicker for card in en["pyeongchang"].cards] == ["5G", "IoT", "UHD", "AI", "VR"]
    assert en["dna"].section.startswith("2 · ") and en["pyeongchang"].section.startswith("3 · ")


def test_every_text_is_translated_and_no_key_leaks(decks):
    keys = set(catalog())
    for lang, deck in decks.items():
        for slide in deck:
            for text in _texts(slide):
                assert text not in keys, (lang, slide.id, text)
                assert not KEY_LIKE.search(text), (lang, slide.id, text)
                assert "{" not in text, (lang, slide.id, text)  # every placeholder filled
    for ko, en in zip(decks["ko"], decks["en"], strict=True):
        assert HANGUL.search(ko.title) and HANGUL.search(ko.message), ko.id
        assert not HANGUL.search(en.title + en.message + en.notes), en.id
        assert ko.title != en.title


def test_maps_show_the_belts_and_the_package_regions(decks, tables):
    en = {slide.id: slide for slide in decks["en"]}
    regions = tables["regions"]
    countries = tables["countries"]
    belt = set(regions.loc[regions["role"] == "belt", "region_id"])
    package = set(regions.loc[regions["role"] == "package", "region_id"])

    def filled(fig) -> set[str]:
        return {loc for trace in fig.data if trace.type == "choropleth" for loc in trace.locations}

    belt_map, package_map = en["belts"].figures[0], en["package"].figures[0]
    belt_iso = set(countries.loc[countries["region_id"].isin(belt), "iso3"])
    package_iso = set(countries.loc[countries["region_id"].isin(package), "iso3"])
    assert belt_iso <= filled(belt_map) and not package_iso & filled(belt_map)
    assert package_iso <= filled(package_map) and not belt_iso & filled(package_map)
    assert any(trace.type == "scattergeo" and trace.mode == "lines" for trace in belt_map.data)  # the belts
    assert not any(trace.type == "scattergeo" and trace.mode == "lines" for trace in package_map.data)
    assert len(en["package"].cards) == len(package)


def test_slides_follow_the_published_tables(tables):
    """A new upload shows up in the slides: names, counts, targets, hubs, agenda."""
    changed = {name: frame.copy() for name, frame in tables.items()}
    changed["pillars"].loc[changed["pillars"]["pillar_id"] == "P1", "name_en"] = "Renamed pillar"
    extra = changed["pillars"].iloc[[0]].assign(pillar_id="P5", sort_order=5, name_en="A fifth pillar")
    changed["pillars"] = pd.concat([changed["pillars"], extra], ignore_index=True)
    changed["hubs"] = changed["hubs"].iloc[:2]
    changed["agenda"].loc[changed["agenda"]["item_no"] == 2, "title_en"] = "New agenda title"
    changed["targets"].loc[changed["targets"]["target_id"] == "T1", "goal_value"] = 5.0
    changed["briefing_facts"].loc[changed["briefing_facts"]["fact_id"] == "oda", "value_en"] = "See you in 2018"
    deck = {slide.id: slide for slide in slides.build_deck(changed, "en")}
    pillars = deck["pillars"]
    assert pillars.title == "The strategy's 5 pillars"
    assert [card.heading for card in pillars.cards][0] == "Renamed pillar"
    assert pillars.cards[-1].heading == "A fifth pillar"
    assert "7 key initiatives under 5 pillars" in pillars.message
    assert deck["dna"].section == "2 · New agenda title"
    assert "the diamonds are 2 cooperation hubs abroad" in deck["belts"].notes
    hubs = [trace for trace in deck["belts"].figures[0].data if trace.name == "Cooperation hubs abroad"]
    assert len(hubs) == 1 and len(hubs[0].lat) == 2
    t1 = next(card for card in deck["targets"].cards if card.kicker == "T1")
    assert "of 5 cases" in t1.body
    follow_up = deck["closing"].cards[0]
    assert follow_up.heading == "See you in 2018" and follow_up.kicker == "Follow-up" and follow_up.wide


def test_missing_series_do_not_break_the_deck(tables):
    empty = {name: frame.copy() for name, frame in tables.items()}
    for name in ("progress", "activities", "briefing_series", "milestones"):
        empty[name] = empty[name].iloc[0:0]
    deck = {slide.id: slide for slide in slides.build_deck(empty, "ko")}
    assert deck["closing"].figures == () and deck["closing"].layout == "cards"
    assert deck["pyeongchang"].figures == () and deck["pyeongchang"].layout == "cards"
    assert deck["targets"].illustrative is False
    assert len(deck["targets"].cards) == len(tables["targets"])
    assert deck["dna"].illustrative is False


def test_illustrative_numbers_are_flagged(decks, tables):
    en = {slide.id: slide for slide in decks["en"]}
    assert bool(tables["progress"]["illustrative"].any())
    assert en["targets"].illustrative and en["dna"].illustrative
    assert not en["belts"].illustrative and not en["vision"].illustrative
    assert "Illustrative (generated) data" not in slide_foot_html(en["vision"], "en")
    assert "generated examples" in en["targets"].notes


def test_illustrative_slides_say_what_the_source_is_for(decks):
    """The MSIT briefing defines the targets and D·N·A fields; the progress/activity numbers are
    generated: the source line must not read as if MSIT had published them."""
    en = {slide.id: slide for slide in decks["en"]}
    ko = {slide.id: slide for slide in decks["ko"]}
    assert source_line(en["targets"], "en") == ["Targets: MSIT briefing 2017-12-07",
                                                "Progress: illustrative (generated) data"]
    assert source_line(en["dna"], "en") == ["Capabilities and fields: MSIT briefing 2017-12-07",
                                            "Activity counts: illustrative (generated) data"]
    assert source_line(ko["targets"], "ko") == ["목표 정의 출처: MSIT briefing 2017-12-07", "진척 수치: 예시(가상) 데이터"]
    assert source_line(ko["dna"], "ko") == ["역량·분야 출처: MSIT briefing 2017-12-07", "활동 건수: 예시(가상) 데이터"]
    for lang, deck in decks.items():
        for slide in deck:
            foot = slide_foot_html(slide, lang)
            if slide.illustrative:
                # Not the bare "Source: ..." next to a bare badge, in either language.
                assert "<span>" + t("ui.source", lang, sources="") not in foot, (lang, slide.id, foot)
                assert ">" + t("ui.illustrative_caption", lang) + "<" not in foot, (lang, slide.id, foot)
    assert source_line(en["vision"], "en") == ["Source: MSIT briefing 2017-12-07"]


def test_package_cards_state_each_count_once(decks, tables):
    regions = tables["regions"]
    for lang, deck in decks.items():
        package = next(slide for slide in deck if slide.id == "package")
        for card in package.cards:
            counts = re.findall(r"(?<!\d)(\d+)(?!\d)", card.body)
            numbers = [n for n in counts if n not in ("2017", "49")]  # policy year, UN M49
            assert len(numbers) == len(set(numbers)) == 1, (lang, card.body)
    en = next(slide for slide in decks["en"] if slide.id == "package")
    assert [card.body for card in en.cards] == ["ASEAN 10 of the New Southern Policy (2017)",
                                                "UN M49 Southern Asia · 9 countries",
                                                "13 of the New Northern Policy (2017) countries"]
    assert len(en.cards) == int((regions["role"] == "package").sum())


def test_package_map_shows_asia_without_the_inset(decks):
    for deck in decks.values():
        fig = next(slide for slide in deck if slide.id == "package").figures[0]
        assert "geo2" not in fig.layout.to_plotly_json()
        assert all(trace.geo in (None, "geo") for trace in fig.data)  # one map, no Korean inset subplot
        assert list(fig.layout.geo.lonaxis.range) == list(slides.PACKAGE_VIEW[0])
        belts = next(slide for slide in deck if slide.id == "belts").figures[0]
        assert any(trace.geo == "geo2" for trace in belts.data)  # the belts keep their inset


def test_pyeongchang_dates_are_the_olympics(decks):
    en = next(slide for slide in decks["en"] if slide.id == "pyeongchang")
    ko = next(slide for slide in decks["ko"] if slide.id == "pyeongchang")
    assert "Winter Olympics (2018-02-09 – 2018-02-25) and Paralympics" in en.message
    assert "동계올림픽(2018-02-09 – 2018-02-25)과 패럴림픽" in ko.message
    assert "패럴림픽(" not in ko.message and "Paralympics (" not in en.message  # no Paralympic dates


def test_closing_slide_shows_the_series_as_numbers(decks, tables):
    """No two-measure chart: the follow-up and, per briefing, its attendees and countries from the
    table (a missing count said so, a missing year named)."""
    series = tables["briefing_series"].sort_values("event_date")
    for lang, deck in decks.items():
        closing = next(slide for slide in deck if slide.id == "closing")
        assert closing.figures == () and closing.layout == "cards"
        editions = [card for card in closing.cards if not card.wide]
        assert [card.kicker for card in editions] == list(series["event_date"].dt.strftime("%Y-%m-%d"))
        for card, (_, row) in zip(editions, series.iterrows(), strict=True):
            assert re.findall(r"\d+", card.heading) == [str(int(row["attendees"]))], card.heading
            if pd.notna(row["countries"]):
                assert str(int(row["countries"])) in card.body
            else:
                assert re.search(r"\d", card.body) is None, card.body
        assert "2019" in closing.footnote and "2019" in slide_foot_html(closing, lang)
        assert closing.message == t("briefing.closing.message", lang)


def _font_sizes(spec: dict) -> list[tuple[str, float]]:
    """(path, size) of every font size set anywhere in a figure's JSON."""
    found = []

    def walk(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "size" and "font" in path.rsplit(".", 1)[-1] and isinstance(item, (int, float)):
                    found.append((path, float(item)))
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")

    walk(spec, "")
    return found


def test_chart_text_is_projector_sized_and_colour_blind_safe(decks):
    palette = {c.lower() for c in (*theme.OKABE_ITO, *theme.REGION_COLOURS.values(), *theme.STATUS_COLOURS.values(),
                                   *theme.SEQUENTIAL, theme.INK, theme.MUTED, theme.ORIGIN_COLOUR, "#ffffff")}
    for lang, deck in decks.items():
        for slide in deck:
            for fig in slide.figures:
                spec = json.loads(fig.to_json())
                layout = {k: v for k, v in spec["layout"].items() if k != "template"}
                sizes = _font_sizes({"data": spec["data"], "layout": layout})
                assert sizes, slide.id
                assert all(size >= slides.BODY_PX for _, size in sizes), (lang, slide.id, sizes)
                assert layout["font"]["size"] >= slides.BODY_PX
                assert layout["uniformtext"]["minsize"] >= slides.BODY_PX  # Plotly may not shrink labels
                colours = [trace.get("marker", {}).get("color") for trace in spec["data"] if trace["type"] == "bar"]
                for colour in colours:
                    for value in ([colour] if isinstance(colour, str) else colour or []):
                        assert value.lower() in palette, (slide.id, value)
                template = fig.layout.template
                assert [c.lower() for c in template.layout.colorway] == [c.lower() for c in theme.OKABE_ITO]


def test_fragments_escape_every_data_string():
    hostile = hostile_tables()
    for lang in ("ko", "en"):
        for slide in slides.build_deck(hostile, lang):
            markup = slide_head_html(slide) + cards_html(slide.cards) + slide_foot_html(slide, lang) \
                + notes_html(slide, lang, "<b>next</b>")
            for payload in MARKDOWN_INJECTIONS:
                if "<" in payload:
                    assert payload not in markup, (slide.id, payload)
            assert "<script" not in markup.lower() and "<img" not in markup.lower()
            for fig in slide.figures:
                links = re.findall(r"<a\s[^>]*href", fig.to_json(), flags=re.I)
                assert not links, (slide.id, links)
    title = next(s for s in slides.build_deck(hostile, "en") if s.id == "title")
    assert "&lt;" in slide_head_html(title) + cards_html(title.cards)  # the payloads did reach the slide
    assert EVIL_HOST not in "".join(re.findall(r'href="[^"]*"', cards_html(title.cards)))


def test_slide_numbers_are_clamped(tables):
    assert slides.clamp_number(0) == 1 and slides.clamp_number(-3) == 1
    assert slides.clamp_number(99) == slides.slide_count() == 9
    assert slides.build_slide(tables, 99, "en").id == "closing"
    assert slides.build_slide(tables, 4, "xx").title == slides.build_slide(tables, 4, "ko").title
    assert slides.slide_titles(tables, "en")[3] == "Global cooperation belts"
    assert slides.slide_titles(tables, "ko") == [s.title for s in slides.build_deck(tables, "ko")]


def test_high_contrast_text(decks):
    """Projector contrast: slide text on white and on the cards, kicker labels on their accents."""
    from dashboard.pack import contrast, text_on

    assert contrast("#1b1f24", "#ffffff") >= 15  # titles and messages
    assert contrast("#3d4652", "#f2f4f7") >= 7  # card body text on the card
    assert contrast("#005a8c", "#ffffff") >= 7  # section line
    assert contrast("#ffffff", "#8a3b00") >= 7  # "illustrative" badge
    for deck in decks.values():
        for slide in deck:
            for card in slide.cards:
                # White or near-black, whichever contrasts more; at least WCAG AA for normal text.
                fg = text_on(card.accent)
                assert fg in ("#ffffff", BADGE_DARK), fg
                assert contrast(fg, card.accent) >= 4.5, (slide.id, card.accent, fg)
                assert contrast(fg, card.accent) >= contrast("#ffffff" if fg != "#ffffff" else BADGE_DARK, card.accent)
                assert f"--bp-kicker-fg:{fg}" in cards_html((card,))
    assert text_on("#E69F00") == BADGE_DARK and text_on("#0072B2") == "#ffffff"
    assert contrast(text_on("#D55E00"), "#D55E00") >= 4.5  # vermilion (P4, at risk): 4.3 with the slide ink


def test_pillar_colours_match_the_pillars_page(decks, tables):
    colours = theme.pillar_colours(tables["pillars"]["pillar_id"])
    for deck in decks.values():
        pillars = next(slide for slide in deck if slide.id == "pillars")
        assert {card.kicker: card.accent for card in pillars.cards} == colours


def test_closing_slide_editions_share_one_neutral_colour():
    deck = slides.build_deck(load_csv_tables(), "en")
    closing = next(slide for slide in deck if slide.id == "closing")
    editions = [card for card in closing.cards if not card.wide]
    assert editions and {card.accent for card in editions} == {theme.MUTED}
