"""Reusable page pieces: a chart with its data and download, notices, source lines, KPI cards."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import geo_assets, metrics
from dashboard.export import to_csv_bytes
from dashboard.figure_text import escape_figure
from dashboard.i18n import t
from dashboard.schema import table_specs
from dashboard.ui import cached
from dashboard.ui.state import clear_filters, lang, tr
from dashboard.ui.text import escape_md


def plotly_config() -> dict:
    return geo_assets.plotly_config(lang(), base_url_path=st.get_option("server.baseUrlPath") or "")


def localise_columns(frame: pd.DataFrame, table: str | None = None, language: str | None = None) -> pd.DataFrame:
    """Column headers in `language` (default: the UI's): schema labels for table columns, `col.*`
    keys otherwise."""
    language = language or lang()
    labels: dict[str, str] = {}
    spec = table_specs().get(table) if table else None
    for column in frame.columns:
        if spec is not None and column in spec.column_names:
            labels[column] = spec.column(column).label(language)
        else:
            key = f"col.{column}"
            text = t(key, language)
            labels[column] = text if text != key else str(column)
    return frame.rename(columns=labels)


def escaped_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Every header and cell Markdown-escaped, missing as empty (st.table reads cells as Markdown)."""
    return frame.rename(columns=escape_md).map(lambda v: "" if pd.isna(v) else escape_md(str(v)))


def for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates without a time of day shown as dates (not "2018-03-31 00:00:00")."""
    dates = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])
             and (frame[c].dropna() == frame[c].dropna().dt.normalize()).all()]
    return frame.assign(**{c: frame[c].dt.date for c in dates}) if dates else frame


def sources_line(sources: Iterable[str]) -> None:
    unique = [s for s in dict.fromkeys(str(s) for s in sources if isinstance(s, str) and s.strip())]
    if unique:
        st.caption(tr("ui.source", sources=escape_md("; ".join(unique))))


def illustrative_notice() -> None:
    """Shown on every view that displays generated example data."""
    st.warning(tr("ui.illustrative_notice"), icon=":material/science:")


def data_table(frame: pd.DataFrame, key: str, *, table: str | None = None, file_stem: str | None = None,
               height: int | str = "auto", wrap: bool = False) -> None:
    """A table with localised headers and a CSV download (formula-safe, UTF-8 with BOM).

    `wrap`: a static table whose long text wraps (for a few rows of sentences, which the grid
    would cut off); st.table reads cells as Markdown, so every cell is escaped first.
    The CSV is built only when the button is clicked (deferred download, no rerun), not on
    every rerun of the page.
    """
    shown = localise_columns(for_display(frame), table)
    if wrap:
        st.table(escaped_cells(shown), hide_index=True)
    else:
        st.dataframe(shown, hide_index=True, width="stretch", height=height)
    csv_download(shown, file_stem or key, key)


def csv_download(shown: pd.DataFrame, file_stem: str, key: str) -> None:
    """The CSV download of a shown table, built only when clicked (no rerun, nothing on reruns)."""
    st.download_button(tr("ui.download_csv"), data=lambda: to_csv_bytes(shown), file_name=f"{file_stem}.csv",
                       mime="text/csv", key=f"dl_{key}", icon=":material/download:", on_click="ignore")


def chart(fig: go.Figure, data: pd.DataFrame, key: str, *, sources: Iterable[str] = (),
          illustrative: bool = False, table: str | None = None, on_select: str = "ignore",
          selection_mode: tuple[str, ...] = ("points",)):
    """A Plotly chart, its source line, and a "data" expander with the rows behind it."""
    if not cached.is_escaped(fig):  # figures from ui.cached were escaped once, when built
        fig = escape_figure(fig)  # data strings as text, not Plotly pseudo-HTML (<a href>, <span>)
    event = st.plotly_chart(fig, key=key, config=plotly_config(), on_select=on_select,
                            selection_mode=selection_mode) if on_select != "ignore" else \
        st.plotly_chart(fig, key=key, config=plotly_config())
    if illustrative:
        st.caption(tr("ui.illustrative_caption"))
    sources_line(sources)
    data_expander(data, key, table=table)
    return event


@st.fragment
def data_expander(data: pd.DataFrame, key: str, *, table: str | None = None) -> None:
    """The rows behind a chart, in an expander whose table is built only while it is open.

    Opening or closing it reruns this fragment alone, not the page; a closed expander costs
    nothing on the page's reruns and sends no table to the browser.
    """
    with st.expander(tr("ui.show_data"), icon=":material/table:", key=f"{key}_data", on_change="rerun") as box:
        if box.open:
            data_table(data, key, table=table)


def status_badge(status: str) -> str:
    colours = {"on_track": "green", "at_risk": "orange", "no_target": "gray", "no_data": "gray", "partial": "blue"}
    return f":{colours.get(status, 'gray')}-badge[{tr('status.' + status)}]"


def filter_notice(tables, filters: metrics.Filters, *, goals: bool = False, applies: bool = True) -> None:
    """Say on the page itself (not only in the sidebar) that the view is filtered, with a way out.

    A screenshot of a filtered view must not pass for the whole picture; `goals` adds that the
    targets' goals are national totals and are not judged against a filtered part. On a page the
    sidebar filters do not change (`applies=False`), say that instead of leaving them silently unused.
    """
    bounds = cached.year_bounds(tables)
    narrowed_years = metrics.narrows_years(filters, bounds)
    if not (filters.pillars or filters.regions or narrowed_years):
        return
    if not applies:
        st.caption(tr("filters.not_here"))
        return
    L = lang()
    names = {**dict(zip(tables["pillars"]["pillar_id"], tables["pillars"][f"name_{L}"], strict=True)),
             **dict(zip(tables["regions"]["region_id"], tables["regions"][f"name_{L}"], strict=True))}
    parts = [f"{tr('filters.pillar')}: " + ", ".join(f"{p} {names.get(p, p)}" for p in filters.pillars)
             if filters.pillars else "",
             f"{tr('filters.region')}: " + ", ".join(names.get(r, r) for r in filters.regions) if filters.regions else "",
             f"{tr('filters.years')}: {filters.years[0]}–{filters.years[1]}" if narrowed_years else ""]
    text = tr("filters.notice", filters=escape_md(" · ".join(part for part in parts if part)))
    if goals and metrics.narrows_progress(filters, bounds):
        text += " " + tr("filters.notice_goals")
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.info(text, icon=":material/filter_alt:")
        st.button(tr("filters.clear"), icon=":material/filter_alt_off:", key="filters_clear",
                  on_click=clear_filters, width="content")


def store_warnings(warnings: Iterable[str]) -> None:
    for warning in warnings:
        st.error(tr("ui.store_damaged", detail=warning), icon=":material/report:")


def _unit(unit: str) -> str:
    return tr(f"unit.{unit}")


def target_cards(summary: pd.DataFrame, targets: pd.DataFrame) -> None:
    """One KPI card per target: achieved so far against the goal, status and projection."""
    frame = summary.merge(targets, on="target_id")
    columns = st.columns(len(frame)) if len(frame) else []
    for column, row in zip(columns, frame.itertuples(index=False), strict=True):
        with column.container(border=True):
            st.caption(f"{escape_md(row.target_id)} · {escape_md(getattr(row, f'name_{lang()}'))}")
            label = tr("kpi.achieved_unit", unit=_unit(row.unit))
            if pd.isna(row.goal):
                st.metric(label, f"{row.achieved:,.0f}")
                st.caption(tr("kpi.no_goal"))
            else:
                st.metric(label, f"{row.achieved:,.0f}", delta=tr("kpi.projected", value=f"{row.projected or 0:,.0f}",
                                                                  year=int(row.horizon_year)), delta_color="off")
                share = row.achieved / row.goal
                of_goal = "kpi.of_national_goal" if row.status == metrics.PARTIAL else "kpi.of_goal"
                st.progress(min(1.0, max(0.0, share)), text=tr(of_goal, share=f"{share:.0%}", goal=f"{row.goal:,.0f}"))
            st.markdown(status_badge(row.status))


def attribute_row(attributes: pd.DataFrame, per_row: int = 2) -> None:
    """The strategy's attributes as cards, `per_row` to a row (four in a half-width column would
    break English words mid-word)."""
    rows = list(attributes.sort_values("sort_order").itertuples(index=False))
    for start in range(0, len(rows), per_row):
        for column, row in zip(st.columns(per_row), rows[start:start + per_row], strict=False):
            _attribute_card(column, row)


def _attribute_card(column, row) -> None:
    with column.container(border=True):
        st.markdown(f"**{escape_md(getattr(row, f'name_{lang()}'))}**")
        st.caption(escape_md(getattr(row, f"description_{lang()}")))


def facts_table(tables, table: str, key: str, region_ids: tuple[str, ...] = ()) -> bool:
    """Label / value / source rows of a facts table in the UI language, wrapped, with a CSV download;
    only the rows of `region_ids` when given. False (and nothing drawn) when no row is left."""
    shown, escaped = cached.per_state(tables, facts_in, table, lang(), tuple(region_ids))
    if shown.empty:
        return False
    st.table(escaped, hide_index=True)
    csv_download(shown, key, key)
    return True


def facts_in(tables, table: str, language: str, region_ids: tuple[str, ...] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The label, value and source columns of facts `table` in `language`, in their order, with
    localised headers (only the rows of `region_ids` when given); and the same escaped for
    st.table (built once per published state)."""
    facts = tables[table]
    if region_ids and "region_id" in facts:
        facts = facts[facts["region_id"].isin(region_ids)]
    view = facts.sort_values("sort_order") if "sort_order" in facts else facts
    shown = localise_columns(view[[f"label_{language}", f"value_{language}", "source"]].rename(
        columns={f"label_{language}": "label", f"value_{language}": "value"}), language=language)
    return shown, escaped_cells(shown)


def initiative_list(initiatives: pd.DataFrame, pillars: pd.DataFrame, themes: pd.DataFrame,
                    regions: pd.DataFrame) -> None:
    """Each initiative with its pillar, detail, themes and regions."""
    L = lang()
    pillar_names = pillars.set_index("pillar_id")[f"name_{L}"]
    for row in initiatives.sort_values("sort_order").itertuples(index=False):
        title = f"{row.initiative_id} · {getattr(row, f'name_{L}')}"
        with st.expander(escape_md(title)):
            st.markdown(f"**{tr('col.pillar')}:** {escape_md(row.pillar_id)} · "
                        f"{escape_md(pillar_names.get(row.pillar_id, ''))}")
            st.markdown(escape_md(getattr(row, f"detail_{L}")))
            own_themes = themes.loc[themes["initiative_id"] == row.initiative_id, f"name_{L}"]
            own_regions = regions.loc[regions["initiative_id"] == row.initiative_id, f"name_{L}"]
            if len(own_themes):
                st.markdown(f"**{tr('col.themes')}:** " + escape_md(", ".join(own_themes)))
            if len(own_regions):
                st.markdown(f"**{tr('col.regions')}:** " + escape_md(", ".join(own_regions)))
    data_table(initiatives.drop(columns=["sort_order"]), "initiatives_table", table="initiatives")
