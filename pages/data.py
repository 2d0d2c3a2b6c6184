"""Data: the published tables, their schemas and versions."""

import streamlit as st

from dashboard.schema import table_specs
from dashboard.ui import components as ui
from dashboard.ui import data
from dashboard.ui.state import lang, tr

tables = data.tables()
st.title(tr("data.title"))
st.markdown(tr("data.lead"))
specs = table_specs()
name = st.selectbox(tr("data.table"), list(specs), format_func=lambda n: f"{specs[n].title(lang())} ({n})",
                    key="table", bind="query-params")
spec = specs[name]
st.caption(spec.description(lang()))
ui.data_table(tables[name], f"data_{name}", table=name, file_stem=name)
