"""CSV exports: what a spreadsheet would run as a formula is quoted; numbers stay numbers."""

import pytest

from app.reports import csv_body, csv_cell


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("＝1+1", "'＝1+1"),
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠x", "'＠x"),
        ("王阿姨", "王阿姨"),
        ("a=b", "a=b"),
        ("-3", "-3"),
        ("+4", "+4"),
        ("-12.5", "-12.5"),
        ("-40%", "-40%"),
        ("", ""),
    ],
)
def test_formula_starts_are_quoted_and_numbers_kept(typed: str, written: str) -> None:
    assert csv_cell(typed) == written


def test_the_body_is_utf8_with_a_byte_order_mark() -> None:
    body = csv_body(["名称", "变化"], [["＝cmd", "-3"]])
    assert body == "\ufeff名称,变化\r\n'＝cmd,-3\r\n".encode()
