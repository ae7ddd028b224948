"""The settings dialog: the scan settings of the config file, which the CLI reads too.

Each row edits one `ScanConfig` field. A row whose field this netready's `ScanConfig` does
not have is hidden, so the dialog never writes a setting the CLI would refuse; the LAN
interface is then kept in the app's preferences instead.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QLineEdit, QWidget

from netready.config import ConfigError, ScanConfig
from netready.gui.config_file import SCAN_FIELDS, read_scan_settings, write_scan_settings
from netready.gui.forms.ui_settings_dialog import Ui_SettingsDialog
from netready.gui.preferences import Preferences

__all__ = ["LAN_INTERFACE_FIELD", "SettingsDialog"]

LAN_INTERFACE_FIELD = "lan_interface"

_LIST_SEPARATORS = re.compile(r"[\s,;]+")
_DEFAULTS = ScanConfig()


def _words(text: str) -> list[str]:
    return [word for word in _LIST_SEPARATORS.split(text.strip()) if word]


def _default(name: str) -> Any:
    return getattr(_DEFAULTS, name, None)


class SettingsDialog(QDialog):
    """Edit resolvers, trust anchor, CA file, limits, ports, LAN; OK writes `[scan]`."""

    def __init__(
        self, config_path: Path, preferences: Preferences, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_SettingsDialog()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]  # generated
        self._config_path = config_path
        self._preferences = preferences
        self.ui.whereLabel.setText(
            self.tr("Saved in {path}, which the netready command line reads too.").format(
                path=config_path
            )
        )
        self.ui.errorLabel.setStyleSheet("font-weight: bold;")
        self.ui.errorLabel.hide()
        self._hide_rows_without_a_field()
        self.ui.lanInterfaceCombo.addItems(["", *_interface_names()])
        self.ui.buttonBox.accepted.connect(self.accept)
        restore = self.ui.buttonBox.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.clicked.connect(lambda: self._show(_DEFAULTS.to_json_dict()))
        self.ui.trustAnchorBrowse.clicked.connect(
            lambda: self._browse(self.ui.trustAnchorEdit, self.tr("DNSSEC trust anchor"))
        )
        self.ui.caFileBrowse.clicked.connect(
            lambda: self._browse(self.ui.caFileEdit, self.tr("Extra CA certificates"))
        )
        self._load()

    def _rows(self) -> dict[str, tuple[QWidget, ...]]:
        """The widgets of each optional field's row."""
        ui = self.ui
        return {
            "port_probe_timeout": (ui.portTimeoutLabel, ui.portTimeoutSpin),
            "sweep_rate": (ui.sweepRateLabel, ui.sweepRateSpin),
            "tls_ports": (ui.tlsPortsLabel, ui.tlsPortsEdit),
            "mail": (ui.mailCheck,),
            "exposure_ports": (ui.exposurePortsLabel, ui.exposurePortsEdit),
            "lan_ipv4_only": (ui.lanIpv4OnlyCheck,),
        }

    def _hide_rows_without_a_field(self) -> None:
        for name, widgets in self._rows().items():
            for widget in widgets:
                widget.setVisible(name in SCAN_FIELDS)
        self.ui.portsBox.setVisible(
            any(name in SCAN_FIELDS for name in ("tls_ports", "mail", "exposure_ports"))
        )

    def _load(self) -> None:
        try:
            table = read_scan_settings(self._config_path)
        except ConfigError as error:
            self._show_error(str(error))
            self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            table = {}
        self._show({**_DEFAULTS.to_json_dict(), **table})
        if LAN_INTERFACE_FIELD not in SCAN_FIELDS:
            self.ui.lanInterfaceCombo.setCurrentText(self._preferences.lan_interface())

    def _show(self, values: Mapping[str, Any]) -> None:
        ui = self.ui

        def number(name: str) -> Any:
            return values.get(name, _default(name))

        ui.resolversEdit.setText(" ".join(values.get("resolvers") or ()))
        ui.trustAnchorEdit.setText(str(values.get("trust_anchor") or ""))
        ui.caFileEdit.setText(str(values.get("ca_file") or ""))
        ui.timeoutSpin.setValue(float(number("timeout")))
        ui.concurrencySpin.setValue(int(number("concurrency")))
        ui.perHostSpin.setValue(int(number("per_host_concurrency")))
        ui.maxNetworkSpin.setValue(int(number("max_network_addresses")))
        if "port_probe_timeout" in SCAN_FIELDS:
            ui.portTimeoutSpin.setValue(float(number("port_probe_timeout")))
        if "sweep_rate" in SCAN_FIELDS:
            ui.sweepRateSpin.setValue(int(number("sweep_rate")))
        for name, edit in (
            ("tls_ports", ui.tlsPortsEdit),
            ("exposure_ports", ui.exposurePortsEdit),
        ):
            if name in SCAN_FIELDS:
                edit.setText(", ".join(str(port) for port in values.get(name) or ()))
        if "mail" in SCAN_FIELDS:
            ui.mailCheck.setChecked(bool(values.get("mail")))
        if "lan_ipv4_only" in SCAN_FIELDS:
            ui.lanIpv4OnlyCheck.setChecked(bool(values.get("lan_ipv4_only")))
        if LAN_INTERFACE_FIELD in SCAN_FIELDS:
            ui.lanInterfaceCombo.setCurrentText(str(values.get(LAN_INTERFACE_FIELD) or ""))

    def changes(self) -> dict[str, Any]:
        """The `[scan]` settings as shown; None for a setting left at its default.

        Raises ConfigError naming a value that is not a setting (a port that is no number).
        """
        ui = self.ui
        shown: dict[str, Any] = {
            "resolvers": _words(ui.resolversEdit.text()) or None,
            "trust_anchor": ui.trustAnchorEdit.text().strip() or None,
            "ca_file": ui.caFileEdit.text().strip() or None,
            "timeout": round(ui.timeoutSpin.value(), 3),
            "concurrency": ui.concurrencySpin.value(),
            "per_host_concurrency": ui.perHostSpin.value(),
            "max_network_addresses": ui.maxNetworkSpin.value(),
            "port_probe_timeout": round(ui.portTimeoutSpin.value(), 3),
            "sweep_rate": ui.sweepRateSpin.value(),
            "tls_ports": self._ports("tls_ports", ui.tlsPortsEdit),
            "mail": ui.mailCheck.isChecked(),
            "exposure_ports": self._ports("exposure_ports", ui.exposurePortsEdit),
            "lan_ipv4_only": ui.lanIpv4OnlyCheck.isChecked(),
            LAN_INTERFACE_FIELD: ui.lanInterfaceCombo.currentText().strip() or None,
        }
        return {
            name: None if _is_default(name, value) else value
            for name, value in shown.items()
            if name in SCAN_FIELDS
        }

    def _ports(self, name: str, edit: QLineEdit) -> list[int] | None:
        if name not in SCAN_FIELDS or not edit.text().strip():
            return None
        # the scan configuration reads them as the CLI does (lists, ranges like 8000-8010)
        ports = ScanConfig().with_overrides({name: ",".join(_words(edit.text()))})
        return list(getattr(ports, name))

    def accept(self) -> None:
        try:
            write_scan_settings(self._config_path, self.changes())
        except ConfigError as error:
            self._show_error(str(error))
            return
        if LAN_INTERFACE_FIELD not in SCAN_FIELDS:
            self._preferences.set_lan_interface(self.ui.lanInterfaceCombo.currentText().strip())
        super().accept()

    def _show_error(self, message: str) -> None:
        self.ui.errorLabel.setText(message)
        self.ui.errorLabel.show()

    def _browse(self, field: QLineEdit, title: str) -> None:
        start = field.text() or str(Path.home())
        path, _filter = QFileDialog.getOpenFileName(self, title, start)
        if path:
            field.setText(path)


def _is_default(name: str, value: Any) -> bool:
    default = _default(name)
    if isinstance(default, tuple) and isinstance(value, list):
        return tuple(value) == default
    return bool(value == default)


def _interface_names() -> list[str]:
    try:
        return sorted(name for _index, name in socket.if_nameindex())
    except OSError:  # no interfaces to list (or not supported here): type one in
        return []
