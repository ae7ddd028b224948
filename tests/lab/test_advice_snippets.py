"""The advice's code blocks, checked by the real programs they configure (issue 8).

Each fenced block of every fix, rendered for a finding about ``www.example.test``, goes into a
minimal valid configuration where its text puts it, and the program's own checker must accept
it without a warning: ``nginx -t``, ``apache2 -t``, ``caddy validate``, ``named-checkconf``,
``named-checkzone``, ``knotc conf-check``, ``unbound-checkconf``, ``postconf -n``, ``nft -c``;
shell commands get ``bash -n``, and PowerDNS's ``pdnsutil`` commands are run against a scratch
SQLite zone. How each language is checked, and why some cannot be: advice_snippets.py.
Checkers run in an empty network namespace: nothing is sent anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from netready.advice import render_advice
from netready.findings import Finding, Status

from .advice_lab import PROGRAMS as LAB_PROGRAMS
from .advice_lab import AdviceLab, build_advice_lab
from .advice_snippets import (
    CHECKERS,
    LANGUAGES,
    NOT_CHECKABLE,
    Snippet,
    Workspace,
    advice_snippets,
    code_blocks,
    missing_for,
)
from .fixtures import Require
from .netlab import Lab, missing_prerequisites

SNIPPETS = advice_snippets()
CHECKED = [pytest.param(snippet, id=str(snippet)) for snippet in SNIPPETS
           if snippet.language in CHECKERS]  # fmt: skip


def test_every_block_is_checked_or_listed_as_not_checkable() -> None:
    unknown = [f"{snippet} (```{snippet.language})" for snippet in SNIPPETS
               if snippet.language not in LANGUAGES]  # fmt: skip
    assert not unknown, "blocks no checker knows; tag them and check them, or say why not"
    assert len(CHECKED) + sum(s.language in NOT_CHECKABLE for s in SNIPPETS) == len(SNIPPETS)


@pytest.mark.parametrize("snippet", CHECKED)
def test_the_program_accepts_the_block(
    snippet: Snippet, tmp_path: Path, require_prerequisites: Require
) -> None:
    require_prerequisites(missing_for(snippet), f"checking ```{snippet.language} advice")
    outcome = CHECKERS[snippet.language].check(snippet, Workspace(tmp_path))
    assert not outcome.problems, (
        f"{outcome.how} rejects {snippet}:\n"
        + "\n".join(outcome.problems)
        + f"\n--- what was checked ---\n{outcome.config}"
    )


# --- end to end: the web server advice fixes what netready finds ----------------------------

WEB_CHECKS = ("https.redirect", "https.hsts", "https.headers")


@pytest.fixture(scope="module")
def advice_lab(require_prerequisites: Require) -> Iterator[AdviceLab]:
    require_prerequisites(missing_prerequisites(LAB_PROGRAMS), "the advice lab")
    with Lab() as lab:
        yield build_advice_lab(lab)
    left = lab.leftovers()
    assert not left, f"advice lab cleanup failed, still present: {left}"


def scan(advice_lab: AdviceLab, name: str, db: Path) -> list[Finding]:
    argv = advice_lab.scanner_argv(
        name, "--checks", "https", "--json", "-", "--db", str(db), "--timeout", "3"
    )
    done = advice_lab.client.run(argv, timeout=120)
    assert done.returncode in (0, 1), done.stderr  # 1: something failed, as expected at first
    findings = []
    for line in done.stdout.splitlines():
        data = json.loads(line)
        findings.append(
            Finding(
                data["target"],
                data["subject"],
                data["check_id"],
                Status(data["status"]),
                data["summary"],
                data["evidence"],
            )
        )
    return findings


def web_statuses(findings: list[Finding]) -> dict[tuple[str, str], str]:
    return {(f.check_id, f.subject): f.status.value for f in findings if f.check_id in WEB_CHECKS}


@pytest.mark.parametrize("kind", ["nginx", "apache"])
def test_the_web_server_advice_fixes_the_findings(
    advice_lab: AdviceLab, kind: str, tmp_path: Path
) -> None:
    # Given a site with HTTPS but no redirect, no HSTS and no security headers
    server = advice_lab.web[kind]
    before = scan(advice_lab, server.name, tmp_path / "before.db")
    statuses = web_statuses(before)
    assert len(statuses) == 12, statuses  # 3 checks x (name, www name) x (IPv4, IPv6)
    assert not [key for key, status in statuses.items() if status == "pass"], statuses
    # When the advice's blocks for this server, rendered for those findings, are applied
    blocks = [
        body
        for finding in before
        if finding.check_id in WEB_CHECKS
        for language, body in code_blocks(render_advice(finding, platform=kind).fixes[kind])
        if language == kind
    ]
    server.apply(blocks)
    # Then netready finds nothing left to fix
    after = web_statuses(scan(advice_lab, server.name, tmp_path / "after.db"))
    assert after.keys() == statuses.keys()
    assert {key: status for key, status in after.items() if status != "pass"} == {}, (
        server.config.read_text()
    )
