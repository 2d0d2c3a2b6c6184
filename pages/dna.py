"""4IR (D·N·A): core capabilities across the application fields."""

import streamlit as st

from dashboard import figures, metrics
from dashboard.ui import components as ui
from dashboard.ui import data
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

activity = metrics.filter_activities(tables["activities"], tables["countries"], tables["initiatives"],
                                     current_filters())
matrix = metrics.capability_field_matrix(activity, capabilities, fields)
ui.illustrative_notice()
left, right = st.columns([3, 2], gap="large")
with left:
    ui.chart(figures.capability_heatmap(matrix, capabilities, fields, L), matrix.reset_index(), "dna_heatmap",
             illustrative=True)
with right:
    by_year = metrics.capability_by_year(activity)
    ui.chart(figures.capability_trend(by_year, capabilities, L), by_year, "dna_trend", illustrative=True)
