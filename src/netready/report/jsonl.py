"""`--json`: one finding per line, with the fields of DESIGN.md's output contract."""

from __future__ import annotations

from typing import TextIO

from netready.findings import Finding


class JsonLinesWriter:
    """Writes findings as JSON lines, flushing each so a reader can follow along."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, finding: Finding) -> None:
        self._stream.write(finding.to_json_line() + "\n")
        self._stream.flush()
