"""DNSSEC validation of 200 lab zones under one TLD at 50 ms round-trip time (issue 4).

    sudo .venv/bin/python -m benchmarks.dnssec [--zones 200] [--rtt-ms 50]

Builds its own lab on 198.18.6.0/24 and 2001:db8:6::/64: BIND with a signed lab root, BIND
with the signed TLD `test.` holding the DS of every zone, BIND with the zones `zNNN.test`
(each with its own KSK and ZSK, ECDSA P-256), a non-validating unbound, and a client behind a
user-space delay line. In the client it times (1) netready's dnssec checks of all zones in one
scan, and (2) `delv` validating each zone's SOA, one zone after the other, with the same
resolver and trust anchor. Goal (issue 4): netready < 2 s for 200 zones.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.labbench import learn_neighbours
from tests.lab.dnssec_zones import NameServer, Signer, addresses, zone_text
from tests.lab.netlab import Lab, LabHost, program
from tests.lab.servers import RootHint, start_bind, start_unbound

ADDRESSES = {
    "root": ("198.18.6.10", "2001:db8:6::10"),
    "tld": ("198.18.6.11", "2001:db8:6::11"),
    "auth": ("198.18.6.12", "2001:db8:6::12"),
    "resolver": ("198.18.6.53", "2001:db8:6::53"),
    "client": ("198.18.6.100", "2001:db8:6::100"),
}
ALGORITHM = "ECDSAP256SHA256"


@dataclass(frozen=True, slots=True)
class DnssecBench:
    client: LabHost
    zones: tuple[str, ...]
    resolver: str
    anchor: Path  # zone-file DS lines, for netready
    bind_anchor: Path  # trust-anchors { }, for delv


def _server(role: str) -> NameServer:
    return NameServer(f"ns-{role}.test.", *ADDRESSES[role])


def _sign_child(signer: Signer, zone: str, auth: NameServer) -> tuple[str, str, str]:
    """(zone, signed text, DS line) for one child zone with its own keys."""
    ksk = signer.keygen(zone, ALGORITHM, ksk=True)
    zsk = signer.keygen(zone, ALGORITHM, ksk=False)
    lines = [f"{zone} A 198.18.6.80", f"{zone} AAAA 2001:db8:6::80"]
    return zone, signer.sign(zone, zone_text(zone, auth, lines), [ksk, zsk]), signer.ds(ksk)


def _signed(
    signer: Signer, zone: str, primary: NameServer, lines: Sequence[str]
) -> tuple[str, str]:
    ksk = signer.keygen(zone, ALGORITHM, ksk=True)
    zsk = signer.keygen(zone, ALGORITHM, ksk=False)
    return signer.sign(zone, zone_text(zone, primary, lines), [ksk, zsk]), signer.ds(ksk)


def _bind_anchor(ds_line: str) -> str:
    fields = ds_line.split()
    at = fields.index("DS")
    tag, algorithm, digest_type = fields[at + 1 : at + 4]
    digest = "".join(fields[at + 4 :])
    return f'trust-anchors {{\n    . static-ds {tag} {algorithm} {digest_type} "{digest}";\n}};\n'


@contextmanager
def dnssec_bench(zone_count: int, *, rtt_ms: float) -> Iterator[DnssecBench]:
    zones = tuple(f"z{index:03d}.test." for index in range(zone_count))
    with Lab() as lab:
        hosts = {
            name: lab.add_host(
                name, ipv4=v4, ipv6=v6, delay_ms=rtt_ms / 2 if name == "client" else 0.0
            )
            for name, (v4, v6) in ADDRESSES.items()
        }
        root, tld, auth = _server("root"), _server("tld"), _server("auth")
        signer = Signer(lab.tmpdir / "keys")
        with ThreadPoolExecutor(max_workers=4) as pool:  # key generation dominates set-up
            children = list(pool.map(lambda zone: _sign_child(signer, zone, auth), zones))
        tld_lines = [*addresses(root), *addresses(tld), *addresses(auth)]
        for zone, _text, ds in children:
            tld_lines += [f"{zone} NS {auth.name}", ds]
        tld_text, tld_ds = _signed(signer, "test.", tld, tld_lines)
        root_lines = [*addresses(root), *addresses(tld), f"test. NS {tld.name}", tld_ds]
        root_text, root_ds = _signed(signer, ".", root, root_lines)
        start_bind(hosts["root"], {".": root_text})
        start_bind(hosts["tld"], {"test.": tld_text})
        start_bind(hosts["auth"], {zone: text for zone, text, _ds in children})
        start_unbound(hosts["resolver"], [RootHint(root.name, *ADDRESSES["root"])])
        owners = [
            (host, (host.ipv4, host.ipv6)) for name, host in hosts.items() if name != "client"
        ]
        learn_neighbours(hosts["client"], owners)
        anchor = lab.tmpdir / "root.ds"
        anchor.write_text(root_ds + "\n")
        bind_anchor = lab.tmpdir / "root.bind-anchor"
        bind_anchor.write_text(_bind_anchor(root_ds))
        yield DnssecBench(hosts["client"], zones, ADDRESSES["resolver"][0], anchor, bind_anchor)


def time_netready(bench: DnssecBench) -> dict[str, object]:
    argv = [
        sys.executable, str(Path(__file__).with_name("scan_timer.py")),
        "--resolver", bench.resolver, "--trust-anchor", str(bench.anchor),
        "--families", "dnssec", "--concurrency", "256",
        *(zone.rstrip(".") for zone in bench.zones),
    ]  # fmt: skip
    done = bench.client.run(argv, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"the scan failed:\n{done.stderr}")
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def time_delv(bench: DnssecBench) -> tuple[float, int]:
    """delv for each zone's SOA, one after the other, in one shell in the client."""
    delv = program("delv")
    commands = " ; ".join(
        f"{delv} @{bench.resolver} -a {bench.bind_anchor} +root {zone} SOA 2>&1"
        for zone in bench.zones
    )
    started = time.perf_counter()
    done = bench.client.run(["sh", "-c", commands], timeout=1800)
    elapsed = time.perf_counter() - started
    return elapsed, done.stdout.count("; fully validated")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=200)
    parser.add_argument("--rtt-ms", type=float, default=50.0)
    args = parser.parse_args()
    with dnssec_bench(args.zones, rtt_ms=args.rtt_ms) as bench:
        netready = time_netready(bench)
        delv_seconds, delv_secure = time_delv(bench)
    print(json.dumps({"netready": netready, "delv_s": round(delv_seconds, 3)}, indent=1))
    by_check = netready["by_check"]
    print(
        f"netready: {netready['targets']} zones in {netready['wall_s']} s (goal < 2 s), "
        f"dnssec.status pass {by_check.get('dnssec.status:pass', 0)}/{args.zones}, "  # type: ignore[attr-defined]
        f"peak RSS {netready['peak_rss_mb']} MB; delv one after the other: "
        f"{delv_seconds:.1f} s, {delv_secure}/{args.zones} fully validated; RTT {args.rtt_ms:g} ms"
    )


if __name__ == "__main__":
    main()
