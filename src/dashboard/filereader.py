"""Turn the raw bytes of an uploaded CSV / XLSX file into a frame of strings.

This module only *reads*: every cell comes back as a trimmed string (or NA),
and typing / validation against table schemas happens later.  Anything wrong
with the bytes is reported as :class:`FileReadError` carrying one or more
:class:`ReadProblem` records with stable machine codes, so the UI can
translate them; no other exception type escapes :func:`read_table_file` for
bad input.

Row numbers are the rows as the analyst sees them when the file is opened in
Excel: the first record of the file is row 1 (normally the header), a quoted
cell spanning several lines is still one row, and an Excel ``sep=`` line is
not counted (Excel hides it).  Blank rows are dropped from the frame but
``ReadResult.row_numbers`` keeps the file numbering.

No Streamlit import here: the module is usable from scripts and tests.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import re
import threading
import unicodedata
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

__all__ = [
    "ReadProblem",
    "FileReadError",
    "ReadResult",
    "read_table_file",
    "normalise_headers",
    "parse_number",
    "parse_date",
    "trim_whitespace",
    "XLSX_MAX_UNCOMPRESSED",
    "XLSX_MAX_RATIO",
]

# --------------------------------------------------------------------------
# Limits that are not part of the call signature
# --------------------------------------------------------------------------

#: Sum of the declared uncompressed sizes of all members of an XLSX archive.
XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
#: Compression ratio above which a *large* member is treated as a bomb.
XLSX_MAX_RATIO = 100
#: A member is "large" (ratio checked) from this uncompressed size on.
XLSX_RATIO_MIN_SIZE = 10 * 1024 * 1024
#: More members than this is not a spreadsheet anybody exported.
XLSX_MAX_MEMBERS = 10_000
#: At most this many row-level problems are reported for one file.
MAX_PROBLEMS = 50

_DELIMITERS = (",", ";", "\t")
_SNIFF_CHARS = 64 * 1024
_SNIFF_RECORDS = 50

# --------------------------------------------------------------------------
# Problems and errors
# --------------------------------------------------------------------------

_MESSAGES: dict[str, str] = {
    "too_large": "The file is {size:,} bytes; the limit is {limit:,} bytes.",
    "empty_file": "The file is empty.",
    "encoding": "The file's text encoding could not be recognised "
    "(tried {tried}). Save it as UTF-8 CSV.",
    "binary": "This is not a CSV or XLSX file ({detected}).",
    "not_a_table": "The file could not be read as a table ({reason}).",
    "xlsx_bomb": "The XLSX file expands to an implausible size ({reason}); it was not opened.",
    "too_many_rows": "The file has more than {limit:,} data rows.",
    "too_many_columns": "The file has {found:,} columns; at most {limit:,} are allowed.",
    "duplicate_header": "The column name {name!r} appears more than once (columns {positions}).",
    "blank_header": "Column {position} has values but no column name.",
    "ragged_row": "Row {row} has {found} cells but the header has only {expected}.",
    "unclosed_quote": "A quoted cell starting in row {row} is never closed.",
}


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return "?"


@dataclass(frozen=True, kw_only=True)
class ReadProblem:
    """One thing wrong with an uploaded file.

    ``row`` is the file row as the analyst sees it (header = row 1), ``column``
    a column name or "column N" position, ``value`` the offending text (if
    any), ``code`` a stable machine code and ``params`` the values needed to
    format a message in any language.
    """

    row: int | None = None
    column: str | None = None
    value: str | None = None
    code: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def message(self) -> str:
        """English default message (the UI translates ``code`` itself)."""
        template = _MESSAGES.get(self.code, "Problem reading the file ({code}).")
        values = _Defaulting(self.params)
        values.setdefault("row", self.row)
        values.setdefault("column", self.column)
        values.setdefault("value", self.value)
        values.setdefault("code", self.code)
        try:
            text = template.format_map(values)
        except (ValueError, TypeError, IndexError, KeyError):
            text = f"Problem reading the file ({self.code})."
        if self.row is not None and "{row}" not in template:
            text = f"Row {self.row}: {text}"
        return text


class FileReadError(Exception):
    """The uploaded bytes cannot be turned into a table."""

    def __init__(self, problems: list[ReadProblem]):
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems) or "unreadable file")


@dataclass
class ReadResult:
    frame: pd.DataFrame
    row_numbers: list[int]
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    sha256: str


def _fail(code: str, **kw: Any) -> FileReadError:
    params = kw.pop("params", {})
    return FileReadError([ReadProblem(code=code, params=params, **kw)])


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Excel 97-2003 .xls / OLE2 file; save as .xlsx"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"BM", "BMP image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
)


def read_table_file(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = 50 * 1024 * 1024,
    max_rows: int = 1_000_000,
    max_columns: int = 200,
    sheet: str | None = None,
) -> ReadResult:
    """Read an uploaded CSV or XLSX file into a frame of trimmed strings.

    The kind of file is decided by its content (an XLSX is a ZIP archive),
    not by ``filename``, which only feeds messages.  ``sheet`` picks an XLSX
    sheet by name (trimmed, case-insensitive); without it, or when no sheet
    has that name, the first visible sheet is read.

    Raises :class:`FileReadError` (and nothing else) for bad input.
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    size = len(data)
    if size > max_bytes:
        raise _fail("too_large", params={"size": size, "limit": max_bytes})
    if not data or data.isspace():  # = not data.strip(), without copying the data
        raise _fail("empty_file")

    if data.startswith(_ZIP_MAGIC):
        frame, rows, sheet_name = _read_xlsx(data, sheet, max_rows, max_columns)
        return ReadResult(frame, rows, None, None, sheet_name, hashlib.sha256(data).hexdigest())
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise _fail("binary", params={"detected": what})

    digest = _Digest(data)
    try:
        text, encoding = _decode(data)
        frame, rows, delimiter = _read_csv_text(text, max_rows, max_columns)
    finally:
        sha256 = digest.hexdigest()
    return ReadResult(frame, rows, encoding, delimiter, None, sha256)


class _Digest:
    """The sha256 of a large upload, computed on another core while the file is parsed (hashlib
    releases the GIL; the CSV path is mostly single-threaded). Small data is hashed at once."""

    THREAD_FROM = 1024 * 1024

    def __init__(self, data: bytes):
        self._data = data
        self._value: str | None = None
        self._thread: threading.Thread | None = None
        if len(data) >= self.THREAD_FROM:
            self._thread = threading.Thread(target=self._compute, name="upload-sha256", daemon=True)
            self._thread.start()

    def _compute(self) -> None:
        self._value = hashlib.sha256(self._data).hexdigest()

    def hexdigest(self) -> str:
        if self._thread is not None:
            self._thread.join()
        if self._value is None:  # small data, or the thread failed
            self._compute()
        return self._value


# --------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)
_KOREAN = {"cp949", "euc_kr", "euc-kr", "uhc", "ms949", "johab", "iso2022_kr"}
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_HANGUL_RE = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def _decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise FileReadError."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise _encoding_problem(data, [name], exc.start + len(bom)) from None
            return _check_text(text), name

    if b"\x00" in data:
        codec = _utf16_without_bom(data)
        if codec is None:
            raise _fail("binary", params={"detected": "binary data (NUL bytes)"})
        try:
            text = _check_text(data.decode(codec))
        except UnicodeDecodeError:
            text = None
        if text is None or _looks_garbled(text) or not any(ch in text for ch in "\n\r\t,;"):
            raise _fail("binary", params={"detected": "binary data (NUL bytes)"})
        return text, codec

    try:
        return _check_text(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc.start

    # Korean Excel writes CP949; try it first when the result is mostly Hangul.
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        pass
    else:
        non_ascii = len(_NON_ASCII_RE.findall(text[:200_000]))
        if non_ascii and len(_HANGUL_RE.findall(text[:200_000])) * 2 >= non_ascii:
            return _check_text(text), "cp949"

    tried = ["utf-8", "cp949"]
    try:
        import charset_normalizer

        best = charset_normalizer.from_bytes(data).best()
    except Exception:  # the detector must never break an upload
        best = None
    if best is not None:
        codec = best.encoding
        if codec.replace("-", "_").lower() in _KOREAN:
            codec = "cp949"
        if codec not in tried:
            tried.append(codec)
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            text = _check_text(text)
            if not _looks_garbled(text):
                return text, codec
    raise _encoding_problem(data, tried, utf8_error)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM has NUL in every other byte for ASCII."""
    head = data[:4096]
    if len(data) % 2 or len(head) < 4:
        return None
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    half = len(head) // 2
    if odd >= 0.2 * half and odd > 3 * even:
        return "utf-16-le"
    if even >= 0.2 * half and even > 3 * odd:
        return "utf-16-be"
    return None


def _check_text(text: str) -> str:
    """Reject decoded text that is really binary junk."""
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise _fail("binary", params={"detected": "binary data (NUL characters)"})
    sample = text[:100_000]
    if sample and len(_CONTROL_RE.findall(sample)) > max(2, len(sample) // 100):
        raise _fail("binary", params={"detected": "binary data (control characters)"})
    return text


def _looks_garbled(text: str) -> bool:
    sample = text[:100_000]
    if not sample:
        return False
    bad = sample.count("\ufffd") + sum(1 for ch in sample if unicodedata.category(ch) in ("Co", "Cn", "Cs"))
    return bad > max(2, len(sample) // 100)


def _encoding_problem(data: bytes, tried: list[str], offset: int | None) -> FileReadError:
    row = None
    if offset is not None:
        row = data[:offset].count(b"\n") + 1
    return _fail("encoding", row=row, params={"tried": ", ".join(tried), "offset": offset})


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------

_SEP_LINE_RE = re.compile(r'\A[ \t]*"?sep=(.)"?[ \t]*(?:\r\n|\r|\n|\Z)', re.IGNORECASE)
_LEADING_BLANK_RE = re.compile(r"\A(?:[ \t]*(?:\r\n|\r|\n))+")
_HTML_RE = re.compile(r"\A\s*<(?:!doctype\s+html|html|table|\?xml)", re.IGNORECASE)


def _read_csv_text(text: str, max_rows: int, max_columns: int) -> tuple[pd.DataFrame, list[int], str]:
    if not text or text.isspace():  # = not text.strip(), without copying the text
        raise _fail("empty_file")
    if _HTML_RE.match(text):
        raise _fail("not_a_table", params={"reason": "HTML or XML document, not CSV"})

    delimiter: str | None = None
    m = _SEP_LINE_RE.match(text)
    if m and m.group(1) not in "\r\n\"":
        delimiter = m.group(1)
        text = text[m.end():]  # Excel hides this line: it is not a row
    m = _LEADING_BLANK_RE.match(text)
    first_row = 1
    if m:
        first_row += len(re.findall(r"\r\n|\r|\n", m.group(0)))
        text = text[m.end():]
    if not text or text.isspace():
        raise _fail("empty_file")

    if delimiter is None:
        delimiter = _sniff_delimiter(text)
    header_width = _header_width(text, delimiter)
    if header_width > max_columns:
        raise _fail("too_many_columns", row=first_row, params={"found": header_width, "limit": max_columns})

    limit = max_rows + 2  # header + max_rows + one more to detect overflow
    columns = _arrow_parse(text, delimiter)
    if columns is not None:
        numbers = np.arange(first_row, first_row + len(columns[0]), dtype=np.int64)
        if len(numbers) >= limit:
            # as the record-limited parse below does: the first `limit` records are checked first
            _finish([column.slice(0, limit) for column in columns], numbers[:limit], max_rows, max_columns)
        frame, rows = _finish(columns, numbers, max_rows, max_columns)
        return frame, rows, delimiter

    raw = _parse_csv(text, delimiter, limit, first_row)
    numbers = np.arange(first_row, first_row + len(raw), dtype=np.int64)
    frame, rows = _finish(_frame_columns(raw), numbers, max_rows, max_columns)
    if len(raw) >= limit:
        # stopped early, but blank rows meant the limit was not reached: read all
        raw = _parse_csv(text, delimiter, None, first_row)
        numbers = np.arange(first_row, first_row + len(raw), dtype=np.int64)
        frame, rows = _finish(_frame_columns(raw), numbers, max_rows, max_columns)
    return frame, rows, delimiter


def _arrow_parse(text: str, delimiter: str) -> list[pa.ChunkedArray] | None:
    """The records of a well-formed file as string columns, parsed by pyarrow (several times
    faster than pandas), or None when the file needs the pandas / csv path.

    pyarrow agrees with pandas' C parser on well-formed files but not on every bad one: it refuses
    ragged and short rows (pandas pads short ones), and it silently closes a quoted cell left open
    at the end of the text. Those files, and any whose records are not exactly one line each (a
    quoted cell spanning lines), go the old way, so that row numbers and problems stay the same.
    """
    if len(delimiter) != 1 or not delimiter.isascii():
        return None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: leave them to the old path
        return None
    end = len(text)
    for brk in ("\n", "\r"):
        at = text.find(brk)
        if at != -1:
            end = min(end, at)
    width = text.count(delimiter, 0, end) + 1  # the header line's cells, at least
    quoted = '"' in text
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                             escape_char=False, newlines_in_values=quoted,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={f"f{i}": pa.large_string() for i in range(width)},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowException, ValueError, OverflowError, MemoryError):
        return None
    columns = list(table.columns)
    if not columns or any(column.type != pa.large_string() for column in columns):
        return None
    if quoted:
        for column in columns:  # a cell holding a line break: the record spans lines
            if pc.any(pc.match_substring_regex(column, "[\r\n]")).as_py():
                return None
        last = text[max(text.rfind("\n"), text.rfind("\r")) + 1:]
        if '"' in last and _open_quote_at_end(last, delimiter):
            return None
    return columns


def _open_quote_at_end(line: str, delimiter: str) -> bool:
    """Whether pandas' tokenizer ends this one-line record inside a quoted cell (or fails on it)."""
    try:
        pd.read_csv(io.StringIO(line), sep=delimiter, header=None, dtype=str, na_filter=False,
                    quotechar='"', doublequote=True, engine="c", index_col=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OverflowError):
        return True  # let the full parser decide and report
    return False


def _frame_columns(raw: pd.DataFrame) -> list[pa.ChunkedArray]:
    """A frame of str / missing cells as pyarrow string columns (missing -> null)."""
    return [pa.chunked_array([pa.array(raw.iloc[:, i].to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)])
            for i in range(raw.shape[1])]


def _sample_records(sample: str, delimiter: str, truncated: bool) -> list[list[str]]:
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    try:
        for rec in reader:
            # a row of nothing but delimiters (Excel's blank row) tells nothing
            if any(cell.strip(" \t,;") for cell in rec):
                records.append(rec)
            if len(records) > _SNIFF_RECORDS:
                break
    except csv.Error:
        pass
    if truncated and records:
        records.pop()  # may be cut in the middle
    return records


def _sniff_delimiter(text: str) -> str:
    """Pick comma, semicolon or tab by how consistently it splits the rows.

    The header must split into more than one cell, rows should have exactly
    the header's width; ties go to comma, then semicolon, then tab.  A file
    where nothing splits the header is a one-column file: then the delimiter
    that leaves the data rows whole wins (so "1,000" is not split).
    """
    truncated = len(text) > _SNIFF_CHARS
    sample = text[:_SNIFF_CHARS]
    best: tuple | None = None
    chosen = ","
    for pref, delimiter in enumerate(_DELIMITERS):
        records = _sample_records(sample, delimiter, truncated)
        if not records:
            continue
        width = len(records[0])
        body = records[1:] or records
        exact = sum(len(r) == width for r in body) / len(body)
        at_most = sum(len(r) <= width for r in body) / len(body)
        score = (width > 1, exact, at_most, width, -pref)
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


def _header_width(text: str, delimiter: str) -> int:
    sample = text[:_SNIFF_CHARS]
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    try:
        first = next(reader, [])
    except csv.Error:
        return 0
    while first and not first[-1].strip():  # trailing empty header cells are harmless
        first.pop()
    return len(first)


def _parse_csv(text: str, delimiter: str, limit: int | None, first_row: int) -> pd.DataFrame:
    """Records of the file as a frame of str with positional column labels.

    Blank lines stay in as rows of empty strings so that frame position i is
    file row ``first_row + i``.  At most ``limit`` records are read.
    """
    try:
        raw = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            quotechar='"',
            doublequote=True,
            engine="c",
            nrows=limit,
            index_col=False,
        )
    except pd.errors.EmptyDataError:
        raise _fail("empty_file") from None
    except (pd.errors.ParserError, ValueError, OverflowError) as exc:
        m = _EOF_IN_QUOTE_RE.search(str(exc))
        if m:
            raise _fail("unclosed_quote", row=first_row + int(m.group(1))) from None
        raw = _slow_parse(text, delimiter, limit, first_row)
    return raw


_EOF_IN_QUOTE_RE = re.compile(r"EOF inside string starting at row (\d+)")


def _slow_parse(text: str, delimiter: str, limit: int | None, first_row: int) -> pd.DataFrame:
    """Python csv fallback for files the C parser refuses (mostly ragged rows).

    Finds the offending rows with their file numbers; rows with *empty*
    extra cells (stray trailing delimiters) are tolerated.
    """
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True, strict=False
    )
    records: list[list[str]] = []
    problems: list[ReadProblem] = []
    width: int | None = None
    try:
        for rec in reader:
            if width is None:
                if any(c.strip() for c in rec):
                    width = len(rec)
            elif len(rec) > width and any(c.strip() for c in rec[width:]):
                if len(problems) < MAX_PROBLEMS:
                    problems.append(
                        ReadProblem(
                            row=first_row + len(records),
                            value=_clip(delimiter.join(rec[width:])),
                            code="ragged_row",
                            params={"expected": width, "found": len(rec)},
                        )
                    )
            records.append(rec)
            if limit is not None and len(records) >= limit:
                break
    except csv.Error as exc:
        row = first_row + len(records)
        if "field larger than field limit" in str(exc):
            raise _fail("not_a_table", row=row, params={"reason": "a cell is larger than 128 KB"}) from None
        raise _fail("unclosed_quote", row=row) from None
    else:
        # csv (non-strict) silently ends an unclosed quoted cell at the end of
        # the text; such a cell swallows line breaks and the text does not end
        # with the closing quote.
        if records and (limit is None or len(records) < limit):
            last = records[-1]
            if last and ("\n" in last[-1] or "\r" in last[-1]) and not text.rstrip("\r\n").endswith('"'):
                raise _fail("unclosed_quote", row=first_row + len(records) - 1)
    if problems:
        raise FileReadError(problems)
    if not records or width is None:
        raise _fail("empty_file")
    for rec in records:
        if len(rec) > width:
            del rec[width:]
        elif len(rec) < width:
            rec.extend([""] * (width - len(rec)))
    return pd.DataFrame(records, columns=range(width), dtype=object)


# --------------------------------------------------------------------------
# Shared post-processing
# --------------------------------------------------------------------------


def _finish(
    columns: list[pa.ChunkedArray], numbers: np.ndarray, max_rows: int, max_columns: int
) -> tuple[pd.DataFrame, list[int]]:
    """Header row, trimming, blank rows/columns, header checks.

    ``columns`` are the file's cells by position as pyarrow strings (null =
    missing); ``numbers`` are the file row numbers of their rows.  Trimming
    is pyarrow's ``utf8_trim_whitespace`` (what pandas' ``str.strip`` does on
    its pyarrow-backed strings), done per column rather than per cell.
    """
    body = [_blank_to_null(trim_whitespace(column)) for column in columns]
    count = len(numbers)
    if any(column.null_count == 0 for column in body):  # a column without blanks: no blank row
        nonblank = np.ones(count, dtype=bool)
    else:
        nonblank = np.zeros(count, dtype=bool)
        for column in body:
            if column.null_count < count:
                nonblank |= _valid(column)
    positions = np.flatnonzero(nonblank)
    if len(positions) == 0:
        raise _fail("empty_file")

    header_pos = int(positions[0])
    header_cells = [column[header_pos].as_py() for column in body]
    named = sum(name is not None for name in header_cells)
    if named > max_columns:
        raise _fail("too_many_columns", row=int(numbers[header_pos]), params={"found": named, "limit": max_columns})
    data_positions = positions[1:]
    if len(data_positions) > max_rows:
        raise _fail("too_many_rows", params={"limit": max_rows})
    row_numbers = numbers[data_positions]
    if len(data_positions) == 0 or data_positions[-1] - data_positions[0] + 1 == len(data_positions):
        first = int(data_positions[0]) if len(data_positions) else 0
        data = [column.slice(first, len(data_positions)) for column in body]
    else:
        take = pa.array(data_positions)
        data = [column.take(take) for column in body]

    problems: list[ReadProblem] = []
    keep: list[int] = []
    names: list[str] = []
    seen: dict[str, list[int]] = {}
    for pos, name in enumerate(header_cells):
        if name is None:
            column = data[pos]
            if column.null_count < len(column):
                first = int(np.flatnonzero(_valid(column))[0])
                problems.append(
                    ReadProblem(
                        row=int(row_numbers[first]),
                        column=f"column {pos + 1}",
                        value=_clip(str(column[first].as_py())),
                        code="blank_header",
                        params={"position": pos + 1},
                    )
                )
            continue
        seen.setdefault(name, []).append(pos + 1)
        keep.append(pos)
        names.append(name)
    for name, where in seen.items():
        if len(where) > 1:
            problems.append(
                ReadProblem(
                    row=int(numbers[header_pos]),
                    column=name,
                    value=name,
                    code="duplicate_header",
                    params={"name": name, "positions": ", ".join(map(str, where))},
                )
            )
    if problems:
        raise FileReadError(problems)

    frame = pd.DataFrame({i: pd.arrays.ArrowStringArray(data[pos]) for i, pos in enumerate(keep)}, copy=False)
    frame.columns = names
    return frame, row_numbers.tolist()


def trim_whitespace(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """pyarrow's ``utf8_trim_whitespace`` (what pandas' ``str.strip`` does to its pyarrow-backed
    strings), skipped when no cell can need it.

    A cell needs trimming only if it starts or ends with ASCII whitespace or a non-ASCII character;
    when a chunk's data holds no byte <= 0x20 and none >= 0x7f at all (IDs, numbers, ISO dates:
    the usual upload), nothing in it can change, and two byte scans are cheaper than the trim.
    """
    for chunk in column.chunks:
        data = chunk.buffers()[2] if len(chunk) else None
        if data is None or not len(data):
            continue
        data = np.frombuffer(data, dtype=np.uint8)
        if data.min() <= 0x20 or data.max() >= 0x7F:
            return pc.utf8_trim_whitespace(column)
    return column


def _blank_to_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Empty strings become missing cells."""
    if not any(_may_hold_empty(chunk) for chunk in column.chunks):
        return column
    empty = pc.equal(pc.binary_length(column), 0)
    if pc.any(empty).as_py():
        column = pc.if_else(empty, pa.scalar(None, column.type), column)
    return column


def _may_hold_empty(chunk: pa.Array) -> bool:
    """Whether a string chunk has a cell of length 0 (missing cells count: a cheap upper bound)."""
    if chunk.type not in (pa.string(), pa.large_string()):
        return True
    offsets = chunk.buffers()[1]
    if offsets is None or not len(chunk):
        return bool(len(chunk))
    offsets = np.frombuffer(offsets, dtype=np.int64 if chunk.type == pa.large_string() else np.int32)
    offsets = offsets[chunk.offset:chunk.offset + len(chunk) + 1]
    return bool((offsets[1:] == offsets[:-1]).any())


def _valid(column: pa.ChunkedArray) -> np.ndarray:
    """Which cells of a column are present, as a numpy mask."""
    return np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def _clip(value: str, limit: int = 200) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


# --------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------


def _check_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise _fail("binary", params={"detected": "damaged ZIP archive"}) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise _fail("binary", params={"detected": "ZIP archive that is not an XLSX workbook"})
    if "xl/workbook.bin" in names and "xl/workbook.xml" not in names:
        raise _fail("binary", params={"detected": "binary workbook .xlsb; save as .xlsx"})
    if len(infos) > XLSX_MAX_MEMBERS:
        raise _fail("xlsx_bomb", params={"reason": f"{len(infos)} archive members"})
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size >= XLSX_RATIO_MIN_SIZE:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > XLSX_MAX_RATIO:
                raise _fail(
                    "xlsx_bomb",
                    params={"reason": f"{info.filename} compressed {ratio:.0f}:1", "member": info.filename},
                )
    if total > XLSX_MAX_UNCOMPRESSED:
        raise _fail("xlsx_bomb", params={"reason": f"{total:,} bytes uncompressed", "size": total})
    return archive


def _read_xlsx(
    data: bytes, wanted: str | None, max_rows: int, max_columns: int
) -> tuple[pd.DataFrame, list[int], str]:
    archive = _check_zip(data)
    archive.close()
    import openpyxl

    wb = None
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles / extensions it ignores; not our business
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            ws = _pick_sheet(wb, wanted)
            ws.reset_dimensions()  # the stored dimension may be absurd (A1:XFD1048576)
            raw, numbers = _xlsx_rows(ws, max_rows, max_columns)
            title = ws.title
    except FileReadError:
        raise
    except Exception as exc:  # openpyxl / XML parser on a hostile file: anything can come out
        raise _fail("not_a_table", params={"reason": f"damaged workbook: {type(exc).__name__}"}) from None
    finally:
        if wb is not None:
            try:
                wb.close()
            except Exception:
                pass
    if not raw:
        raise _fail("empty_file", params={"sheet": title})
    width = max(len(r) for r in raw)
    frame = pd.DataFrame([r + [None] * (width - len(r)) for r in raw], dtype=object)
    frame, rows = _finish(_frame_columns(frame), np.asarray(numbers, dtype=np.int64), max_rows, max_columns)
    return frame, rows, title


def _pick_sheet(wb: Any, wanted: str | None) -> Any:
    sheets = list(wb.worksheets)
    if wanted is not None:
        key = _header_key(wanted)
        for ws in sheets:
            if _header_key(ws.title) == key:
                return ws
    for ws in sheets:
        if ws.sheet_state == "visible":
            return ws
    raise _fail("not_a_table", params={"reason": "the workbook has no visible worksheet"})


def _xlsx_rows(ws: Any, max_rows: int, max_columns: int) -> tuple[list[list[str | None]], list[int]]:
    rows: list[list[str | None]] = []
    numbers: list[int] = []
    data_rows = 0
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = [_cell_text(v) for v in values]
        while cells and cells[-1] is None:
            cells.pop()
        if not cells:
            continue  # blank row: not kept, numbering continues
        if len(cells) > max_columns:
            raise _fail("too_many_columns", row=number, params={"found": len(cells), "limit": max_columns})
        if rows:
            data_rows += 1
            if data_rows > max_rows:
                raise _fail("too_many_rows", params={"limit": max_rows})
        rows.append(cells)
        numbers.append(number)
    return rows, numbers


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.time):
        return value.isoformat()
    text = str(value).strip()
    return text or None


# --------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------


def _header_key(name: object) -> str:
    """Trimmed, NFKC-normalised, whitespace-collapsed, casefolded header."""
    text = unicodedata.normalize("NFKC", str(name))
    return " ".join(text.split()).casefold()


def normalise_headers(frame: pd.DataFrame, aliases: Mapping[str, str]) -> pd.DataFrame:
    """Return a copy of ``frame`` with canonical column names.

    Headers are trimmed and casefolded (after NFKC, so full-width letters
    match); a header equal to an alias (compared the same way) becomes the
    alias' canonical name, as does a header equal to a canonical name.
    Unknown columns are kept under their trimmed, casefolded name so that
    the schema validator can report them.  Two headers ending up with the
    same name raise :class:`FileReadError` with "duplicate_header".
    """
    lookup: dict[str, str] = {}
    for canonical in aliases.values():
        lookup[_header_key(canonical)] = canonical
    for alias, canonical in aliases.items():
        lookup[_header_key(alias)] = canonical
    new_names: list[str] = []
    where: dict[str, list[int]] = {}
    for pos, name in enumerate(frame.columns, start=1):
        key = _header_key(name)
        target = lookup.get(key, key)
        new_names.append(target)
        where.setdefault(target, []).append(pos)
    problems = [
        ReadProblem(
            row=1,
            column=name,
            value=name,
            code="duplicate_header",
            params={"name": name, "positions": ", ".join(map(str, positions))},
        )
        for name, positions in where.items()
        if len(positions) > 1
    ]
    if problems:
        raise FileReadError(problems)
    out = frame.copy()
    out.columns = new_names
    return out


# --------------------------------------------------------------------------
# Text -> number / date helpers (reused by the ingest layer)
# --------------------------------------------------------------------------

_NUMBER_RE = re.compile(
    r"""
    [+-]?
    (?:
        (?: \d{1,3} (?P<sep>[,\u0020\u00a0\u202f\u2009']) \d{3} (?: (?P=sep) \d{3} )*
          | \d+ )
        (?: \.\d* )?
      | \.\d+
    )
    (?: [eE][+-]?\d+ )?
    """,
    re.VERBOSE,
)


def parse_number(text: str | None) -> float | None:
    """Parse "1,000", "1 000", "-3.5", "(1,200)", "1.5e3" into a float.

    Thousands separators (comma, space, no-break space, thin space,
    apostrophe) must group by three.  Returns None for anything else
    (including NaN / infinity, percentages and currency signs).
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        value = float(text)
        return value if np.isfinite(value) else None
    if not isinstance(text, str):
        return None
    s = text.strip().replace("\u2212", "-")
    negative = False
    if len(s) > 2 and s[0] == "(" and s[-1] == ")":  # accounting negative
        s = s[1:-1].strip()
        if s[:1] in "+-":
            return None
        negative = True
    m = _NUMBER_RE.fullmatch(s)
    if not m:
        return None
    sep = m.group("sep")
    if sep:
        s = s.replace(sep, "")
    try:
        value = float(s)
    except ValueError:
        return None
    if not np.isfinite(value):
        return None
    return -value if negative else value


_DATE_RES = (
    re.compile(r"(\d{4})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{1,2})\s*(\.?)"
               r"(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?"),
    re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일"),
)


def parse_date(text: str | None) -> _dt.date | None:
    """Parse "2018.03.31", "2018-03-31", "2018/3/31", "2018. 3. 31." or
    "2018년 3월 31일" (a midnight time such as " 00:00:00" is allowed).

    Returns None for anything else, including impossible dates.
    """
    if isinstance(text, _dt.datetime):
        return text.date()
    if isinstance(text, _dt.date):
        return text
    if not isinstance(text, str):
        return None
    s = text.strip()
    m = _DATE_RES[0].fullmatch(s)
    if m:
        if m.group(5) and m.group(2) != ".":
            return None
        y, mo, d = int(m.group(1)), int(m.group(3)), int(m.group(4))
    else:
        m = _DATE_RES[1].fullmatch(s)
        if not m:
            return None
        y, mo, d = (int(g) for g in m.groups())
    try:
        return _dt.date(y, mo, d)
    except ValueError:
        return None
