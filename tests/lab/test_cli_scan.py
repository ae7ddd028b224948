"""`netready scan` end to end: run in the lab's client namespace against real BIND and unbound.

The scanner is a separate process (`python -m netready scan ...`) pointed at the lab resolver
explicitly; the database and the JSON lines are read back independently of netready's own
code (plain sqlite3 and json), so a bug in the store cannot hide a bug in the scan.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from .netlab import poll_until
from .topology import DnsLab
from .zones import MAIL4, MAIL6, WEB4, WEB6

CONTRACT_FIELDS = ["target", "subject", "check_id", "status", "summary", "evidence"]


def read_json_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def database_rows(db: Path, query: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(query, params).fetchall()


def test_scan_writes_each_finding_to_sqlite_and_json_lines(dns_lab: DnsLab, tmp_path: Path) -> None:
    # Given the lab's names: complete, IPv4-only, IPv6-only, an alias, a missing one, a dead zone
    targets = [
        "example.test",
        "v4only.example.test",
        "v6only.example.test",
        "alias.example.test",
        "missing.example.test",
        "x.dead.test",
    ]
    db, jsonl = tmp_path / "results.db", tmp_path / "findings.jsonl"
    # When the client scans them through the lab resolver
    started = time.monotonic()
    done = dns_lab.run_in_client(
        dns_lab.scanner_argv(
            *targets, "--checks", "dns", "--db", str(db), "--json", str(jsonl), "--timeout", "2"
        ),
        timeout=60,
    )
    elapsed = time.monotonic() - started
    # Then it completes with one dns.resolve finding per target, graded by what DNS holds
    assert done.returncode == 0, done.stderr
    lines = read_json_lines(jsonl)
    assert all(list(line) == CONTRACT_FIELDS for line in lines)
    by_target = {line["target"]: line for line in lines}
    assert sorted(by_target) == sorted(targets)
    assert {t: by_target[t]["status"] for t in targets} == {
        "example.test": "pass",
        "v4only.example.test": "pass",
        "v6only.example.test": "pass",
        "alias.example.test": "pass",
        "missing.example.test": "fail",
        "x.dead.test": "error",  # the dead zone's server never answers: could not test
    }
    apex = by_target["example.test"]["evidence"]
    assert isinstance(apex, dict)
    assert apex["a"] == [WEB4]
    assert apex["aaaa"] == [WEB6]
    assert apex["mx"] == ["10 mail.example.test."]
    assert apex["ns"] == ["ns1.example.test.", "ns2.example.test."]
    assert apex["resolvers"] == [dns_lab.resolver_ip]
    assert by_target["v4only.example.test"]["evidence"]["aaaa"] == []  # type: ignore[index]
    assert by_target["alias.example.test"]["evidence"]["canonical_name"] == "www.example.test"  # type: ignore[index]
    assert elapsed < 30, "a dead zone must cost one timeout, not hang the scan"
    assert "targets, " not in done.stderr.split("Scan ")[0], "no progress bar off a terminal"
    # And the database holds exactly what the JSON lines hold, and the scan is complete
    rows = database_rows(
        db, "select target, subject, check_id, status, summary, evidence from findings"
    )
    assert sorted((r[0], r[2], r[3], json.loads(str(r[5]))) for r in rows) == sorted(
        (line["target"], line["check_id"], line["status"], line["evidence"]) for line in lines
    )
    assert database_rows(db, "select state from scans") == [("completed",)]


def test_the_resolver_can_be_reached_over_ipv6(dns_lab: DnsLab, tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    argv = [
        *dns_lab.scanner_argv(
            "mail.example.test", "--checks", "dns", "--db", str(db), "--json", "-"
        ),
        "--resolver",
        dns_lab.resolver_ip6,
    ]
    argv.remove(dns_lab.resolver_ip)
    argv.remove("--resolver")  # only the IPv6 resolver remains
    done = dns_lab.run_in_client(argv, timeout=60)
    assert done.returncode == 0, done.stderr
    (finding,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert finding["status"] == "pass"
    assert finding["evidence"]["a"] == [MAIL4]
    assert finding["evidence"]["aaaa"] == [MAIL6]
    assert finding["evidence"]["resolvers"] == [dns_lab.resolver_ip6]


def test_a_resolver_that_never_answers_gives_errors_within_the_timeout(
    dns_lab: DnsLab, tmp_path: Path
) -> None:
    # 198.18.0.99 is in the lab subnet, but no host holds it: queries vanish
    argv = dns_lab.scanner_argv(
        "example.test", "www.example.test", "--checks", "dns", "--timeout", "1"
    )
    argv[argv.index(dns_lab.resolver_ip)] = "198.18.0.99"
    started = time.monotonic()
    done = dns_lab.run_in_client([*argv, "--db", str(tmp_path / "r.db"), "--json", "-"])
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    findings = [json.loads(line) for line in done.stdout.splitlines()]
    assert [f["status"] for f in findings] == ["error", "error"]
    assert all("Could not look up" in f["summary"] for f in findings)
    assert elapsed < 15


def test_a_scan_killed_with_sigkill_resumes_and_loses_nothing(
    dns_lab: DnsLab, tmp_path: Path
) -> None:
    # Given a long scan: many distinct names (each a fresh lookup, not cached), then names
    # whose zone never answers
    quick = [f"host{i}.bulk.example.test" for i in range(1500)]
    slow = [f"name{i}.dead.test" for i in range(4)]
    targets_file = tmp_path / "targets.txt"
    targets_file.write_text("\n".join(quick + slow) + "\n")
    db = tmp_path / "results.db"
    argv = dns_lab.scanner_argv(
        "--file",
        str(targets_file),
        "--checks",
        "dns",
        "--db",
        str(db),
        "--timeout",
        "1",
        "--concurrency",
        "1",
    )
    scanner = dns_lab.popen_in_client(argv, stdout=subprocess.DEVNULL)

    # When it is killed with SIGKILL once some targets are saved as finished
    def finished_targets() -> int:
        if not db.exists():
            return 0
        try:
            rows = database_rows(
                db, "select count(*) from scan_targets where finished_at is not null"
            )
        except sqlite3.OperationalError:  # the schema is still being created
            return 0
        return int(str(rows[0][0]))

    poll_until(lambda: finished_targets() >= 50, timeout=60, what="50 finished targets")
    os.kill(scanner.pid, signal.SIGKILL)  # ip netns exec execs the scanner: same PID
    scanner.wait(timeout=10)
    assert scanner.returncode == -signal.SIGKILL

    saved = database_rows(
        db,
        "select f.id, f.target, f.status, f.summary from findings f join scan_targets t "
        "on f.scan_id = t.scan_id and f.target = t.target where t.finished_at is not null",
    )
    finished_before = finished_targets()
    assert 50 <= finished_before < len(quick), "the scan must have been killed mid-way"
    assert len(saved) == finished_before  # every finished target has its finding on disk

    history = dns_lab.run_in_client([*argv[:3], "history", "--db", str(db)], timeout=30)
    assert "interrupted" in history.stdout, history.stdout + history.stderr

    # Then --resume re-runs only the unfinished targets and completes the scan
    (scan_id,) = database_rows(db, "select id from scans")[0]
    resume = [*argv[:3], "scan", "--resume", str(scan_id), "--db", str(db)]
    done = dns_lab.run_in_client(resume, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = database_rows(db, "select id, target, status, summary from findings")
    assert sorted(target for _id, target, _s, _m in rows) == sorted(quick + slow)  # one each
    assert set(saved) <= set(rows)  # what was finished before the kill is untouched
    statuses = {target: status for _id, target, status, _m in rows}
    assert {statuses[name] for name in quick} == {"pass"}
    assert {statuses[name] for name in slow} == {"error"}
    assert database_rows(db, "select state from scans") == [("completed",)]
