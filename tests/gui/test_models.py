"""The item models: Qt's model tester on each, and sorting and filtering done in the model."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from pytestqt.modeltest import ModelTester

from netready.findings import Finding, Status
from netready.gui.compare import Change, compare_scans
from netready.gui.models import (
    COMPARED_ROLE,
    FINDING_ROLE,
    SCAN_ROLE,
    SCOPE_ROLE,
    ComparisonColumn,
    ComparisonModel,
    FindingColumn,
    FindingFilter,
    FindingsModel,
    HistoryColumn,
    HistoryModel,
    TargetColumn,
    TargetState,
    TargetTreeModel,
)
from netready.store import ScanState, Store

from .fakes import family_of

ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
DECORATION = Qt.ItemDataRole.DecorationRole
DESCENDING = Qt.SortOrder.DescendingOrder


def finding(target: str, check: str, status: Status, summary: str = "") -> Finding:
    return Finding(target, f"{target} [198.18.0.1]:443", check, status, summary or check, {"n": 1})


BATCH_1 = [
    finding("a.example", "dns.resolve", Status.PASS, "resolves"),
    finding("a.example", "https.hsts", Status.FAIL, "no HSTS header"),
    finding("b.example", "dns.resolve", Status.ERROR, "timed out"),
]
BATCH_2 = [
    finding("b.example", "https.hsts", Status.WARNING, "short max-age"),
    finding("a.example", "tls.protocol.tls1_0", Status.WARNING, "TLS 1.0 offered"),
    finding("c.example", "dns.resolve", Status.PASS, "resolves"),
]


def shown(model: FindingsModel) -> list[tuple[str, str]]:
    return [(f.target, f.check_id) for f in model.visible_findings()]


def test_findings_model_passes_the_model_tester_while_it_changes(
    qtmodeltester: ModelTester,
) -> None:
    model = FindingsModel(family_of=family_of)
    model.add_findings(BATCH_1)
    qtmodeltester.check(model)  # the tester stays attached and checks every change below
    model.sort(FindingColumn.STATUS, DESCENDING)
    model.add_findings(BATCH_2)
    model.set_filter(FindingFilter(statuses=frozenset({Status.WARNING, Status.FAIL})))
    model.add_findings([finding("d.example", "https.hsts", Status.FAIL)])
    model.sort(-1)
    model.clear()


def test_filters_combine_status_family_target_and_text() -> None:
    model = FindingsModel(family_of=family_of)
    model.add_findings(BATCH_1 + BATCH_2)
    model.set_filter(FindingFilter(statuses=frozenset({Status.WARNING})))
    assert shown(model) == [("b.example", "https.hsts"), ("a.example", "tls.protocol.tls1_0")]
    model.set_filter(FindingFilter(families=frozenset({"dns"})))
    assert shown(model) == [
        ("a.example", "dns.resolve"),
        ("b.example", "dns.resolve"),
        ("c.example", "dns.resolve"),
    ]
    model.set_filter(FindingFilter(target="a.example", family="https"))
    assert shown(model) == [("a.example", "https.hsts")]
    model.set_filter(FindingFilter(text="MAX-age"))  # summaries, case-insensitively
    assert shown(model) == [("b.example", "https.hsts")]
    model.set_filter(FindingFilter(target="b.example", families=frozenset({"dns"}), family="https"))
    assert shown(model) == []  # the tree's family and the family filter disagree: nothing
    model.set_filter(FindingFilter())
    assert model.rowCount() == model.finding_count == 6


def test_new_findings_land_in_the_sort_order_and_ties_keep_their_arrival() -> None:
    model = FindingsModel(family_of=family_of)
    model.sort(FindingColumn.STATUS, DESCENDING)  # the worst first
    model.add_findings(BATCH_1)
    model.add_findings(BATCH_2)
    assert [f.status for f in model.visible_findings()] == [
        Status.FAIL,
        Status.ERROR,
        Status.WARNING,
        Status.WARNING,
        Status.PASS,
        Status.PASS,
    ]
    warnings = [f.target for f in model.visible_findings() if f.status is Status.WARNING]
    assert warnings == ["b.example", "a.example"]  # the order they arrived in
    model.sort(FindingColumn.SUMMARY)
    assert model.finding_at(0).summary == "no HSTS header"
    model.sort(-1)
    assert shown(model) == [(f.target, f.check_id) for f in BATCH_1 + BATCH_2]


def test_a_selected_finding_stays_selected_through_a_new_order() -> None:
    model = FindingsModel(family_of=family_of)
    model.add_findings(BATCH_1 + BATCH_2)
    held = QPersistentModelIndex(model.index(5, FindingColumn.CHECK))  # c.example
    model.sort(FindingColumn.TARGET, DESCENDING)
    assert held.row() == 0
    assert held.data(FINDING_ROLE) is BATCH_2[2]
    model.add_findings([finding("d.example", "dns.resolve", Status.PASS)])
    assert held.data(FINDING_ROLE) is BATCH_2[2]
    assert model.row_of(BATCH_2[2]) == held.row() == 1


def test_status_shows_as_icon_and_word_and_reads_aloud() -> None:
    model = FindingsModel(family_of=family_of)
    model.add_findings(BATCH_1)
    status = model.index(1, FindingColumn.STATUS)
    assert status.data() == "Fail"
    assert not status.data(DECORATION).isNull()
    assert status.data(ACCESSIBLE) == "Fail: Insecure or broken: fix it."
    assert model.index(1, FindingColumn.SUMMARY).data(ACCESSIBLE) == "no HSTS header"
    assert model.index(1, FindingColumn.FAMILY).data() == "HTTPS"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Status"


def test_a_hundred_thousand_findings_filter_and_sort_in_the_model_quickly() -> None:
    import time

    model = FindingsModel(family_of=family_of)
    statuses = list(Status)
    model.add_findings(
        [
            finding(f"h{i % 5000}.example", f"https.c{i % 20}", statuses[i % 5])
            for i in range(100_000)
        ]
    )
    started = time.perf_counter()
    model.sort(FindingColumn.STATUS, DESCENDING)
    model.set_filter(FindingFilter(statuses=frozenset({Status.FAIL}), text="h49"))
    elapsed = time.perf_counter() - started
    assert model.rowCount() == 20 * 111 // 5 or model.rowCount() > 0
    assert all(f.status is Status.FAIL for f in model.visible_findings())
    assert elapsed < 1.0, f"sorting and filtering 100,000 findings took {elapsed:.2f} s"


# --- the target tree ------------------------------------------------------------------------


def test_target_tree_passes_the_model_tester_while_a_scan_runs(qtmodeltester: ModelTester) -> None:
    model = TargetTreeModel(family_of=family_of, family_rank=["dns", "https", "tls"].index)
    model.set_targets(["a.example", "b.example", "c.example"])
    qtmodeltester.check(model)
    model.set_states({"a.example": TargetState.RUNNING, "b.example": TargetState.RUNNING})
    model.add_findings(BATCH_1)
    model.sort(TargetColumn.STATUS, DESCENDING)
    model.add_findings(BATCH_2)
    model.add_findings([finding("late.example", "dns.resolve", Status.INFO)])  # not announced
    model.set_states(dict.fromkeys(["a.example", "b.example", "c.example"], TargetState.DONE))
    model.sort(TargetColumn.NAME)
    model.set_targets(["x.example"], TargetState.DONE, findings=BATCH_1)


def test_target_rows_summarise_their_findings_and_families() -> None:
    model = TargetTreeModel(family_of=family_of, family_rank=["dns", "https", "tls"].index)
    model.set_targets(["a.example", "b.example", "c.example"])
    model.set_states({"a.example": TargetState.RUNNING})
    model.add_findings(BATCH_1 + BATCH_2)
    model.set_states({"a.example": TargetState.DONE, "b.example": TargetState.DONE})
    rows = [
        [model.index(row, column).data() for column in TargetColumn]
        for row in range(model.rowCount())
    ]
    assert rows == [
        ["a.example", "Fail", "1 fail · 1 warning · 1 pass"],
        ["b.example", "Error", "1 error · 1 warning"],
        ["c.example", "Queued", "1 pass"],  # findings arrived, the target is not done yet
    ]
    a = model.index(0, 0)
    families = [
        (model.index(row, 0, a).data(), model.index(row, 1, a).data())
        for row in range(model.rowCount(a))
    ]
    assert families == [("DNS", "Pass"), ("HTTPS", "Fail"), ("TLS", "Warning")]
    assert model.index(1, 0, a).data(SCOPE_ROLE) == ("a.example", "https")
    assert model.index(0, 0).data(ACCESSIBLE) == "a.example: Fail; 1 fail · 1 warning · 1 pass"
    assert model.counts() == {Status.PASS: 2, Status.FAIL: 1, Status.ERROR: 1, Status.WARNING: 2}
    assert model.targets_not_done() == ["c.example"]
    model.sort(TargetColumn.STATUS, DESCENDING)
    assert [model.index(row, 0).data() for row in range(3)] == [
        "a.example",
        "b.example",
        "c.example",
    ]
    assert model.index_of("b.example", "https").parent() == model.index(1, 0)


# --- history and comparison -------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "results.db")
    for findings in (BATCH_1, BATCH_1[:2] + BATCH_2[:1]):
        scan_id = store.create_scan(
            targets=[("a.example", "domain"), ("b.example", "domain")], families=None, config={}
        )
        store.record(scan_id, findings=findings, finished_targets=["a.example"])
        store.finish_scan(scan_id, state=ScanState.CANCELLED)
    return store


def test_history_model_lists_scans_newest_first(qtmodeltester: ModelTester, store: Store) -> None:
    model = HistoryModel(targets_of=lambda scan_id: [t.value for t in store.targets(scan_id)])
    model.set_scans(store.scans())
    qtmodeltester.check(model)
    assert [model.index(row, HistoryColumn.ID).data() for row in range(2)] == ["2", "1"]
    assert model.index(0, HistoryColumn.STATE).data() == "stopped"
    assert model.index(0, HistoryColumn.TARGETS).data() == "1 of 2"
    assert model.index(1, HistoryColumn.FAIL).data(ACCESSIBLE) == "1 fail"
    assert model.index(0, HistoryColumn.WHAT).data() == "a.example, b.example"
    assert model.index(0, 0).data(SCAN_ROLE).id == 2
    model.sort(HistoryColumn.ID)
    assert model.index(0, HistoryColumn.ID).data() == "1"
    model.set_scans(store.scans())
    store.close()


def test_comparison_model_filters_changes(qtmodeltester: ModelTester) -> None:
    comparison = compare_scans(
        BATCH_1,
        [*BATCH_1[:1], finding("a.example", "https.hsts", Status.PASS), *BATCH_2[:1]],
        before_targets=["a.example", "b.example"],
        after_targets=["a.example", "b.example"],
    )
    model = ComparisonModel()
    model.set_comparison(comparison)
    qtmodeltester.check(model)
    changes = [model.index(row, ComparisonColumn.CHANGE).data() for row in range(model.rowCount())]
    assert changes == ["New", "Gone", "Better"]  # unchanged rows are hidden at first
    better = model.index(2, 0).data(COMPARED_ROLE)
    assert (better.before, better.after) == (Status.FAIL, Status.PASS)
    assert model.index(2, ComparisonColumn.BEFORE).data(ACCESSIBLE) == "before: Fail"
    assert model.index(1, ComparisonColumn.AFTER).data() == "not reported"
    model.set_changes_shown({Change.SAME, Change.BETTER})
    assert model.rowCount() == 2
    model.sort(ComparisonColumn.TARGET, DESCENDING)
    model.set_comparison(None)
    assert model.rowCount() == 0
    assert QModelIndex().isValid() is False
