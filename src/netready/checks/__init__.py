"""Check families, one module each, and the one registry that lists them.

Adding a family: write `checks/<name>.py` with a class following `CheckFamily`, add it to
`FAMILIES` below, give every declared check id an advice entry and a lab test.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from netready.checks.base import CheckContext, CheckFamily, CheckSpec, ProbeTimeoutError
from netready.checks.dns import DnsFamily
from netready.checks.dnssec import DnssecFamily
from netready.checks.exposure import ExposureFamily
from netready.checks.https import HttpsFamily
from netready.checks.ipv6 import Ipv6Family
from netready.checks.lan import LanFamily
from netready.checks.resolver import ResolverFamily
from netready.checks.tls import TlsFamily

__all__ = [
    "FAMILIES",
    "ON_REQUEST_FAMILIES",
    "CheckContext",
    "CheckFamily",
    "CheckSpec",
    "ProbeTimeoutError",
    "declared_check_ids",
]

FAMILIES: Mapping[str, CheckFamily] = MappingProxyType(
    {
        family.name: family
        for family in (
            DnsFamily(),
            DnssecFamily(),
            HttpsFamily(),
            Ipv6Family(),
            ResolverFamily(),
            TlsFamily(),
            ExposureFamily(),
            LanFamily(),
        )
    }
)


# Families that run only when named with --checks (or --lan): a resolver check on every
# address of a network sweep, a LAN probe, or a scan of 30 ports of every host named would
# surprise the user (and port scans of hosts that are not theirs are not ours to start).
ON_REQUEST_FAMILIES: frozenset[str] = frozenset({"resolver", "lan", "exposure"})


def declared_check_ids() -> frozenset[str]:
    """Every check id any registered family may emit."""
    return frozenset(spec.check_id for family in FAMILIES.values() for spec in family.checks)
