"""What the app remembers that is not a scan setting: recent targets, chosen families,
the LAN interface (until the scan configuration has a field for it), window layout.

Kept with `QSettings` (the platform's place for application preferences). Scan settings
live in the config file instead (`config_file`), shared with the command line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QByteArray, QSettings

__all__ = ["RECENT_TARGETS_KEPT", "Preferences"]

RECENT_TARGETS_KEPT = 30

_RECENT = "targets/recent"
_FAMILIES = "scan/families"
_LAN_INTERFACE = "scan/lan_interface"
_PLATFORM = "details/platform"


class Preferences:
    """Typed access to the app's QSettings."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings if settings is not None else QSettings()

    def _strings(self, key: str) -> list[str] | None:
        value = self._settings.value(key)
        if value is None:
            return None
        if isinstance(value, str):  # an INI file gives a one-item list back as a string
            return [value] if value else []
        return [str(item) for item in value]

    # --- recent targets -------------------------------------------------------------------

    def recent_targets(self) -> list[str]:
        """The targets scanned lately, most recent first."""
        return self._strings(_RECENT) or []

    def remember_targets(self, values: Iterable[str]) -> None:
        fresh = list(dict.fromkeys(values))
        kept = [value for value in self.recent_targets() if value not in fresh]
        self._settings.setValue(_RECENT, (fresh + kept)[:RECENT_TARGETS_KEPT])

    def clear_recent_targets(self) -> None:
        self._settings.remove(_RECENT)

    # --- the scan panel -------------------------------------------------------------------

    def families(self) -> list[str] | None:
        """The families ticked last time; None before the first scan."""
        return self._strings(_FAMILIES)

    def set_families(self, names: Sequence[str]) -> None:
        self._settings.setValue(_FAMILIES, list(names))

    def lan_interface(self) -> str:
        return str(self._settings.value(_LAN_INTERFACE, "") or "")

    def set_lan_interface(self, name: str) -> None:
        self._settings.setValue(_LAN_INTERFACE, name)

    def details_platform(self) -> str:
        """The platform the details pane shows fixes for; empty for every platform."""
        return str(self._settings.value(_PLATFORM, "") or "")

    def set_details_platform(self, key: str) -> None:
        self._settings.setValue(_PLATFORM, key)

    # --- window layout --------------------------------------------------------------------

    def window_state(self, name: str) -> QByteArray | None:
        value = self._settings.value(f"window/{name}")
        return value if isinstance(value, QByteArray) else None

    def set_window_state(self, name: str, state: QByteArray) -> None:
        self._settings.setValue(f"window/{name}", state)

    def sync(self) -> None:
        self._settings.sync()
