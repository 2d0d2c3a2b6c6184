"""Problems with an upload, in words: every code is an i18n key `problem.<code>` (Korean, English).

Works for `validation.Problem` and `filereader.ReadProblem` alike (row, column, value, code,
params). No Streamlit: the Data page and the CLI both use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Protocol

import pandas as pd

from dashboard.i18n import catalog, normalise_lang, t
from dashboard.schema import TableSpec

PROBLEM_COLUMNS = ("row", "column", "value", "reason")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class ProblemLike(Protocol):
    row: int | None
    column: str | None
    value: str | None
    code: str
    params: Mapping[str, object]


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def safe_text(value: object, limit: int = 120) -> str:
    """A value as one printable line: control and direction characters shown as escapes, clipped."""
    if value is None:
        return ""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100
                        else f"\\u{ord(m.group(0)):04x}", str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _param(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.15g}"
    return safe_text(value, 400)


def message(problem: ProblemLike, lang: str) -> str:
    """The reason, in `lang`, with the problem's parameters filled in."""
    lang = normalise_lang(lang)
    key = f"problem.{problem.code}"
    if key not in catalog():
        return t("problem.unknown", lang).format_map(_Defaulting(code=safe_text(problem.code)))
    params = _Defaulting({name: _param(value) for name, value in dict(problem.params or {}).items()})
    try:
        return t(key, lang).format_map(params)
    except (ValueError, IndexError, AttributeError):
        return t(key, lang)


def column_label(column: str | None, spec: TableSpec | None, lang: str) -> str:
    """A declared column as "id (label)", anything else as given."""
    if not column:
        return ""
    if spec is not None and column in spec.column_names:
        label = spec.column(column).label(lang)
        return column if label == column else f"{column} ({label})"
    return safe_text(column, 80)


def problem_frame(problems: Iterable[ProblemLike], lang: str, spec: TableSpec | None = None) -> pd.DataFrame:
    """One row per problem: file row (header = 1), column, offending value, reason in `lang`."""
    records = [{
        "row": problem.row if problem.row is not None else pd.NA,
        "column": column_label(problem.column, spec, lang),
        "value": safe_text(problem.value),
        "reason": message(problem, lang),
    } for problem in problems]
    frame = pd.DataFrame(records, columns=list(PROBLEM_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    return frame


def problem_headers(lang: str) -> dict[str, str]:
    """The problem table's headers in `lang`."""
    return {column: t(f"problem.header_{column}", lang) for column in PROBLEM_COLUMNS}


def report_text(problems: Iterable[ProblemLike], lang: str, spec: TableSpec | None = None) -> str:
    """Plain-text report for the terminal: one problem per line."""
    frame = problem_frame(problems, lang, spec)
    lines = []
    row_word, column_word = t("problem.header_row", lang), t("problem.header_column", lang)
    value_word = t("problem.header_value", lang)
    for record in frame.itertuples(index=False):
        where = []
        if pd.notna(record.row):
            where.append(f"{row_word} {record.row}")
        if record.column:
            where.append(f"{column_word} {record.column}")
        head = ", ".join(where)
        value = f" [{value_word}: {record.value!s}]" if record.value else ""
        lines.append(f"- {head + ': ' if head else ''}{record.reason}{value}")
    return "\n".join(lines)
