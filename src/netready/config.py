"""Scan configuration: defaults < config file < command line or GUI.

`ScanConfig` is plain, frozen data that every check honours. The test lab depends on it to
point the scanner at lab servers (resolvers, trust anchor, CA file); so do enterprise users
with internal CAs and resolvers.
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "netready"
DEFAULT_MAX_NETWORK_ADDRESSES = 1024
# A resolver validates DNSSEC when it answers the secure name with AD and the bogus one
# (deliberately broken signatures) with SERVFAIL; both are long-standing public test names.
DEFAULT_VALIDATION_SECURE_NAME = "isc.org"
DEFAULT_VALIDATION_BOGUS_NAME = "dnssec-failed.org"
DEFAULT_DOH_PATH = "/dns-query"  # RFC 8484's example path, used by nearly every DoH server
DEFAULT_IPV6_PROBE_PORT = 443


class ConfigError(ValueError):
    """A configuration value or file is unusable; the message names it and says why."""


@dataclass(frozen=True, slots=True)
class ScanConfig:
    """Everything a scan may be told.

    Attributes:
        resolvers: IP addresses of the DNS resolvers to use; empty means the system's.
        trust_anchor: DNSSEC trust anchor file; None means the shipped IANA root keys.
        ca_file: extra PEM bundle of CA certificates to trust (internal CAs, the test lab).
        timeout: seconds one network probe may take before it counts as an error.
        concurrency: probes in flight at once, over the whole scan.
        per_host_concurrency: probes in flight at once against one host (address).
        max_network_addresses: the largest network a scan expands without confirmation.
        families: check families to run; None runs every family that applies to a target.
        validation_secure_name: a DNSSEC-signed name a validating resolver answers with AD.
        validation_bogus_name: a name with broken signatures a validating resolver refuses.
        doh_path: the path of DNS-over-HTTPS queries on a resolver (RFC 8484).
        ipv6_probe: IPv6 endpoints (`[2001:db8::1]:443`, or a bare address for port 443)
            that prove this machine's IPv6 works when one answers; empty: the targets' own
            IPv6 addresses serve as the proof, so no third party is contacted.
    """

    resolvers: tuple[str, ...] = ()
    trust_anchor: Path | None = None
    ca_file: Path | None = None
    timeout: float = 10.0
    concurrency: int = 64
    per_host_concurrency: int = 4
    max_network_addresses: int = DEFAULT_MAX_NETWORK_ADDRESSES
    families: tuple[str, ...] | None = None
    validation_secure_name: str = DEFAULT_VALIDATION_SECURE_NAME
    validation_bogus_name: str = DEFAULT_VALIDATION_BOGUS_NAME
    doh_path: str = DEFAULT_DOH_PATH
    ipv6_probe: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for resolver in self.resolvers:
            try:
                ipaddress.ip_address(resolver)
            except ValueError:
                raise ConfigError(
                    f"resolver {resolver!r} is not an IP address; give the resolver's "
                    "IPv4 or IPv6 address, e.g. 192.0.2.53"
                ) from None
        if not self.timeout > 0:
            raise ConfigError(f"timeout must be more than 0 seconds, not {self.timeout}")
        if self.concurrency < 1:
            raise ConfigError(f"concurrency must be at least 1, not {self.concurrency}")
        if self.per_host_concurrency < 1:
            raise ConfigError(
                f"per-host concurrency must be at least 1, not {self.per_host_concurrency}"
            )
        if self.max_network_addresses < 1:
            raise ConfigError(
                f"the network size limit must be at least 1, not {self.max_network_addresses}"
            )
        for entry in self.ipv6_probe:
            parse_ipv6_endpoint(entry)  # raises ConfigError naming the entry
        if not self.doh_path.startswith("/"):
            raise ConfigError(f"the DoH path must start with '/', not {self.doh_path!r}")
        for path, what in ((self.trust_anchor, "trust anchor"), (self.ca_file, "CA file")):
            if path is not None and not path.is_file():
                raise ConfigError(f"{what} {str(path)!r} does not exist or is not a file")

    def with_overrides(self, overrides: Mapping[str, Any]) -> ScanConfig:
        """A copy with the non-None values of `overrides` applied (names as the fields)."""
        return replace(self, **_coerce(overrides))

    def to_json_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form, stored with each scan so a resume uses the same settings."""
        data: dict[str, Any] = {}
        for config_field in fields(self):
            value = getattr(self, config_field.name)
            if isinstance(value, Path):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            data[config_field.name] = value
        return data

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> ScanConfig:
        known = {config_field.name for config_field in fields(cls)}
        return cls().with_overrides({k: v for k, v in data.items() if k in known})


def default_config_path() -> Path:
    """Where the user's config file lives (`config.toml` in the platform's config dir)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def default_data_dir() -> Path:
    """Where the history database lives by default."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def load_config_file(path: Path) -> dict[str, Any]:
    """Read the `[scan]` table of a TOML config file; a missing file is an empty config.

    Example::

        [scan]
        resolvers = ["192.0.2.53"]
        timeout = 5
        ca_file = "/etc/ssl/internal-ca.pem"
    """
    try:
        with path.open("rb") as config_file:
            document = tomllib.load(config_file)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read config file {str(path)!r}: {error}") from None
    scan_table = document.get("scan", {})
    if not isinstance(scan_table, dict):
        raise ConfigError(f"config file {str(path)!r}: [scan] must be a table")
    known = {config_field.name for config_field in fields(ScanConfig)}
    unknown = sorted(set(scan_table) - known)
    if unknown:
        raise ConfigError(
            f"config file {str(path)!r}: unknown setting(s) {', '.join(unknown)}; "
            f"known settings are {', '.join(sorted(known))}"
        )
    return scan_table


def _coerce(values: Mapping[str, Any]) -> dict[str, Any]:
    """Turn config-file / JSON / CLI values into the field types, skipping None."""
    coerced: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if name in ("trust_anchor", "ca_file"):
            coerced[name] = Path(value)
        elif name in ("resolvers", "families", "ipv6_probe"):
            if isinstance(value, str) or not isinstance(value, list | tuple):
                raise ConfigError(f"{name} must be a list, not {value!r}")
            coerced[name] = tuple(str(item) for item in value)
        elif name == "timeout":
            coerced[name] = _number(name, value, float)
        elif name in ("concurrency", "per_host_concurrency", "max_network_addresses"):
            coerced[name] = _number(name, value, int)
        else:
            coerced[name] = value
    return coerced


def parse_ipv6_endpoint(text: str) -> tuple[str, int]:
    """`[2001:db8::1]:53` or `2001:db8::1` (port 443) -> (compressed address, port)."""
    address, port = text.strip(), DEFAULT_IPV6_PROBE_PORT
    if address.startswith("["):
        address, _, rest = address[1:].partition("]")
        if rest and (not rest.startswith(":") or not rest[1:].isdigit()):
            raise ConfigError(f"IPv6 probe {text!r} is not [IPv6 address]:port")
        port = int(rest[1:]) if rest else DEFAULT_IPV6_PROBE_PORT
    try:
        parsed = ipaddress.IPv6Address(address)
    except ValueError:
        raise ConfigError(
            f"IPv6 probe {text!r} is not an IPv6 address (e.g. [2001:db8::1]:443)"
        ) from None
    if not 0 < port < 65536:
        raise ConfigError(f"IPv6 probe {text!r} has no valid port")
    return str(parsed), port


def _number(name: str, value: Any, kind: type[int] | type[float]) -> int | float:
    if isinstance(value, bool):
        raise ConfigError(f"{name} must be a number, not {value!r}")
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, not {value!r}") from None
