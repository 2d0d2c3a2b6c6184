"""Tests for dashboard.filereader: raw upload bytes -> frame of strings."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import io
import os
import random
import zipfile

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.filereader import (
    FileReadError,
    ReadProblem,
    ReadResult,
    XLSX_MAX_UNCOMPRESSED,
    normalise_headers,
    parse_date,
    parse_number,
    read_table_file,
)

KNOWN_CODES = {
    "encoding",
    "empty_file",
    "too_large",
    "too_many_rows",
    "too_many_columns",
    "xlsx_bomb",
    "not_a_table",
    "duplicate_header",
    "blank_header",
    "ragged_row",
    "binary",
    "unclosed_quote",
}

HEADER = ["기관", "금액", "날짜", "비고"]
ROWS = [
    ["과학기술정보통신부", "1,000", "2018.03.31", "<script>alert(1)</script>"],
    ["한국인터넷진흥원", "-3.5", "2018-03-31", '=HYPERLINK("http://x","클릭")'],
    ["Ministry; of Science", "12", "2018/3/31", "줄바꿈\n포함"],
]
EXPECTED = pd.DataFrame(ROWS, columns=HEADER, dtype="string")


def _quote(cell: str, delimiter: str) -> str:
    if any(ch in cell for ch in (delimiter, '"', "\n", "\r", ",", ";")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def make_csv(header, rows, delimiter=",", newline="\r\n") -> str:
    lines = [delimiter.join(_quote(c, delimiter) for c in r) for r in [header, *rows]]
    return newline.join(lines) + newline


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    if encoding == "utf-16-le-bom":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(encoding)


def read_err(data: bytes, filename: str = "upload.csv", **kw) -> list[ReadProblem]:
    with pytest.raises(FileReadError) as info:
        read_table_file(data, filename, **kw)
    assert info.value.problems, "FileReadError without problems"
    return info.value.problems


# --------------------------------------------------------------------------
# encodings x delimiters
# --------------------------------------------------------------------------

ENCODINGS = {
    # encoding used to write -> name reported by the reader
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "cp949": "cp949",
    "euc-kr": "cp949",
    "utf-16": "utf-16",
    "utf-16-le-bom": "utf-16",
    "utf-16-be-bom": "utf-16",
}


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_encoding_and_delimiter_round_trip(encoding, delimiter):
    # all of ROWS is in KS X 1001, so EUC-KR can write it too
    data = encode(make_csv(HEADER, ROWS, delimiter), encoding)
    result = read_table_file(data, "upload.csv")
    assert isinstance(result, ReadResult)
    pd.testing.assert_frame_equal(result.frame, EXPECTED)
    assert result.encoding == ENCODINGS[encoding]
    assert result.delimiter == delimiter
    assert result.row_numbers == [2, 3, 4]
    assert result.sheet is None
    assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_cp949_only_characters_decode_as_cp949():
    # "똠" and "뷁" are not in EUC-KR but are in CP949 (Korean Excel's default)
    data = "이름,값\n똠방각하,뷁\n".encode("cp949")
    with pytest.raises(UnicodeDecodeError):
        data.decode("euc-kr")
    result = read_table_file(data, "x.csv")
    assert result.encoding == "cp949"
    assert result.frame.iloc[0].tolist() == ["똠방각하", "뷁"]


def test_short_cp949_file_is_not_mistaken_for_another_encoding():
    data = "기관\n과학기술정보통신부\n".encode("cp949")
    result = read_table_file(data, "x.csv")
    assert result.frame["기관"].tolist() == ["과학기술정보통신부"]


def test_latin1_text_falls_back_to_detector():
    data = "name,city\nJosé,Zürich\nFrançois,Köln\n".encode("latin-1")
    result = read_table_file(data, "x.csv")
    assert result.frame["city"].tolist() == ["Zürich", "Köln"]
    assert result.encoding not in ("utf-8", "cp949")


def test_utf16_without_bom_excel_unicode_text():
    text = "기관\t금액\n과학기술정보통신부\t1,000\n"
    for codec in ("utf-16-le", "utf-16-be"):
        result = read_table_file(text.encode(codec), "x.txt")
        assert result.encoding == codec
        assert result.delimiter == "\t"
        assert result.frame.iloc[0].tolist() == ["과학기술정보통신부", "1,000"]


# --------------------------------------------------------------------------
# CSV layout quirks
# --------------------------------------------------------------------------


def test_crlf_and_lf_and_cr_line_ends_give_same_frame():
    frames = []
    for newline in ("\r\n", "\n", "\r"):
        result = read_table_file(make_csv(HEADER, ROWS, ",", newline).encode(), "x.csv")
        assert result.row_numbers == [2, 3, 4]
        frames.append(result.frame)
    # the embedded line break inside the quoted cell is kept as written
    assert frames[0].iloc[:, :3].equals(frames[1].iloc[:, :3])
    assert frames[1].iloc[:, :3].equals(frames[2].iloc[:, :3])
    assert frames[1].iloc[2, 3] == "줄바꿈\n포함"
    assert not frames[0].iloc[:, 0].str.contains("\r").any()


def test_blank_rows_dropped_but_row_numbers_kept():
    text = (
        "기관,금액\r\n"
        "\r\n"  # row 2 blank
        "과학기술정보통신부,\"1,000\"\r\n"  # row 3
        ",\r\n"  # row 4: Excel's blank row
        "   \r\n"  # row 5: spaces only
        '"여러\r\n줄",2\r\n'  # row 6 (one row although two lines)
        "\r\n"  # row 7
        "끝,3\r\n"  # row 8
        "\r\n\r\n"
    )
    result = read_table_file(text.encode("utf-8"), "x.csv")
    assert result.frame["기관"].tolist() == ["과학기술정보통신부", "여러\r\n줄", "끝"]
    assert result.frame["금액"].tolist() == ["1,000", "2", "3"]
    assert result.row_numbers == [3, 6, 8]


def test_leading_blank_lines_count_as_rows():
    result = read_table_file(b"\n\na,b\n1,2\n", "x.csv")
    assert result.frame.columns.tolist() == ["a", "b"]
    assert result.row_numbers == [4]


def test_empty_cells_are_na_and_dtype_is_string():
    result = read_table_file(b"a,b,c\n1,,3\n , x ,\n", "x.csv")
    frame = result.frame
    assert all(isinstance(t, pd.StringDtype) for t in frame.dtypes)
    assert frame["b"].isna().tolist() == [True, False]
    assert frame["a"].isna().tolist() == [False, True]
    assert frame.loc[1, "b"] == "x"
    assert frame["c"].tolist()[0] == "3" and pd.isna(frame["c"].tolist()[1])


def test_trailing_empty_columns_dropped():
    text = "a,b,,,\n1,2,,,\n3,4,,,\n"
    result = read_table_file(text.encode(), "x.csv")
    assert result.frame.columns.tolist() == ["a", "b"]
    assert result.frame.values.tolist() == [["1", "2"], ["3", "4"]]


def test_stray_trailing_delimiters_on_data_rows_are_tolerated():
    result = read_table_file(b"a,b\n1,2,\n3,4,,\n", "x.csv")
    assert result.frame.values.tolist() == [["1", "2"], ["3", "4"]]
    assert result.row_numbers == [2, 3]


def test_spaced_headers_and_values_trimmed():
    text = "  기관 ;\t금액  ; 날짜\n  과학기술정보통신부 ; 1 000 ;2018.03.31  \n"
    result = read_table_file(text.encode("utf-8"), "x.csv")
    assert result.delimiter == ";"
    assert result.frame.columns.tolist() == ["기관", "금액", "날짜"]
    assert result.frame.iloc[0].tolist() == ["과학기술정보통신부", "1 000", "2018.03.31"]


def test_excel_sep_line_is_honoured_and_not_a_row():
    # without the sep line the sniffer would see "1,5" and pick comma
    text = "sep=;\r\na;b\r\n1,5;2\r\n3,25;4\r\n"
    result = read_table_file(text.encode("utf-8"), "x.csv")
    assert result.delimiter == ";"
    assert result.frame.values.tolist() == [["1,5", "2"], ["3,25", "4"]]
    assert result.row_numbers == [2, 3]


def test_sep_line_with_utf8_bom():
    data = b"\xef\xbb\xbfsep=\t\na\tb\n1\t2\n"
    result = read_table_file(data, "x.csv")
    assert result.delimiter == "\t"
    assert result.frame.values.tolist() == [["1", "2"]]


def test_quoted_thousands_stay_one_cell():
    text = 'name,amount,count\n"A","1,000","1,234,567"\nB,"2,500",3\n'
    result = read_table_file(text.encode(), "x.csv")
    assert result.delimiter == ","
    assert result.frame["amount"].tolist() == ["1,000", "2,500"]
    assert result.frame["count"].tolist() == ["1,234,567", "3"]


def test_single_column_of_unquoted_thousands_is_not_split():
    result = read_table_file(b"amount\n1,000\n2,000\n", "x.csv")
    assert result.frame.columns.tolist() == ["amount"]
    assert result.frame["amount"].tolist() == ["1,000", "2,000"]


def test_tab_file_with_commas_in_values():
    text = "기관\t금액\n과학기술정보통신부\t1,000\n기타\t2,000,000\n"
    result = read_table_file(text.encode("cp949"), "x.txt")
    assert result.delimiter == "\t"
    assert result.frame["금액"].tolist() == ["1,000", "2,000,000"]


def test_hostile_strings_kept_verbatim():
    payloads = ["<script>alert('x')</script>", '=HYPERLINK("http://evil","click")', "+cmd|' /C calc'!A0", "@SUM(1)"]
    text = make_csv(["v"], [[p] for p in payloads], ",")
    result = read_table_file(text.encode(), "x.csv")
    assert result.frame["v"].tolist() == payloads


def test_header_only_gives_zero_rows():
    result = read_table_file("기관,금액\r\n".encode("cp949"), "x.csv")
    assert result.frame.columns.tolist() == ["기관", "금액"]
    assert len(result.frame) == 0
    assert result.row_numbers == []


# --------------------------------------------------------------------------
# CSV problems
# --------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \r\n\n\t ", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n", "\n".encode("utf-16")])
def test_empty_file(data):
    problems = read_err(data)
    assert [p.code for p in problems] == ["empty_file"]


def test_only_blank_excel_rows_is_empty():
    assert [p.code for p in read_err(b",,,\n,,,\n")] == ["empty_file"]


def test_duplicate_header():
    problems = read_err(b"id,name, name ,ID\n1,a,b,c\n")
    assert [p.code for p in problems] == ["duplicate_header"]
    assert problems[0].column == "name"
    assert problems[0].params["positions"] == "2, 3"
    assert problems[0].row == 1
    assert "name" in problems[0].message


def test_blank_header_over_values():
    problems = read_err(b"a,,c\n1,2,3\n")
    assert [p.code for p in problems] == ["blank_header"]
    assert problems[0].column == "column 2"
    assert problems[0].params == {"position": 2}
    assert problems[0].row == 2


def test_blank_header_over_empty_column_is_dropped():
    result = read_table_file(b"a,,c\n1,,3\n", "x.csv")
    assert result.frame.columns.tolist() == ["a", "c"]


def test_ragged_row_reports_file_row():
    problems = read_err(b"a,b\n1,2\n\n\"x\ny\",2\n3,4,5\n6,7\n")
    assert [(p.code, p.row) for p in problems] == [("ragged_row", 5)]
    assert problems[0].params == {"expected": 2, "found": 3}
    assert problems[0].value == "5"
    assert "Row 5" in problems[0].message


def test_unquoted_thousands_in_comma_file_is_ragged():
    problems = read_err(b"name,amount\nA,1,000\nB,2\n")
    assert [(p.code, p.row) for p in problems] == [("ragged_row", 2)]


def test_many_ragged_rows_are_capped():
    text = "a,b\n" + "1,2,3\n" * 500
    problems = read_err(text.encode())
    assert len(problems) == 50
    assert [p.row for p in problems[:3]] == [2, 3, 4]


def test_unclosed_quote():
    problems = read_err(b'a,b\n1,2\n3,"never closed\n4,5\n')
    assert [(p.code, p.row) for p in problems] == [("unclosed_quote", 3)]


# The pyarrow parser reads well-formed files; it disagrees with pandas' on some bad ones (it closes
# a quote left open at the end silently, refuses short rows, skips nothing but numbers records by
# line). These files must come out exactly as before, whichever parser read them.


@pytest.mark.parametrize("tail", [b'3,"never closed', b'3,"never closed\n', b'3,"never closed\r\n\r\n'])
def test_quote_left_open_on_the_last_line(tail):
    problems = read_err(b"a,b\n1,2\n" + tail)
    assert [(p.code, p.row) for p in problems] == [("unclosed_quote", 3)]


def test_quote_closed_on_the_last_line_without_line_break():
    result = read_table_file(b'a,b\n1,2\n3,"closed, at last"', "x.csv")
    assert result.frame["b"].tolist() == ["2", "closed, at last"]
    assert result.row_numbers == [2, 3]


def test_quoted_line_break_is_one_row_and_later_rows_keep_their_numbers():
    result = read_table_file(b'a,b\n"x\ny",1\n\n2,3\n', "x.csv")
    assert result.frame["a"].tolist() == ["x\ny", "2"]
    assert result.row_numbers == [2, 4]


def test_short_rows_are_padded_with_missing_cells():
    result = read_table_file(b"a,b,c\n1,2\n4,5,6\n", "x.csv")
    assert result.frame.values.tolist()[1] == ["4", "5", "6"]
    assert result.frame.iloc[0, :2].tolist() == ["1", "2"] and pd.isna(result.frame.iloc[0, 2])


def test_header_problem_in_the_first_records_wins_over_too_many_rows():
    # the first max_rows + 2 records hold a blank-header problem and only max_rows data rows
    problems = read_err(b"a,\n1,x\n,\n2,\n3,\n", max_rows=2)
    assert [(p.code, p.row) for p in problems] == [("blank_header", 2)]
    problems = read_err(b"a,b\n1,x\n,\n2,\n3,\n", max_rows=2)
    assert [p.code for p in problems] == ["too_many_rows"]


@pytest.mark.parametrize(
    "text, fast",
    [
        ("a,b\r\n1,2\r\n\r\n3,4\r\n", True),  # blank lines are rows of the pyarrow parse too
        ('a,b\n"1,5",2\n', True),
        ("a,b\n1,2,3\n", False),  # ragged
        ("a,b,c\n1,2\n", False),  # short
        ('a,b\n"x\ny",2\n', False),  # a record over two lines
        ('a,b\n1,"open', False),
        ("a,b\n  \n1,2\n", False),  # a line of spaces is one short cell
    ],
)
def test_which_files_the_pyarrow_parser_reads(text, fast):
    from dashboard.filereader import _arrow_parse

    assert (_arrow_parse(text, ",") is not None) is fast


def test_too_large_checked_first():
    data = b"a,b\n" + b"1,2\n" * 100
    problems = read_err(data, max_bytes=100)
    assert [p.code for p in problems] == ["too_large"]
    assert problems[0].params == {"size": len(data), "limit": 100}
    # junk is rejected for size before anything looks at the content
    assert [p.code for p in read_err(os.urandom(200), max_bytes=100)] == ["too_large"]
    assert read_table_file(data, "x.csv", max_bytes=len(data)).frame.shape == (100, 2)


def test_too_many_rows_and_blank_rows_do_not_count():
    data = b"a\n1\n\n\n\n2\n\n\n3\n"
    assert len(read_table_file(data, "x.csv", max_rows=3).frame) == 3
    problems = read_err(data, max_rows=2)
    assert [p.code for p in problems] == ["too_many_rows"]
    assert problems[0].params == {"limit": 2}


def test_too_many_columns():
    header = ",".join(f"c{i}" for i in range(11))
    problems = read_err((header + "\n" + ",".join("1" * 11) + "\n").encode(), max_columns=10)
    assert [p.code for p in problems] == ["too_many_columns"]
    assert problems[0].params == {"found": 11, "limit": 10}
    assert read_table_file((header + "\n").encode(), "x.csv", max_columns=11).frame.shape == (0, 11)


def test_random_bytes_rejected():
    rng = random.Random(1234)
    for _ in range(20):
        data = bytes(rng.randrange(256) for _ in range(4096))
        problems = read_err(data)
        assert problems[0].code in {"binary", "encoding"}


def test_invalid_text_without_nul_is_encoding_problem():
    data = b"a,b\n" + bytes(range(0x80, 0x100)) * 4 + b"\n"
    problems = read_err(data)
    assert problems[0].code in {"encoding", "binary"}
    assert problems[0].message


@pytest.mark.parametrize(
    "data, detected",
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(50), "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), ".xls"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
    ],
)
def test_known_binary_formats(data, detected):
    problems = read_err(data, "report.csv")
    assert [p.code for p in problems] == ["binary"]
    assert detected in problems[0].params["detected"]


def test_nul_bytes_outside_utf16_are_binary():
    assert [p.code for p in read_err(b"a,b\n1,\x00\x002\n")] == ["binary"]


def test_zip_that_is_not_xlsx_is_binary():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    problems = read_err(buf.getvalue(), "data.xlsx")
    assert [p.code for p in problems] == ["binary"]
    assert "ZIP" in problems[0].params["detected"]


def test_html_disguised_as_spreadsheet():
    problems = read_err(b"<html><body><table><tr><td>1</td></tr></table>", "export.xls")
    assert [p.code for p in problems] == ["not_a_table"]


def test_problem_messages_and_error_text():
    problem = ReadProblem(row=7, column="금액", value="abc", code="ragged_row", params={"expected": 2, "found": 3})
    assert problem.message == "Row 7 has 3 cells but the header has only 2."
    unknown = ReadProblem(code="something_new")
    assert "something_new" in unknown.message
    missing_params = ReadProblem(code="too_large")  # must not raise
    assert isinstance(missing_params.message, str)
    err = FileReadError([problem])
    assert err.problems == [problem]
    assert "Row 7" in str(err)
    with pytest.raises(dataclasses_frozen_error()):
        problem.code = "x"  # type: ignore[misc]
    assert hash(problem) == hash(ReadProblem(row=7, column="금액", value="abc", code="ragged_row"))


def dataclasses_frozen_error():
    import dataclasses

    return dataclasses.FrozenInstanceError


# --------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------


def _string_cell(ws, row, column, value):
    cell = ws.cell(row=row, column=column, value="x")
    cell.value = value
    cell.data_type = "s"  # keep "=..." as text instead of a formula
    return cell


def make_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "Notes"
    hidden.sheet_state = "hidden"
    hidden.append(["not", "this"])
    ws = wb.create_sheet("Data")
    ws.append([" 기관 ", "금액", "날짜", "비율", "시각", None])
    ws.append(["과학기술정보통신부", 1000.0, dt.datetime(2018, 3, 31), 0.25, dt.datetime(2018, 3, 31, 14, 30), None])
    ws.append([])  # blank row 3
    ws.append(["한국인터넷진흥원", 12, dt.date(2019, 1, 2), 1.5, None, None])
    _string_cell(ws, 4, 5, "  ")
    _string_cell(ws, 5, 1, '=HYPERLINK("http://x","클릭")')
    ws.cell(row=5, column=2, value=-3.5)
    ws.cell(row=5, column=3, value="2018.03.31")
    ws.cell(row=5, column=4, value=True)
    other = wb.create_sheet("ict_trade")
    other.append(["year", "value"])
    other.append([2018, 1234567.0])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_round_trip_first_visible_sheet():
    data = make_xlsx()
    result = read_table_file(data, "upload.xlsx")
    assert result.sheet == "Data"
    assert result.encoding is None and result.delimiter is None
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.frame.columns.tolist() == ["기관", "금액", "날짜", "비율", "시각"]
    assert result.row_numbers == [2, 4, 5]
    assert all(isinstance(t, pd.StringDtype) for t in result.frame.dtypes)
    rows = result.frame.astype(object).where(result.frame.notna(), None).values.tolist()
    assert rows == [
        ["과학기술정보통신부", "1000", "2018-03-31", "0.25", "2018-03-31 14:30:00"],
        ["한국인터넷진흥원", "12", "2019-01-02", "1.5", None],
        ['=HYPERLINK("http://x","클릭")', "-3.5", "2018.03.31", "TRUE", None],
    ]


def test_xlsx_sheet_by_name_and_fallback():
    data = make_xlsx()
    result = read_table_file(data, "upload.xlsx", sheet=" ICT_Trade ")
    assert result.sheet == "ict_trade"
    assert result.frame.values.tolist() == [["2018", "1234567"]]
    assert read_table_file(data, "upload.xlsx", sheet="no such sheet").sheet == "Data"


def test_xlsx_limits_while_streaming():
    data = make_xlsx()
    assert [p.code for p in read_err(data, "x.xlsx", max_rows=2)] == ["too_many_rows"]
    problems = read_err(data, "x.xlsx", max_columns=4)
    assert [(p.code, p.row) for p in problems] == [("too_many_columns", 1)]
    assert read_table_file(data, "x.xlsx", max_rows=3, max_columns=5).frame.shape == (3, 5)


def test_xlsx_header_problems():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["a", "a", None])
    ws.append([1, 2, 3])
    buf = io.BytesIO()
    wb.save(buf)
    codes = sorted(p.code for p in read_err(buf.getvalue(), "x.xlsx"))
    assert codes == ["blank_header", "duplicate_header"]


def test_xlsx_empty_sheet():
    buf = io.BytesIO()
    openpyxl.Workbook().save(buf)
    assert [p.code for p in read_err(buf.getvalue(), "x.xlsx")] == ["empty_file"]


def test_truncated_and_corrupt_xlsx():
    data = make_xlsx()
    assert read_err(data[: len(data) // 2], "x.xlsx")[0].code in {"binary", "not_a_table"}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook><broken")
    assert [p.code for p in read_err(buf.getvalue(), "x.xlsx")] == ["not_a_table"]


def _bomb(members: int, member_size: int) -> bytes:
    buf = io.BytesIO()
    chunk = b" " * (1 << 20)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(members):
            with z.open(f"xl/worksheets/sheet{i + 1}.xml", "w", force_zip64=True) as f:
                left = member_size
                while left > 0:
                    f.write(chunk[: min(left, len(chunk))])
                    left -= len(chunk)
    return buf.getvalue()


@pytest.fixture
def no_xlsx_parsing(monkeypatch):
    """Bombs must be refused from the zip directory alone, before openpyxl inflates anything."""
    import openpyxl

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was asked to open a decompression bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_xlsx_bomb_high_ratio_rejected_before_parsing(no_xlsx_parsing):
    data = _bomb(1, 64 * 1024 * 1024)  # 64 MB of spaces -> ~64 KB
    assert len(data) < 1024 * 1024
    problems = read_err(data, "bomb.xlsx")
    assert [p.code for p in problems] == ["xlsx_bomb"]


def test_xlsx_bomb_total_size_rejected_before_parsing(no_xlsx_parsing):
    per_member = 9 * 1024 * 1024  # below the per-member ratio check
    members = XLSX_MAX_UNCOMPRESSED // per_member + 1
    data = _bomb(members, per_member)
    problems = read_err(data, "bomb.xlsx")
    assert [p.code for p in problems] == ["xlsx_bomb"]
    assert problems[0].params["size"] > XLSX_MAX_UNCOMPRESSED


# --------------------------------------------------------------------------
# normalise_headers
# --------------------------------------------------------------------------


def test_normalise_headers_aliases_and_unknown():
    frame = pd.DataFrame([["a", "1", "x", "y"]], columns=[" 기관 ", "AMOUNT", "Extra  Col", "ＩＤ"], dtype="string")
    out = normalise_headers(frame, {"기관": "agency", "금액": "amount", "id": "id"})
    assert out.columns.tolist() == ["agency", "amount", "extra col", "id"]
    assert out.iloc[0].tolist() == ["a", "1", "x", "y"]
    assert frame.columns.tolist()[0] == " 기관 "  # input untouched


def test_normalise_headers_collision_is_duplicate():
    frame = pd.DataFrame([["a", "b"]], columns=["기관", "Agency"])
    with pytest.raises(FileReadError) as info:
        normalise_headers(frame, {"기관": "agency"})
    assert [p.code for p in info.value.problems] == ["duplicate_header"]
    assert info.value.problems[0].column == "agency"


# --------------------------------------------------------------------------
# parse_number / parse_date
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1,000", 1000.0),
        ("1 000", 1000.0),
        ("1\u00a0000", 1000.0),
        ("1,234,567.89", 1234567.89),
        ("-3.5", -3.5),
        ("+2", 2.0),
        ("  42  ", 42.0),
        ("0", 0.0),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("(1,200)", -1200.0),
        ("1,00", None),
        ("1,0000", None),
        ("1,000 000", None),
        ("12%", None),
        ("abc", None),
        ("", None),
        ("   ", None),
        ("nan", None),
        ("inf", None),
        ("1e999", None),
        ("--1", None),
        ("1.2.3", None),
        (None, None),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


def test_parse_number_unicode_minus():
    assert parse_number("\u22123.5") == -3.5


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2018.03.31", dt.date(2018, 3, 31)),
        ("2018-03-31", dt.date(2018, 3, 31)),
        ("2018/3/31", dt.date(2018, 3, 31)),
        ("2018.3.31.", dt.date(2018, 3, 31)),
        ("2018. 3. 31.", dt.date(2018, 3, 31)),
        (" 2018-03-31 ", dt.date(2018, 3, 31)),
        ("2018-03-31 00:00:00", dt.date(2018, 3, 31)),
        ("2018년 3월 31일", dt.date(2018, 3, 31)),
        ("2020.02.29", dt.date(2020, 2, 29)),
        ("2019.02.29", None),
        ("2018-13-01", None),
        ("2018-03-31.", None),
        ("2018.03/31", None),
        ("2018-03-31 14:30:00", None),
        ("31.03.2018", None),
        ("20180331", None),
        ("", None),
        ("abc", None),
        (None, None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


# --------------------------------------------------------------------------
# performance
# --------------------------------------------------------------------------


def test_100k_rows_keep_values_and_row_numbers():
    """Speed is measured by benchmarks/bench_ingest.py, not asserted here."""
    lines = ["기관,금액,날짜,비고,코드"]
    for i in range(100_000):
        lines.append(f'과학기술정보통신부{i % 50},"{i * 37:,}",2018.03.{i % 28 + 1:02d}, note {i} ,C{i:06d}')
        if i % 1000 == 999:
            lines.append("")
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    result = read_table_file(data, "big.csv")
    assert result.frame.shape == (100_000, 5)
    assert result.frame.iloc[-1].tolist() == ["과학기술정보통신부49", f"{99_999 * 37:,}", f"2018.03.{99_999 % 28 + 1:02d}", "note 99999", "C099999"]
    # one blank line after every 1000 data rows shifts the numbering
    assert result.row_numbers[999] == 1001 and result.row_numbers[1000] == 1003
    assert result.row_numbers[-1] == 100_001 + 99
    assert result.sha256 == hashlib.sha256(data).hexdigest()  # hashed beside the parse


# --------------------------------------------------------------------------
# fuzz: whatever the bytes, ReadResult or FileReadError
# --------------------------------------------------------------------------

_ALPHABET = "abcXYZ019 ,;\t\"'\r\n.-=<>가나다과학기술정보통신부똠"
_csvish = st.lists(
    st.lists(st.text(alphabet=_ALPHABET, max_size=12), min_size=0, max_size=6),
    min_size=0,
    max_size=12,
)


@st.composite
def csvish_bytes(draw) -> bytes:
    rows = draw(_csvish)
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quote = draw(st.booleans())
    cells = [[_quote(c, delimiter) if quote else c for c in r] for r in rows]
    text = newline.join(delimiter.join(r) for r in cells)
    if draw(st.booleans()):
        text = "sep=" + delimiter + newline + text
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp949", "utf-16"]))
    return text.encode(encoding)


_PREFIXES = [b"", b"PK\x03\x04", b"\x89PNG\r\n\x1a\n", b"%PDF", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"sep=;\n"]


@st.composite
def mutated_xlsx(draw) -> bytes:
    data = bytearray(_XLSX_SAMPLE)
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(data) - 1))
        data[pos] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(4, len(data)))]
    return bytes(data)


_XLSX_SAMPLE = make_xlsx()


def _check_outcome(data: bytes) -> None:
    try:
        result = read_table_file(data, "fuzz.csv", max_bytes=1 << 20, max_rows=1000, max_columns=50)
    except FileReadError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.code in KNOWN_CODES
            assert isinstance(problem.message, str) and problem.message
        return
    assert isinstance(result, ReadResult)
    frame = result.frame
    assert len(result.row_numbers) == len(frame)
    assert all(isinstance(t, pd.StringDtype) for t in frame.dtypes)
    assert result.row_numbers == sorted(set(result.row_numbers))
    assert all(n >= 2 for n in result.row_numbers)
    assert len(set(frame.columns)) == frame.shape[1]
    assert not frame.isna().all(axis=1).any()  # blank rows dropped
    for column in frame.columns:
        assert isinstance(column, str) and column == column.strip() and column
    assert result.sha256 == hashlib.sha256(data).hexdigest()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=3000),
        csvish_bytes(),
        st.builds(lambda p, b: p + b, st.sampled_from(_PREFIXES), st.binary(max_size=2000)),
        mutated_xlsx(),
    )
)
def test_fuzz_only_file_read_error(data):
    _check_outcome(data)


def test_fuzz_outcome_checker_catches_foreign_exceptions(monkeypatch):
    # the fuzz test is only worth something if a foreign exception would fail it
    import dashboard.filereader as fr

    def boom(*args, **kwargs):
        raise UnicodeDecodeError("utf-8", b"", 0, 1, "x")

    monkeypatch.setattr(fr, "_decode", boom)
    with pytest.raises(UnicodeDecodeError):
        _check_outcome(b"a,b\n1,2\n")
