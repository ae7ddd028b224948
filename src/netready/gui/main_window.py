"""The main window: targets and families on the left, results and details on the right.

The window never waits: a scan runs in a process of its own, relayed by a `ScanWorker`
thread, and its findings arrive in batches about ten times a second; a saved scan is read
by a `ScanLoader` thread. Everything a button does is a public method too (`start_scan`,
`stop_scan`, `open_scan`, `export`, ...), so tests and benchmarks drive the window the way a
user does, without clicking through dialogs.
"""

from __future__ import annotations

import functools
import gc
import shutil
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QItemSelection, QModelIndex, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QHeaderView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QToolButton,
    QWidget,
)

from netready import __version__
from netready.config import ConfigError, ScanConfig
from netready.findings import Finding, Status
from netready.gui.config_file import read_scan_settings
from netready.gui.details import advice_platforms, finding_details
from netready.gui.export import (
    ExportWorker,
    file_filter,
    format_label,
    report_format,
    report_formats,
    scan_info,
)
from netready.gui.forms.ui_main_window import Ui_MainWindow
from netready.gui.history_dialog import HistoryDialog
from netready.gui.models import (
    FINDING_ROLE,
    FindingColumn,
    FindingFilter,
    FindingsModel,
    TargetColumn,
    TargetState,
    TargetTreeModel,
)
from netready.gui.preferences import Preferences
from netready.gui.presentation import (
    STATUSES_WORST_FIRST,
    FamilyCatalogue,
    counts_text,
    family_catalogue,
    family_label,
    icon,
    status_icon,
    status_label,
)
from netready.gui.scan_input import ScanInput, Sweep, read_scan_input
from netready.gui.settings_dialog import LAN_INTERFACE_FIELD, SettingsDialog
from netready.gui.worker import EngineFactory, ScanBatch, ScanLoader, ScanRequest, ScanWorker
from netready.resources import resources_dir
from netready.store import ScanRecord, Store, StoreError, TargetRecord
from netready.targets import (
    InvalidTargetError,
    Target,
    TargetError,
    TargetListError,
    interface_target,
    parse_target,
    read_targets_file,
)

if TYPE_CHECKING:
    from netready.report import ExportFormat

__all__ = ["MainWindow"]

#: Findings per slice when a saved scan is opened: the loader thread reads one while the
#: window adds the last to its models (a few tens of milliseconds each).
LOAD_SLICE = 5000
#: While a saved scan loads, the findings read so far are shown this often (seconds).
LOAD_SHOW_EVERY = 0.25
#: Typing in the search box filters after this pause (milliseconds), not on every key.
SEARCH_DELAY_MS = 150
#: How long closing the window waits for a stopped scan to save its last findings.
CLOSE_WAIT_MS = 10_000
#: The trainers' sample database, shipped read-only in resources/ (resources/sample/README.md).
SAMPLE_DATABASE = ("sample", "workshop.db")
#: Its working copy, beside the user's own database: a workshop may scan into it.
SAMPLE_COPY_NAME = "workshop-sample.db"


class MainWindow(QMainWindow):
    """The app's window. `database` and `config_path` say where history and settings live."""

    scan_finished = Signal(int, bool)  # scan id, cancelled: the database holds the result
    scan_loaded = Signal(int)  # a saved scan is fully shown
    families_ready = Signal()  # the family check boxes exist

    def __init__(
        self,
        *,
        database: Path,
        config_path: Path,
        preferences: Preferences | None = None,
        engine_factory: EngineFactory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_MainWindow()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]  # generated
        self.database = database
        self.own_database = database  # where "Back to my results" returns
        self.config_path = config_path
        self.preferences = preferences or Preferences()
        self._engine_factory = engine_factory
        self.findings = FindingsModel(self)
        self.targets = TargetTreeModel(self)
        self.worker: ScanWorker | None = None
        self._exporter: ExportWorker | None = None
        self._store: Store | None = None  # for reading the history, in this thread
        self._scan: ScanRecord | None = None  # the saved scan shown, when one is
        self._scan_id: int | None = None
        self._targets_done = 0
        self._loader: ScanLoader | None = None
        self._loaded_pending: list[Finding] = []
        self._loaded_shown_at = 0.0
        self._loaded_targets: Sequence[TargetRecord] = ()
        self._details_links: frozenset[str] = frozenset()
        self.family_boxes: dict[str, QCheckBox] = {}
        self.status_filters: dict[Status, QToolButton] = {}
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._set_up_views()
        self._set_up_filters()
        self._set_up_actions()
        self._set_up_details()
        self._restore_layout()
        self._update_scope_label()
        self.setWindowIcon(icon("netready"))
        self.ui.targetErrorLabel.hide()
        self.ui.targetErrorLabel.setStyleSheet("font-weight: bold;")
        self._progress_format = self.ui.progressBar.format()  # "%v of %m targets"
        self.ui.progressBar.setRange(0, 1)
        self.ui.progressBar.setValue(0)
        self.ui.progressBar.setFormat("")  # no scan yet: no count to show

    # --- set-up ---------------------------------------------------------------------------

    def _set_up_views(self) -> None:
        findings_view = self.ui.findingsView
        findings_view.setModel(self.findings)
        # worst first: what needs fixing leads (a user's own order is restored with the layout)
        findings_view.sortByColumn(FindingColumn.STATUS, Qt.SortOrder.DescendingOrder)
        rows = findings_view.verticalHeader()
        # fixed row heights: the view never measures rows, so 100,000 of them cost nothing
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(findings_view.fontMetrics().height() + 8)
        columns = findings_view.horizontalHeader()
        columns.setSectionsMovable(True)
        for column, width in (
            (FindingColumn.STATUS, 88),
            (FindingColumn.TARGET, 150),
            (FindingColumn.CHECK, 160),
            (FindingColumn.SUMMARY, 420),
            (FindingColumn.SUBJECT, 240),
        ):
            columns.resizeSection(column, width)
        findings_view.selectionModel().currentRowChanged.connect(self._current_finding_changed)
        tree = self.ui.targetView
        tree.setModel(self.targets)
        self.targets.children_shown = tree.isExpanded
        tree.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        tree.header().setSectionResizeMode(TargetColumn.NAME, QHeaderView.ResizeMode.Interactive)
        tree.header().resizeSection(TargetColumn.NAME, 185)
        tree.header().resizeSection(TargetColumn.STATUS, 76)
        tree.selectionModel().selectionChanged.connect(self._scope_changed)
        self.ui.mainSplitter.setSizes([250, 1030])
        self.ui.mainSplitter.setStretchFactor(1, 1)
        self.ui.resultsSplitter.setSizes([500, 280])
        self.ui.tablesSplitter.setSizes([370, 660])
        self.ui.tablesSplitter.setStretchFactor(1, 1)

    def _set_up_filters(self) -> None:
        buttons = {
            Status.FAIL: self.ui.failFilter,
            Status.ERROR: self.ui.errorFilter,
            Status.WARNING: self.ui.warningFilter,
            Status.INFO: self.ui.infoFilter,
            Status.PASS: self.ui.passFilter,
        }
        for number, status in enumerate(STATUSES_WORST_FIRST, start=1):
            button = buttons[status]
            button.setText(status_label(status))
            button.setIcon(status_icon(status))
            button.setShortcut(QKeySequence(f"Ctrl+{number}"))
            button.setToolTip(
                self.tr("Show {status} findings (Ctrl+{number})").format(
                    status=status_label(status).lower(), number=number
                )
            )
            button.setAccessibleName(
                self.tr("Show {status} findings").format(status=status_label(status).lower())
            )
            button.toggled.connect(self._apply_filter)
            self.status_filters[status] = button
        self.ui.familyFilter.addItem(self.tr("All families"), None)
        self.ui.familyFilter.currentIndexChanged.connect(self._apply_filter)
        self.ui.searchEdit.textChanged.connect(lambda _text: self._search_timer.start())
        self._search_timer.timeout.connect(self._apply_filter)
        self.ui.showAllButton.clicked.connect(self.show_all_targets)

    def _set_up_actions(self) -> None:
        ui = self.ui
        _shortcuts(ui.actionImport, QKeySequence.StandardKey.Open)
        _shortcuts(ui.actionQuit, QKeySequence.StandardKey.Quit, "Ctrl+Q")
        _shortcuts(ui.actionSettings, QKeySequence.StandardKey.Preferences, "Ctrl+,")
        _shortcuts(ui.actionFocusSearch, QKeySequence.StandardKey.Find)
        ui.actionScan.setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+Return")])
        ui.actionImport.triggered.connect(self._choose_targets_file)
        ui.actionOpenDatabase.triggered.connect(self._choose_database)
        ui.actionOpenSample.triggered.connect(self.open_workshop_sample)
        ui.actionOwnResults.triggered.connect(lambda: self.open_database(self.own_database))
        ui.importButton.clicked.connect(self._choose_targets_file)
        ui.actionQuit.triggered.connect(self.close)
        ui.actionScan.triggered.connect(self.start_scan)
        ui.scanButton.clicked.connect(self.start_scan)
        ui.actionStop.triggered.connect(self.stop_scan)
        ui.stopButton.clicked.connect(self.stop_scan)
        ui.actionHistory.triggered.connect(self._show_history)
        ui.actionSettings.triggered.connect(self._show_settings)
        ui.actionFocusTargets.triggered.connect(lambda: ui.targetsEdit.setFocus())
        ui.actionFocusSearch.triggered.connect(self._focus_search)
        ui.actionShowAll.triggered.connect(self.show_all_targets)
        ui.actionAbout.triggered.connect(self._show_about)
        ui.menuExport.aboutToShow.connect(self._fill_export_menu)
        ui.actionExportCsv.triggered.connect(lambda: self._choose_export_file(report_format("csv")))
        recent_menu = QMenu(ui.recentButton)
        recent_menu.aboutToShow.connect(self._fill_recent_menu)
        ui.recentButton.setMenu(recent_menu)
        self._update_export_actions()

    def _set_up_details(self) -> None:
        platforms = advice_platforms()
        combo = self.ui.platformCombo
        combo.addItem(self.tr("Every platform"), "")
        for key, label in platforms.items():
            combo.addItem(label, key)
        chosen = combo.findData(self.preferences.details_platform())
        combo.setCurrentIndex(max(chosen, 0))
        combo.currentIndexChanged.connect(self._platform_changed)
        self.ui.platformLabel.setVisible(bool(platforms))
        combo.setVisible(bool(platforms))
        self.ui.detailsView.anchorClicked.connect(self._open_link)
        self.ui.detailsView.setPlaceholderText(
            self.tr("Select a finding to see its evidence and how to fix it.")
        )

    def populate_families(self, catalogue: FamilyCatalogue | None = None) -> None:
        """Create a check box per family of the registry (once it is imported)."""
        if self.family_boxes:
            return
        catalogue = catalogue or family_catalogue()
        remembered = self.preferences.families()
        previous: QWidget = self.ui.recentButton
        for name in catalogue.names:
            box = QCheckBox(family_label(name), self.ui.familiesBox)
            box.setObjectName(f"family_{name}")
            on_request = name in catalogue.on_request
            if on_request:
                box.setToolTip(self.tr("Runs only when chosen: {name}").format(name=name))
            box.setAccessibleName(
                self.tr("Run the {family} checks").format(family=family_label(name))
            )
            box.setChecked(name in remembered if remembered is not None else not on_request)
            self.ui.familiesLayout.addWidget(box)
            QWidget.setTabOrder(previous, box)
            previous = box
            self.family_boxes[name] = box
            self.ui.familyFilter.addItem(family_label(name), name)
        QWidget.setTabOrder(previous, self.ui.scanButton)
        self.families_ready.emit()

    # --- targets --------------------------------------------------------------------------

    def targets_text(self) -> str:
        return self.ui.targetsEdit.toPlainText()

    def set_targets_text(self, text: str) -> None:
        self.ui.targetsEdit.setPlainText(text)

    def add_targets(self, values: Sequence[str]) -> None:
        """Append entries to the targets box, one per line."""
        current = self.targets_text().rstrip("\n")
        lines = ([current] if current else []) + list(values)
        self.set_targets_text("\n".join(lines) + "\n")

    def import_targets_file(self, path: Path) -> bool:
        """Add a file's targets to the box (checked when the scan starts); False on error."""
        try:
            entries = read_targets_file(path)
        except InvalidTargetError as error:
            self._show_target_problems([str(error)])
            return False
        self.add_targets([entry for _line, entry in entries])
        self._show_target_problems([])
        return True

    def _choose_targets_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Import targets"),
            str(Path.home()),
            self.tr("Targets (*.txt *.csv *.list);;All files (*)"),
        )
        if path:
            self.import_targets_file(Path(path))

    def _fill_recent_menu(self) -> None:
        menu = self.ui.recentButton.menu()
        menu.clear()
        recent = self.preferences.recent_targets()
        for value in recent:
            menu.addAction(value, functools.partial(self.add_targets, [value]))
        if not recent:
            menu.addAction(self.tr("No recent targets")).setEnabled(False)
            return
        menu.addSeparator()
        menu.addAction(self.tr("Add all"), lambda: self.add_targets(recent))
        menu.addAction(self.tr("Clear recent targets"), self.preferences.clear_recent_targets)

    def _show_target_problems(self, problems: Sequence[str]) -> None:
        label = self.ui.targetErrorLabel
        label.setText("\n".join(problems))
        label.setVisible(bool(problems))
        if problems:
            self.ui.targetsEdit.setFocus()

    # --- scanning -------------------------------------------------------------------------

    @property
    def scanning(self) -> bool:
        return self.worker is not None

    def chosen_families(self) -> list[str]:
        return [name for name, box in self.family_boxes.items() if box.isChecked()]

    def start_scan(self) -> bool:
        """Check the input and start scanning; False (with the reason shown) if it cannot."""
        if self.scanning:
            return False
        self.populate_families()
        plan = self._plan_scan()
        if plan is None:
            return False
        scan_input, config = plan
        self._begin(scan_input.targets, config)
        return True

    def _plan_scan(self) -> tuple[ScanInput, ScanConfig] | None:
        families = self.chosen_families()
        if not families:
            self._show_target_problems([self.tr("Choose at least one family of checks.")])
            return None
        try:
            config = self._scan_config(families)
            scan_input = self._scan_input(config)
        except (ConfigError, TargetError) as error:
            problems = (
                [str(problem) for problem in error.errors]
                if isinstance(error, TargetListError)
                else [str(error)]
            )
            self._show_target_problems(problems)
            return None
        if not scan_input.targets:
            self._show_target_problems(
                [self.tr("Enter the domains, addresses or networks to scan.")]
            )
            return None
        if scan_input.sweeps and not self.confirm_sweeps(scan_input.sweeps):
            return None
        config = replace(
            config, max_network_addresses=scan_input.limit_needed(config.max_network_addresses)
        )
        self._show_target_problems([])
        return scan_input, config

    def _scan_config(self, families: Sequence[str]) -> ScanConfig:
        table = read_scan_settings(self.config_path)
        config = ScanConfig().with_overrides(table).with_overrides({"families": families})
        if config.trust_anchor is not None and "dnssec" in families:
            from netready.checks.dnssec import trust_anchor_problem

            problem = trust_anchor_problem(config.trust_anchor)
            if problem is not None:
                raise ConfigError(problem)
        return config

    def _scan_input(self, config: ScanConfig) -> ScanInput:
        scan_input = read_scan_input(self.targets_text(), limit=config.max_network_addresses)
        families = config.families or ()
        if "lan" in families:
            # as `netready scan --lan`: the local network is a target of its own
            lan = self._lan_target(config)
            return ScanInput((lan, *(t for t in scan_input.targets if t != lan)), scan_input.sweeps)
        if not scan_input.targets and families == ("resolver",):
            # as `netready scan --checks resolver`: this machine's own resolvers
            return ScanInput(tuple(_own_resolvers()), ())
        return scan_input

    def _lan_target(self, config: ScanConfig) -> Target:
        """The `lan:IFACE` target: the interface of the settings, else the default route's."""
        from netready.net import lan as lan_inspection

        try:
            snapshot = lan_inspection.inspector().snapshot()
        except lan_inspection.LanInspectionError as error:
            raise ConfigError(
                self.tr("The local network cannot be inspected: {error}").format(error=error)
            ) from None
        name = getattr(config, LAN_INTERFACE_FIELD, None) or snapshot.default_interface
        if not name:
            raise ConfigError(
                self.tr(
                    "This computer has no default IPv4 route to pick the LAN interface by; "
                    "choose the interface in Settings."
                )
            )
        if snapshot.interface(name) is None:
            names = ", ".join(interface.name for interface in snapshot.interfaces)
            raise ConfigError(
                self.tr("This computer has no interface named {name} ({names}).").format(
                    name=name, names=names
                )
            )
        return interface_target(name)

    def confirm_sweeps(self, sweeps: Sequence[Sweep]) -> bool:
        """Ask before sweeping networks above the limit, naming the number of addresses."""
        total = sum(sweep.addresses for sweep in sweeps)
        networks = ", ".join(f"{sweep.network} ({sweep.addresses:,})" for sweep in sweeps)
        answer = QMessageBox.question(
            self,
            self.tr("Sweep {count:,} addresses?").format(count=total),
            self.tr(
                "This scan sweeps {count:,} addresses: {networks}. That is more than the "
                "largest network you scan without asking. Sweep them?"
            ).format(count=total, networks=networks),
        )
        return answer == QMessageBox.StandardButton.Yes

    def _begin(self, targets: Sequence[Target], config: ScanConfig) -> None:
        self._close_loaded_scan()
        self.findings.clear()
        _collect_what_was_kept()
        self.targets.set_targets([target.value for target in targets])
        self.preferences.remember_targets(target.value for target in targets)
        self.preferences.set_families(config.families or ())
        self._targets_done = 0
        self.ui.progressBar.setFormat(self._progress_format)
        self.ui.progressBar.setRange(0, len(targets))
        self.ui.progressBar.setValue(0)
        self._set_progress_text(self.tr("Starting…"))
        worker = ScanWorker(
            ScanRequest(tuple(targets), config, self.database),
            engine_factory=self._engine_factory,
            parent=self,
        )
        worker.scan_started.connect(self._scan_started)
        worker.events_batched.connect(self._events_arrived)
        worker.scan_finished.connect(self._scan_ended)
        worker.scan_failed.connect(self._scan_failed)
        worker.finished.connect(self._worker_done)
        self.worker = worker
        self._set_scanning(True)
        worker.start()

    def stop_scan(self) -> None:
        """Stop the scan at once; what finished stays saved."""
        if self.worker is None:
            return
        self.worker.cancel()
        self.ui.stopButton.setEnabled(False)
        self.ui.actionStop.setEnabled(False)
        self._set_progress_text(self.tr("Stopping…"))

    def _set_scanning(self, scanning: bool) -> None:
        for widget in (self.ui.scanButton, self.ui.actionScan, self.ui.targetsEdit):
            widget.setEnabled(not scanning)
        self.ui.stopButton.setEnabled(scanning)
        self.ui.actionStop.setEnabled(scanning)
        self.ui.familiesBox.setEnabled(not scanning)
        for action in (self.ui.actionHistory, self.ui.actionOpenDatabase, self.ui.actionOpenSample):
            action.setEnabled(not scanning)
        self.ui.actionOwnResults.setEnabled(not scanning and self.database != self.own_database)
        self._update_export_actions()

    def _scan_started(self, scan_id: int, _targets: Sequence[str]) -> None:
        self._scan_id = scan_id
        self.setWindowTitle(self.tr("netready — scan {id} (running)").format(id=scan_id))
        self._set_progress_text(self.tr("Scan {id} running…").format(id=scan_id))

    def _events_arrived(self, batch: ScanBatch) -> None:
        self.findings.add_findings(batch.findings)
        self.targets.add_findings(batch.findings)
        _out_of_the_collectors_way()
        states = {value: TargetState.RUNNING for value in batch.started}
        states.update({value: TargetState.DONE for value in batch.finished})
        self.targets.set_states(states)
        if batch.finished:
            self._targets_done += len(batch.finished)
            self.ui.progressBar.setValue(self._targets_done)
        self._show_running_progress()
        self._update_scope_label()

    def _show_running_progress(self) -> None:
        text = self.tr("{done} of {total} targets · {counts}").format(
            done=self._targets_done,
            total=self.ui.progressBar.maximum(),
            counts=counts_text(self.targets.counts()),
        )
        self._set_progress_text(text)

    def _scan_ended(self, scan_id: int, cancelled: bool) -> None:
        unfinished = self.targets.targets_not_done()
        self.targets.set_states(dict.fromkeys(unfinished, TargetState.UNFINISHED))
        done, total = self._targets_done, self.ui.progressBar.maximum()
        counts = counts_text(self.targets.counts())
        if cancelled:
            text = self.tr(
                "Scan {id} stopped: {done} of {total} targets finished ({counts}). They are "
                "saved; `netready scan --resume {id}` finishes the rest."
            )
        else:
            text = self.tr("Scan {id} complete: {total} targets, {counts}.")
        self._set_progress_text(text.format(id=scan_id, done=done, total=total, counts=counts))
        self.setWindowTitle(self.tr("netready — scan {id}").format(id=scan_id))
        try:
            self._scan = self._history_store().scan(scan_id)
        except StoreError:  # the worker saved it; a report then just lacks the scan's dates
            self._scan = None
        self.scan_finished.emit(scan_id, cancelled)

    def _scan_failed(self, message: str) -> None:
        self._set_progress_text(
            self.tr("The scan could not run: {message}").format(message=message)
        )
        self.statusBar().showMessage(message)

    def _worker_done(self) -> None:
        if self.worker is not None:
            self.worker.deleteLater()
        self.worker = None
        self._set_scanning(False)

    def _set_progress_text(self, text: str) -> None:
        self.ui.progressLabel.setText(text)
        self.statusBar().showMessage(text)

    # --- saved scans ----------------------------------------------------------------------

    def _history_store(self) -> Store:
        if self._store is None:
            self._store = Store(self.database)
        return self._store

    def open_scan(self, scan_id: int) -> None:
        """Show a saved scan; a `ScanLoader` reads its findings (see `scan_loaded`)."""
        if self.scanning:
            return
        self._close_loaded_scan()
        self.populate_families()
        store = self._history_store()
        self._scan = store.scan(scan_id)
        self._scan_id = scan_id
        self.findings.clear()
        _collect_what_was_kept()
        # reading starts first: the loader thread works while the window sets up the rest
        loader = ScanLoader(self.database, scan_id, slice_size=LOAD_SLICE, parent=self)
        # the slots check the loader: a slice of a scan no longer shown is dropped
        loader.findings_loaded.connect(lambda batch: self._findings_loaded(loader, batch))
        loader.loading_finished.connect(lambda _scan_id: self._loaded(loader))
        loader.loading_failed.connect(self._scan_failed)
        loader.finished.connect(loader.deleteLater)
        self._loader = loader
        loader.start()
        records = store.targets(scan_id)
        self._loaded_targets = records
        self.targets.set_targets(
            [record.value for record in records],
            TargetState.DONE,
            states=_unfinished_states(records),
        )
        self.ui.progressBar.setFormat(self._progress_format)
        self.ui.progressBar.setRange(0, max(self._scan.targets_total, 1))
        self.ui.progressBar.setValue(self._scan.targets_done)
        started = self._scan.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        self.setWindowTitle(
            self.tr("netready — scan {id} of {started}").format(id=scan_id, started=started)
        )
        self._set_progress_text(self.tr("Reading scan {id}…").format(id=scan_id))

    def _findings_loaded(self, loader: ScanLoader, batch: Sequence[Finding]) -> None:
        """Show the first slice at once, then the rest every LOAD_SHOW_EVERY seconds: each
        insertion costs the views a relayout and a repaint, so fewer are faster."""
        if loader is not self._loader:
            return
        self._loaded_pending.extend(batch)
        now = time.monotonic()
        if not self.findings.finding_count or now - self._loaded_shown_at >= LOAD_SHOW_EVERY:
            self._show_loaded_pending(now)

    def _show_loaded_pending(self, now: float) -> None:
        pending, self._loaded_pending = self._loaded_pending, []
        self.findings.add_findings(pending)
        _out_of_the_collectors_way()
        self._loaded_shown_at = now

    def _loaded(self, loader: ScanLoader) -> None:
        scan = self._scan
        if loader is not self._loader or scan is None:
            return
        self._loader = None
        self._show_loaded_pending(time.monotonic())
        # the tree is counted once, at the end: one reset instead of a signal per target
        records = self._loaded_targets
        self.targets.set_targets(
            [record.value for record in records],
            TargetState.DONE,
            states=_unfinished_states(records),
            findings=self.findings.all_findings(),
            families=self.findings.all_families(),
        )
        state = self.tr("interrupted") if scan.interrupted else scan.state.value
        self._set_progress_text(
            self.tr("Scan {id} ({state}): {done} of {total} targets, {counts}.").format(
                id=scan.id,
                state=state,
                done=scan.targets_done,
                total=scan.targets_total,
                counts=counts_text(self.targets.counts()),
            )
        )
        self._update_scope_label()
        self._update_export_actions()
        self.scan_loaded.emit(scan.id)

    def _close_loaded_scan(self) -> None:
        if self._loader is not None:
            self._loader.requestInterruption()
            self._loader = None
        self._loaded_pending = []
        self._scan = None
        self._scan_id = None

    def _show_history(self) -> None:
        try:
            dialog = self.history_dialog()
        except StoreError as error:
            QMessageBox.warning(
                self,
                self.tr("History"),
                self.tr("The results database cannot be used: {error}").format(error=error),
            )
            return
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.scan_opened.connect(self.open_scan)
        dialog.open()

    def history_dialog(self) -> HistoryDialog:
        return HistoryDialog(self._history_store(), self)

    # --- other databases: a colleague's results, the workshop sample ---------------------

    def open_database(self, path: Path) -> bool:
        """Show the history of the results database `path`; new scans are saved there too.

        Refused while a scan runs. A file that is not a netready database is refused with
        the reason, and the database shown before stays.
        """
        if self.scanning:
            self._set_progress_text(self.tr("Stop the scan before opening another database."))
            return False
        try:
            store = Store(path)
        except StoreError as error:
            QMessageBox.warning(self, self.tr("Open results database"), str(error))
            return False
        self._close_loaded_scan()
        if self._store is not None:
            self._store.close()
        self._store = store
        self.database = path
        self.findings.clear()
        self.targets.set_targets([], TargetState.DONE)
        self.ui.actionOwnResults.setEnabled(path != self.own_database)
        self.setWindowTitle(
            self.tr("netready — {name}").format(name=path.name)
            if path != self.own_database
            else "netready"
        )
        self._set_progress_text(self.tr("Results database: {path}").format(path=path))
        self._update_scope_label()
        self._update_export_actions()
        return True

    def open_workshop_sample(self) -> bool:
        """Open a fresh copy of the shipped sample and show its largest scan.

        A copy, because the shipped file may be read-only and must stay as it was; fresh
        each time, so every workshop starts from the same results.
        """
        shipped = resources_dir().joinpath(*SAMPLE_DATABASE)
        copy = self.own_database.parent / SAMPLE_COPY_NAME
        try:
            shutil.copyfile(shipped, copy)
        except OSError as error:
            QMessageBox.warning(
                self,
                self.tr("Workshop sample"),
                self.tr("The workshop sample cannot be copied to {path}: {error}").format(
                    path=copy, error=error.strerror or error
                ),
            )
            return False
        if not self.open_database(copy):
            return False
        scans = self._history_store().scans()
        if scans:
            largest = max(scans, key=lambda scan: (scan.targets_total, -scan.id))
            self.open_scan(largest.id)
        return True

    def _choose_database(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Open results database"),
            str(self.database.parent),
            self.tr("netready results (*.db *.sqlite);;All files (*)"),
        )
        if path:
            self.open_database(Path(path))

    # --- filters and details --------------------------------------------------------------

    def current_filter(self) -> FindingFilter:
        statuses = frozenset(
            status for status, button in self.status_filters.items() if button.isChecked()
        )
        family = self.ui.familyFilter.currentData()
        scope = self.targets.scope(self.ui.targetView.currentIndex()) if self._has_scope() else None
        return FindingFilter(
            statuses=statuses,
            families=None if family is None else frozenset({family}),
            target=scope[0] if scope else None,
            family=scope[1] if scope else None,
            text=self.ui.searchEdit.text().strip(),
        )

    def _has_scope(self) -> bool:
        return self.ui.targetView.selectionModel().hasSelection()

    def _apply_filter(self) -> None:
        current = self.ui.findingsView.currentIndex()
        shown = current.data(FINDING_ROLE) if current.isValid() else None
        finding_filter = self.current_filter()
        self.findings.set_filter(finding_filter)
        # one target chosen: its name in every row would say nothing
        one_target = finding_filter.target is not None
        self.ui.findingsView.setColumnHidden(FindingColumn.TARGET, one_target)
        if shown is not None:
            row = self.findings.row_of(shown)
            if row is not None:
                self.ui.findingsView.setCurrentIndex(self.findings.index(row, 0))
        self._update_scope_label()

    def _scope_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._apply_filter()

    def show_all_targets(self) -> None:
        self.ui.targetView.clearSelection()
        self.ui.targetView.setCurrentIndex(QModelIndex())
        self._apply_filter()

    def _update_scope_label(self) -> None:
        finding_filter = self.findings.filter
        if finding_filter.target is None:
            scope = self.tr("All targets")
        elif finding_filter.family is None:
            scope = finding_filter.target
        else:
            scope = f"{finding_filter.target} › {family_label(finding_filter.family)}"
        shown, total = self.findings.rowCount(), self.findings.finding_count
        self.ui.scopeLabel.setText(
            self.tr("{scope}: {shown:,} of {total:,} findings shown").format(
                scope=scope, shown=shown, total=total
            )
        )
        self.ui.showAllButton.setEnabled(finding_filter.target is not None)

    def _focus_search(self) -> None:
        self.ui.searchEdit.setFocus()
        self.ui.searchEdit.selectAll()

    def _current_finding_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        finding = current.data(FINDING_ROLE) if current.isValid() else None
        self.show_details(finding)

    def show_details(self, finding: Finding | None) -> None:
        view = self.ui.detailsView
        if finding is None:
            view.clear()
            self._details_links = frozenset()
            return
        details = finding_details(finding, platform=self.ui.platformCombo.currentData() or None)
        self._details_links = details.links
        view.setMarkdown(details.markdown)

    def _platform_changed(self) -> None:
        self.preferences.set_details_platform(self.ui.platformCombo.currentData() or "")
        current = self.ui.findingsView.currentIndex()
        self.show_details(current.data(FINDING_ROLE) if current.isValid() else None)

    def _open_link(self, url: QUrl) -> None:
        # only the advice's own references: a link inside scanned data is never followed
        if url.toString() in self._details_links:
            QDesktopServices.openUrl(url)

    # --- export ---------------------------------------------------------------------------

    def _update_export_actions(self) -> None:
        can_export = not self.scanning and self.findings.finding_count > 0
        self.ui.menuExport.setEnabled(can_export)
        self.ui.actionExportCsv.setEnabled(can_export)

    def _fill_export_menu(self) -> None:
        menu = self.ui.menuExport
        menu.clear()
        for chosen in report_formats():
            action = menu.addAction(format_label(chosen))
            action.triggered.connect(functools.partial(self._choose_export_file, chosen))
            if chosen.value == "csv":
                action.setShortcut(self.ui.actionExportCsv.shortcut())

    def _choose_export_file(self, chosen: ExportFormat) -> None:
        if not self.findings.finding_count:
            return
        name = f"netready-scan-{self._scan_id or 'results'}{chosen.suffix}"
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export"), str(Path.home() / name), file_filter(chosen)
        )
        if path:
            self.export(chosen, Path(path))

    def export(self, chosen: ExportFormat, path: Path) -> ExportWorker:
        """Write every finding of the scan shown to `path` (filters do not narrow it)."""
        targets = [self.targets.index(row, 0).data() for row in range(self.targets.rowCount())]
        exporter = ExportWorker(
            chosen,
            path,
            self.findings.all_findings(),
            scan_info(self._scan, targets),
            self,
        )
        exporter.export_finished.connect(
            lambda written: self.statusBar().showMessage(
                self.tr("Exported to {path}").format(path=written)
            )
        )
        exporter.export_failed.connect(
            lambda message: self.statusBar().showMessage(
                self.tr("Export failed: {message}").format(message=message)
            )
        )
        # the export starts once the event loop runs again, so a caller that connects to
        # the returned worker's signals cannot miss them, however quick the export
        if exporter.needs_gui_thread:
            QTimer.singleShot(0, exporter, lambda: self._export_here(exporter))
        else:
            self._exporter = exporter
            exporter.finished.connect(self._export_done)
            QTimer.singleShot(0, exporter, exporter.start)
        return exporter

    def _export_here(self, exporter: ExportWorker) -> None:
        """The PDF: Qt's text layout and printing belong to the GUI thread."""
        self.statusBar().showMessage(self.tr("Writing the PDF…"))
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            exporter.run()
        finally:
            QApplication.restoreOverrideCursor()
        exporter.deleteLater()

    def _export_done(self) -> None:
        if self._exporter is not None:
            self._exporter.deleteLater()
            self._exporter = None

    # --- dialogs and the window -----------------------------------------------------------

    def _show_settings(self) -> None:
        dialog = self.settings_dialog()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def settings_dialog(self) -> SettingsDialog:
        return SettingsDialog(self.config_path, self.preferences, self)

    def _show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About netready"),
            self.tr(
                "netready {version}\n\nHow ready are your domains and networks for an "
                "encrypted, IPv6-capable Internet — and how to fix what is not."
            ).format(version=__version__),
        )

    def _restore_layout(self) -> None:
        for name, restore in (
            ("geometry", self.restoreGeometry),
            ("state", self.restoreState),
            ("main_splitter", self.ui.mainSplitter.restoreState),
            ("results_splitter", self.ui.resultsSplitter.restoreState),
            ("tables_splitter", self.ui.tablesSplitter.restoreState),
            ("findings_columns", self.ui.findingsView.horizontalHeader().restoreState),
        ):
            saved = self.preferences.window_state(name)
            if saved is not None:
                restore(saved)
        self.ui.findingsView.setColumnHidden(FindingColumn.TARGET, False)  # no target chosen

    def _save_layout(self) -> None:
        states: dict[str, QByteArray] = {
            "geometry": self.saveGeometry(),
            "state": self.saveState(),
            "main_splitter": self.ui.mainSplitter.saveState(),
            "results_splitter": self.ui.resultsSplitter.saveState(),
            "tables_splitter": self.ui.tablesSplitter.saveState(),
            "findings_columns": self.ui.findingsView.horizontalHeader().saveState(),
        }
        for name, state in states.items():
            self.preferences.set_window_state(name, state)
        self.preferences.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Stop a running scan and let it save before the window goes."""
        if self.worker is not None:
            self.worker.cancel()
            self.worker.wait(CLOSE_WAIT_MS)
        if self._exporter is not None:  # let an export finish its file
            self._exporter.wait(CLOSE_WAIT_MS)
        self._close_loaded_scan()
        for loader in self.findChildren(ScanLoader):  # a thread must end before its object
            loader.requestInterruption()
            loader.wait(CLOSE_WAIT_MS)
        self._save_layout()
        if self._store is not None:
            self._store.close()
            self._store = None
        super().closeEvent(event)


# --- helpers ----------------------------------------------------------------------------------


def _shortcuts(action: QAction, key: QKeySequence.StandardKey, fallback: str = "") -> None:
    sequences = QKeySequence.keyBindings(key)
    if not sequences and fallback:
        sequences = [QKeySequence(fallback)]
    action.setShortcuts(sequences)


def _out_of_the_collectors_way() -> None:
    """Keep what lives now out of Python's full garbage collections (`gc.freeze`).

    A full collection visits every container object; with 40,000 findings shown it took
    80-110 ms, on the GUI thread, in the middle of a scan (benchmarks/gui.py). Findings live
    as long as their scan is shown and form no reference cycles, so they need no visits;
    freed by reference counting they still go as usual. The cost: a cycle that became
    garbage in the last moments is kept until `gc.unfreeze()`, when the results are cleared.
    """
    gc.collect(0)  # the youngest garbage first (cheap: at most a few hundred objects)
    gc.freeze()


def _collect_what_was_kept() -> None:
    """The results were cleared: let the collector see everything again, and collect once
    (few objects are left, so this is quick), freeing cycles `gc.freeze` kept."""
    gc.unfreeze()
    gc.collect()


def _unfinished_states(records: Sequence[TargetRecord]) -> dict[str, TargetState]:
    return {record.value: TargetState.UNFINISHED for record in records if not record.finished}


def _own_resolvers() -> list[Target]:
    """This machine's resolvers as targets (what `--checks resolver` with no target scans)."""
    from netready.net.dns import DnsClient

    try:
        addresses = DnsClient(()).resolvers
    except ConfigError:
        return []
    targets = []
    for address in addresses:
        try:
            targets.append(parse_target(address))
        except TargetError:  # a scoped address (fe80::1%eth0) cannot be a target
            continue
    return list(dict.fromkeys(targets))
