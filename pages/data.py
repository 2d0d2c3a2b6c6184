"""Data: download each table and its template, read its columns, upload, check, preview, publish,
and browse or roll back its versions. Writing needs an editor (see dashboard.ui.auth)."""

import streamlit as st

from dashboard.ui import components as ui
from dashboard.ui import data, data_page
from dashboard.ui.auth import editor_gate
from dashboard.ui.state import lang, tr

tables = data.tables()
st.title(tr("data.title"))
st.markdown(tr("data.intro"))
ui.store_warnings(tables.warnings)
data_page.show_flash()

with st.container(border=True):
    editor = editor_gate()

spec = data_page.table_picker()
st.caption(spec.description(lang()))
headers = data_page.header_style()

labels = [tr("data.tab_current"), tr("data.tab_columns"), tr("data.tab_history")]
if editor:
    labels.insert(1, tr("data.tab_upload"))
tabs = dict(zip(labels, st.tabs(labels), strict=True))
with tabs[tr("data.tab_current")]:
    data_page.current_data(spec, tables, headers)
if editor:
    with tabs[tr("data.tab_upload")]:
        data_page.upload_and_publish(spec, tables, editor)
with tabs[tr("data.tab_columns")]:
    data_page.column_guide(spec)
with tabs[tr("data.tab_history")]:
    data_page.history(spec, headers, editor)
