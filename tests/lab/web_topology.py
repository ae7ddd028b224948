"""The web lab: name servers, a resolver, web, hostile and mail servers, two clients.

All hosts are on 198.18.1.0/24 and 2001:db8:1::/64 in the lab's own namespaces (its own
`Lab`, so it can run beside the DNS lab). Addresses and names: web_zones.py; the full table
and the behaviour of every name: README.md, "The web lab".

Run the scanner in the dual-stack client (or the IPv4-only one) with the lab resolver and
the lab CA given explicitly::

    web_lab.run_in_client(web_lab.scanner_argv("dual.web.test", "--checks", "https"))
    # = [sys.executable, "-m", "netready", "scan", "dual.web.test", "--checks", "https",
    #    "--resolver", "198.18.1.53", "--ca-file", "<lab tmp>/ca/lab-ca.pem"]
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .netlab import Lab, LabError, LabHost, program
from .servers import RootHint, Server, start_bind, start_unbound
from .web_servers import (
    GOOD_HEADERS,
    Certificate,
    Site,
    create_lab_ca,
    start_hostile,
    start_nginx,
    start_smtp,
)
from .web_zones import (
    DEAD6,
    HOSTS,
    ROOT,
    every_web_name,
    lab_root_zone,
    ns6_zone,
    nsdead6_zone,
    tld_zone,
    web_test_zone,
)

#: Programs the web lab runs, besides those every lab needs.
WEB_LAB_PROGRAMS = (
    "named", "named-checkconf", "unbound", "unbound-checkconf", "dig", "nginx", "openssl",
)  # fmt: skip

#: The link-layer address the dead IPv6 address is pinned to: no interface has it, so frames
#: sent there are flooded by the switch and dropped by everyone (see `_make_dead_address`).
DEAD_MAC = "02:00:00:00:00:99"

SMTP_BANNERS = {
    "mail": "mail6.web.test ESMTP netready-lab",
    "mail4": "mail4.web.test ESMTP netready-lab",
}


@dataclass(frozen=True, slots=True)
class WebLab:
    """What the `web_lab` fixture yields.

    Attributes:
        lab: the `Lab` (namespaces, temp dir, processes).
        hosts: every host by name (see web_zones.HOSTS).
        servers: started servers by host name: ns1-ns4 (BIND), resolver (unbound), web and
            web6alt (nginx), hostile (hostile_http.py), mail and mail4 (smtp_listener.py).
        client: the dual-stack host the scanner runs on.
        client4: an IPv4-only host (IPv6 switched off: not even ::1 or a link-local address).
        resolver_ip, resolver_ip6: the lab resolver.
        ca_file: the lab CA's certificate (PEM); give it to the scanner as ``--ca-file``.
    """

    lab: Lab
    hosts: Mapping[str, LabHost]
    servers: Mapping[str, Server]
    client: LabHost
    client4: LabHost
    resolver_ip: str
    resolver_ip6: str
    ca_file: Path

    def run_in_client(
        self, argv: Sequence[str], *, timeout: float = 120.0, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `argv` in the dual-stack client; output captured as text; `env` adds to ours."""
        return self.client.run(argv, timeout=timeout, env=_environment(env))

    def run_in_client4(
        self, argv: Sequence[str], *, timeout: float = 120.0, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `argv` in the IPv4-only client."""
        return self.client4.run(argv, timeout=timeout, env=_environment(env))

    def popen_in_client(
        self, argv: Sequence[str], *, env: Mapping[str, str] | None = None, **kwargs: Any
    ) -> subprocess.Popen[Any]:
        """Start `argv` in the dual-stack client; the lab ends it at teardown."""
        return self.client.popen(argv, env=_environment(env), **kwargs)

    def popen_in_client4(
        self, argv: Sequence[str], *, env: Mapping[str, str] | None = None, **kwargs: Any
    ) -> subprocess.Popen[Any]:
        """Start `argv` in the IPv4-only client; the lab ends it at teardown."""
        return self.client4.popen(argv, env=_environment(env), **kwargs)

    def scanner_argv(self, *args: str, resolver: str | None = None) -> list[str]:
        """``netready scan ARGS --resolver R --ca-file CA`` run by this Python interpreter.

        `resolver` defaults to `resolver_ip` (IPv4, which client4 can reach too).
        """
        resolver = resolver or self.resolver_ip
        return [
            sys.executable, "-m", "netready", "scan", *args,
            "--resolver", resolver, "--ca-file", str(self.ca_file),
        ]  # fmt: skip


def _environment(extra: Mapping[str, str] | None) -> dict[str, str] | None:
    return None if extra is None else {**os.environ, **extra}


def web_sites(other: Certificate) -> dict[str, list[Site]]:
    """The nginx sites of `web` and `web6alt` (see README.md for what each shows)."""
    short_hsts = {**GOOD_HEADERS, "Strict-Transport-Security": "max-age=86400"}
    good = ["dual.web.test", "v4only.web.test", "v6only.web.test", "deadv6.web.test",
            "refusedv6.web.test", "ns6.test", "nsdead6.test"]  # fmt: skip
    web = [Site(name, name) for name in good]
    web += [
        Site("split.web.test", "split.web.test over IPv4"),
        Site("nohsts.web.test", "nohsts.web.test", http_redirect=None, headers={}),
        Site("shorthsts.web.test", "shorthsts.web.test", headers=short_hsts),
        Site(
            "badredirect.web.test",
            "badredirect.web.test",
            http_redirect="https://www.dual.web.test/",
        ),
        Site("badcert.web.test", "badcert.web.test", certificate=other),
    ]
    return {"web": web, "web6alt": [Site("split.web.test", "split.web.test over IPv6")]}


def build_web_lab(lab: Lab) -> WebLab:
    """Create the hosts, start every server and check that the client can resolve."""
    hosts = {
        name: lab.add_host(name, ipv4=addresses.ipv4, ipv6=addresses.ipv6)
        for name, addresses in HOSTS.items()
    }
    _switch_off_ipv6(hosts["client4"])
    for host in hosts.values():
        if host.ipv6:
            _make_dead_address(host)
    ca = create_lab_ca(lab.tmpdir / "ca")
    shared = ca.issue("web", every_web_name())
    other = ca.issue("other", ["other.web.test"])
    servers = _start_dns(hosts)
    sites = web_sites(other)
    servers["web"] = start_nginx(hosts["web"], sites["web"], shared)
    servers["web6alt"] = start_nginx(hosts["web6alt"], sites["web6alt"], shared)
    servers["hostile"] = start_hostile(hosts["hostile"], shared)
    servers["mail"] = start_smtp(hosts["mail"], SMTP_BANNERS["mail"])
    servers["mail4"] = start_smtp(hosts["mail4"], SMTP_BANNERS["mail4"], ipv6=False)
    web_lab = WebLab(
        lab=lab,
        hosts=hosts,
        servers=servers,
        client=hosts["client"],
        client4=hosts["client4"],
        resolver_ip=str(HOSTS["resolver"].ipv4),
        resolver_ip6=str(HOSTS["resolver"].ipv6),
        ca_file=ca.ca_file,
    )
    _check_resolution(web_lab)
    return web_lab


def _start_dns(hosts: Mapping[str, LabHost]) -> dict[str, Server]:
    return {
        "ns1": start_bind(
            hosts["ns1"],
            {
                ".": lab_root_zone(),
                "web.test.": web_test_zone(),
                "ns6.test.": ns6_zone(),
                "nsdead6.test.": nsdead6_zone(),
            },
        ),
        "ns2": start_bind(hosts["ns2"], {"test.": tld_zone(), "web.test.": web_test_zone()}),
        "ns3": start_bind(hosts["ns3"], {"ns6.test.": ns6_zone()}),
        "ns4": start_bind(hosts["ns4"], {"nsdead6.test.": nsdead6_zone()}, listen_ipv6=False),
        "resolver": start_unbound(hosts["resolver"], [RootHint(ROOT.name, ROOT.ipv4, ROOT.ipv6)]),
    }


def _switch_off_ipv6(host: LabHost) -> None:
    """No IPv6 at all in `host`: no addresses (not even ::1 or fe80::), no IPv6 routes."""
    for setting in ("all", "default", "lo", "eth0"):
        done = host.run([program("sysctl"), "-q", "-w", f"net.ipv6.conf.{setting}.disable_ipv6=1"])
        if done.returncode != 0:
            raise LabError(f"cannot switch off IPv6 in {host.namespace}: {done.stderr}")


def _make_dead_address(host: LabHost) -> None:
    """Make `DEAD6` silently drop packets from `host` rather than fail neighbour discovery.

    Without this, the kernel gives up resolving the unused address after about 3 s and the
    connect fails with "no route to host"; the lab wants a connect that times out, like an
    address behind a firewall that drops. A permanent neighbour entry sends the packets to
    a link-layer address no interface has.
    """
    argv = [program("ip"), "-6", "neigh", "replace", DEAD6, "lladdr", DEAD_MAC,
            "dev", "eth0", "nud", "permanent"]  # fmt: skip
    done = host.run(argv)
    if done.returncode != 0:
        raise LabError(f"{' '.join(argv)} failed in {host.namespace}: {done.stderr}")


def _check_resolution(web_lab: WebLab) -> None:
    """Fail the fixture, with the resolver's log, if the delegation chain does not work."""
    argv = [program("dig"), f"@{web_lab.resolver_ip}", "+tries=2", "+time=2", "+short",
            "www.dual.web.test.", "AAAA"]  # fmt: skip
    done = web_lab.client.run(argv, timeout=15)
    if done.stdout.split() != [str(HOSTS["web"].ipv6)]:
        resolver = web_lab.servers["resolver"]
        raise LabError(
            f"the lab resolver cannot resolve www.dual.web.test AAAA:\n{done.stdout}"
            f"{done.stderr}--- {resolver.log} ---\n{resolver.log_tail()}"
        )
