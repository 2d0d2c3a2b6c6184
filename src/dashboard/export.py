"""Downloads that are safe to open in a spreadsheet (CSV with BOM, XLSX), formula injection neutralised.

Rule (OWASP "CSV injection"): in text columns, a cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return gets a leading apostrophe, so Excel/LibreOffice show it as text instead of
running it. Column headers are treated the same way (pivoted views use data values as headers).

Not touched:
* numeric, boolean and date columns (a negative number stays a number);
* a text cell that is nothing but a signed number, e.g. ``-3``, ``+1.5``, ``-1,234`` or ``-12%``:
  it cannot call a function or reference anything, and quoting it would mangle a legitimate
  negative value kept as text (e.g. a facts table's "value" column). Anything more (``-3+A1``,
  ``-1e3`` with letters, ``=1``) is quoted.
"""

from __future__ import annotations

import io
import re

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*%?")
# Characters that XLSX (XML 1.0) cannot hold; openpyxl would refuse the whole file.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_formula_like(value: object) -> bool:
    """True for a string a spreadsheet could evaluate as a formula."""
    return (isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
            and not _PLAIN_NUMBER.fullmatch(value))


def neutralise_cell(value: object) -> object:
    return "'" + value if is_formula_like(value) else value  # type: ignore[operator]


def _is_text_column(series: pd.Series) -> bool:
    dtype = series.dtype
    return (isinstance(dtype, pd.CategoricalDtype) or dtype == object
            or pd.api.types.is_string_dtype(dtype))


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells (and headers) cannot run as spreadsheet formulas."""
    out = frame.copy()
    for position, column in enumerate(out.columns):
        series = out.iloc[:, position]
        if not _is_text_column(series):
            continue
        risky = series.map(is_formula_like).astype(bool)
        if risky.any():
            values = series.astype(object)
            values[risky] = "'" + values[risky].astype(str)
            out.isetitem(position, values)
    if any(is_formula_like(column) for column in out.columns):
        out.columns = [neutralise_cell(column) for column in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so that Excel opens Korean text correctly."""
    return neutralise_formulas(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    buffer = io.BytesIO()
    safe = neutralise_formulas(frame)
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(column):
            safe.isetitem(position, column.dt.date)
        elif _is_text_column(column):
            safe.isetitem(position, column.map(
                lambda v: _XLSX_ILLEGAL.sub("\ufffd", v) if isinstance(v, str) else v).astype(object))
    safe.columns = [_XLSX_ILLEGAL.sub("\ufffd", c) if isinstance(c, str) else c for c in safe.columns]
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, sheet_name=sheet[:31], index=False)
    return buffer.getvalue()
