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

from dashboard.filereader import parse_date
from dashboard.schema import MAX_TEXT_LENGTH, PANDAS_DTYPES, TableSpec, allowed_values, column_checks, pandera_schema

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


def _stripped(values: pd.Series) -> pd.Series:
    """The values as trimmed strings ("str" dtype, missing stays missing)."""
    return values.astype("str").str.strip()


def _to_float(text: pd.Series) -> pd.Series:
    """Trimmed strings -> float64; a fast pyarrow cast when every value is a plain number."""
    plain = text.where(text != "")
    try:
        array = pc.cast(pa_arrow.array(plain, type=pa_arrow.string(), from_pandas=True), pa_arrow.float64())
        return pd.Series(array.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")
    except (pa_arrow.ArrowInvalid, pa_arrow.ArrowTypeError, pa_arrow.ArrowNotImplementedError):
        return pd.to_numeric(plain.astype(object), errors="coerce").astype("float64")


def parse_numbers(values: pd.Series) -> pd.Series:
    """Numbers as analysts type them: "1,000", "1 000", " -3.5 " -> float; others -> NaN.

    Infinity and "nan" are not numbers an analyst means, so they become NaN as well.
    """
    text = _stripped(values)
    numbers = _to_float(text)
    retry = numbers.isna() & text.notna() & (text != "")
    if retry.any():  # only the cells that need it go through the thousands-separator regex
        cleaned = text[retry].str.replace(_THOUSANDS, "", regex=True)
        numbers[retry] = pd.to_numeric(cleaned.astype(object), errors="coerce")
    return numbers.where(np.isfinite(numbers.to_numpy()))


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


def parse_bools(values: pd.Series) -> pd.Series:
    lowered = _stripped(values).str.lower()
    result = pd.Series(pd.NA, index=values.index, dtype="boolean")
    result[lowered.isin(TRUE_WORDS)] = True
    result[lowered.isin(FALSE_WORDS)] = False
    return result


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (_stripped(values) == "")


def coerce_column(values: pd.Series, column_type: str) -> tuple[pd.Series, pd.Series]:
    """Typed values and a mask of non-blank cells that could not be converted."""
    text = _stripped(values)
    blank = (text.isna() | (text == "")).astype(bool)
    if column_type == "str":
        return text.where(~blank), pd.Series(False, index=values.index)
    if column_type == "int":
        numbers = parse_numbers(text)
        bad = ~blank & (numbers.isna() | (numbers % 1 != 0))
        typed = numbers.where(~bad).round().astype("Int64")
    elif column_type == "float":
        numbers = parse_numbers(text)
        bad = ~blank & numbers.isna()
        typed = numbers.astype("float64")
    elif column_type == "bool":
        typed = parse_bools(text)
        bad = ~blank & typed.isna()
    else:
        typed = parse_dates(text)
        bad = ~blank & typed.isna()
        typed = typed.astype("datetime64[us]")
    return typed, bad.astype(bool)


def _frame_of_strings(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype("str").where(frame.notna())


def typed_frame(raw: pd.DataFrame, spec: TableSpec, row_numbers: Sequence[int] | None = None) -> ValidationReport:
    """Convert a frame of strings to the declared types; report cells that do not convert."""
    rows = list(row_numbers) if row_numbers is not None else list(range(2, len(raw) + 2))
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
    unconvertible = pd.Series(False, index=raw.index)
    for col in spec.columns:
        if col.name not in present:
            continue
        values, bad = coerce_column(raw[col.name], col.type)
        for position in bad.to_numpy().nonzero()[0]:
            problems.append(Problem(spec.name, rows[position], col.name, str(raw[col.name].iloc[position]),
                                    f"not_{col.type}", {}))
        unconvertible |= bad
        typed[col.name] = values
    frame = pd.DataFrame(typed, index=raw.index)
    return ValidationReport(spec.name, frame.reset_index(drop=True), problems)


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
    rows = list(row_numbers) if row_numbers is not None else list(range(2, len(raw) + 2))
    report = typed_frame(raw, spec, rows)
    if any(p.code in ("missing_column", "unknown_column") for p in report.problems):
        return report
    bad_cells = {(p.row, p.column) for p in report.problems}
    reference_values = dict(reference_values or {})
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


def _preview(values: frozenset[str], limit: int = 12) -> str:
    ordered = sorted(values)
    more = f" … (+{len(ordered) - limit})" if len(ordered) > limit else ""
    return ", ".join(ordered[:limit]) + more


def empty_frame(spec: TableSpec) -> pd.DataFrame:
    """A zero-row frame with the declared columns and dtypes (for templates)."""
    return pd.DataFrame({c.name: pd.Series(dtype=PANDAS_DTYPES[c.type] or "datetime64[us]") for c in spec.columns})
