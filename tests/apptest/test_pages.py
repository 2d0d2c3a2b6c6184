"""Every analytical page runs without exception in both languages and shows its key content."""

import pytest

EXPECTED = {
    # page: (title ko, title en, number of Plotly charts at least)
    "overview": ("과학기술·ICT 외교 전략 한눈에 보기", "S&T/ICT diplomacy strategy at a glance", 1),
    "pillars": ("전략 목표와 중점 과제", "Pillars and key initiatives", 2),
    "targets": ("성과 목표와 진척", "Targets and progress", 4),  # bullets, the open tab (2), trade
    "dna": ("4차 산업혁명 추진방향: D·N·A", "4th industrial revolution: D·N·A", 1),
    "pyeongchang": ("평창 ICT올림픽", "Pyeongchang ICT Olympics", 1),
}



@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("page", list(EXPECTED))
def test_page_runs_in_both_languages(open_page, page, lang):
    at = open_page(page, lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    title_ko, title_en, charts = EXPECTED[page]
    assert [t.value for t in at.title] == [title_ko if lang == "ko" else title_en]
    assert len(at.get("plotly_chart")) >= charts
    labels = [r.label for r in at.sidebar.radio]
    assert labels == ["언어 · Language"]


def test_illustrative_data_is_labelled_on_every_view_that_shows_it(open_page):
    for page in ("overview", "targets", "dna"):
        at = open_page(page, lang="en")
        warnings = " ".join(w.value for w in at.warning)
        assert "Illustrative data" in warnings, page


def test_overview_shows_targets_pillars_and_briefing_facts(open_page):
    at = open_page("overview", lang="en")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Achieved (cases)"] == "32"
    assert "Achieved (USD million)" in metrics and "Achieved (persons)" in metrics
    text = " ".join(m.value for m in at.markdown)
    assert "Raise Korea's global innovation capacity" in text
    assert "No target set" in text


def test_filters_from_the_url_apply(open_page):
    unfiltered = open_page("targets", lang="en")
    filtered = open_page("targets", lang="en", region="SEA", years="2019-2019")
    assert filtered.multiselect(key="region").value == ["SEA"]
    assert filtered.slider(key="years").value == (2019, 2019)
    before = [m.value for m in unfiltered.metric]
    after = [m.value for m in filtered.metric]
    assert before != after


def test_language_switch_changes_the_page_and_the_url(open_page):
    at = open_page("pillars", lang="ko")
    at.sidebar.radio[0].set_value("en").run()
    assert [t.value for t in at.title] == ["Pillars and key initiatives"]
    assert at.query_params["lang"] == ["en"] or at.query_params["lang"] == "en"


def test_pillar_filter_narrows_initiatives(open_page):
    at = open_page("pillars", lang="en", pillar="P4")
    labels = [e.label for e in at.expander]
    assert any("I7" in label for label in labels)
    assert not any(label.startswith("I1") for label in labels)


def test_fact_tables_wrap_and_escape_every_cell(open_page):
    at = open_page("overview", lang="en")
    tables = at.get("table")
    assert len(tables) == 1  # the briefing facts, as a static table whose sentences wrap
    frame = tables[0].value
    assert list(frame.columns) == ["Item", "Value", "Source"]
    assert "7–8 December 2017" in set(frame["Value"])
    assert "Ministry of Science and ICT \\(MSIT\\)" in set(frame["Value"])  # Markdown-escaped for st.table
