# ruff: noqa
# Generated from ui/main_window.ui by ui/build_forms.py (pyside6-uic); do not edit.
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
    QAction,
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
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMenuBar,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpacerItem,
    QSplitter,
    QStatusBar,
    QTableView,
    QTextBrowser,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)


class Ui_MainWindow(object):
    def setupUi(self, MainWindow):
        if not MainWindow.objectName():
            MainWindow.setObjectName("MainWindow")
        MainWindow.resize(1280, 800)
        self.actionImport = QAction(MainWindow)
        self.actionImport.setObjectName("actionImport")
        self.actionOpenDatabase = QAction(MainWindow)
        self.actionOpenDatabase.setObjectName("actionOpenDatabase")
        self.actionOpenSample = QAction(MainWindow)
        self.actionOpenSample.setObjectName("actionOpenSample")
        self.actionOwnResults = QAction(MainWindow)
        self.actionOwnResults.setObjectName("actionOwnResults")
        self.actionOwnResults.setEnabled(False)
        self.actionExportCsv = QAction(MainWindow)
        self.actionExportCsv.setObjectName("actionExportCsv")
        self.actionQuit = QAction(MainWindow)
        self.actionQuit.setObjectName("actionQuit")
        self.actionQuit.setMenuRole(QAction.MenuRole.QuitRole)
        self.actionScan = QAction(MainWindow)
        self.actionScan.setObjectName("actionScan")
        self.actionStop = QAction(MainWindow)
        self.actionStop.setObjectName("actionStop")
        self.actionStop.setEnabled(False)
        self.actionHistory = QAction(MainWindow)
        self.actionHistory.setObjectName("actionHistory")
        self.actionSettings = QAction(MainWindow)
        self.actionSettings.setObjectName("actionSettings")
        self.actionSettings.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.actionFocusTargets = QAction(MainWindow)
        self.actionFocusTargets.setObjectName("actionFocusTargets")
        self.actionFocusSearch = QAction(MainWindow)
        self.actionFocusSearch.setObjectName("actionFocusSearch")
        self.actionShowAll = QAction(MainWindow)
        self.actionShowAll.setObjectName("actionShowAll")
        self.actionAbout = QAction(MainWindow)
        self.actionAbout.setObjectName("actionAbout")
        self.actionAbout.setMenuRole(QAction.MenuRole.AboutRole)
        self.centralwidget = QWidget(MainWindow)
        self.centralwidget.setObjectName("centralwidget")
        self.centralLayout = QHBoxLayout(self.centralwidget)
        self.centralLayout.setObjectName("centralLayout")
        self.centralLayout.setContentsMargins(6, 6, 6, 0)
        self.mainSplitter = QSplitter(self.centralwidget)
        self.mainSplitter.setObjectName("mainSplitter")
        self.mainSplitter.setOrientation(Qt.Orientation.Horizontal)
        self.mainSplitter.setChildrenCollapsible(False)
        self.scanPanel = QWidget(self.mainSplitter)
        self.scanPanel.setObjectName("scanPanel")
        self.scanLayout = QVBoxLayout(self.scanPanel)
        self.scanLayout.setObjectName("scanLayout")
        self.scanLayout.setContentsMargins(0, 0, 6, 0)
        self.targetsLabel = QLabel(self.scanPanel)
        self.targetsLabel.setObjectName("targetsLabel")

        self.scanLayout.addWidget(self.targetsLabel)

        self.targetsEdit = QPlainTextEdit(self.scanPanel)
        self.targetsEdit.setObjectName("targetsEdit")
        self.targetsEdit.setTabChangesFocus(True)

        self.scanLayout.addWidget(self.targetsEdit)

        self.targetErrorLabel = QLabel(self.scanPanel)
        self.targetErrorLabel.setObjectName("targetErrorLabel")
        self.targetErrorLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.targetErrorLabel.setWordWrap(True)
        self.targetErrorLabel.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.TextSelectableByMouse
        )

        self.scanLayout.addWidget(self.targetErrorLabel)

        self.targetButtonsLayout = QHBoxLayout()
        self.targetButtonsLayout.setObjectName("targetButtonsLayout")
        self.importButton = QPushButton(self.scanPanel)
        self.importButton.setObjectName("importButton")

        self.targetButtonsLayout.addWidget(self.importButton)

        self.recentButton = QToolButton(self.scanPanel)
        self.recentButton.setObjectName("recentButton")
        self.recentButton.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.recentButton.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)

        self.targetButtonsLayout.addWidget(self.recentButton)

        self.targetButtonsSpacer = QSpacerItem(
            0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum
        )

        self.targetButtonsLayout.addItem(self.targetButtonsSpacer)

        self.scanLayout.addLayout(self.targetButtonsLayout)

        self.familiesBox = QGroupBox(self.scanPanel)
        self.familiesBox.setObjectName("familiesBox")
        self.familiesLayout = QVBoxLayout(self.familiesBox)
        self.familiesLayout.setObjectName("familiesLayout")

        self.scanLayout.addWidget(self.familiesBox)

        self.scanButtonsLayout = QHBoxLayout()
        self.scanButtonsLayout.setObjectName("scanButtonsLayout")
        self.scanButton = QPushButton(self.scanPanel)
        self.scanButton.setObjectName("scanButton")

        self.scanButtonsLayout.addWidget(self.scanButton)

        self.stopButton = QPushButton(self.scanPanel)
        self.stopButton.setObjectName("stopButton")
        self.stopButton.setEnabled(False)

        self.scanButtonsLayout.addWidget(self.stopButton)

        self.scanLayout.addLayout(self.scanButtonsLayout)

        self.progressBar = QProgressBar(self.scanPanel)
        self.progressBar.setObjectName("progressBar")
        self.progressBar.setValue(0)

        self.scanLayout.addWidget(self.progressBar)

        self.progressLabel = QLabel(self.scanPanel)
        self.progressLabel.setObjectName("progressLabel")
        self.progressLabel.setWordWrap(True)

        self.scanLayout.addWidget(self.progressLabel)

        self.scanPanelSpacer = QSpacerItem(
            0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding
        )

        self.scanLayout.addItem(self.scanPanelSpacer)

        self.mainSplitter.addWidget(self.scanPanel)
        self.resultsSplitter = QSplitter(self.mainSplitter)
        self.resultsSplitter.setObjectName("resultsSplitter")
        self.resultsSplitter.setOrientation(Qt.Orientation.Vertical)
        self.resultsSplitter.setChildrenCollapsible(False)
        self.resultsPanel = QWidget(self.resultsSplitter)
        self.resultsPanel.setObjectName("resultsPanel")
        self.resultsLayout = QVBoxLayout(self.resultsPanel)
        self.resultsLayout.setObjectName("resultsLayout")
        self.resultsLayout.setContentsMargins(0, 0, 0, 0)
        self.filterLayout = QHBoxLayout()
        self.filterLayout.setObjectName("filterLayout")
        self.showLabel = QLabel(self.resultsPanel)
        self.showLabel.setObjectName("showLabel")

        self.filterLayout.addWidget(self.showLabel)

        self.failFilter = QToolButton(self.resultsPanel)
        self.failFilter.setObjectName("failFilter")
        self.failFilter.setCheckable(True)
        self.failFilter.setChecked(True)
        self.failFilter.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.failFilter.setAutoRaise(True)

        self.filterLayout.addWidget(self.failFilter)

        self.errorFilter = QToolButton(self.resultsPanel)
        self.errorFilter.setObjectName("errorFilter")
        self.errorFilter.setCheckable(True)
        self.errorFilter.setChecked(True)
        self.errorFilter.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.errorFilter.setAutoRaise(True)

        self.filterLayout.addWidget(self.errorFilter)

        self.warningFilter = QToolButton(self.resultsPanel)
        self.warningFilter.setObjectName("warningFilter")
        self.warningFilter.setCheckable(True)
        self.warningFilter.setChecked(True)
        self.warningFilter.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.warningFilter.setAutoRaise(True)

        self.filterLayout.addWidget(self.warningFilter)

        self.infoFilter = QToolButton(self.resultsPanel)
        self.infoFilter.setObjectName("infoFilter")
        self.infoFilter.setCheckable(True)
        self.infoFilter.setChecked(True)
        self.infoFilter.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.infoFilter.setAutoRaise(True)

        self.filterLayout.addWidget(self.infoFilter)

        self.passFilter = QToolButton(self.resultsPanel)
        self.passFilter.setObjectName("passFilter")
        self.passFilter.setCheckable(True)
        self.passFilter.setChecked(True)
        self.passFilter.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.passFilter.setAutoRaise(True)

        self.filterLayout.addWidget(self.passFilter)

        self.familyFilter = QComboBox(self.resultsPanel)
        self.familyFilter.setObjectName("familyFilter")

        self.filterLayout.addWidget(self.familyFilter)

        self.searchEdit = QLineEdit(self.resultsPanel)
        self.searchEdit.setObjectName("searchEdit")
        self.searchEdit.setClearButtonEnabled(True)

        self.filterLayout.addWidget(self.searchEdit)

        self.resultsLayout.addLayout(self.filterLayout)

        self.tablesSplitter = QSplitter(self.resultsPanel)
        self.tablesSplitter.setObjectName("tablesSplitter")
        self.tablesSplitter.setOrientation(Qt.Orientation.Horizontal)
        self.tablesSplitter.setChildrenCollapsible(False)
        self.targetView = QTreeView(self.tablesSplitter)
        self.targetView.setObjectName("targetView")
        self.targetView.setAlternatingRowColors(True)
        self.targetView.setUniformRowHeights(True)
        self.targetView.setSortingEnabled(True)
        self.tablesSplitter.addWidget(self.targetView)
        self.findingsPanel = QWidget(self.tablesSplitter)
        self.findingsPanel.setObjectName("findingsPanel")
        self.findingsLayout = QVBoxLayout(self.findingsPanel)
        self.findingsLayout.setObjectName("findingsLayout")
        self.findingsLayout.setContentsMargins(0, 0, 0, 0)
        self.scopeLayout = QHBoxLayout()
        self.scopeLayout.setObjectName("scopeLayout")
        self.scopeLabel = QLabel(self.findingsPanel)
        self.scopeLabel.setObjectName("scopeLabel")
        self.scopeLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.scopeLayout.addWidget(self.scopeLabel)

        self.scopeSpacer = QSpacerItem(
            0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum
        )

        self.scopeLayout.addItem(self.scopeSpacer)

        self.showAllButton = QPushButton(self.findingsPanel)
        self.showAllButton.setObjectName("showAllButton")

        self.scopeLayout.addWidget(self.showAllButton)

        self.findingsLayout.addLayout(self.scopeLayout)

        self.findingsView = QTableView(self.findingsPanel)
        self.findingsView.setObjectName("findingsView")
        self.findingsView.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.findingsView.setAlternatingRowColors(True)
        self.findingsView.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.findingsView.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.findingsView.setShowGrid(False)
        self.findingsView.setSortingEnabled(True)
        self.findingsView.setWordWrap(False)
        self.findingsView.horizontalHeader().setStretchLastSection(True)
        self.findingsView.verticalHeader().setVisible(False)

        self.findingsLayout.addWidget(self.findingsView)

        self.tablesSplitter.addWidget(self.findingsPanel)

        self.resultsLayout.addWidget(self.tablesSplitter)

        self.resultsSplitter.addWidget(self.resultsPanel)
        self.detailsPanel = QWidget(self.resultsSplitter)
        self.detailsPanel.setObjectName("detailsPanel")
        self.detailsLayout = QVBoxLayout(self.detailsPanel)
        self.detailsLayout.setObjectName("detailsLayout")
        self.detailsLayout.setContentsMargins(0, 0, 0, 0)
        self.detailsHeaderLayout = QHBoxLayout()
        self.detailsHeaderLayout.setObjectName("detailsHeaderLayout")
        self.detailsLabel = QLabel(self.detailsPanel)
        self.detailsLabel.setObjectName("detailsLabel")

        self.detailsHeaderLayout.addWidget(self.detailsLabel)

        self.detailsSpacer = QSpacerItem(
            0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum
        )

        self.detailsHeaderLayout.addItem(self.detailsSpacer)

        self.platformLabel = QLabel(self.detailsPanel)
        self.platformLabel.setObjectName("platformLabel")

        self.detailsHeaderLayout.addWidget(self.platformLabel)

        self.platformCombo = QComboBox(self.detailsPanel)
        self.platformCombo.setObjectName("platformCombo")

        self.detailsHeaderLayout.addWidget(self.platformCombo)

        self.detailsLayout.addLayout(self.detailsHeaderLayout)

        self.detailsView = QTextBrowser(self.detailsPanel)
        self.detailsView.setObjectName("detailsView")
        self.detailsView.setOpenLinks(False)

        self.detailsLayout.addWidget(self.detailsView)

        self.resultsSplitter.addWidget(self.detailsPanel)
        self.mainSplitter.addWidget(self.resultsSplitter)

        self.centralLayout.addWidget(self.mainSplitter)

        MainWindow.setCentralWidget(self.centralwidget)
        self.menubar = QMenuBar(MainWindow)
        self.menubar.setObjectName("menubar")
        self.menuFile = QMenu(self.menubar)
        self.menuFile.setObjectName("menuFile")
        self.menuExport = QMenu(self.menuFile)
        self.menuExport.setObjectName("menuExport")
        self.menuScan = QMenu(self.menubar)
        self.menuScan.setObjectName("menuScan")
        self.menuView = QMenu(self.menubar)
        self.menuView.setObjectName("menuView")
        self.menuHelp = QMenu(self.menubar)
        self.menuHelp.setObjectName("menuHelp")
        MainWindow.setMenuBar(self.menubar)
        self.statusbar = QStatusBar(MainWindow)
        self.statusbar.setObjectName("statusbar")
        MainWindow.setStatusBar(self.statusbar)
        # if QT_CONFIG(shortcut)
        self.targetsLabel.setBuddy(self.targetsEdit)
        self.detailsLabel.setBuddy(self.detailsView)
        self.platformLabel.setBuddy(self.platformCombo)
        # endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.targetsEdit, self.importButton)
        QWidget.setTabOrder(self.importButton, self.recentButton)
        QWidget.setTabOrder(self.recentButton, self.scanButton)
        QWidget.setTabOrder(self.scanButton, self.stopButton)
        QWidget.setTabOrder(self.stopButton, self.failFilter)
        QWidget.setTabOrder(self.failFilter, self.errorFilter)
        QWidget.setTabOrder(self.errorFilter, self.warningFilter)
        QWidget.setTabOrder(self.warningFilter, self.infoFilter)
        QWidget.setTabOrder(self.infoFilter, self.passFilter)
        QWidget.setTabOrder(self.passFilter, self.familyFilter)
        QWidget.setTabOrder(self.familyFilter, self.searchEdit)
        QWidget.setTabOrder(self.searchEdit, self.targetView)
        QWidget.setTabOrder(self.targetView, self.showAllButton)
        QWidget.setTabOrder(self.showAllButton, self.findingsView)
        QWidget.setTabOrder(self.findingsView, self.platformCombo)
        QWidget.setTabOrder(self.platformCombo, self.detailsView)

        self.menubar.addAction(self.menuFile.menuAction())
        self.menubar.addAction(self.menuScan.menuAction())
        self.menubar.addAction(self.menuView.menuAction())
        self.menubar.addAction(self.menuHelp.menuAction())
        self.menuFile.addAction(self.actionImport)
        self.menuFile.addSeparator()
        self.menuFile.addAction(self.actionOpenDatabase)
        self.menuFile.addAction(self.actionOpenSample)
        self.menuFile.addAction(self.actionOwnResults)
        self.menuFile.addSeparator()
        self.menuFile.addAction(self.menuExport.menuAction())
        self.menuFile.addSeparator()
        self.menuFile.addAction(self.actionQuit)
        self.menuExport.addAction(self.actionExportCsv)
        self.menuScan.addAction(self.actionScan)
        self.menuScan.addAction(self.actionStop)
        self.menuScan.addSeparator()
        self.menuScan.addAction(self.actionHistory)
        self.menuScan.addSeparator()
        self.menuScan.addAction(self.actionSettings)
        self.menuView.addAction(self.actionFocusTargets)
        self.menuView.addAction(self.actionFocusSearch)
        self.menuView.addAction(self.actionShowAll)
        self.menuHelp.addAction(self.actionAbout)

        self.retranslateUi(MainWindow)

        self.scanButton.setDefault(True)

    # setupUi

    def retranslateUi(self, MainWindow):
        MainWindow.setWindowTitle(QCoreApplication.translate("MainWindow", "netready", None))
        self.actionImport.setText(
            QCoreApplication.translate("MainWindow", "&Import targets\u2026", None)
        )
        self.actionOpenDatabase.setText(
            QCoreApplication.translate("MainWindow", "&Open results database\u2026", None)
        )
        # if QT_CONFIG(tooltip)
        self.actionOpenDatabase.setToolTip(
            QCoreApplication.translate(
                "MainWindow", "Show the history of another netready results database", None
            )
        )
        # endif // QT_CONFIG(tooltip)
        self.actionOpenSample.setText(
            QCoreApplication.translate("MainWindow", "Open the &workshop sample", None)
        )
        # if QT_CONFIG(tooltip)
        self.actionOpenSample.setToolTip(
            QCoreApplication.translate(
                "MainWindow", "Results of a test network, for workshops without a network", None
            )
        )
        # endif // QT_CONFIG(tooltip)
        self.actionOwnResults.setText(
            QCoreApplication.translate("MainWindow", "Back to &my results", None)
        )
        self.actionExportCsv.setText(QCoreApplication.translate("MainWindow", "&CSV\u2026", None))
        # if QT_CONFIG(shortcut)
        self.actionExportCsv.setShortcut(QCoreApplication.translate("MainWindow", "Ctrl+E", None))
        # endif // QT_CONFIG(shortcut)
        self.actionQuit.setText(QCoreApplication.translate("MainWindow", "&Quit", None))
        self.actionScan.setText(QCoreApplication.translate("MainWindow", "&Scan", None))
        self.actionStop.setText(QCoreApplication.translate("MainWindow", "S&top", None))
        # if QT_CONFIG(shortcut)
        self.actionStop.setShortcut(QCoreApplication.translate("MainWindow", "Esc", None))
        # endif // QT_CONFIG(shortcut)
        self.actionHistory.setText(
            QCoreApplication.translate("MainWindow", "&History and comparison\u2026", None)
        )
        # if QT_CONFIG(shortcut)
        self.actionHistory.setShortcut(QCoreApplication.translate("MainWindow", "Ctrl+H", None))
        # endif // QT_CONFIG(shortcut)
        self.actionSettings.setText(
            QCoreApplication.translate("MainWindow", "S&ettings\u2026", None)
        )
        self.actionFocusTargets.setText(
            QCoreApplication.translate("MainWindow", "Go to &targets", None)
        )
        # if QT_CONFIG(shortcut)
        self.actionFocusTargets.setShortcut(
            QCoreApplication.translate("MainWindow", "Ctrl+L", None)
        )
        # endif // QT_CONFIG(shortcut)
        self.actionFocusSearch.setText(
            QCoreApplication.translate("MainWindow", "&Search findings", None)
        )
        self.actionShowAll.setText(
            QCoreApplication.translate("MainWindow", "Show &all targets", None)
        )
        # if QT_CONFIG(shortcut)
        self.actionShowAll.setShortcut(
            QCoreApplication.translate("MainWindow", "Ctrl+Shift+A", None)
        )
        # endif // QT_CONFIG(shortcut)
        self.actionAbout.setText(QCoreApplication.translate("MainWindow", "&About netready", None))
        self.targetsLabel.setText(
            QCoreApplication.translate("MainWindow", "&Targets to scan", None)
        )
        # if QT_CONFIG(accessibility)
        self.targetsEdit.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Targets to scan", None)
        )
        # endif // QT_CONFIG(accessibility)
        # if QT_CONFIG(accessibility)
        self.targetsEdit.setAccessibleDescription(
            QCoreApplication.translate(
                "MainWindow",
                "Domains, URLs, IP addresses or networks, one per line or separated by spaces or commas",
                None,
            )
        )
        # endif // QT_CONFIG(accessibility)
        self.targetsEdit.setPlaceholderText(
            QCoreApplication.translate(
                "MainWindow",
                "example.org\nhttps://shop.example.org\n192.0.2.10\n2001:db8::1\n198.51.100.0/28",
                None,
            )
        )
        # if QT_CONFIG(accessibility)
        self.targetErrorLabel.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Problems with the targets", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.targetErrorLabel.setText("")
        # if QT_CONFIG(tooltip)
        self.importButton.setToolTip(
            QCoreApplication.translate("MainWindow", "Add the targets of a text or CSV file", None)
        )
        # endif // QT_CONFIG(tooltip)
        # if QT_CONFIG(accessibility)
        self.importButton.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Import targets from a file", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.importButton.setText(QCoreApplication.translate("MainWindow", "&Import\u2026", None))
        # if QT_CONFIG(tooltip)
        self.recentButton.setToolTip(
            QCoreApplication.translate("MainWindow", "Add a target you scanned before", None)
        )
        # endif // QT_CONFIG(tooltip)
        # if QT_CONFIG(accessibility)
        self.recentButton.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Recent targets", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.recentButton.setText(QCoreApplication.translate("MainWindow", "&Recent", None))
        self.familiesBox.setTitle(QCoreApplication.translate("MainWindow", "Checks", None))
        # if QT_CONFIG(accessibility)
        self.familiesBox.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Check families to run", None)
        )
        # endif // QT_CONFIG(accessibility)
        # if QT_CONFIG(tooltip)
        self.scanButton.setToolTip(
            QCoreApplication.translate("MainWindow", "Scan the targets (F5)", None)
        )
        # endif // QT_CONFIG(tooltip)
        # if QT_CONFIG(accessibility)
        self.scanButton.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Start the scan", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.scanButton.setText(QCoreApplication.translate("MainWindow", "&Scan", None))
        # if QT_CONFIG(tooltip)
        self.stopButton.setToolTip(
            QCoreApplication.translate(
                "MainWindow", "Stop the scan; what finished is kept (Esc)", None
            )
        )
        # endif // QT_CONFIG(tooltip)
        # if QT_CONFIG(accessibility)
        self.stopButton.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Stop the scan", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.stopButton.setText(QCoreApplication.translate("MainWindow", "St&op", None))
        # if QT_CONFIG(accessibility)
        self.progressBar.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Scan progress", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.progressBar.setFormat(
            QCoreApplication.translate("MainWindow", "%v of %m targets", None)
        )
        # if QT_CONFIG(accessibility)
        self.progressLabel.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Scan state", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.progressLabel.setText(QCoreApplication.translate("MainWindow", "Ready.", None))
        self.showLabel.setText(QCoreApplication.translate("MainWindow", "Show:", None))
        # if QT_CONFIG(tooltip)
        self.familyFilter.setToolTip(
            QCoreApplication.translate("MainWindow", "Show the findings of one check family", None)
        )
        # endif // QT_CONFIG(tooltip)
        # if QT_CONFIG(accessibility)
        self.familyFilter.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Family filter", None)
        )
        # endif // QT_CONFIG(accessibility)
        # if QT_CONFIG(accessibility)
        self.searchEdit.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Search the findings", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.searchEdit.setPlaceholderText(
            QCoreApplication.translate(
                "MainWindow", "Search targets, subjects, checks, summaries", None
            )
        )
        # if QT_CONFIG(accessibility)
        self.targetView.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Targets and their families", None)
        )
        # endif // QT_CONFIG(accessibility)
        # if QT_CONFIG(accessibility)
        self.targetView.setAccessibleDescription(
            QCoreApplication.translate(
                "MainWindow", "Select a target or a family to show only its findings", None
            )
        )
        # endif // QT_CONFIG(accessibility)
        # if QT_CONFIG(accessibility)
        self.scopeLabel.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Findings shown", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.scopeLabel.setText("")
        # if QT_CONFIG(tooltip)
        self.showAllButton.setToolTip(
            QCoreApplication.translate("MainWindow", "Show the findings of every target", None)
        )
        # endif // QT_CONFIG(tooltip)
        self.showAllButton.setText(
            QCoreApplication.translate("MainWindow", "Show &all targets", None)
        )
        # if QT_CONFIG(accessibility)
        self.findingsView.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Findings", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.detailsLabel.setText(
            QCoreApplication.translate("MainWindow", "&Details and advice", None)
        )
        self.platformLabel.setText(QCoreApplication.translate("MainWindow", "&Fixes for:", None))
        # if QT_CONFIG(accessibility)
        self.platformCombo.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Show fixes for this platform", None)
        )
        # endif // QT_CONFIG(accessibility)
        # if QT_CONFIG(accessibility)
        self.detailsView.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Details of the selected finding", None)
        )
        # endif // QT_CONFIG(accessibility)
        self.menuFile.setTitle(QCoreApplication.translate("MainWindow", "&File", None))
        self.menuExport.setTitle(QCoreApplication.translate("MainWindow", "&Export", None))
        self.menuScan.setTitle(QCoreApplication.translate("MainWindow", "&Scan", None))
        self.menuView.setTitle(QCoreApplication.translate("MainWindow", "&View", None))
        self.menuHelp.setTitle(QCoreApplication.translate("MainWindow", "&Help", None))

    # retranslateUi
