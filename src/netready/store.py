"""The scan history: an SQLite database written through `sqlite-utils`.

Every finding is written as it arrives (in small batches, see `FindingWriter`), so a scan that
is killed keeps what it finished, and `--resume` re-runs only the rest.

Schema (version 1; the version lives in ``PRAGMA user_version``)::

    scans                 one row per scan
        id                INTEGER PRIMARY KEY
        started_at        TEXT     ISO 8601, UTC
        finished_at       TEXT     NULL while running or after a crash
        state             TEXT     'running' | 'completed' | 'cancelled'
        families          TEXT     JSON list of check families; NULL = every family that applies
        config            TEXT     JSON object: the scan configuration (a resume reuses it)
        netready_version  TEXT     the version that started the scan
        pid               INTEGER  the process running it (resumed: the resuming process)

    scan_targets          the targets of a scan, in the order given
        scan_id           INTEGER  -> scans.id, ON DELETE CASCADE
        position          INTEGER  0, 1, 2, ... in the order given
        target            TEXT     the normalised target (`example.org`, `2001:db8::/120`)
        kind              TEXT     what the target is (domain, address, network, ...)
        finished_at       TEXT     NULL until every finding of the target is recorded
        PRIMARY KEY (scan_id, position), UNIQUE (scan_id, target)

    findings              one row per `Finding`, never updated
        id                INTEGER PRIMARY KEY  (the recorded order)
        scan_id, target   -> scan_targets (scan_id, target), ON DELETE CASCADE
        subject, check_id, status, summary     as in `netready.findings.Finding`
        evidence          TEXT     JSON object
        recorded_at       TEXT     ISO 8601, UTC: when its batch was committed

    scan_status_counts    findings per status of each scan, kept by triggers, so that listing
        scan_id, status, count     thousands of scans never counts millions of findings

    indexes   findings (scan_id, id)          a scan's findings in recorded order
              findings (scan_id, target)      foreign key; deleting a target's findings on resume
              findings (target, check_id)     history and comparison of one check over time
              scan_targets (scan_id, position) WHERE finished_at IS NULL   what is left to do
    triggers  findings_counted / findings_uncounted keep scan_status_counts;
              findings_only_while_unfinished refuses a finding for a target already finished.

Tables are STRICT where the SQLite library supports it (3.37+). Migrations are the ordered
`_MIGRATIONS`; each runs in its own ``BEGIN IMMEDIATE`` transaction together with the bump of
``user_version``, so a failed upgrade leaves the database at the last version that succeeded.

Crash safety (``kill -9``, a crash, a closed laptop lid):

* The database runs in WAL mode with ``synchronous=NORMAL``. A transaction is committed once
  its commit record is in the write-ahead log, which lives in the operating system's page
  cache as soon as ``COMMIT`` returns; a killed *process* loses nothing committed, and the next
  opener replays the log. ``NORMAL`` skips only the fsync at each commit: a power loss or an
  operating-system crash may lose the last few commits, but never corrupts the database and
  never splits a transaction. ``FULL`` would cost an fsync per batch for no gain against
  ``kill -9``.
* `Store.record` writes a batch of findings and then the "finished" marks of targets in ONE
  transaction. So the invariant holds at every instant: a target marked finished has all of
  its findings committed (and a trigger refuses any later finding for it).
* A finding not yet committed belongs to a target not yet marked finished; `begin_resume`
  deletes the committed findings of unfinished targets and hands those targets back to be run
  again, so a resumed scan has neither gaps nor duplicates.

A `Store` is used from the thread that opened it (the ``sqlite3`` default); open one per thread.
Other processes may read while a scan writes (WAL), and write after a short wait (busy timeout).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast

from sqlite_utils import Database
from sqlite_utils.db import ForeignKey

from netready import __version__
from netready.config import default_data_dir
from netready.findings import Finding, Status

__all__ = [
    "FindingWriter",
    "ScanRecord",
    "ScanState",
    "Store",
    "StoreError",
    "TargetRecord",
    "UnknownScanError",
    "default_database_path",
]

DATABASE_FILE_NAME = "netready.db"
BUSY_TIMEOUT_MS = 5000
# "netr": marks the file as netready's, so another program's SQLite file is never migrated.
_APPLICATION_ID = 0x6E657472

# target, subject, check_id, status, summary, evidence (JSON): a finding ready to insert.
_FindingRow = tuple[str, str, str, str, str, str]
_FINDING_COLUMNS = (
    "scan_id",
    "target",
    "subject",
    "check_id",
    "status",
    "summary",
    "evidence",
    "recorded_at",
)


class StoreError(Exception):
    """The history database cannot do what was asked; the message names the file and why."""


class UnknownScanError(StoreError):
    """No scan with that id is in the database."""


class ScanState(StrEnum):
    """Where a scan stands. Values are lowercase and stable in SQLite and JSON."""

    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class ScanRecord:
    """One scan of the history.

    Attributes:
        id: the scan's number, as `netready history` shows it.
        started_at: when it started (UTC).
        finished_at: when it completed or was cancelled; None while running or interrupted.
        state: running, completed or cancelled.
        targets_total: how many targets the scan has.
        targets_done: how many of them are finished (all their findings recorded).
        finding_count: how many findings are recorded.
        status_counts: findings per status value (`"fail": 3`), statuses with none left out.
        families: the check families asked for; None means every family that applies.
        config: the scan configuration as stored (`ScanConfig.to_json_dict()`).
        interrupted: the state says running, but the process running it is gone (killed,
            crashed, machine rebooted): `--resume` can finish it.
        netready_version: the netready version that started the scan.
    """

    id: int
    started_at: datetime
    finished_at: datetime | None
    state: ScanState
    targets_total: int
    targets_done: int
    finding_count: int
    status_counts: Mapping[str, int]
    families: tuple[str, ...] | None
    config: Mapping[str, Any]
    interrupted: bool
    netready_version: str


@dataclass(frozen=True, slots=True)
class TargetRecord:
    """One target of a scan: its value, its kind, and whether all its findings are recorded."""

    value: str
    kind: str
    finished: bool


def default_database_path() -> Path:
    """The history database in the user's data directory; the directory is created."""
    data_dir = default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    return data_dir / DATABASE_FILE_NAME


# --- schema -------------------------------------------------------------------------------


def _create_history_tables(db: Database) -> None:
    """Version 1: scans, their targets, findings, status counts."""
    db.execute(f"PRAGMA application_id = {_APPLICATION_ID:d}")
    _create_scans(db)
    _create_scan_targets(db)
    _create_findings(db)
    _create_status_counts(db)


def _create_scans(db: Database) -> None:
    columns = {
        "id": int,
        "started_at": str,
        "finished_at": str,
        "state": str,
        "families": str,
        "config": str,
        "netready_version": str,
        "pid": int,
    }
    not_null = ["started_at", "state", "config", "netready_version", "pid"]
    db.create_table("scans", columns, pk="id", not_null=not_null, strict=True)


def _create_scan_targets(db: Database) -> None:
    columns = {"scan_id": int, "position": int, "target": str, "kind": str, "finished_at": str}
    to_scan = ForeignKey(
        table="scan_targets",
        column="scan_id",
        other_table="scans",
        other_column="id",
        on_delete="CASCADE",
    )
    table = db.create_table(
        "scan_targets",
        columns,
        pk=("scan_id", "position"),
        foreign_keys=[to_scan],
        not_null=["scan_id", "position", "target", "kind"],
        strict=True,
    )
    table.create_index(["scan_id", "target"], index_name="scan_targets_by_target", unique=True)
    # sqlite-utils cannot create a partial index.
    db.execute(
        "CREATE INDEX scan_targets_unfinished ON scan_targets (scan_id, position) "
        "WHERE finished_at IS NULL"
    )


def _create_findings(db: Database) -> None:
    columns = {
        "id": int,
        "scan_id": int,
        "target": str,
        "subject": str,
        "check_id": str,
        "status": str,
        "summary": str,
        "evidence": str,
        "recorded_at": str,
    }
    to_target = ForeignKey(
        table="findings",
        column=None,
        other_table="scan_targets",
        other_column=None,
        columns=("scan_id", "target"),
        other_columns=("scan_id", "target"),
        is_compound=True,
        on_delete="CASCADE",
    )
    table = db.create_table(
        "findings",
        columns,
        pk="id",
        foreign_keys=[to_target],
        not_null=[name for name in columns if name != "id"],
        strict=True,
    )
    table.create_index(["scan_id", "id"], index_name="findings_by_scan")
    table.create_index(["scan_id", "target"], index_name="findings_by_scan_target")
    table.create_index(["target", "check_id"], index_name="findings_by_target_check")
    db.execute(
        """
        CREATE TRIGGER findings_only_while_unfinished BEFORE INSERT ON findings
        WHEN (SELECT finished_at FROM scan_targets
              WHERE scan_id = NEW.scan_id AND target = NEW.target) IS NOT NULL
        BEGIN
            SELECT RAISE(ABORT, 'finding for a target already marked finished');
        END
        """
    )


def _create_status_counts(db: Database) -> None:
    to_scan = ForeignKey(
        table="scan_status_counts",
        column="scan_id",
        other_table="scans",
        other_column="id",
        on_delete="CASCADE",
    )
    db.create_table(
        "scan_status_counts",
        {"scan_id": int, "status": str, "count": int},
        pk=("scan_id", "status"),
        foreign_keys=[to_scan],
        not_null=["scan_id", "status", "count"],
        strict=True,
    )
    db.execute(
        """
        CREATE TRIGGER findings_counted AFTER INSERT ON findings BEGIN
            INSERT INTO scan_status_counts (scan_id, status, count)
            VALUES (NEW.scan_id, NEW.status, 1)
            ON CONFLICT (scan_id, status) DO UPDATE SET count = count + 1;
        END
        """
    )
    db.execute(
        """
        CREATE TRIGGER findings_uncounted AFTER DELETE ON findings BEGIN
            UPDATE scan_status_counts SET count = count - 1
            WHERE scan_id = OLD.scan_id AND status = OLD.status;
        END
        """
    )


# Schema version N is reached by applying the first N migrations, in order. Append only:
# a released migration is never edited, reordered or removed.
_MIGRATIONS: tuple[Callable[[Database], None], ...] = (_create_history_tables,)


# --- the store ----------------------------------------------------------------------------

_SCAN_SELECT = """
SELECT s.id, s.started_at, s.finished_at, s.state, s.families, s.config,
       s.netready_version, s.pid,
       (SELECT count(*) FROM scan_targets AS t WHERE t.scan_id = s.id) AS targets_total,
       (SELECT count(*) FROM scan_targets AS t
        WHERE t.scan_id = s.id AND t.finished_at IS NULL) AS targets_left
FROM scans AS s
"""


class Store:
    """The scan history in one SQLite file.

    Opening sets WAL mode, ``synchronous=NORMAL`` (safe against ``kill -9``: see the module
    docstring), foreign keys and a busy timeout, and upgrades the schema. Raises `StoreError`
    when the file is not a netready database, is damaged, or was made by a newer netready.
    Use it as a context manager, or call `close`.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self._db = Database(self.path, execute_plugins=False)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the database {str(self.path)!r}: {error}") from None
        try:
            self._configure()
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database; committed data is already safe, so this cannot lose any."""
        self._db.close()

    # --- opening ----------------------------------------------------------------------------

    def _configure(self) -> None:
        try:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
            self._db.enable_wal()
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as error:
            raise self._open_error(error) from None

    def _open_error(self, error: sqlite3.Error) -> StoreError:
        if getattr(error, "sqlite_errorname", "") in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
            return StoreError(
                f"{str(self.path)!r} is not a netready database or is damaged ({error}); "
                "move it away, or choose another file with --db"
            )
        return StoreError(f"cannot open the database {str(self.path)!r}: {error}")

    def _pragma_int(self, name: str) -> int:
        return int(self._db.execute(f"PRAGMA {name}").fetchone()[0])

    def _migrate(self) -> None:
        try:
            version = self._pragma_int("user_version")
            self._check_owner(version)
        except sqlite3.Error as error:
            raise self._open_error(error) from None
        if version > len(_MIGRATIONS):
            raise StoreError(
                f"{str(self.path)!r} was made by a newer netready (schema version {version}; "
                f"this netready {__version__} knows up to version {len(_MIGRATIONS)}); "
                "upgrade netready, or choose another file with --db"
            )
        for number in range(version + 1, len(_MIGRATIONS) + 1):
            self._apply_migration(number)

    def _check_owner(self, version: int) -> None:
        """Refuse an SQLite file of another program rather than add tables to it."""
        application_id = self._pragma_int("application_id")
        if application_id == _APPLICATION_ID:
            return
        has_tables = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        if application_id != 0 or version != 0 or has_tables:
            raise StoreError(
                f"{str(self.path)!r} is an SQLite database of another program, not netready's; "
                "choose another file with --db"
            )

    def _apply_migration(self, number: int) -> None:
        migration = _MIGRATIONS[number - 1]
        try:
            with self._write_transaction():
                # Another process may have upgraded the file while this one waited for the lock.
                if self._pragma_int("user_version") >= number:
                    return
                migration(self._db)
                self._db.execute(f"PRAGMA user_version = {number:d}")
        except Exception as error:
            raise StoreError(
                f"cannot upgrade {str(self.path)!r} to schema version {number} "
                f"({migration.__name__}): {error}"
            ) from error

    @contextlib.contextmanager
    def _write_transaction(self) -> Iterator[None]:
        """One ``BEGIN IMMEDIATE`` transaction: takes the write lock up front, so a transaction
        that reads before it writes never fails half-way with "database is locked"."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreError(f"cannot write to {str(self.path)!r}: {error}") from error
        try:
            yield
            self._db.commit()
        except sqlite3.Error as error:  # disk full, I/O error, ...
            self._db.rollback()
            raise StoreError(f"cannot write to {str(self.path)!r}: {error}") from error
        except BaseException:
            self._db.rollback()
            raise

    # --- writing ----------------------------------------------------------------------------

    def create_scan(
        self,
        *,
        targets: Sequence[tuple[str, str]],
        families: Sequence[str] | None,
        config: Mapping[str, Any],
    ) -> int:
        """Start a scan of `targets` (value, kind) in the order given; returns its id.

        The scan is running and owned by this process. A target given twice is a ValueError:
        deduplicate before scanning, or its findings would be recorded twice.
        """
        _refuse_duplicate_targets(targets)
        scan = {
            "started_at": _now(),
            "state": ScanState.RUNNING.value,
            "families": None if families is None else _to_json(list(families)),
            "config": _to_json(dict(config)),
            "netready_version": __version__,
            "pid": os.getpid(),
        }
        with self._write_transaction():
            scan_id = cast(int, self._db.table("scans").insert(scan).last_pk)
            rows = (
                (scan_id, position, value, kind) for position, (value, kind) in enumerate(targets)
            )
            self._db.table("scan_targets").insert_all(
                [("scan_id", "position", "target", "kind"), *rows], batch_size=200
            )
        return scan_id

    def record(
        self,
        scan_id: int,
        *,
        findings: Sequence[Finding] = (),
        finished_targets: Sequence[str] = (),
    ) -> None:
        """Write `findings`, then mark `finished_targets` finished, in ONE transaction.

        Call it with a target's last findings and the target's mark together, or with the mark
        after its findings: a target marked finished must have all its findings committed.
        Marking a finished target again is harmless. Raises StoreError, writing nothing, for a
        target that is not part of the scan or a finding for a target already finished.
        """
        self._record_rows(
            scan_id, [_finding_row(finding) for finding in findings], finished_targets
        )

    def _record_rows(
        self, scan_id: int, rows: Sequence[_FindingRow], finished_targets: Sequence[str]
    ) -> None:
        if not rows and not finished_targets:
            return
        recorded_at = _now()
        with self._write_transaction():
            self._require_scan(scan_id)
            self._insert_findings(scan_id, rows, recorded_at)
            self._mark_finished(scan_id, finished_targets, recorded_at)

    def _insert_findings(self, scan_id: int, rows: Sequence[_FindingRow], recorded_at: str) -> None:
        if not rows:
            return
        records = (((scan_id, *row, recorded_at)) for row in rows)
        try:
            # batch_size is capped by sqlite-utils at SQLite's 999 variables (124 rows here).
            self._db.table("findings").insert_all([_FINDING_COLUMNS, *records], batch_size=1000)
        except sqlite3.IntegrityError as error:
            raise self._rejected_targets_error(scan_id, [row[0] for row in rows]) from error

    def _mark_finished(self, scan_id: int, targets: Sequence[str], finished_at: str) -> None:
        unique_targets = list(dict.fromkeys(targets))
        if not unique_targets:
            return
        # sqlite-utils has no executemany(); its connection does.
        cursor = self._db.conn.executemany(
            "UPDATE scan_targets SET finished_at = coalesce(finished_at, ?) "
            "WHERE scan_id = ? AND target = ?",
            [(finished_at, scan_id, target) for target in unique_targets],
        )
        if cursor.rowcount != len(unique_targets):
            raise self._rejected_targets_error(scan_id, unique_targets)

    def _rejected_targets_error(self, scan_id: int, targets: Iterable[str]) -> StoreError:
        """Say which targets made a write fail (only ever called on the failure path)."""
        finished = dict(
            self._db.execute(
                "SELECT target, finished_at IS NOT NULL FROM scan_targets WHERE scan_id = ?",
                [scan_id],
            ).fetchall()
        )
        unknown = [target for target in dict.fromkeys(targets) if target not in finished]
        if unknown:
            return StoreError(f"scan {scan_id} has no target(s) {', '.join(map(repr, unknown))}")
        done = [target for target in dict.fromkeys(targets) if finished[target]]
        return StoreError(
            f"scan {scan_id}: target(s) {', '.join(map(repr, done))} already marked finished; "
            "a finding must be recorded before (or with) its target's finished mark"
        )

    def begin_resume(self, scan_id: int) -> list[str]:
        """Prepare an interrupted or cancelled scan to run again; returns what is left to do.

        Deletes the findings of the targets that are not finished (partial results, so
        re-running those targets makes no duplicates), sets the scan running in this process,
        and returns the unfinished targets in their original order. Finished targets and their
        findings are untouched. Refuses a completed scan, and a scan that another live process
        is still running.
        """
        with self._write_transaction():
            record = self._scan_record(scan_id)
            if record.state is ScanState.COMPLETED:
                raise StoreError(f"scan {scan_id} is completed; there is nothing to resume")
            if record.state is ScanState.RUNNING and not record.interrupted:
                self._refuse_if_other_process(scan_id)
            self._db.table("findings").delete_where(
                "scan_id = ? AND target IN (SELECT target FROM scan_targets "
                "WHERE scan_id = ? AND finished_at IS NULL)",
                [scan_id, scan_id],
            )
            self._db.table("scans").update(
                scan_id, {"state": ScanState.RUNNING.value, "pid": os.getpid(), "finished_at": None}
            )
            return self._unfinished_targets(scan_id)

    def _refuse_if_other_process(self, scan_id: int) -> None:
        pid = int(self._db.execute("SELECT pid FROM scans WHERE id = ?", [scan_id]).fetchone()[0])
        if pid != os.getpid():
            raise StoreError(
                f"scan {scan_id} is still running in process {pid} on this machine; "
                "stop that scan (or let it finish) before resuming it"
            )

    def _unfinished_targets(self, scan_id: int) -> list[str]:
        cursor = self._db.execute(
            "SELECT target FROM scan_targets WHERE scan_id = ? AND finished_at IS NULL "
            "ORDER BY position",
            [scan_id],
        )
        return [target for (target,) in cursor]

    def finish_scan(self, scan_id: int, *, state: ScanState) -> None:
        """End a scan as completed or cancelled (a cancelled scan can be resumed later)."""
        if state is ScanState.RUNNING:
            raise ValueError("finish_scan() needs the final state: completed or cancelled")
        with self._write_transaction():
            cursor = self._db.execute(
                "UPDATE scans SET state = ?, finished_at = ? WHERE id = ?",
                [ScanState(state).value, _now(), scan_id],
            )
            if cursor.rowcount == 0:
                raise self._unknown_scan(scan_id)

    # --- reading ----------------------------------------------------------------------------

    def scan(self, scan_id: int) -> ScanRecord:
        """The scan `scan_id`; UnknownScanError if there is none."""
        return self._scan_record(scan_id)

    def scans(self, *, limit: int | None = None) -> list[ScanRecord]:
        """The newest `limit` scans (all when None), newest first. Two queries in all."""
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be 0 or more, not {limit}")
        rows = self._db.execute(
            _SCAN_SELECT + "ORDER BY s.id DESC LIMIT ?", [-1 if limit is None else limit]
        ).fetchall()
        if not rows:
            return []
        counts = self._status_counts(rows[-1][0], rows[0][0])
        return [_scan_record(row, counts.get(row[0], {})) for row in rows]

    def _scan_record(self, scan_id: int) -> ScanRecord:
        row = self._db.execute(_SCAN_SELECT + "WHERE s.id = ?", [scan_id]).fetchone()
        if row is None:
            raise self._unknown_scan(scan_id)
        return _scan_record(row, self._status_counts(scan_id, scan_id).get(scan_id, {}))

    def _status_counts(self, first_id: int, last_id: int) -> dict[int, dict[str, int]]:
        """Findings per status of the scans first_id..last_id, in one query."""
        cursor = self._db.execute(
            "SELECT scan_id, status, count FROM scan_status_counts "
            "WHERE scan_id BETWEEN ? AND ? AND count > 0",
            [first_id, last_id],
        )
        counts: dict[int, dict[str, int]] = {}
        for scan_id, status, count in cursor:
            counts.setdefault(scan_id, {})[status] = count
        return counts

    def findings(self, scan_id: int) -> Iterator[Finding]:
        """The findings of a scan in recorded order, read as they are iterated."""
        self._require_scan(scan_id)
        cursor = self._db.execute(
            "SELECT target, subject, check_id, status, summary, evidence FROM findings "
            "WHERE scan_id = ? ORDER BY id",
            [scan_id],
        )
        return (_finding_from_row(row) for row in cursor)

    def targets(self, scan_id: int) -> list[TargetRecord]:
        """The targets of a scan in the order given, each with whether it is finished."""
        self._require_scan(scan_id)
        cursor = self._db.execute(
            "SELECT target, kind, finished_at IS NOT NULL FROM scan_targets "
            "WHERE scan_id = ? ORDER BY position",
            [scan_id],
        )
        return [TargetRecord(value, kind, bool(finished)) for value, kind, finished in cursor]

    def _require_scan(self, scan_id: int) -> None:
        if self._db.execute("SELECT 1 FROM scans WHERE id = ?", [scan_id]).fetchone() is None:
            raise self._unknown_scan(scan_id)

    def _unknown_scan(self, scan_id: int) -> UnknownScanError:
        return UnknownScanError(
            f"no scan {scan_id} in {str(self.path)!r}; `netready history` lists them"
        )


# --- the batching writer ------------------------------------------------------------------


class FindingWriter:
    """Writes the findings of one scan in batches, without giving up crash safety.

    Findings and "target finished" marks are buffered and written with `Store.record` when
    `batch_size` items are buffered, or when `target_finished` finds the oldest buffered item
    older than `max_delay` seconds (so a finished target is durable soon, while a fast scan
    still writes in big batches). Call `flush_if_due` from a periodic timer to cover quiet
    spells, `flush` to write now, and `close` (or leave the ``with`` block) at the end.

    The guarantee after ``kill -9``: every target marked finished in the database has all its
    findings there, because a mark is written in the same transaction as, or after, the
    target's findings (and a finding for a target already marked is refused at `add`). A
    finding lost with the buffer belongs to a target not yet marked finished; ``--resume``
    re-runs that target, which makes the finding again. Nothing finished is lost.

    Evidence is converted to JSON in `add`, so a finding whose evidence is not JSON (or holds
    NaN or infinity) fails there, at its maker, rather than jamming a later batch.
    """

    def __init__(
        self,
        store: Store,
        scan_id: int,
        *,
        batch_size: int = 500,
        max_delay: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        if not max_delay >= 0:
            raise ValueError(f"max_delay must be 0 seconds or more, not {max_delay}")
        self._store = store
        self._scan_id = scan_id
        self._batch_size = batch_size
        self._max_delay = max_delay
        self._clock = clock
        self._rows: list[_FindingRow] = []
        self._finished: list[str] = []
        self._marked: set[str] = set()
        self._oldest: float | None = None
        self._closed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def pending(self) -> int:
        """Findings and finished marks buffered, not yet written."""
        return len(self._rows) + len(self._finished)

    def add(self, finding: Finding) -> None:
        """Buffer a finding of a target that is not yet marked finished."""
        self._check_open()
        if finding.target in self._marked:
            raise ValueError(
                f"finding {finding.check_id} for {finding.target!r} arrived after the target "
                "was marked finished; record a target's findings before target_finished()"
            )
        self._rows.append(_finding_row(finding))
        self._buffered()
        if self.pending >= self._batch_size:
            self.flush()

    def target_finished(self, target: str) -> None:
        """Mark `target` finished: every finding of it has been given to `add`."""
        self._check_open()
        self._marked.add(target)
        self._finished.append(target)
        self._buffered()
        if self.pending >= self._batch_size or self._overdue():
            self.flush()

    def flush_if_due(self) -> bool:
        """Write the buffer if its oldest item waited `max_delay` or longer; True if written."""
        if not self._overdue():
            return False
        self.flush()
        return True

    def flush(self) -> None:
        """Write everything buffered now, in one transaction. On error the buffer is kept."""
        if not self.pending:
            return
        self._store._record_rows(self._scan_id, self._rows, self._finished)
        self._rows = []
        self._finished = []
        self._oldest = None

    def close(self) -> None:
        """Write what is buffered; the writer takes nothing more."""
        if not self._closed:
            self.flush()
            self._closed = True

    def _buffered(self) -> None:
        if self._oldest is None:
            self._oldest = self._clock()

    def _overdue(self) -> bool:
        return self._oldest is not None and self._clock() - self._oldest >= self._max_delay

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("the FindingWriter is closed")


# --- helpers ------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _to_json(value: Any) -> str:
    """Strict JSON (no NaN or infinity, which SQLite's JSON functions reject), UTF-8 as is."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _refuse_duplicate_targets(targets: Sequence[tuple[str, str]]) -> None:
    seen: set[str] = set()
    for value, _kind in targets:
        if value in seen:
            raise ValueError(f"target {value!r} is given twice; give each target once")
        seen.add(value)


def _finding_row(finding: Finding) -> _FindingRow:
    try:
        evidence = _to_json(dict(finding.evidence))
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"evidence of {finding.check_id} for {finding.target!r} is not JSON: {error}"
        ) from None
    status = Status(finding.status).value
    return (finding.target, finding.subject, finding.check_id, status, finding.summary, evidence)


def _finding_from_row(row: tuple[str, str, str, str, str, str]) -> Finding:
    target, subject, check_id, status, summary, evidence = row
    return Finding(
        target=target,
        subject=subject,
        check_id=check_id,
        status=Status(status),
        summary=summary,
        evidence=json.loads(evidence),
    )


def _scan_record(row: tuple[Any, ...], status_counts: dict[str, int]) -> ScanRecord:
    scan_id, started, finished, state, families, config, version, pid, total, left = row
    scan_state = ScanState(state)
    return ScanRecord(
        id=scan_id,
        started_at=datetime.fromisoformat(started),
        finished_at=None if finished is None else datetime.fromisoformat(finished),
        state=scan_state,
        targets_total=total,
        targets_done=total - left,
        finding_count=sum(status_counts.values()),
        status_counts=_in_status_order(status_counts),
        families=None if families is None else tuple(json.loads(families)),
        config=json.loads(config),
        interrupted=scan_state is ScanState.RUNNING and not _process_alive(pid),
        netready_version=version,
    )


def _in_status_order(counts: dict[str, int]) -> dict[str, int]:
    known = [status.value for status in Status if status.value in counts]
    unknown = sorted(set(counts) - set(known))  # written by a newer netready
    return {status: counts[status] for status in known + unknown}


if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    _PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
    _STILL_ACTIVE = 259
    _ERROR_ACCESS_DENIED = 5

    def _process_alive(pid: int) -> bool:
        """Whether process `pid` runs on this machine (Windows: os.kill would terminate it)."""
        if pid == os.getpid():
            return True
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.OpenProcess.argtypes = [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD]
        kernel32.OpenProcess.restype = wintypes.HANDLE
        kernel32.GetExitCodeProcess.argtypes = [wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD)]
        kernel32.GetExitCodeProcess.restype = wintypes.BOOL
        kernel32.CloseHandle.argtypes = [wintypes.HANDLE]
        handle = kernel32.OpenProcess(_PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
        if not handle:
            # Access denied means it exists (another user's process); anything else: gone.
            return ctypes.get_last_error() == _ERROR_ACCESS_DENIED
        try:
            exit_code = wintypes.DWORD()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(exit_code)):
                return True
            return exit_code.value == _STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)

else:

    def _process_alive(pid: int) -> bool:
        """Whether process `pid` runs on this machine (signal 0 only checks, sends nothing)."""
        if pid == os.getpid():
            return True
        if pid <= 0:
            return False
        try:
            os.kill(pid, 0)
        except PermissionError:
            return True  # it exists, run by another user
        except OSError:
            return False
        return True
