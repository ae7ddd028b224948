"""The item models behind the views. Sorting and filtering happen here, never in a proxy.

A `QSortFilterProxyModel` asks Python for every row's data through Qt to sort or filter, which
takes seconds for 100,000 findings. These models keep their rows as Python lists and sort or
filter them with list operations (`sorted` with a precomputed key list, list comprehensions),
then tell the view once: a reset for a new filter, a layout change for a new order, a row
insertion per batch of new findings (about ten a second while a scan runs).

- `FindingsModel`: the findings table (status, target, family, check, subject, summary).
- `TargetTreeModel`: targets, each with its families, and a status summary for each.
- `HistoryModel`: the scans of the history database.
- `ComparisonModel`: two scans compared, one row per check and subject.

Every model answers `Qt.AccessibleTextRole` with text a screen reader can speak (a status
as its word, not its colour), and `qtmodeltester` checks each in tests/gui.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from netready.findings import Finding, Status
from netready.gui.compare import Change, ComparedFinding, Comparison
from netready.gui.presentation import (
    counts_text,
    family_catalogue,
    family_label,
    icon,
    status_icon,
    status_label,
    status_meaning,
    worst,
)
from netready.store import ScanRecord

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
]

FINDING_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # the row's `Finding`
SCOPE_ROLE = int(Qt.ItemDataRole.UserRole) + 2  # (target, family or None) of a tree row
SCAN_ROLE = int(Qt.ItemDataRole.UserRole) + 3  # the row's `ScanRecord`
COMPARED_ROLE = int(Qt.ItemDataRole.UserRole) + 4  # the row's `ComparedFinding`

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_NO_PARENT = QModelIndex()
_ALL_STATUSES: frozenset[Status] = frozenset(Status)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Models", text)


def _valid_cell(model: QAbstractItemModel, index: QModelIndex | QPersistentModelIndex) -> bool:
    return index.isValid() and index.model() is model


# --- findings -------------------------------------------------------------------------------


class FindingColumn(IntEnum):
    STATUS = 0
    TARGET = 1
    FAMILY = 2
    CHECK = 3
    SUBJECT = 4
    SUMMARY = 5


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
        self.beginInsertRows(_NO_PARENT, end, end + len(shown) - 1)
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

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(FindingColumn)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not _valid_cell(self, index):
            return None
        row = self._visible[index.row()]
        finding = self._findings[row]
        column = index.column()
        if role == _DISPLAY:
            return self._text(finding, row, column)
        if role == _DECORATION:
            return status_icon(finding.status) if column == FindingColumn.STATUS else None
        if role == _ACCESSIBLE:
            if column == FindingColumn.STATUS:
                return f"{status_label(finding.status)}: {status_meaning(finding.status)}"
            return self._text(finding, row, column)
        if role == _TOOLTIP:
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
        self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role not in (_DISPLAY, _ACCESSIBLE):
            return None
        if not 0 <= section < len(FindingColumn):
            return None
        return (
            _tr("Status"),
            _tr("Target"),
            _tr("Family"),
            _tr("Check"),
            _tr("Subject"),
            _tr("Summary"),
        )[section]


# --- targets --------------------------------------------------------------------------------


class TargetColumn(IntEnum):
    NAME = 0
    STATUS = 1
    FINDINGS = 2


class TargetState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    UNFINISHED = "unfinished"  # a saved scan's target that was stopped before it finished


@dataclass(slots=True)
class _FamilyNode:
    name: str
    counts: dict[Status, int] = field(default_factory=dict)


@dataclass(slots=True)
class _TargetNode:
    value: str
    state: TargetState
    counts: dict[Status, int] = field(default_factory=dict)
    families: dict[str, _FamilyNode] = field(default_factory=dict)
    family_rows: list[str] = field(default_factory=list)  # the order shown


def _count(counts: dict[Status, int], status: Status) -> None:
    counts[status] = counts.get(status, 0) + 1


class TargetTreeModel(QAbstractItemModel):
    """Targets (top level) and their families (children), each with a status summary.

    A row's status is the worst of its findings; while a target is queued or running it
    says so instead. Selecting a row narrows the findings table to that target or family.

    Index ids: a target row's internal id is 0; a family row's is its target's number + 1,
    so `parent()` needs no object pointers (which Python could free under Qt's feet).
    """

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        family_of: Callable[[str], str] | None = None,
        family_rank: Callable[[str], int] | None = None,
    ) -> None:
        super().__init__(parent)
        self._family_of = family_of or (lambda check_id: family_catalogue().family_of(check_id))
        self._family_rank = family_rank or _registry_rank
        self._nodes: list[_TargetNode] = []
        self._number_of: dict[str, int] = {}  # target value -> index into _nodes
        self._order: list[int] = []  # node numbers in the order shown
        self._row_of: list[int] = []  # node number -> row shown
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        #: The view's `isExpanded`, when it tells: family rows of a collapsed target are then
        #: not announced as changed (a signal each, 10 times a second, adds up for 500 targets)
        self.children_shown: Callable[[QModelIndex], bool] | None = None

    # --- the data -------------------------------------------------------------------------

    def set_targets(
        self,
        values: Sequence[str],
        state: TargetState = TargetState.QUEUED,
        *,
        states: Mapping[str, TargetState] | None = None,
        findings: Sequence[Finding] = (),
        families: Sequence[str] | None = None,
    ) -> None:
        """Show these targets, replacing what was shown, in one reset.

        `states` overrides `state` for some targets; `findings` are counted right away (a
        saved scan: one reset costs the view far less than a signal per target), with
        `families` the family of each when the caller knows them already.
        """
        self.beginResetModel()
        self._nodes = [_TargetNode(value, state) for value in values]
        self._number_of = {value: number for number, value in enumerate(values)}
        for value, target_state in (states or {}).items():
            number = self._number_of.get(value)
            if number is not None:
                self._nodes[number].state = target_state
        if families is None:
            families = [self._family_of(finding.check_id) for finding in findings]
        # counted in C (Counter over tuples), then spread over the nodes: 100,000 findings
        # of a saved scan take milliseconds, not a Python call each
        tally = Counter(
            zip((f.target for f in findings), families, (f.status for f in findings), strict=True)
        )
        for (target, family, status), count in tally.items():
            number = self._number_of.get(target)
            if number is None:
                number = self._number_of[target] = len(self._nodes)
                self._nodes.append(_TargetNode(target, TargetState.DONE))
            node = self._nodes[number]
            family_node = node.families.get(family)
            if family_node is None:
                family_node = node.families[family] = _FamilyNode(family)
            node.counts[status] = node.counts.get(status, 0) + count
            family_node.counts[status] = family_node.counts.get(status, 0) + count
        for node in self._nodes:
            node.family_rows = self._sorted_families(node)
        self._order = self._sorted_targets(list(range(len(self._nodes))))
        self._index_rows()
        self.endResetModel()

    def set_states(self, states: Mapping[str, TargetState]) -> None:
        changed = set()
        for value, state in states.items():
            number = self._number_of.get(value)
            if number is not None and self._nodes[number].state is not state:
                self._nodes[number].state = state
                changed.add(number)
        self._targets_changed(changed, with_families=False)
        self._resort_if_needed()

    def add_findings(self, findings: Sequence[Finding]) -> None:
        """Count findings of a scan in progress (new targets and families are inserted)."""
        changed: set[int] = set()
        for finding in findings:
            number = self._number_of.get(finding.target)
            if number is None:
                number = self._append_target(finding.target)
            node = self._nodes[number]
            family = self._family_of(finding.check_id)
            if family not in node.families:
                self._insert_family(number, family)
            _count(node.counts, finding.status)
            _count(node.families[family].counts, finding.status)
            changed.add(number)
        self._targets_changed(changed, with_families=True)
        self._resort_if_needed()

    def scope(self, index: QModelIndex | QPersistentModelIndex) -> tuple[str, str | None] | None:
        """(target, family or None) of a row, or None for no row."""
        if not _valid_cell(self, index):
            return None
        result: tuple[str, str | None] = self.data(index, SCOPE_ROLE)
        return result

    def index_of(self, target: str, family: str | None = None) -> QModelIndex:
        number = self._number_of.get(target)
        if number is None:
            return QModelIndex()
        target_index = self.createIndex(self._row_of[number], 0, 0)
        if family is None:
            return target_index
        rows = self._nodes[number].family_rows
        if family not in rows:
            return QModelIndex()
        return self.createIndex(rows.index(family), 0, number + 1)

    def counts(self) -> dict[Status, int]:
        """Findings per status over every target."""
        total: dict[Status, int] = {}
        for node in self._nodes:
            for status, count in node.counts.items():
                total[status] = total.get(status, 0) + count
        return total

    def targets_not_done(self) -> list[str]:
        """Targets queued, running or unfinished, in the order given."""
        return [node.value for node in self._nodes if node.state is not TargetState.DONE]

    def _append_target(self, value: str) -> int:
        number = len(self._nodes)
        row = len(self._order)
        self.beginInsertRows(_NO_PARENT, row, row)
        self._nodes.append(_TargetNode(value, TargetState.DONE))
        self._number_of[value] = number
        self._order.append(number)
        self._row_of.append(row)
        self.endInsertRows()
        return number

    def _insert_family(self, number: int, family: str) -> None:
        node = self._nodes[number]
        ranks = [self._family_rank(name) for name in node.family_rows]
        row = bisect.bisect_right(ranks, self._family_rank(family))
        parent = self.createIndex(self._row_of[number], 0, 0)
        self.beginInsertRows(parent, row, row)
        node.families[family] = _FamilyNode(family)
        node.family_rows.insert(row, family)
        self.endInsertRows()

    def _targets_changed(self, numbers: set[int], *, with_families: bool) -> None:
        """Tell the view: one signal for the span of target rows, one per target's families."""
        if not numbers:
            return
        last = len(TargetColumn) - 1
        rows = [self._row_of[number] for number in numbers]
        self.dataChanged.emit(
            self.createIndex(min(rows), 0, 0), self.createIndex(max(rows), last, 0)
        )
        if not with_families:
            return
        shown = self.children_shown
        for number in numbers:
            families = len(self._nodes[number].family_rows)
            if not families:
                continue
            if shown is not None and not shown(self.createIndex(self._row_of[number], 0, 0)):
                continue  # collapsed: the view asks for fresh data when it expands the row
            self.dataChanged.emit(
                self.createIndex(0, 0, number + 1),
                self.createIndex(families - 1, last, number + 1),
            )

    # --- order ----------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column = column if 0 <= column < len(TargetColumn) else -1
        self._sort_order = order
        self._relayout()

    def _resort_if_needed(self) -> None:
        if self._sort_column >= 0:
            self._relayout()

    def _relayout(self) -> None:
        self.layoutAboutToBeChanged.emit()
        old_indexes = self.persistentIndexList()
        held = [(self._scope_of(index), index.column()) for index in old_indexes]
        self._order = self._sorted_targets(list(range(len(self._nodes))))
        self._index_rows()
        for node in self._nodes:
            node.family_rows = self._sorted_families(node)
        new_indexes = [
            self.index_of(*scope).siblingAtColumn(column) if scope else QModelIndex()
            for scope, column in held
        ]
        self.changePersistentIndexList(old_indexes, new_indexes)
        self.layoutChanged.emit()

    def _index_rows(self) -> None:
        self._row_of = [0] * len(self._nodes)
        for row, number in enumerate(self._order):
            self._row_of[number] = row

    def _sorted_targets(self, numbers: list[int]) -> list[int]:
        if self._sort_column < 0:
            return numbers
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        nodes = self._nodes
        if self._sort_column == TargetColumn.NAME:
            return sorted(numbers, key=lambda n: nodes[n].value, reverse=descending)
        if self._sort_column == TargetColumn.STATUS:
            return sorted(numbers, key=lambda n: _severity(nodes[n].counts), reverse=descending)
        return sorted(numbers, key=lambda n: sum(nodes[n].counts.values()), reverse=descending)

    def _sorted_families(self, node: _TargetNode) -> list[str]:
        names = sorted(node.families, key=self._family_rank)
        if self._sort_column <= TargetColumn.NAME:
            return names
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        if self._sort_column == TargetColumn.STATUS:
            key: Callable[[str], int] = lambda name: _severity(node.families[name].counts)  # noqa: E731
        else:
            key = lambda name: sum(node.families[name].counts.values())  # noqa: E731
        return sorted(names, key=key, reverse=descending)

    def _scope_of(
        self, index: QModelIndex | QPersistentModelIndex
    ) -> tuple[str, str | None] | None:
        if not index.isValid():
            return None
        internal = index.internalId()
        if internal == 0:
            return (self._nodes[self._order[index.row()]].value, None)
        node = self._nodes[internal - 1]
        return (node.value, node.family_rows[index.row()])

    # --- Qt's model interface -------------------------------------------------------------

    def index(
        self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT
    ) -> QModelIndex:
        # checked here rather than with hasIndex(): each call back from Qt into Python costs
        if not 0 <= column < len(TargetColumn) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if row < len(self._order) else QModelIndex()
        if parent.internalId() != 0 or parent.column() != 0:
            return QModelIndex()  # families have no children
        number = self._order[parent.row()]
        if row >= len(self._nodes[number].family_rows):
            return QModelIndex()
        return self.createIndex(row, column, number + 1)

    def parent(self, index: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        number = index.internalId() - 1
        return self.createIndex(self._row_of[number], 0, 0)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:  # noqa: N802
        if not parent.isValid():
            return len(self._order)
        if parent.column() != 0 or parent.internalId() != 0:
            return 0
        return len(self._nodes[self._order[parent.row()]].family_rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:  # noqa: N802
        return len(TargetColumn)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not _valid_cell(self, index):
            return None
        internal = index.internalId()
        if internal == 0:
            node = self._nodes[self._order[index.row()]]
            name, counts, state = node.value, node.counts, node.state
            scope: tuple[str, str | None] = (node.value, None)
        else:
            target = self._nodes[internal - 1]
            family = target.families[target.family_rows[index.row()]]
            name, counts, state = family_label(family.name), family.counts, TargetState.DONE
            scope = (target.value, family.name)
        if role == SCOPE_ROLE:
            return scope
        return self._cell(index.column(), role, name, counts, state)

    def _cell(
        self, column: int, role: int, name: str, counts: dict[Status, int], state: TargetState
    ) -> Any:
        if role == _DECORATION and column == TargetColumn.NAME:
            return self._icon(counts, state)
        if role not in (_DISPLAY, _ACCESSIBLE, _TOOLTIP):
            return None
        if column == TargetColumn.NAME:
            if role == _ACCESSIBLE:
                return f"{name}: {self._status_text(counts, state)}; {counts_text(counts)}"
            return name
        if column == TargetColumn.STATUS:
            return self._status_text(counts, state)
        return counts_text(counts)

    @staticmethod
    def _status_text(counts: dict[Status, int], state: TargetState) -> str:
        if state is TargetState.QUEUED:
            return _tr("Queued")
        if state is TargetState.RUNNING:
            return _tr("Scanning…")
        status = worst(counts)
        if status is None:
            return _tr("Not finished") if state is TargetState.UNFINISHED else _tr("Nothing found")
        label = status_label(status)
        return (
            _tr("{status} (not finished)").format(status=label)
            if (state is TargetState.UNFINISHED)
            else label
        )

    @staticmethod
    def _icon(counts: dict[Status, int], state: TargetState) -> Any:
        if state is TargetState.QUEUED:
            return icon("state-queued")
        if state is TargetState.RUNNING:
            return icon("state-running")
        status = worst(counts)
        return None if status is None else status_icon(status)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role not in (_DISPLAY, _ACCESSIBLE):
            return None
        if not 0 <= section < len(TargetColumn):
            return None
        return (_tr("Target"), _tr("Status"), _tr("Findings"))[section]


def _severity(counts: Mapping[Status, int]) -> int:
    status = worst(counts)
    return -1 if status is None else status.severity


def _registry_rank(family: str) -> int:
    names = family_catalogue().names
    return names.index(family) if family in names else len(names)


# --- history --------------------------------------------------------------------------------


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
            text = shown + (_tr(" and {count} more").format(count=more) if more > 0 else "")
            self._what[scan.id] = text
        return text

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._scans)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HistoryColumn)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not _valid_cell(self, index):
            return None
        scan = self._scans[index.row()]
        column = HistoryColumn(index.column())
        if role == SCAN_ROLE:
            return scan
        if role == _ALIGNMENT:
            return _RIGHT if column in _NUMERIC_COLUMNS else None
        if role == _DECORATION and column in _COUNT_COLUMNS:
            return status_icon(_COUNT_COLUMNS[column])
        if role in (_DISPLAY, _ACCESSIBLE, _TOOLTIP):
            return self._text(scan, column, accessible=role == _ACCESSIBLE)
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
            return _tr("{done} of {total}").format(done=scan.targets_done, total=scan.targets_total)
        if column == HistoryColumn.FINDINGS:
            return str(scan.finding_count)
        if column in _COUNT_COLUMNS:
            count = scan.status_counts.get(_COUNT_COLUMNS[column].value, 0)
            if accessible:
                return f"{count} {status_label(_COUNT_COLUMNS[column]).lower()}"
            return str(count)
        return self._what_text(scan)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role not in (_DISPLAY, _ACCESSIBLE):
            return None
        if not 0 <= section < len(HistoryColumn):
            return None
        return (
            _tr("Scan"),
            _tr("Started"),
            _tr("State"),
            _tr("Targets"),
            _tr("Findings"),
            status_label(Status.FAIL),
            status_label(Status.WARNING),
            status_label(Status.ERROR),
            _tr("What"),
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
        return _tr("interrupted")
    return {
        "running": _tr("running"),
        "completed": _tr("completed"),
        "cancelled": _tr("stopped"),
    }.get(scan.state.value, scan.state.value)


# --- comparison -----------------------------------------------------------------------------


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
        Change.WORSE: _tr("Worse"),
        Change.NEW: _tr("New"),
        Change.GONE: _tr("Gone"),
        Change.BETTER: _tr("Better"),
        Change.SAME: _tr("Same"),
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

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(ComparisonColumn)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not _valid_cell(self, index):
            return None
        row = self._rows[index.row()]
        column = ComparisonColumn(index.column())
        if role == COMPARED_ROLE:
            return row
        if role == _DECORATION:
            status = _status_in(row, column)
            return None if status is None else status_icon(status)
        if role in (_DISPLAY, _TOOLTIP):
            return _compared_text(row, column)
        if role == _ACCESSIBLE:
            text = _compared_text(row, column)
            if column in (ComparisonColumn.BEFORE, ComparisonColumn.AFTER):
                when = _tr("before") if column == ComparisonColumn.BEFORE else _tr("now")
                return f"{when}: {text}"
            return text
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role not in (_DISPLAY, _ACCESSIBLE):
            return None
        if not 0 <= section < len(ComparisonColumn):
            return None
        return (
            _tr("Change"),
            _tr("Target"),
            _tr("Check"),
            _tr("Subject"),
            _tr("Before"),
            _tr("Now"),
            _tr("Summary"),
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
        return _tr("not reported") if status is None else status_label(status)
    return row.summary


def _compared_key(row: ComparedFinding, column: ComparisonColumn) -> Any:
    if column == ComparisonColumn.CHANGE:
        return list(Change).index(row.change)
    if column in (ComparisonColumn.BEFORE, ComparisonColumn.AFTER):
        status = _status_in(row, column)
        return -1 if status is None else status.severity
    return _compared_text(row, column).casefold()
