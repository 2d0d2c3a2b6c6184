"""Upload ingestion: the bad-file corpus, good files in every encoding/delimiter, references both
ways, publishing only what is valid, and never changing the store on bad input."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
from corpus.cases import PROGRESS_HEADER, PROGRESS_ROWS, big_file, cases, progress
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import ingest
from dashboard.catalog import seed_store
from dashboard.export import to_csv_bytes, to_xlsx_bytes
from dashboard.i18n import catalog
from dashboard.loading import load_csv_tables
from dashboard.problems import message, problem_frame, report_text, safe_text
from dashboard.schema import table_spec, table_specs
from dashboard.store import LocalStore
from dashboard.validation import Problem

CASES = cases()


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file and folder under the store root, with the files' bytes."""
    return {str(path.relative_to(root)): (path.read_bytes() if path.is_file() else b"<dir>")
            for path in sorted(root.rglob("*"))}


@pytest.fixture(scope="module")
def shipped() -> dict[str, pd.DataFrame]:
    return load_csv_tables()


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory) -> LocalStore:
    store = LocalStore(tmp_path_factory.mktemp("seeded"))
    seed_store(store)
    return store


@pytest.fixture
def store(tmp_path, seeded_store) -> LocalStore:
    """A fresh copy of a seeded store (seeding once per module keeps the tests fast)."""
    root = tmp_path / "store"
    shutil.copytree(seeded_store.root, root)
    return LocalStore(root)


# --------------------------------------------------------------------------- the bad-file corpus


def test_the_corpus_has_at_least_thirty_bad_files():
    assert len(CASES) >= 30
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_file_is_reported_where_it_is_wrong_and_changes_nothing(case, seeded_store):
    before = snapshot(seeded_store.root)
    tables = ingest.published_tables(seeded_store)
    result = ingest.ingest(case.table, case.data, case.name, tables)

    assert not result.ok and result.frame is None
    matching = [p for p in result.problems if p.code == case.code
                and (case.row is None or p.row == case.row) and (case.column is None or p.column == case.column)]
    assert matching, [(p.code, p.row, p.column) for p in result.problems]
    for lang in ("ko", "en"):
        for problem in result.problems:
            text = message(problem, lang)
            assert text and f"problem.{problem.code}" not in text and "{" not in text
        report = problem_frame(result.problems, lang, table_spec(case.table))
        assert len(report) == len(result.problems)
        if case.row is not None:
            assert case.row in set(report["row"].dropna())
    with pytest.raises(ingest.IngestRefused):
        ingest.publish(seeded_store, result, note="should never land", editor="tester")
    assert snapshot(seeded_store.root) == before


def test_sixty_megabyte_file_is_refused_by_size(tmp_path, seeded_store):
    path = big_file(tmp_path / "huge_progress.csv")
    assert path.stat().st_size >= 60 * 1024 * 1024
    before = snapshot(seeded_store.root)
    result = ingest.ingest("progress", path.read_bytes(), path.name, ingest.published_tables(seeded_store))
    assert [p.code for p in result.problems] == ["too_large"]
    assert "the limit is 50 MB" in message(result.problems[0], "en")
    assert "60.1 MB" in message(result.problems[0], "ko")
    assert snapshot(seeded_store.root) == before


def test_upload_limit_is_configurable(monkeypatch):
    monkeypatch.setenv(ingest.MAX_UPLOAD_ENV, "0.001")
    result = ingest.ingest("progress", progress(*PROGRESS_ROWS * 40), "p.csv", load_csv_tables())
    assert [p.code for p in result.problems] == ["too_large"]
    monkeypatch.setenv(ingest.MAX_UPLOAD_ENV, "not a number")
    assert ingest.max_upload_bytes() == ingest.DEFAULT_MAX_UPLOAD_MB * 1024 * 1024


def test_too_many_rows_is_reported(shipped):
    result = ingest.ingest("progress", progress(*PROGRESS_ROWS), "p.csv", shipped, max_rows=2)
    assert [p.code for p in result.problems] == ["too_many_rows"]


def test_values_are_reported_as_written_and_every_problem_at_once(shipped):
    data = progress("T1,2018-03-31,US,\"1,000,000,000,000\",true", "T9,2018.13.01,US,-1,maybe",
                    "T1,2018-03-31,US,2,true")
    result = ingest.ingest("progress", data, "p.csv", shipped)
    found = {(p.row, p.column, p.code): p.value for p in result.problems}
    assert found[(2, "value", "maximum")] == "1,000,000,000,000"
    assert found[(3, "target_id", "reference")] == "T9"
    assert found[(3, "period_end", "not_date")] == "2018.13.01"
    assert found[(3, "value", "minimum")] == "-1"
    assert found[(3, "illustrative", "not_bool")] == "maybe"
    assert (4, "target_id, period_end, region_id", "duplicate_key") in found
    reference = next(p for p in result.problems if p.code == "reference")
    assert "T1, T2, T3" in message(reference, "en") and "T1, T2, T3" in message(reference, "ko")
    text = report_text(result.problems, "en", table_spec("progress"))
    assert "Row 3, Column target_id (Target ID)" in text


# --------------------------------------------------------------------------- good files


def _messy_progress(encoding: str, delimiter: str) -> bytes:
    """What Korean Excel really writes: Korean headers, spaces, blank rows, trailing empty
    columns, thousands separators, Korean dates, CRLF."""
    d = delimiter
    quote = '"' if d == "," else ""
    lines = [d.join([" 목표 ID ", "기간 말일", " 권역 ID", "성과(증가분) ", "예시 데이터"]) + d + d,
             d.join(["T1", "2018.03.31", "US", "1", "TRUE"]) + d + d,
             "",
             d.join([" T2 ", " 2018. 6. 30. ", "SEA", f"{quote}1,234.5{quote}", "false"]) + d + d,
             d.join(["T3", "2018-09-30", "", " 7 ", "예"]) + d + d,
             d * 6,
             ""]
    return "\r\n".join(lines).encode(encoding)


EXPECTED_MESSY = pd.DataFrame({
    "target_id": pd.Series(["T1", "T2", "T3"], dtype="str"),
    "period_end": pd.to_datetime(["2018-03-31", "2018-06-30", "2018-09-30"]).astype("datetime64[us]"),
    "region_id": pd.Series(["US", "SEA", None], dtype="str"),
    "value": [1.0, 1234.5, 7.0],
    "illustrative": pd.array([True, False, True], dtype="boolean"),
})
ENCODINGS = ["utf-8", "utf-8-sig", "cp949", "euc-kr", "utf-16", "utf-16-le"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_good_files_in_every_encoding_and_delimiter_publish_the_same_table(encoding, delimiter, store):
    data = _messy_progress(encoding, delimiter)
    result = ingest.ingest("progress", data, "progress.csv", ingest.published_tables(store))
    assert result.ok, [(p.code, p.row, p.column, p.value) for p in result.problems]
    assert result.delimiter == delimiter
    pd.testing.assert_frame_equal(result.frame, EXPECTED_MESSY)
    info = ingest.publish(store, result, note=f"{encoding} {delimiter!r}", editor="tester")
    assert info.source_sha256 == hashlib.sha256(data).hexdigest()
    pd.testing.assert_frame_equal(store.read("progress", info.version), EXPECTED_MESSY)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp949", "utf-16"])
def test_korean_text_survives_every_encoding(encoding, shipped):
    spec = table_spec("regions")
    data = to_csv_bytes(ingest.labelled(shipped["regions"], spec, "ko")).decode("utf-8-sig").encode(encoding)
    result = ingest.ingest("regions", data, "regions.csv", shipped)
    assert result.ok, result.problems
    pd.testing.assert_frame_equal(result.frame, shipped["regions"])


@pytest.mark.parametrize("headers", ingest.HEADER_STYLES)
@pytest.mark.parametrize("name", list(table_specs()))
def test_every_download_uploads_again_unchanged(name, headers, shipped):
    """Current data downloaded as CSV or XLSX (any header style) is accepted and identical."""
    spec = table_spec(name)
    shown = ingest.labelled(shipped[name], spec, headers)
    for data, file_name in ((to_csv_bytes(shown), f"{name}.csv"), (to_xlsx_bytes(shown, sheet=name), f"{name}.xlsx")):
        result = ingest.ingest(name, data, file_name, shipped)
        assert result.ok, (file_name, result.problems[:3])
        pd.testing.assert_frame_equal(result.frame, shipped[name])


@pytest.mark.parametrize("headers", ingest.HEADER_STYLES)
def test_template_is_just_the_header_row(headers):
    spec = table_spec("progress")
    frame = ingest.template(spec, headers)
    assert len(frame) == 0 and len(frame.columns) == len(spec.columns)
    result = ingest.ingest("progress", to_csv_bytes(frame), "template.csv", {})
    assert [p.code for p in result.problems] == ["no_rows"]


@pytest.mark.parametrize("name", list(table_specs()))
def test_header_aliases_are_unambiguous(name):
    spec = table_spec(name)
    owners: dict[str, set[str]] = {}
    for column in spec.columns:
        for alias in {column.name, column.label_ko, column.label_en}:
            owners.setdefault(alias.strip().casefold(), set()).add(column.name)
    assert {alias: cols for alias, cols in owners.items() if len(cols) > 1} == {}


def test_hostile_looking_but_legitimate_text_is_accepted(shipped):
    spec = table_spec("hubs")
    frame = shipped["hubs"].copy()
    frame.loc[0, "name_en"] = "R&D <5 years> - a 'hub' (est. 1996) -"
    frame.loc[1, "opened"] = "-"
    frame.loc[2, "source"] = "-3.5"
    result = ingest.ingest("hubs", to_csv_bytes(ingest.labelled(frame, spec)), "hubs.csv", shipped)
    assert result.ok, result.problems
    # the download's apostrophe guard is not stored: what comes back is what was written
    assert result.frame.loc[2, "source"] == "-3.5"


# --------------------------------------------------------------------------- references both ways


def test_removing_a_region_still_in_use_names_every_user(shipped):
    spec = table_spec("regions")
    regions = shipped["regions"][shipped["regions"]["region_id"] != "SEA"]
    result = ingest.ingest("regions", to_csv_bytes(ingest.labelled(regions, spec)), "regions.csv", shipped)
    users = {p.params["table"]: p.params["count"] for p in result.problems if p.code == "still_referenced"}
    assert users["countries"] == int((shipped["countries"]["region_id"] == "SEA").sum())
    assert users["progress"] == int((shipped["progress"]["region_id"] == "SEA").sum())
    assert all(p.value == "SEA" and p.column == "region_id" for p in result.problems)
    assert "countries" in message(result.problems[0], "ko")


def test_a_new_key_can_be_added_then_used(store):
    spec = table_spec("regions")
    tables = ingest.published_tables(store)
    regions = pd.concat([tables["regions"], tables["regions"].iloc[[0]].assign(region_id="ME", sort_order=8)],
                        ignore_index=True)
    first = ingest.ingest("regions", to_csv_bytes(ingest.labelled(regions, spec)), "regions.csv", tables)
    assert first.ok, first.problems
    ingest.publish(store, first, note="Middle East", editor="tester")
    countries = ingest.published_tables(store)["countries"].copy()
    countries.loc[countries["iso3"] == "IND", "region_id"] = "ME"
    second = ingest.ingest("countries", to_csv_bytes(ingest.labelled(countries, table_spec("countries"))),
                           "countries.csv", ingest.published_tables(store))
    assert second.ok, second.problems


# --------------------------------------------------------------------------- publishing


def _good_progress(tables, value: float = 99.0) -> bytes:
    frame = tables["progress"].copy()
    frame.loc[0, "value"] = value
    return to_csv_bytes(ingest.labelled(frame, table_spec("progress")))


def test_publish_records_note_editor_time_and_file_hash(store):
    data = _good_progress(ingest.published_tables(store))
    result = ingest.ingest("progress", data, "/some/where/progress.csv", ingest.published_tables(store))
    info = ingest.publish(store, result, note="  Q1 corrections ", editor=" Kim ")
    assert (info.version, info.note, info.editor, info.source_name) == (2, "Q1 corrections", "Kim", "progress.csv")
    assert info.source_sha256 == hashlib.sha256(data).hexdigest() and info.created_at
    assert store.read("progress").loc[0, "value"] == 99.0


@pytest.mark.parametrize(("note", "editor", "code"), [
    ("", "Kim", "note_required"), ("   ", "Kim", "note_required"), ("ok", "", "editor_required"),
    ("x" * 501, "Kim", "note_invalid"), ("bell\x07", "Kim", "note_invalid"), ("ok", "K" * 81, "editor_invalid"),
])
def test_publish_needs_a_note_and_an_editor(store, note, editor, code):
    result = ingest.ingest("progress", _good_progress(ingest.published_tables(store)), "p.csv",
                           ingest.published_tables(store))
    before = snapshot(store.root)
    with pytest.raises(ingest.IngestRefused) as refused:
        ingest.publish(store, result, note=note, editor=editor)
    assert code in {p.code for p in refused.value.problems}
    assert snapshot(store.root) == before


def test_publish_refuses_when_the_table_changed_since_the_preview(store):
    tables = ingest.published_tables(store)
    base = store.latest_version("progress")
    mine = ingest.ingest("progress", _good_progress(tables, 1.0), "mine.csv", tables)
    theirs = ingest.ingest("progress", _good_progress(tables, 2.0), "theirs.csv", tables)
    ingest.publish(store, theirs, note="theirs", editor="Lee", expected_version=base)
    with pytest.raises(ingest.IngestRefused) as refused:
        ingest.publish(store, mine, note="mine", editor="Kim", expected_version=base)
    assert [p.code for p in refused.value.problems] == ["published_meanwhile"]
    assert store.latest_version("progress") == base + 1


def test_publish_rechecks_references_against_what_is_published_now(store):
    tables = ingest.published_tables(store)
    regions = pd.concat([tables["regions"], tables["regions"].iloc[[0]].assign(region_id="ME", sort_order=8)],
                        ignore_index=True)
    ingest.publish(store, ingest.ingest("regions", to_csv_bytes(ingest.labelled(regions, table_spec("regions"))),
                                        "r.csv", tables), note="add ME", editor="t")
    tables = ingest.published_tables(store)
    countries = tables["countries"].copy()
    countries.loc[countries["iso3"] == "IND", "region_id"] = "ME"
    pending = ingest.ingest("countries", to_csv_bytes(ingest.labelled(countries, table_spec("countries"))),
                            "c.csv", tables)
    assert pending.ok
    # meanwhile someone removes ME again (allowed: no published country uses it yet)
    ingest.publish(store, ingest.ingest("regions", to_csv_bytes(ingest.labelled(
        regions[regions["region_id"] != "ME"], table_spec("regions"))), "r2.csv", tables), note="drop ME", editor="t")
    with pytest.raises(ingest.IngestRefused) as refused:
        ingest.publish(store, pending, note="IND to ME", editor="t")
    assert [(p.code, p.value) for p in refused.value.problems] == [("reference", "ME")]


def test_rollback_publishes_the_old_version_again_and_checks_references(store):
    tables = ingest.published_tables(store)
    ingest.publish(store, ingest.ingest("progress", _good_progress(tables, 5.0), "p.csv", tables),
                   note="v2", editor="Kim")
    info = ingest.rollback(store, "progress", 1, editor="Kim", note="")
    assert (info.version, info.rollback_of, info.note) == (3, 1, "Rollback to version 1")
    pd.testing.assert_frame_equal(store.read("progress", 3), store.read("progress", 1))
    assert [v.version for v in store.history("progress")] == [3, 2, 1]

    regions = pd.concat([tables["regions"], tables["regions"].iloc[[0]].assign(region_id="ME", sort_order=8)],
                        ignore_index=True)
    ingest.publish(store, ingest.ingest("regions", to_csv_bytes(ingest.labelled(regions, table_spec("regions"))),
                                        "r.csv", tables), note="add ME", editor="t")
    countries = tables["countries"].copy()
    countries.loc[countries["iso3"] == "IND", "region_id"] = "ME"
    ingest.publish(store, ingest.ingest("countries", to_csv_bytes(ingest.labelled(countries, table_spec("countries"))),
                                        "c.csv", ingest.published_tables(store)), note="IND to ME", editor="t")
    before = snapshot(store.root)
    with pytest.raises(ingest.IngestRefused) as refused:
        ingest.rollback(store, "regions", 1, editor="t")
    assert [(p.code, p.value, p.params["table"]) for p in refused.value.problems] == [
        ("still_referenced", "ME", "countries")]
    assert snapshot(store.root) == before


def test_published_tables_never_writes(tmp_path, shipped):
    root = tmp_path / "empty"
    tables = ingest.published_tables(LocalStore(root))
    assert not root.exists()
    assert set(tables) == set(table_specs())
    pd.testing.assert_frame_equal(tables["progress"], shipped["progress"])


# --------------------------------------------------------------------------- messages and docs


def test_every_problem_code_has_korean_and_english_text():
    codes = {case.code for case in CASES} | {
        "not_int", "not_float", "not_bool", "not_date", "required_value", "duplicate_key", "allowed", "pattern",
        "minimum", "maximum", "reference", "too_long", "unknown_column", "missing_column", "too_many_rows",
        "too_large", "internal", "note_required", "note_invalid", "editor_required", "editor_invalid",
        "published_meanwhile", "not_validated", "invalid", "unknown"}
    assert sorted(code for code in codes if f"problem.{code}" not in catalog()) == []


def test_messages_never_fail_on_odd_parameters():
    odd = Problem("progress", 3, "value", "x", "reference", {"table": "<b>", "count": 10**9})
    assert "?" in message(odd, "en")  # a missing parameter shows as "?", it does not raise
    assert "problem" not in message(Problem("t", None, None, None, "no_such_code", {}), "ko")
    assert safe_text("a\x1b[2Jb\u202e") == "a\\x1b[2Jb\\u202e"
    assert safe_text("x" * 500, 10) == "x" * 9 + "…"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_column_guide_describes_every_column(lang):
    for spec in table_specs().values():
        guide = ingest.column_guide(spec, lang)
        assert list(guide["column"]) == spec.column_names
        assert not guide.apply(lambda col: col.astype(str).str.contains(r"data\.\w+|\{\w+\}")).any().any()
    countries = ingest.column_guide(table_spec("countries"), lang).set_index("column")
    assert "ISO 3166-1" in countries.at["iso3", "rule"]
    assert "regions" in countries.at["region_id", "rule"]


# --------------------------------------------------------------------------- never a crash


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(
    st.binary(max_size=2000),
    st.text(alphabet=st.sampled_from(list("T1,;\t\r\n\"' -=<>.05가SEA@\x00")), max_size=400).map(
        lambda text: (PROGRESS_HEADER + "\r\n" + text).encode("utf-8")),
    st.text(max_size=300).map(lambda text: (PROGRESS_HEADER + "\n" + text).encode("utf-16")),
))
def test_ingest_never_raises_whatever_the_bytes(data):
    result = ingest.ingest("progress", data, "fuzz.csv", _TABLES)
    assert result.ok or (result.problems and result.frame is None)
    assert all(p.code != "internal" for p in result.problems), result.problems


_TABLES = load_csv_tables()


@pytest.mark.parametrize("value", ['"1,000e50"', "1e400", "99999999999999999999999", "-1e30", "9223372036854775808"])
def test_huge_whole_numbers_are_named_not_a_crash(value):
    tables = load_csv_tables()
    head = ",".join(tables["pillars"].columns)
    data = f"{head}\nP1,{value},가,A,src\n".encode()
    result = ingest.ingest("pillars", data, "pillars.csv", tables)
    codes = [(p.row, p.column, p.code) for p in result.problems]
    assert (2, "sort_order", "not_int") in codes, codes
    assert all(code != "internal" for _, _, code in codes)
