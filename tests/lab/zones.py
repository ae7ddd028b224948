"""The lab's DNS data: the zone texts, built from the name servers' addresses.

Delegation chain (each step a real referral between servers, which DNSSEC tests will walk)::

    .            on ns1    NS ns1.test.
    test.        on ns2    NS ns2.test.
    example.test on ns1+ns2 NS ns1.example.test., ns2.example.test.
    dead.test    nowhere   NS ns.dead.test. (glue 198.18.0.250, where nothing listens)

Names in example.test point at addresses in the lab range that no host needs to hold yet; a
later issue can put a web or mail server on them (`WEB4`, `MAIL4`, ...). Any other name gives
NXDOMAIN from the server authoritative for its closest zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

TTL = 300
#: SOA minimum: how long resolvers cache NXDOMAIN / NODATA from the lab.
NEGATIVE_TTL = 60

WEB4, WEB6 = "198.18.0.80", "2001:db8::80"  # example.test apex and www
MAIL4, MAIL6 = "198.18.0.25", "2001:db8::25"
V4ONLY4 = "198.18.0.81"
V6ONLY6 = "2001:db8::82"
NOMAIL4 = "198.18.0.83"
BULK4 = WEB4  # every name under bulk.example.test (wildcard)
#: Glue for dead.test's only name server; no lab host may take this address.
DEAD4 = "198.18.0.250"


class NameServer(NamedTuple):
    """A name server as zones mention it: its host name and its addresses."""

    name: str
    ipv4: str | None
    ipv6: str | None


def _records(owner: str, **data: str | None) -> list[str]:
    """Lines ``owner TYPE data`` for each given type (keyword = record type)."""
    return [f"{owner} {rtype} {value}" for rtype, value in data.items() if value]


def _addresses(server: NameServer) -> list[str]:
    return _records(server.name, A=server.ipv4, AAAA=server.ipv6)


def _zone(origin: str, primary: NameServer, lines: Sequence[str]) -> str:
    head = [
        f"$TTL {TTL}",
        f"{origin} SOA {primary.name} hostmaster.{origin.lstrip('.')} "
        f"1 3600 600 86400 {NEGATIVE_TTL}",
    ]
    return "\n".join([*head, *lines]) + "\n"


def _delegation(zone: str, servers: Sequence[NameServer]) -> list[str]:
    """NS records for `zone` plus glue for the servers named inside it."""
    lines = [f"{zone} NS {server.name}" for server in servers]
    for server in servers:
        if server.name.endswith(f".{zone}"):
            lines += _addresses(server)
    return lines


def root_zone(root: NameServer, test: NameServer) -> str:
    """The lab root: served by `root`, delegates ``test.`` to `test`."""
    # The root servers' names lie under test., so their addresses here are glue too.
    lines = [f". NS {root.name}", *_addresses(root), *_delegation("test.", [test])]
    return _zone(".", root, lines)


def tld_zone(test: NameServer, root: NameServer, example: Sequence[NameServer]) -> str:
    """The ``test.`` TLD: the names of the lab's servers, and delegations to example and dead."""
    dead = NameServer("ns.dead.test.", DEAD4, None)
    lines = [
        f"test. NS {test.name}",
        *_addresses(test),
        *_addresses(root),
        *_delegation("example.test.", example),
        *_delegation("dead.test.", [dead]),
    ]
    return _zone("test.", test, lines)


def example_zone(servers: Sequence[NameServer]) -> str:
    """``example.test.``: the names scanner tests aim at (see the module docstring)."""
    o = "example.test."
    lines = [
        *(f"{o} NS {server.name}" for server in servers),
        f"{o} MX 10 mail.{o}",
        *_records(o, A=WEB4, AAAA=WEB6),
        *(line for server in servers for line in _addresses(server)),
        *_records(f"www.{o}", A=WEB4, AAAA=WEB6),
        *_records(f"mail.{o}", A=MAIL4, AAAA=MAIL6),
        *_records(f"v4only.{o}", A=V4ONLY4),
        *_records(f"v6only.{o}", AAAA=V6ONLY6),
        *_records(f"nomail.{o}", A=NOMAIL4),
        *_records(f"*.bulk.{o}", A=BULK4),
        f"alias.{o} CNAME www.{o}",
    ]
    return _zone(o, servers[0], lines)


# --- generic helpers for other labs' zones (the web lab's web_zones.py) ----------------------


def records(owner: str, **data: str | None) -> list[str]:
    """Zone-file lines ``owner TYPE data`` for each given type; None values are left out."""
    return _records(owner, **data)


def server_addresses(server: NameServer) -> list[str]:
    """A and AAAA lines for a name server (its glue, when it lives inside the zone)."""
    return _addresses(server)


def delegation(zone: str, servers: Sequence[NameServer]) -> list[str]:
    """NS lines for `zone` plus glue for those of `servers` named inside it."""
    return _delegation(zone, servers)


def zone_text(origin: str, primary: NameServer, lines: Sequence[str]) -> str:
    """A whole zone: $TTL, SOA (primary `primary`), then `lines`."""
    return _zone(origin, primary, lines)
