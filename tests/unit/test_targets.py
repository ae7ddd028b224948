"""Tests for netready.targets: what the parser accepts, how it says no, files, networks."""

from __future__ import annotations

import ipaddress
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netready import targets
from netready.targets import (
    MAX_FILE_BYTES,
    MAX_TARGET_LENGTH,
    InvalidTargetError,
    Target,
    TargetError,
    TargetFileError,
    TargetKind,
    TargetListError,
    network_addresses,
    network_size,
    parse_target,
    parse_targets,
    parse_targets_file,
    read_targets_file,
)

DOMAIN, ADDRESS, NETWORK = TargetKind.DOMAIN, TargetKind.ADDRESS, TargetKind.NETWORK


def rejection(text: str, **options: int) -> InvalidTargetError:
    """The error parse_target raises for `text`, checked to name the input."""
    with pytest.raises(InvalidTargetError) as caught:
        parse_target(text, **options)
    error = caught.value
    assert error.text == text
    assert repr(text)[:40] in str(error)
    assert error.reason in str(error)
    return error


def test_public_api_is_exactly_this() -> None:
    # Sorted as ruff's RUF022 wants: constants, classes, then functions.
    assert targets.__all__ == [
        "DEFAULT_MAX_NETWORK_ADDRESSES",
        "LAN_TARGET_PREFIX",
        "MAX_FILE_BYTES",
        "MAX_TARGET_LENGTH",
        "InvalidTargetError",
        "Target",
        "TargetError",
        "TargetFileError",
        "TargetKind",
        "TargetListError",
        "interface_target",
        "network_addresses",
        "network_size",
        "parse_target",
        "parse_targets",
        "parse_targets_file",
        "read_targets_file",
    ]
    assert all(hasattr(targets, name) for name in targets.__all__)


# --- accepted inputs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        # domains: lowercased, one trailing dot dropped, surrounding whitespace ignored
        ("example.org", DOMAIN, "example.org"),
        ("  Example.ORG.\t", DOMAIN, "example.org"),
        ("www.sub.example.org", DOMAIN, "www.sub.example.org"),
        ("_dmarc.example.org", DOMAIN, "_dmarc.example.org"),
        ("_443._tcp.example.org", DOMAIN, "_443._tcp.example.org"),
        ("intranet", DOMAIN, "intranet"),
        ("localhost", DOMAIN, "localhost"),
        ("r3---sn-abc.example", DOMAIN, "r3---sn-abc.example"),
        ("1.2.3.4a", DOMAIN, "1.2.3.4a"),
        ("a" * 63 + ".org", DOMAIN, "a" * 63 + ".org"),
        (
            ".".join(["a" * 63] * 3) + "." + "b" * 61,
            DOMAIN,
            ".".join(["a" * 63] * 3) + "." + "b" * 61,
        ),
        # internationalised names become A-labels (UTS #46 mapping first)
        ("bücher.example", DOMAIN, "xn--bcher-kva.example"),
        ("BÜCHER.example", DOMAIN, "xn--bcher-kva.example"),
        ("bücher。example", DOMAIN, "xn--bcher-kva.example"),
        ("ＥＸＡＭＰＬＥ.org", DOMAIN, "example.org"),
        ("_dmarc.bücher.example", DOMAIN, "_dmarc.xn--bcher-kva.example"),
        ("faß.de", DOMAIN, "xn--fa-hia.de"),
        ("xn--bcher-kva.example", DOMAIN, "xn--bcher-kva.example"),
        ("XN--BCHER-KVA.example", DOMAIN, "xn--bcher-kva.example"),
        # an A-label registered under older rules (emoji) is accepted as written
        ("xn--i-7iq.ws", DOMAIN, "xn--i-7iq.ws"),
        # URLs and URL-like text: only the host is kept
        ("https://www.example.org:8443/path?q", DOMAIN, "www.example.org"),
        ("HTTPS://WWW.Example.org", DOMAIN, "www.example.org"),
        ("https://example.org/", DOMAIN, "example.org"),
        ("https://example.org#top", DOMAIN, "example.org"),
        ("ftp://user:secret@files.example.org/pub", DOMAIN, "files.example.org"),
        ("https://bücher.example/katalog", DOMAIN, "xn--bcher-kva.example"),
        ("http://example.org:/", DOMAIN, "example.org"),
        ("example.org/path", DOMAIN, "example.org"),
        ("example.org:443", DOMAIN, "example.org"),
        ("example.org?x=1", DOMAIN, "example.org"),
        ("alice@example.org", DOMAIN, "example.org"),
        ("http://[2001:db8::1]:80/", ADDRESS, "2001:db8::1"),
        ("http://192.0.2.7:8080/status", ADDRESS, "192.0.2.7"),
        ("192.0.2.7:443", ADDRESS, "192.0.2.7"),
        # IP addresses: IPv6 compressed and lowercased, IPv4-mapped becomes IPv4
        ("192.0.2.1", ADDRESS, "192.0.2.1"),
        ("0.0.0.0", ADDRESS, "0.0.0.0"),
        ("255.255.255.255", ADDRESS, "255.255.255.255"),
        ("2001:DB8:0:0:0:0:0:1", ADDRESS, "2001:db8::1"),
        ("[2001:db8::1]", ADDRESS, "2001:db8::1"),
        ("[2001:db8::1]:443", ADDRESS, "2001:db8::1"),
        ("fe80::1", ADDRESS, "fe80::1"),
        ("::ffff:192.0.2.1", ADDRESS, "192.0.2.1"),
        ("64:ff9b::192.0.2.1", ADDRESS, "64:ff9b::c000:201"),
        # networks
        ("198.18.0.0/24", NETWORK, "198.18.0.0/24"),
        ("198.18.0.0/22", NETWORK, "198.18.0.0/22"),
        ("198.18.0.0/255.255.255.0", NETWORK, "198.18.0.0/24"),
        ("198.18.0.0/024", NETWORK, "198.18.0.0/24"),
        ("2001:db8::/120", NETWORK, "2001:db8::/120"),
        ("2001:DB8:0::/118", NETWORK, "2001:db8::/118"),
        ("[2001:db8::]/120", NETWORK, "2001:db8::/120"),
        ("::ffff:192.0.2.0/120", NETWORK, "192.0.2.0/24"),
        # a single-address network is that address
        ("192.0.2.1/32", ADDRESS, "192.0.2.1"),
        ("2001:db8::1/128", ADDRESS, "2001:db8::1"),
    ],
)
def test_accepts(text: str, kind: TargetKind, value: str) -> None:
    assert parse_target(text) == Target(kind, value)


def test_target_reports_ip_version() -> None:
    assert parse_target("example.org").ip_version is None
    assert parse_target("192.0.2.1").ip_version == 4
    assert parse_target("2001:db8::/120").ip_version == 6


# --- rejected inputs: every reason --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty target"),
        ("   \t ", "empty target"),
        # domain names
        ("exa mple.org", "a domain name cannot contain a space"),
        ("exam!ple.org", "a domain name cannot contain '!'"),
        ("bü!cher.de", "a domain name cannot contain '!'"),
        ("ex\x00ample.org", "a domain name cannot contain U+0000 (a control character)"),
        ("a\udcff.org", "a domain name cannot contain U+DCFF (a lone surrogate)"),
        ("bü\x07cher.de", "cannot contain U+0007 (a control character)"),
        ("example..org", "empty label (two dots in a row)"),
        ("example.org..", "empty label (two dots in a row)"),
        (".example.org", "empty label (it starts with a dot)"),
        (".", "a domain name needs at least one label"),
        ("a" * 64 + ".org", f"label '{'a' * 64}' is 64 characters long; the limit is 63"),
        ("ü" * 60 + ".de", "characters long as an A-label; the limit is 63"),
        ("-example.org", "label '-example' starts with a hyphen"),
        ("example-.org", "label 'example-' ends with a hyphen"),
        (".".join(["a" * 63] * 4), "the name is 255 characters long; the limit is 253"),
        ("a.123", "the last label '123' is all digits, which no top-level domain is"),
        ("xn--zz.example", "label 'xn--zz' starts with 'xn--' but is not valid Punycode"),
        ("xn--.example", "label 'xn--' ends with a hyphen"),
        ("😀.example", "'😀' (U+1F600 GRINNING FACE) is not allowed there"),
        ("a\u200db.example", "U+200D ZERO WIDTH JOINER is not allowed there"),
        ("ab--ü.example", "breaks the rules for internationalised names"),
        ("ü" * 1100, "the name is too long"),
        # URLs
        ("http://", "the URL has no host name"),
        ("https:///path", "the URL has no host name"),
        ("http:/example.org", "the scheme is not followed by '://'"),
        ("http://2001:db8::1/", "an IPv6 address in a URL must be written in brackets"),
        ("example.org:http", "'http' after the ':' is not a port number from 1 to 65535"),
        ("example.org:0", "'0' after the ':' is not a port number"),
        ("example.org:65536", "'65536' after the ':' is not a port number"),
        (":443", "there is no host name or address"),
        ("[2001:db8::1", "the '[' has no closing ']'"),
        ("[2001:db8::1]x", "unexpected 'x' after the ']'"),
        ("[192.0.2.1]", "only an IPv6 address can be written in brackets"),
        ("[example.org]", "only an IPv6 address can be written in brackets"),
        # IPv4 addresses
        ("1.2.3.999", "the number '999' is larger than 255"),
        ("1.2.3.4444", "the number '4444' is larger than 255"),
        ("127.1", "an IPv4 address has four numbers; this has 2"),
        ("1.2.3.4.5", "an IPv4 address has four numbers; this has 5"),
        ("12345", "an IPv4 address has four numbers; this has 1"),
        ("1.2..4", "an IPv4 address is four numbers separated by single dots"),
        ("1.2.3.4.", "an IPv4 address is four numbers separated by single dots"),
        ("010.0.0.1", "the number '010' has a leading zero, which some systems read as octal"),
        # IPv6 addresses
        ("2001:db8::g", "not a valid IPv6 address: only hex digits permitted in 'g'"),
        ("1::2::3", "not a valid IPv6 address: at most one '::' permitted"),
        ("1:2:3:4:5:6:7:8:9", "not a valid IPv6 address"),
        ("fe80::1%eth0", "scoped addresses (zone '%eth0') cannot be scanned"),
        ("http://[fe80::1%25eth0]/", "scoped addresses"),
        # networks
        ("198.18.0.0/33", "the prefix length /33 is out of range; an IPv4 prefix is /0 to /32"),
        ("2001:db8::/129", "the prefix length /129 is out of range; an IPv6 prefix is /0 to /128"),
        ("198.18.0.0/99999", "is out of range"),
        ("198.18.0.0/", "the prefix length after the '/' is missing"),
        ("198.18.0.0/x", "the prefix length 'x' is not a number"),
        ("2001:db8::/ff", "the prefix length 'ff' is not a number"),
        ("198.18.0.0/255.0.255.0", "'255.0.255.0' is not a valid netmask"),
        ("[]/24", "there is no address before the '/'"),
        ("198.18.0.999/24", "the number '999' is larger than 255"),
        ("fe80::%eth0/120", "scoped addresses"),
    ],
)
def test_rejects_with_reason(text: str, reason: str) -> None:
    error = rejection(text)
    assert reason in error.reason


def test_rejection_message_names_input_and_reason() -> None:
    error = rejection("exa mple.org")
    assert str(error) == (
        "'exa mple.org' is not a valid target: a domain name cannot contain a space"
    )


def test_host_bits_are_rejected_with_both_readings_as_hint() -> None:
    error = rejection("198.18.0.5/24")
    assert error.reason == "the address has host bits set after the /24 prefix"
    assert error.hint == "did you mean the network 198.18.0.0/24, or the single address 198.18.0.5?"
    assert str(error).endswith(f"; {error.hint}")


def test_large_ipv4_network_is_rejected_with_a_hint_to_split_it() -> None:
    error = rejection("10.0.0.0/8")
    assert error.reason == "the network has 16,777,216 addresses; the limit is 1,024"
    assert error.hint is not None
    assert "/22" in error.hint


def test_large_ipv6_network_is_rejected_with_a_hint_to_scan_the_lan() -> None:
    error = rejection("2001:db8::/64")
    assert error.reason == "the network has 2^64 addresses; the limit is 1,024"
    assert error.hint is not None
    assert "netready scan --lan IFACE" in error.hint


def test_network_limit_is_configurable() -> None:
    assert parse_target("198.18.0.0/16", max_network_addresses=65536).kind is NETWORK
    error = rejection("198.18.0.0/23", max_network_addresses=256)
    assert error.reason == "the network has 512 addresses; the limit is 256"
    assert error.hint is not None
    assert "/24" in error.hint


def test_network_limit_below_one_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least 1") as caught:
        parse_target("example.org", max_network_addresses=0)
    assert not isinstance(caught.value, TargetError)


def test_a_name_not_valid_under_idna_2008_gets_the_a_label_hint() -> None:
    assert rejection("😀.example").hint is not None


def test_zone_id_rejection_hints_at_the_global_address() -> None:
    assert rejection("fe80::1%eth0").hint == "use the host's global address"


def test_overlong_input_is_not_echoed_whole() -> None:
    # Given an input longer than the limit
    text = "a" * (MAX_TARGET_LENGTH + 1)
    # When it is parsed, Then the message says so and quotes only its start
    error = rejection(text)
    assert error.reason == "it is 2,001 characters long; the limit is 2,000"
    assert error.text == text
    assert len(str(error)) < 200
    assert "…" in str(error)


def test_invisible_characters_are_escaped_in_messages() -> None:
    assert "'ex\\x00ample.org'" in str(rejection("ex\x00ample.org"))


# --- errors: location, lists, pickling ----------------------------------------------------


def test_error_with_location_names_file_and_line() -> None:
    error = rejection("exa mple.org").with_location(Path("targets.txt"), 3)
    assert str(error) == (
        "targets.txt line 3: 'exa mple.org' is not a valid target: "
        "a domain name cannot contain a space"
    )
    assert (error.source, error.line) == (Path("targets.txt"), 3)


def test_list_error_lists_every_error_one_per_line() -> None:
    with pytest.raises(TargetListError) as caught:
        parse_targets(["example.org", "exa mple.org", "1.2.3.999", "a..b"])
    error = caught.value
    assert [e.text for e in error.errors] == ["exa mple.org", "1.2.3.999", "a..b"]
    lines = str(error).splitlines()
    assert lines[0] == "3 targets are not valid:"
    assert lines[1:] == [f"  {e}" for e in error.errors]


def test_list_error_with_one_error_says_so() -> None:
    with pytest.raises(TargetListError, match=r"^1 target is not valid:\n  'a\.\.b'"):
        parse_targets(["a..b"])


def test_list_error_needs_errors() -> None:
    with pytest.raises(ValueError, match="at least one error"):
        TargetListError([])


def test_errors_survive_pickling() -> None:
    # Given errors with every attribute set (a worker process may send them to the GUI)
    single = InvalidTargetError("x", "why", hint="how", source=Path("f.txt"), line=2)
    several = TargetListError([single])
    # When they are pickled and unpickled, Then nothing is lost
    for error in (single, several):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert str(copy) == str(error)


# --- several targets ----------------------------------------------------------------------


def test_parse_targets_deduplicates_after_normalising_in_first_seen_order() -> None:
    texts = [
        "Example.ORG.",
        "192.0.2.1",
        "https://example.org/",
        "example.org",
        "::ffff:192.0.2.1",
        "192.0.2.1/32",
        "bücher.example",
        "xn--bcher-kva.example",
    ]
    assert parse_targets(texts) == [
        Target(DOMAIN, "example.org"),
        Target(ADDRESS, "192.0.2.1"),
        Target(DOMAIN, "xn--bcher-kva.example"),
    ]


def test_parse_targets_of_nothing_is_empty() -> None:
    assert parse_targets([]) == []


def test_parse_targets_applies_the_network_limit() -> None:
    with pytest.raises(TargetListError) as caught:
        parse_targets(["198.18.0.0/24"], max_network_addresses=16)
    assert "the limit is 16" in str(caught.value)


# --- networks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size", "first", "last", "count"),
    [
        ("198.18.0.0/24", 256, "198.18.0.1", "198.18.0.254", 254),
        ("198.18.0.0/30", 4, "198.18.0.1", "198.18.0.2", 2),
        ("198.18.0.0/31", 2, "198.18.0.0", "198.18.0.1", 2),
        ("198.18.0.7", 1, "198.18.0.7", "198.18.0.7", 1),
        ("2001:db8::/120", 256, "2001:db8::", "2001:db8::ff", 256),
        ("2001:db8::/127", 2, "2001:db8::", "2001:db8::1", 2),
        ("2001:db8::7", 1, "2001:db8::7", "2001:db8::7", 1),
    ],
)
def test_network_expansion(text: str, size: int, first: str, last: str, count: int) -> None:
    target = parse_target(text)
    addresses = list(network_addresses(target))
    assert network_size(target) == size
    assert (addresses[0], addresses[-1], len(addresses)) == (first, last, count)
    assert len(set(addresses)) == count


def test_network_functions_refuse_domains() -> None:
    domain = Target(DOMAIN, "example.org")
    with pytest.raises(ValueError, match="domain name"):
        network_addresses(domain)
    with pytest.raises(ValueError, match="domain name"):
        network_size(domain)


# --- files --------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_plain_file_ignores_blank_lines_and_comments(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "targets.txt",
        "# our hosts\n"
        "\n"
        "  example.org  \n"
        "192.0.2.1 # the resolver\n"
        "https://example.net/#top\n"
        "   # indented comment\n"
        "2001:db8::/120\t# lab\n",
    )
    assert read_targets_file(path) == [
        (3, "example.org"),
        (4, "192.0.2.1"),
        (5, "https://example.net/#top"),
        (7, "2001:db8::/120"),
    ]


def test_plain_file_line_numbers_count_every_newline_style(tmp_path: Path) -> None:
    path = write(tmp_path, "targets.txt", "a.example\r\nb.example\rc.example\n\nd.example")
    assert read_targets_file(path) == [
        (1, "a.example"),
        (2, "b.example"),
        (3, "c.example"),
        (5, "d.example"),
    ]


def test_file_with_byte_order_mark(tmp_path: Path) -> None:
    path = write(tmp_path, "targets.txt", b"\xef\xbb\xbfexample.org\n")
    assert read_targets_file(path) == [(1, "example.org")]


def test_csv_with_named_column_matched_case_insensitively(tmp_path: Path) -> None:
    path = write(tmp_path, "hosts.csv", "Name,Web Site,Owner\nshop,shop.example,ann\nblog,,bob\n")
    assert read_targets_file(path, column="web site") == [(2, "shop.example")]


def test_column_makes_any_file_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "hosts.txt", "owner,host\nann,example.org\n")
    assert read_targets_file(path, column="HOST") == [(2, "example.org")]


def test_csv_prefers_a_known_target_column(tmp_path: Path) -> None:
    # Given both "host" and "url" columns, Then "host" wins (earlier in the list of names)
    path = write(tmp_path, "hosts.csv", "url,note,Host\nhttps://a.example,x,b.example\n")
    assert read_targets_file(path) == [(2, "b.example")]


def test_csv_without_known_column_uses_first_column_after_header(tmp_path: Path) -> None:
    path = write(tmp_path, "hosts.csv", "Website,Owner\nexample.org,ann\n")
    assert read_targets_file(path) == [(2, "example.org")]


def test_csv_without_header_keeps_first_row(tmp_path: Path) -> None:
    path = write(tmp_path, "hosts.csv", "example.org,ann\n192.0.2.1,bob\n")
    assert read_targets_file(path) == [(1, "example.org"), (2, "192.0.2.1")]


def test_csv_with_semicolons(tmp_path: Path) -> None:
    path = write(tmp_path, "hosts.csv", "owner;domain\nann;example.org\n")
    assert read_targets_file(path) == [(2, "example.org")]


def test_csv_with_bom_header_and_blank_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "hosts.csv", b"\xef\xbb\xbftarget\r\n\r\nexample.org\r\n,\r\n")
    assert read_targets_file(path) == [(3, "example.org")]


def test_csv_line_numbers_follow_multiline_cells(tmp_path: Path) -> None:
    path = write(tmp_path, "hosts.csv", 'note,host\n"two\nlines",a.example\nx,b.example\n')
    assert read_targets_file(path) == [(2, "a.example"), (4, "b.example")]


def test_empty_csv_has_no_entries(tmp_path: Path) -> None:
    assert read_targets_file(write(tmp_path, "hosts.csv", "")) == []


def test_csv_missing_column_lists_the_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "hosts.csv", "name,owner\nexample.org,ann\n")
    with pytest.raises(TargetFileError) as caught:
        read_targets_file(path, column="host")
    error = caught.value
    assert (error.source, error.line) == (path, 1)
    assert str(error) == (
        f"{path} line 1: there is no column named 'host' in the header row; "
        "the columns are: name, owner"
    )


def test_malformed_csv_is_a_file_error(tmp_path: Path) -> None:
    path = write(tmp_path, "hosts.csv", "host\n" + "a" * 200_000 + "\n")
    with pytest.raises(TargetFileError, match="the CSV is malformed"):
        read_targets_file(path)


def test_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "targets.txt", b"example.org\nb\xfccher.example\n")
    with pytest.raises(TargetFileError) as caught:
        read_targets_file(path)
    error = caught.value
    assert error.line == 2
    assert str(error) == (
        f"{path} line 2: the file is not UTF-8 text (byte 0xfc); save it as UTF-8"
    )


def test_missing_file_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(TargetFileError, match="cannot read the file: No such file") as caught:
        read_targets_file(path)
    assert caught.value.source == path
    assert isinstance(caught.value, InvalidTargetError)


def test_directory_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(TargetFileError, match="cannot read the file"):
        read_targets_file(tmp_path)


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "targets.txt", b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(TargetFileError, match="larger than 10 MB"):
        read_targets_file(path)


def test_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "targets.txt", b"example.org\n" + b"#" * (MAX_FILE_BYTES - 12))
    assert read_targets_file(path) == [(1, "example.org")]


def test_parse_targets_file_deduplicates(tmp_path: Path) -> None:
    path = write(tmp_path, "targets.txt", "example.org\nEXAMPLE.org.\n192.0.2.0/30\n")
    assert parse_targets_file(path) == [
        Target(DOMAIN, "example.org"),
        Target(NETWORK, "192.0.2.0/30"),
    ]


def test_parse_targets_file_reports_every_bad_line_with_file_and_line(tmp_path: Path) -> None:
    # Given a file with two bad lines among good ones
    path = write(tmp_path, "targets.txt", "example.org\nexa mple.org\n# note\n1.2.3.999\n")
    # When it is parsed
    with pytest.raises(TargetListError) as caught:
        parse_targets_file(path)
    # Then both bad lines are named, each with its file and line
    errors = caught.value.errors
    assert [(e.source, e.line, e.text) for e in errors] == [
        (path, 2, "exa mple.org"),
        (path, 4, "1.2.3.999"),
    ]
    assert f"{path} line 2: 'exa mple.org' is not a valid target" in str(caught.value)
    assert f"{path} line 4: '1.2.3.999' is not a valid target" in str(caught.value)


def test_parse_targets_file_csv_errors_carry_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "hosts.csv", "host,owner\nexample.org,ann\n10.0.0.0/8,bob\n")
    with pytest.raises(TargetListError) as caught:
        parse_targets_file(path)
    assert [(e.line, e.text) for e in caught.value.errors] == [(3, "10.0.0.0/8")]


def test_parse_targets_file_applies_the_network_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "targets.txt", "198.18.0.0/16\n")
    assert parse_targets_file(path, max_network_addresses=65536) == [
        Target(NETWORK, "198.18.0.0/16")
    ]


# --- properties ---------------------------------------------------------------------------

# Characters that reach the interesting corners of the parser more often than random text.
target_like_text = st.text(
    alphabet=st.sampled_from(list("0123456789abcdefxn.:/[]%@-_# \tü。😀\x00\udcff")),
    max_size=60,
)
any_text = st.one_of(st.text(), target_like_text)


@settings(deadline=None)
@given(any_text)
def test_any_text_parses_or_raises_a_target_error(text: str) -> None:
    # Any other exception propagates and fails the test.
    try:
        target = parse_target(text)
    except TargetError:
        return
    assert isinstance(target, Target)


@settings(deadline=None)
@given(any_text)
def test_parsing_a_targets_own_value_gives_the_same_target(text: str) -> None:
    try:
        target = parse_target(text)
    except TargetError:
        return
    assert parse_target(target.value) == target


def canonical(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


@settings(deadline=None)
@given(st.ip_addresses())
def test_every_ip_address_is_accepted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    for text in (str(address), address.exploded):
        target = parse_target(text)
        assert target == Target(ADDRESS, canonical(address))
        assert parse_target(target.value) == target


@settings(deadline=None)
@given(st.ip_addresses(v=6))
def test_every_ipv6_address_is_accepted_in_a_url(address: ipaddress.IPv6Address) -> None:
    assert parse_target(f"https://[{address}]:443/").value == canonical(address)


@st.composite
def small_networks(draw: st.DrawFn) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    address = draw(st.ip_addresses())
    max_prefix = address.max_prefixlen
    # 1024 addresses (the default limit) or fewer
    prefix = draw(st.integers(min_value=max_prefix - 10, max_value=max_prefix))
    return ipaddress.ip_network((address, prefix), strict=False)


@settings(deadline=None)
@given(small_networks())
def test_every_network_within_the_limit_is_accepted(
    network: ipaddress.IPv4Network | ipaddress.IPv6Network,
) -> None:
    target = parse_target(str(network))
    assert target.kind is (ADDRESS if network.num_addresses == 1 else NETWORK)
    assert network_size(target) == network.num_addresses
    assert parse_target(target.value) == target
