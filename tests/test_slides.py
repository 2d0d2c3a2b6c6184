"""The briefing deck: the agenda's slides, built from the live tables, readable on a projector."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from dashboard import slides, theme
from dashboard.i18n import catalog
from dashboard.loading import load_csv_tables
from dashboard.pack import cards_html, notes_html, slide_foot_html, slide_head_html
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
    assert deck["closing"].message == "See you in 2018"


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
    assert "Illustrative (generated) data" in slide_foot_html(en["targets"], "en")
    assert "Illustrative" not in slide_foot_html(en["vision"], "en")
    assert "generated examples" in en["targets"].notes


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
                # Kickers are bold and at least 18 px: large text, for which WCAG asks 3:1.
                assert contrast(text_on(card.accent), card.accent) >= 4.0, (slide.id, card.accent)
    assert text_on("#E69F00") == "#1b1f24" and text_on("#0072B2") == "#ffffff"
