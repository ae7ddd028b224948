"""The LAN lab: a local network whose owner thinks it is IPv4-only, and what hides in it.

::

      dns ───────┐  BIND: lan.test, its reverse zones, a root for single-label names
                 │                                   198.18.9.53   2001:db8:9::53
      v6port ────┤  port 445 open over IPv6; IPv4 445 dropped by iptables
                 │                                   198.18.9.20   2001:db8:9::20
      nov6 ──────┤  IPv6 switched off; port 22 over IPv4 (a clean host)
                 │                                   198.18.9.21   -
      router ────┤  radvd: rogue advertisements of 2001:db8:9::/64 (not a default router)
                 │                                   198.18.9.22   (link-local only)
      dhcp ──────┤  dnsmasq: a DHCPv6 server offering 2001:db8:9::1000-1fff
                 │                                   198.18.9.23   2001:db8:9::23
      clean ─────┤  port 22 open over both families (a clean dual-stack host)
                 │                                   198.18.9.30   2001:db8:9::30
      dual ──────┤  a server whose IPv4 firewall lets only 80 and 443 in, while 22 and 3389
                 │  are open over IPv6               198.18.9.80   2001:db8:9::80
      client ────┤  the scanner for targets (static addresses, ignores advertisements)
                 │                                   198.18.9.100  2001:db8:9::100
      lanclient ─┤  the scanner for --lan: accepts advertisements, so it has learned
                 │  radvd's prefix (passively) and made a SLAAC address in it
                 │                                   198.18.9.101  (link-local + SLAAC)
      tunclient ─┘  the scanner with tunnels: a tun device named `teredo` (up, with a lab
                    address) and an ISATAP-format address on eth0
                                                     198.18.9.102  2001:db8:9::5efe:c612:966
              bridge br0 in namespace <prefix>-switch; 198.18.9.0/24, 2001:db8:9::/64

`lanclient` and `tunclient` get a resolv.conf (`search lan.test`, nameserver dns) through
/etc/netns, so the scanner's `exposure.tunnel` name checks see a search domain; the scanner is
still always given `--resolver` explicitly. `wpad.lan.test` resolves (198.18.9.66, a rogue
WPAD host that need not exist); `isatap.lan.test`, `isatap.` and `wpad.` do not.

Nothing here has a default route, and radvd advertises a router lifetime of 0 (no default
route either): the rogue advertisements hand out a prefix and a DNS server, which is enough
to put IPv6 on an "IPv4-only" network.
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .netlab import Lab, LabError, LabHost, poll_until, program
from .resolver_topology import NetnsFiles
from .servers import Server, check_config, server_workdir, start_bind, start_foreground

#: Programs the LAN lab runs, besides those every lab needs.
LAN_LAB_PROGRAMS = ("named", "named-checkconf", "radvd", "dnsmasq", "iptables", "setpriv", "ping")

#: name -> (IPv4, IPv6 or None) of every host.
ADDRESSES: Mapping[str, tuple[str, str | None]] = {
    "dns": ("198.18.9.53", "2001:db8:9::53"),
    "v6port": ("198.18.9.20", "2001:db8:9::20"),
    "nov6": ("198.18.9.21", None),
    "router": ("198.18.9.22", None),
    "dhcp": ("198.18.9.23", "2001:db8:9::23"),
    "clean": ("198.18.9.30", "2001:db8:9::30"),
    "dual": ("198.18.9.80", "2001:db8:9::80"),
    "client": ("198.18.9.100", "2001:db8:9::100"),
    "lanclient": ("198.18.9.101", None),
    "tunclient": ("198.18.9.102", None),
}
PREFIX = "2001:db8:9::/64"
DHCP_RANGE = ("2001:db8:9::1000", "2001:db8:9::1fff")
#: An ISATAP-format address (interface identifier 0:5efe:<IPv4>) for tunclient's eth0.
ISATAP_ADDRESS = "2001:db8:9::5efe:c612:966"
#: The lab address on tunclient's `teredo` tun device.
TEREDO_DEVICE_ADDRESS = "2001:db8:9::7e:1"
ROGUE_WPAD = "198.18.9.66"
#: TCP ports with listeners, by host; `iptables` rules, by host.
LISTENERS: Mapping[str, tuple[int, ...]] = {
    "v6port": (445,),
    "nov6": (22,),
    "clean": (22,),
    "dual": (22, 80, 443, 3389),
}
IPV4_FIREWALLS: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "v6port": (("-A", "INPUT", "-p", "tcp", "--dport", "445", "-j", "DROP"),),
    "dual": (
        ("-A", "INPUT", "-p", "tcp", "-m", "multiport", "--dports", "80,443", "-j", "ACCEPT"),
        ("-A", "INPUT", "-p", "tcp", "--syn", "-j", "DROP"),
    ),
}
#: Names in lan.test: name -> (A, AAAA).
NAMES: Mapping[str, tuple[str | None, str | None]] = {
    "dual": ("198.18.9.80", "2001:db8:9::80"),
    "clean": ("198.18.9.30", "2001:db8:9::30"),
    "v6port": ("198.18.9.20", "2001:db8:9::20"),
    "v4only": ("198.18.9.21", None),
    "wpad": (ROGUE_WPAD, None),
    "sixtofour": ("198.18.9.80", "2002:c612:950::1"),
    "teredo": (None, "2001:0:4136:e378:8000:63bf:3fff:fdd2"),
    "mapped": (None, "::ffff:198.18.9.80"),
    "nat64": ("198.18.9.81", "64:ff9b::c612:951"),  # what a DNS64 resolver would make
    "nat64other": ("198.18.9.81", "64:ff9b::c612:9fe"),  # embeds another IPv4 address
}
#: PTR records: address -> name in lan.test.
REVERSE: Mapping[str, str] = {
    "198.18.9.20": "v6port",
    "198.18.9.30": "clean",
    "198.18.9.80": "dual",
    "2001:db8:9::80": "dual",
    "2001:db8:9::20": "v6port",
}

_LISTENER = """\
import socket, sys, threading

def serve(port):
    if sys.argv[1] == "4":
        server = socket.create_server(("0.0.0.0", port))
    else:
        server = socket.create_server(("::", port), family=socket.AF_INET6, dualstack_ipv6=True)
    while True:
        connection, _ = server.accept()
        connection.close()

for port in sys.argv[2:]:
    threading.Thread(target=serve, args=(int(port),), daemon=True).start()
threading.Event().wait()
"""


@dataclass(frozen=True, slots=True)
class LanLab:
    """What the `lan_lab` fixture yields.

    Attributes:
        lab: the `Lab`; hosts: every host by name; servers: BIND, radvd, dnsmasq by host.
        client, lanclient, tunclient: where the scanner runs (see the module docstring).
        resolver_ip: the lab DNS server, for `--resolver`.
        macs: every host's link-layer address, by host name.
        link_locals: every IPv6 host's link-local address, by host name.
        dbdir: a directory anyone may write (databases of unprivileged scans).
    """

    lab: Lab
    hosts: Mapping[str, LabHost]
    servers: Mapping[str, Server]
    client: LabHost
    lanclient: LabHost
    tunclient: LabHost
    resolver_ip: str
    macs: Mapping[str, str]
    link_locals: Mapping[str, str]
    dbdir: Path
    netns: NetnsFiles

    def scanner_argv(self, *args: str, db: str) -> list[str]:
        """``netready scan ARGS --resolver <dns> --db DB`` as the scanner's argv."""
        return [sys.executable, "-m", "netready", "scan", *args,
                "--resolver", self.resolver_ip, "--db", db]  # fmt: skip

    def scan(
        self,
        host: LabHost,
        *args: str,
        unprivileged: bool = False,
        timeout: float = 180.0,
    ) -> tuple[list[dict[str, Any]], subprocess.CompletedProcess[str]]:
        """Run a scan in `host` (as `nobody` when `unprivileged`); its JSON findings and run."""
        db = str(self.dbdir / f"scan-{os.urandom(4).hex()}.db")
        argv = self.scanner_argv(*args, "--json", "-", db=db)
        if unprivileged:
            argv = [program("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups", *argv]
        env = dict(os.environ)
        if unprivileged:
            # nobody cannot read root's home, where the default database would go
            env |= {"HOME": str(self.dbdir), "XDG_DATA_HOME": str(self.dbdir)}
        done = host.run(argv, timeout=timeout, env=env)
        findings = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        return findings, done


@contextmanager
def open_lan_lab() -> Iterator[LanLab]:
    """Build the LAN lab in a new `Lab`; on exit remove it and check nothing is left."""
    netns = NetnsFiles()
    with Lab() as lab:
        try:
            yield build_lan_lab(lab, netns)
        finally:
            netns.remove()
    left = lab.leftovers() + netns.leftovers()
    if left:
        raise LabError(
            f"LAN lab cleanup failed, still present: {left}; "
            "inspect with `ip netns list | grep ^nrl` and `ls /etc/netns`"
        )


def build_lan_lab(lab: Lab, netns: NetnsFiles) -> LanLab:
    hosts = {name: lab.add_host(name, ipv4=v4, ipv6=v6) for name, (v4, v6) in ADDRESSES.items()}
    for name in ("lanclient", "tunclient"):
        # first, so that no scanner run there ever reads the machine's own resolv.conf
        netns.write_resolv_conf(hosts[name], [ADDRESSES["dns"][0]])
        _add_search_domain(netns, hosts[name])
    _sysctl(
        hosts["nov6"], "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"
    )
    _sysctl(hosts["lanclient"], "net.ipv6.conf.eth0.accept_ra=1", "net.ipv6.conf.eth0.autoconf=1")
    _add_tunnels(hosts["tunclient"])
    for name, rules in IPV4_FIREWALLS.items():
        for rule in rules:
            _run(hosts[name], ["iptables", *rule])
    workdir = lab.tmpdir / "lan-lab"
    workdir.mkdir()
    for name, ports in LISTENERS.items():
        _start_listener(hosts[name], workdir, ports)
    servers = {
        "dns": start_bind(hosts["dns"], lan_zones()),
        "dhcp": start_dnsmasq(hosts["dhcp"]),
        "router": start_radvd(hosts["router"]),
    }
    _wait_for_advertisement(hosts["lanclient"])
    dbdir = lab.tmpdir / "databases"
    dbdir.mkdir()
    dbdir.chmod(0o777)  # unprivileged scans write their databases here
    lab.tmpdir.chmod(0o755)
    return LanLab(
        lab=lab,
        hosts=hosts,
        servers=servers,
        client=hosts["client"],
        lanclient=hosts["lanclient"],
        tunclient=hosts["tunclient"],
        resolver_ip=ADDRESSES["dns"][0],
        macs={name: _mac(host) for name, host in hosts.items()},
        link_locals={name: ll for name, host in hosts.items() if (ll := _link_local(host))},
        dbdir=dbdir,
        netns=netns,
    )


def _run(host: LabHost, argv: Sequence[str]) -> str:
    done = host.run([program(argv[0]), *argv[1:]], timeout=15)
    if done.returncode != 0:
        raise LabError(f"{' '.join(argv)} in {host.name} failed: {done.stderr.strip()}")
    return str(done.stdout)


def _sysctl(host: LabHost, *settings: str) -> None:
    for setting in settings:
        _run(host, ["sysctl", "-q", "-w", setting])


def _add_search_domain(netns: NetnsFiles, host: LabHost) -> None:
    path = Path("/etc/netns") / host.namespace / "resolv.conf"
    path.write_text(path.read_text() + "search lan.test\n")


def _add_tunnels(host: LabHost) -> None:
    """A Miredo-like `teredo` tun device, up with a lab address, and an ISATAP-format address.

    (This kernel has no `sit` driver for real 6to4 or ISATAP tunnels; Teredo and 6to4
    addresses lie outside the lab ranges, so the address kinds are unit-tested instead.)
    """
    _run(host, ["ip", "tuntap", "add", "dev", "teredo", "mode", "tun"])
    _run(host, ["ip", "link", "set", "teredo", "up"])
    _run(
        host, ["ip", "-6", "addr", "add", f"{TEREDO_DEVICE_ADDRESS}/128", "dev", "teredo", "nodad"]
    )
    _run(host, ["ip", "-6", "addr", "add", f"{ISATAP_ADDRESS}/64", "dev", "eth0", "nodad"])


def _mac(host: LabHost) -> str:
    return str(json.loads(_run(host, ["ip", "-j", "link", "show", "eth0"]))[0]["address"])


def _link_local(host: LabHost) -> str | None:
    entries = json.loads(
        _run(host, ["ip", "-j", "-6", "addr", "show", "dev", "eth0", "scope", "link"])
    )
    for entry in entries:
        for info in entry.get("addr_info", ()):
            if info.get("local"):
                return str(info["local"])
    return None


def _start_listener(host: LabHost, workdir: Path, ports: Sequence[int]) -> None:
    # a dual-stack socket shows as IPv6; the host without IPv6 listens on IPv4 only
    family = "4" if host.name == "nov6" else "6"
    script = workdir / "listener.py"
    script.write_text(_LISTENER)
    with (workdir / f"listener-{host.name}.log").open("ab") as log:
        host.popen(
            [sys.executable, "-I", str(script), family, *map(str, ports)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    for port in ports:
        host.wait_for_port(port, family=int(family))


# --- DNS ----------------------------------------------------------------------------------------


def lan_zones() -> dict[str, str]:
    """The root (so single-label names get NXDOMAIN), lan.test and the reverse zones."""
    dns4, dns6 = ADDRESSES["dns"]
    head = ["@ NS ns.lan.test.", f"ns.lan.test. A {dns4}", f"ns.lan.test. AAAA {dns6}"]
    lines = [*head]
    for name, (a, aaaa) in NAMES.items():
        lines += [f"{name} A {a}"] if a else []
        lines += [f"{name} AAAA {aaaa}"] if aaaa else []
    reverse4 = [*head]
    reverse6 = [*head]
    for address, name in REVERSE.items():
        if ":" in address:
            owner = _reverse6_owner(address)
            reverse6.append(f"{owner} PTR {name}.lan.test.")
        else:
            reverse4.append(f"{address.rsplit('.', 1)[1]} PTR {name}.lan.test.")
    return {
        ".": _zone(".", head),
        "lan.test.": _zone("lan.test.", lines),
        "9.18.198.in-addr.arpa.": _zone("9.18.198.in-addr.arpa.", reverse4),
        "0.0.0.0.9.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.": _zone(
            "0.0.0.0.9.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", reverse6
        ),
    }


def _reverse6_owner(address: str) -> str:
    return ipaddress.IPv6Address(address).reverse_pointer + "."


def _zone(origin: str, lines: Sequence[str]) -> str:
    soa = f"$ORIGIN {origin}\n$TTL 60\n@ SOA ns.lan.test. hostmaster.lan.test. 1 3600 600 86400 30"
    return "\n".join([soa, *lines]) + "\n"


# --- radvd and dnsmasq ------------------------------------------------------------------------


def start_radvd(host: LabHost) -> Server:
    """radvd on eth0: advertises `PREFIX` (on-link, SLAAC) and a DNS server, lifetime 0."""
    _sysctl(host, "net.ipv6.conf.all.forwarding=1")  # radvd refuses to run on a non-router
    workdir = server_workdir(host, "radvd")
    config = workdir / "radvd.conf"
    config.write_text(
        "interface eth0 {\n"
        "    AdvSendAdvert on;\n"
        "    MinRtrAdvInterval 3;\n"
        "    MaxRtrAdvInterval 4;\n"
        "    AdvDefaultLifetime 0;\n"
        f"    prefix {PREFIX} {{ AdvOnLink on; AdvAutonomous on; }};\n"
        f"    RDNSS {ADDRESSES['dns'][1]} {{ }};\n"
        "};\n"
    )
    check_config(host, [program("radvd"), "-c", "-C", str(config)])
    argv = [program("radvd"), "-n", "-C", str(config), "-p", str(workdir / "radvd.pid"),
            "-m", "stderr", "-d", "1"]  # fmt: skip
    return start_foreground(host, "radvd", argv, workdir, config)


def start_dnsmasq(host: LabHost) -> Server:
    """dnsmasq as a stateful DHCPv6 server on eth0 (no DNS, no router advertisements)."""
    workdir = server_workdir(host, "dnsmasq")
    config = workdir / "dnsmasq.conf"
    config.write_text(
        "port=0\n"
        "interface=eth0\n"
        "bind-interfaces\n"
        f"dhcp-range={DHCP_RANGE[0]},{DHCP_RANGE[1]},64,1h\n"
        f"dhcp-option=option6:dns-server,[{ADDRESSES['dns'][1]}]\n"
        f"dhcp-leasefile={workdir / 'leases'}\n"
        f"pid-file={workdir / 'dnsmasq.pid'}\n"
        "log-dhcp\n"
        "log-facility=-\n"
    )
    check_config(host, [program("dnsmasq"), "--test", f"--conf-file={config}"])
    argv = [program("dnsmasq"), "--keep-in-foreground", f"--conf-file={config}"]
    server = start_foreground(host, "dnsmasq", argv, workdir, config)
    poll_until(lambda: host.is_listening(547, "udp", 6), timeout=15, what="dnsmasq on udp/547")
    return server


def _wait_for_advertisement(host: LabHost) -> None:
    """Until `host` has learned radvd's prefix: the passive evidence the tests rely on."""

    def learned() -> bool:
        routes = json.loads(_run(host, ["ip", "-j", "-6", "route", "show", PREFIX]) or "[]")
        return any("expires" in route for route in routes)

    poll_until(learned, timeout=20, what=f"{host.name} to learn {PREFIX} from radvd", interval=0.2)
