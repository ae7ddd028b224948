"""The findings table: every finding of the scan shown, filtered and ordered in the model."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from netready.findings import Finding, Status
from netready.gui.models.common import (
    ACCESSIBLE,
    DECORATION,
    DISPLAY,
    FINDING_ROLE,
    NO_PARENT,
    TOOLTIP,
    tr,
    valid_cell,
)
from netready.gui.presentation import (
    family_catalogue,
    family_label,
    status_icon,
    status_label,
    status_meaning,
)

__all__ = ["FindingColumn", "FindingFilter", "FindingsModel"]

_ALL_STATUSES: frozenset[Status] = frozenset(Status)


class FindingColumn(IntEnum):
    """The findings table's columns, in the order shown: what matters most comes first."""

    STATUS = 0
    TARGET = 1
    CHECK = 2
    SUMMARY = 3
    SUBJECT = 4
    FAMILY = 5


@dataclass(frozen=True, slots=True)
class FindingFilter:
    """Which findings the table shows.

    Attributes:
        statuses: the statuses shown.
        families: the families shown; None shows every family.
        target: only this target's findings (the target tree's selection); None: all.
        family: with `target`, only this family of it.
        text: only findings whose target, subject, check id or summary contain this text
            (case-insensitive); empty: no text filter.
    """

    statuses: frozenset[Status] = _ALL_STATUSES
    families: frozenset[str] | None = None
    target: str | None = None
    family: str | None = None
    text: str = ""

    @property
    def shows_everything(self) -> bool:
        return self == FindingFilter()


class FindingsModel(QAbstractTableModel):
    """Every finding of the scan shown, in a flat table; filter and order kept in the model.

    `add_findings` appends a batch (a scan in progress or a scan being loaded); the rows that
    pass the filter are inserted with one signal, then moved into the sort order with one
    layout change. Memory: the `Finding` objects, one family name per finding, and one sort
    key per finding for each column sorted by so far.
    """

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        family_of: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self._family_of = family_of or (lambda check_id: family_catalogue().family_of(check_id))
        self._findings: list[Finding] = []
        self._families: list[str] = []
        self._rows_by_target: dict[str, list[int]] = {}
        self._visible: list[int] = []
        self._filter = FindingFilter()
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._sort_keys: dict[int, list[Any]] = {}
        self._haystacks: list[str] | None = None  # built on the first text search
        self._family_cache: dict[str, str] = {}

    # --- the data -------------------------------------------------------------------------

    def clear(self) -> None:
        self.beginResetModel()
        self._findings, self._families, self._visible = [], [], []
        self._rows_by_target = {}
        self._sort_keys = {}
        self._haystacks = None
        self.endResetModel()

    def add_findings(self, findings: Sequence[Finding]) -> None:
        """Append findings; those that pass the filter appear in the sort order."""
        if not findings:
            return
        first = len(self._findings)
        self._findings.extend(findings)
        self._families.extend(self._families_of(findings))
        new_rows = range(first, len(self._findings))
        rows_by_target = self._rows_by_target
        for row, finding in enumerate(findings, start=first):
            rows_of_target = rows_by_target.get(finding.target)
            if rows_of_target is None:
                rows_by_target[finding.target] = [row]
            else:
                rows_of_target.append(row)
        for column, keys in self._sort_keys.items():
            keys.extend(self._sort_key(column, row) for row in new_rows)
        if self._haystacks is not None:
            self._haystacks.extend(self._haystack(row) for row in new_rows)
        shown = self._passing(self._candidates(new_rows))
        if not shown:
            return
        end = len(self._visible)
        self.beginInsertRows(NO_PARENT, end, end + len(shown) - 1)
        self._visible.extend(shown)
        self.endInsertRows()
        if self._sort_column >= 0:
            self._reorder(self._sorted(self._visible))

    def _families_of(self, findings: Sequence[Finding]) -> list[str]:
        cache, family_of = self._family_cache, self._family_of
        families = []
        for finding in findings:
            family = cache.get(finding.check_id)
            if family is None:
                family = cache[finding.check_id] = family_of(finding.check_id)
            families.append(family)
        return families

    def all_families(self) -> Sequence[str]:
        """The family of each finding of `all_findings`, in the same order."""
        return self._families

    @property
    def finding_count(self) -> int:
        """All findings held, shown or not."""
        return len(self._findings)

    def all_findings(self) -> Sequence[Finding]:
        """Every finding held, in the order they arrived (what an export writes)."""
        return self._findings

    def visible_findings(self) -> list[Finding]:
        """The findings shown, in the order shown."""
        return [self._findings[row] for row in self._visible]

    def finding_at(self, row: int) -> Finding:
        return self._findings[self._visible[row]]

    def row_of(self, finding: Finding) -> int | None:
        """Where `finding` (the same object) is shown now, or None when it is filtered out."""
        for row in self._rows_by_target.get(finding.target, ()):
            if self._findings[row] is finding:
                try:
                    return self._visible.index(row)
                except ValueError:
                    return None
        return None

    # --- filter and order -----------------------------------------------------------------

    @property
    def filter(self) -> FindingFilter:
        return self._filter

    def set_filter(self, finding_filter: FindingFilter) -> None:
        if finding_filter == self._filter:
            return
        self.beginResetModel()
        self._filter = finding_filter
        shown = self._passing(self._candidates(range(len(self._findings))))
        self._visible = self._sorted(shown) if self._sort_column >= 0 else shown
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by `column`; -1 restores the order the findings arrived in."""
        self._sort_column = column if 0 <= column < len(FindingColumn) else -1
        self._sort_order = order
        if self._sort_column < 0:
            self._reorder(sorted(self._visible))
        else:
            self._reorder(self._sorted(self._visible))

    def _candidates(self, rows: Iterable[int]) -> Iterable[int]:
        target = self._filter.target
        if target is None:
            return rows
        rows_of_target = self._rows_by_target.get(target, [])
        if isinstance(rows, range) and rows.start == 0 and rows.stop == len(self._findings):
            return rows_of_target
        wanted = set(rows)
        return [row for row in rows_of_target if row in wanted]

    def _passing(self, rows: Iterable[int]) -> list[int]:
        shown = list(rows)
        flt = self._filter
        if flt.statuses != _ALL_STATUSES:
            findings, statuses = self._findings, flt.statuses
            shown = [row for row in shown if findings[row].status in statuses]
        families = flt.families
        if flt.family is not None:
            families = frozenset({flt.family}) & (families or frozenset({flt.family}))
        if families is not None:
            family_of_row = self._families
            shown = [row for row in shown if family_of_row[row] in families]
        if flt.text:
            needle = flt.text.casefold()
            haystacks = self._all_haystacks()
            shown = [row for row in shown if needle in haystacks[row]]
        return shown

    def _all_haystacks(self) -> list[str]:
        if self._haystacks is None:
            self._haystacks = [self._haystack(row) for row in range(len(self._findings))]
        return self._haystacks

    def _haystack(self, row: int) -> str:
        finding = self._findings[row]
        parts = (finding.target, finding.subject, finding.check_id, finding.summary)
        return "\n".join(parts).casefold()

    def _sorted(self, rows: list[int]) -> list[int]:
        keys = self._sort_keys.get(self._sort_column)
        if keys is None:
            column = self._sort_column
            keys = [self._sort_key(column, row) for row in range(len(self._findings))]
            self._sort_keys[column] = keys
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        # stable: findings with equal keys stay in the order they arrived
        return sorted(rows, key=keys.__getitem__, reverse=descending)

    def _sort_key(self, column: int, row: int) -> Any:
        finding = self._findings[row]
        if column == FindingColumn.STATUS:
            return finding.status.severity
        if column == FindingColumn.FAMILY:
            return self._families[row]
        if column == FindingColumn.CHECK:
            return finding.check_id
        text = {
            FindingColumn.TARGET: finding.target,
            FindingColumn.SUBJECT: finding.subject,
            FindingColumn.SUMMARY: finding.summary,
        }[FindingColumn(column)]
        return text.casefold()

    def _reorder(self, new_visible: list[int]) -> None:
        """Show the same rows in a new order, keeping the selection on the same findings."""
        self.layoutAboutToBeChanged.emit()
        old_indexes = self.persistentIndexList()
        held = [(self._visible[index.row()], index.column()) for index in old_indexes]
        self._visible = new_visible
        new_indexes = []
        for row, column in held:
            try:
                new_indexes.append(self.index(new_visible.index(row), column))
            except ValueError:  # cannot happen: a reorder keeps the rows
                new_indexes.append(QModelIndex())
        self.changePersistentIndexList(old_indexes, new_indexes)
        self.layoutChanged.emit()

    # --- Qt's model interface -------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(FindingColumn)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        if not valid_cell(self, index):
            return None
        row = self._visible[index.row()]
        finding = self._findings[row]
        column = index.column()
        if role == DISPLAY:
            return self._text(finding, row, column)
        if role == DECORATION:
            return status_icon(finding.status) if column == FindingColumn.STATUS else None
        if role == ACCESSIBLE:
            if column == FindingColumn.STATUS:
                return f"{status_label(finding.status)}: {status_meaning(finding.status)}"
            return self._text(finding, row, column)
        if role == TOOLTIP:
            return self._tooltip(finding, row, column)
        if role == FINDING_ROLE:
            return finding
        return None

    def _text(self, finding: Finding, row: int, column: int) -> str:
        if column == FindingColumn.STATUS:
            return status_label(finding.status)
        if column == FindingColumn.TARGET:
            return finding.target
        if column == FindingColumn.FAMILY:
            return family_label(self._families[row])
        if column == FindingColumn.CHECK:
            return finding.check_id
        if column == FindingColumn.SUBJECT:
            return finding.subject
        return finding.summary

    def _tooltip(self, finding: Finding, row: int, column: int) -> str | None:
        if column == FindingColumn.STATUS:
            return status_meaning(finding.status)
        if column == FindingColumn.CHECK:
            return family_catalogue().title_of(finding.check_id) or finding.check_id
        return self._text(finding, row, column)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = DISPLAY
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role not in (DISPLAY, ACCESSIBLE):
            return None
        if not 0 <= section < len(FindingColumn):
            return None
        titles = {
            FindingColumn.STATUS: tr("Status"),
            FindingColumn.TARGET: tr("Target"),
            FindingColumn.CHECK: tr("Check"),
            FindingColumn.SUMMARY: tr("Summary"),
            FindingColumn.SUBJECT: tr("Subject"),
            FindingColumn.FAMILY: tr("Family"),
        }
        return titles[FindingColumn(section)]
