"""CSV and JSON-lines exports."""

from __future__ import annotations

import csv
import io
import json

import pytest

from netready.findings import Finding, Status
from netready.report.csv import COLUMNS, CsvWriter, spreadsheet_safe
from netready.report.jsonl import JsonLinesWriter


@pytest.mark.parametrize("cell", ["=HYPERLINK(1)", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_cells_are_defused(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell


def test_ordinary_cells_are_untouched() -> None:
    assert spreadsheet_safe("example.org resolves") == "example.org resolves"


def test_csv_has_a_header_and_one_parseable_row_per_finding() -> None:
    stream = io.StringIO(newline="")
    writer = CsvWriter(stream)
    hostile = Finding("a.example", "a.example", "dns.resolve", Status.FAIL, '=cmd|" /C calc"!A0')
    writer.write(hostile)
    writer.write(
        Finding("b.example", "b.example", "dns.resolve", Status.PASS, "ok, fine", {"a": [1]})
    )
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows[0] == list(COLUMNS)
    assert rows[1][4] == "'" + hostile.summary
    assert rows[2][4] == "ok, fine"
    assert json.loads(rows[2][5]) == {"a": [1]}


def test_json_lines_are_one_finding_per_line() -> None:
    stream = io.StringIO()
    writer = JsonLinesWriter(stream)
    writer.write(Finding("a.example", "a.example", "dns.resolve", Status.PASS, "line\nbreak"))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["summary"] == "line\nbreak"
