"""The resolver lab: resolvers to check, with DNSSEC, DNS over TLS and DNS over HTTPS.

::

      auth ───────┐  BIND: a signed lab root ".", and below it the zones of the
                  │  validation test names (see below)         198.18.3.10   2001:db8:3::10
      dotres ─────┤  unbound, validating; DNS on 53, DoT on 853, DoH on 443 (/dns-query);
                  │  certificate from the lab CA                198.18.3.53   2001:db8:3::53
      plainres ───┤  unbound, not validating; port 53 only      198.18.3.54   2001:db8:3::54
      badcert ────┤  unbound, not validating; DoT with a self-signed
                  │  certificate                                198.18.3.55   2001:db8:3::55
      silent ─────┤  accepts TCP on 853 and 443, never speaks   198.18.3.56   2001:db8:3::56
      client ─────┤  the scanner; its resolv.conf names dotres  198.18.3.100  2001:db8:3::100
      bare ───────┘  the scanner; its resolv.conf names nobody  198.18.3.101  2001:db8:3::101
              bridge br0 in namespace <prefix>-switch; 198.18.3.0/24, 2001:db8:3::/64

The validation test names are the real-world defaults of `netready.checks.resolver`
(`DEFAULT_SECURE_NAME`, `DEFAULT_BOGUS_NAME`), served by the lab's own signed root: the scanner
needs no setting to find them, and the lab follows the defaults if they change. The secure
zone is signed normally; the bogus zone is signed with signatures that expired long ago, so
a validating resolver answers SERVFAIL and a non-validating one returns its address.

``client`` and ``bare`` get ``/etc/netns/<namespace>/resolv.conf``, which ``ip netns exec``
bind-mounts over /etc/resolv.conf: the scanner run there with no ``--resolver`` reads the lab's
resolvers (client) or none at all (bare), never the machine's. `open_resolver_lab` removes
those directories again and fails if anything is left over.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from netready.checks.resolver import DEFAULT_BOGUS_NAME, DEFAULT_SECURE_NAME

from .netlab import Lab, LabError, LabHost, program
from .servers import RootHint, Server, start_bind, start_unbound
from .topology import DNS_LAB_PROGRAMS

#: Programs the resolver lab runs, besides those every lab needs.
RESOLVER_LAB_PROGRAMS = (
    *DNS_LAB_PROGRAMS,
    "dnssec-keygen",
    "dnssec-signzone",
    "dnssec-dsfromkey",
    "openssl",
)

#: name -> (IPv4, IPv6) of every host in the resolver lab.
ADDRESSES: Mapping[str, tuple[str, str]] = {
    "auth": ("198.18.3.10", "2001:db8:3::10"),
    "dotres": ("198.18.3.53", "2001:db8:3::53"),
    "plainres": ("198.18.3.54", "2001:db8:3::54"),
    "badcert": ("198.18.3.55", "2001:db8:3::55"),
    "silent": ("198.18.3.56", "2001:db8:3::56"),
    "client": ("198.18.3.100", "2001:db8:3::100"),
    "bare": ("198.18.3.101", "2001:db8:3::101"),
}
#: In the lab subnet, held by no host: a resolver that never answers.
NO_HOST4 = "198.18.3.99"
#: The name of the lab root's only server; the root itself holds its addresses.
AUTH_NAME = "ns1.lab-root."
#: The name in dotres's certificate, besides its addresses.
DOTRES_NAME = "dotres.resolver-lab.test"
SECURE_ADDRESS = "198.18.3.80"
BOGUS_ADDRESS = "198.18.3.81"
DOH_PATH = "/dns-query"
#: Where `ip netns exec` looks for per-namespace files that replace those in /etc.
NETNS_ETC = Path("/etc/netns")

_SILENT_LISTENER = """\
import socket, sys, threading

def hold(address, port):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    server = socket.create_server((address, port), family=family, backlog=64)
    held = []
    while True:
        connection, _ = server.accept()
        held.append(connection)  # kept open, never read or written: a peer that never speaks

addresses, ports = sys.argv[1].split(","), [int(p) for p in sys.argv[2].split(",")]
for address in addresses:
    for port in ports:
        threading.Thread(target=hold, args=(address, port), daemon=True).start()
threading.Event().wait()
"""


@dataclass
class NetnsFiles:
    """The /etc/netns/<namespace> directories this lab made; removed by `remove`."""

    made: list[Path] = field(default_factory=list)

    def write_resolv_conf(self, host: LabHost, nameservers: Sequence[str]) -> Path:
        """Give `host` its own resolv.conf naming `nameservers` (none: a machine without)."""
        directory = NETNS_ETC / host.namespace
        # parents: /etc/netns may not exist (or another lab may just have removed it);
        # not exist_ok: the namespace name is unique per run, so it never exists already
        directory.mkdir(mode=0o755, parents=True)
        self.made.append(directory)
        lines = [f"nameserver {address}" for address in nameservers]
        path = directory / "resolv.conf"
        path.write_text("\n".join(["# netready resolver lab", *lines, "options timeout:1"]) + "\n")
        return path

    def remove(self) -> None:
        for directory in self.made:
            (directory / "resolv.conf").unlink(missing_ok=True)
            with contextlib.suppress(FileNotFoundError):
                directory.rmdir()
        # /etc/netns itself goes when it is empty: rmdir refuses a directory another lab
        # (run in parallel) still uses, so this never takes anything from anyone
        with contextlib.suppress(OSError):
            NETNS_ETC.rmdir()

    def leftovers(self) -> list[str]:
        return [f"netns config {directory}" for directory in self.made if directory.exists()]


@dataclass(frozen=True, slots=True)
class ResolverLab:
    """What the `resolver_lab` fixture yields.

    Attributes:
        lab: the `Lab`; hosts: every host by name; servers: started servers by host name
            (``auth``: BIND; ``dotres``, ``plainres``, ``badcert``: unbound).
        client, bare: the hosts the scanner runs on (see the module docstring).
        ca_file: the lab CA's certificate (PEM), for ``--ca-file``.
        secure_name, bogus_name: the validation test names the lab serves.
    """

    lab: Lab
    hosts: Mapping[str, LabHost]
    servers: Mapping[str, Server]
    client: LabHost
    bare: LabHost
    ca_file: Path
    secure_name: str
    bogus_name: str
    netns: NetnsFiles

    def ipv4(self, name: str) -> str:
        return ADDRESSES[name][0]

    def ipv6(self, name: str) -> str:
        return ADDRESSES[name][1]

    def run_in(
        self, host: LabHost, argv: Sequence[str], *, timeout: float = 120.0
    ) -> subprocess.CompletedProcess[str]:
        """Run `argv` in `host` with this environment (PYTHONPATH reaches the scanner)."""
        return host.run(argv, timeout=timeout, env=dict(os.environ))

    def scanner_argv(self, *args: str, resolver: str | None = None) -> list[str]:
        """``netready scan ARGS --resolver R --ca-file CA``; R defaults to dotres over IPv4."""
        resolver = resolver or self.ipv4("dotres")
        return [*self.bare_scanner_argv(*args), "--resolver", resolver]

    def bare_scanner_argv(self, *args: str) -> list[str]:
        """``netready scan ARGS --ca-file CA``, no --resolver: for the no-target tests only,
        in hosts whose resolv.conf the lab wrote."""
        return [sys.executable, "-m", "netready", "scan", *args, "--ca-file", str(self.ca_file)]


@contextmanager
def open_resolver_lab() -> Iterator[ResolverLab]:
    """Build the resolver lab in a new `Lab`; on exit remove it and check nothing is left."""
    netns = NetnsFiles()
    with Lab() as lab:
        try:
            yield build_resolver_lab(lab, netns)
        finally:
            netns.remove()
    left = lab.leftovers() + netns.leftovers()
    if left:
        raise LabError(
            f"resolver lab cleanup failed, still present: {left}; "
            "inspect with `ip netns list | grep ^nrl` and `ls /etc/netns`"
        )


def build_resolver_lab(lab: Lab, netns: NetnsFiles) -> ResolverLab:
    """Create the hosts, sign the zones, make the certificates and start every server."""
    hosts = {name: lab.add_host(name, ipv4=v4, ipv6=v6) for name, (v4, v6) in ADDRESSES.items()}
    # first, so no scanner run in these hosts can ever read the machine's resolv.conf
    netns.write_resolv_conf(hosts["client"], [ADDRESSES["dotres"][0]])
    netns.write_resolv_conf(hosts["bare"], [])
    auth = hosts["auth"]
    workdir = lab.tmpdir / "resolver-lab"
    workdir.mkdir()
    zones, trust_anchor = sign_lab_zones(workdir / "zones", auth)
    ca_file, dotres_pem, dotres_key = _lab_ca_and_certificate(workdir / "pki")
    selfsigned_pem, selfsigned_key = _self_signed_certificate(workdir / "pki", hosts["badcert"])
    hints = [RootHint(AUTH_NAME, auth.ipv4, auth.ipv6)]
    servers = {
        "auth": start_bind(auth, zones),
        "dotres": start_unbound(
            hosts["dotres"],
            hints,
            trust_anchor=trust_anchor,
            extra=_encrypted_transport_lines(hosts["dotres"], dotres_pem, dotres_key, doh=True),
        ),
        "plainres": start_unbound(hosts["plainres"], hints),
        "badcert": start_unbound(
            hosts["badcert"],
            hints,
            extra=_encrypted_transport_lines(
                hosts["badcert"], selfsigned_pem, selfsigned_key, doh=False
            ),
        ),
    }
    _start_silent_listener(hosts["silent"], workdir, ports=(853, 443))
    for name, ports in (("dotres", (853, 443)), ("badcert", (853,))):
        for port in ports:
            for family in (4, 6):
                hosts[name].wait_for_port(port, family=family)
    resolver_lab = ResolverLab(
        lab=lab,
        hosts=hosts,
        servers=servers,
        client=hosts["client"],
        bare=hosts["bare"],
        ca_file=ca_file,
        secure_name=DEFAULT_SECURE_NAME,
        bogus_name=DEFAULT_BOGUS_NAME,
        netns=netns,
    )
    _check_validation(resolver_lab)
    return resolver_lab


# --- zones ----------------------------------------------------------------------------------


def _zone_of(name: str) -> str:
    """The zone a test name gets: its last two labels (`www.example.org` -> `example.org.`)."""
    return ".".join(name.rstrip(".").split(".")[-2:]) + "."


def _parent_of(zone: str) -> str:
    return zone.split(".", 1)[1] or "."


def _zone_text(origin: str, lines: Sequence[str]) -> str:
    head = [
        "$TTL 300",
        f"{origin} SOA {AUTH_NAME} hostmaster.{AUTH_NAME} 1 3600 600 86400 60",
        f"{origin} NS {AUTH_NAME}",
    ]
    return "\n".join([*head, *lines]) + "\n"


def sign_lab_zones(workdir: Path, auth: LabHost) -> tuple[dict[str, str], Path]:
    """The lab's signed zones (origin -> text) and a trust anchor file with the root's DS.

    Every zone is served by `auth` (named `AUTH_NAME`, whose addresses the root holds).
    The secure name's zone is signed normally; the bogus name's zone with signatures that
    expired years ago. Each parent holds the child's correct DS, so the chain of trust is
    intact down to the bogus zone, whose own signatures then fail.
    """
    workdir.mkdir()
    leaves = {
        _zone_of(DEFAULT_SECURE_NAME): (DEFAULT_SECURE_NAME, SECURE_ADDRESS, False),
        _zone_of(DEFAULT_BOGUS_NAME): (DEFAULT_BOGUS_NAME, BOGUS_ADDRESS, True),
    }
    zones: dict[str, str] = {}
    tld_lines: dict[str, list[str]] = {}  # each TLD: delegations with DS to its leaf zones
    for origin, (name, address, expired) in leaves.items():
        text = _zone_text(origin, [f"{name.rstrip('.')}. A {address}"])
        zones[origin], ds = _sign(workdir, origin, text, expired=expired)
        tld_lines.setdefault(_parent_of(origin), []).extend([f"{origin} NS {AUTH_NAME}", ds])
    root_lines = [f"{AUTH_NAME} A {auth.ipv4}", f"{AUTH_NAME} AAAA {auth.ipv6}"]
    for tld, lines in tld_lines.items():
        zones[tld], ds = _sign(workdir, tld, _zone_text(tld, lines))
        root_lines += [f"{tld} NS {AUTH_NAME}", ds]
    zones["."], root_ds = _sign(workdir, ".", _zone_text(".", root_lines))
    trust_anchor = workdir / "root.ds"
    trust_anchor.write_text(root_ds + "\n")
    return zones, trust_anchor


def _sign(workdir: Path, origin: str, text: str, *, expired: bool = False) -> tuple[str, str]:
    """Sign `text` with a new ECDSA P-256 key; return the signed zone and the zone's DS."""
    name = "root" if origin == "." else origin.rstrip(".")
    unsigned = workdir / f"{name}.db"
    signed = workdir / f"{name}.signed"
    unsigned.write_text(text)
    # one key (flags 257) signs everything (-z): the lab needs a chain of trust, not rollovers
    keygen = ["dnssec-keygen", "-q", "-K", str(workdir), "-a", "ECDSAP256SHA256",
              "-f", "KSK", "-n", "ZONE", origin]  # fmt: skip
    key = _tool(keygen).strip()
    sign = ["dnssec-signzone", "-S", "-z", "-K", str(workdir), "-o", origin, "-f", str(signed)]
    if expired:
        # valid for a month, years ago; -P: the zone is meant to fail its own verification
        now = datetime.now(UTC)
        start, end = now - timedelta(days=3 * 365), now - timedelta(days=3 * 365 - 30)
        sign += ["-P", "-s", f"{start:%Y%m%d%H%M%S}", "-e", f"{end:%Y%m%d%H%M%S}"]
    _tool([*sign, str(unsigned)], cwd=workdir)
    ds = _tool(["dnssec-dsfromkey", "-a", "SHA-256", str(workdir / f"{key}.key")]).strip()
    return signed.read_text(), ds


def _tool(argv: Sequence[str], *, cwd: Path | None = None) -> str:
    """Run a local tool (no network: signing, certificates) with a timeout; its stdout."""
    done = subprocess.run(
        [program(argv[0]), *argv[1:]],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        raise LabError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


# --- certificates ---------------------------------------------------------------------------

#: `openssl req` with a new, unencrypted ECDSA P-256 key.
_NEW_KEY_REQUEST = ("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes")  # fmt: skip


def _lab_ca_and_certificate(workdir: Path) -> tuple[Path, Path, Path]:
    """A lab CA, and a certificate it issues for dotres: its name and both addresses."""
    workdir.mkdir(exist_ok=True)
    ca_key, ca_pem = workdir / "ca.key", workdir / "ca.pem"
    _tool([*_NEW_KEY_REQUEST, "-x509", "-keyout", str(ca_key), "-out", str(ca_pem),
           "-days", "30", "-subj", "/CN=netready resolver lab CA",
           "-addext", "basicConstraints=critical,CA:TRUE",
           "-addext", "keyUsage=critical,keyCertSign,cRLSign"])  # fmt: skip
    key, csr, pem = workdir / "dotres.key", workdir / "dotres.csr", workdir / "dotres.pem"
    _tool([*_NEW_KEY_REQUEST, "-keyout", str(key), "-out", str(csr),
           "-subj", f"/CN={DOTRES_NAME}"])  # fmt: skip
    v4, v6 = ADDRESSES["dotres"]
    extensions = workdir / "dotres.ext"
    extensions.write_text(
        f"subjectAltName=DNS:{DOTRES_NAME},IP:{v4},IP:{v6}\n"
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
    )
    _tool(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca_pem),
           "-CAkey", str(ca_key), "-CAcreateserial", "-out", str(pem), "-days", "90",
           "-extfile", str(extensions)])  # fmt: skip
    return ca_pem, pem, key


def _self_signed_certificate(workdir: Path, host: LabHost) -> tuple[Path, Path]:
    """A certificate for `host`'s addresses that no CA vouches for."""
    workdir.mkdir(exist_ok=True)
    key, pem = workdir / f"{host.name}.key", workdir / f"{host.name}.pem"
    _tool([*_NEW_KEY_REQUEST, "-x509", "-keyout", str(key), "-out", str(pem),
           "-days", "90", "-subj", f"/CN={host.name}.resolver-lab.test",
           "-addext", f"subjectAltName=IP:{host.ipv4},IP:{host.ipv6}"])  # fmt: skip
    return pem, key


# --- servers --------------------------------------------------------------------------------


def _encrypted_transport_lines(host: LabHost, pem: Path, key: Path, *, doh: bool) -> list[str]:
    """unbound ``server:`` lines for DoT on 853 (and DoH on 443), padding and keepalive."""
    ports = (853, 443) if doh else (853,)
    lines = [f"interface: {address}@{port}" for port in ports for address in _addresses(host)]
    lines += [
        "tls-port: 853",
        f'tls-service-key: "{key}"',
        f'tls-service-pem: "{pem}"',
        # RFC 7828: offer the keepalive option when a client asks (unbound's default is off)
        "edns-tcp-keepalive: yes",
        # RFC 8467: pad replies to padded queries over TLS (unbound's default, said aloud)
        "pad-responses: yes",
        "pad-responses-block-size: 468",
    ]
    if doh:
        lines += ["https-port: 443", f'http-endpoint: "{DOH_PATH}"']
    return lines


def _addresses(host: LabHost) -> list[str]:
    return [address for address in (host.ipv4, host.ipv6) if address]


def _start_silent_listener(host: LabHost, workdir: Path, ports: Sequence[int]) -> None:
    """Listen on `ports` at `host`'s addresses; accept, and never send or read a byte."""
    script = workdir / "silent.py"
    script.write_text(_SILENT_LISTENER)
    argv = [sys.executable, str(script), ",".join(_addresses(host)), ",".join(map(str, ports))]
    log = workdir / "silent.log"
    with log.open("ab") as sink:
        host.popen(argv, stdout=sink, stderr=subprocess.STDOUT)
    for port in ports:
        for family in (4, 6):
            host.wait_for_port(port, family=family)


def _check_validation(resolver_lab: ResolverLab) -> None:
    """Fail the fixture, with logs, unless dotres validates and plainres does not."""
    expectations: list[tuple[str, str, str]] = [
        ("dotres", resolver_lab.secure_name, "flags: qr rd ra ad;"),
        ("dotres", resolver_lab.bogus_name, "status: SERVFAIL"),
        ("plainres", resolver_lab.bogus_name, BOGUS_ADDRESS),
    ]
    for server, name, wanted in expectations:
        argv = [program("dig"), f"@{resolver_lab.ipv4(server)}", "+tries=2", "+time=2",
                "+dnssec", name, "A"]  # fmt: skip
        done = resolver_lab.client.run(argv, timeout=15)
        if wanted not in done.stdout:
            logs: dict[str, Any] = {
                host: resolver_lab.servers[host].log_tail() for host in (server, "auth")
            }
            raise LabError(
                f"{server}: expected {wanted!r} for {name}:\n{done.stdout}{done.stderr}\n"
                + "\n".join(f"--- {host} ---\n{tail}" for host, tail in logs.items())
            )
