"""Fixtures for lab tests: network namespaces with real servers (see README.md).

Every test in this directory is marked ``lab``. Lab tests need root, Linux and the servers'
programs; without them they are skipped with the reason, except under CI=true, where they fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from .netlab import Lab, missing_prerequisites
from .topology import DNS_LAB_PROGRAMS, DnsLab, build_dns_lab

_LAB_DIR = Path(__file__).parent

Require = Callable[[Sequence[str], str], None]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Marking here rather than per module: a new lab test module cannot forget the marker.
    for item in items:
        if item.path.is_relative_to(_LAB_DIR):
            item.add_marker(pytest.mark.lab)


@pytest.fixture(scope="session")
def lab_prerequisites(require_prerequisites: Require) -> None:
    """For tests that build their own `Lab`: root, Linux, ip, ss, sysctl."""
    require_prerequisites(missing_prerequisites(), "lab tests")


@pytest.fixture(scope="session")
def dns_lab(require_prerequisites: Require) -> Iterator[DnsLab]:
    """The DNS lab (see topology.py), built once per session and torn down at its end.

    Run the scanner in the client with ``dns_lab.run_in_client(dns_lab.scanner_argv(...))``,
    i.e. ``[sys.executable, "-m", "netready", "scan", ..., "--resolver", dns_lab.resolver_ip]``:
    the resolver must always be given explicitly.
    """
    require_prerequisites(missing_prerequisites(DNS_LAB_PROGRAMS), "DNS lab tests")
    with Lab() as lab:
        yield build_dns_lab(lab)
    left = lab.leftovers()
    assert not left, (
        f"lab cleanup failed, still present: {left}; inspect with `ip netns list | grep ^nrl`"
    )
