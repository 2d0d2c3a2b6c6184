"""Targets & progress: each target against its goal over time, with projection and status."""

import streamlit as st

from dashboard import figures
from dashboard.ui import cached, data
from dashboard.ui import components as ui
from dashboard.ui.state import current_filters, lang, tr, url_tabs
from dashboard.ui.text import escape_md

tables = data.tables()
L = lang()
st.title(tr("targets.title"))
st.markdown(tr("targets.lead"))
ui.illustrative_notice()
ui.filter_notice(tables, current_filters(), goals=True)

targets = tables["targets"].sort_values("sort_order")
filters = current_filters()
summary = cached.target_summary(tables, filters)
ui.target_cards(summary, targets)
ui.chart(cached.target_bullets(tables, filters, L), summary, "targets_bullets", illustrative=True)
if targets["horizon_is_assumption"].any():
    st.caption(tr("targets.horizon_note"))

tabs = url_tabs("target", {row.target_id: escape_md(f"{row.target_id} · {getattr(row, f'name_{L}')}")
                           for row in targets.itertuples(index=False)})
for target_id, tab in tabs.items():
    if not tab.open:
        continue  # only the shown tab's charts are built and sent
    with tab:
        cumulative, _ = cached.target_progress(tables, filters, target_id)
        left, right = st.columns([3, 2], gap="large")
        with left:
            ui.chart(cached.progress_line(tables, filters, target_id, L), cumulative,
                     f"targets_line_{target_id}", illustrative=True)
        with right:
            by_region = cached.progress_by_region(tables, filters, target_id)
            ui.chart(cached.progress_by_region_bar(tables, filters, target_id, L), by_region,
                     f"targets_region_{target_id}", illustrative=True)

st.subheader(tr("targets.context"))
trade = tables["ict_trade"]
ui.chart(cached.table_figure(tables, figures.ict_trade_chart, "ict_trade", L), trade, "targets_trade",
         table="ict_trade", sources=trade["source"])
st.caption(tr("targets.trade_note"))
