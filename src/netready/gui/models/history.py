"""The history: the scans of the database, and two of them compared."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from netready.findings import Status
from netready.gui.compare import Change, ComparedFinding, Comparison
from netready.gui.models.common import (
    ACCESSIBLE,
    ALIGNMENT,
    COMPARED_ROLE,
    DECORATION,
    DISPLAY,
    NO_PARENT,
    RIGHT,
    SCAN_ROLE,
    TOOLTIP,
    tr,
    valid_cell,
)
from netready.gui.presentation import status_icon, status_label
from netready.store import ScanRecord

__all__ = [
    "ComparisonColumn",
    "ComparisonModel",
    "HistoryColumn",
    "HistoryModel",
    "change_label",
]


class HistoryColumn(IntEnum):
    ID = 0
    STARTED = 1
    STATE = 2
    TARGETS = 3
    FINDINGS = 4
    FAIL = 5
    WARNING = 6
    ERROR = 7
    WHAT = 8


class HistoryModel(QAbstractTableModel):
    """The scans of the history database, newest first; sortable by any column.

    The "What" column (the first targets of a scan) is read only for the rows shown, through
    `targets_of`, and kept.
    """

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        targets_of: Callable[[int], Sequence[str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self._targets_of = targets_of
        self._scans: list[ScanRecord] = []
        self._what: dict[int, str] = {}
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    def set_scans(self, scans: Sequence[ScanRecord]) -> None:
        self.beginResetModel()
        self._scans = list(scans)
        self._what = {}
        self._scans = self._sorted(self._scans)
        self.endResetModel()

    def scan_at(self, row: int) -> ScanRecord:
        return self._scans[row]

    def row_of(self, scan_id: int) -> int | None:
        return next((row for row, scan in enumerate(self._scans) if scan.id == scan_id), None)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column = column if 0 <= column < len(HistoryColumn) else -1
        self._sort_order = order
        self.layoutAboutToBeChanged.emit()
        old_indexes = self.persistentIndexList()
        held = [(self._scans[index.row()].id, index.column()) for index in old_indexes]
        self._scans = self._sorted(self._scans)
        rows = {scan.id: row for row, scan in enumerate(self._scans)}
        self.changePersistentIndexList(
            old_indexes, [self.index(rows[scan_id], column) for scan_id, column in held]
        )
        self.layoutChanged.emit()

    def _sorted(self, scans: list[ScanRecord]) -> list[ScanRecord]:
        if self._sort_column < 0:
            return sorted(scans, key=lambda scan: scan.id, reverse=True)
        column = HistoryColumn(self._sort_column)
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        return sorted(scans, key=lambda scan: self._key(scan, column), reverse=descending)

    def _key(self, scan: ScanRecord, column: HistoryColumn) -> Any:
        if column == HistoryColumn.STARTED:
            return scan.started_at
        if column == HistoryColumn.STATE:
            return _state_text(scan)
        if column == HistoryColumn.TARGETS:
            return scan.targets_total
        if column == HistoryColumn.FINDINGS:
            return scan.finding_count
        if column in (HistoryColumn.FAIL, HistoryColumn.WARNING, HistoryColumn.ERROR):
            return scan.status_counts.get(_COUNT_COLUMNS[column].value, 0)
        if column == HistoryColumn.WHAT:
            return self._what_text(scan)
        return scan.id

    def _what_text(self, scan: ScanRecord) -> str:
        text = self._what.get(scan.id)
        if text is None:
            targets = list(self._targets_of(scan.id)) if self._targets_of else []
            shown = ", ".join(targets[:3])
            more = len(targets) - 3
            text = shown + (tr(" and {count} more").format(count=more) if more > 0 else "")
            self._what[scan.id] = text
        return text

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._scans)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HistoryColumn)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        if not valid_cell(self, index):
            return None
        scan = self._scans[index.row()]
        column = HistoryColumn(index.column())
        if role == SCAN_ROLE:
            return scan
        if role == ALIGNMENT:
            return RIGHT if column in _NUMERIC_COLUMNS else None
        if role in (DISPLAY, ACCESSIBLE, TOOLTIP):
            return self._text(scan, column, accessible=role == ACCESSIBLE)
        return None

    def _text(self, scan: ScanRecord, column: HistoryColumn, *, accessible: bool) -> str:
        if column == HistoryColumn.ID:
            return str(scan.id)
        if column == HistoryColumn.STARTED:
            return _local_time(scan.started_at)
        if column == HistoryColumn.STATE:
            return _state_text(scan)
        if column == HistoryColumn.TARGETS:
            if scan.targets_done == scan.targets_total:
                return str(scan.targets_total)
            return tr("{done} of {total}").format(done=scan.targets_done, total=scan.targets_total)
        if column == HistoryColumn.FINDINGS:
            return str(scan.finding_count)
        if column in _COUNT_COLUMNS:
            count = scan.status_counts.get(_COUNT_COLUMNS[column].value, 0)
            if accessible:
                return f"{count} {status_label(_COUNT_COLUMNS[column]).lower()}"
            return str(count)
        return self._what_text(scan)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = DISPLAY
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HistoryColumn):
            return None
        column = HistoryColumn(section)
        if role == DECORATION and column in _COUNT_COLUMNS:  # the status icon heads its count
            return status_icon(_COUNT_COLUMNS[column])
        if role not in (DISPLAY, ACCESSIBLE):
            return None
        return (
            tr("Scan"),
            tr("Started"),
            tr("State"),
            tr("Targets"),
            tr("Findings"),
            status_label(Status.FAIL),
            status_label(Status.WARNING),
            status_label(Status.ERROR),
            tr("What"),
        )[section]


_COUNT_COLUMNS: Mapping[HistoryColumn, Status] = {
    HistoryColumn.FAIL: Status.FAIL,
    HistoryColumn.WARNING: Status.WARNING,
    HistoryColumn.ERROR: Status.ERROR,
}


_NUMERIC_COLUMNS = frozenset(
    {HistoryColumn.ID, HistoryColumn.TARGETS, HistoryColumn.FINDINGS, *_COUNT_COLUMNS}
)


def _local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _state_text(scan: ScanRecord) -> str:
    if scan.interrupted:
        return tr("interrupted")
    return {
        "running": tr("running"),
        "completed": tr("completed"),
        "cancelled": tr("stopped"),
    }.get(scan.state.value, scan.state.value)


# --- comparison ---------------------------------------------------------------------------


class ComparisonColumn(IntEnum):
    CHANGE = 0
    TARGET = 1
    CHECK = 2
    SUBJECT = 3
    BEFORE = 4
    AFTER = 5
    SUMMARY = 6


def change_label(change: Change) -> str:
    return {
        Change.WORSE: tr("Worse"),
        Change.NEW: tr("New"),
        Change.GONE: tr("Gone"),
        Change.BETTER: tr("Better"),
        Change.SAME: tr("Same"),
    }[change]


class ComparisonModel(QAbstractTableModel):
    """Two scans compared: one row per check and subject, filtered by kind of change."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[ComparedFinding] = []
        self._rows: list[ComparedFinding] = []
        self._shown: frozenset[Change] = frozenset(Change) - {Change.SAME}
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    def set_comparison(self, comparison: Comparison | None) -> None:
        self.beginResetModel()
        self._all = [] if comparison is None else list(comparison.rows)
        self._rows = self._arranged()
        self.endResetModel()

    def set_changes_shown(self, changes: Iterable[Change]) -> None:
        self.beginResetModel()
        self._shown = frozenset(changes)
        self._rows = self._arranged()
        self.endResetModel()

    @property
    def changes_shown(self) -> frozenset[Change]:
        return self._shown

    def compared_at(self, row: int) -> ComparedFinding:
        return self._rows[row]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column = column if 0 <= column < len(ComparisonColumn) else -1
        self._sort_order = order
        self.layoutAboutToBeChanged.emit()
        old_indexes = self.persistentIndexList()
        held = [(self._rows[index.row()], index.column()) for index in old_indexes]
        self._rows = self._arranged()
        position = {id(row): number for number, row in enumerate(self._rows)}
        self.changePersistentIndexList(
            old_indexes, [self.index(position[id(row)], column) for row, column in held]
        )
        self.layoutChanged.emit()

    def _arranged(self) -> list[ComparedFinding]:
        rows = [row for row in self._all if row.change in self._shown]
        if self._sort_column < 0:
            change_rank = {change: rank for rank, change in enumerate(Change)}
            return sorted(rows, key=lambda row: change_rank[row.change])
        column = ComparisonColumn(self._sort_column)
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        return sorted(rows, key=lambda row: _compared_key(row, column), reverse=descending)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(ComparisonColumn)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        if not valid_cell(self, index):
            return None
        row = self._rows[index.row()]
        column = ComparisonColumn(index.column())
        if role == COMPARED_ROLE:
            return row
        if role == DECORATION:
            status = _status_in(row, column)
            return None if status is None else status_icon(status)
        if role in (DISPLAY, TOOLTIP):
            return _compared_text(row, column)
        if role == ACCESSIBLE:
            text = _compared_text(row, column)
            if column in (ComparisonColumn.BEFORE, ComparisonColumn.AFTER):
                when = tr("before") if column == ComparisonColumn.BEFORE else tr("now")
                return f"{when}: {text}"
            return text
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = DISPLAY
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role not in (DISPLAY, ACCESSIBLE):
            return None
        if not 0 <= section < len(ComparisonColumn):
            return None
        return (
            tr("Change"),
            tr("Target"),
            tr("Check"),
            tr("Subject"),
            tr("Before"),
            tr("Now"),
            tr("Summary"),
        )[section]


def _status_in(row: ComparedFinding, column: ComparisonColumn) -> Status | None:
    if column == ComparisonColumn.BEFORE:
        return row.before
    if column == ComparisonColumn.AFTER:
        return row.after
    return None


def _compared_text(row: ComparedFinding, column: ComparisonColumn) -> str:
    if column == ComparisonColumn.CHANGE:
        return change_label(row.change)
    if column == ComparisonColumn.TARGET:
        return row.target
    if column == ComparisonColumn.CHECK:
        return row.check_id
    if column == ComparisonColumn.SUBJECT:
        return row.subject
    if column in (ComparisonColumn.BEFORE, ComparisonColumn.AFTER):
        status = _status_in(row, column)
        return tr("not reported") if status is None else status_label(status)
    return row.summary


def _compared_key(row: ComparedFinding, column: ComparisonColumn) -> Any:
    if column == ComparisonColumn.CHANGE:
        return list(Change).index(row.change)
    if column in (ComparisonColumn.BEFORE, ComparisonColumn.AFTER):
        status = _status_in(row, column)
        return -1 if status is None else status.severity
    return _compared_text(row, column).casefold()
