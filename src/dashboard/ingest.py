"""From the bytes of an uploaded file to a typed table that may be published, or every problem.

The pipeline (no Streamlit here; the Data page and the CLI both call it)::

    bytes --read_table_file--> strings --header aliases--> --validate_frame--> typed frame
                                                               + content checks (formulas, markup)
                                                               + references TO published tables
                                                               + references FROM published tables

A file is accepted only when the list of problems is empty; `publish` refuses anything else, so
an invalid file can never become a version. Every problem is a `validation.Problem` (file row as
the analyst sees it, header = row 1; column; value; code; params) that `dashboard.problems`
renders in Korean or English.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.filereader import FileReadError, ReadProblem, ReadResult, normalise_headers, read_table_file
from dashboard.loading import load_csv_tables, reference_values
from dashboard.paths import DATA_DIR
from dashboard.schema import TableSpec, table_specs
from dashboard.store import LocalStore, UnknownTable, VersionInfo
from dashboard.validation import Problem, validate_frame

log = logging.getLogger(__name__)

MAX_UPLOAD_ENV = "DASHBOARD_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 50
MAX_ROWS = 1_000_000
MAX_COLUMNS = 200
MAX_NOTE_CHARS = 500
MAX_EDITOR_CHARS = 80
HEADER_STYLES = ("ids", "ko", "en")

# A text cell that a spreadsheet would run as a formula: "=...", "@...", or "+"/"-" followed by
# something that is not a plain number ("-3.5" and a lone "-" are fine).
_FORMULA = re.compile(r"^(?:[=@]|[+\-](?![\d.,\s]*$))")
# Markup that has no business in a data cell (the app renders data as text, but downstream tools
# might not): HTML tags and comments, and javascript:/vbscript:/data: URIs.
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>|(?:java|vb)script\s*:|data\s*:\s*text/html", re.IGNORECASE)  # RE2-safe
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def max_upload_bytes() -> int:
    """The upload size limit: `DASHBOARD_MAX_UPLOAD_MB` (default 50 MB)."""
    try:
        megabytes = float(os.environ.get(MAX_UPLOAD_ENV) or DEFAULT_MAX_UPLOAD_MB)
    except ValueError:
        megabytes = DEFAULT_MAX_UPLOAD_MB
    return int(max(megabytes, 0.001) * 1024 * 1024)


class IngestRefused(ValueError):
    """`publish` was asked to publish something that is not an accepted upload."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        codes = ", ".join(sorted({p.code for p in self.problems}))
        super().__init__(f"not published: {len(self.problems)} problem(s) ({codes})")


@dataclass
class Ingested:
    """The outcome of reading and validating one uploaded file for one table."""

    table: str
    source_name: str
    sha256: str | None
    frame: pd.DataFrame | None  # the typed table, only when there is no problem
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0  # data rows read from the file
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    @property
    def ok(self) -> bool:
        return self.frame is not None and not self.problems


# --------------------------------------------------------------------------- published state


def published_tables(store: LocalStore, data_dir=DATA_DIR) -> dict[str, pd.DataFrame]:
    """The newest intact version of every declared table, without writing anything.

    A table never published falls back to its shipped CSV in `data/` (what seeding would publish),
    so that checking a file against a fresh store changes nothing on disk.
    """
    frames: dict[str, pd.DataFrame] = {}
    missing: list[str] = []
    for name in table_specs():
        try:
            frames[name] = store.read_with_fallback(name)[0]
        except UnknownTable:
            missing.append(name)
    if missing:
        shipped = load_csv_tables(data_dir)
        frames.update({name: shipped[name] for name in missing})
    return frames


# --------------------------------------------------------------------------- checks


def _from_read_problem(table: str, problem: ReadProblem) -> Problem:
    params = dict(problem.params)
    if problem.code == "too_large":  # bytes are for machines; people read megabytes
        params["size_mb"] = f"{params.get('size', 0) / 1024 / 1024:,.1f}"
        params["limit_mb"] = f"{params.get('limit', 0) / 1024 / 1024:,.0f}"
    return Problem(table, problem.row, problem.column, problem.value, problem.code, params)


def content_problems(frame: pd.DataFrame, spec: TableSpec, row_numbers: Sequence[int]) -> list[Problem]:
    """Text cells that would run as a spreadsheet formula, carry markup or control characters.

    Vectorised: each cell's first byte (read off the pyarrow offsets) finds formula candidates, and
    the RE2 regexes run only on columns whose bytes could hold a match; only cells starting with
    "+" or "-" need Python's regex.
    """
    problems: list[Problem] = []
    for column in spec.columns:
        if column.type != "str" or column.name not in frame:
            continue
        values = frame[column.name]
        array = pa.array(values, from_pandas=True)
        if array.type not in (pa.string(), pa.large_string()):
            array = array.cast(pa.string())
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
        if array.null_count == len(array):
            continue
        first = _first_bytes(array)
        formula = (first == ord("=")) | (first == ord("@"))
        for position in np.flatnonzero((first == ord("+")) | (first == ord("-"))):
            formula[position] = bool(_FORMULA.match(array[position].as_py()))
        data = np.frombuffer(array.buffers()[2] or b"", dtype=np.uint8)
        nothing = np.zeros(len(array), dtype=bool)
        # the regexes cost milliseconds per column: run them only when the column's bytes hold a
        # character that a match needs. Every match of _MARKUP has "<" or ":", every match of
        # _CONTROL a byte below 0x20 or 0x7f; in UTF-8 no byte of a multi-byte character is below
        # 0x80, so looking at the bytes is exact (a sliced array's buffer may hold more bytes than
        # its cells: then the regex just runs).
        markup = (_mask(pc.match_substring_regex(array, _MARKUP.pattern, ignore_case=True))
                  if (data == ord("<")).any() or (data == ord(":")).any() else nothing)
        control = (_mask(pc.match_substring_regex(array, _CONTROL.pattern))
                   if len(data) and (data.min() < 0x20 or (data == 0x7F).any()) else nothing)
        checks = (("formula", formula), ("markup", markup), ("control_character", control))
        for code, hits in checks:
            for position in hits.nonzero()[0]:
                problems.append(Problem(spec.name, int(row_numbers[position]), column.name,
                                        str(values.iloc[position]), code, {}))
    return problems


def _first_bytes(array: pa.Array) -> np.ndarray:
    """The first byte of every cell of a pyarrow string array (0 for empty and missing cells)."""
    offset_type = np.int64 if array.type == pa.large_string() else np.int32
    offsets = np.frombuffer(array.buffers()[1], dtype=offset_type)[array.offset:array.offset + len(array) + 1]
    data = array.buffers()[2]
    if data is None or not len(data):
        return np.zeros(len(array), dtype=np.uint8)
    filled = offsets[1:] > offsets[:-1]
    if array.null_count:
        filled &= np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    # a dense gather, then blank out the empty cells (faster than gathering through a mask)
    first = np.frombuffer(data, dtype=np.uint8)[np.minimum(offsets[:-1], len(data) - 1)]
    first[~filled] = 0
    return first


def _mask(result: pa.Array) -> np.ndarray:
    """A pyarrow boolean result as a writable numpy mask (null -> False)."""
    return np.array(pc.fill_null(result, False).to_numpy(zero_copy_only=False), dtype=bool)


def dependants(table: str) -> list[tuple[str, str, str]]:
    """(other table, its column, our column) for every reference that points at `table`."""
    found = []
    for name, spec in table_specs().items():
        for column, (ref_table, ref_column) in spec.references.items():
            if ref_table == table and name != table:
                found.append((name, column, ref_column))
    return found


def unknown_references(table: str, frame: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> list[Problem]:
    """Values of a typed frame's reference columns that the published tables do not have."""
    spec = table_specs()[table]
    problems: list[Problem] = []
    for column, allowed in reference_values(spec, tables).items():
        if column not in frame:
            continue
        values = frame[column].dropna().astype("str")
        missing = values[~values.isin(allowed)]
        ref_table, ref_column = spec.references[column]
        for value in sorted(set(missing)):
            problems.append(Problem(table, None, column, value, "reference",
                                    {"table": ref_table, "column": ref_column, "allowed": _preview(allowed)}))
    return problems


def _preview(values: frozenset[str], limit: int = 12) -> str:
    ordered = sorted(values)
    more = f" … (+{len(ordered) - limit})" if len(ordered) > limit else ""
    return ", ".join(ordered[:limit]) + more


def broken_references(table: str, frame: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> list[Problem]:
    """Keys that other published tables still use but the new version of `table` would remove."""
    problems: list[Problem] = []
    for other, column, ref_column in dependants(table):
        if other not in tables or ref_column not in frame or column not in tables[other]:
            continue
        used = tables[other][column].dropna().astype("str")
        available = set(frame[ref_column].dropna().astype("str"))
        missing = used[~used.isin(available)]
        for value, count in missing.value_counts(sort=False).sort_index().items():
            problems.append(Problem(table, None, ref_column, str(value), "still_referenced",
                                    {"table": other, "column": column, "count": int(count)}))
    return problems


# --------------------------------------------------------------------------- the pipeline


def ingest(
    table: str,
    data: bytes,
    filename: str,
    tables: Mapping[str, pd.DataFrame],
    *,
    max_bytes: int | None = None,
    max_rows: int = MAX_ROWS,
    sheet: str | None = None,
) -> Ingested:
    """Read, type and validate an uploaded file as a new version of `table`.

    `tables` are the currently published tables (see `published_tables`): references from the
    file are checked against their keys, and the file must keep every key that they use.
    Never raises for bad bytes; anything unexpected becomes an "internal" problem.
    """
    result = Ingested(table=table, source_name=os.path.basename(str(filename or "upload")) or "upload",
                      sha256=None, frame=None)
    try:
        read = read_table_file(data, result.source_name, max_bytes=max_bytes or max_upload_bytes(),
                               max_rows=max_rows, max_columns=MAX_COLUMNS, sheet=sheet or table)
    except FileReadError as error:
        result.problems = [_from_read_problem(table, p) for p in error.problems]
        return result
    except Exception as error:  # noqa: BLE001 - the reader promises FileReadError; never crash a page
        log.exception("reading %r for table %s failed unexpectedly", result.source_name, table)
        result.problems = [Problem(table, None, None, None, "internal", {"error": type(error).__name__})]
        return result
    return check_read(table, read, tables, source_name=result.source_name)


def check_read(table: str, read: ReadResult, tables: Mapping[str, pd.DataFrame], *,
               source_name: str = "upload") -> Ingested:
    """The checking half of `ingest`, for a file already read by `read_table_file`."""
    spec = table_specs()[table]
    result = Ingested(table=table, source_name=source_name, sha256=read.sha256, frame=None,
                      encoding=read.encoding, delimiter=read.delimiter, sheet=read.sheet)
    try:
        raw = normalise_headers(read.frame, spec.header_aliases())
    except FileReadError as error:
        result.problems = [_from_read_problem(table, p) for p in error.problems]
        return result
    result.rows = len(raw)
    if result.rows == 0:
        result.problems = [Problem(table, None, None, None, "no_rows", {})]
        return result
    try:
        rows = read.row_numbers
        report = validate_frame(raw, spec, reference_values=reference_values(spec, tables), row_numbers=rows)
        problems = list(report.problems)
        structural = any(p.code in ("missing_column", "unknown_column") for p in problems)
        if not structural:
            problems += content_problems(report.frame, spec, rows)
            problems += broken_references(table, report.frame, tables)
    except Exception as error:  # noqa: BLE001
        log.exception("validating %r for table %s failed unexpectedly", result.source_name, table)
        result.problems = [Problem(table, None, None, None, "internal", {"error": type(error).__name__})]
        return result
    problems = _as_written(problems, raw, rows)
    problems.sort(key=lambda p: (p.row if p.row is not None else 10**12, p.column or "", p.code))
    result.problems = problems
    if not problems:
        result.frame = report.frame
    return result


def _as_written(problems: list[Problem], raw: pd.DataFrame, rows: Sequence[int]) -> list[Problem]:
    """Show each cell's value as the file has it ("1,000", not the parsed 1000.0)."""
    if not problems:
        return problems
    numbers = np.asarray(rows)
    out = []
    for problem in problems:
        if problem.row is not None and problem.column in raw.columns and problem.code != "duplicate_key":
            position = int(np.searchsorted(numbers, problem.row))
            if position < len(numbers) and numbers[position] == problem.row:
                cell = raw[problem.column].iloc[position]
                problem = dataclasses.replace(problem, value=None if pd.isna(cell) else str(cell))
        out.append(problem)
    return out


def check_note(note: object, editor: object) -> list[Problem]:
    """A version needs a note and an editor's name (both trimmed, bounded, plain text)."""
    problems = []
    for field_name, value, limit in (("note", note, MAX_NOTE_CHARS), ("editor", editor, MAX_EDITOR_CHARS)):
        text = value.strip() if isinstance(value, str) else ""
        if not text:
            problems.append(Problem("", None, field_name, None, f"{field_name}_required", {}))
        elif len(text) > limit or _CONTROL.search(text):
            problems.append(Problem("", None, field_name, text[:40], f"{field_name}_invalid", {"maximum": limit}))
    return problems


def publish(store: LocalStore, ingested: Ingested, *, note: str, editor: str,
            expected_version: int | None = None) -> VersionInfo:
    """Publish an accepted upload as the table's next version.

    Re-checks references against the tables published *now* (another table may have changed since
    the preview), and, when `expected_version` is given, refuses if the table itself got a newer
    version since the preview was made ("published_meanwhile"), so nobody overwrites a change they
    have not seen. Raises `IngestRefused` (nothing written) or a `StoreError` from the store.
    """
    problems = check_note(note, editor)
    if not ingested.ok:
        raise IngestRefused(ingested.problems or [Problem(ingested.table, None, None, None, "not_validated", {})])
    if problems:
        raise IngestRefused(problems)
    table = ingested.table
    if expected_version is not None:
        latest = store.latest_version(table)
        if latest is not None and latest != expected_version:
            raise IngestRefused([Problem(table, None, None, None, "published_meanwhile",
                                         {"version": latest, "expected": expected_version})])
    current = published_tables(store)
    stale = unknown_references(table, ingested.frame, current) + broken_references(table, ingested.frame, current)
    if stale:
        raise IngestRefused(stale)
    return store.publish(table, ingested.frame, note=note.strip(), editor=editor.strip(),
                         source_sha256=ingested.sha256, source_name=ingested.source_name)


def rollback(store: LocalStore, table: str, version: int, *, editor: str, note: str | None = None) -> VersionInfo:
    """Publish an old version again as a new version, if the other tables' references allow it."""
    note = note if note and note.strip() else f"Rollback to version {version}"
    problems = check_note(note, editor)
    if problems:
        raise IngestRefused(problems)
    frame = store.read(table, version)
    current = published_tables(store)
    stale = unknown_references(table, frame, current) + broken_references(table, frame, current)
    if stale:
        raise IngestRefused(stale)
    return store.rollback(table, version, editor=editor.strip(), note=note.strip())


# --------------------------------------------------------------------------- files for analysts


def header_labels(spec: TableSpec, headers: str = "ids") -> dict[str, str]:
    """Column name -> header written in downloads: the ids, or the Korean / English labels."""
    if headers not in HEADER_STYLES:
        raise ValueError(f"headers must be one of {HEADER_STYLES}")
    if headers == "ids":
        return {c.name: c.name for c in spec.columns}
    return {c.name: c.label(headers) for c in spec.columns}


def labelled(frame: pd.DataFrame, spec: TableSpec, headers: str = "ids") -> pd.DataFrame:
    """A table ready to download and upload again: declared column order, chosen header names."""
    columns = [c for c in spec.column_names if c in frame.columns]
    out = frame[columns].copy()
    for name in columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            out[name] = out[name].dt.strftime("%Y-%m-%d").astype("str")
    return out.rename(columns=header_labels(spec, headers))


def template(spec: TableSpec, headers: str = "ids") -> pd.DataFrame:
    """The empty template: just the header row."""
    return pd.DataFrame(columns=list(header_labels(spec, headers).values()))


def column_guide(spec: TableSpec, lang: str) -> pd.DataFrame:
    """One row per column for analysts: id, header label, type, required, rule, example, description."""
    from dashboard.i18n import t
    from dashboard.schema import allowed_values

    records = []
    for column in spec.columns:
        rules = []
        allowed = allowed_values(column)
        if column.allowed == ("@iso3",):
            rules.append(t("data.rule_iso3", lang))
        elif allowed:
            rules.append(t("data.rule_allowed", lang, values=", ".join(allowed)))
        if column.pattern:
            rules.append(t("data.rule_pattern", lang, pattern=column.pattern))
        if column.minimum is not None:
            rules.append(t("data.rule_minimum", lang, minimum=f"{column.minimum:,g}"))
        if column.maximum is not None:
            rules.append(t("data.rule_maximum", lang, maximum=f"{column.maximum:,g}"))
        if column.references:
            rules.append(t("data.rule_reference", lang, table=column.references[0], column=column.references[1]))
        if column.name in spec.key:
            rules.append(t("data.rule_key", lang, key=", ".join(spec.key)))
        records.append({
            "column": column.name,
            "label": column.label(lang),
            "type": t(f"data.type_{column.type}", lang),
            "required": t("data.optional" if column.nullable else "data.required", lang),
            "description": column.description(lang),
            "rule": " · ".join(rules),
            "example": column.example,
        })
    return pd.DataFrame(records, columns=["column", "label", "type", "required", "description", "rule", "example"])
