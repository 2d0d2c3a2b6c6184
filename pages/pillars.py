"""Pillars & initiatives: pillar -> initiative -> theme/region."""

import streamlit as st

from dashboard.ui import cached, data
from dashboard.ui import components as ui
from dashboard.ui.state import current_filters, lang, tr

tables = data.tables()
L = lang()
filters = current_filters()
st.title(tr("pillars.title"))
st.markdown(tr("pillars.lead"))
ui.filter_notice(tables, filters)

pillars, initiatives, themes, _ = cached.strategy_subset(tables, filters)
tree = cached.strategy_tree(tables, filters, L)
ui.chart(cached.strategy_treemap(tables, filters, L), tree.drop(columns=["count"]), "pillars_tree")
links = cached.strategy_links(tables, filters, L)
ui.chart(cached.strategy_sankey(tables, filters, L), links.drop(columns=["pillar_id"]), "pillars_sankey")

st.subheader(tr("pillars.initiatives"))
ui.initiative_list(initiatives, pillars, themes, tables["regions"])
