"""The command line's usage errors: exit 2 and a message naming the bad part.

None of these reach the network: every one is refused before a scan starts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from netready.cli import EXIT_BAD_INPUT, EXIT_OK, main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "results.db")


@pytest.mark.parametrize(
    ("target", "named"),
    [
        ("exa mple.org", "exa mple.org"),
        ("198.18.0.0/33", "198.18.0.0/33"),
        ("10.0.0.0/8", "10.0.0.0/8"),
        ("bad-.example", "bad-.example"),
    ],
)
def test_a_bad_target_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], db: str, target: str, named: str
) -> None:
    status, _out, err = run(capsys, "scan", target, "--db", db, "--resolver", "198.18.0.53")
    assert status == EXIT_BAD_INPUT
    assert named in err


def test_every_bad_line_of_a_file_is_listed_with_its_line_number(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    targets = tmp_path / "targets.txt"
    targets.write_text("# office\nexample.test\nbad..name\n198.18.0.1\n300.1.1.1\n")
    status, _out, err = run(capsys, "scan", "--file", str(targets), "--db", db)
    assert status == EXIT_BAD_INPUT
    assert "line 3" in err
    assert "bad..name" in err
    assert "line 5" in err
    assert "300.1.1.1" in err


def test_no_targets_is_a_usage_error_that_says_what_to_do(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    status, _out, err = run(capsys, "scan", "--db", db)
    assert status == EXIT_BAD_INPUT
    assert "no targets" in err


def test_an_unknown_family_is_named_with_the_available_ones(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    status, _out, err = run(capsys, "scan", "example.test", "--checks", "dns,tsl", "--db", db)
    assert status == EXIT_BAD_INPUT
    assert "'tsl'" in err
    assert "available: dns" in err


def test_a_resolver_that_is_not_an_address_is_refused(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    status, _out, err = run(capsys, "scan", "example.test", "--resolver", "dns.google", "--db", db)
    assert status == EXIT_BAD_INPUT
    assert "'dns.google' is not an IP address" in err


def test_bad_input_saves_no_scan(capsys: pytest.CaptureFixture[str], db: str) -> None:
    run(capsys, "scan", "exa mple.org", "--db", db)
    status, out, _err = run(capsys, "history", "--db", db)
    assert status == EXIT_OK
    assert "No scans yet" in out


def test_showing_an_unknown_scan_exits_2_and_points_to_history(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    status, _out, err = run(capsys, "show", "42", "--db", db)
    assert status == EXIT_BAD_INPUT
    assert "42" in err
    assert "history" in err


def test_resume_with_targets_is_refused(capsys: pytest.CaptureFixture[str], db: str) -> None:
    status, _out, err = run(capsys, "scan", "--resume", "1", "example.test", "--db", db)
    assert status == EXIT_BAD_INPUT
    assert "--resume" in err


def test_argparse_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, _out, err = run(capsys, "scan", "example.test", "--timeout", "soon")
    assert status == EXIT_BAD_INPUT
    assert "--timeout" in err


def test_an_unusable_trust_anchor_is_refused_before_the_scan(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    anchor = tmp_path / "anchor.txt"
    anchor.write_text("this is not a DS record\n")
    status, _out, err = run(
        capsys, "scan", "example.test", "--trust-anchor", str(anchor), "--db", db
    )
    assert status == EXIT_BAD_INPUT
    assert "anchor.txt" in err
    assert "cannot be used" in err
