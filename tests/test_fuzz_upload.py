"""Fuzz the upload path as a whole: file reader, header normalisation and schema validation.

Whatever bytes an analyst (or an attacker) uploads, the only outcomes are the project's own:
``FileReadError`` (the file cannot be read as a table) or a ``ValidationReport`` (typed frame plus
every problem). Anything else (a pandas/pandera/codec exception) would crash the Data page.
"""

from __future__ import annotations

import io
import os

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dashboard.filereader import FileReadError, ReadResult, normalise_headers, read_table_file
from dashboard.loading import load_csv_tables, reference_values
from dashboard.schema import table_specs
from dashboard.validation import Problem, ValidationReport, validate_frame

TABLES = ("countries", "progress", "hubs")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
ENCODINGS = ["utf-8", "utf-8-sig", "cp949", "euc-kr", "utf-16", "utf-16-le", "utf-32", "latin-1",
             "shift_jis", "cp1252", "iso-8859-5", "johab"]
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
           "![x](http://evil.example/x.png)", "[click](javascript:alert(1))", ":red[spoof]",
           "=cmd|' /C calc'!A0", "@SUM(1)", "-3", "1e309", "-0", "NaN", "inf", "2018-02-30",
           "2018.03.31", "9999-12-31", "0001-01-01", "true", "예", "\u202e", "\x00", "\ufeff",
           "\"", "\"\"", ",", ";", "\t", "\r\n", "미세먼지", "🇰🇷", "x" * 5000, "1,234.5", "1.234,5"]

_shipped = load_csv_tables()
SPECS = table_specs()
REFERENCES = {name: reference_values(SPECS[name], _shipped) for name in TABLES}


def _check(data: bytes, table: str) -> str:
    """Run one upload through reader + validator; returns the outcome kind, fails on anything else."""
    spec = SPECS[table]
    try:
        result = read_table_file(data, f"{table}.csv", max_rows=5_000, max_columns=50)
        assert isinstance(result, ReadResult)
        frame = normalise_headers(result.frame, spec.header_aliases())
    except FileReadError as error:
        assert error.problems and all(isinstance(p.code, str) and p.message for p in error.problems)
        return "read_error"
    report = validate_frame(frame, spec, reference_values=REFERENCES[table], row_numbers=result.row_numbers)
    assert isinstance(report, ValidationReport)
    assert all(isinstance(p, Problem) and isinstance(p.code, str) and p.code for p in report.problems)
    rows = set(result.row_numbers) | {1}
    assert all(p.row is None or p.row in rows for p in report.problems)
    if report.ok:
        assert list(report.frame.columns) == spec.column_names
        assert len(report.frame) == len(frame)
    return "valid" if report.ok else "problems"


_cell = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.from_regex(r"-?\d{1,4}([.,]\d{1,3})?", fullmatch=True),
    st.sampled_from(["US", "SEA", "CN", "EU", "T1", "T2", "KOR", "VNM", "USA", "single", "false", ""]),
)


@st.composite
def csvish_upload(draw) -> tuple[bytes, str]:
    table = draw(st.sampled_from(TABLES))
    spec = SPECS[table]
    header = list(spec.column_names)
    if draw(st.booleans()):
        header = [draw(st.sampled_from([c.name, c.label_ko, c.label_en, c.name.upper()])) for c in spec.columns]
    header = draw(st.permutations(header))
    if draw(st.integers(0, 4)) == 0:  # drop, duplicate or add a column
        header = draw(st.sampled_from([header[1:], header + header[:1], header + ["extra"]]))
    rows = draw(st.lists(st.lists(_cell, min_size=max(0, len(header) - 1), max_size=len(header) + 1),
                         max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    quote = draw(st.booleans())

    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if quote or delimiter in text or "\n" in text else text

    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(delimiter.join(cell(c) for c in row) for row in [header, *rows])
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors=draw(st.sampled_from(["ignore", "replace"]))), table


def _shipped_text(table: str) -> str:
    from dashboard.paths import DATA_DIR

    return (DATA_DIR / f"{table}.csv").read_text(encoding="utf-8")


SHIPPED = {name: _shipped_text(name) for name in TABLES}


@st.composite
def mutated_shipped(draw) -> tuple[bytes, str]:
    """A real, valid file with a few cells/bytes changed: exercises the validator's checks."""
    table = draw(st.sampled_from(TABLES))
    lines = SHIPPED[table].splitlines()
    for _ in range(draw(st.integers(1, 4))):
        row = draw(st.integers(1, len(lines) - 1))
        cells = lines[row].split(",")
        position = draw(st.integers(0, len(cells) - 1))
        cells[position] = draw(_cell).replace(",", " ").replace("\n", " ").replace("\r", " ")
        lines[row] = ",".join(cells)
    data = "\n".join(lines).encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "cp949", "utf-16"])), "replace")
    if draw(st.integers(0, 3)) == 0:
        position = draw(st.integers(0, len(data) - 1))
        data = data[:position] + draw(st.binary(min_size=1, max_size=4)) + data[position + 1:]
    return data, table


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@st.composite
def xlsx_upload(draw) -> tuple[bytes, str]:
    table = draw(st.sampled_from(TABLES))
    header = SPECS[table].column_names
    xlsx_cell = st.one_of(_cell.map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)[:200]), st.integers(-10**12, 10**12),
                          st.floats(allow_nan=True, allow_infinity=False), st.booleans(), st.none())
    rows = draw(st.lists(st.lists(xlsx_cell, min_size=len(header), max_size=len(header)), max_size=5))
    data = bytearray(_xlsx([list(header), *rows]))
    # Sometimes corrupt the archive. The archive's length varies with openpyxl's save timestamp,
    # so positions are drawn independently of it (hypothesis needs reproducible draws).
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, 10**6)) % len(data)
        data[position] = draw(st.integers(0, 255))
    return bytes(data), table


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.tuples(st.binary(max_size=2000), st.sampled_from(TABLES)),
    csvish_upload(),
    mutated_shipped(),
    xlsx_upload(),
))
def test_fuzz_upload_only_project_outcomes(upload):
    data, table = upload
    event(f"{table}: {_check(data, table)}")


def test_fuzz_covers_every_outcome():
    """The strategies reach all three outcomes (so the fuzz is not stuck on read errors)."""
    outcomes = {
        _check(b"\x00\x01\x02garbage", "countries"),
        _check(SHIPPED["countries"].encode("cp949"), "countries"),
        _check(SHIPPED["progress"].replace("T1,", "T9,", 1).encode(), "progress"),
    }
    assert outcomes == {"read_error", "valid", "problems"}


def test_checker_fails_on_a_foreign_exception(monkeypatch):
    """If the validator raised something else, the fuzz test would fail (not swallow it)."""
    import dashboard.validation as validation

    def boom(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(validation, "coerce_column", boom)
    with pytest.raises(KeyError):
        _check(SHIPPED["hubs"].encode(), "hubs")
