"""HTTPS and IPv6 checks of 200 lab domains at 50 ms round-trip time (issue 5).

    sudo .venv/bin/python -m benchmarks.web_ipv6 [--domains 200] [--rtt-ms 50] [--concurrency 256]

Builds benchmarks/labbench.py's lab (the scanner's client behind a user-space delay line),
then times, inside the client namespace, (1) one domain alone: its critical path, reported in
round trips; (2) all domains in one scan. Goal: critical path <= 6 RTT, 200 domains < 10 s.
"""

from __future__ import annotations

import argparse
import json

from benchmarks.labbench import bench_lab, run_timer

FAMILIES = "https,ipv6"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=200)
    parser.add_argument("--rtt-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=256)
    args = parser.parse_args()
    with bench_lab(args.domains, rtt_ms=args.rtt_ms) as bench:
        # a warm-up scan fills unbound's cache for the first domain, as it would be for a
        # user who scans a domain twice; the measured single-domain scan uses another one
        run_timer(bench, FAMILIES, bench.domains[:1], args.concurrency)
        single = run_timer(bench, FAMILIES, bench.domains[1:2], args.concurrency)
        everything = run_timer(bench, FAMILIES, list(bench.domains), args.concurrency)
    rtt_s = args.rtt_ms / 1000
    single_wall = float(single["wall_s"])  # type: ignore[arg-type]
    print(json.dumps({"single_domain": single, "all_domains": everything}, indent=1))
    print(
        f"one domain: {single_wall:.3f} s = {single_wall / rtt_s:.1f} RTT (goal <= 6); "
        f"{everything['targets']} domains: {everything['wall_s']} s (goal < 10 s), "
        f"peak RSS {everything['peak_rss_mb']} MB, concurrency {args.concurrency}, "
        f"RTT {args.rtt_ms:g} ms"
    )


if __name__ == "__main__":
    main()
