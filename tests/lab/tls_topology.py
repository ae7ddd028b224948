"""The TLS lab: nginx with good, legacy and broken TLS sites, hostile endpoints, a STARTTLS
mail server, and the DNS that names them; all in its own `Lab` on 198.18.8.0/24 and
2001:db8:8::/64.

Run the scanner in the client with the lab resolver and the lab CA given explicitly::

    tls_lab.scan("modern.tls.test", "--timeout", "3")   # parsed JSON findings
    # = netready scan modern.tls.test --checks tls --json - --db <lab tmp>/... \\
    #       --resolver 198.18.8.53 --ca-file <lab tmp>/pki/root.pem --timeout 3

Every site and its expected verdicts: README.md, "The TLS lab".
"""

from __future__ import annotations

import datetime
import itertools
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .netlab import Lab, LabError, LabHost, program
from .servers import RootHint, Server, start_bind, start_unbound
from .tls_servers import (
    LEGACY_EC_CIPHERS,
    LEGACY_RSA_CIPHERS,
    Certificate,
    LabPki,
    TlsSite,
    start_listeners,
    start_tls_nginx,
)
from .zones import NameServer, delegation, records, root_zone, server_addresses, zone_text

#: Programs the TLS lab runs, besides those every lab needs.
TLS_LAB_PROGRAMS = (
    "named", "named-checkconf", "unbound", "unbound-checkconf", "dig", "nginx", "openssl",
)  # fmt: skip

NET4, NET6 = "198.18.8.0/24", "2001:db8:8::/64"


class Addresses(NamedTuple):
    ipv4: str
    ipv6: str


def _addr(last: int) -> Addresses:
    # the IPv6 address uses the same digits as the IPv4 one (.20 -> ::20), as the other labs
    return Addresses(f"198.18.8.{last}", f"2001:db8:8::{last}")


#: Host name -> its first addresses (hosts with several addresses get the rest in EXTRA).
HOSTS: Mapping[str, Addresses] = {
    "ns1": _addr(10),
    "ns2": _addr(11),
    "resolver": _addr(53),
    "client": _addr(100),
    "web": _addr(20),
    "mail": _addr(30),
    "hostile": _addr(60),
}

#: TLS name -> its A and AAAA (each name is one nginx site per address, or a listener).
NAMES: Mapping[str, Addresses] = {
    "modern.tls.test": _addr(20),  # TLS 1.2 + 1.3, ECDHE AEAD, ECDSA P-256, full chain
    "legacy.tls.test": _addr(21),  # TLS 1.0-1.2, CBC, RSA key exchange, RSA 2048
    "expired.tls.test": _addr(22),  # modern, certificate expired a month ago
    "selfsigned.tls.test": _addr(23),  # modern, self-signed certificate
    "wrongname.tls.test": _addr(24),  # modern, certificate for other.tls.test
    "incomplete.tls.test": _addr(25),  # modern, the intermediate is not sent
    "dual.tls.test": _addr(26),  # IPv4 modern; IPv6 TLS 1.0-1.2 with CBC (weaker)
    "mail.tls.test": _addr(30),  # SMTP STARTTLS on 25, implicit TLS on 465 and 993
    "maildomain.tls.test": _addr(30),  # MX 10 mail.tls.test
    "silent.tls.test": _addr(60),  # accepts, never speaks
    "reset.tls.test": _addr(61),  # resets at once
    "garbage.tls.test": _addr(62),  # answers bytes that are not TLS
    "dead.tls.test": _addr(99),  # held by nobody: packets vanish (filtered)
}
MX: Mapping[str, str] = {"maildomain.tls.test": "mail.tls.test"}

#: Held by no host; the client sends its packets to a link-layer address nobody has.
DEAD = NAMES["dead.tls.test"]
DEAD_MAC = "02:00:00:00:08:99"
#: Hosts that hold more addresses than their first: one TLS site or listener per address.
EXTRA_ADDRESSES: Mapping[str, Sequence[Addresses]] = {
    "web": [_addr(number) for number in range(21, 27)],
    "hostile": [_addr(61), _addr(62)],
}
HOSTILE_MODES = {
    "silent.tls.test": "silent",
    "reset.tls.test": "reset",
    "garbage.tls.test": "garbage",
}

ROOT = NameServer("ns1.test.", *HOSTS["ns1"])
TLD = NameServer("ns2.test.", *HOSTS["ns2"])
TLS_TEST_SERVERS = [NameServer("ns1.tls.test.", *HOSTS["ns1"])]


def tld_zone() -> str:
    lines = [
        f"test. NS {TLD.name}",
        *server_addresses(TLD),
        *server_addresses(ROOT),
        *delegation("tls.test.", TLS_TEST_SERVERS),
    ]
    return zone_text("test.", TLD, lines)


def tls_test_zone() -> str:
    origin = "tls.test."
    lines = [
        *(f"{origin} NS {server.name}" for server in TLS_TEST_SERVERS),
        *(line for server in TLS_TEST_SERVERS for line in server_addresses(server)),
        *(
            line
            for name, addresses in NAMES.items()
            for line in records(f"{name}.", A=addresses.ipv4, AAAA=addresses.ipv6)
        ),
        *(f"{name}. MX 10 {host}." for name, host in MX.items()),
    ]
    return zone_text(origin, TLS_TEST_SERVERS[0], lines)


@dataclass(frozen=True, slots=True)
class TlsLab:
    """What the `tls_lab` fixture yields.

    Attributes:
        lab: the `Lab`.
        hosts: every host by name (`HOSTS`).
        servers: started servers by name: ns1, ns2, resolver, web (nginx), mail and hostile
            (the listeners of tls_servers.py).
        client: the dual-stack host the scanner runs on.
        resolver_ip: the lab resolver.
        ca_file: the lab root CA (PEM), for ``--ca-file``.
        pki: the lab CA, to issue more certificates.
    """

    lab: Lab
    hosts: Mapping[str, LabHost]
    servers: Mapping[str, Server]
    client: LabHost
    resolver_ip: str
    ca_file: Path
    pki: LabPki

    def scanner_argv(self, *args: str) -> list[str]:
        """``netready scan ARGS --resolver R --ca-file CA`` run by this Python interpreter."""
        return [
            sys.executable, "-m", "netready", "scan", *args,
            "--resolver", self.resolver_ip, "--ca-file", str(self.ca_file),
        ]  # fmt: skip

    def scan(self, *args: str, timeout: float = 180.0) -> list[dict[str, Any]]:
        """Run ``--checks tls --json -`` in the client; the findings as parsed JSON."""
        db = self.lab.tmpdir / f"scan-{next(_scans)}.db"
        argv = self.scanner_argv(*args, "--checks", "tls", "--json", "-", "--db", str(db))
        done = self.client.run(argv, timeout=timeout)
        if done.returncode != 0:
            raise LabError(f"the scan failed ({done.returncode}):\n{done.stderr}")
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


_scans = itertools.count()


def web_sites(pki: LabPki) -> list[TlsSite]:
    """The nginx sites of the web host, one per address (README.md, "The TLS lab")."""
    now = datetime.datetime.now(datetime.UTC)
    day = datetime.timedelta(days=1)
    modern = pki.issue("modern", ["modern.tls.test"])
    dual = pki.issue("dual", ["dual.tls.test"])
    legacy = pki.issue("legacy", ["legacy.tls.test"], key_type="rsa")
    expired = pki.issue("expired", ["expired.tls.test"], not_before=now - 90 * day,
                        not_after=now - 30 * day)  # fmt: skip
    selfsigned = pki.self_signed("selfsigned", ["selfsigned.tls.test"])
    wrongname = pki.issue("wrongname", ["other.tls.test"])
    incomplete = pki.issue("incomplete", ["incomplete.tls.test"], send_intermediate=False)
    legacy_protocols = "TLSv1 TLSv1.1 TLSv1.2"
    per_name: list[tuple[str, Certificate, dict[str, Any]]] = [
        ("modern.tls.test", modern, {}),
        ("legacy.tls.test", legacy, {"protocols": legacy_protocols, "ciphers": LEGACY_RSA_CIPHERS,
                                     "prefer_server_ciphers": False}),
        ("expired.tls.test", expired, {}),
        ("selfsigned.tls.test", selfsigned, {}),
        ("wrongname.tls.test", wrongname, {}),
        ("incomplete.tls.test", incomplete, {}),
    ]  # fmt: skip
    sites = [
        TlsSite(address, name, certificate, **options)  # type: ignore[arg-type]
        for name, certificate, options in per_name
        for address in NAMES[name]
    ]
    sites.append(TlsSite(NAMES["dual.tls.test"].ipv4, "dual.tls.test", dual))
    sites.append(
        TlsSite(NAMES["dual.tls.test"].ipv6, "dual.tls.test", dual,
                protocols=legacy_protocols, ciphers=LEGACY_EC_CIPHERS)
    )  # fmt: skip
    return sites


def build_tls_lab(lab: Lab) -> TlsLab:
    """Create the hosts, the CA and every server; check that the client can resolve."""
    hosts = {name: lab.add_host(name, ipv4=a.ipv4, ipv6=a.ipv6) for name, a in HOSTS.items()}
    for name, extra in EXTRA_ADDRESSES.items():
        _add_addresses(hosts[name], [address for pair in extra for address in pair])
    _make_dead(hosts["client"])
    pki = LabPki(lab.tmpdir / "pki", program("openssl"))
    servers = _start_dns(hosts)
    servers["web"] = start_tls_nginx(hosts["web"], web_sites(pki))
    mail = pki.issue("mail", ["mail.tls.test", "maildomain.tls.test"])
    mail_specs = [
        f"[{address}]:{port}:{mode}"
        for address in HOSTS["mail"]
        for port, mode in ((25, "smtp"), (465, "tls"), (993, "tls"))
    ]
    servers["mail"] = start_listeners(hosts["mail"], mail_specs, certificate=mail,
                                      domain="mail.tls.test")  # fmt: skip
    hostile_specs = [
        f"[{address}]:443:{mode}" for name, mode in HOSTILE_MODES.items() for address in NAMES[name]
    ]
    servers["hostile"] = start_listeners(hosts["hostile"], hostile_specs)
    tls_lab = TlsLab(
        lab=lab,
        hosts=hosts,
        servers=servers,
        client=hosts["client"],
        resolver_ip=HOSTS["resolver"].ipv4,
        ca_file=pki.ca_file,
        pki=pki,
    )
    _check_resolution(tls_lab)
    return tls_lab


def _add_addresses(host: LabHost, addresses: Sequence[str]) -> None:
    """Give `host` more addresses on its ``eth0`` (one nginx site per address)."""
    for address in addresses:
        if ":" in address:
            argv = [program("ip"), "-6", "addr", "add", f"{address}/64", "dev", "eth0", "nodad"]
        else:
            argv = [program("ip"), "addr", "add", f"{address}/24", "dev", "eth0"]
        done = host.run(argv)
        if done.returncode != 0:
            raise LabError(f"{' '.join(argv)} failed in {host.namespace}: {done.stderr}")


def _make_dead(client: LabHost) -> None:
    """Packets from the client to `DEAD` go to a link-layer address nobody has: they vanish,
    so a connection times out as behind a dropping firewall (not "no route to host")."""
    for address in DEAD:
        family = "-6" if ":" in address else "-4"
        argv = [program("ip"), family, "neigh", "replace", address, "lladdr", DEAD_MAC,
                "dev", "eth0", "nud", "permanent"]  # fmt: skip
        done = client.run(argv)
        if done.returncode != 0:
            raise LabError(f"{' '.join(argv)} failed in {client.namespace}: {done.stderr}")


def _start_dns(hosts: Mapping[str, LabHost]) -> dict[str, Server]:
    return {
        "ns1": start_bind(hosts["ns1"], {".": root_zone(ROOT, TLD), "tls.test.": tls_test_zone()}),
        "ns2": start_bind(hosts["ns2"], {"test.": tld_zone()}),
        "resolver": start_unbound(hosts["resolver"], [RootHint(ROOT.name, ROOT.ipv4, ROOT.ipv6)]),
    }


def _check_resolution(tls_lab: TlsLab) -> None:
    """Fail the fixture, with the resolver's log, if the client cannot resolve the lab."""
    argv = [program("dig"), f"@{tls_lab.resolver_ip}", "+tries=2", "+time=2", "+short",
            "dual.tls.test.", "AAAA"]  # fmt: skip
    done = tls_lab.client.run(argv, timeout=15)
    if done.stdout.split() != [NAMES["dual.tls.test"].ipv6]:
        resolver = tls_lab.servers["resolver"]
        raise LabError(
            f"the TLS lab resolver cannot resolve dual.tls.test AAAA:\n{done.stdout}"
            f"{done.stderr}--- {resolver.log} ---\n{resolver.log_tail()}"
        )
