"""The small Markdown subset the advice texts use, as HTML (escaped; no raw HTML passes).

Blocks: paragraphs (lines joined), `- ` bullet lists and `1. ` numbered lists (indented lines
continue an item), and fenced code blocks. Inline: `code`, **bold**, and [links](https://...)
(only http and https; anything else stays text). Everything else is shown as written, so
text from a finding can never inject markup.
"""

from __future__ import annotations

import re
from html import escape

_FENCE = "```"
_BULLET = re.compile(r"^\s*[-*] +(.*)$")
_NUMBERED = re.compile(r"^\s*\d+\. +(.*)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def markdown_to_html(text: str) -> str:
    """Render `text` as HTML block elements."""
    blocks: list[str] = []
    lines = text.strip("\n").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.strip().startswith(_FENCE):
            index = _code_block(lines, index, blocks)
        elif _BULLET.match(line) or _NUMBERED.match(line):
            index = _list(lines, index, blocks)
        elif line.strip():
            index = _paragraph(lines, index, blocks)
        else:
            index += 1
    return "\n".join(blocks)


def inline_to_html(text: str) -> str:
    """Escape `text` and render its inline Markdown (code spans, bold, links)."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick is just a character
        parts[-2:] = ["`".join(parts[-2:])]
    html_parts = []
    for position, part in enumerate(parts):
        if position % 2:
            html_parts.append(f"<code>{escape(part)}</code>")
        else:
            html_parts.append(_emphasis_and_links(escape(part, quote=False)))
    return "".join(html_parts)


def _emphasis_and_links(escaped: str) -> str:
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    return _LINK.sub(lambda match: _link(match[1], match[2]), escaped)


def _link(label: str, url: str) -> str:
    # both are escaped already (`&`, `<`, `>`); in an attribute, quotes must be too
    quoted = url.replace('"', "&quot;").replace("'", "&#x27;")
    return f'<a href="{quoted}">{label}</a>'


def _code_block(lines: list[str], index: int, blocks: list[str]) -> int:
    body: list[str] = []
    index += 1
    while index < len(lines) and not lines[index].strip().startswith(_FENCE):
        body.append(lines[index])
        index += 1
    blocks.append(f"<pre><code>{escape(chr(10).join(body))}</code></pre>")
    return index + 1  # past the closing fence (or the end)


def _list(lines: list[str], index: int, blocks: list[str]) -> int:
    numbered = _NUMBERED.match(lines[index]) is not None
    pattern = _NUMBERED if numbered else _BULLET
    items: list[list[str]] = []
    while index < len(lines):
        line = lines[index]
        match = pattern.match(line)
        if match:
            items.append([match[1]])
        elif line.startswith((" ", "\t")) and line.strip() and items:
            items[-1].append(line.strip())
        else:
            break
        index += 1
    tag = "ol" if numbered else "ul"
    rendered = "".join(f"<li>{inline_to_html(' '.join(item))}</li>" for item in items)
    blocks.append(f"<{tag}>{rendered}</{tag}>")
    return index


def _paragraph(lines: list[str], index: int, blocks: list[str]) -> int:
    text: list[str] = []
    while index < len(lines):
        line = lines[index]
        if not line.strip() or line.strip().startswith(_FENCE):
            break
        if text and (_BULLET.match(line) or _NUMBERED.match(line)):
            break
        text.append(line.strip())
        index += 1
    blocks.append(f"<p>{inline_to_html(' '.join(text))}</p>")
    return index
