"""The history dialog: earlier scans from SQLite; open one; compare two of the same targets."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QHeaderView, QWidget

from netready.gui.compare import Change, Comparison, compare_scans
from netready.gui.forms.ui_history_dialog import Ui_HistoryDialog
from netready.gui.models import ComparisonModel, HistoryColumn, HistoryModel
from netready.store import ScanRecord, Store

__all__ = ["HistoryDialog"]


class HistoryDialog(QDialog):
    """Lists the scans of `store` (opened in the GUI thread, for reading)."""

    scan_opened = Signal(int)  # the scan the user chose to open

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_HistoryDialog()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]  # generated
        self._store = store
        self.comparison: Comparison | None = None
        self.scans = HistoryModel(self, targets_of=self._target_values)
        self.changes = ComparisonModel(self)
        self._set_up_views()
        self._change_boxes: dict[Change, QCheckBox] = {
            Change.WORSE: self.ui.worseCheck,
            Change.NEW: self.ui.newCheck,
            Change.GONE: self.ui.goneCheck,
            Change.BETTER: self.ui.betterCheck,
            Change.SAME: self.ui.sameCheck,
        }
        for box in self._change_boxes.values():
            box.toggled.connect(self._show_changes)
        self.ui.openButton.clicked.connect(self.open_selected)
        self.ui.compareButton.clicked.connect(self.compare_selected)
        self.ui.scansView.doubleClicked.connect(lambda _index: self.open_selected())
        self.refresh()

    def _set_up_views(self) -> None:
        view = self.ui.scansView
        view.setModel(self.scans)
        view.sortByColumn(-1, view.horizontalHeader().sortIndicatorOrder())
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(HistoryColumn.WHAT, QHeaderView.ResizeMode.Stretch)
        view.selectionModel().selectionChanged.connect(self._selection_changed)
        changes = self.ui.comparisonView
        changes.setModel(self.changes)
        changes.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        changes.horizontalHeader().setStretchLastSection(True)
        self.ui.splitter.setSizes([300, 400])

    def _target_values(self, scan_id: int) -> list[str]:
        return [record.value for record in self._store.targets(scan_id)]

    def refresh(self) -> None:
        self.scans.set_scans(self._store.scans())
        self._selection_changed(QItemSelection(), QItemSelection())

    def selected_scans(self) -> list[ScanRecord]:
        rows = sorted({index.row() for index in self.ui.scansView.selectionModel().selectedRows()})
        return [self.scans.scan_at(row) for row in rows]

    def select_scans(self, *scan_ids: int) -> None:
        """Select these scans, as a click and a Ctrl+click would."""
        selection = QItemSelection()
        last_column = self.scans.columnCount() - 1
        for scan_id in scan_ids:
            row = self.scans.row_of(scan_id)
            if row is not None:
                selection.select(self.scans.index(row, 0), self.scans.index(row, last_column))
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.ui.scansView.selectionModel().select(selection, flags)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        chosen = self.selected_scans()
        self.ui.openButton.setEnabled(len(chosen) == 1)
        self.ui.compareButton.setEnabled(len(chosen) == 2)
        if len(chosen) > 2:
            self.ui.selectionHint.setText(self.tr("Select two scans to compare them."))
        else:
            self.ui.selectionHint.setText("")

    def open_selected(self) -> None:
        chosen = self.selected_scans()
        if len(chosen) == 1:
            self.scan_opened.emit(chosen[0].id)
            self.accept()

    def compare_selected(self) -> None:
        chosen = self.selected_scans()
        if len(chosen) == 2:
            older, newer = sorted(chosen, key=lambda scan: scan.id)
            self.compare(older.id, newer.id)

    def compare(self, older_id: int, newer_id: int) -> Comparison:
        """Compare scan `older_id` (before) with `newer_id` (now) and show the changes."""
        before_targets = self._target_values(older_id)
        after_targets = self._target_values(newer_id)
        comparison = compare_scans(
            self._store.findings(older_id),
            self._store.findings(newer_id),
            before_targets=before_targets,
            after_targets=after_targets,
        )
        self.comparison = comparison
        self.changes.set_comparison(comparison)
        self.ui.comparisonSummary.setText(self._summary(older_id, newer_id, comparison))
        self.ui.comparisonBox.setTitle(
            self.tr("Comparison: scan {old} → scan {new}").format(old=older_id, new=newer_id)
        )
        return comparison

    def _summary(self, older_id: int, newer_id: int, comparison: Comparison) -> str:
        if not comparison.targets:
            return self.tr("Scans {old} and {new} have no target in common.").format(
                old=older_id, new=newer_id
            )
        counts = self.tr("{worse} worse, {new} new, {gone} gone, {better} better, {same} unchanged")
        text = counts.format(**{change.value: comparison.count(change) for change in Change})
        left_out = len(comparison.only_before) + len(comparison.only_after)
        if left_out:
            text += " " + self.tr("({count} target(s) scanned only once are left out.)").format(
                count=left_out
            )
        return text

    def _show_changes(self) -> None:
        self.changes.set_changes_shown(
            change for change, box in self._change_boxes.items() if box.isChecked()
        )
