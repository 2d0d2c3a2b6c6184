"""The declared schemas: consistent with the data files, with pandera enforcing them."""

import pandas as pd
import pytest

from dashboard.loading import load_csv_tables, read_csv_strings
from dashboard.paths import DATA_DIR
from dashboard.schema import COLUMN_TYPES, iso3_codes, table_specs
from dashboard.validation import validate_frame


def test_every_table_has_a_csv_with_exactly_the_declared_columns():
    for name, spec in table_specs().items():
        header = list(pd.read_csv(DATA_DIR / f"{name}.csv", nrows=0).columns)
        assert header == spec.column_names, name


def test_every_key_column_and_reference_is_declared():
    specs = table_specs()
    for spec in specs.values():
        assert set(spec.key) <= set(spec.column_names), spec.name
        for column, (ref_table, ref_column) in spec.references.items():
            assert ref_column in specs[ref_table].column_names, f"{spec.name}.{column}"
        for column in spec.columns:
            assert column.type in COLUMN_TYPES
            assert column.label_ko and column.label_en and column.description_ko and column.description_en


def test_every_name_exists_in_korean_and_english():
    tables = load_csv_tables()
    for name, frame in tables.items():
        for base in ("name", "label", "title"):
            if f"{base}_ko" in frame:
                assert frame[f"{base}_ko"].notna().all() and frame[f"{base}_en"].notna().all(), name


def test_header_aliases_accept_korean_labels():
    aliases = table_specs()["progress"].header_aliases()
    assert aliases["목표 id"] == "target_id"
    assert aliases["기간 말일"] == "period_end"
    assert aliases["value (increment)"] == "value"


def test_iso3_codes_come_from_pycountry():
    codes = iso3_codes()
    assert {"KOR", "PRK", "VNM", "USA"} <= codes
    assert "XXX" not in codes


def _countries_raw() -> pd.DataFrame:
    return read_csv_strings(DATA_DIR / "countries.csv")


def test_pandera_reports_every_problem_with_file_row_and_column():
    tables = load_csv_tables(reference_only=True)
    raw = _countries_raw()
    raw.loc[0, "iso3"] = "XXX"          # not ISO 3166-1 -> row 2
    raw.loc[3, "capital_lat"] = "95"     # above the maximum -> row 5
    raw.loc[4, "region_id"] = "MARS"     # unknown region -> row 6
    raw.loc[5, "is_origin"] = "maybe"    # not a boolean -> row 7
    raw.loc[6, "iso3"] = raw.loc[7, "iso3"]  # duplicate key -> rows 8 and 9
    spec = table_specs()["countries"]
    regions = frozenset(tables["regions"]["region_id"])
    report = validate_frame(raw, spec, reference_values={"region_id": regions})
    found = {(p.row, p.column, p.code) for p in report.problems}
    assert (2, "iso3", "allowed") in found
    assert (5, "capital_lat", "maximum") in found
    assert (6, "region_id", "reference") in found
    assert (7, "is_origin", "not_bool") in found
    assert (8, "iso3", "duplicate_key") in found and (9, "iso3", "duplicate_key") in found
    reference = next(p for p in report.problems if p.code == "reference")
    assert reference.value == "MARS" and "SEA" in reference.params["allowed"]


@pytest.mark.parametrize("column, value, code", [
    ("goal_value", "-5", "minimum"),
    ("unit", "barrels", "allowed"),
    ("target_id", "X9", "pattern"),
    ("baseline_year", "twenty", "not_int"),
    ("name_en", None, "required_value"),
])
def test_target_problems(column, value, code):
    raw = read_csv_strings(DATA_DIR / "targets.csv")
    raw.loc[1, column] = value
    report = validate_frame(raw, table_specs()["targets"])
    assert [(p.row, p.column, p.code) for p in report.problems] == [(3, column, code)]


def test_missing_and_unknown_columns_are_reported_on_the_header_row():
    raw = read_csv_strings(DATA_DIR / "pillars.csv").drop(columns=["name_en"]).assign(extra="x")
    report = validate_frame(raw, table_specs()["pillars"])
    assert {(p.row, p.column, p.code) for p in report.problems} == {
        (1, "name_en", "missing_column"), (1, "extra", "unknown_column")}


# Fast paths of the upload check (issue 4). Each must agree with the slower code it stands in for.


def test_iso_date_decoding_matches_parse_dates():
    import numpy as np

    from dashboard.validation import coerce_column, parse_dates

    cells = [f"{y:04d}-{m:02d}-{d:02d}" for y in (999, 1000, 1582, 1900, 1970, 2000, 2023, 2024, 2100, 2400, 9999)
             for m in range(0, 14) for d in range(0, 33)]
    cells += ["2018-3-31", " 2018-03-31 ", "2018.03.31", "2018/03/31", "2018-03-31x", "２０１８-03-31", "+018-03-31",
              "2018년 3월 31일", "", None]
    for dtype in ("str", object):
        values = pd.Series(cells, dtype=dtype)
        typed, bad = coerce_column(values, "date")
        expected = parse_dates(values).astype("datetime64[us]")
        assert typed.dtype == np.dtype("datetime64[us]")
        assert typed.equals(expected)
        assert bad.tolist() == (expected.isna() & values.notna() & (values.astype("str").str.strip() != "")).tolist()


def test_schema_shortcut_never_passes_what_pandera_fails():
    """validate_frame skips pandera when `_clearly_valid` says it would pass: on every shipped table,
    as shipped and with random bad cells or duplicated rows, yes must only ever mean pandera passes."""
    import random

    import pandera.pandas as pa

    from dashboard.loading import reference_values
    from dashboard.validation import _clearly_valid, _frame_of_strings, pandera_schema, typed_frame

    tables = load_csv_tables()
    rng = random.Random(20171207)
    junk = ["", " ", "x", "-1", "1e12", "2018-02-30", "1,000", "<b>", "nan", "true", "ZZZ", "a" * 2100, "US", "0"]
    answers = {True: 0, False: 0}
    for name, spec in table_specs().items():
        raw0 = read_csv_strings(DATA_DIR / f"{name}.csv")
        references = dict(reference_values(spec, tables))
        schema = pandera_schema(spec, references)
        for attempt in range(12):
            raw = raw0.copy()
            if attempt and len(raw):
                for _ in range(rng.randint(1, 3)):
                    row, col = rng.randrange(len(raw)), rng.randrange(raw.shape[1])
                    raw.iat[row, col] = rng.choice(junk + [raw.iat[rng.randrange(len(raw)), col]])
                if rng.random() < 0.2:
                    raw = pd.concat([raw, raw.iloc[[rng.randrange(len(raw))]]], ignore_index=True)
            frame = typed_frame(_frame_of_strings(raw), spec).frame
            try:
                schema.validate(frame, lazy=True)
                passes = True
            except pa.errors.SchemaErrors:
                passes = False
            clearly = _clearly_valid(frame, spec, references)
            assert not clearly or passes, (name, attempt)
            if attempt == 0:
                assert clearly, name  # shipped data is valid, and the shortcut sees it
            answers[clearly] += 1
    assert answers[True] and answers[False]  # both answers were exercised
