"""A lab for benchmarks: N domains at a given round-trip time from the scanner.

Builds its own `Lab` (tests/lab) on 198.18.4.0/23 and 2001:db8:4::/64: one BIND serving the
lab root, `test.` and the N domain zones `dNNN.test`; a second BIND for the same zones (two
name servers with AAAA each); unbound; nginx with one certificate for every name; an SMTP
listener; and a client behind a user-space delay line, so every packet the scanner sends or
receives costs `rtt_ms / 2` each way. Everything is torn down on exit.

Each domain's web site has its own IPv4 and IPv6 address (198.18.5.N, 2001:db8:4::1:N), as
the sites of 200 different organisations would: the scanner's per-host limit then applies
per site, not to the whole benchmark. Name and mail servers are shared, as at a hoster.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.lab.netlab import Lab, LabHost, program
from tests.lab.servers import (
    RootHint,
    check_config,
    server_workdir,
    start_bind,
    start_foreground,
    start_unbound,
    wait_for_listening,
)
from tests.lab.web_servers import GOOD_HEADERS, Certificate, create_lab_ca, start_smtp
from tests.lab.zones import NameServer, delegation, records, server_addresses, zone_text

ADDRESSES = {
    "ns1": ("198.18.4.10", "2001:db8:4::10"),
    "ns2": ("198.18.4.11", "2001:db8:4::11"),
    "resolver": ("198.18.4.53", "2001:db8:4::53"),
    "web": ("198.18.4.80", "2001:db8:4::80"),
    "mail": ("198.18.4.25", "2001:db8:4::25"),
    "client": ("198.18.4.100", "2001:db8:4::100"),
}


@dataclass(frozen=True, slots=True)
class BenchLab:
    lab: Lab
    client: LabHost
    domains: tuple[str, ...]
    resolver_ip: str
    ca_file: Path

    def run_in_client(self, argv: Sequence[str], timeout: float = 600) -> str:
        done = self.client.run(list(argv), timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{argv} failed ({done.returncode}):\n{done.stderr}")
        return str(done.stdout)


def domain_names(count: int) -> tuple[str, ...]:
    return tuple(f"d{index:03d}.test" for index in range(count))


def _name_server(name: str) -> NameServer:
    ipv4, ipv6 = ADDRESSES[name]
    return NameServer(f"{name}.test.", ipv4, ipv6)


def site_addresses(index: int) -> tuple[str, str]:
    """The web site of domain number `index` (0-based): its own IPv4 and IPv6 address."""
    return f"198.18.5.{index + 1}", f"2001:db8:4::1:{index + 1:x}"


def _zones(domains: Sequence[str]) -> dict[str, str]:
    ns1, ns2 = _name_server("ns1"), _name_server("ns2")
    mail4, mail6 = ADDRESSES["mail"]
    root = zone_text(
        ".", ns1, [". NS ns1.test.", *server_addresses(ns1), *delegation("test.", [ns1])]
    )
    tld_lines = ["test. NS ns1.test.", *server_addresses(ns1), *server_addresses(ns2)]
    for domain in domains:
        tld_lines += [f"{domain}. NS ns1.test.", f"{domain}. NS ns2.test."]
    zones = {".": root, "test.": zone_text("test.", ns1, tld_lines)}
    for index, domain in enumerate(domains):
        web4, web6 = site_addresses(index)
        lines = [
            f"{domain}. NS ns1.test.",
            f"{domain}. NS ns2.test.",
            f"{domain}. MX 10 mail.{domain}.",
            *records(f"{domain}.", A=web4, AAAA=web6),
            *records(f"www.{domain}.", A=web4, AAAA=web6),
            *records(f"mail.{domain}.", A=mail4, AAAA=mail6),
        ]
        zones[f"{domain}."] = zone_text(f"{domain}.", ns1, lines)
    return zones


@contextmanager
def bench_lab(domain_count: int, *, rtt_ms: float) -> Iterator[BenchLab]:
    if not 0 < domain_count <= 250:
        raise ValueError("the benchmark lab has addresses for 1 to 250 domains")
    domains = domain_names(domain_count)
    with Lab() as lab:
        hosts = {
            name: lab.add_host(
                name,
                ipv4=v4,
                ipv6=v6,
                prefixlen4=23,
                delay_ms=rtt_ms / 2 if name == "client" else 0.0,
            )
            for name, (v4, v6) in ADDRESSES.items()
        }
        zones = _zones(domains)
        start_bind(hosts["ns1"], zones)
        start_bind(
            hosts["ns2"], {name: text for name, text in zones.items() if name not in (".", "test.")}
        )
        ns1 = _name_server("ns1")
        start_unbound(hosts["resolver"], [RootHint(ns1.name, ns1.ipv4, ns1.ipv6)])
        ca = create_lab_ca(lab.tmpdir / "bench-ca")
        every_name = [name for domain in domains for name in (domain, f"www.{domain}")]
        certificate = ca.issue("bench", every_name)
        _start_web(hosts["web"], domains, certificate)
        start_smtp(hosts["mail"], "mail.test ESMTP netready-bench")
        _learn_neighbours(hosts["client"], hosts, len(domains))
        yield BenchLab(lab, hosts["client"], domains, ADDRESSES["resolver"][0], ca.ca_file)
    leftovers = lab.leftovers()
    if leftovers:
        print(f"lab cleanup failed: {leftovers}", file=sys.stderr)


def _learn_neighbours(client: LabHost, hosts: dict[str, LabHost], domain_count: int) -> None:
    owners = [(host, (host.ipv4, host.ipv6)) for name, host in hosts.items() if name != "client"]
    owners += [(hosts["web"], site_addresses(index)) for index in range(domain_count)]
    learn_neighbours(client, owners)


def learn_neighbours(
    client: LabHost, owners: Sequence[tuple[LabHost, Sequence[str | None]]]
) -> None:
    """Give the client permanent ARP/ND entries for every address of every owner host.

    On the Internet a client resolves only its router's link-layer address, once; in the lab
    every server is on the client's link, and resolving each new address through the delay
    line would add a round trip per address that no real scan pays.
    """
    for host, addresses in owners:
        mac = _link_address(host)
        for address in addresses:
            if address:
                client.run(
                    ["ip", "neigh", "replace", address, "lladdr", mac, "dev", "eth0",
                     "nud", "permanent"],
                    check=True,
                )  # fmt: skip


def _link_address(host: LabHost) -> str:
    shown = host.run(["ip", "-j", "link", "show", "eth0"], check=True)
    return str(json.loads(shown.stdout)[0]["address"])


def _start_web(host: LabHost, domains: Sequence[str], certificate: Certificate) -> None:
    """nginx on every site address: HTTP redirects to HTTPS, HTTPS sends the good headers."""
    for index in range(len(domains)):
        ipv4, ipv6 = site_addresses(index)
        host.run(["ip", "addr", "add", f"{ipv4}/23", "dev", "eth0"], check=True)
        host.run(["ip", "addr", "add", f"{ipv6}/64", "dev", "eth0", "nodad"], check=True)
    workdir = server_workdir(host, "nginx")
    (workdir / "temp").mkdir()
    config = workdir / "nginx.conf"
    config.write_text(_nginx_config(workdir, certificate))
    base = [program("nginx"), "-e", str(workdir / "nginx.log"), "-p", str(workdir)]
    check_config(host, [*base, "-t", "-q", "-c", str(config)])
    server = start_foreground(
        host, "nginx", [*base, "-c", str(config), "-g", "daemon off;"], workdir, config
    )
    wait_for_listening(server, [80, 443])


def _nginx_config(workdir: Path, certificate: Certificate) -> str:
    headers = "".join(
        f'        add_header {name} "{value}" always;\n' for name, value in GOOD_HEADERS.items()
    )
    temp = "".join(
        f"    {kind}_temp_path {workdir / 'temp' / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""\
user root;
worker_processes 2;
pid {workdir / "nginx.pid"};
error_log {workdir / "nginx.log"} warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
{temp}    default_type text/html;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate {certificate.cert};
    ssl_certificate_key {certificate.key};
    server {{
        listen 80;
        listen [::]:80 ipv6only=on;
        return 301 https://$host$request_uri;
    }}
    server {{
        listen 443 ssl;
        listen [::]:443 ssl ipv6only=on;
{headers}        location / {{ return 200 "<!doctype html><title>$host</title><p>$host</p>"; }}
    }}
}}
"""


def run_timer(
    bench: BenchLab, families: str, domains: Sequence[str], concurrency: int
) -> dict[str, object]:
    """Time a scan inside the client namespace (benchmarks/scan_timer.py) and return its JSON."""
    argv = [
        sys.executable,
        str(Path(__file__).with_name("scan_timer.py")),
        "--resolver", bench.resolver_ip,
        "--ca-file", str(bench.ca_file),
        "--families", families,
        "--concurrency", str(concurrency),
        *domains,
    ]  # fmt: skip
    output = bench.run_in_client(argv)
    result: dict[str, object] = json.loads(output.splitlines()[-1])
    return result
