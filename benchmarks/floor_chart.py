"""The chart floor: a title and one tiny Plotly chart, timed like the real pages.

Streamlit loads its Plotly bundle (about 4.7 MB of JavaScript) the first time a page shows a
chart; this page measures that cost, so that a chart page can be compared with it as well as with
the title-only floor.
"""

import plotly.graph_objects as go
import streamlit as st

st.title("Floor with a chart")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2])), key="floor_chart")
