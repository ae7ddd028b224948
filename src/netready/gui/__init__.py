"""The desktop app: the only package that imports PySide6 (DESIGN.md, "Layers").

    netready-gui            # or: python -m netready.gui

Modules, one responsibility each:

- `app`: `main()`: the QApplication, Fusion style following the system's light/dark scheme,
  the check registry imported in the background after the window shows.
- `main_window`: `MainWindow`: targets, families, Scan/Stop, results, filters, details, export.
- `models/`: the item models; sorting and filtering happen in them, never in a proxy.
- `worker`: `ScanWorker` relays a scan's events as Qt signals; `ScanLoader` reads a saved scan.
- `scan_process`: the scan itself, in a process of its own (engine, asyncio loop, history
  writer), so the window never waits for the engine (Qt-free).
- `settings_dialog`, `history_dialog`: the dialogs, each composing its Designer form.
- `forms/`: Python compiled from `ui/*.ui` by `ui/build_forms.py` (pyside6-uic).
- `presentation` (status words and icons, family names), `details` (the details pane's
  Markdown), `export` (the Export menu), `preferences` (QSettings), `qt_compat` (a work-around
  for PySide6 6.12.0), and the Qt-free `compare` (two scans), `config_file` (the `[scan]`
  table), `scan_input` (the targets box, sweeps to confirm).
"""
