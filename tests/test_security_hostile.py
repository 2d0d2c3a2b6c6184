"""Hostile data is rendered as text on every page (AppTest, both languages).

Every free-text column of every published table carries payloads (`tests/hostile_data.py`):
script and image tags, `javascript:` links, Markdown image/link injection, Streamlit colour and
badge directives, very long strings. Each page is run and every string Streamlit would render as
Markdown (bodies, captions, labels, tab and expander titles, alerts, metric labels) is checked:
a payload may appear only escaped, never as is. The browser test (tests/browser/
test_hostile_input.py) checks what Chromium actually does with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

from dashboard.ui.layout import PAGES
from dashboard.ui.text import escape_md
from dashboard.figure_text import escape_figure, sanitise_markup
from hostile_data import EVIL_HOST, MARKDOWN_INJECTIONS, PAYLOADS, hostile_store

HTML_INJECTIONS = tuple(p for p in MARKDOWN_INJECTIONS if "<" in p)

ROOT = Path(__file__).resolve().parents[1]
PAGE_FILES = [file for file, *_ in PAGES]
# (element type, field) pairs Streamlit shows as plain text or does not show: not Markdown.
PLAIN_FIELDS = {
    ("multiselect", "options"), ("multiselect", "default"), ("multiselect", "raw_values"),
    ("selectbox", "options"), ("selectbox", "raw_value"), ("radio", "raw_value"),
    ("segmented_control", "raw_values"), ("pills", "raw_values"),
    ("text_input", "value"), ("text_area", "value"), ("text_input", "raw_value"),
    ("download_button", "url"), ("plotly_chart", "spec"), ("plotly_chart", "config"),
    ("bidi_component", "json"), ("code", "code_text"),
}
SKIP_FIELDS = {"id", "form_id", "icon", "js_content", "css_content", "html_content", "js_source_path",
               "css_source_path", "component_name", "theme", "columns", "url", "placeholder"}


class _NavigationPagesManager(PagesManager):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile_store")
    hostile_store(root)
    return root


@pytest.fixture
def run_page(hostile_dir, monkeypatch):
    monkeypatch.setenv("DASHBOARD_STORE", str(hostile_dir))
    monkeypatch.setattr(app_test, "PagesManager", _NavigationPagesManager)
    st.cache_resource.clear()  # get_store() is cached per process: point it at this store
    st.cache_data.clear()

    def run(file: str, lang: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["lang"] = lang
        if file != PAGE_FILES[0]:
            at.switch_page(f"pages/{file}")
        at.run()
        return at

    yield run
    st.cache_resource.clear()
    st.cache_data.clear()


def rendered_strings(node) -> Iterator[tuple[str, str, str]]:
    """(element type, field, text) for every string field of every element in the tree."""
    proto = getattr(node, "proto", None)
    kind = getattr(node, "type", type(node).__name__)
    if proto is not None and hasattr(proto, "ListFields"):
        for descriptor, value in proto.ListFields():
            if descriptor.name in SKIP_FIELDS:
                continue
            if isinstance(value, str):
                values = [value]
            elif type(value).__name__.startswith("Repeated"):
                values = [v for v in value if isinstance(v, str)]
            else:
                values = []
            for text in values:
                yield kind, descriptor.name, text
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from rendered_strings(child)


def raw_payloads(at: AppTest) -> list[str]:
    """Markdown-rendered strings that contain a payload unescaped."""
    found = []
    for kind, field, text in rendered_strings(at._tree):
        if (kind, field) in PLAIN_FIELDS:
            continue
        # st.html (our escaped markup) reads no Markdown: only raw tags matter there.
        payloads = HTML_INJECTIONS if kind == "html" else MARKDOWN_INJECTIONS
        for payload in payloads:
            if payload in text:
                found.append(f"{kind}.{field}: {text[:120]!r}")
    return found


def escaped_payloads(at: AppTest) -> set[str]:
    texts = [text for _, _, text in rendered_strings(at._tree)]
    return {p for p in MARKDOWN_INJECTIONS if any(escape_md(p) in text for text in texts)}


def plotly_link_targets(at: AppTest) -> list[str]:
    """href targets of <a> pseudo-HTML in chart text that Plotly would turn into links."""
    links = []
    for kind, field, text in rendered_strings(at._tree):
        if (kind, field) == ("plotly_chart", "spec"):
            for value in _json_strings(json.loads(text)):
                links += re.findall(r"<a\s[^>]*href\s*=\s*[\"']?([^\"' >]+)", value, flags=re.I)
    return links


def _json_strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


# Pages that show free text from the tables in Markdown-rendered elements (not only in tables/charts).
SHOWS_TEXT = {"overview.py", "pillars.py", "targets.py", "dna.py", "pyeongchang.py", "regions.py"}


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("file", PAGE_FILES)
def test_page_renders_hostile_data_as_text(run_page, file, lang):
    at = run_page(file, lang)
    assert not at.exception, [e.value for e in at.exception]
    assert raw_payloads(at) == []
    assert not [link for link in plotly_link_targets(at) if EVIL_HOST in link or "javascript:" in link.lower()]
    if file in SHOWS_TEXT:
        # The payloads did reach the page (escaped), so the check above is not vacuous.
        assert escaped_payloads(at), f"no payload shown on {file}"


def test_checker_flags_unescaped_markdown(run_page, tmp_path):
    """The check above fails for a page that writes data with st.markdown unescaped."""
    script = tmp_path / "leaky.py"
    script.write_text("import streamlit as st\n"
                      f"st.markdown({PAYLOADS[3]!r})\n"
                      f"st.tabs([{PAYLOADS[5]!r}])\n"
                      f"st.caption({escape_md(PAYLOADS[0])!r})\n")
    at = AppTest.from_file(str(script))
    at.run()
    assert len(raw_payloads(at)) == 2
    assert escaped_payloads(at) == {PAYLOADS[0]}


def test_no_unsafe_html_with_data_in_the_code():
    """`unsafe_allow_html` is never used; st.html only with our own CSS or escaped markup."""
    offenders, html_calls = [], []
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
                 *sorted((ROOT / "src" / "dashboard").rglob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"unsafe_allow_html\s*=\s*True", text):
            offenders.append(str(path.relative_to(ROOT)))
        html_calls += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(r"st\.html\([^\n]*", text)]
    assert offenders == []
    for call in html_calls:
        # Only a stylesheet path or markup from dashboard.pack, which escapes every data string.
        assert re.search(r"st\.html\((Path\b|pack\.|foot\)|_css|css)", call), call


def test_escape_figure_neutralises_tags_in_data_only():
    import plotly.graph_objects as go

    link = f'<a href="http://{EVIL_HOST}/">x</a>'
    fig = go.Figure(go.Bar(x=[link, "R&D"], y=[1, 2], customdata=[["<img src=x onerror=alert(1)>"], ["b"]],
                           hovertemplate="%{x}<br><b>%{y}</b><extra></extra>", name="<span style='x'>n</span>"))
    fig.update_layout(title_text="Title <b>bold</b> <a href='javascript:alert(1)'>x</a>")
    safe = escape_figure(fig)
    assert safe.data[0].x == ("&lt;a href=\"http://evil.example/\">x&lt;/a>", "R&D")
    assert safe.data[0].customdata[0][0] == "&lt;img src=x onerror=alert(1)>"
    assert safe.data[0].name == "&lt;span style='x'>n&lt;/span>"
    assert safe.data[0].hovertemplate == "%{x}<br><b>%{y}</b><extra></extra>"  # ours, kept
    assert safe.layout.title.text == "Title <b>bold</b> &lt;a href='javascript:alert(1)'>x&lt;/a>"
    assert fig.data[0].x[0] == link  # the (possibly cached) input figure is not modified
    plain = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    assert escape_figure(plain) is plain
    assert sanitise_markup("a<br>b<BR/>c<sup>2</sup><script>") == "a<br>b<BR/>c<sup>2</sup>&lt;script>"
