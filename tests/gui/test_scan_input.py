"""The targets box: many entries at once, errors with their lines, sweeps to confirm."""

from __future__ import annotations

import pytest

from netready.gui.scan_input import SWEEP_HARD_LIMIT, Sweep, entries_of, read_scan_input
from netready.targets import TargetKind, TargetListError


def test_entries_are_split_on_lines_spaces_commas_and_semicolons() -> None:
    text = (
        "example.org, www.example.org;192.0.2.1\n\n  2001:db8::1   198.51.100.0/30  # lab\n# all\n"
    )
    assert entries_of(text) == [
        (1, "example.org"),
        (1, "www.example.org"),
        (1, "192.0.2.1"),
        (3, "2001:db8::1"),
        (3, "198.51.100.0/30"),
    ]


def test_a_url_fragment_is_not_a_comment() -> None:
    assert entries_of("https://example.org/#top") == [(1, "https://example.org/#top")]


def test_targets_are_normalised_and_deduplicated_in_order() -> None:
    scan_input = read_scan_input(
        "https://WWW.Example.org/x\nwww.example.org bücher.example 192.0.2.1/32", limit=1024
    )
    assert [target.value for target in scan_input.targets] == [
        "www.example.org",
        "xn--bcher-kva.example",
        "192.0.2.1",
    ]
    assert scan_input.sweeps == ()


def test_every_bad_entry_is_reported_with_its_line() -> None:
    with pytest.raises(TargetListError) as raised:
        read_scan_input("example.org\nexa mple..org\n\n1.2.3.999", limit=1024)
    messages = [str(error) for error in raised.value.errors]
    assert len(messages) == 2
    assert messages[0].startswith("line 2: 'mple..org' is not a valid target")
    assert messages[1].startswith("line 4: '1.2.3.999' is not a valid target")


def test_networks_above_the_limit_are_sweeps_to_confirm() -> None:
    scan_input = read_scan_input("198.18.0.0/24 198.18.4.0/22 198.18.8.0/28", limit=256)
    assert [target.kind for target in scan_input.targets] == [TargetKind.NETWORK] * 3
    assert scan_input.sweeps == (Sweep("198.18.4.0/22", 1024),)
    assert scan_input.sweep_addresses == 1024
    assert scan_input.limit_needed(256) == 1024
    assert read_scan_input("198.18.0.0/24", limit=256).limit_needed(256) == 256


def test_a_network_above_the_hard_limit_is_refused() -> None:
    with pytest.raises(TargetListError) as raised:
        read_scan_input("10.0.0.0/15", limit=1024)
    assert f"the limit is {SWEEP_HARD_LIMIT:,}" in str(raised.value.errors[0])
