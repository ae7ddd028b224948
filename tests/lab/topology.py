"""The DNS lab: four hosts on one switch, two authoritative servers and a resolver.

::

      ns1 ─────────┐   BIND: "." and example.test.        198.18.0.10   2001:db8::10
      ns2 ─────────┤   BIND: test. and example.test.      198.18.0.11   2001:db8::11
      resolver ────┤   unbound, iterates from ns1         198.18.0.53   2001:db8::53
      client ──────┘   the scanner under test runs here   198.18.0.100  2001:db8::100
              bridge br0 in namespace <prefix>-switch; every host: 198.18.0.0/24, 2001:db8::/64

Run the scanner inside the client, pointed at the lab resolver explicitly (the client's
/etc/resolv.conf is the machine's, and the client has no route to it)::

    dns_lab.run_in_client(dns_lab.scanner_argv("www.example.test", "--checks", "dns"))
    # = [sys.executable, "-m", "netready", "scan", "www.example.test", "--checks", "dns",
    #    "--resolver", "198.18.0.53"]
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .netlab import Lab, LabError, LabHost, program
from .servers import RootHint, Server, start_bind, start_unbound
from .zones import NameServer, example_zone, root_zone, tld_zone

#: Programs the DNS lab runs, besides those every lab needs.
DNS_LAB_PROGRAMS = ("named", "named-checkconf", "unbound", "unbound-checkconf", "dig")

#: name -> (IPv4, IPv6) of every host in the DNS lab.
ADDRESSES: Mapping[str, tuple[str, str]] = {
    "ns1": ("198.18.0.10", "2001:db8::10"),
    "ns2": ("198.18.0.11", "2001:db8::11"),
    "resolver": ("198.18.0.53", "2001:db8::53"),
    "client": ("198.18.0.100", "2001:db8::100"),
}


@dataclass(frozen=True, slots=True)
class DnsLab:
    """What the `dns_lab` fixture yields.

    Attributes:
        lab: the `Lab` (namespaces, temp dir, processes); add hosts with ``lab.add_host``.
        hosts: ``ns1``, ``ns2``, ``resolver``, ``client`` by name.
        servers: the started servers by host name (``ns1``, ``ns2``: BIND; ``resolver``).
        client: the host the scanner runs on.
        resolver_ip, resolver_ip6: the lab resolver's addresses; give one to the scanner
            as ``--resolver``.
    """

    lab: Lab
    hosts: Mapping[str, LabHost]
    servers: Mapping[str, Server]
    client: LabHost
    resolver_ip: str
    resolver_ip6: str

    def run_in_client(
        self,
        argv: Sequence[str],
        *,
        timeout: float = 120.0,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run `argv` in the client namespace; stdout/stderr captured as text.

        `env` adds to (does not replace) the inherited environment, so PYTHONPATH and the
        like reach the scanner.
        """
        return self.client.run(argv, timeout=timeout, env=_environment(env))

    def popen_in_client(
        self, argv: Sequence[str], *, env: Mapping[str, str] | None = None, **kwargs: Any
    ) -> subprocess.Popen[Any]:
        """Start `argv` in the client namespace; the lab ends it at teardown if still running."""
        return self.client.popen(argv, env=_environment(env), **kwargs)

    def scanner_argv(self, *args: str, resolver: str | None = None) -> list[str]:
        """``netready scan ARGS --resolver R`` run by this Python interpreter.

        `resolver` defaults to `resolver_ip`; pass `resolver_ip6` to use IPv6 transport.
        """
        resolver = resolver or self.resolver_ip
        return [sys.executable, "-m", "netready", "scan", *args, "--resolver", resolver]


def _environment(extra: Mapping[str, str] | None) -> dict[str, str] | None:
    return None if extra is None else {**os.environ, **extra}


def build_dns_lab(lab: Lab) -> DnsLab:
    """Create the hosts, start the servers and check that the client can resolve."""
    hosts = {name: lab.add_host(name, ipv4=v4, ipv6=v6) for name, (v4, v6) in ADDRESSES.items()}
    ns1, ns2, resolver = hosts["ns1"], hosts["ns2"], hosts["resolver"]
    root = NameServer("ns1.test.", ns1.ipv4, ns1.ipv6)
    tld = NameServer("ns2.test.", ns2.ipv4, ns2.ipv6)
    example = [
        NameServer("ns1.example.test.", ns1.ipv4, ns1.ipv6),
        NameServer("ns2.example.test.", ns2.ipv4, ns2.ipv6),
    ]
    servers = {
        "ns1": start_bind(ns1, {".": root_zone(root, tld), "example.test.": example_zone(example)}),
        "ns2": start_bind(
            ns2, {"test.": tld_zone(tld, root, example), "example.test.": example_zone(example)}
        ),
        "resolver": start_unbound(resolver, [RootHint(root.name, root.ipv4, root.ipv6)]),
    }
    dns_lab = DnsLab(
        lab=lab,
        hosts=hosts,
        servers=servers,
        client=hosts["client"],
        resolver_ip=ADDRESSES["resolver"][0],
        resolver_ip6=ADDRESSES["resolver"][1],
    )
    _check_resolution(dns_lab)
    return dns_lab


def _check_resolution(dns_lab: DnsLab) -> None:
    """Fail the fixture, with the resolver's log, if the delegation chain does not work."""
    argv = [
        program("dig"),
        f"@{dns_lab.resolver_ip}",
        "+tries=2",
        "+time=2",
        "example.test.",
        "SOA",
    ]
    done = dns_lab.client.run(argv, timeout=15)
    if "status: NOERROR" not in done.stdout or "\tSOA\t" not in done.stdout:
        resolver = dns_lab.servers["resolver"]
        raise LabError(
            f"the lab resolver cannot resolve example.test SOA:\n{done.stdout}{done.stderr}"
            f"--- {resolver.log} ---\n{resolver.log_tail()}"
        )
