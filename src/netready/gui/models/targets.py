"""The target tree: targets and their families, each with a status summary."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
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
    NO_PARENT,
    SCOPE_ROLE,
    TOOLTIP,
    tr,
    valid_cell,
)
from netready.gui.presentation import (
    counts_text,
    family_catalogue,
    family_label,
    icon,
    status_icon,
    status_label,
    worst,
)

__all__ = ["TargetColumn", "TargetState", "TargetTreeModel"]


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
        if not valid_cell(self, index):
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
        self.beginInsertRows(NO_PARENT, row, row)
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
        self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = NO_PARENT
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

    def parent(self, index: QModelIndex | QPersistentModelIndex = NO_PARENT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        number = index.internalId() - 1
        return self.createIndex(self._row_of[number], 0, 0)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = NO_PARENT) -> int:  # noqa: N802
        if not parent.isValid():
            return len(self._order)
        if parent.column() != 0 or parent.internalId() != 0:
            return 0
        return len(self._nodes[self._order[parent.row()]].family_rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = NO_PARENT) -> int:  # noqa: N802
        return len(TargetColumn)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        if not valid_cell(self, index):
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
        if role == DECORATION and column == TargetColumn.NAME:
            return self._icon(counts, state)
        if role not in (DISPLAY, ACCESSIBLE, TOOLTIP):
            return None
        if column == TargetColumn.NAME:
            if role == ACCESSIBLE:
                return f"{name}: {self._status_text(counts, state)}; {counts_text(counts)}"
            return name
        if column == TargetColumn.STATUS:
            return self._status_text(counts, state)
        return counts_text(counts)

    @staticmethod
    def _status_text(counts: dict[Status, int], state: TargetState) -> str:
        if state is TargetState.QUEUED:
            return tr("Queued")
        if state is TargetState.RUNNING:
            return tr("Scanning…")
        status = worst(counts)
        if status is None:
            return tr("Not finished") if state is TargetState.UNFINISHED else tr("Nothing found")
        label = status_label(status)
        return (
            tr("{status} (not finished)").format(status=label)
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
        self, section: int, orientation: Qt.Orientation, role: int = DISPLAY
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role not in (DISPLAY, ACCESSIBLE):
            return None
        if not 0 <= section < len(TargetColumn):
            return None
        return (tr("Target"), tr("Status"), tr("Findings"))[section]


def _severity(counts: Mapping[Status, int]) -> int:
    status = worst(counts)
    return -1 if status is None else status.severity


def _registry_rank(family: str) -> int:
    names = family_catalogue().names
    return names.index(family) if family in names else len(names)
