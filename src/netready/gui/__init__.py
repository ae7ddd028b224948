"""The desktop app: the only package that imports PySide6 (DESIGN.md, "Layers").

    netready-gui            # or: python -m netready.gui

Modules, one responsibility each:

- `app`: `main()`: the QApplication, Fusion style following the system's light/dark scheme.
- `main_window`: `MainWindow`: targets, families, Scan/Stop, results, filters, details.
- `models`: the item models; sorting and filtering happen in them, never in a proxy.
- `worker`: `ScanWorker`: the engine in its own thread and asyncio loop; batched signals.
- `settings_dialog`, `history_dialog`: the dialogs, each composing its Designer form.
- `forms/`: Python compiled from `ui/*.ui` with `pyside6-uic` (see `ui/README.md`).
- Qt-free helpers: `compare` (two scans), `config_file` (writes the `[scan]` table),
  `scan_input` (targets and sweep confirmation), `details` (the details pane's Markdown).
"""
