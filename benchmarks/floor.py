"""The floor page: a page that only renders a title, timed exactly like the real pages.

It runs inside app.py's navigation (language switch, sidebar filters) like every page, so a
page's ratio to it is the cost the page adds on top of Streamlit and the app's shared chrome.
"""

import streamlit as st

st.title("Floor")
