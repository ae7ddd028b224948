"""The SQLite history: round trips, resume, batching, migrations, and a real kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

import netready.store as store_module
from netready.config import ScanConfig
from netready.findings import Finding, Status
from netready.store import (
    FindingWriter,
    ScanState,
    Store,
    StoreError,
    TargetRecord,
    UnknownScanError,
    default_database_path,
)

SRC_DIR = Path(__file__).resolve().parents[2] / "src"


def finding(target: str, check_id: str = "tls.connect", status: Status = Status.PASS) -> Finding:
    return Finding(target, f"{target} [192.0.2.1]:443", check_id, status, "It works.", {"n": 1})


def new_scan(store: Store, *targets: str) -> int:
    return store.create_scan(
        targets=[(target, "domain") for target in targets], families=None, config={}
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.db") as opened:
        yield opened


# --- round trips --------------------------------------------------------------------------


def test_a_scan_round_trips_with_nested_unicode_evidence(store: Store) -> None:
    config = ScanConfig(resolvers=("192.0.2.53",)).to_json_dict()
    scan_id = store.create_scan(
        targets=[("xn--bcher-kva.example", "domain"), ("2001:db8::/126", "network")],
        families=["tls", "https"],
        config=config,
    )
    made = [
        Finding(
            "xn--bcher-kva.example",
            "www.bücher.example [2001:db8::10]:443",
            "tls.cert.expiry",
            Status.WARNING,
            "Das Zertifikat läuft in 9 Tagen ab — 証明書 ✓",
            {
                "chain": [{"subject": "CN=bücher.example", "not_after": "2030-01-01"}],
                "versions": ["TLSv1.2", "TLSv1.3"],
                "rrsig": {"expires": 1_700_000_000, "ok": True, "ratio": 0.5, "none": None},
            },
        ),
        finding("2001:db8::/126", "ipv6.web.aaaa", Status.FAIL),
    ]
    store.record(scan_id, findings=made, finished_targets=["xn--bcher-kva.example"])
    store.record(scan_id, finished_targets=["2001:db8::/126"])
    store.finish_scan(scan_id, state=ScanState.COMPLETED)

    assert list(store.findings(scan_id)) == made
    record = store.scan(scan_id)
    assert record.id == scan_id
    assert record.state is ScanState.COMPLETED
    assert record.families == ("tls", "https")
    assert ScanConfig.from_json_dict(record.config) == ScanConfig(resolvers=("192.0.2.53",))
    assert record.started_at.utcoffset() == timedelta(0)
    assert record.finished_at is not None
    assert record.finished_at >= record.started_at
    assert (record.targets_total, record.targets_done, record.finding_count) == (2, 2, 2)
    assert not record.interrupted
    assert store.targets(scan_id) == [
        TargetRecord("xn--bcher-kva.example", "domain", finished=True),
        TargetRecord("2001:db8::/126", "network", finished=True),
    ]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


def test_any_json_finding_round_trips(store: Store) -> None:
    @settings(max_examples=60, deadline=None, database=None)
    @given(
        texts=st.tuples(st.text(), st.text(), st.text(), st.text()),
        status=st.sampled_from(Status),
        evidence=st.dictionaries(st.text(), json_values, max_size=5),
    )
    def round_trip(texts: tuple[str, str, str, str], status: Status, evidence: Any) -> None:
        target, subject, check_id, summary = texts
        made = Finding(target, subject, check_id, status, summary, evidence)
        scan_id = store.create_scan(targets=[(target, "domain")], families=None, config={})
        store.record(scan_id, findings=[made], finished_targets=[target])
        assert list(store.findings(scan_id)) == [made]

    round_trip()


def test_status_counts_and_progress(store: Store) -> None:
    scan_id = new_scan(store, "a.example", "b.example", "c.example")
    store.record(
        scan_id,
        findings=[
            finding("a.example", "tls.connect", Status.FAIL),
            finding("a.example", "https.hsts", Status.FAIL),
            finding("b.example", "tls.connect", Status.PASS),
            finding("b.example", "https.hsts", Status.ERROR),
        ],
        finished_targets=["a.example", "b.example"],
    )
    record = store.scan(scan_id)
    assert record.status_counts == {"pass": 1, "fail": 2, "error": 1}
    assert list(record.status_counts) == ["pass", "fail", "error"]  # Status order
    assert record.finding_count == 4
    assert (record.targets_total, record.targets_done) == (3, 2)
    assert record.state is ScanState.RUNNING
    assert not record.interrupted  # this process is running it


def test_scans_are_listed_newest_first_in_two_queries(store: Store) -> None:
    scan_ids = [new_scan(store, f"t{n}.example") for n in range(30)]
    for scan_id in scan_ids:
        store.record(scan_id, findings=[finding(store.targets(scan_id)[0].value)])
    statements: list[str] = []
    store._db.conn.set_trace_callback(statements.append)

    records = store.scans()

    assert [record.id for record in records] == scan_ids[::-1]
    assert all(record.finding_count == 1 for record in records)
    assert len(statements) == 2  # no query per scan
    store._db.conn.set_trace_callback(None)
    assert [record.id for record in store.scans(limit=3)] == scan_ids[:-4:-1]
    assert store.scans(limit=0) == []


def test_an_unknown_scan_names_the_file_and_the_history_command(store: Store) -> None:
    message = f"no scan 42 in '{store.path}'; `netready history` lists them"
    with pytest.raises(UnknownScanError) as raised:
        store.scan(42)
    assert str(raised.value) == message
    calls = [
        lambda: store.findings(42),  # raises at the call, not when iterated
        lambda: store.targets(42),
        lambda: store.record(42, finished_targets=["a.example"]),
        lambda: store.begin_resume(42),
        lambda: store.finish_scan(42, state=ScanState.CANCELLED),
    ]
    for call in calls:
        with pytest.raises(UnknownScanError, match="no scan 42"):
            call()


def test_a_target_given_twice_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match=r"'a\.example' is given twice"):
        new_scan(store, "a.example", "b.example", "a.example")


def test_finish_scan_needs_a_final_state(store: Store) -> None:
    scan_id = new_scan(store, "a.example")
    with pytest.raises(ValueError, match="final state"):
        store.finish_scan(scan_id, state=ScanState.RUNNING)


# --- the finished-target invariant --------------------------------------------------------


def test_a_record_with_an_unknown_target_writes_nothing(store: Store) -> None:
    scan_id = new_scan(store, "a.example")
    with pytest.raises(StoreError, match=r"no target\(s\) 'other\.example'"):
        store.record(scan_id, findings=[finding("a.example"), finding("other.example")])
    with pytest.raises(StoreError, match=r"no target\(s\) 'other\.example'"):
        store.record(scan_id, findings=[finding("a.example")], finished_targets=["other.example"])
    assert list(store.findings(scan_id)) == []
    assert store.scan(scan_id).status_counts == {}


def test_a_finding_after_its_target_finished_is_refused(store: Store) -> None:
    scan_id = new_scan(store, "a.example", "b.example")
    store.record(scan_id, findings=[finding("a.example")], finished_targets=["a.example"])
    with pytest.raises(StoreError, match="already marked finished"):
        store.record(scan_id, findings=[finding("b.example"), finding("a.example", "dns.x")])
    assert [made.target for made in store.findings(scan_id)] == ["a.example"]
    store.record(scan_id, finished_targets=["a.example"])  # marking again is harmless


def test_evidence_that_is_not_json_is_refused_at_once(store: Store) -> None:
    scan_id = new_scan(store, "a.example")
    writer = FindingWriter(store, scan_id)
    bad = Finding("a.example", "a.example", "tls.connect", Status.PASS, "x", {"t": {1, 2}})
    with pytest.raises(ValueError, match=r"evidence of tls\.connect for 'a\.example' is not JSON"):
        writer.add(bad)
    with pytest.raises(ValueError, match="not JSON"):
        store.record(scan_id, findings=[bad])
    assert writer.pending == 0


# --- resume -------------------------------------------------------------------------------


def test_begin_resume_deletes_only_unfinished_targets_findings(store: Store) -> None:
    targets = ["a.example", "b.example", "c.example", "d.example", "e.example"]
    scan_id = new_scan(store, *targets)
    store.record(
        scan_id,
        findings=[finding("a.example"), finding("a.example", "https.hsts", Status.FAIL)],
        finished_targets=["a.example"],
    )
    store.record(scan_id, findings=[finding("b.example"), finding("d.example", "x.y")])
    store.record(scan_id, findings=[finding("c.example")], finished_targets=["c.example"])
    store.finish_scan(scan_id, state=ScanState.CANCELLED)

    left = store.begin_resume(scan_id)

    assert left == ["b.example", "d.example", "e.example"]  # the original order
    assert [(made.target, made.check_id) for made in store.findings(scan_id)] == [
        ("a.example", "tls.connect"),
        ("a.example", "https.hsts"),
        ("c.example", "tls.connect"),
    ]
    record = store.scan(scan_id)
    assert record.state is ScanState.RUNNING
    assert record.finished_at is None
    assert record.status_counts == {"pass": 2, "fail": 1}
    assert (record.targets_done, record.finding_count) == (2, 3)
    # Re-running the rest makes no duplicates.
    store.record(scan_id, findings=[finding(target) for target in left], finished_targets=left)
    assert store.scan(scan_id).finding_count == 6


def test_begin_resume_refuses_a_scan_another_live_process_runs(
    store: Store, tmp_path: Path
) -> None:
    scan_id = new_scan(store, "a.example")
    with sqlite3.connect(tmp_path / "history.db") as other:
        other.execute("UPDATE scans SET pid = ? WHERE id = ?", (os.getppid(), scan_id))
    other.close()
    assert not store.scan(scan_id).interrupted
    with pytest.raises(StoreError, match=f"still running in process {os.getppid()}"):
        store.begin_resume(scan_id)


def test_a_completed_scan_is_not_resumed(store: Store) -> None:
    scan_id = new_scan(store, "a.example")
    store.record(scan_id, finished_targets=["a.example"])
    store.finish_scan(scan_id, state=ScanState.COMPLETED)
    with pytest.raises(StoreError, match="completed; there is nothing to resume"):
        store.begin_resume(scan_id)
    assert store.scan(scan_id).state is ScanState.COMPLETED


def test_a_running_scan_whose_process_is_gone_is_interrupted(store: Store, tmp_path: Path) -> None:
    scan_id = new_scan(store, "a.example")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with sqlite3.connect(tmp_path / "history.db") as other:
        other.execute("UPDATE scans SET pid = ? WHERE id = ?", (gone.pid, scan_id))
    other.close()
    assert store.scan(scan_id).interrupted
    assert store.begin_resume(scan_id) == ["a.example"]
    assert not store.scan(scan_id).interrupted  # now ours


# --- FindingWriter ------------------------------------------------------------------------


def test_writer_writes_when_the_batch_is_full(store: Store) -> None:
    scan_id = new_scan(store, "a.example", "b.example")
    writer = FindingWriter(store, scan_id, batch_size=3, max_delay=60, clock=FakeClock())
    writer.add(finding("a.example"))
    writer.add(finding("a.example", "https.hsts"))
    assert (store.scan(scan_id).finding_count, writer.pending) == (0, 2)

    writer.target_finished("a.example")  # the third item

    assert (store.scan(scan_id).finding_count, store.scan(scan_id).targets_done) == (2, 1)
    assert writer.pending == 0


def test_writer_writes_on_target_finished_once_the_oldest_item_is_max_delay_old(
    store: Store,
) -> None:
    clock = FakeClock()
    scan_id = new_scan(store, "a.example", "b.example", "c.example", "d.example")
    writer = FindingWriter(store, scan_id, batch_size=100, max_delay=1.0, clock=clock)

    writer.add(finding("a.example"))  # oldest item at 100.0
    clock.now = 100.5
    writer.target_finished("a.example")
    assert store.scan(scan_id).targets_done == 0  # only 0.5 s old

    clock.now = 101.0
    writer.add(finding("b.example"))
    assert store.scan(scan_id).finding_count == 0  # add() alone never waits on the clock
    writer.target_finished("b.example")
    assert (store.scan(scan_id).finding_count, store.scan(scan_id).targets_done) == (2, 2)

    writer.add(finding("c.example"))  # oldest item now at 101.0
    clock.now = 101.5
    assert writer.flush_if_due() is False
    clock.now = 102.0
    assert writer.flush_if_due() is True
    assert store.scan(scan_id).finding_count == 3
    assert writer.flush_if_due() is False  # nothing buffered

    writer.target_finished("c.example")
    writer.add(finding("d.example"))
    writer.target_finished("d.example")
    writer.close()
    assert store.scan(scan_id).targets_done == 4
    with pytest.raises(ValueError, match="closed"):
        writer.add(finding("d.example", "x.y"))


def test_writer_refuses_a_finding_after_its_target_finished(store: Store) -> None:
    scan_id = new_scan(store, "a.example")
    with FindingWriter(store, scan_id) as writer:
        writer.target_finished("a.example")
        with pytest.raises(ValueError, match="after the target was marked finished"):
            writer.add(finding("a.example"))
    assert store.scan(scan_id).targets_done == 1


def test_writer_keeps_its_buffer_when_a_write_fails(store: Store) -> None:
    scan_id = new_scan(store, "a.example")
    writer = FindingWriter(store, scan_id, batch_size=100)
    writer.add(finding("a.example"))
    writer.add(finding("typo.example"))
    with pytest.raises(StoreError, match="typo"):
        writer.flush()
    assert writer.pending == 2


def test_writer_options_are_checked(store: Store) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        FindingWriter(store, 1, batch_size=0)
    with pytest.raises(ValueError, match="max_delay"):
        FindingWriter(store, 1, max_delay=-1)


# --- opening, migrations, damage ----------------------------------------------------------


def user_version(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("PRAGMA user_version").fetchone()[0])
    finally:
        connection.close()


def test_an_empty_database_is_migrated_to_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()  # a version-0 SQLite file
    assert user_version(path) == 0

    Store(path).close()

    assert user_version(path) == len(store_module._MIGRATIONS) >= 1
    db = Database(path, execute_plugins=False)
    assert {"scans", "scan_targets", "findings", "scan_status_counts"} <= set(db.table_names())
    db.close()


def test_migrations_upgrade_in_order_and_keep_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    with Store(path) as old:
        scan_id = new_scan(old, "a.example")
        old.record(scan_id, findings=[finding("a.example")], finished_targets=["a.example"])

    def add_note_column(db: Database) -> None:
        db.table("scans").add_column("note", str)

    monkeypatch.setattr(store_module, "_MIGRATIONS", (*store_module._MIGRATIONS, add_note_column))
    with Store(path) as upgraded:
        assert list(upgraded.findings(scan_id)) == [finding("a.example")]
    assert user_version(path) == len(store_module._MIGRATIONS)
    db = Database(path, execute_plugins=False)
    assert "note" in db.table("scans").columns_dict
    db.close()


def test_a_failing_migration_leaves_the_last_good_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_done(db: Database) -> None:
        db.create_table("half_done", {"x": int})
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store_module, "_MIGRATIONS", (*store_module._MIGRATIONS, half_done))
    path = tmp_path / "history.db"
    with pytest.raises(StoreError, match=r"schema version 2 \(half_done\): disk on fire"):
        Store(path)
    assert user_version(path) == 1
    db = Database(path, execute_plugins=False)
    assert "half_done" not in db.table_names()
    db.close()


def test_a_database_from_a_newer_netready_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    Store(path).close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    with pytest.raises(StoreError, match=r"made by a newer netready \(schema version 99;"):
        Store(path)


def test_a_damaged_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "damaged.db"
    path.write_bytes(b"this is not an SQLite database\n" * 100)
    with pytest.raises(StoreError, match=r"damaged\.db' is not a netready database or is damaged"):
        Store(path)


def test_another_programs_sqlite_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE scans (whatever TEXT)")
    connection.close()
    with pytest.raises(StoreError, match=r"other\.db' is an SQLite database of another program"):
        Store(path)


def test_an_unopenable_path_is_named(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"cannot open the database '.*missing"):
        Store(tmp_path / "missing" / "history.db")


def test_wal_synchronous_normal_and_foreign_keys_are_on(store: Store) -> None:
    connection = sqlite3.connect(store.path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # kept in the file
    connection.close()
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert store._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store._db.execute("PRAGMA busy_timeout").fetchone()[0] > 0


def test_the_default_database_lives_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "default_data_dir", lambda: tmp_path / "data" / "netready")
    path = default_database_path()
    assert path == tmp_path / "data" / "netready" / "netready.db"
    assert path.parent.is_dir()


def test_the_public_api_is_sorted() -> None:
    assert store_module.__all__ == sorted(store_module.__all__)


# --- a real crash -------------------------------------------------------------------------

CRASHING_SCAN = textwrap.dedent(
    """
    import os, signal, sys
    from netready.findings import Finding, Status
    from netready.store import FindingWriter, Store

    store = Store(sys.argv[1])
    targets = [f"t{n}.example" for n in range(10)]
    scan_id = store.create_scan(
        targets=[(target, "domain") for target in targets], families=None, config={}
    )
    # 3 findings + 1 mark per target; a batch of 9 cuts through targets, so some targets
    # have findings committed before their mark.
    writer = FindingWriter(store, scan_id, batch_size=9, max_delay=3600)
    for target in targets[:7]:
        for n in range(3):
            writer.add(Finding(target, target, f"tls.c{n}", Status.PASS, "ok", {"n": n}))
        writer.target_finished(target)
    writer.add(Finding("t7.example", "t7.example", "tls.c0", Status.PASS, "ok", {}))
    print(scan_id, writer.pending, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_after_kill_9_every_finished_target_has_all_its_findings(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    environment = {**os.environ, "PYTHONPATH": str(SRC_DIR)}

    child = subprocess.run(
        [sys.executable, "-c", CRASHING_SCAN, str(path)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert child.returncode == -signal.SIGKILL, child.stderr
    scan_id, lost_in_buffer = map(int, child.stdout.split())
    assert lost_in_buffer > 0  # the kill really lost unwritten work
    assert Path(f"{path}-wal").stat().st_size > 0  # committed, not yet checkpointed
    with Store(path) as store:
        record = store.scan(scan_id)
        assert record.interrupted
        assert record.state is ScanState.RUNNING
        findings_per_target: dict[str, int] = {}
        for made in store.findings(scan_id):
            findings_per_target[made.target] = findings_per_target.get(made.target, 0) + 1
        finished = [target.value for target in store.targets(scan_id) if target.finished]
        assert finished == [f"t{n}.example" for n in range(6)]
        assert all(findings_per_target[target] == 3 for target in finished)
        assert findings_per_target.get("t6.example") == 3  # committed, but not marked

        left = store.begin_resume(scan_id)

        assert left == [f"t{n}.example" for n in range(6, 10)]
        assert {made.target for made in store.findings(scan_id)} == set(finished)
        assert store.scan(scan_id).finding_count == 18
