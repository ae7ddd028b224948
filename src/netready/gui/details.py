"""The details pane's text for one finding: subject, verdict, advice, evidence (Markdown).

Text that comes from the scanned servers (subjects, summaries, evidence) is escaped, so a
hostile server cannot add links or markup to the pane; evidence is shown verbatim in a code
block. The advice comes from `netready.advice` when it is installed, else the summary alone.
Links are collected in `Details.links`: the window opens only those (the advice's references),
never a link that arrived inside scanned data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication

from netready.findings import Finding
from netready.gui.presentation import family_catalogue, status_label, status_meaning

__all__ = ["Details", "advice_platforms", "finding_details"]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&])")
_BACKTICK_RUN = re.compile(r"`+")


@dataclass(frozen=True, slots=True)
class Details:
    markdown: str
    links: frozenset[str]  # the URLs the pane may open (the advice's references)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Details", text)


def escaped(text: str) -> str:
    """`text` as literal Markdown on one line: every markup character backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def code_block(text: str, language: str = "") -> str:
    """A fenced code block that `text` cannot close, however many backticks it holds."""
    longest = max((len(run) for run in _BACKTICK_RUN.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def advice_platforms() -> Mapping[str, str]:
    """Platform key -> label for the "fixes for" chooser; empty without the advice module."""
    try:
        from netready.advice import PLATFORMS
    except ImportError:
        return {}
    return PLATFORMS


def finding_details(finding: Finding, *, platform: str | None = None) -> Details:
    """The pane's Markdown for `finding`; `platform` narrows the fixes to one platform."""
    catalogue = family_catalogue()
    title = catalogue.title_of(finding.check_id) or finding.check_id
    parts = [
        f"## {escaped(title)}",
        _facts(finding, catalogue.family_of(finding.check_id)),
    ]
    links: set[str] = set()
    advice = _rendered_advice(finding, platform)
    if advice is None:
        parts.append(escaped(finding.summary))
    else:
        parts += _advice_parts(advice, finding)
        links = {reference.url for reference in advice.references}
    parts += [f"### {_tr('Evidence')}", _evidence(finding.evidence)]
    return Details("\n\n".join(parts) + "\n", frozenset(links))


def _facts(finding: Finding, family: str) -> str:
    rows = [
        (_tr("Status"), f"{status_label(finding.status)} — {status_meaning(finding.status)}"),
        (_tr("Target"), finding.target),
        (_tr("Subject"), finding.subject),
        (_tr("Check"), f"{finding.check_id} ({family})"),
    ]
    # two trailing spaces: a hard line break, so the facts stay one per line
    return "  \n".join(f"**{label}:** {escaped(value)}" for label, value in rows)


def _rendered_advice(finding: Finding, platform: str | None) -> Any:
    try:
        from netready.advice import render_advice
    except ImportError:  # the advice knowledge base is not part of this installation
        return None
    return render_advice(finding, platform=platform)


def _advice_parts(advice: Any, finding: Finding) -> list[str]:
    # a pass's verdict is the summary itself: text from the server, so it is escaped
    verdict = advice.verdict if advice.verdict not in ("", finding.summary) else None
    parts = [verdict or escaped(finding.summary)]
    if advice.meaning:
        parts += [f"### {_tr('What this means')}", advice.meaning]
    if advice.why:
        parts += [f"### {_tr('Why it matters')}", advice.why]
    if advice.fixes:
        parts.append(f"### {_tr('How to fix it')}")
        for key, text in advice.fixes.items():
            parts += [f"#### {escaped(advice.platform_label(key))}", text]
    if advice.verify:
        parts += [f"### {_tr('Check it yourself')}", code_block(advice.verify, "sh")]
    if advice.references:
        parts.append(f"### {_tr('Read more')}")
        parts.append(
            "\n".join(
                f"- [{escaped(reference.title)}](<{reference.url}>)"
                for reference in advice.references
            )
        )
    return parts


def _evidence(evidence: Mapping[str, Any]) -> str:
    if not evidence:
        return _tr("None recorded.")
    text = json.dumps(dict(evidence), ensure_ascii=False, indent=2, sort_keys=True, default=str)
    return code_block(text, "json")
