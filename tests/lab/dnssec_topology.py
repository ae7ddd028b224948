"""The DNSSEC lab: a signed lab root, TLDs and zones on BIND, two unbound resolvers, a
hostile DNS server, and a client — its own `Lab`, on 198.18.2.0/24 and 2001:db8:2::/64.

::

      root ────────┐  BIND: "." (signed; its KSK is the lab trust anchor)   198.18.2.10  ::10
      tld ─────────┤  BIND: test. (NSEC), nsec3tld. (NSEC3), optout. (opt-out) .11     ::11
      auth ────────┤  BIND: every zone below them (dnssec_zones.py)          .12     ::12
      hostile ─────┤  hostile_dns.py: tc/garbage/silent/manykeys.test; a hostile
                   │  "resolver" relaying everything else to `resolver`     .66     ::66
      resolver ────┤  unbound, validating with the lab anchor                .53     ::53
      plainres ────┤  unbound, not validating                                .54     ::54
      client ──────┘  the scanner and delv run here                          .100    ::100

The scanner is always run with ``--resolver`` and ``--trust-anchor`` (the lab root's DS)
given explicitly, and ``--db`` in the lab's temp dir::

    dnssec_lab.scan("secure.test", resolver=dnssec_lab.validating)  # -> parsed findings
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .dnssec_zones import NameServer, Servers, Signer, build_zones
from .netlab import Lab, LabError, LabHost, program
from .servers import RootHint, Server, start_bind, start_foreground, start_unbound, wait_until

#: Programs this lab runs, besides those every lab needs.
DNSSEC_LAB_PROGRAMS = (
    "named",
    "named-checkconf",
    "dnssec-keygen",
    "dnssec-signzone",
    "dnssec-dsfromkey",
    "unbound",
    "unbound-checkconf",
    "dig",
    "delv",
)

ADDRESSES = {
    "root": ("198.18.2.10", "2001:db8:2::10"),
    "tld": ("198.18.2.11", "2001:db8:2::11"),
    "auth": ("198.18.2.12", "2001:db8:2::12"),
    "hostile": ("198.18.2.66", "2001:db8:2::66"),
    "resolver": ("198.18.2.53", "2001:db8:2::53"),
    "plainres": ("198.18.2.54", "2001:db8:2::54"),
    "client": ("198.18.2.100", "2001:db8:2::100"),
}
#: In the lab subnet, but no host holds it: questions sent there vanish.
NOBODY = "198.18.2.99"

_LAB_DIR = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class DnssecLab:
    """What the `dnssec_lab` fixture yields.

    Attributes:
        lab: the `Lab`.
        hosts, servers: by host name (see the module docstring).
        anchor: the lab root's DS records, zone-file style: netready's ``--trust-anchor``.
        bind_anchor: the same as a BIND ``trust-anchors`` statement, for ``delv -a``.
        validating, plain, hostile: resolver addresses (unbound validating, unbound not
            validating, the hostile relay).
    """

    lab: Lab
    hosts: dict[str, LabHost]
    servers: dict[str, Server]
    anchor: Path
    bind_anchor: Path
    validating: str
    plain: str
    hostile: str

    @property
    def client(self) -> LabHost:
        return self.hosts["client"]

    def scanner_argv(
        self, *targets: str, resolver: str, timeout: float = 5.0, anchor: bool = True
    ) -> list[str]:
        """``netready scan`` of the dnssec family, every setting explicit.

        `anchor` False leaves ``--trust-anchor`` out: the shipped IANA root anchor is used.
        """
        database = self.lab.tmpdir / "dnssec-scans.db"
        argv = [
            sys.executable, "-m", "netready", "scan", *targets,
            "--checks", "dnssec", "--json", "-", "--db", str(database),
            "--resolver", resolver, "--timeout", f"{timeout:g}",
        ]  # fmt: skip
        return [*argv, "--trust-anchor", str(self.anchor)] if anchor else argv

    def scan(
        self, *targets: str, resolver: str, timeout: float = 5.0, anchor: bool = True
    ) -> list[dict[str, Any]]:
        """Run the scanner in the client; its findings, parsed from the JSON lines."""
        argv = self.scanner_argv(*targets, resolver=resolver, timeout=timeout, anchor=anchor)
        done = self.client.run(argv, timeout=120)
        if done.returncode != 0:
            raise LabError(f"the scan failed ({done.returncode}):\n{done.stderr}")
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]

    def delv(self, name: str, rdtype: str = "SOA", *, resolver: str) -> str:
        """delv's output for `name`, validated with the lab anchor.

        delv, like netready, validates by itself; ask it through the resolver that does not
        validate, so it sees the same raw data netready sees with CD set (a validating
        resolver answers delv SERVFAIL for bogus data and delv cannot say why).
        """
        argv = [program("delv"), f"@{resolver}", "-a", str(self.bind_anchor), "+root", name, rdtype]
        done = self.client.run(argv, timeout=60)  # delv has no timeout options of its own
        return (done.stdout + done.stderr).strip()


def build_dnssec_lab(lab: Lab) -> DnssecLab:
    """Sign the zones, start the servers, and check that the lab root validates."""
    hosts = {name: lab.add_host(name, ipv4=v4, ipv6=v6) for name, (v4, v6) in ADDRESSES.items()}
    servers_by_role = Servers(*(_name_server(role) for role in _ROLES))
    zones = build_zones(Signer(lab.tmpdir / "dnssec-keys"), servers_by_role)
    anchor = lab.tmpdir / "lab-root.anchor"
    anchor.write_text(zones.anchor_ds)
    bind_anchor = lab.tmpdir / "lab-root.bind-anchor"
    bind_anchor.write_text(zones.anchor_bind)
    servers = {role: start_bind(hosts[role], zones.by_server[role]) for role in _BIND_ROLES}
    hints = [RootHint(servers_by_role.root.name, *ADDRESSES["root"])]
    servers["resolver"] = start_unbound(hosts["resolver"], hints, trust_anchor=anchor)
    servers["plainres"] = start_unbound(hosts["plainres"], hints)
    servers["hostile"] = _start_hostile(
        hosts["hostile"], upstream=ADDRESSES["resolver"][0], zones=zones.hostile_zone_files
    )
    dnssec_lab = DnssecLab(
        lab=lab,
        hosts=hosts,
        servers=servers,
        anchor=anchor,
        bind_anchor=bind_anchor,
        validating=ADDRESSES["resolver"][0],
        plain=ADDRESSES["plainres"][0],
        hostile=ADDRESSES["hostile"][0],
    )
    _check_validation(dnssec_lab)
    return dnssec_lab


_ROLES = ("root", "tld", "auth", "hostile")
_BIND_ROLES = ("root", "tld", "auth")


def _name_server(role: str) -> NameServer:
    return NameServer(f"ns-{role}.test.", *ADDRESSES[role])


def _start_hostile(host: LabHost, *, upstream: str, zones: dict[str, Path]) -> Server:
    workdir = host.lab.tmpdir / "hostile-dns"
    workdir.mkdir()
    script = _LAB_DIR / "hostile_dns.py"
    argv = [sys.executable, str(script), "--upstream", upstream]
    for origin, path in zones.items():
        argv += ["--zone", f"{origin}={path}"]
    for address in (host.ipv4, host.ipv6):
        argv += ["--address", str(address)]
    server = start_foreground(host, "hostile-dns", argv, workdir, script)
    for family in (4, 6):
        wait_until(
            server,
            lambda f=family: host.is_listening(53, "tcp", f) and host.is_listening(53, "udp", f),
            f"hostile_dns.py to listen on port 53 (IPv{family})",
        )
    return server


def _check_validation(dnssec_lab: DnssecLab) -> None:
    """Fail the fixture, with the resolver's log, unless the validating resolver says AD."""
    argv = [program("dig"), f"@{dnssec_lab.validating}", "+tries=2", "+time=2", "+dnssec",
            "secure.test.", "SOA"]  # fmt: skip
    done = dnssec_lab.client.run(argv, timeout=15)
    if "status: NOERROR" not in done.stdout or " ad" not in done.stdout.split("QUERY:")[0]:
        resolver = dnssec_lab.servers["resolver"]
        raise LabError(
            f"the lab resolver does not validate secure.test:\n{done.stdout}{done.stderr}"
            f"--- {resolver.log} ---\n{resolver.log_tail()}"
        )


def verdict_of_delv(output: str) -> str:
    """delv's answer in netready's words: secure, insecure, bogus or error."""
    if "fully validated" in output:  # also "; negative response, fully validated"
        return "secure"
    if "unsigned answer" in output:
        return "insecure"
    if any(words in output for words in ("broken trust chain", "no valid", "insecurity proof")):
        return "bogus"
    return "error"  # "resolution failed: failure", timeouts: it could not decide
