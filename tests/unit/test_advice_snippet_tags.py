"""Every code block of the advice names its language, so the lab can check it (issue 8).

tests/lab/test_advice_snippets.py checks each block with the real program for its language
(``nginx -t``, ``apache2 -t``, ``named-checkconf``, ...) or says why none can; these tests keep
the tags complete and consistent without running any of those programs.
"""

from __future__ import annotations

import pytest

from netready.advice import all_advice
from tests.lab.advice_snippets import CHECKERS, LANGUAGES, NOT_CHECKABLE, code_blocks

#: The languages a platform's blocks may be written in.
PLATFORM_LANGUAGES = {
    "general": {"sh"},
    "nginx": {"nginx", "sh"},
    "apache": {"apache", "sh"},
    "iis": {"powershell", "xml"},
    "caddy": {"caddy"},
    "bind": {"bind", "zone", "sh"},
    "knot": {"knot", "zone", "sh"},
    "powerdns": {"sh"},
    "dns_host": set(),
    "unbound": {"unbound"},
    "windows_dns": {"powershell"},
    "postfix": {"postfix"},
    "windows": {"powershell"},
    "macos": {"pf", "sh"},
    "linux": {"nft", "sh"},
    "network": {"ios"},
}

FIXES = [
    pytest.param(check_id, platform, text, id=f"{check_id}/{platform}")
    for check_id, advice in sorted(all_advice().items())
    for platform, text in advice.fixes.items()
]


@pytest.mark.parametrize(("check_id", "platform", "text"), FIXES)
def test_every_code_block_names_a_known_language(check_id: str, platform: str, text: str) -> None:
    for index, (language, _body) in enumerate(code_blocks(text)):
        where = f"{check_id} {platform} block {index}"
        assert language, f"{where}: write the language after the fence (```nginx, ```sh, ...)"
        assert language in LANGUAGES, f"{where}: ```{language} is neither checked nor listed"
        allowed = PLATFORM_LANGUAGES[platform]
        assert language in allowed, f"{where}: ```{language} in a {platform} fix ({allowed})"


@pytest.mark.parametrize(("check_id", "platform", "text"), FIXES)
def test_every_fence_belongs_to_a_block(check_id: str, platform: str, text: str) -> None:
    fences = [line for line in text.splitlines() if line.lstrip().startswith("```")]
    assert len(fences) == 2 * len(code_blocks(text)), f"{check_id} {platform}: a stray fence"


def test_a_language_is_either_checked_or_says_why_not() -> None:
    assert not CHECKERS.keys() & NOT_CHECKABLE.keys()
    assert all(reason.strip() for reason in NOT_CHECKABLE.values())
    assert set().union(*PLATFORM_LANGUAGES.values()) <= LANGUAGES
