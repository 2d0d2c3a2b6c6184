"""Briefing: the 2017 agenda as slides for presenters."""

import streamlit as st

from dashboard.ui import data
from dashboard.ui.state import tr

tables = data.tables()
st.title(tr("briefing.title"))
for item in tables["agenda"].itertuples(index=False):
    st.markdown(f"{item.item_no}. {item.title_ko if st.session_state.get('lang') != 'en' else item.title_en}")
