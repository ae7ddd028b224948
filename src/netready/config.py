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
# Ports commonly filtered over IPv4 that the exposure checks compare over IPv6 (issue 6):
# remote access, file sharing, databases, management and admin panels, printers.
DEFAULT_EXPOSURE_PORTS = (
    22, 23, 3389, 5900, 5985, 5986,  # SSH, Telnet, RDP, VNC, WinRM
    21, 111, 135, 139, 445, 2049,  # FTP, RPC, MS-RPC, NetBIOS, SMB, NFS
    1433, 1521, 3306, 5432, 6379, 9200, 11211, 27017,  # databases and caches
    389, 631, 2375, 5000, 8000, 8080, 8443, 9090, 9100, 10000,  # LDAP, IPP, Docker, panels
)  # fmt: skip
DEFAULT_SWEEP_RATE = 1000  # connection attempts (or datagrams) per second, whole scan
DEFAULT_PORT_PROBE_TIMEOUT = 1.5  # covers the SYN and its first retransmission (~1 s)
DEFAULT_LAN_LISTEN_SECONDS = 2.0  # routers answer a solicitation within 0.5 s (RFC 4861)
MAX_EXPOSURE_PORTS = 1024


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
        tls_ports: TCP ports the tls family tests (25 and 587 with SMTP STARTTLS, 143 IMAP,
            110 POP3, others implicit TLS; 25 of a domain means its MX hosts).
        mail: the tls family also tests the mail ports (25 on the MX hosts; 587, 465, 143,
            993, 110, 995 on the name itself).
        lan_interface: the interface `--lan` inspects when none is named; None: the one
            carrying the default IPv4 route.
        lan_ipv4_only: the local network is meant to carry no IPv6, so router
            advertisements, DHCPv6 servers and IPv6 hosts on it are failures.
        exposure_ports: TCP ports compared over IPv4 and IPv6 (`exposure.port_parity`).
        sweep_rate: connection attempts (and sweep datagrams) per second, whole scan.
        port_probe_timeout: seconds a port may take to answer before it counts as filtered
            (never more than `timeout`).
        lan_listen_seconds: how long LAN probes listen for router advertisements, DHCPv6
            servers and echo replies.
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
    tls_ports: tuple[int, ...] = (443,)
    mail: bool = False
    lan_interface: str | None = None
    lan_ipv4_only: bool = False
    exposure_ports: tuple[int, ...] = DEFAULT_EXPOSURE_PORTS
    sweep_rate: int = DEFAULT_SWEEP_RATE
    port_probe_timeout: float = DEFAULT_PORT_PROBE_TIMEOUT
    lan_listen_seconds: float = DEFAULT_LAN_LISTEN_SECONDS

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
        for port in self.tls_ports:
            if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
                raise ConfigError(f"TLS port {port!r} is not a port number (1-65535)")
        for path, what in ((self.trust_anchor, "trust anchor"), (self.ca_file, "CA file")):
            if path is not None and not path.is_file():
                raise ConfigError(f"{what} {str(path)!r} does not exist or is not a file")
        _check_exposure_settings(self)

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
        elif name == "tls_ports":
            coerced[name] = _ports(value)
        elif name == "mail":
            if not isinstance(value, bool):
                raise ConfigError(f"mail must be true or false, not {value!r}")
            coerced[name] = value
        elif name in _EXPOSURE_COERCIONS:
            coerced[name] = _EXPOSURE_COERCIONS[name](name, value)
        elif name == "timeout":
            coerced[name] = _number(name, value, float)
        elif name in ("concurrency", "per_host_concurrency", "max_network_addresses"):
            coerced[name] = _number(name, value, int)
        else:
            coerced[name] = value
    return coerced


def _ports(value: Any) -> tuple[int, ...]:
    """A list of ports, or text such as ``"443,8443"``, as a tuple of port numbers."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ConfigError(f"tls_ports must be a list of port numbers, not {value!r}")
    ports: list[int] = []
    for item in items:
        text = str(item).strip()
        if isinstance(item, bool) or not (text.isascii() and text.isdigit()):
            raise ConfigError(f"TLS port {item!r} is not a port number (1-65535)")
        if not 0 < int(text) < 65536:
            raise ConfigError(f"TLS port {item!r} is not a port number (1-65535)")
        ports.append(int(text))
    return tuple(dict.fromkeys(ports))


def _check_exposure_settings(config: ScanConfig) -> None:
    if config.lan_interface is not None and not config.lan_interface.strip():
        raise ConfigError("lan_interface must name an interface, e.g. eth0")
    if not config.exposure_ports:
        raise ConfigError("exposure_ports needs at least one port")
    if len(config.exposure_ports) > MAX_EXPOSURE_PORTS:
        raise ConfigError(
            f"exposure_ports lists {len(config.exposure_ports)} ports; "
            f"the limit is {MAX_EXPOSURE_PORTS}"
        )
    for port in config.exposure_ports:
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ConfigError(f"exposure port {port!r} is not a port number (1-65535)")
    if not 1 <= config.sweep_rate <= 100_000:
        raise ConfigError(f"sweep rate must be 1 to 100000 per second, not {config.sweep_rate}")
    if not 0 < config.port_probe_timeout <= 60:
        raise ConfigError(
            f"port probe timeout must be more than 0 and at most 60 s, "
            f"not {config.port_probe_timeout}"
        )
    if not 0.5 <= config.lan_listen_seconds <= 60:
        raise ConfigError(f"LAN listen window must be 0.5 to 60 s, not {config.lan_listen_seconds}")


def _exposure_ports(name: str, value: Any) -> tuple[int, ...]:
    """Ports as a list or as text: ``"22,3389"``, with ranges ``"8000-8010"``."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ConfigError(f"{name} must be a list of port numbers, not {value!r}")
    ports: list[int] = []
    for item in items:
        text = str(item).strip()
        low, dash, high = text.partition("-")
        if isinstance(item, bool) or not all(
            part.isascii() and part.isdigit() for part in ((low, high) if dash else (low,))
        ):
            raise ConfigError(f"exposure port {item!r} is not a port number or range (1-65535)")
        first, last = int(low), int(high) if dash else int(low)
        if not 0 < first <= last < 65536:
            raise ConfigError(f"exposure port {item!r} is not a port number or range (1-65535)")
        if last - first >= MAX_EXPOSURE_PORTS:
            raise ConfigError(f"exposure port range {item!r} is longer than {MAX_EXPOSURE_PORTS}")
        ports.extend(range(first, last + 1))
    return tuple(dict.fromkeys(ports))


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{name} must be true or false, not {value!r}")
    return value


_EXPOSURE_COERCIONS: dict[str, Any] = {
    "lan_interface": lambda name, value: str(value),
    "lan_ipv4_only": _flag,
    "exposure_ports": _exposure_ports,
    "sweep_rate": lambda name, value: _number(name, value, int),
    "port_probe_timeout": lambda name, value: _number(name, value, float),
    "lan_listen_seconds": lambda name, value: _number(name, value, float),
}


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
