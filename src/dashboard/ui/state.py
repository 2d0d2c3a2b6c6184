"""Language and cross-page filters, kept in the URL so that a link reopens the same view.

Streamlit's own `bind="query-params"` writes the *displayed* option label into the URL
(`?lang=English`, `?region=동남아`), which changes with the language and breaks shared links.
We keep stable ids in the URL instead (`?lang=en&region=SEA&years=2019-2021`): the URL wins
when it changed since our last write (deep link, edited address), the widget wins otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from dashboard.i18n import LANGUAGES, normalise_lang, t
from dashboard.metrics import Filters

LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}
_LAST_URL = "_url_written"
#: The sidebar filters' widget keys, which are also their URL parameters.
FILTER_KEYS = ("pillar", "region", "years")


def _url_raw(key: str) -> tuple[str, ...]:
    return tuple(st.query_params.get_all(key))


def url_bound(key: str, default: Any, parse: Callable[[tuple[str, ...]], Any],
              dump: Callable[[Any], Sequence[str]]) -> None:
    """Before a widget with `key` is created: take its value from the URL if the URL changed."""
    written: dict[str, tuple[str, ...]] = st.session_state.setdefault(_LAST_URL, {})
    raw = _url_raw(key)
    # A parameter missing from the URL is not a change: Streamlit drops the query string when the
    # sidebar navigation switches pages, and the session's choice must survive that.
    if key not in st.session_state or (raw and raw != written.get(key, None)):
        value = parse(raw) if raw else default
        st.session_state[key] = default if value is None else value
    st.session_state[f"_dump_{key}"] = dump


def write_url(key: str) -> None:
    """After the widget: put its current value in the URL (stable ids, omitted when empty)."""
    dump = st.session_state.get(f"_dump_{key}")
    if dump is None:
        return
    values = tuple(dump(st.session_state.get(key)))
    written: dict[str, tuple[str, ...]] = st.session_state.setdefault(_LAST_URL, {})
    if _url_raw(key) != values:
        if values:
            st.query_params[key] = list(values) if len(values) > 1 else values[0]
        elif key in st.query_params:
            del st.query_params[key]
    written[key] = values


def lang() -> str:
    """The UI language of this session."""
    return normalise_lang(st.session_state.get("lang"))


def tr(key: str, /, **params: object) -> str:
    """Translate `key` into the session's language."""
    return t(key, lang(), **params)


def language_switch(container=None) -> str:
    """The one KO/EN switch, kept in the URL as ?lang=ko / ?lang=en."""
    target = container if container is not None else st.sidebar
    url_bound("lang", "ko", lambda raw: raw[0] if raw[0] in LANGUAGES else None, lambda v: [normalise_lang(v)])
    target.radio("언어 · Language", LANGUAGES, format_func=LANGUAGE_NAMES.__getitem__, key="lang",
                 horizontal=True)
    write_url("lang")
    return lang()


def _ids(allowed: Sequence[str]) -> Callable[[tuple[str, ...]], list[str]]:
    def parse(raw: tuple[str, ...]) -> list[str]:
        chosen = [part for value in raw for part in value.split(",")]
        return [item for item in allowed if item in chosen]
    return parse


def _years(bounds: tuple[int, int]) -> Callable[[tuple[str, ...]], tuple[int, int] | None]:
    def parse(raw: tuple[str, ...]) -> tuple[int, int] | None:
        try:
            low, high = (int(part) for part in raw[0].split("-", 1))
        except ValueError:
            return None
        low, high = max(bounds[0], min(low, high)), min(bounds[1], max(low, high))
        return (low, high) if low <= high else None
    return parse


def filter_controls(tables, year_bounds: tuple[int, int]) -> Filters:
    """Sidebar filters (pillar, region, year range) shared by every analytical page."""
    pillars = tables["pillars"].sort_values("sort_order")
    regions = tables["regions"].sort_values("sort_order")
    name = f"name_{lang()}"
    pillar_names = dict(zip(pillars["pillar_id"], pillars[name], strict=True))
    region_names = dict(zip(regions["region_id"], regions[name], strict=True))
    low, high = year_bounds
    with st.sidebar:
        st.subheader(tr("filters.title"))
        url_bound("pillar", [], _ids(list(pillar_names)), lambda v: [",".join(v)] if v else [])
        chosen_pillars = st.multiselect(
            tr("filters.pillar"), list(pillar_names), key="pillar",
            format_func=lambda p: f"{p} · {pillar_names.get(p, p)}", placeholder=tr("filters.all"))
        write_url("pillar")
        url_bound("region", [], _ids(list(region_names)), lambda v: [",".join(v)] if v else [])
        chosen_regions = st.multiselect(
            tr("filters.region"), list(region_names), key="region",
            format_func=lambda r: region_names.get(r, r), placeholder=tr("filters.all"))
        write_url("region")
        years = (low, high)
        if high > low:
            url_bound("years", (low, high), _years(year_bounds),
                      lambda v: [] if tuple(v) == (low, high) else [f"{v[0]}-{v[1]}"])
            years = st.slider(tr("filters.years"), min_value=low, max_value=high, key="years")
            write_url("years")
    return Filters(pillars=tuple(p for p in chosen_pillars if p in pillar_names),
                   regions=tuple(r for r in chosen_regions if r in region_names),
                   years=(int(years[0]), int(years[1])))


def clear_filters() -> None:
    """on_click of "clear filters": every filter back to "all" (the URL follows on this rerun)."""
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)
        if key in st.query_params:
            del st.query_params[key]


def current_filters() -> Filters:
    """The filters chosen in the sidebar this run (set by app.py before the page runs)."""
    return st.session_state.get("_filters", Filters())


def _tab_chosen(key: str, widget: str, ids_by_label: dict[str, str]) -> None:
    st.session_state[key] = ids_by_label.get(st.session_state.get(widget), st.session_state.get(key))


def url_tabs(key: str, labels: Mapping[str, str]) -> dict[str, Any]:
    """Tabs whose choice is kept in the URL as a stable id (`?tab=T2`), whatever the language.

    Streamlit keeps the active tab's *label* in the session; we keep the id under `key` and set
    the label from it before the tabs are drawn, so a link or a language switch keeps the tab.
    Returns the tab containers by id; `.open` tells which one is shown.
    """
    ids = list(labels)
    # The first tab is written too: a Back to a URL without the parameter would keep the tab.
    url_bound(key, ids[0], lambda raw: raw[0] if raw[0] in labels else None, lambda value: [value])
    if st.session_state.get(key) not in labels:
        st.session_state[key] = ids[0]
    widget = f"_tabs_{key}"
    st.session_state[widget] = labels[st.session_state[key]]
    ids_by_label = {label: tab_id for tab_id, label in labels.items()}
    containers = st.tabs(list(labels.values()), key=widget, on_change=_tab_chosen,
                         args=(key, widget, ids_by_label))
    write_url(key)
    return dict(zip(ids, containers, strict=True))
