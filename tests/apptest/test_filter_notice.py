"""A filtered view says so on the page (not only in the sidebar), does not judge national goals
against a filtered part, and can be cleared in one click."""

from dashboard.i18n import t


def statuses(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_unfiltered_pages_show_no_notice(open_page):
    for page in ("overview", "targets", "pillars", "dna", "regions"):
        at = open_page(page, lang="en")
        assert not [i for i in at.info if "Filtered view" in i.value], page


def test_region_filter_is_named_on_the_page_and_goals_are_not_judged(open_page):
    at = open_page("targets", lang="en", region="SEA", years="2019-2021")
    assert not at.exception
    notice = [i.value for i in at.info if "Filtered view" in i.value]
    assert len(notice) == 1
    assert "Southeast Asia" in notice[0] and "2019–2021" in notice[0] and "national totals" in notice[0]
    text = statuses(at)
    assert t("status.partial", "en") in text
    assert t("status.at_risk", "en") not in text and t("status.on_track", "en") not in text


def test_pillar_filter_alone_does_not_narrow_the_targets(open_page):
    at = open_page("targets", lang="ko", pillar="P1")
    notice = [i.value for i in at.info if t("filters.notice", "ko").split(" —")[0] in i.value]
    assert len(notice) == 1 and "P1" in notice[0]
    assert t("filters.notice_goals", "ko") not in notice[0]  # progress has no pillar: goals still judged
    assert t("status.partial", "ko") not in statuses(at)


def test_clear_filters_resets_every_filter_and_the_url(open_page):
    at = open_page("dna", lang="en", region="SEA", pillar="P2", years="2020-2021")
    at.button(key="filters_clear").click().run()
    assert not at.exception
    assert not [i for i in at.info if "Filtered view" in i.value]
    assert {"region", "pillar", "years"}.isdisjoint(at.query_params)
    assert at.session_state["region"] == [] and at.session_state["pillar"] == []


def test_pages_the_filters_do_not_change_say_so(open_page):
    for page in ("pyeongchang", "data"):
        assert t("filters.not_here", "en") not in [c.value for c in open_page(page, lang="en").caption]
        at = open_page(page, lang="en", region="SEA")
        assert not at.exception
        assert t("filters.not_here", "en") in [c.value for c in at.caption], page
