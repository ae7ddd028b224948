"""Configuration: defaults < config file < command line, and precise errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netready.config import ConfigError, ScanConfig, load_config_file


def test_file_values_override_defaults_and_cli_values_override_the_file(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('[scan]\nresolvers = ["198.18.0.53"]\ntimeout = 3\nconcurrency = 8\n')
    config = ScanConfig().with_overrides(load_config_file(config_file))
    config = config.with_overrides({"timeout": 1.5, "concurrency": None})
    assert config.resolvers == ("198.18.0.53",)
    assert config.timeout == 1.5  # the command line wins
    assert config.concurrency == 8  # None on the command line keeps the file's value


def test_a_missing_config_file_is_an_empty_config(tmp_path: Path) -> None:
    assert load_config_file(tmp_path / "absent.toml") == {}


def test_unknown_settings_are_named(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text("[scan]\ntimeot = 3\n")
    with pytest.raises(ConfigError, match=r"unknown setting.*timeot"):
        load_config_file(config_file)


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text("[scan\n")
    with pytest.raises(ConfigError, match=r"config\.toml"):
        load_config_file(config_file)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"resolvers": ["dns.example"]}, "'dns.example' is not an IP address"),
        ({"timeout": 0}, "timeout must be more than 0"),
        ({"concurrency": 0}, "concurrency must be at least 1"),
        ({"timeout": "soon"}, "timeout must be a number"),
        ({"ca_file": "/nonexistent/ca.pem"}, "CA file '/nonexistent/ca.pem' does not exist"),
    ],
)
def test_bad_values_are_refused_with_the_reason(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        ScanConfig().with_overrides(overrides)


def test_json_round_trip_keeps_every_setting(tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("")
    config = ScanConfig(resolvers=("2001:db8::53",), ca_file=ca_file, families=("dns",))
    assert ScanConfig.from_json_dict(config.to_json_dict()) == config
