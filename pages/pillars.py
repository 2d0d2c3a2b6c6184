"""Pillars & initiatives: pillar -> initiative -> theme/region."""

import streamlit as st

from dashboard import figures, metrics
from dashboard.ui import components as ui
from dashboard.ui import data
from dashboard.ui.state import current_filters, lang, tr

tables = data.tables()
L = lang()
filters = current_filters()
st.title(tr("pillars.title"))
st.markdown(tr("pillars.lead"))

pillars = tables["pillars"]
initiatives = tables["initiatives"]
if filters.pillars:
    pillars = pillars[pillars["pillar_id"].isin(filters.pillars)]
    initiatives = initiatives[initiatives["pillar_id"].isin(filters.pillars)]
themes = tables["themes"][tables["themes"]["initiative_id"].isin(initiatives["initiative_id"])]
regions = tables["regions"][tables["regions"]["initiative_id"].isin(initiatives["initiative_id"])]
if filters.regions:
    regions = regions[regions["region_id"].isin(filters.regions)]

tree = metrics.hierarchy(pillars, initiatives, themes, L)
ui.chart(figures.strategy_treemap(tree, L), tree.drop(columns=["count"]), "pillars_tree")
links = metrics.strategy_links(pillars, initiatives, regions, themes, L)
ui.chart(figures.strategy_sankey(links, L), links.drop(columns=["pillar_id"]), "pillars_sankey")

st.subheader(tr("pillars.initiatives"))
ui.initiative_list(initiatives, pillars, themes, tables["regions"])
