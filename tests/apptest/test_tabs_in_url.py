"""The tab shown on a page is part of the link: `?target=T2` on Targets, `?tab=history` on Data,
kept as a stable id through a language switch; only the shown Targets tab builds its charts."""

import pytest


def chart_keys(at) -> list[str]:
    return [chart.key for chart in at.get("plotly_chart")]


def test_targets_link_opens_the_named_tab_and_builds_only_its_charts(open_page):
    at = open_page("targets", lang="en", target="T2")
    assert not at.exception
    keys = chart_keys(at)
    assert {"targets_line_T2", "targets_region_T2"} <= set(keys)
    assert not any(key.endswith(("_T1", "_T3")) for key in keys), keys
    assert at.session_state["_tabs_target"] == at.tabs[1].label
    assert at.query_params["target"] == "T2"


def test_targets_tab_survives_the_language_switch(open_page):
    at = open_page("targets", lang="en", target="T3")
    at.sidebar.radio[0].set_value("ko").run()
    assert not at.exception
    assert "targets_line_T3" in chart_keys(at)
    assert at.session_state["_tabs_target"] == at.tabs[2].label
    assert at.tabs[2].label.startswith("T3 · ") and "Global" not in at.tabs[2].label
    assert at.query_params["target"] == "T3" and at.query_params["lang"] == "ko"


@pytest.mark.parametrize("value", ["T9", "<script>", ""])
def test_targets_unknown_tab_falls_back_to_the_first(open_page, value):
    at = open_page("targets", lang="en", target=value)
    assert not at.exception
    assert "targets_line_T1" in chart_keys(at)
    assert at.query_params["target"] == "T1"


def test_data_link_opens_the_history_tab(open_page):
    at = open_page("data", lang="en", tab="history", table="progress")
    assert not at.exception
    assert at.session_state["_tabs_tab"] == "History" == at.tabs[-1].label
    assert at.query_params["tab"] == "history"


def test_data_upload_tab_in_a_link_needs_an_editor(open_page):
    at = open_page("data", lang="en", tab="upload")
    assert not at.exception
    assert "Upload & publish" not in [tab.label for tab in at.tabs]
    assert at.session_state["_tabs_tab"] == at.tabs[0].label
