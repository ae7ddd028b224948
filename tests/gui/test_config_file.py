"""The settings dialog's file: the `[scan]` table of the config file the CLI reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from netready.config import ConfigError, ScanConfig, load_config_file
from netready.gui.config_file import toml_value, write_scan_settings


def test_a_new_file_gets_a_scan_table_the_cli_reads(tmp_path: Path) -> None:
    path = tmp_path / "netready" / "config.toml"
    ca_file = tmp_path / "internal-ca.pem"
    ca_file.write_text("not checked here")
    write_scan_settings(
        path,
        {"resolvers": ["198.18.0.53", "2001:db8::53"], "timeout": 2.5, "ca_file": str(ca_file)},
    )
    table = load_config_file(path)
    assert table == {
        "ca_file": str(ca_file),
        "resolvers": ["198.18.0.53", "2001:db8::53"],
        "timeout": 2.5,
    }
    config = ScanConfig().with_overrides(table)
    assert config.resolvers == ("198.18.0.53", "2001:db8::53")
    assert config.ca_file == ca_file


def test_other_lines_of_the_file_stay_as_they_were(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "# my settings\n"
        'title = "office"\n\n'
        "[scan]\n"
        "# the old resolver\n"
        'resolvers = [\n  "198.18.0.1",\n]\n'
        'doh_path = "/q"\n\n'
        "[gui]  # a table of some other tool\n"
        'theme = "dark"\n'
    )
    write_scan_settings(path, {"resolvers": ["198.18.0.53"], "concurrency": 8})
    text = path.read_text()
    assert text.startswith('# my settings\ntitle = "office"\n\n[scan]\n')
    assert text.endswith('\n\n[gui]  # a table of some other tool\ntheme = "dark"\n')
    assert load_config_file(path) == {
        "concurrency": 8,
        "doh_path": "/q",
        "resolvers": ["198.18.0.53"],
    }


def test_none_removes_a_setting(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[scan]\ntimeout = 3\nconcurrency = 9\n")
    write_scan_settings(path, {"timeout": None})
    assert load_config_file(path) == {"concurrency": 9}


def test_an_unusable_value_is_refused_and_the_file_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[scan]\ntimeout = 3\n")
    with pytest.raises(ConfigError, match="not an IP address"):
        write_scan_settings(path, {"resolvers": ["dns.example"]})
    with pytest.raises(ConfigError, match="does not exist"):
        write_scan_settings(path, {"trust_anchor": str(tmp_path / "missing.ds")})
    with pytest.raises(ConfigError, match="unknown setting"):
        write_scan_settings(path, {"colour": "blue"})
    assert path.read_text() == "[scan]\ntimeout = 3\n"


def test_a_scan_table_written_another_way_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("scan.timeout = 3\n")
    with pytest.raises(ConfigError, match="edit the file by hand"):
        write_scan_settings(path, {"concurrency": 8})
    assert path.read_text() == "scan.timeout = 3\n"


def test_the_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[scan]\n")
    path.chmod(0o640)
    write_scan_settings(path, {"concurrency": 8})
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        (3, "3"),
        (2.5, "2.5"),
        ('C:\\certs\\"ca".pem', '"C:\\\\certs\\\\\\"ca\\".pem"'),
        ("line\nbreak\x7f", '"line\\u000abreak\\u007f"'),
        (["a", 1], '["a", 1]'),
        ({"key one": 1}, '{"key one" = 1}'),
    ],
)
def test_toml_values(value: object, text: str) -> None:
    assert toml_value(value) == text


def test_a_value_toml_cannot_hold_is_refused() -> None:
    with pytest.raises(ConfigError):
        toml_value(float("nan"))
    with pytest.raises(ConfigError):
        toml_value(object())
