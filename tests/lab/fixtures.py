"""The lab's fixtures: network namespaces with real servers (see README.md).

A plugin of the whole suite (`pytest_plugins` in tests/conftest.py), not a conftest of
tests/lab/, so that every directory shares one instance of each session-scoped lab: the GUI
tests and the bundle's smoke test scan the same labs the lab tests use, built once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

import pytest

from .dnssec_topology import DNSSEC_LAB_PROGRAMS, DnssecLab, build_dnssec_lab
from .lan_topology import LAN_LAB_PROGRAMS, LanLab, open_lan_lab
from .netlab import Lab, missing_prerequisites
from .resolver_topology import RESOLVER_LAB_PROGRAMS, ResolverLab, open_resolver_lab
from .tls_topology import TLS_LAB_PROGRAMS, TlsLab, build_tls_lab
from .topology import DNS_LAB_PROGRAMS, DnsLab, build_dns_lab
from .web_topology import WEB_LAB_PROGRAMS, WebLab, build_web_lab

Require = Callable[[Sequence[str], str], None]
T = TypeVar("T")


def _built(build: Callable[[Lab], T], name: str) -> Iterator[T]:
    """A lab `build` makes in a fresh `Lab`, torn down after; fails when anything is left."""
    with Lab() as lab:
        yield build(lab)
    left = lab.leftovers()
    assert not left, (
        f"{name} cleanup failed, still present: {left}; inspect with `ip netns list | grep ^nrl`"
    )


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
    yield from _built(build_dns_lab, "DNS lab")


@pytest.fixture(scope="session")
def web_lab(require_prerequisites: Require) -> Iterator[WebLab]:
    """The web lab (see web_topology.py and README.md), its own namespaces, once per session.

    Run the scanner with ``web_lab.run_in_client(web_lab.scanner_argv(...))``: the argv
    carries ``--resolver`` (the lab resolver) and ``--ca-file`` (the lab CA) explicitly.
    """
    require_prerequisites(missing_prerequisites(WEB_LAB_PROGRAMS), "web lab tests")
    yield from _built(build_web_lab, "web lab")


@pytest.fixture(scope="session")
def resolver_lab(require_prerequisites: Require) -> Iterator[ResolverLab]:
    """The resolver lab (see resolver_topology.py and README.md), its own namespaces.

    Scan with ``resolver_lab.run_in(resolver_lab.client, resolver_lab.scanner_argv(...))``:
    the argv carries ``--resolver`` (dotres) and ``--ca-file`` (the lab CA). Teardown removes
    the /etc/netns files the lab wrote and fails if anything is left over.
    """
    require_prerequisites(missing_prerequisites(RESOLVER_LAB_PROGRAMS), "resolver lab tests")
    with open_resolver_lab() as resolver_lab:
        yield resolver_lab


@pytest.fixture(scope="session")
def dnssec_lab(require_prerequisites: Require) -> Iterator[DnssecLab]:
    """The DNSSEC lab (see dnssec_topology.py and README.md), its own namespaces, once.

    Scan with ``dnssec_lab.scan(TARGET, resolver=dnssec_lab.validating)``: the argv carries
    ``--resolver``, ``--trust-anchor`` (the lab root's DS) and ``--db`` explicitly.
    """
    require_prerequisites(missing_prerequisites(DNSSEC_LAB_PROGRAMS), "DNSSEC lab tests")
    yield from _built(build_dnssec_lab, "DNSSEC lab")


@pytest.fixture(scope="session")
def tls_lab(require_prerequisites: Require) -> Iterator[TlsLab]:
    """The TLS lab (see tls_topology.py and README.md), its own namespaces, once per session.

    Scan with ``tls_lab.scan(TARGET, ...)``: the argv carries ``--checks tls --json -``,
    ``--resolver`` (the lab resolver), ``--ca-file`` (the lab root CA) and ``--db``.
    """
    require_prerequisites(missing_prerequisites(TLS_LAB_PROGRAMS), "TLS lab tests")
    yield from _built(build_tls_lab, "TLS lab")


@pytest.fixture(scope="session")
def lan_lab(require_prerequisites: Require) -> Iterator[LanLab]:
    """The LAN lab (see lan_topology.py and README.md): radvd, dnsmasq, firewalled hosts.

    Scan with ``lan_lab.scan(lan_lab.lanclient, "--lan", "eth0", ...)``: the argv carries
    ``--resolver`` (the lab DNS server), ``--db`` and ``--json -``; ``unprivileged=True`` runs
    the scanner as ``nobody``. Teardown removes the /etc/netns files and fails on leftovers.
    """
    require_prerequisites(missing_prerequisites(LAN_LAB_PROGRAMS), "LAN lab tests")
    with open_lan_lab() as lan_lab:
        yield lan_lab
