"""The Data page's pieces: downloads, column guide, upload -> report -> preview -> publish, history.

Everything that changes data (upload, publish, roll back) renders only when `editor` (the name
returned by `dashboard.ui.auth.editor_gate`) is set, and every write goes through the store that
`dashboard.ui.data.get_store()` holds, so each open session sees it on its next interaction.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import catalog
from dashboard import diff as diffing
from dashboard import ingest
from dashboard.export import to_csv_bytes, to_xlsx_bytes
from dashboard.problems import problem_frame, problem_headers
from dashboard.schema import TableSpec, table_specs
from dashboard.store import StoreError, UnknownTable, VersionInfo
from dashboard.ui import components as ui
from dashboard.ui.data import Tables, get_store
from dashboard.ui.state import lang, tr, url_bound, write_url
from dashboard.ui.text import escape_md

_PREVIEW = "_data_preview"
_FLASH = "_data_flash"
_UPLOADS = "_data_upload_round"
PREVIEW_ROWS = 200  # rows of the highlighted preview (a pandas Styler costs ~0.5 ms per row per rerun)
CELL_ROWS = 1000  # rows of the changed-cells list (a plain table)
MB = 1024 * 1024
# Highlight colours (light tints that keep black text readable) plus a text column saying what
# changed, so that colour is never the only signal.
ADDED_CSS = "background-color: #d4f0e4"
REMOVED_CSS = "background-color: #f9dccf; color: #6b2a12"
CHANGED_CSS = "background-color: #fbe7a8; font-weight: 600"
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --------------------------------------------------------------------------- small helpers


def flash(kind: str, text: str) -> None:
    """A message to show at the top of the next run (after st.rerun)."""
    st.session_state[_FLASH] = (kind, text)


def show_flash() -> None:
    kind, text = st.session_state.pop(_FLASH, (None, None))
    if kind == "success":
        st.success(text, icon=":material/check_circle:")
    elif kind == "error":
        st.error(text, icon=":material/error:")


def table_picker() -> TableSpec:
    """The table selector, kept in the URL as ?table=<id> (a stable id, not the translated label)."""
    specs = table_specs()
    names = list(specs)
    url_bound("table", names[0], lambda raw: raw[0] if raw[0] in specs else None, lambda value: [value])
    if st.session_state.get("table") not in specs:
        st.session_state["table"] = names[0]
    titles = {n: f"{specs[n].title(lang())} ({n})" for n in names}  # format_func must not read the session
    name = st.selectbox(tr("data.table"), names, key="table", format_func=titles.__getitem__)
    write_url("table")
    return specs[name]


def header_style() -> str:
    """Header row of downloads: the labels in the UI language by default, or the column ids."""
    options = [lang(), "ids"]
    names = {o: tr(f"data.headers_{o}") for o in options}
    choice = st.segmented_control(tr("data.headers"), options, default=lang(), key=f"data_headers_{lang()}",
                                  format_func=names.__getitem__, help=tr("data.headers_help"))
    return choice or lang()


def _downloads(frame_fn: Callable[[], pd.DataFrame], stem: str, sheet: str, key: str, label_csv: str,
               label_xlsx: str) -> None:
    """A CSV and an XLSX download button; the bytes are made only when clicked."""
    left, right = st.columns(2)
    left.download_button(label_csv, data=lambda: to_csv_bytes(frame_fn()), file_name=f"{stem}.csv", mime=CSV_MIME,
                         key=f"{key}_csv", on_click="ignore", icon=":material/download:", width="stretch")
    right.download_button(label_xlsx, data=lambda: to_xlsx_bytes(frame_fn(), sheet=sheet), file_name=f"{stem}.xlsx",
                          mime=XLSX_MIME, key=f"{key}_xlsx", on_click="ignore", icon=":material/download:",
                          width="stretch")


def _is_seed(info: VersionInfo) -> bool:
    return info.note == catalog.SEED_NOTE and info.editor == catalog.SEED_EDITOR


def _note(info: VersionInfo) -> str:
    """The version's note; the shipped-data seed's fixed note in the UI language."""
    return tr("data.seed_note") if _is_seed(info) else info.note


def _editor(info: VersionInfo) -> str:
    return tr("data.seed_editor") if _is_seed(info) else info.editor


def _version_line(info: VersionInfo | None) -> str:
    if info is None:
        return ""
    note = escape_md(_note(info))
    if info.rollback_of is not None:
        note += " · " + tr("data.rollback_of", version=info.rollback_of)
    return tr("data.version_line", version=info.version, time=escape_md(info.created_at[:19].replace("T", " ")),
              editor=escape_md(_editor(info)), rows=f"{info.rows:,}", note=note)


def _history(name: str) -> list[VersionInfo]:
    try:
        return get_store().history(name)
    except UnknownTable:
        return []


# --------------------------------------------------------------------------- current data


def current_data(spec: TableSpec, tables: Tables, headers: str) -> None:
    """The published version: who/when/note, the rows, and CSV/XLSX downloads of data and template."""
    name = spec.name
    frame = tables[name]
    served = tables.versions.get(name)
    info = next((v for v in _history(name) if v.version == served), None)
    st.markdown(_version_line(info))
    st.dataframe(ui.localise_columns(ui.for_display(frame), name), hide_index=True, width="stretch",
                 height="auto" if len(frame) <= 10 else 390)
    st.markdown(f"**{tr('data.download_current')}**")
    _downloads(lambda: ingest.labelled(frame, spec, headers), f"{name}_v{served}", name, f"dl_current_{name}",
               tr("data.download_csv"), tr("data.download_xlsx"))
    st.markdown(f"**{tr('data.download_template')}**")
    _downloads(lambda: ingest.template(spec, headers), f"{name}_template", name, f"dl_template_{name}",
               tr("data.template_csv"), tr("data.template_xlsx"))
    st.caption(tr("data.download_note"))


def column_guide(spec: TableSpec) -> None:
    guide = ingest.column_guide(spec, lang())
    headers = {column: tr(f"data.guide_{column}") for column in guide.columns}
    st.dataframe(guide.rename(columns=headers), hide_index=True, width="stretch")
    st.caption(tr("data.rule_text"))


# --------------------------------------------------------------------------- upload


def _uploader_key(name: str) -> str:
    return f"upload_{name}_{st.session_state.get(_UPLOADS, 0)}"


def _prepare(spec: TableSpec, tables: Tables, uploaded) -> dict:
    """Ingest + diff + effects for this file against the current published state (once per state)."""
    cache_key = (spec.name, uploaded.file_id, tables.fingerprint)
    cached = st.session_state.get(_PREVIEW)
    if cached and cached["key"] == cache_key:
        return cached
    with st.spinner(tr("data.checking")):
        store = get_store()
        base = store.latest_version(spec.name)
        result = ingest.ingest(spec.name, uploaded.getvalue(), uploaded.name, tables.frames)
        prepared = {"key": cache_key, "result": result, "base": base, "diff": None, "effects": None}
        if result.ok:
            prepared["diff"] = diffing.diff_tables(spec, tables[spec.name], result.frame)
            prepared["effects"] = diffing.headline_effects(spec.name, result.frame, tables.frames)
    st.session_state[_PREVIEW] = prepared
    return prepared


def problem_report(problems, spec: TableSpec, key: str) -> None:
    """The validation report: row, column, value, reason in the UI language, with a CSV download."""
    frame = problem_frame(problems, lang(), spec).rename(columns=problem_headers(lang()))
    st.dataframe(frame, hide_index=True, width="stretch", height=min(600, 38 + 35 * len(frame)))
    st.download_button(tr("data.download_report"), data=lambda: to_csv_bytes(frame), file_name=f"{key}_problems.csv",
                       mime=CSV_MIME, key=f"dl_report_{key}", on_click="ignore", icon=":material/download:")


def _styled_preview(prepared: dict, spec: TableSpec):
    if "preview" not in prepared:  # once per upload; the labels below follow the UI language
        prepared["preview"] = diffing.preview_frame(prepared["diff"], PREVIEW_ROWS)
    shown, mask = (frame.copy() for frame in prepared["preview"])
    diff: diffing.TableDiff = prepared["diff"]
    kinds = shown[diffing.CHANGE].copy()
    shown[diffing.CHANGE] = kinds.map(lambda k: tr(f"data.change_{k}"))
    labels = {c: spec.column(c).label(lang()) for c in diff.columns}
    labels[diffing.CHANGE] = tr("data.change")
    shown = shown.rename(columns=labels)
    mask = mask.rename(columns=labels)

    row_css = kinds.map({diffing.ADDED: ADDED_CSS, diffing.REMOVED: REMOVED_CSS, diffing.CHANGED: CHANGED_CSS})
    styles = pd.DataFrame(np.where(mask.to_numpy(dtype=bool), row_css.to_numpy(dtype=object)[:, None], ""),
                          index=shown.index, columns=shown.columns)
    return shown.style.apply(lambda _frame: styles, axis=None), len(shown)


def _format_effect(measure: str, value: object, unit: str | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if measure == "status":
        return tr(f"status.{value}")
    if measure == "share":
        return f"{float(value):.0%}"
    text = f"{float(value):,.1f}".removesuffix(".0")
    return f"{text} {unit}" if unit else text


def headline_table(effects: pd.DataFrame, tables: Tables) -> None:
    """Headline figures before -> after, the changed ones highlighted."""
    targets = tables["targets"].set_index("target_id")
    regions = tables["regions"].set_index("region_id")
    name_col = f"name_{lang()}"
    rows = []
    for effect in effects.itertuples(index=False):
        subject, unit = str(effect.subject), None
        if subject in targets.index:
            unit = tr(f"unit.{targets.at[subject, 'unit']}") if effect.measure in ("achieved", "projected") else None
            subject = f"{subject} · {targets.at[subject, name_col]}"
        elif subject in regions.index:
            subject = f"{subject} · {regions.at[subject, name_col]}"
        elif subject in table_specs():
            subject = table_specs()[subject].title(lang())
        elif subject == "":
            subject = tr("data.effect_no_region")
        rows.append({tr("data.effect_subject"): subject, tr("data.effect_measure"): tr(f"data.effect_{effect.measure}"),
                     tr("data.effect_before"): _format_effect(effect.measure, effect.before, unit),
                     tr("data.effect_after"): _format_effect(effect.measure, effect.after, unit),
                     tr("data.change"): tr("data.effect_changed") if effect.changed else ""})
    frame = pd.DataFrame(rows)
    changed = effects["changed"].to_numpy()

    def css(_frame: pd.DataFrame) -> pd.DataFrame:
        styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
        styles.iloc[changed, :] = CHANGED_CSS
        return styles

    st.dataframe(frame.style.apply(css, axis=None), hide_index=True, width="stretch")


def upload_and_publish(spec: TableSpec, tables: Tables, editor: str) -> None:
    """Upload a file, see every problem or the changes, and publish it with a note."""
    name = spec.name
    limit = ingest.max_upload_bytes()
    uploaded = st.file_uploader(
        tr("data.upload_label", table=spec.title(lang())), type=["csv", "tsv", "txt", "xlsx"],
        key=_uploader_key(name), max_upload_size=max(1, math.ceil(limit / MB)),
        help=tr("data.upload_help", limit=f"{limit / MB:,.0f}"))
    if uploaded is None:
        st.caption(tr("data.upload_hint"))
        return
    prepared = _prepare(spec, tables, uploaded)
    result: ingest.Ingested = prepared["result"]
    file_name = escape_md(uploaded.name)
    if not result.ok:
        st.error(tr("data.rejected", file=file_name, count=len(result.problems)), icon=":material/error:")
        problem_report(result.problems, spec, name)
        return

    details = [tr("data.rows", rows=f"{result.rows:,}")]
    if result.encoding:
        details.append(tr("data.encoding", encoding=escape_md(result.encoding)))
    if result.delimiter:
        details.append(tr("data.delimiter", delimiter=tr(f"data.delimiter_{ord(result.delimiter)}")))
    if result.sheet:
        details.append(tr("data.sheet", sheet=escape_md(result.sheet)))
    st.success(tr("data.accepted", file=file_name) + " " + " · ".join(details), icon=":material/task_alt:")
    st.caption(tr("data.sha256", sha256=result.sha256))

    diff: diffing.TableDiff = prepared["diff"]
    st.subheader(tr("data.preview_title"))
    columns = st.columns(4)
    for column, kind in zip(columns, ("added", "changed", "removed", "unchanged"), strict=True):
        column.metric(tr(f"data.count_{kind}"), f"{diff.counts[kind]:,}")
    if diff.has_changes:
        styled, shown = _styled_preview(prepared, spec)
        st.dataframe(styled, hide_index=True, width="stretch", key=f"preview_{name}")
        total = sum(diff.counts[k] for k in ("added", "changed", "removed"))
        st.caption(tr("data.preview_legend") + (" " + tr("data.preview_limited", shown=f"{shown:,}",
                                                                                  total=f"{total:,}")
                                                 if total > shown else ""))
        if len(diff.cells):
            with st.expander(tr("data.changed_cells", count=f"{len(diff.cells):,}"), icon=":material/edit_note:"):
                cells = diff.cells.head(CELL_ROWS).copy()
                cells["column"] = cells["column"].map(lambda c: spec.column(c).label(lang()) if c in spec.column_names
                                                      else c)
                cells = cells.rename(columns={"column": tr("data.cell_column"), "before": tr("data.effect_before"),
                                              "after": tr("data.effect_after"),
                                              **{k: spec.column(k).label(lang()) for k in diff.key}})
                st.dataframe(cells, hide_index=True, width="stretch")
    else:
        st.info(tr("data.no_changes"), icon=":material/info:")

    st.subheader(tr("data.effects_title"))
    headline_table(prepared["effects"], tables)

    st.subheader(tr("data.publish_title"))
    with st.form(f"publish_{name}", clear_on_submit=False, enter_to_submit=False):
        note = st.text_area(tr("data.note"), max_chars=ingest.MAX_NOTE_CHARS, placeholder=tr("data.note_placeholder"),
                            key=f"publish_note_{name}")
        st.caption(tr("data.publish_as", editor=escape_md(editor), version=(prepared["base"] or 0) + 1))
        submitted = st.form_submit_button(tr("data.publish"), type="primary", icon=":material/publish:")
    if submitted:
        _publish(spec, result, note, editor, prepared["base"])


def _publish(spec: TableSpec, result: ingest.Ingested, note: str, editor: str, base: int | None) -> None:
    try:
        info = ingest.publish(get_store(), result, note=note, editor=editor, expected_version=base)
    except ingest.IngestRefused as refused:
        st.error(tr("data.not_published"), icon=":material/block:")
        problem_report(refused.problems, spec, f"{spec.name}_publish")
        return
    except StoreError as error:
        st.error(tr("data.store_error", error=escape_md(str(error))), icon=":material/error:")
        return
    st.session_state.pop(_PREVIEW, None)
    st.session_state[_UPLOADS] = st.session_state.get(_UPLOADS, 0) + 1  # a fresh, empty uploader
    flash("success", tr("data.published", table=escape_md(spec.title(lang())), version=info.version,
                        rows=f"{info.rows:,}"))
    st.rerun()


# --------------------------------------------------------------------------- history


@st.cache_data(show_spinner=False, max_entries=4)
def _version_frame(root: str, table: str, version: int, content_sha256: str) -> pd.DataFrame:
    """One immutable version (the key includes its checksum, so the cache can never be stale)."""
    return get_store().read(table, version)


def history(spec: TableSpec, headers: str, editor: str | None) -> None:
    """Every version of the table; view or download any; roll back (editors) as a new version."""
    name = spec.name
    versions = _history(name)
    if not versions:
        st.info(tr("data.no_history"))
        return
    listing = pd.DataFrame([{
        tr("data.hist_version"): v.version,
        tr("data.hist_time"): v.created_at[:19].replace("T", " "),
        tr("data.hist_editor"): _editor(v),
        tr("data.hist_note"): _note(v) + (f" ({tr('data.rollback_of', version=v.rollback_of)})"
                                        if v.rollback_of is not None else ""),
        tr("data.hist_rows"): v.rows,
        tr("data.hist_source"): v.source_name or "",
        tr("data.hist_sha256"): v.source_sha256 or "",
    } for v in versions])
    st.dataframe(listing, hide_index=True, width="stretch")
    by_number = {v.version: v for v in versions}
    titles = {n: f"v{n} · {v.created_at[:16].replace('T', ' ')} · {_editor(v)}" for n, v in by_number.items()}
    chosen = st.selectbox(tr("data.pick_version"), list(by_number), key=f"version_{name}_{versions[0].version}",
                          format_func=titles.__getitem__)
    info = by_number[chosen]
    try:
        frame = _version_frame(str(get_store().root), name, info.version, info.content_sha256)
    except StoreError as error:
        st.error(tr("data.store_error", error=escape_md(str(error))), icon=":material/error:")
        return
    st.markdown(_version_line(info))
    st.dataframe(ui.localise_columns(ui.for_display(frame), name), hide_index=True, width="stretch",
                 height="auto" if len(frame) <= 10 else 320)
    _downloads(lambda: ingest.labelled(frame, spec, headers), f"{name}_v{info.version}", name,
               f"dl_version_{name}", tr("data.download_version_csv", version=info.version),
               tr("data.download_version_xlsx", version=info.version))
    if editor is None:
        return
    if info.version == versions[0].version:
        st.caption(tr("data.rollback_latest"))
        return
    with st.form(f"rollback_{name}", enter_to_submit=False):
        st.markdown(f"**{tr('data.rollback_title', version=info.version)}**")
        st.caption(tr("data.rollback_help", version=info.version, new=versions[0].version + 1))
        note = st.text_input(tr("data.note"), value=tr("data.rollback_note", version=info.version),
                             max_chars=ingest.MAX_NOTE_CHARS, key=f"rollback_note_{name}_{info.version}")
        submitted = st.form_submit_button(tr("data.rollback", version=info.version), icon=":material/history:")
    if submitted:
        try:
            new = ingest.rollback(get_store(), name, info.version, editor=editor, note=note)
        except ingest.IngestRefused as refused:
            st.error(tr("data.not_published"), icon=":material/block:")
            problem_report(refused.problems, spec, f"{name}_rollback")
            return
        except StoreError as error:
            st.error(tr("data.store_error", error=escape_md(str(error))), icon=":material/error:")
            return
        flash("success", tr("data.rolled_back", table=escape_md(spec.title(lang())), old=info.version,
                            version=new.version))
        st.rerun()
