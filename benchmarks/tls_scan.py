"""netready's TLS enumeration against sslyze, same endpoints, same run, 50 ms round trip (issue 3).

    sudo .venv/bin/python -m benchmarks.tls_scan [--rtt-ms 50] [--rounds 1] [--json FILE]

Builds tests/lab/tls_bench_lab.py's lab with the client behind a user-space delay line
(every packet to or from it waits rtt/2 each way), then for each endpoint — a modern and a
legacy nginx, each on a port where the server enforces its order and one where it follows
the client's, and a legacy one enforcing OpenSSL's order reversed, over IPv4 and IPv6 —
runs, in the client namespace:

* netready: `enumerate_tls` (versions, suites per version, the server's order, groups, DH);
* sslyze:  ``python -m sslyze --sslv2 --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3
  --elliptic_curves`` (the scan commands that cover the same ground, minus the order);

checks that both found identical accepted versions and suites (and EC curves), and reports
wall times, the ratio and connection counts (counted by the servers' nftables counters).

Timing: ``netready_s`` is the enumeration alone, ``sslyze_s`` is sslyze's own scan time
from its JSON report (``date_scans_started`` to ``date_scans_completed``, its connectivity
test included), so neither pays for its interpreter's start-up; the ratio is
``netready_s / sslyze_s``. Process wall times are reported too. Goal: ratio <= 0.1.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from typing import Any

from tests.lab.tls_bench_lab import (
    ADDRESSES,
    EC_CURVE_NAMES,
    TlsBenchLab,
    open_tls_lab,
    run_enumeration,
    run_sslyze,
)

ENDPOINTS = [  # (label, host, port)
    ("modern, client's order", "modern", 443),
    ("modern, server's order", "modern", 8443),
    ("legacy, server's order", "legacy", 443),
    ("legacy, client's order", "legacy", 8443),
    ("legacy, reversed order", "legacy", 9443),  # the server's: OpenSSL's order reversed
]
GOAL = 0.1


def measure(bench: TlsBenchLab, host: str, port: int, family: int) -> dict[str, Any]:
    """Time both tools on one endpoint; compare what they found."""
    address = ADDRESSES[host][0 if family == 4 else 1]
    bench.reset_counters()
    [found] = run_enumeration(bench, [(address, port, "none")], timeout=5.0)
    netready_connections = bench.connections(host, port)
    bench.reset_counters()
    sslyze = run_sslyze(bench, address, port)
    sslyze_connections = bench.connections(host, port)
    ours = {version: frozenset(suites) for version, suites in found["versions"].items()}
    same_suites = ours == sslyze.versions
    same_curves = set(found["groups"]) & EC_CURVE_NAMES == sslyze.curves
    return {
        "address": address,
        "port": port,
        "identical_versions_and_suites": same_suites,
        "identical_ec_curves": same_curves,
        "accepted": {version: len(suites) for version, suites in found["versions"].items()},
        "server_enforces_order": found["server_enforces_order"],
        "netready_s": round(found["seconds"], 3),
        "netready_process_s": round(found["process_seconds"], 3),
        "sslyze_s": round(sslyze.scan_seconds, 3),
        "sslyze_process_s": round(sslyze.wall_seconds, 3),
        "ratio": round(found["seconds"] / sslyze.scan_seconds, 4),
        "netready_connections": netready_connections,
        "netready_connections_self_counted": found["connections"],
        "sslyze_connections": sslyze_connections,
        "error": found["error"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtt-ms", type=float, default=50.0)
    parser.add_argument("--rounds", type=int, default=1, help="measure every endpoint N times")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    rows = []
    with open_tls_lab(client_delay_ms=args.rtt_ms / 2, mail=False, hostile=False) as bench:
        # one enumeration first: ARP/NDP entries and page caches warm, as in a real scan
        run_enumeration(bench, [(ADDRESSES["modern"][0], 443, "none")], timeout=5.0)
        for _ in range(args.rounds):
            for label, host, port in ENDPOINTS:
                for family in (4, 6):
                    row = measure(bench, host, port, family)
                    row["endpoint"] = f"{label}, IPv{family}"
                    rows.append(row)
                    print(json.dumps(row), file=sys.stderr)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=1)
    print(f"{'endpoint':36} {'same':>5} {'netready s':>10} {'sslyze s':>9} {'ratio':>6} "
          f"{'conns':>6} {'sslyze conns':>12}")  # fmt: skip
    for row in rows:
        same = row["identical_versions_and_suites"] and row["identical_ec_curves"]
        print(f"{row['endpoint']:36} {same!s:>5} {row['netready_s']:>10.3f} "
              f"{row['sslyze_s']:>9.3f} {row['ratio']:>6.3f} {row['netready_connections']:>6} "
              f"{row['sslyze_connections']:>12}")  # fmt: skip
    ratios = [row["ratio"] for row in rows]
    all_same = all(r["identical_versions_and_suites"] and r["identical_ec_curves"] for r in rows)
    print(
        f"ratio netready/sslyze: median {statistics.median(ratios):.3f}, worst {max(ratios):.3f} "
        f"(goal <= {GOAL}); identical findings on every endpoint: {all_same}; "
        f"RTT {args.rtt_ms:g} ms"
    )
    if not all_same or max(ratios) > GOAL:
        sys.exit(1)


if __name__ == "__main__":
    main()
