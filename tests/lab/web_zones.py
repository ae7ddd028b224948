"""The web lab's DNS data (see web_lab_spec in README.md, "The web lab").

Delegation chain, each step a real referral::

    .             on ns1        NS ns1.test.                      (A + AAAA)
    test.         on ns2        NS ns2.test.                      (A only)
    web.test.     on ns1 + ns2  NS ns1.web.test. (A + AAAA), ns2.web.test. (A only)
    ns6.test.     on ns1 + ns3  NS ns1.ns6.test., ns3.ns6.test.   (both A + AAAA)
    nsdead6.test. on ns1 + ns4  NS ns1.nsdead6.test., ns4.nsdead6.test. (ns4: AAAA published,
                                but its BIND listens on IPv4 only)

`WEB_NAMES` is the table of web names and their addresses; every one of them also has
``www.<name>`` with the same addresses. `MAIL_NAMES` are the SMTP hosts (no www).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from .zones import NameServer, delegation, records, root_zone, server_addresses, zone_text

NET4, NET6 = "198.18.1.0/24", "2001:db8:1::/64"


class Addresses(NamedTuple):
    ipv4: str | None
    ipv6: str | None


#: Host name -> addresses of every host in the web lab (None: no address of that family).
HOSTS: Mapping[str, Addresses] = {
    "ns1": Addresses("198.18.1.10", "2001:db8:1::10"),
    "ns2": Addresses("198.18.1.11", None),
    "ns3": Addresses("198.18.1.12", "2001:db8:1::12"),
    "ns4": Addresses("198.18.1.14", "2001:db8:1::14"),
    "resolver": Addresses("198.18.1.53", "2001:db8:1::53"),
    "client": Addresses("198.18.1.100", "2001:db8:1::100"),
    "client4": Addresses("198.18.1.101", None),
    "web": Addresses("198.18.1.80", "2001:db8:1::80"),
    "web6alt": Addresses(None, "2001:db8:1::83"),
    "closed": Addresses("198.18.1.81", "2001:db8:1::81"),
    "hostile": Addresses("198.18.1.66", "2001:db8:1::66"),
    "mail": Addresses("198.18.1.25", "2001:db8:1::25"),
    "mail4": Addresses("198.18.1.26", "2001:db8:1::26"),
}

#: Held by no host: packets to it vanish and connections time out (see web_topology).
DEAD6 = "2001:db8:1::99"

WEB4, WEB6 = HOSTS["web"]
WEB6ALT = HOSTS["web6alt"].ipv6
CLOSED4, CLOSED6 = HOSTS["closed"]
HOSTILE4, HOSTILE6 = HOSTS["hostile"]
MAIL4, MAIL6 = HOSTS["mail"]
MAIL4ONLY4, MAIL4ONLY6 = HOSTS["mail4"]

#: Web name -> its A and AAAA; ``www.<name>`` has the same addresses.
WEB_NAMES: Mapping[str, Addresses] = {
    # served well by nginx on `web` (the "good" configuration, unless said otherwise)
    "dual.web.test": Addresses(WEB4, WEB6),
    "v4only.web.test": Addresses(WEB4, None),
    "v6only.web.test": Addresses(None, WEB6),
    "deadv6.web.test": Addresses(WEB4, DEAD6),
    "refusedv6.web.test": Addresses(WEB4, CLOSED6),
    "split.web.test": Addresses(WEB4, WEB6ALT),  # a different page over IPv6 (web6alt)
    "nohsts.web.test": Addresses(WEB4, WEB6),  # no redirect, no HSTS, no security headers
    "shorthsts.web.test": Addresses(WEB4, WEB6),  # HSTS max-age=86400
    "badredirect.web.test": Addresses(WEB4, WEB6),  # HTTP -> https://www.dual.web.test/
    "badcert.web.test": Addresses(WEB4, WEB6),  # (extra) certificate for another name
    "ns6.test": Addresses(WEB4, WEB6),  # zone apexes, served like dual
    "nsdead6.test": Addresses(WEB4, WEB6),
    # served by the hostile server
    "loop.web.test": Addresses(HOSTILE4, HOSTILE6),
    "tohttp.web.test": Addresses(HOSTILE4, HOSTILE6),
    "chain.web.test": Addresses(HOSTILE4, HOSTILE6),  # (extra) an endless redirect chain
    "bigbody.web.test": Addresses(HOSTILE4, HOSTILE6),
    "drip.web.test": Addresses(HOSTILE4, HOSTILE6),
    "bigheaders.web.test": Addresses(HOSTILE4, HOSTILE6),
}

#: SMTP hosts (no www names): banner on both families, and on IPv4 only.
MAIL_NAMES: Mapping[str, Addresses] = {
    "mail.web.test": Addresses(MAIL4, MAIL6),
    "mail4.web.test": Addresses(MAIL4ONLY4, MAIL4ONLY6),
}

#: Names whose MX is set: name -> mail host.
MX: Mapping[str, str] = {
    "dual.web.test": "mail.web.test",
    "v4only.web.test": "mail4.web.test",
    "ns6.test": "mail.web.test",
}


def every_web_name() -> list[str]:
    """Every web name and its www name: what the lab certificate must cover."""
    return [host for name in WEB_NAMES for host in (name, f"www.{name}")]


def _server(name: str, host: str) -> NameServer:
    return NameServer(name, HOSTS[host].ipv4, HOSTS[host].ipv6)


ROOT = _server("ns1.test.", "ns1")
TLD = _server("ns2.test.", "ns2")
WEB_TEST_SERVERS = [_server("ns1.web.test.", "ns1"), _server("ns2.web.test.", "ns2")]
NS6_SERVERS = [_server("ns1.ns6.test.", "ns1"), _server("ns3.ns6.test.", "ns3")]
NSDEAD6_SERVERS = [_server("ns1.nsdead6.test.", "ns1"), _server("ns4.nsdead6.test.", "ns4")]


def lab_root_zone() -> str:
    return root_zone(ROOT, TLD)


def tld_zone() -> str:
    """``test.``: the root servers' names and the three delegations."""
    lines = [
        f"test. NS {TLD.name}",
        *server_addresses(TLD),
        *server_addresses(ROOT),
        *delegation("web.test.", WEB_TEST_SERVERS),
        *delegation("ns6.test.", NS6_SERVERS),
        *delegation("nsdead6.test.", NSDEAD6_SERVERS),
    ]
    return zone_text("test.", TLD, lines)


def _web_lines(name: str, addresses: Addresses) -> list[str]:
    owner = f"{name}."
    lines = [
        *records(owner, A=addresses.ipv4, AAAA=addresses.ipv6),
        *records(f"www.{owner}", A=addresses.ipv4, AAAA=addresses.ipv6),
    ]
    if name in MX:
        lines.append(f"{owner} MX 10 {MX[name]}.")
    return lines


def _names_under(zone: str) -> list[str]:
    lines = []
    for name, addresses in WEB_NAMES.items():
        if name == zone or name.endswith(f".{zone}"):
            lines += _web_lines(name, addresses)
    return lines


def web_test_zone() -> str:
    """``web.test.``: the web names, their www names and the mail hosts."""
    origin = "web.test."
    lines = [
        *(f"{origin} NS {server.name}" for server in WEB_TEST_SERVERS),
        *(line for server in WEB_TEST_SERVERS for line in server_addresses(server)),
        *_names_under("web.test"),
        *(
            line
            for name, addresses in MAIL_NAMES.items()
            for line in records(f"{name}.", A=addresses.ipv4, AAAA=addresses.ipv6)
        ),
    ]
    return zone_text(origin, WEB_TEST_SERVERS[0], lines)


def ns6_zone() -> str:
    """``ns6.test.``: two name servers, both with AAAA and both answering over IPv6."""
    return _apex_zone("ns6.test.", NS6_SERVERS)


def nsdead6_zone() -> str:
    """``nsdead6.test.``: ns4 publishes AAAA but does not answer over IPv6."""
    return _apex_zone("nsdead6.test.", NSDEAD6_SERVERS)


def _apex_zone(origin: str, servers: list[NameServer]) -> str:
    lines = [
        *(f"{origin} NS {server.name}" for server in servers),
        *(line for server in servers for line in server_addresses(server)),
        *_names_under(origin.rstrip(".")),
    ]
    return zone_text(origin, servers[0], lines)
