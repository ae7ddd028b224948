"""Make the trainers' sample database from a real scan of the web lab.

Run as root on Linux from the repository (it builds the lab of tests/lab in private network
namespaces on 198.18.1.0/24 and 2001:db8:1::/64, scans it, and tears it down)::

    sudo .venv/bin/python resources/sample/make_sample.py

It writes resources/sample/workshop.db: two scans (the lab's web sites and mail with the
dns, https, tls, ipv6 and exposure checks, and the lab resolver with the resolver checks),
in rollback-journal mode so the file stands alone.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY))  # for tests.lab

from tests.lab.netlab import Lab, missing_prerequisites  # noqa: E402
from tests.lab.web_topology import WEB_LAB_PROGRAMS, WebLab, build_web_lab  # noqa: E402

OUTPUT = Path(__file__).resolve().parent / "workshop.db"
#: A mix of good and flawed lab sites (tests/lab/README.md, "The web lab").
WEB_TARGETS = (
    "dual.web.test",
    "v4only.web.test",
    "split.web.test",
    "deadv6.web.test",
    "nohsts.web.test",
    "shorthsts.web.test",
    "badredirect.web.test",
    "badcert.web.test",
    "nsdead6.test",
)
SCAN_TIMEOUT = 300.0


def main() -> int:
    missing = missing_prerequisites(WEB_LAB_PROGRAMS)
    if missing:
        print(f"cannot build the web lab: {', '.join(missing)}", file=sys.stderr)
        return 2
    database = OUTPUT.with_suffix(".tmp.db")
    database.unlink(missing_ok=True)
    with Lab() as lab:
        web_lab = build_web_lab(lab)
        _scan(web_lab, database, *WEB_TARGETS, "--checks", "dns,https,tls,ipv6,exposure")
        _scan(web_lab, database, web_lab.resolver_ip, "--checks", "resolver")
    _make_standalone(database)
    database.replace(OUTPUT)
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")
    return 0


def _scan(web_lab: WebLab, database: Path, *args: str) -> None:
    argv = web_lab.scanner_argv(*args, "--db", str(database), "--quiet", "--no-progress")
    done = web_lab.run_in_client(argv, timeout=SCAN_TIMEOUT, env={"PYTHONPATH": "src"})
    print(done.stderr.strip())
    if done.returncode != 0:
        raise SystemExit(f"the scan failed ({done.returncode}): {done.stderr}")


def _make_standalone(database: Path) -> None:
    """One file, as small as it gets: no write-ahead log beside it."""
    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("VACUUM")
    finally:
        connection.close()


if __name__ == "__main__":
    raise SystemExit(main())
