"""4IR (D·N·A): core capabilities across the application fields."""

import streamlit as st

from dashboard.ui import cached, data
from dashboard.ui import components as ui
from dashboard.ui.state import current_filters, lang, tr
from dashboard.ui.text import escape_md

tables = data.tables()
L = lang()
st.title(tr("dna.title"))
st.markdown(tr("dna.lead"))

capabilities = tables["capabilities"].sort_values("sort_order")
fields = tables["fields"].sort_values("sort_order")
cols = st.columns(len(capabilities))
for column, cap in zip(cols, capabilities.itertuples(index=False), strict=True):
    with column.container(border=True):
        st.markdown(f"### {escape_md(cap.letter)}")
        st.markdown(escape_md(getattr(cap, f"name_{L}")))
st.markdown(f"**{tr('dna.fields')}:** " + escape_md(" · ".join(fields[f"name_{L}"])))

filters = current_filters()
ui.filter_notice(tables, filters)
matrix = cached.capability_matrix(tables, filters)
ui.illustrative_notice()
left, right = st.columns([3, 2], gap="large")
with left:
    ui.chart(cached.capability_heatmap(tables, filters, L), matrix.reset_index(), "dna_heatmap", illustrative=True)
with right:
    by_year = cached.capability_by_year(tables, filters)
    ui.chart(cached.capability_trend(tables, filters, L), by_year, "dna_trend", illustrative=True)
