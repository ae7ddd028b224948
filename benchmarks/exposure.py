"""Port parity of 30 ports on 50 dual-stack lab hosts at 50 ms round-trip time (issue 6).

    sudo .venv/bin/python -m benchmarks.exposure [--hosts 50] [--rtt-ms 50] [--sweep-rate 1000]

Builds its own `Lab` (tests/lab) on 198.18.9.0/24 and 2001:db8:9::/64: one server namespace
holding every host's IPv4 and IPv6 address (198.18.9.101.., 2001:db8:9::1:1..), whose IPv4
firewall lets only 80 and 443 in (every other SYN is dropped: those ports are *filtered* and
cost the full port timeout), while 22 and 3389 listen on both families and the other ports
answer with a reset over IPv6; one BIND serving `hNN.bench.test` (A + AAAA each); the
scanner's client behind a user-space delay line (25 ms each way). Then, inside the client,
it times `--checks exposure` over the 50 names with the engine alone (start-up not counted,
benchmarks/scan_timer.py) and checks that every host got its two failures (22 and 3389).

Goal: < 5 s with the default settings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.labbench import learn_neighbours
from tests.lab.netlab import Lab, LabHost, program
from tests.lab.servers import start_bind
from tests.lab.zones import NameServer, records, zone_text

SERVER = ("198.18.9.10", "2001:db8:9::10")
DNS = ("198.18.9.53", "2001:db8:9::53")
CLIENT = ("198.18.9.100", "2001:db8:9::100")
OPEN_OVER_IPV6_ONLY = (22, 3389)
_LISTENER = """\
import socket, sys, threading
def serve(port):
    server = socket.create_server(("::", port), family=socket.AF_INET6, dualstack_ipv6=True,
                                  backlog=512)
    while True:
        connection, _ = server.accept()
        connection.close()
for port in sys.argv[1:]:
    threading.Thread(target=serve, args=(int(port),), daemon=True).start()
threading.Event().wait()
"""


def host_addresses(index: int) -> tuple[str, str]:
    """The addresses of bench host `index` (0-based)."""
    return f"198.18.9.{101 + index}", f"2001:db8:9::1:{index + 1:x}"


def host_names(count: int) -> list[str]:
    return [f"h{index:02d}.bench.test" for index in range(count)]


@dataclass(frozen=True, slots=True)
class ExposureBench:
    client: LabHost
    names: list[str]


@contextmanager
def exposure_lab(count: int, *, rtt_ms: float) -> Iterator[ExposureBench]:
    if not 0 < count <= 150:
        raise ValueError("the exposure benchmark has addresses for 1 to 150 hosts")
    with Lab() as lab:
        server = lab.add_host("server", ipv4=SERVER[0], ipv6=SERVER[1])
        dns = lab.add_host("dns", ipv4=DNS[0], ipv6=DNS[1])
        client = lab.add_host("client", ipv4=CLIENT[0], ipv6=CLIENT[1], delay_ms=rtt_ms / 2)
        addresses = [host_addresses(index) for index in range(count)]
        for ipv4, ipv6 in addresses:
            server.run([program("ip"), "addr", "add", f"{ipv4}/24", "dev", "eth0"], check=True)
            server.run(
                [program("ip"), "-6", "addr", "add", f"{ipv6}/64", "dev", "eth0", "nodad"],
                check=True,
            )
        _firewall_ipv4(server)
        _start_listener(lab, server)
        names = host_names(count)
        start_bind(dns, _zones(names, addresses))
        learn_neighbours(client, [(server, [a for pair in addresses for a in pair]), (dns, DNS)])
        yield ExposureBench(client, names)
    leftovers = lab.leftovers()
    if leftovers:
        print(f"lab cleanup failed: {leftovers}", file=sys.stderr)


def _firewall_ipv4(server: LabHost) -> None:
    iptables = program("iptables")
    for rule in (
        ["-A", "INPUT", "-p", "tcp", "-m", "multiport", "--dports", "80,443", "-j", "ACCEPT"],
        ["-A", "INPUT", "-p", "tcp", "--syn", "-j", "DROP"],
    ):
        server.run([iptables, *rule], check=True)


def _start_listener(lab: Lab, server: LabHost) -> None:
    script = lab.tmpdir / "listener.py"
    script.write_text(_LISTENER)
    ports = [str(port) for port in (*OPEN_OVER_IPV6_ONLY, 80, 443)]
    server.popen([sys.executable, "-I", str(script), *ports], stderr=subprocess.DEVNULL)
    for port in OPEN_OVER_IPV6_ONLY:
        server.wait_for_port(port, family=6)


def _zones(names: list[str], addresses: list[tuple[str, str]]) -> dict[str, str]:
    primary = NameServer("ns.bench.test.", DNS[0], DNS[1])
    lines = ["@ NS ns.bench.test.", *records("ns.bench.test.", A=DNS[0], AAAA=DNS[1])]
    for name, (ipv4, ipv6) in zip(names, addresses, strict=True):
        lines += records(f"{name}.", A=ipv4, AAAA=ipv6)
    return {"bench.test.": zone_text("bench.test.", primary, lines)}


def run_inner(args: argparse.Namespace) -> None:
    """Inside the client namespace: time the scan and print one JSON line."""
    from benchmarks.scan_timer import timed_scan
    from netready.config import ScanConfig

    config = ScanConfig(
        resolvers=(DNS[0],),
        families=("exposure",),
        sweep_rate=args.sweep_rate,
        concurrency=args.concurrency,
        timeout=5.0,
    )
    result = asyncio.run(timed_scan(config, args.names))
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--rtt-ms", type=float, default=50.0)
    parser.add_argument("--sweep-rate", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("names", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        run_inner(args)
        return
    with exposure_lab(args.hosts, rtt_ms=args.rtt_ms) as bench:
        argv = [sys.executable, "-m", "benchmarks.exposure", "--inner",
                "--sweep-rate", str(args.sweep_rate), "--concurrency", str(args.concurrency),
                *bench.names]  # fmt: skip
        done = bench.client.run(argv, timeout=600, cwd=str(Path(__file__).parents[1]))
        if done.returncode != 0:
            raise SystemExit(f"the timed scan failed ({done.returncode}):\n{done.stderr}")
        result = json.loads(done.stdout.splitlines()[-1])
    by_check = result["by_check"]
    failures = by_check.get("exposure.port_parity:fail", 0)
    expected = args.hosts * len(OPEN_OVER_IPV6_ONLY)
    print(json.dumps(result, indent=1))
    print(
        f"{args.hosts} dual-stack hosts x 30 ports x 2 families at {args.rtt_ms:g} ms RTT: "
        f"{result['wall_s']} s (goal < 5 s), sweep rate {args.sweep_rate}/s, "
        f"{failures} of {expected} expected failures found, peak RSS {result['peak_rss_mb']} MB"
    )
    if failures != expected:
        raise SystemExit("the benchmark did not find every exposed port: the figure is void")


if __name__ == "__main__":
    main()
