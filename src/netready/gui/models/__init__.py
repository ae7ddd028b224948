"""The item models behind the views. Sorting and filtering happen here, never in a proxy.

A `QSortFilterProxyModel` asks Python for every row's data through Qt to sort or filter, which
takes seconds for 100,000 findings. These models keep their rows as Python lists and sort or
filter them with list operations (`sorted` with a precomputed key list, list comprehensions),
then tell the view once: a reset for a new filter, a layout change for a new order, a row
insertion per batch of new findings (about ten a second while a scan runs).

- `FindingsModel` (findings.py): the findings table (status, target, check, summary, subject,
  family).
- `TargetTreeModel` (targets.py): targets, each with its families, and a status summary for
  each.
- `HistoryModel` (history.py): the scans of the history database.
- `ComparisonModel` (history.py): two scans compared, one row per check and subject.

Every model answers `Qt.AccessibleTextRole` with text a screen reader can speak (a status
as its word, not its colour), and `qtmodeltester` checks each in tests/gui.
"""

from netready.gui.models.common import COMPARED_ROLE, FINDING_ROLE, SCAN_ROLE, SCOPE_ROLE
from netready.gui.models.findings import FindingColumn, FindingFilter, FindingsModel
from netready.gui.models.history import (
    ComparisonColumn,
    ComparisonModel,
    HistoryColumn,
    HistoryModel,
    change_label,
)
from netready.gui.models.targets import TargetColumn, TargetState, TargetTreeModel

__all__ = [
    "COMPARED_ROLE",
    "FINDING_ROLE",
    "SCAN_ROLE",
    "SCOPE_ROLE",
    "ComparisonColumn",
    "ComparisonModel",
    "FindingColumn",
    "FindingFilter",
    "FindingsModel",
    "HistoryColumn",
    "HistoryModel",
    "TargetColumn",
    "TargetState",
    "TargetTreeModel",
    "change_label",
]
