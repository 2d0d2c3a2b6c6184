"""Entry point: language switch, cross-page filters and navigation over the files in pages/."""

import streamlit as st

from dashboard.ui import cached, data, layout, state

st.set_page_config(page_title="S&T/ICT Diplomacy Strategy", page_icon=layout.FAVICON, layout="wide")
state.language_switch()
tables = data.tables_or_stop()
navigation = st.navigation(layout.pages(state.tr))
st.set_page_config(page_title=f"{navigation.title} · {state.tr('app.short_title')}")
st.session_state["_filters"] = state.filter_controls(tables, cached.year_bounds(tables))
layout.sidebar_footer(tables)
navigation.run()
