# ruff: noqa
# Generated from ui/history_dialog.ui by ui/build_forms.py (pyside6-uic); do not edit.
from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QDateTime,
    QLocale,
    QMetaObject,
    QObject,
    QPoint,
    QRect,
    QSize,
    QTime,
    QUrl,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QConicalGradient,
    QCursor,
    QFont,
    QFontDatabase,
    QGradient,
    QIcon,
    QImage,
    QKeySequence,
    QLinearGradient,
    QPainter,
    QPalette,
    QPixmap,
    QRadialGradient,
    QTransform,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpacerItem,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)


class Ui_HistoryDialog(object):
    def setupUi(self, HistoryDialog):
        if not HistoryDialog.objectName():
            HistoryDialog.setObjectName("HistoryDialog")
        HistoryDialog.resize(1040, 700)
        self.dialogLayout = QVBoxLayout(HistoryDialog)
        self.dialogLayout.setObjectName("dialogLayout")
        self.splitter = QSplitter(HistoryDialog)
        self.splitter.setObjectName("splitter")
        self.splitter.setOrientation(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.scansPanel = QWidget(self.splitter)
        self.scansPanel.setObjectName("scansPanel")
        self.scansLayout = QVBoxLayout(self.scansPanel)
        self.scansLayout.setObjectName("scansLayout")
        self.scansLayout.setContentsMargins(0, 0, 0, 0)
        self.scansLabel = QLabel(self.scansPanel)
        self.scansLabel.setObjectName("scansLabel")

        self.scansLayout.addWidget(self.scansLabel)

        self.scansView = QTableView(self.scansPanel)
        self.scansView.setObjectName("scansView")
        self.scansView.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.scansView.setAlternatingRowColors(True)
        self.scansView.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.scansView.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.scansView.setShowGrid(False)
        self.scansView.setSortingEnabled(True)
        self.scansView.horizontalHeader().setStretchLastSection(True)
        self.scansView.verticalHeader().setVisible(False)

        self.scansLayout.addWidget(self.scansView)

        self.scanButtonsLayout = QHBoxLayout()
        self.scanButtonsLayout.setObjectName("scanButtonsLayout")
        self.openButton = QPushButton(self.scansPanel)
        self.openButton.setObjectName("openButton")
        self.openButton.setEnabled(False)

        self.scanButtonsLayout.addWidget(self.openButton)

        self.compareButton = QPushButton(self.scansPanel)
        self.compareButton.setObjectName("compareButton")
        self.compareButton.setEnabled(False)

        self.scanButtonsLayout.addWidget(self.compareButton)

        self.selectionHint = QLabel(self.scansPanel)
        self.selectionHint.setObjectName("selectionHint")
        self.selectionHint.setTextFormat(Qt.TextFormat.PlainText)

        self.scanButtonsLayout.addWidget(self.selectionHint)

        self.scanButtonsSpacer = QSpacerItem(
            0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum
        )

        self.scanButtonsLayout.addItem(self.scanButtonsSpacer)

        self.scansLayout.addLayout(self.scanButtonsLayout)

        self.splitter.addWidget(self.scansPanel)
        self.comparisonBox = QGroupBox(self.splitter)
        self.comparisonBox.setObjectName("comparisonBox")
        self.comparisonLayout = QVBoxLayout(self.comparisonBox)
        self.comparisonLayout.setObjectName("comparisonLayout")
        self.comparisonSummary = QLabel(self.comparisonBox)
        self.comparisonSummary.setObjectName("comparisonSummary")
        self.comparisonSummary.setTextFormat(Qt.TextFormat.PlainText)
        self.comparisonSummary.setWordWrap(True)

        self.comparisonLayout.addWidget(self.comparisonSummary)

        self.changeFilterLayout = QHBoxLayout()
        self.changeFilterLayout.setObjectName("changeFilterLayout")
        self.changeShowLabel = QLabel(self.comparisonBox)
        self.changeShowLabel.setObjectName("changeShowLabel")

        self.changeFilterLayout.addWidget(self.changeShowLabel)

        self.worseCheck = QCheckBox(self.comparisonBox)
        self.worseCheck.setObjectName("worseCheck")
        self.worseCheck.setChecked(True)

        self.changeFilterLayout.addWidget(self.worseCheck)

        self.newCheck = QCheckBox(self.comparisonBox)
        self.newCheck.setObjectName("newCheck")
        self.newCheck.setChecked(True)

        self.changeFilterLayout.addWidget(self.newCheck)

        self.goneCheck = QCheckBox(self.comparisonBox)
        self.goneCheck.setObjectName("goneCheck")
        self.goneCheck.setChecked(True)

        self.changeFilterLayout.addWidget(self.goneCheck)

        self.betterCheck = QCheckBox(self.comparisonBox)
        self.betterCheck.setObjectName("betterCheck")
        self.betterCheck.setChecked(True)

        self.changeFilterLayout.addWidget(self.betterCheck)

        self.sameCheck = QCheckBox(self.comparisonBox)
        self.sameCheck.setObjectName("sameCheck")

        self.changeFilterLayout.addWidget(self.sameCheck)

        self.changeFilterSpacer = QSpacerItem(
            0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum
        )

        self.changeFilterLayout.addItem(self.changeFilterSpacer)

        self.comparisonLayout.addLayout(self.changeFilterLayout)

        self.comparisonView = QTableView(self.comparisonBox)
        self.comparisonView.setObjectName("comparisonView")
        self.comparisonView.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.comparisonView.setAlternatingRowColors(True)
        self.comparisonView.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.comparisonView.setShowGrid(False)
        self.comparisonView.setSortingEnabled(True)
        self.comparisonView.setWordWrap(False)
        self.comparisonView.horizontalHeader().setStretchLastSection(True)
        self.comparisonView.verticalHeader().setVisible(False)

        self.comparisonLayout.addWidget(self.comparisonView)

        self.splitter.addWidget(self.comparisonBox)

        self.dialogLayout.addWidget(self.splitter)

        self.buttonBox = QDialogButtonBox(HistoryDialog)
        self.buttonBox.setObjectName("buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Close)

        self.dialogLayout.addWidget(self.buttonBox)

        # if QT_CONFIG(shortcut)
        self.scansLabel.setBuddy(self.scansView)
        # endif // QT_CONFIG(shortcut)

        self.retranslateUi(HistoryDialog)
        self.buttonBox.rejected.connect(HistoryDialog.reject)

    # setupUi

    def retranslateUi(self, HistoryDialog):
        HistoryDialog.setWindowTitle(QCoreApplication.translate("HistoryDialog", "History", None))
        self.scansLabel.setText(
            QCoreApplication.translate(
                "HistoryDialog", "&Scans: select one to open it, two to compare them", None
            )
        )
        # if QT_CONFIG(accessibility)
        self.scansView.setAccessibleName(
            QCoreApplication.translate("HistoryDialog", "Saved scans", None)
        )
        # endif // QT_CONFIG(accessibility)
        # if QT_CONFIG(tooltip)
        self.openButton.setToolTip(
            QCoreApplication.translate(
                "HistoryDialog", "Show this scan's findings in the main window", None
            )
        )
        # endif // QT_CONFIG(tooltip)
        self.openButton.setText(QCoreApplication.translate("HistoryDialog", "&Open", None))
        # if QT_CONFIG(tooltip)
        self.compareButton.setToolTip(
            QCoreApplication.translate(
                "HistoryDialog", "Compare the older scan with the newer one", None
            )
        )
        # endif // QT_CONFIG(tooltip)
        self.compareButton.setText(QCoreApplication.translate("HistoryDialog", "&Compare", None))
        self.selectionHint.setText("")
        self.comparisonBox.setTitle(QCoreApplication.translate("HistoryDialog", "Comparison", None))
        # if QT_CONFIG(accessibility)
        self.comparisonSummary.setAccessibleName(
            QCoreApplication.translate("HistoryDialog", "Comparison summary", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.comparisonSummary.setText(
            QCoreApplication.translate(
                "HistoryDialog", "Select two scans of the same targets and press Compare.", None
            )
        )
        self.changeShowLabel.setText(QCoreApplication.translate("HistoryDialog", "Show:", None))
        self.worseCheck.setText(QCoreApplication.translate("HistoryDialog", "&Worse", None))
        self.newCheck.setText(QCoreApplication.translate("HistoryDialog", "&New", None))
        self.goneCheck.setText(QCoreApplication.translate("HistoryDialog", "&Gone", None))
        self.betterCheck.setText(QCoreApplication.translate("HistoryDialog", "&Better", None))
        self.sameCheck.setText(QCoreApplication.translate("HistoryDialog", "&Unchanged", None))
        # if QT_CONFIG(accessibility)
        self.comparisonView.setAccessibleName(
            QCoreApplication.translate("HistoryDialog", "Changes between the two scans", None)
        )


# endif // QT_CONFIG(accessibility)
# retranslateUi
