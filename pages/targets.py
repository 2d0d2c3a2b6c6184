"""Targets & progress: each target against its goal over time, with projection and status."""

import streamlit as st

from dashboard import figures, metrics
from dashboard.ui import components as ui
from dashboard.ui import data
from dashboard.ui.state import current_filters, lang, tr
from dashboard.ui.text import escape_md

tables = data.tables()
L = lang()
st.title(tr("targets.title"))
st.markdown(tr("targets.lead"))
ui.illustrative_notice()

targets = tables["targets"].sort_values("sort_order")
progress = metrics.filter_progress(tables["progress"], current_filters())
summary = metrics.target_summary(targets, progress)
ui.target_cards(summary, targets)
ui.chart(figures.target_bullets(summary, targets, L), summary, "targets_bullets", illustrative=True)
if targets["horizon_is_assumption"].any():
    st.caption(tr("targets.horizon_note"))

tabs = st.tabs([escape_md(f"{row.target_id} · {getattr(row, f'name_{L}')}") for row in targets.itertuples(index=False)])
for tab, target in zip(tabs, targets.to_dict("records"), strict=True):
    with tab:
        cumulative = metrics.cumulative_progress(progress, target["target_id"])
        projected = metrics.projection(cumulative, int(target["horizon_year"]))
        left, right = st.columns([3, 2], gap="large")
        with left:
            ui.chart(figures.progress_line(cumulative, target, projected, L), cumulative,
                     f"targets_line_{target['target_id']}", illustrative=True)
        with right:
            by_region = metrics.progress_by_region(progress, target["target_id"])
            ui.chart(figures.progress_by_region_bar(by_region, tables["regions"], target["unit"], L), by_region,
                     f"targets_region_{target['target_id']}", illustrative=True)

st.subheader(tr("targets.context"))
trade = tables["ict_trade"]
ui.chart(figures.ict_trade_chart(trade, L), trade, "targets_trade", table="ict_trade", sources=trade["source"])
st.caption(tr("targets.trade_note"))
