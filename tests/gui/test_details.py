"""The details pane: subject, evidence and advice; text from servers cannot add markup."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from netready.findings import Finding, Status
from netready.gui.details import code_block, escaped, finding_details

HOSTILE = Finding(
    target="evil.example",
    subject="evil.example [198.18.1.66]:443",
    check_id="https.headers",
    status=Status.FAIL,
    summary="Header says [click me](https://phish.example/) <b>now</b> # and *this*",
    evidence={"header": "```\n[x](https://phish.example/)", "count": 2},
)


def rendered(markdown: str) -> QTextDocument:
    document = QTextDocument()
    document.setMarkdown(markdown)
    return document


def test_escaped_text_renders_literally(qtbot: QtBot) -> None:
    document = rendered(escaped(HOSTILE.summary))
    assert document.toPlainText() == HOSTILE.summary
    assert "href" not in document.toHtml()
    assert "<b>" not in document.toHtml()


def test_a_code_block_cannot_be_closed_by_its_content() -> None:
    block = code_block("a ``` b ```` c")
    assert block.startswith("`````\n")
    assert block.endswith("\n`````")


def test_no_link_from_scanned_data_reaches_the_pane(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "netready.advice", None)  # without the advice module
    details = finding_details(HOSTILE)
    document = rendered(details.markdown)
    assert 'href="https://phish.example/"' not in document.toHtml()
    assert details.links == frozenset()
    text = document.toPlainText()
    assert HOSTILE.summary in text
    assert "evil.example [198.18.1.66]:443" in text
    assert '"header": "```\\n[x](https://phish.example/)"' in text  # evidence, verbatim


def test_advice_fills_the_pane_and_only_its_references_may_open(qtbot: QtBot) -> None:
    finding = Finding(
        "missing.example",
        "missing.example",
        "dns.resolve",
        Status.FAIL,
        "missing.example: NXDOMAIN",
        {},
    )
    details = finding_details(finding)
    text = rendered(details.markdown).toPlainText()
    for heading in (
        "What this means",
        "Why it matters",
        "How to fix it",
        "Check it yourself",
        "Evidence",
    ):
        assert heading in text
    assert "missing.example does not exist in DNS" in text
    assert "https://www.rfc-editor.org/rfc/rfc1034" in details.links
    narrowed = rendered(finding_details(finding, platform="bind").markdown).toPlainText()
    assert "BIND 9" in narrowed
    assert "Your DNS host" not in narrowed
