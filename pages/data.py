"""Data: download each table and its template, read its columns, upload, check, preview, publish,
and browse or roll back its versions. Writing needs an editor (see dashboard.ui.auth)."""

import streamlit as st

from dashboard.ui import components as ui
from dashboard.ui import data, data_page
from dashboard.ui.auth import editor_gate
from dashboard.ui.state import current_filters, lang, tr, url_tabs

tables = data.tables()
st.title(tr("data.title"))
st.markdown(tr("data.intro"))
ui.filter_notice(tables, current_filters(), applies=False)
ui.store_warnings(tables.warnings)
data_page.show_flash()

with st.container(border=True):
    editor = editor_gate()

spec = data_page.table_picker()
st.caption(spec.description(lang()))
headers = data_page.header_style()

# every tab is drawn, open or not: an upload in progress must survive a look at another tab
tabs = url_tabs("tab", {tab: tr(f"data.tab_{tab}") for tab in
                        ["current", *(["upload"] if editor else []), "columns", "history"]})
with tabs["current"]:
    data_page.current_data(spec, tables, headers)
if editor:
    with tabs["upload"]:
        data_page.upload_and_publish(spec, tables, editor)
with tabs["columns"]:
    data_page.column_guide(spec)
with tabs["history"]:
    data_page.history(spec, headers, editor)
