"""The finding: the one currency of the program.

Every check yields findings; the store, the GUI, the reports and the advice all speak this
one type. Its JSON form (`to_json_dict`) is part of the output contract in DESIGN.md: fields
may be added, never renamed or removed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

CHECK_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_]*)+$")


class Status(StrEnum):
    """A finding's verdict. Values are lowercase and stable in SQLite and JSON."""

    PASS = "pass"  # good
    INFO = "info"  # worth knowing
    WARNING = "warning"  # should be fixed
    FAIL = "fail"  # insecure or broken: fix it
    ERROR = "error"  # could not test (timeout, unreachable); never shown as a pass

    @property
    def severity(self) -> int:
        """Order for sorting and "worst of": pass < info < warning < error < fail.

        An error (could not test) ranks below a fail, which is a known problem, and above
        everything that looks fine, because it may hide a problem.
        """
        return _SEVERITY[self]


_SEVERITY = {
    Status.PASS: 0,
    Status.INFO: 1,
    Status.WARNING: 2,
    Status.ERROR: 3,
    Status.FAIL: 4,
}


def is_valid_check_id(check_id: str) -> bool:
    """A check id is dotted lowercase with at least two parts, e.g. `tls.protocol.tls1_0`."""
    return CHECK_ID_PATTERN.fullmatch(check_id) is not None


@dataclass(frozen=True, slots=True)
class Finding:
    """One verdict about one subject.

    Attributes:
        target: what the user entered, normalised (`example.org`, `2001:db8::/120`).
        subject: what exactly was tested (`www.example.org [2001:db8::10]:443`, a zone, ...).
        check_id: stable dotted id, e.g. `dns.resolve`; never renamed once released.
        status: the verdict.
        summary: one human sentence.
        evidence: JSON-serialisable facts the verdict rests on.
    """

    target: str
    subject: str
    check_id: str
    status: Status
    summary: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """The contract's JSON object: target, subject, check_id, status, summary, evidence."""
        return {
            "target": self.target,
            "subject": self.subject,
            "check_id": self.check_id,
            "status": self.status.value,
            "summary": self.summary,
            "evidence": dict(self.evidence),
        }

    def to_json_line(self) -> str:
        """One line of JSON, as `--json` writes it (no newline at the end)."""
        return json.dumps(self.to_json_dict(), ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            target=str(data["target"]),
            subject=str(data["subject"]),
            check_id=str(data["check_id"]),
            status=Status(data["status"]),
            summary=str(data["summary"]),
            evidence=dict(data.get("evidence") or {}),
        )


def worst_status(statuses: list[Status]) -> Status | None:
    """The most severe of `statuses`, or None when there are none."""
    return max(statuses, key=lambda status: status.severity, default=None)
