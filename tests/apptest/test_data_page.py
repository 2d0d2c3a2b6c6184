"""The Data page in AppTest: read-only vs editor, st.file_uploader driving the whole flow
(report, preview, publish, history, rollback), and other sessions seeing a publish at once."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from corpus.cases import PROGRESS_HEADER

from dashboard import ingest, metrics
from dashboard.auth import ENV_VAR, hash_password
from dashboard.export import to_csv_bytes
from dashboard.i18n import t
from dashboard.loading import load_csv_tables
from dashboard.schema import table_spec
from dashboard.store import LocalStore
from dashboard.ui.text import escape_md

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
EDITOR = "Kim Analyst"


@pytest.fixture
def store_dir(tmp_path) -> Path:
    """A fresh store per test (overrides the module-wide one of conftest)."""
    return tmp_path / "store"


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def editor_env(monkeypatch, password_hash):
    monkeypatch.setenv(ENV_VAR, password_hash)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): (path.read_bytes() if path.is_file() else b"<dir>")
            for path in sorted(root.rglob("*"))}


def sign_in(at, lang: str = "en"):
    by_label = {widget.label: widget for widget in at.text_input}
    by_label[t("auth.name", lang)].input(EDITOR)
    by_label[t("auth.password", lang)].input(PASSWORD)
    button(at, t("auth.login", lang)).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, (label, [b.label for b in at.button])
    return matches[0]


def upload(at, name: str, data: bytes):
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def progress_frame(extra_value: float | None = 100.0, change_first: float | None = None) -> pd.DataFrame:
    frame = load_csv_tables()["progress"].copy()
    if change_first is not None:
        frame.loc[0, "value"] = change_first
    if extra_value is not None:
        extra = frame[frame["target_id"] == "T1"].iloc[[0]].assign(
            period_end=pd.Timestamp("2021-12-31"), region_id=None, value=extra_value)
        frame = pd.concat([frame, extra], ignore_index=True)
    return frame


def progress_bytes(extra_value: float | None = 100.0, change_first: float | None = None) -> bytes:
    return to_csv_bytes(ingest.labelled(progress_frame(extra_value, change_first), table_spec("progress"), "ko"))


def t1_achieved(progress: pd.DataFrame) -> str:
    """T1's achieved value (in cases) as the pages print it."""
    summary = metrics.target_summary(load_csv_tables()["targets"], progress).set_index("target_id")
    return f"{summary.at['T1', 'achieved']:,.0f}"


def texts(elements) -> str:
    return " ".join(str(element.value) for element in elements)


# --------------------------------------------------------------------------- read-only


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_without_editor_configuration_the_page_is_read_only(open_page, monkeypatch, lang):
    monkeypatch.delenv(ENV_VAR, raising=False)
    at = open_page("data", lang=lang, table="progress")
    assert not at.exception, [e.value for e in at.exception]
    assert t("auth.disabled", lang) in texts(at.info)
    assert ENV_VAR in " ".join(m.value for m in at.markdown)  # how to enable, folded for administrators
    assert len(at.file_uploader) == 0 and len(at.text_area) == 0
    labels = [b.label for b in at.button]
    assert not any(label.startswith((t("data.publish", lang), t("data.rollback", lang, version=1)[:6]))
                   for label in labels), labels
    assert [tab.label for tab in at.tabs] == [t("data.tab_current", lang), t("data.tab_columns", lang),
                                             t("data.tab_history", lang)]
    assert len(at.get("download_button")) >= 6  # data + template as CSV and XLSX, a version as CSV and XLSX
    guide = next(df.value for df in at.dataframe if t("data.guide_rule", lang) in df.value.columns)
    assert len(guide) == len(table_spec("progress").columns)


def test_configured_but_not_signed_in_is_still_read_only(open_page, editor_env):
    at = open_page("data", lang="en", table="regions")
    assert not at.exception
    assert t("auth.required", "en") in texts(at.info)
    assert len(at.file_uploader) == 0
    assert [b.label for b in at.button if b.label.startswith("Publish")] == []


def test_table_choice_is_kept_in_the_url_as_an_id(open_page):
    at = open_page("data", lang="ko", table="countries")
    assert at.selectbox(key="table").value == "countries"
    assert at.query_params["table"] == ["countries"] or at.query_params["table"] == "countries"
    guide = next(df.value for df in at.dataframe if t("data.guide_rule", "ko") in df.value.columns)
    assert "ISO 3166-1 alpha-3 국가코드" in set(guide[t("data.guide_rule", "ko")].str.split(" · ").explode())


# --------------------------------------------------------------------------- editor: bad file


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_bad_upload_shows_every_problem_in_the_ui_language_and_changes_nothing(open_page, editor_env, store_dir,
                                                                               lang):
    at = sign_in(open_page("data", lang=lang, table="progress"), lang)
    assert len(at.file_uploader) == 1
    before = snapshot(store_dir)
    data = f"{PROGRESS_HEADER}\nT9,2018-03-31,US,-1,true\nT1,2018.02.30,ATLANTIS,\"1,000\",maybe\n".encode()
    upload(at, "bad.csv", data)
    assert t("data.rejected", lang, file="bad\\.csv", count=5) in texts(at.error)
    report = next(df.value for df in at.dataframe if t("problem.header_reason", lang) in df.value.columns)
    headers = [t(f"problem.header_{c}", lang) for c in ("row", "column", "value", "reason")]
    assert list(report.columns) == headers
    cells = {(int(r[headers[0]]), r[headers[1]].split(" ")[0], r[headers[2]]) for _, r in report.iterrows()}
    assert cells == {(2, "target_id", "T9"), (2, "value", "-1"), (3, "period_end", "2018.02.30"),
                     (3, "region_id", "ATLANTIS"), (3, "illustrative", "maybe")}
    reason = report[report[headers[1]].str.startswith("target_id")][headers[3]].iloc[0]
    assert reason == t("problem.reference", lang, table="targets", column="target_id", allowed="T1, T2, T3")
    assert len(at.text_area) == 0  # no publish form for an invalid file
    assert snapshot(store_dir) == before


# --------------------------------------------------------------------------- editor: preview and publish


def test_preview_then_publish_with_note_editor_and_hash(open_page, editor_env, store_dir):
    at = sign_in(open_page("data", lang="en", table="progress"))
    data = progress_bytes(extra_value=100.0, change_first=5.0)
    upload(at, "progress_q4.csv", data)
    assert "progress\\_q4\\.csv: passed all checks." in texts(at.success)
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Rows added"], metrics["Rows changed"], metrics["Rows removed"]) == ("1", "1", "0")
    preview = next(df for df in at.dataframe if "Change" in df.value.columns and "Target ID" in df.value.columns)
    assert sorted(preview.value["Change"]) == ["added", "changed"]
    effects = next(df.value for df in at.dataframe if "Before" in df.value.columns and "Figure" in df.value.columns)
    t1 = effects[(effects["Figure"] == "Achieved so far") & effects["Subject"].str.startswith("T1")].iloc[0]
    expected = (t1_achieved(load_csv_tables()["progress"]) + " cases", t1_achieved(progress_frame(100.0, 5.0)) + " cases",
                "changes")
    assert (t1["Before"], t1["After"], t1["Change"]) == expected
    assert f"SHA-256: {hashlib.sha256(data).hexdigest()}" in texts(at.caption)

    before = snapshot(store_dir)
    button(at, "Publish as a new version").click().run()  # no note yet
    assert "Enter a note" in " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert snapshot(store_dir) == before

    at.text_area[0].input("Q4 2021 results")
    button(at, "Publish as a new version").click().run()
    assert not at.exception
    assert "version 2 published" in texts(at.success)
    info = LocalStore(store_dir).history("progress")[0]
    assert (info.version, info.editor, info.note, info.source_name) == (2, EDITOR, "Q4 2021 results",
                                                                        "progress_q4.csv")
    assert info.source_sha256 == hashlib.sha256(data).hexdigest()
    assert at.file_uploader[0].value is None  # a fresh uploader after publishing
    assert "Version 2" in texts(at.markdown)  # the current-data tab shows the new version at once


def test_history_shows_versions_and_rolls_back_as_a_new_version(open_page, editor_env, store_dir):
    at = sign_in(open_page("data", lang="en", table="progress"))
    upload(at, "p.csv", progress_bytes(extra_value=50.0))
    at.text_area[0].input("add a quarter")
    button(at, "Publish as a new version").click().run()
    history = next(df.value for df in at.dataframe if "Source SHA-256" in df.value.columns)
    assert list(history["Version"]) == [2, 1] and history["Editor"].tolist() == [EDITOR, t("data.seed_editor", "en")]
    at.selectbox(key="version_progress_2").set_value(1).run()
    assert "Version 1" in texts(at.markdown)
    button(at, "Publish version 1 again as a new version").click().run()
    assert not at.exception
    assert "version 1 published again as new version 3" in texts(at.success)
    store = LocalStore(store_dir)
    assert [(v.version, v.rollback_of) for v in store.history("progress")] == [(3, 1), (2, None), (1, None)]
    pd.testing.assert_frame_equal(store.read("progress", 3), store.read("progress", 1))


# --------------------------------------------------------------------------- every session sees it


def _t1_achieved(at) -> str:
    """The Targets page's KPI card of T1 (the only target counted in cases)."""
    label = t("kpi.achieved_unit", "en", unit=t("unit.cases", "en"))
    return next(m for m in at.metric if m.label == label).value


def test_other_sessions_see_a_publish_on_their_next_interaction(open_page, editor_env, store_dir):
    viewer = open_page("targets", lang="en")
    assert _t1_achieved(viewer) == t1_achieved(load_csv_tables()["progress"])

    editor = sign_in(open_page("data", lang="en", table="progress"))
    upload(editor, "p.csv", progress_bytes(extra_value=100.0))
    editor.text_area[0].input("from the app")
    button(editor, "Publish as a new version").click().run()
    viewer.run()  # the viewer's next interaction, same server process, no restart
    assert _t1_achieved(viewer) == t1_achieved(progress_frame(100.0))

    path = store_dir.parent / "cli.csv"
    path.write_bytes(progress_bytes(extra_value=200.0))
    env = {**os.environ, "DASHBOARD_STORE": str(store_dir)}
    done = subprocess.run([sys.executable, "-m", "dashboard", "publish", str(path), "--table", "progress", "--note",
                           "from the CLI"], env=env, cwd=ROOT, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    viewer.run()  # a publish by another process is seen as well
    assert _t1_achieved(viewer) == t1_achieved(progress_frame(200.0))


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_seed_version_and_dates_read_naturally(open_page, monkeypatch, lang):
    monkeypatch.delenv(ENV_VAR, raising=False)
    at = open_page("data", lang=lang, table="progress")
    line = " ".join(m.value for m in at.markdown)
    assert escape_md(t("data.seed_note", lang)) in line and escape_md(t("data.seed_editor", lang)) in line
    shown = at.dataframe[0].value
    period = shown[next(c for c in shown.columns if c not in ("target_id",) and "2018-03-31" in map(str, shown[c]))]
    assert "00:00:00" not in " ".join(map(str, period))
