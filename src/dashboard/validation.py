"""Typing and validation of a table's rows against its declared schema.

Input is a frame of strings (as read from CSV or an uploaded file); output is a typed frame plus
every problem found at once, each naming the file row, the column, the value and a reason code
that the UI translates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.compute as pc

from dashboard.filereader import parse_date, trim_whitespace
from dashboard.schema import (MAX_TEXT_LENGTH, PANDAS_DTYPES, ColumnSpec, TableSpec, allowed_values, column_checks,
                              pandera_schema)

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "예", "참", "o"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "아니오", "거짓", "x"})
_THOUSANDS = re.compile(r"(?<=\d)[,\s\u00a0'](?=\d{3}(?:\D|$))")
_DATE_SEPARATORS = re.compile(r"\s*[./]\s*")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as the analyst sees it (header is row 1)."""

    table: str
    row: int | None
    column: str | None
    value: str | None
    code: str
    params: Mapping[str, str] = field(default_factory=dict)


class ValidationError(Exception):
    """Raised when a table does not meet its schema; carries every problem found."""

    def __init__(self, table: str, problems: Sequence[Problem], source: str | None = None):
        self.table = table
        self.problems = list(problems)
        self.source = source
        first = self.problems[0] if self.problems else None
        where = f" row {first.row}, column {first.column}: {first.code}" if first else ""
        super().__init__(f"{source or table}: {len(self.problems)} problem(s);{where}")


@dataclass
class ValidationReport:
    table: str
    frame: pd.DataFrame
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


MAX_EXACT_INT = 2**53
_STR = pd.StringDtype("pyarrow", na_value=np.nan)  # what astype("str") gives
_ARROW_ERRORS = (pa_arrow.ArrowInvalid, pa_arrow.ArrowTypeError, pa_arrow.ArrowNotImplementedError)


def _stripped(values: pd.Series) -> pd.Series:
    """The values as trimmed strings ("str" dtype, missing stays missing)."""
    return values.astype("str").str.strip()


def _trimmed(values: pd.Series) -> pa_arrow.ChunkedArray:
    """`_stripped` as pyarrow strings (null = missing), without a round trip through pandas.

    pandas' `str.strip` on its pyarrow-backed strings is `utf8_trim_whitespace`, so this is the
    same text; values that are not pyarrow strings yet go through `astype("str")` first.
    """
    if not (isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"):
        values = values.astype("str")
    return trim_whitespace(_chunked(values))


def _chunked(values: pd.Series) -> pa_arrow.ChunkedArray:
    """The pyarrow data of a pyarrow-backed series (no copy), always as a ChunkedArray."""
    array = pa_arrow.array(values.array)
    return pa_arrow.chunked_array([array]) if isinstance(array, pa_arrow.Array) else array


def _blank_mask(text: pa_arrow.ChunkedArray) -> np.ndarray:
    """Missing or empty cells, as a numpy mask (read off the string offsets)."""
    parts = []
    for chunk in text.chunks:
        offsets = _offsets(chunk)
        if offsets is None:
            empty = pc.fill_null(pc.equal(pc.binary_length(chunk), 0), True)
            parts.append(np.asarray(empty.to_numpy(zero_copy_only=False), dtype=bool))
            continue
        blank = offsets[1:] == offsets[:-1]
        if chunk.null_count:
            blank |= ~np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        parts.append(blank)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def _offsets(chunk: pa_arrow.Array) -> np.ndarray | None:
    """The offsets of a string chunk's cells as numpy (len + 1 values), or None if not strings."""
    if chunk.type == pa_arrow.large_string():
        dtype = np.int64
    elif chunk.type == pa_arrow.string():
        dtype = np.int32
    else:
        return None
    buffer = chunk.buffers()[1]
    if buffer is None:
        return np.zeros(len(chunk) + 1, dtype=dtype)
    return np.frombuffer(buffer, dtype=dtype)[chunk.offset:chunk.offset + len(chunk) + 1]


def _without_blanks(text: pa_arrow.ChunkedArray, blank: np.ndarray) -> pa_arrow.ChunkedArray:
    """Empty cells become missing."""
    if not blank.any() or text.null_count == len(text) or int(blank.sum()) == text.null_count:
        return text
    return pc.if_else(pa_arrow.array(blank), pa_arrow.scalar(None, text.type), text)


def _str_series(text: pa_arrow.ChunkedArray, index: pd.Index) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(text, dtype=_STR), index=index, copy=False)


def _to_float(text: pd.Series) -> pd.Series:
    """Trimmed strings -> float64; a fast pyarrow cast when every value is a plain number."""
    plain = text.where(text != "")
    try:
        array = pc.cast(pa_arrow.array(plain, type=pa_arrow.string(), from_pandas=True), pa_arrow.float64())
        return pd.Series(array.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")
    except _ARROW_ERRORS:
        return pd.to_numeric(plain.astype(object), errors="coerce").astype("float64")


def parse_numbers(values: pd.Series) -> pd.Series:
    """Numbers as analysts type them: "1,000", "1 000", " -3.5 " -> float; others -> NaN.

    Infinity and "nan" are not numbers an analyst means, so they become NaN as well.
    """
    text = _trimmed(values)
    return pd.Series(_numbers(text, _blank_mask(text)), index=values.index)


def _numbers(text: pa_arrow.ChunkedArray, blank: np.ndarray) -> np.ndarray:
    """`parse_numbers` on trimmed pyarrow strings: float64 (NaN = not a number)."""
    plain = _without_blanks(text, blank)
    try:  # one pyarrow cast when every value is a plain number, else pandas for the whole column
        numbers = np.array(pc.cast(plain, pa_arrow.float64()).to_numpy(zero_copy_only=False), dtype="float64")
    except _ARROW_ERRORS:
        numbers = pd.to_numeric(_str_series(plain, pd.RangeIndex(len(plain))).astype(object),
                                errors="coerce").to_numpy(dtype="float64", copy=True)
    retry = np.isnan(numbers) & ~blank
    if retry.any():  # only the cells that need it go through the thousands-separator regex
        cells = _str_series(text, pd.RangeIndex(len(text)))[retry]
        cleaned = cells.str.replace(_THOUSANDS, "", regex=True)
        numbers[retry] = pd.to_numeric(cleaned.astype(object), errors="coerce").to_numpy(dtype="float64")
    numbers[~np.isfinite(numbers)] = np.nan
    return numbers


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO dates and Korean-style dates ("2018.03.31", "2018. 3. 31.", "2018년 3월 31일") ->
    datetime64; others NaT."""
    text = _stripped(values)
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    retry = dates.isna() & text.notna() & (text != "")
    if retry.any():  # only the cells that are not ISO dates go through the slower paths
        normalised = text[retry].str.rstrip(".").str.replace(_DATE_SEPARATORS, "-", regex=True)
        again = pd.to_datetime(normalised, format="%Y-%m-%d", errors="coerce")
        korean = again.isna() & text[retry].str.contains("년", regex=False)
        if korean.any():
            again[korean] = pd.to_datetime(text[retry][korean].map(parse_date), errors="coerce")
        dates[retry] = again
    return dates


_DASH, _ZERO = ord("-"), ord("0")
# Lookup tables for decoding "YYYY-MM-DD" (years 1000-9999): days from 1970-01-01 to each 1 January,
# leap years, and per (leap, month) the month's length and the days before it (month 0 and 13: none)
_YEARS = np.arange(1000, 10000)
_YEAR_START = (_YEARS - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
_LEAP = ((_YEARS % 4 == 0) & ((_YEARS % 100 != 0) | (_YEARS % 400 == 0))).astype(np.int64)
_MONTH_DAYS = np.array([[0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0],
                        [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0]], dtype=np.int64)
_MONTH_START = np.concatenate([np.zeros((2, 1), np.int64), np.cumsum(_MONTH_DAYS, axis=1)[:, :-1]], axis=1)
_MONTH_DAYS, _MONTH_START = _MONTH_DAYS.ravel(), _MONTH_START.ravel()


def _dates(text: pa_arrow.ChunkedArray, blank: np.ndarray) -> np.ndarray:
    """`parse_dates` on trimmed pyarrow strings, as datetime64[us] (NaT = not a date).

    Cells written exactly "YYYY-MM-DD" (the usual case) are decoded from their bytes with numpy;
    every other cell, and any such cell that is not a real date, goes through `parse_dates`.
    """
    dates = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[us]")
    done = np.zeros(len(text), dtype=bool)
    start = 0
    for chunk in text.chunks:
        size = len(chunk)
        if size and chunk.type in (pa_arrow.string(), pa_arrow.large_string()):
            _decode_iso_dates(chunk, dates[start:start + size], done[start:start + size])
        start += size
    rest = ~done & ~blank
    if rest.any():
        cells = _str_series(text, pd.RangeIndex(len(text)))[rest]
        dates[rest] = parse_dates(cells).astype("datetime64[us]").to_numpy()
    return dates


def _decode_iso_dates(chunk: pa_arrow.Array, out: np.ndarray, done: np.ndarray) -> None:
    """Fill `out` / `done` for the cells of one string chunk that are real dates in YYYY-MM-DD."""
    validity, _, data = chunk.buffers()
    if data is None:
        return
    offsets = _offsets(chunk)
    lengths = np.diff(offsets)
    candidate = lengths == 10
    if validity is not None:
        candidate &= np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    data = np.frombuffer(data, dtype=np.uint8)
    if candidate.all():  # every cell is 10 bytes long: one contiguous block
        rows = slice(None)
        first = int(offsets[0])
        cells = data[first:first + 10 * len(chunk)].reshape(-1, 10)
    else:
        rows = np.flatnonzero(candidate)
        if len(rows) == 0:
            return
        cells = data[offsets[rows][:, None] + np.arange(10)]
    good = (cells[:, 4] == _DASH) & (cells[:, 7] == _DASH)
    digits = {}
    for position in (0, 1, 2, 3, 5, 6, 8, 9):  # column by column: whole-matrix numpy is slower here
        digit = cells[:, position] - np.uint8(_ZERO)  # uint8 wraps around below "0"
        good &= digit <= 9
        digits[position] = digit.astype(np.int32)
    year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
    month = digits[5] * 10 + digits[6]
    day = digits[8] * 10 + digits[9]
    year_index = np.clip(year, 1000, 9999) - 1000
    month_index = _LEAP[year_index] * 14 + np.clip(month, 0, 13)
    good &= (year >= 1000) & (day >= 1) & (day <= _MONTH_DAYS[month_index])
    days = _YEAR_START[year_index] + _MONTH_START[month_index] + (day - 1)
    micros = (days * 86_400_000_000).view("datetime64[us]")
    if isinstance(rows, slice):
        np.copyto(out, micros, where=good)
        done |= good
    else:
        out[rows[good]] = micros[good]
        done[rows[good]] = True


def parse_bools(values: pd.Series) -> pd.Series:
    return pd.Series(_bools(_trimmed(values)), index=values.index)


def _bools(text: pa_arrow.ChunkedArray) -> pd.arrays.BooleanArray:
    """Yes/no words (case-insensitive, as pandas' `str.lower().isin`) -> boolean; others missing."""
    words = sorted(TRUE_WORDS) + sorted(FALSE_WORDS)
    found = pc.index_in(pc.utf8_lower(text), value_set=pa_arrow.array(words, type=text.type))
    where = np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False))
    return pd.arrays.BooleanArray((where >= 0) & (where < len(TRUE_WORDS)), where < 0)


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (_stripped(values) == "")


def coerce_column(values: pd.Series, column_type: str) -> tuple[pd.Series, pd.Series]:
    """Typed values and a mask of non-blank cells that could not be converted."""
    text = _trimmed(values)
    blank = _blank_mask(text)
    index = values.index
    if column_type == "str":
        return _str_series(_without_blanks(text, blank), index), pd.Series(False, index=index)
    if column_type == "int":
        numbers = pd.Series(_numbers(text, blank), index=index)
        # beyond 2**53 a float64 no longer holds every whole number (and 1e30 overflows Int64)
        bad = ~blank & (numbers.isna() | (numbers % 1 != 0) | (numbers.abs() > MAX_EXACT_INT))
        typed = numbers.where(~bad).round().astype("Int64")
    elif column_type == "float":
        numbers = _numbers(text, blank)
        bad = pd.Series(~blank & np.isnan(numbers), index=index)
        typed = pd.Series(numbers, index=index, dtype="float64")
    elif column_type == "bool":
        typed = pd.Series(_bools(text), index=index)
        bad = ~blank & typed.isna()
    else:
        dates = _dates(text, blank)
        bad = pd.Series(~blank & np.isnat(dates), index=index)
        typed = pd.Series(dates, index=index)
    return typed, bad.astype(bool)


def _frame_of_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as strings; pyarrow-backed string columns (what the file reader gives) are
    kept as they are, since typing reads their pyarrow data directly."""
    if all(isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" for dtype in frame.dtypes):
        return frame
    return frame.astype("str").where(frame.notna())


def typed_frame(raw: pd.DataFrame, spec: TableSpec, row_numbers: Sequence[int] | None = None) -> ValidationReport:
    """Convert a frame of strings to the declared types; report cells that do not convert."""
    rows = _row_list(row_numbers, len(raw))
    problems: list[Problem] = []
    declared = spec.column_names
    present = list(raw.columns)
    for name in present:
        if name not in declared:
            problems.append(Problem(spec.name, 1, str(name), str(name), "unknown_column",
                                    {"allowed": ", ".join(declared)}))
    for col in spec.columns:
        if col.name not in present and col.required:
            problems.append(Problem(spec.name, 1, col.name, None, "missing_column", {}))
    typed: dict[str, pd.Series] = {}
    for col in spec.columns:
        if col.name not in present:
            continue
        values, bad = coerce_column(raw[col.name], col.type)
        for position in bad.to_numpy().nonzero()[0]:
            problems.append(Problem(spec.name, rows[position], col.name, str(raw[col.name].iloc[position]),
                                    f"not_{col.type}", {}))
        typed[col.name] = values
    frame = pd.DataFrame(typed, index=raw.index, copy=False)
    return ValidationReport(spec.name, frame.reset_index(drop=True), problems)


def _row_list(row_numbers: Sequence[int] | None, count: int) -> list[int]:
    """File row numbers as a list (header = row 1); a list given is used as it is, not copied."""
    if row_numbers is None:
        return list(range(2, count + 2))
    return row_numbers if isinstance(row_numbers, list) else list(row_numbers)


def _key_texts(frame: pd.DataFrame, key: Sequence[str]) -> list[str]:
    """Each row's key as the analyst wrote it ("T1 / 2018-03-31 / US"), computed once for all rows."""
    parts = []
    for column in key:
        values = frame[column]
        text = values.dt.strftime("%Y-%m-%d") if pd.api.types.is_datetime64_any_dtype(values) else values.astype("str")
        parts.append(text.where(values.notna(), "").tolist())
    return [" / ".join(cells) for cells in zip(*parts, strict=True)]


def _problem_from_failure(spec: TableSpec, case: pd.Series, rows: Sequence[int], frame: pd.DataFrame,
                          reference_tables: Mapping[str, str], codes: Mapping[str, list[str]],
                          key_texts: Sequence[str] | None = None) -> Problem:
    """Map one row of pandera's failure_cases to a located, translatable problem."""
    column = case["column"] if isinstance(case["column"], str) else None
    index = case["index"]
    row = rows[int(index)] if pd.notna(index) else None
    value = None if pd.isna(case["failure_case"]) else str(case["failure_case"])
    check = str(case["check"])
    number = case.get("check_number")
    if column in codes and pd.notna(number) and int(number) < len(codes[column]):
        check = codes[column][int(number)]
    params: dict[str, str] = {}
    if check == "not_nullable":
        code = "required_value"
    elif check.startswith("field_uniqueness") or check == "multiple_fields_uniqueness":
        code = "duplicate_key"
        params["key"] = ", ".join(spec.key)
        column = column or ", ".join(spec.key)
        if row is not None:
            value = (key_texts[int(index)] if key_texts is not None else
                     " / ".join("" if pd.isna(frame.at[int(index), k]) else str(frame.at[int(index), k])
                                for k in spec.key))
    elif check in ("allowed", "pattern", "minimum", "maximum", "reference", "too_long"):
        code = check
        col = spec.column(column) if column else None
        if col is not None:
            if check == "allowed":
                choices = allowed_values(col) or ()
                params["allowed"] = ", ".join(choices) if len(choices) <= 12 else "ISO 3166-1 alpha-3"
            elif check == "pattern":
                params["pattern"] = col.pattern or ""
            elif check == "minimum":
                params["minimum"] = f"{col.minimum:g}"
            elif check == "maximum":
                params["maximum"] = f"{col.maximum:g}"
            elif check == "too_long":
                params["maximum"] = str(MAX_TEXT_LENGTH)
                value = (value or "")[:40] + "…"
            elif check == "reference" and col.references:
                params["table"], params["column"] = col.references
                params["allowed"] = reference_tables.get(column, "")
    elif check.startswith("column_in_dataframe"):
        code = "missing_column"
    elif check.startswith("column_in_schema"):
        code = "unknown_column"
    else:
        code = "invalid"
        params["check"] = check
    return Problem(spec.name, row, column, value, code, params)


def validate_frame(
    raw: pd.DataFrame,
    spec: TableSpec,
    *,
    reference_values: Mapping[str, frozenset[str]] | None = None,
    row_numbers: Sequence[int] | None = None,
) -> ValidationReport:
    """Type and validate a frame of strings; every problem is reported at once (lazy)."""
    raw = _frame_of_strings(raw.reset_index(drop=True))
    rows = _row_list(row_numbers, len(raw))
    report = typed_frame(raw, spec, rows)
    if any(p.code in ("missing_column", "unknown_column") for p in report.problems):
        return report
    reference_values = dict(reference_values or {})
    if _clearly_valid(report.frame, spec, reference_values):
        return report  # pandera would find nothing: skip its ~10 ms per 100k rows
    bad_cells = {(p.row, p.column) for p in report.problems}
    schema = pandera_schema(spec, reference_values)
    preview = {k: _preview(v) for k, v in reference_values.items()}
    codes = {col.name: [code for code, _ in column_checks(col, reference_values.get(col.name))]
             for col in spec.columns}
    try:
        schema.validate(report.frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        checks = cases["check"].astype("str")
        key_texts = (_key_texts(report.frame, spec.key)
                     if checks.str.contains("uniqueness", regex=False).any() else None)
        duplicate_rows: set[int | None] = set()
        names = list(cases.columns)
        records = (dict(zip(names, values, strict=True))  # plain dicts: iterrows/to_dict are slow on many failures
                   for values in zip(*(cases[name].tolist() for name in names), strict=True))
        for case in records:
            problem = _problem_from_failure(spec, case, rows, report.frame, preview, codes, key_texts)
            if problem.code == "required_value" and (problem.row, problem.column) in bad_cells:
                continue  # already reported as an unconvertible value
            if problem.code == "duplicate_key":  # pandera reports it per key column: once per row is enough
                if problem.row in duplicate_rows:
                    continue
                duplicate_rows.add(problem.row)
                problem = Problem(problem.table, problem.row, ", ".join(spec.key), problem.value, problem.code,
                                  problem.params)
            report.problems.append(problem)
    report.problems.sort(key=lambda p: (p.row if p.row is not None else 0, p.column or ""))
    return report


_TYPED_DTYPES = {"str": _STR, "int": pd.Int64Dtype(), "float": np.dtype("float64"), "bool": pd.BooleanDtype(),
                 "date": np.dtype("datetime64[us]")}


def _clearly_valid(frame: pd.DataFrame, spec: TableSpec, reference_values: Mapping[str, frozenset[str]]) -> bool:
    """Whether `pandera_schema(spec, reference_values)` would pass `frame`, checked directly.

    Only a fast way to say yes: any doubt (an unexpected dtype, a missing key column) or any
    failure returns False, and pandera then runs to report every problem as before. The checks
    mirror `pandera_schema`: dtype, nullable, each `column_checks` check on the non-missing values
    (pandera's `ignore_na`), and the unique key (pandera's `DataFrame.duplicated`).
    """
    if any(name not in spec.column_names for name in frame.columns):
        return False
    known: dict[str, tuple[np.ndarray, int]] = {}  # codes of columns checked against a list
    for col in spec.columns:
        if col.name not in frame:
            if col.required:
                return False
            continue
        values = frame[col.name]
        if values.dtype != _TYPED_DTYPES[col.type]:
            return False
        missing = np.asarray(values.isna().to_numpy(), dtype=bool)
        if not col.nullable and missing.any():
            return False
        if missing.all():
            continue
        try:
            passed, codes = _column_checks_pass(values, missing, col, reference_values.get(col.name))
        except (TypeError, ValueError, pa_arrow.ArrowException):  # let pandera judge and report
            return False
        if not passed:
            return False
        if codes is not None:
            known[col.name] = codes
    key = list(spec.key)
    return not key or (all(k in frame for k in key) and _keys_unique(frame, key, known))


def _keys_unique(frame: pd.DataFrame, key: list[str], known: Mapping[str, tuple[np.ndarray, int]]) -> bool:
    """`not frame.duplicated(subset=key, keep=False).any()`, done as pandas does it (factorize each
    column, missing values as one more value) but counting the combined codes with `bincount`
    instead of hashing them when they are few enough. `known` has codes of some columns already."""
    ids = np.zeros(len(frame), dtype=np.int64)
    size = 1
    for name in key:
        codes, count = known[name] if name in known else _codes(frame[name])
        if size > 2**62 // count:
            return not frame.duplicated(subset=key, keep=False).any()
        ids = ids * count + codes
        size *= count
    if size <= 8 * len(frame) + 1024:
        return len(ids) == 0 or int(np.bincount(ids, minlength=size).max()) <= 1
    return len(pd.unique(ids)) == len(ids)


_DAY_US = 86_400_000_000


def _codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Codes 0..count-1 that are equal exactly where the values are (all missing values equal).

    Dates at midnight over a modest span are numbered by day, without hashing; anything else is
    `pd.factorize`d (missing -> its own code), as `DataFrame.duplicated` does.
    """
    if values.dtype == np.dtype("datetime64[us]") and len(values):
        micros = values.to_numpy().view(np.int64)
        if not np.isnat(values.to_numpy()).any() and not (micros % _DAY_US).any():
            days = micros // _DAY_US
            low = int(days.min())
            span = int(days.max()) - low + 1
            if span <= 8 * len(values) + 1024:
                return days - low, span
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64) + 1, len(uniques) + 1


def _column_checks_pass(values: pd.Series, missing: np.ndarray, col: ColumnSpec,
                        references: frozenset[str] | None) -> tuple[bool, tuple[np.ndarray, int] | None]:
    """The checks of `column_checks(col, references)` on the non-missing values, in pyarrow / numpy.

    For a string column checked against a list of values, also gives codes of its cells (their
    position in that list + 1, missing = 0) for the key check, which then need not factorize it.
    """
    allowed = allowed_values(col)
    text = _chunked(values) if col.type == "str" else None
    present = values  # the non-missing values, selected only when a check below needs them
    if missing.any() and (col.pattern or col.minimum is not None or col.maximum is not None or
                          (text is None and (allowed is not None or col.references))):
        present = values[~missing]
    codes = None
    for choices in (allowed, sorted(references) if col.references and references is not None else None):
        if choices is None:
            continue
        if text is not None:  # index_in finds what is_in (pandas' isin for pyarrow strings) finds
            choices = list(choices)
            found = pc.index_in(text, value_set=pa_arrow.array(choices, type=text.type))
            where = np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False))
            if (where[~missing] < 0).any():
                return False, None
            codes = (where.astype(np.int64) + 1, len(choices) + 1)
        elif not present.isin(list(choices)).all():
            return False, None
    if col.pattern and not present.str.match(col.pattern, na=False).all():
        return False, None
    if col.minimum is not None and not (present >= col.minimum).all():
        return False, None
    if col.maximum is not None and not (present <= col.maximum).all():
        return False, None
    if text is not None and _longest_bytes(text) > MAX_TEXT_LENGTH:  # characters <= bytes
        if pc.max(pc.utf8_length(text)).as_py() > MAX_TEXT_LENGTH:
            return False, None
    return True, codes


def _longest_bytes(text: pa_arrow.ChunkedArray) -> int:
    """An upper bound of the byte length of any cell (from the offsets)."""
    longest = 0
    for chunk in text.chunks:
        offsets = _offsets(chunk)
        if offsets is None:
            return 2**62
        if len(chunk):
            longest = max(longest, int(np.diff(offsets).max()))
    return longest


def _preview(values: frozenset[str], limit: int = 12) -> str:
    ordered = sorted(values)
    more = f" … (+{len(ordered) - limit})" if len(ordered) > limit else ""
    return ", ".join(ordered[:limit]) + more


def empty_frame(spec: TableSpec) -> pd.DataFrame:
    """A zero-row frame with the declared columns and dtypes (for templates)."""
    return pd.DataFrame({c.name: pd.Series(dtype=PANDAS_DTYPES[c.type] or "datetime64[us]") for c in spec.columns})
