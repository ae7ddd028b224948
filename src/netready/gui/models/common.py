"""What the models share: their custom roles and role numbers, and small helpers."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

FINDING_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # the row's `Finding`
SCOPE_ROLE = int(Qt.ItemDataRole.UserRole) + 2  # (target, family or None) of a tree row
SCAN_ROLE = int(Qt.ItemDataRole.UserRole) + 3  # the row's `ScanRecord`
COMPARED_ROLE = int(Qt.ItemDataRole.UserRole) + 4  # the row's `ComparedFinding`

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
DECORATION = int(Qt.ItemDataRole.DecorationRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
NO_PARENT = QModelIndex()


def tr(text: str) -> str:
    return QCoreApplication.translate("Models", text)


def valid_cell(model: QAbstractItemModel, index: QModelIndex | QPersistentModelIndex) -> bool:
    return index.isValid() and index.model() is model
