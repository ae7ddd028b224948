"""The HTML report: a cover summary, a section per target, and a one-page handout per target.

Pure Python and self-contained (inline CSS, no scripts, no external files), so it opens in
any browser and is also the source of the PDF (`netready.report.pdf`), which Qt's
`QTextDocument` renders. The markup is therefore kept to what both understand: tables,
headings, paragraphs, lists, `pre`, and simple CSS classes.

Every text that comes from a finding or from advice is escaped; the advice's Markdown goes
through `netready.report.markdown`, which lets no raw HTML through.

Structure:
1. Cover: the scan, the targets with their traffic light (icon and word, not colour alone)
   and counts per status, and the share of passing findings per check family.
2. Per target (each on a new page in print): its light, a table of its findings worst first,
   then "What to do": per check with a fail, error or warning, each subject's verdict and
   verify command, what it means, why it matters, the fix per platform, and references; then
   "Worth knowing": the infos, each with its verdict and verify command (nothing to fix).
3. Handouts: per target one printable page for workshops - the light, the few things to fix
   first with why they matter, and what is already good.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from io import StringIO
from typing import TextIO

from netready.advice import PLATFORMS, render_advice, verdict_text, verify_command
from netready.findings import Finding, Status
from netready.report.markdown import inline_to_html, markdown_to_html
from netready.report.model import (
    STATUS_ICONS,
    STATUS_LABELS,
    STATUS_ORDER,
    ScanInfo,
    Tally,
    TargetSummary,
    check_title,
    family_totals,
    iso_utc,
    sort_key,
    summarise,
)

__all__ = ["HANDOUT_GOOD", "HANDOUT_PROBLEMS", "ReportOptions", "render_html", "write_html"]

_Write = Callable[[str], object]

#: Problems a handout lists: more would not fit on one page.
HANDOUT_PROBLEMS = 5
#: Passing checks a handout names.
HANDOUT_GOOD = 8

_STYLE = """
body { font-family: "DejaVu Sans", "Segoe UI", "Helvetica Neue", Arial, sans-serif;
       font-size: 9pt; color: #1b1b1b; }
h1 { font-size: 20pt; margin-bottom: 4pt; }
h2 { font-size: 15pt; margin-top: 16pt; margin-bottom: 4pt; }
h3 { font-size: 12pt; margin-top: 12pt; margin-bottom: 3pt; }
h4 { font-size: 10.5pt; margin-top: 10pt; margin-bottom: 2pt; }
p { margin-top: 2pt; margin-bottom: 4pt; }
table { border-collapse: collapse; margin-top: 4pt; margin-bottom: 6pt; }
th { background-color: #e6e6e6; text-align: left; font-size: 8pt; }
th, td { border: 1px solid #9a9a9a; padding: 2px 5px; vertical-align: top; }
td.n, th.n { text-align: right; }
pre { font-family: "DejaVu Sans Mono", Consolas, Menlo, monospace; font-size: 8pt;
      background-color: #f3f3f3; white-space: pre-wrap; overflow-wrap: anywhere;
      margin-top: 2pt; margin-bottom: 4pt; }
code { font-family: "DejaVu Sans Mono", Consolas, Menlo, monospace; font-size: 8.5pt; }
.meta { color: #444444; }
.small { font-size: 8pt; color: #444444; }
.page { page-break-before: always; }
.fail, .red { background-color: #f6c6c6; }
.error, .grey { background-color: #dcdcdc; }
.warning, .amber { background-color: #fbe3a8; }
.info { background-color: #d6e6f7; }
.pass, .green { background-color: #cfeccf; }
.light { font-size: 13pt; font-weight: bold; padding: 4px; }
.handout-light { font-size: 22pt; font-weight: bold; padding: 6px; }
.label { font-weight: bold; }
.platform { font-weight: bold; margin-top: 6pt; margin-bottom: 1pt; color: #1f3f6f; }
.fixes { font-weight: bold; font-size: 10.5pt; margin-top: 6pt; }
"""


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """What a report contains; the defaults make the full report."""

    title: str = "netready report"
    details: bool = True  # the per-target sections
    handouts: bool = True  # the one-page handouts


def render_html(
    findings: Iterable[Finding],
    *,
    scan: ScanInfo | None = None,
    options: ReportOptions | None = None,
) -> str:
    """The whole report as one HTML document."""
    stream = StringIO()
    write_html(stream, findings, scan=scan, options=options)
    return stream.getvalue()


def write_html(
    stream: TextIO,
    findings: Iterable[Finding],
    *,
    scan: ScanInfo | None = None,
    options: ReportOptions | None = None,
) -> None:
    scan = scan or ScanInfo()
    options = options or ReportOptions()
    by_target = _group_by_target(findings, scan.targets)
    summaries = summarise(
        (finding for group in by_target.values() for finding in group), targets=by_target
    )
    out = stream.write
    out('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')
    out(f"<title>{escape(options.title)}</title><style>{_STYLE}</style></head><body>\n")
    _cover(out, scan, summaries, options)
    if options.details:
        for summary in summaries:
            _target_section(out, summary, by_target[summary.target])
    if options.handouts:
        for summary in summaries:
            _handout(out, summary, by_target[summary.target], scan)
    out("</body></html>\n")


def _group_by_target(
    findings: Iterable[Finding], targets: Sequence[str]
) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {target: [] for target in targets}
    for finding in findings:
        groups.setdefault(finding.target, []).append(finding)
    for group in groups.values():
        group.sort(key=sort_key)
    return groups


# --- the cover --------------------------------------------------------------------------------


def _cover(
    out: _Write, scan: ScanInfo, summaries: list[TargetSummary], options: ReportOptions
) -> None:
    out(f"<h1>{escape(options.title)}</h1>\n")
    out(f'<p class="meta">{escape(_scan_line(scan, summaries))}</p>\n')
    out("<h2>Targets</h2>\n")
    if not summaries:
        out("<p>This scan has no findings.</p>\n")
        return
    out('<table width="100%"><tr><th width="20%">Target</th><th width="18%">Verdict</th>')
    out('<th class="n" width="12%">Passing</th>')
    for status in STATUS_ORDER:
        out(_count_header(status))
    out("</tr>\n")
    for summary in summaries:
        tally = summary.tally
        anchor = _anchor(summary.target)
        link = (
            f'<a href="#{anchor}">{escape(summary.target)}</a>'
            if tally.total
            else escape(summary.target)
        )
        out(f"<tr><td>{link}</td>{_light_cell(tally)}")
        out(f'<td class="n">{_percent(tally)}</td>')
        for status in STATUS_ORDER:
            out(f'<td class="n">{tally.counts[status]}</td>')
        out("</tr>\n")
    out("</table>\n")
    _family_table(out, summaries)
    out(_LEGEND)


def _scan_line(scan: ScanInfo, summaries: list[TargetSummary]) -> str:
    parts = []
    if scan.scan_id is not None:
        parts.append(f"Scan {scan.scan_id}")
    if scan.started_at is not None:
        parts.append(f"started {_readable_time(scan.started_at)}")
    if scan.state:
        parts.append(scan.state)
    findings = sum(summary.tally.total for summary in summaries)
    parts.append(f"{len(summaries)} targets, {findings} findings")
    parts.append(f"netready {scan.netready_version}")
    parts.append(f"report made {_readable_time(datetime.now(UTC))}")
    return " \u00b7 ".join(parts)


def _family_table(out: _Write, summaries: list[TargetSummary]) -> None:
    out("<h2>Share passing per family</h2>\n")
    out('<table width="100%"><tr><th width="28%">Family</th><th class="n" width="12%">Passing</th>')
    out('<th class="n" width="10%">Graded</th>')
    for status in STATUS_ORDER:
        out(_count_header(status))
    out("</tr>\n")
    for family, tally in family_totals(summaries).items():
        out(f'<tr><td>{escape(family)}</td><td class="n">{_percent(tally)}</td>')
        out(f'<td class="n">{tally.graded}</td>')
        for status in STATUS_ORDER:
            out(f'<td class="n">{tally.counts[status]}</td>')
        out("</tr>\n")
    out("</table>\n")


_LEGEND = (
    '<p class="small"><b>How to read this.</b> '
    "\u2716 Fail: insecure or broken, fix it. "
    "\u25b2 Warning: should be fixed. "
    "? Not tested: netready could not test it (a timeout, no route); it is not known to be fine. "
    "i Info: worth knowing. "
    "\u2714 Pass: good. "
    "Passing: passes among the graded findings (all but infos). "
    "Each finding comes with a command that shows the same fact without netready.</p>\n"
)


# --- one section per target -------------------------------------------------------------------


def _target_section(out: _Write, summary: TargetSummary, findings: list[Finding]) -> None:
    if not findings:
        return
    tally = summary.tally
    out(f'<h2 class="page"><a name="{_anchor(summary.target)}"></a>{escape(summary.target)}</h2>\n')
    out(f'<p class="light {tally.light.value}">{_light_text(tally)}</p>\n')
    out(f"<p>{escape(_counts_sentence(tally))}</p>\n")
    out("<h3>Findings</h3>\n")
    out(
        '<table width="100%"><tr><th width="12%">Status</th><th width="25%">Check</th>'
        '<th width="29%">Subject</th><th>Summary</th></tr>\n'
    )
    for finding in findings:
        out(
            f"<tr>{_status_cell(finding.status)}<td>{escape(check_title(finding.check_id))}"
            f'<br><span class="small">{escape(finding.check_id)}</span></td>'
            f"<td>{escape(finding.subject)}</td><td>{escape(finding.summary)}</td></tr>\n"
        )
    out("</table>\n")
    groups = _problems(findings)
    problems = [group for group in groups if group[0].status is not Status.INFO]
    if problems:
        out("<h3>What to do</h3>\n")
        for group in problems:
            _advice_block(out, group)
    notes = [finding for group in groups if group[0].status is Status.INFO for finding in group]
    if notes:
        _notes(out, notes)


def _problems(findings: list[Finding]) -> list[list[Finding]]:
    """The non-pass findings grouped by check id, the worst group first."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:  # already worst first
        if finding.status is not Status.PASS:
            groups.setdefault(finding.check_id, []).append(finding)
    return list(groups.values())


def _advice_block(out: _Write, group: list[Finding]) -> None:
    first = group[0]
    advice = render_advice(first)
    out(f"<h4>{escape(STATUS_ICONS[first.status])} {escape(advice.title)}</h4>\n<ul>")
    for finding in group:
        command = verify_command(finding)
        out(
            f"<li><b>{escape(STATUS_LABELS[finding.status])}</b> \u2013 "
            f"{escape(verdict_text(finding))}"
        )
        if command:
            out(f'<br><span class="small">Check it yourself:</span> <code>{escape(command)}</code>')
        out("</li>\n")
    out("</ul>\n")
    if advice.meaning:
        out(f'<p><span class="label">What it means.</span> {_inline_block(advice.meaning)}</p>\n')
    if advice.why:
        out(f'<p><span class="label">Why it matters.</span> {inline_to_html(advice.why)}</p>\n')
    if advice.fixes:
        out('<p class="fixes">How to fix it</p>\n')
        for platform, text in advice.fixes.items():
            out(f'<p class="platform">{escape(PLATFORMS.get(platform, platform))}</p>\n')
            out(markdown_to_html(text) + "\n")
    if advice.references:
        out('<p class="label">References</p>\n<ul>')
        for reference in advice.references:
            out(
                f'<li><a href="{escape(reference.url)}">{escape(reference.title)}</a>'
                f' <span class="small">{escape(reference.url)}</span></li>'
            )
        out("</ul>\n")


def _notes(out: _Write, notes: list[Finding]) -> None:
    """Infos: worth knowing, nothing to fix - the verdict and the command, no fixes."""
    out("<h3>Worth knowing</h3>\n<ul>")
    for finding in notes:
        title, verdict = check_title(finding.check_id), verdict_text(finding)
        out(f"<li><b>{escape(title)}</b> \u2013 {escape(verdict)}")
        command = verify_command(finding)
        if command:
            out(f'<br><span class="small">Check it yourself:</span> <code>{escape(command)}</code>')
        out("</li>\n")
    out("</ul>\n")


def _inline_block(markdown: str) -> str:
    """A short Markdown text (one paragraph) as inline HTML, to follow a bold label."""
    return inline_to_html(" ".join(line.strip() for line in markdown.splitlines()))


# --- the one-page handout ---------------------------------------------------------------------


def _handout(out: _Write, summary: TargetSummary, findings: list[Finding], scan: ScanInfo) -> None:
    if not findings:
        return
    tally = summary.tally
    out(f'<h1 class="page">{escape(summary.target)}</h1>\n')
    when = f" on {_readable_date(scan.started_at)}" if scan.started_at else ""
    out(
        f'<p class="meta">How ready is {escape(summary.target)} for an encrypted, '
        f"IPv6-capable Internet? netready checked it{escape(when)}.</p>\n"
    )
    out(f'<p class="handout-light {tally.light.value}">{_light_text(tally)}</p>\n')
    out(f"<p>{escape(_counts_sentence(tally))}</p>\n")
    problems = [group for group in _problems(findings) if group[0].status is not Status.INFO]
    if problems:
        out("<h2>Fix these first</h2>\n<ol>")
        for group in problems[:HANDOUT_PROBLEMS]:
            _handout_problem(out, group)
        out("</ol>\n")
        if len(problems) > HANDOUT_PROBLEMS:
            rest = len(problems) - HANDOUT_PROBLEMS
            out(
                f"<p>\u2026 and {rest} more; the full report lists them with how to fix each.</p>\n"
            )
    good = _passing_titles(findings)
    if good:
        out("<h2>Already good</h2>\n")
        shown = ", ".join(good[:HANDOUT_GOOD])
        more = f", and {len(good) - HANDOUT_GOOD} more" if len(good) > HANDOUT_GOOD else ""
        out(f"<p>\u2714 {escape(shown)}{escape(more)}.</p>\n")
    out(
        '<p class="small">Each point has configuration examples for common servers and a '
        "command to check it yourself in the full netready report. "
        f"netready {escape(scan.netready_version)}.</p>\n"
    )


def _handout_problem(out: _Write, group: list[Finding]) -> None:
    first = group[0]
    advice = render_advice(first)
    where = f" ({len(group)} places)" if len(group) > 1 else ""
    out(
        f"<li><p><b>{escape(STATUS_ICONS[first.status])} {escape(advice.title)}</b> \u2013 "
        f"{escape(STATUS_LABELS[first.status].lower())}{escape(where)}<br>"
    )
    if advice.why:
        out(f"{inline_to_html(advice.why)}")
    out("</p></li>\n")


def _passing_titles(findings: list[Finding]) -> list[str]:
    failing = {finding.check_id for finding in findings if finding.status is not Status.PASS}
    passing = dict.fromkeys(
        finding.check_id
        for finding in findings
        if finding.status is Status.PASS and finding.check_id not in failing
    )
    return [check_title(check_id) for check_id in passing]


# --- small pieces -------------------------------------------------------------------------------


def _light_text(tally: Tally) -> str:
    return f"{escape(tally.light.icon)} {escape(tally.verdict)}"


def _light_cell(tally: Tally) -> str:
    return f'<td class="{tally.light.value}">{_light_text(tally)}</td>'


def _count_header(status: Status) -> str:
    # icon and word on two lines: narrow count columns, and no word broken in the middle
    icon = escape(STATUS_ICONS[status])
    label = escape(STATUS_LABELS[status]).replace(" ", "<br>")
    return f'<th class="n" width="10%">{icon}<br>{label}</th>'


def _status_cell(status: Status) -> str:
    return (
        f'<td class="{status.value}">{escape(STATUS_ICONS[status])} '
        f"{escape(STATUS_LABELS[status])}</td>"
    )


def _percent(tally: Tally) -> str:
    percent = tally.passing_percent
    return "\u2013" if percent is None else f"{percent}\u00a0%"


def _counts_sentence(tally: Tally) -> str:
    counts = tally.counts
    parts = [f"{counts[status]} {word}" for status, word in _COUNT_WORDS.items() if counts[status]]
    return f"{tally.total} findings: " + ", ".join(parts) + "."


_COUNT_WORDS = {
    Status.FAIL: "need action",
    Status.WARNING: "should be improved",
    Status.ERROR: "could not be tested",
    Status.INFO: "for information",
    Status.PASS: "passed",
}


def _anchor(target: str) -> str:
    return "t-" + "".join(char if char.isalnum() else "-" for char in target)


def _readable_time(moment: datetime) -> str:
    return iso_utc(moment).replace("T", " ").replace("Z", " UTC")


def _readable_date(moment: datetime | None) -> str:
    return iso_utc(moment)[:10]
