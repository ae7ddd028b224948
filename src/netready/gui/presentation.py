"""How statuses and families are shown: translated labels, SVG icons, the family of a check.

A status is always shown with its icon AND its label (never by colour alone); the icons differ
in shape too (disc with a check, disc with an i, triangle, octagon, rounded square).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIcon

from netready.findings import Status
from netready.resources import resource_path

#: Worst first: the order of counts in summaries and of the status filter buttons.
STATUSES_WORST_FIRST: tuple[Status, ...] = tuple(
    sorted(Status, key=lambda status: status.severity, reverse=True)
)


def translate(text: str, context: str = "netready") -> str:
    """`tr()` for code outside a QObject: the string goes through Qt's translator."""
    return QCoreApplication.translate(context, text)


def status_label(status: Status) -> str:
    """The word shown for a status: Pass, Info, Warning, Fail, Error."""
    labels = {
        Status.PASS: QCoreApplication.translate("Status", "Pass"),
        Status.INFO: QCoreApplication.translate("Status", "Info"),
        Status.WARNING: QCoreApplication.translate("Status", "Warning"),
        Status.FAIL: QCoreApplication.translate("Status", "Fail"),
        Status.ERROR: QCoreApplication.translate("Status", "Error"),
    }
    return labels[status]


def status_meaning(status: Status) -> str:
    """One sentence for tooltips and screen readers: what the status means."""
    meanings = {
        Status.PASS: QCoreApplication.translate("Status", "Good."),
        Status.INFO: QCoreApplication.translate("Status", "Worth knowing."),
        Status.WARNING: QCoreApplication.translate("Status", "Should be fixed."),
        Status.FAIL: QCoreApplication.translate("Status", "Insecure or broken: fix it."),
        Status.ERROR: QCoreApplication.translate(
            "Status", "Could not test (timeout, unreachable); not known to be fine."
        ),
    }
    return meanings[status]


def counts_text(counts: Mapping[Status, int]) -> str:
    """`2 fail · 1 warning · 9 pass`, worst first, statuses with none left out."""
    parts = [
        QCoreApplication.translate("Status", "{count} {status}").format(
            count=counts[status], status=status_label(status).lower()
        )
        for status in STATUSES_WORST_FIRST
        if counts.get(status, 0)
    ]
    return " · ".join(parts) if parts else QCoreApplication.translate("Status", "no findings")


def worst(counts: Mapping[Status, int]) -> Status | None:
    """The most severe status with a count above zero."""
    return next((status for status in STATUSES_WORST_FIRST if counts.get(status, 0)), None)


# --- icons --------------------------------------------------------------------------------

_icons: dict[str, QIcon] = {}


def icon(name: str) -> QIcon:
    """An SVG icon from resources/icons (`status-fail`, `state-running`, `netready`), cached.

    SVG scales to any device pixel ratio, so the icons stay sharp on high-DPI screens.
    """
    cached = _icons.get(name)
    if cached is None:
        cached = _icons[name] = QIcon(str(resource_path("icons", f"{name}.svg")))
    return cached


def status_icon(status: Status) -> QIcon:
    return icon(f"status-{status.value}")


# --- families -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FamilyCatalogue:
    """The check families of the registry, and which family declares which check id."""

    names: tuple[str, ...]
    on_request: frozenset[str]
    _family_of_check: Mapping[str, str]
    _titles: Mapping[str, str]

    def family_of(self, check_id: str) -> str:
        """The family that declares `check_id`; for an id no family declares (a scan made
        by another netready version), its first dotted part."""
        family = self._family_of_check.get(check_id)
        return family if family is not None else check_id.partition(".")[0]

    def title_of(self, check_id: str) -> str | None:
        return self._titles.get(check_id)


@functools.cache
def family_catalogue() -> FamilyCatalogue:
    """The registry, imported on first use: the check modules take a while to import, and
    the window must show before they are needed (see `app.preload_in_background`)."""
    from netready.checks import FAMILIES, ON_REQUEST_FAMILIES

    family_of: dict[str, str] = {}
    titles: dict[str, str] = {}
    for name, family in FAMILIES.items():
        for spec in family.checks:
            family_of.setdefault(spec.check_id, name)
            titles.setdefault(spec.check_id, spec.title)
    return FamilyCatalogue(tuple(FAMILIES), frozenset(ON_REQUEST_FAMILIES), family_of, titles)


def family_label(name: str) -> str:
    """A family's name as people write it (`dnssec` -> `DNSSEC`); unknown names as they are."""
    labels = {
        "dns": QCoreApplication.translate("Family", "DNS"),
        "dnssec": QCoreApplication.translate("Family", "DNSSEC"),
        "https": QCoreApplication.translate("Family", "HTTPS"),
        "ipv6": QCoreApplication.translate("Family", "IPv6"),
        "resolver": QCoreApplication.translate("Family", "Resolvers"),
        "tls": QCoreApplication.translate("Family", "TLS"),
        "exposure": QCoreApplication.translate("Family", "IPv4-via-IPv6 exposure"),
        "lan": QCoreApplication.translate("Family", "Local network"),
    }
    return labels.get(name, name)
