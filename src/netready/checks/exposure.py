"""IPv4-via-IPv6 exposure of targets: services IPv6 leaves open, addresses that ride on IPv4.

Background: RFC 7123. Hosts ship with IPv6 on; a firewall written for IPv4 often leaves the
same services open over IPv6, and transition addresses (6to4, Teredo, ...) carry IPv6 through
IPv4 defences. The `lan` family (checks/lan.py) looks at the local network itself and shares
the port comparison and the local-network facts defined here.

Probe, then evaluate: `probe_*` functions talk to the network through the engine's
`CheckContext`; the `evaluate_*` functions are pure and decide every verdict below.

Verdicts
========

``exposure.port_parity`` (subject: ``<name> [<IPv4>] / [<IPv6>] port <N>`` for a failing
port, ``<name> [<IPv4>] / [<IPv6>]`` otherwise; the name is left out when there is none;
link-local IPv6 addresses carry their ``%interface``)
    For each host known by both an IPv4 and an IPv6 address, every port of
    `ScanConfig.exposure_ports` is probed over both families at once (TCP connect; see
    net/portscan.py). A port is *open* on IPv4 when it is open on any of the host's IPv4
    addresses. fail, one per port: open over IPv6 while closed, filtered or unreachable over
    IPv4 (evidence: both answers). pass: no such port. error: the IPv6 address is
    unreachable from here (no route), or this machine could not make an attempt (the ports
    are named); a fail found on other ports is still reported. info: no port answered over
    IPv6 at all (all filtered: a firewall that drops everything, or nobody at that address),
    so none is open there. info (subject: the target): a
    domain without an A record or without a native AAAA record (transition addresses are not
    port-scanned: behind them is a relay, not the host), an address with no known partner in
    the other family, a local network where no host was found in both families; and, for a
    network, one summary of what the sweep found.
    How partners are found: a domain's own A and AAAA records; on a local network
    (``lan:IFACE``), the hosts the lan family's discovery finds (all-nodes echo, neighbour
    cache, IPv4 matched by link-layer address), each IPv6 address of a host (link-local
    first, up to three) compared with its IPv4 addresses; for an address, the names its
    PTR record gives (forward-confirmed) and, on a local network, the neighbour with the same
    link-layer address (MAC); for a network, the same for every host the sweep finds. IPv4
    networks are swept in full (within the network size limit, at `sweep_rate`); IPv6
    networks are never swept blindly: only hinted addresses are tried (low-byte addresses
    ``::1``-``::ff``, neighbours, EUI-64 addresses of link-layer addresses seen on the local
    network, AAAA records of names of IPv4 neighbours).
``exposure.transition_address`` (subject: ``<name> [<IPv6>]``, or the name / the address)
    fail: an AAAA record (or an IPv6 address target) is a 6to4 (2002::/16), Teredo
    (2001::/32) or IPv4-mapped (::ffff:0:0/96) address, or a NAT64 (64:ff9b::/96,
    64:ff9b:1::/48) address that embeds none of the name's IPv4 addresses: the name depends
    on relays or translators, or is not a usable IPv6 address at all. info: a NAT64 address
    that embeds one of the name's own IPv4 addresses (a DNS64 resolver made it up; the name
    has no real AAAA), or no AAAA at all. pass: every AAAA is a native address. error: the
    lookups failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, TypeVar

from netready.checks.base import (
    PROBE_GRACE_SECONDS,
    CheckContext,
    CheckSpec,
    ProbeTimeoutError,
    as_they_finish,
    lookup,
)
from netready.findings import Finding, Status
from netready.net import lan
from netready.net.dns import DnsAnswer, DnsOutcome
from netready.net.portscan import PortAnswer, PortScanner, PortState
from netready.targets import Target, TargetKind, network_addresses

__all__ = [
    "PORT_PARITY",
    "PORT_PARITY_SPEC",
    "TRANSITION_ADDRESS",
    "ExposureFamily",
    "HostPair",
    "LanView",
    "ParityFacts",
    "TransitionKind",
    "embedded_ipv4",
    "evaluate_port_parity",
    "evaluate_transition_addresses",
    "lan_snapshot",
    "lan_view",
    "port_scanner",
    "probe_parity",
    "transition_kind",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")

PORT_PARITY = "exposure.port_parity"
TRANSITION_ADDRESS = "exposure.transition_address"
PORT_PARITY_SPEC = CheckSpec(
    PORT_PARITY, "No port is open over IPv6 while IPv4 keeps it closed or filtered"
)
TRANSITION_SPEC = CheckSpec(
    TRANSITION_ADDRESS, "AAAA records are native IPv6, not 6to4, Teredo, mapped or NAT64"
)

#: At most this many addresses of one family are compared per name.
MAX_ADDRESSES_PER_FAMILY = 4
#: IPv6 addresses of one LAN host whose ports are compared (link-local first).
MAX_IPV6_PER_HOST = 3
#: Low-byte addresses tried in an IPv6 network: ::1 to ::ff.
LOW_BYTE_HINTS = 255
#: Seconds to wait for the neighbour discovery that IPv6 priming sets off (one round trip on a
#: link, with room for a slow host).
IPV6_PRIMING_SETTLE = 0.5


# --- transition addresses -------------------------------------------------------------------


class TransitionKind(StrEnum):
    SIX_TO_FOUR = "6to4"  # 2002:AABB:CCDD::/48 for IPv4 A.B.C.D (RFC 3056)
    TEREDO = "teredo"  # 2001:0::/32 (RFC 4380)
    ISATAP = "isatap"  # interface identifier ::0:5efe:a.b.c.d or ::200:5efe:a.b.c.d (RFC 5214)
    IPV4_MAPPED = "ipv4-mapped"  # ::ffff:a.b.c.d (RFC 4291), never on the wire
    NAT64 = "nat64"  # 64:ff9b::/96 (RFC 6052), 64:ff9b:1::/48 (RFC 8215)


_TRANSITION_NETWORKS = (
    (ipaddress.IPv6Network("2002::/16"), TransitionKind.SIX_TO_FOUR),
    (ipaddress.IPv6Network("2001::/32"), TransitionKind.TEREDO),
    (ipaddress.IPv6Network("::ffff:0:0/96"), TransitionKind.IPV4_MAPPED),
    (ipaddress.IPv6Network("64:ff9b::/96"), TransitionKind.NAT64),
    (ipaddress.IPv6Network("64:ff9b:1::/48"), TransitionKind.NAT64),
)
_ISATAP_IDENTIFIERS = (0x00005EFE, 0x02005EFE)


def transition_kind(address: str) -> TransitionKind | None:
    """Which transition mechanism an IPv6 address belongs to, or None for a native one."""
    parsed = ipaddress.IPv6Address(address.split("%", 1)[0])
    for network, kind in _TRANSITION_NETWORKS:
        if parsed in network:
            return kind
    if (int(parsed) >> 32) & 0xFFFFFFFF in _ISATAP_IDENTIFIERS and not parsed.is_multicast:
        return TransitionKind.ISATAP
    return None


def embedded_ipv4(address: str) -> str | None:
    """The IPv4 address a transition address carries (for Teredo: the client's), or None."""
    parsed = ipaddress.IPv6Address(address.split("%", 1)[0])
    kind = transition_kind(address)
    if kind is TransitionKind.SIX_TO_FOUR:
        return str(parsed.sixtofour)
    if kind is TransitionKind.TEREDO:
        teredo = parsed.teredo
        return str(teredo[1]) if teredo else None
    if kind in (TransitionKind.IPV4_MAPPED, TransitionKind.NAT64, TransitionKind.ISATAP):
        return str(ipaddress.IPv4Address(int(parsed) & 0xFFFFFFFF))
    return None


def evaluate_transition_addresses(
    name: str, aaaa: DnsAnswer, a: DnsAnswer | None = None
) -> list[Finding]:
    """Grade the AAAA records of `name` (see the module docstring)."""
    evidence: dict[str, Any] = {"aaaa": list(aaaa.records), "a": list(a.records) if a else []}
    if not aaaa.outcome.is_conclusive:
        reason = aaaa.detail or aaaa.outcome.value
        evidence["error"] = reason
        return [
            Finding(
                name,
                name,
                TRANSITION_ADDRESS,
                Status.ERROR,
                f"Could not look up the AAAA records of {name} ({reason}).",
                evidence,
            )
        ]
    if aaaa.outcome is DnsOutcome.NXDOMAIN:
        return []  # the dns family reports a name that does not exist
    if not aaaa.records:
        return [
            Finding(
                name,
                name,
                TRANSITION_ADDRESS,
                Status.INFO,
                f"{name} has no AAAA records; nothing to check.",
                evidence,
            )
        ]
    ipv4 = set(a.records) if a else set()
    findings = [
        finding
        for record in aaaa.records
        if (finding := _grade_transition(name, record, ipv4)) is not None
    ]
    if not findings:
        findings.append(
            Finding(
                name,
                name,
                TRANSITION_ADDRESS,
                Status.PASS,
                f"Every AAAA record of {name} is a native IPv6 address.",
                evidence,
            )
        )
    return findings


def evaluate_transition_address(address: str) -> Finding:
    """Grade an IPv6 address target on its own (no DNS names involved)."""
    finding = _grade_transition(address, address, set(), subject=address)
    if finding is not None:
        return finding
    return Finding(
        address,
        address,
        TRANSITION_ADDRESS,
        Status.PASS,
        f"{address} is a native IPv6 address.",
        {"address": address},
    )


_TRANSITION_REASONS = {
    TransitionKind.SIX_TO_FOUR: "a 6to4 address: reachable only through 6to4 relays, "
    "deprecated since 2015 (RFC 7526), and IPv6 tunnelled inside IPv4",
    TransitionKind.TEREDO: "a Teredo address: IPv6 tunnelled in UDP over IPv4 through "
    "relays, meant for one client behind a NAT, not for a service",
    TransitionKind.IPV4_MAPPED: "an IPv4-mapped address: it never appears on the wire; "
    "a client that connects to it uses IPv4",
    TransitionKind.NAT64: "a NAT64 address that embeds none of the name's IPv4 addresses: "
    "it depends on one operator's translator",
    TransitionKind.ISATAP: "an ISATAP address: IPv6 tunnelled in IPv4 inside one site",
}


def _grade_transition(
    name: str, record: str, ipv4: set[str], *, subject: str | None = None
) -> Finding | None:
    kind = transition_kind(record)
    if kind is None:
        return None
    carried = embedded_ipv4(record)
    evidence = {"address": record, "kind": kind.value, "embedded_ipv4": carried}
    subject = subject or f"{name} [{record}]"
    if kind is TransitionKind.NAT64 and carried in ipv4:
        return Finding(
            name,
            subject,
            TRANSITION_ADDRESS,
            Status.INFO,
            f"{subject} is a NAT64 address made by a DNS64 resolver from {carried}; the name "
            "itself has no IPv6 address.",
            evidence,
        )
    return Finding(
        name,
        subject,
        TRANSITION_ADDRESS,
        Status.FAIL,
        f"{subject} is {_TRANSITION_REASONS[kind]}.",
        evidence,
    )


# --- port parity: facts and verdicts --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HostPair:
    """One host known by IPv4 and IPv6 address(es).

    Attributes:
        ipv4: the host's IPv4 addresses (all compared; a port is open if open on any).
        ipv6: one IPv6 address of the host (link-local ones with `%scope`).
        name: a DNS name of the host, if one is known.
        mac: its link-layer address, if known (local network).
        paired_by: how the two were found to be one host (`dns`, `ptr <name>`, `mac`).
    """

    ipv4: tuple[str, ...]
    ipv6: str
    name: str | None = None
    mac: str | None = None
    paired_by: str = "dns"

    @property
    def label(self) -> str:
        addresses = f"[{', '.join(self.ipv4)}] / [{self.ipv6}]"
        if self.name:
            return f"{self.name} {addresses}"
        return f"{addresses} ({self.mac})" if self.mac else addresses


@dataclass(frozen=True, slots=True)
class ParityFacts:
    """The answers of every port over both families for one `HostPair`.

    `ipv4` maps each IPv4 address to its answers by port; `ipv6` holds the IPv6 address's.
    `error` is set when the probe itself did not finish (its time limit).
    """

    pair: HostPair
    ports: tuple[int, ...]
    ipv4: Mapping[str, Mapping[int, PortAnswer]] = field(default_factory=dict)
    ipv6: Mapping[int, PortAnswer] = field(default_factory=dict)
    error: str | None = None


_STATE_RANK = {
    PortState.OPEN: 4,
    PortState.CLOSED: 3,
    PortState.FILTERED: 2,
    PortState.UNREACHABLE: 1,
    PortState.ERROR: 0,
}


def _best_ipv4(facts: ParityFacts, port: int) -> PortAnswer | None:
    answers = [answers[port] for answers in facts.ipv4.values() if port in answers]
    return max(answers, key=lambda answer: _STATE_RANK[answer.state], default=None)


def _answer_json(answer: PortAnswer | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {"address": answer.address, "state": answer.state.value, "detail": answer.detail}


def evaluate_port_parity(target: str, facts: ParityFacts) -> list[Finding]:
    """Grade one host's port answers (see the module docstring)."""
    pair = facts.pair
    base: dict[str, Any] = {
        # `host` for advice commands: the name, or else the (first) IPv4 address
        "host": pair.name or pair.ipv4[0],
        "ipv4": list(pair.ipv4),
        "ipv6": pair.ipv6,
        "name": pair.name,
        "mac": pair.mac,
        "paired_by": pair.paired_by,
        "ports": list(facts.ports),
    }
    if facts.error is not None:
        return [
            _parity(
                target,
                pair.label,
                Status.ERROR,
                f"Could not compare the ports of {pair.label}: {facts.error}.",
                {**base, "error": facts.error},
            )
        ]
    ipv6_states = {port: facts.ipv6[port].state for port in facts.ports if port in facts.ipv6}
    if not any(state.answered for state in ipv6_states.values()):
        return [_silent_over_ipv6(target, facts, set(ipv6_states.values()), base)]
    findings: list[Finding] = []
    failed_locally: list[int] = []
    open_both: list[int] = []
    open_ipv4_only: list[int] = []
    for port in facts.ports:
        ipv6, ipv4 = facts.ipv6.get(port), _best_ipv4(facts, port)
        if ipv6 is None or ipv4 is None or PortState.ERROR in (ipv6.state, ipv4.state):
            failed_locally.append(port)
        elif ipv6.state is PortState.OPEN and ipv4.state is PortState.OPEN:
            open_both.append(port)
        elif ipv6.state is PortState.OPEN:
            findings.append(_exposed_port(target, facts, port, ipv4, ipv6, base))
        elif ipv4.state is PortState.OPEN:
            open_ipv4_only.append(port)
    summary = {**base, "open_both": open_both, "open_ipv4_only": open_ipv4_only}
    if failed_locally:
        findings.append(
            _parity(
                target,
                pair.label,
                Status.ERROR,
                f"Could not test ports {_ports_text(failed_locally)} of {pair.label} "
                "from this machine.",
                {
                    **summary,
                    "untested": failed_locally,
                    "details": _local_errors(facts, failed_locally),
                },
            )
        )
    elif not findings:
        findings.append(
            _parity(
                target,
                pair.label,
                Status.PASS,
                f"{pair.label}: no port of {len(facts.ports)} is open over IPv6 while "
                f"IPv4 keeps it closed (open on both: {_ports_text(open_both) or 'none'}).",
                summary,
            )
        )
    return findings


def _silent_over_ipv6(
    target: str, facts: ParityFacts, states: set[PortState], base: Mapping[str, Any]
) -> Finding:
    """Nothing answered over IPv6. Silence on every port (filtered) means no port is open
    there, whether a firewall drops everything or nobody holds the address; an unreachable
    address or a failed attempt means this machine could not test it."""
    pair = facts.pair
    evidence = {**base, "ipv6_answers": sorted(state.value for state in states)}
    if states == {PortState.FILTERED}:
        return _parity(
            target,
            pair.label,
            Status.INFO,
            f"No port of {pair.ipv6} answered over IPv6 (all filtered, or nobody there): none "
            "is open over IPv6.",
            evidence,
        )
    reasons = sorted({answer.detail for answer in facts.ipv6.values()})
    return _parity(
        target,
        pair.label,
        Status.ERROR,
        f"Could not reach {pair.ipv6} over IPv6 ({'; '.join(reasons)}); nothing to compare.",
        evidence,
    )


def _exposed_port(
    target: str,
    facts: ParityFacts,
    port: int,
    ipv4: PortAnswer,
    ipv6: PortAnswer,
    base: Mapping[str, Any],
) -> Finding:
    pair = facts.pair
    subject = f"{pair.label} port {port}"
    evidence = {
        **base,
        "port": port,
        "ipv6_answer": _answer_json(ipv6),
        "ipv4_answer": _answer_json(ipv4),
        "ipv4_answers": {a: _answer_json(answers.get(port)) for a, answers in facts.ipv4.items()},
    }
    return _parity(
        target,
        subject,
        Status.FAIL,
        f"Port {port} of {pair.label} is open over IPv6 ({pair.ipv6}) but {ipv4.state.value} "
        f"over IPv4 ({ipv4.address}: {ipv4.detail}): the IPv4 firewall does not cover IPv6.",
        evidence,
    )


def _local_errors(facts: ParityFacts, ports: Iterable[int]) -> dict[str, str]:
    details: dict[str, str] = {}
    for port in ports:
        for answer in (facts.ipv6.get(port), _best_ipv4(facts, port)):
            if answer is not None and answer.state is PortState.ERROR:
                details[str(port)] = answer.detail
    return details


def _ports_text(ports: Sequence[int]) -> str:
    return ", ".join(str(port) for port in ports)


def _parity(
    target: str, subject: str, status: Status, summary: str, evidence: Mapping[str, Any]
) -> Finding:
    return Finding(target, subject, PORT_PARITY, status, summary, evidence)


# --- port parity: probing -------------------------------------------------------------------


async def port_scanner(context: CheckContext) -> PortScanner:
    """The scan's one port scanner: one rate for the whole scan (`sweep_rate`)."""
    config = context.config

    async def make() -> PortScanner:
        timeout = min(config.port_probe_timeout, config.timeout)
        return PortScanner(rate=config.sweep_rate, timeout=timeout)

    return await context.once("exposure.port_scanner", make)


def attempts_ahead(context: CheckContext, ports: int) -> int:
    """The most attempts that can be on the scan's schedule before a job's last one.

    A job reserves its moments only once it holds one of the engine's `concurrency` probe
    slots, so at most that many jobs of `ports` attempts each are ahead of it, plus one
    priming of a local subnet (at most the network size limit).
    """
    config = context.config
    return config.concurrency * ports + config.max_network_addresses


async def scan_ports(
    context: CheckContext, what: str, address: str, ports: Sequence[int]
) -> dict[int, PortAnswer]:
    """Probe `ports` of one address as one job of the engine (host limit: the address).

    The attempts inside are paced by the scan's port scanner (`sweep_rate`), not counted one
    by one against the engine's probe limits: a SYN costs a host a fraction of a TLS
    handshake, and a port scan held to four attempts at a time would take minutes. The job
    reserves its moments when it starts, so a job that waited for the engine never bursts.
    """
    scanner = await port_scanner(context)
    return await context.probe(
        what,
        lambda: scanner.scan(address, ports),
        host=address.split("%", 1)[0],
        timeout=scanner.worst_case_seconds(attempts_ahead(context, len(ports)))
        + PROBE_GRACE_SECONDS,
    )


async def probe_parity(
    context: CheckContext,
    pair: HostPair,
    *,
    known_ipv4: Mapping[str, Mapping[int, PortAnswer]] | None = None,
) -> ParityFacts:
    """Probe every exposure port of `pair` over both families at once.

    `known_ipv4` holds IPv4 answers a sweep already has; those addresses are not probed again.
    """
    ports = tuple(context.config.exposure_ports)
    known = dict(known_ipv4 or {})
    missing = [address for address in pair.ipv4 if address not in known]
    jobs = [scan_ports(context, f"port scan of {pair.ipv6}", pair.ipv6, ports)]
    jobs += [scan_ports(context, f"port scan of {address}", address, ports) for address in missing]
    try:
        ipv6, *ipv4 = await asyncio.gather(*jobs)
    except ProbeTimeoutError as error:
        return ParityFacts(pair, ports, error=str(error))
    known.update(zip(missing, ipv4, strict=True))
    return ParityFacts(pair, ports, ipv4=known, ipv6=ipv6)


async def parity_findings(
    target: str,
    context: CheckContext,
    pairs: Sequence[HostPair],
    *,
    known_ipv4: Mapping[str, Mapping[int, PortAnswer]] | None = None,
) -> AsyncIterator[Finding]:
    """Compare every pair at once; yield each host's findings as soon as they are known."""
    comparisons = as_they_finish(
        probe_parity(
            context,
            pair,
            known_ipv4={a: known_ipv4[a] for a in pair.ipv4 if known_ipv4 and a in known_ipv4},
        )
        for pair in pairs
    )
    async with contextlib.aclosing(comparisons):
        async for facts in comparisons:
            for finding in evaluate_port_parity(target, facts):
                yield finding


# --- the local network, shared with the lan family -----------------------------------------


@dataclass(frozen=True, slots=True)
class LanView:
    """The local network of one interface after asking it (priming and an all-nodes echo).

    Attributes:
        interface: the interface, as found before asking.
        snapshot: the passive view after asking (neighbours include those who answered).
        echo: who answered the all-nodes echo, or None when it could not be sent.
        echo_error: why it could not be sent (`ProbeNotPossibleError.reason`), or None.
        echo_needs_privileges: whether administrator rights would have allowed it.
        primed: how many IPv4 addresses were primed (0: the subnet was larger than the
            network size limit, or the interface has no IPv4 address).
    """

    interface: lan.Interface
    snapshot: lan.LanSnapshot
    echo: lan.EchoResult | None
    echo_error: str | None = None
    echo_needs_privileges: bool = False
    primed: int = 0

    def ipv6_neighbours(self) -> dict[str, str | None]:
        """IPv6 addresses seen on the link -> link-layer address: every echo responder, and
        every neighbour cache entry with a link-layer address (an entry without one is an
        address this machine tried and nobody answered for)."""
        own = {address.address for address in self.interface.ipv6}
        found: dict[str, str | None] = {}
        for neighbour in self.snapshot.neighbours_on(self.interface.name):
            if neighbour.version == 6 and neighbour.mac:
                found[neighbour.address] = neighbour.mac
        for address in self.echo.responders if self.echo else ():
            found[address] = found.get(address) or (
                self.echo.macs.get(address) if self.echo else None
            )
        for address, mac in self.echo.macs.items() if self.echo else ():
            if address in found and found[address] is None:
                found[address] = mac
        return {address: mac for address, mac in found.items() if address not in own}

    def ipv4_by_mac(self) -> dict[str, list[str]]:
        """Link-layer address -> the IPv4 addresses the neighbour cache holds for it."""
        own = {address.address for address in self.interface.ipv4}
        table: dict[str, list[str]] = {}
        for neighbour in self.snapshot.neighbours_on(self.interface.name):
            if neighbour.version == 4 and neighbour.mac and neighbour.address not in own:
                table.setdefault(neighbour.mac, []).append(neighbour.address)
        return table


@dataclass(frozen=True, slots=True)
class LanHost:
    """A host seen over IPv6 on the link, with what is known of its IPv4 side."""

    mac: str | None
    ipv6: tuple[str, ...]
    ipv4: tuple[str, ...] = ()
    seen_by: tuple[str, ...] = ()

    def label(self, interface: str) -> str:
        ipv4 = ", ".join(self.ipv4) or "no IPv4 seen"
        return f"{ipv4} / {scoped(self.ipv6[0], interface)} ({self.mac or 'MAC unknown'})"

    @property
    def routable_ipv6(self) -> tuple[str, ...]:
        """Global and unique-local addresses: someone gave it more than a link-local one."""
        return tuple(a for a in self.ipv6 if not ipaddress.IPv6Address(a).is_link_local)


def hosts_from_view(view: LanView) -> tuple[LanHost, ...]:
    """Group the IPv6 addresses seen on the link by link-layer address; add IPv4 by MAC."""
    responders = set(view.echo.responders) if view.echo else set()
    ipv4_by_mac = view.ipv4_by_mac()
    grouped: dict[str, list[str]] = {}
    macs: dict[str, str | None] = {}
    for address, mac in view.ipv6_neighbours().items():
        key = mac or address
        grouped.setdefault(key, []).append(address)
        macs[key] = mac
    hosts = []
    for key, addresses in grouped.items():
        ordered = sorted(addresses, key=lambda a: (not ipaddress.IPv6Address(a).is_link_local, a))
        seen_by = ["echo"] if responders.intersection(addresses) else []
        if any(a not in responders for a in addresses):
            seen_by.append("neighbour cache")
        mac = macs[key]
        hosts.append(
            LanHost(mac, tuple(ordered), tuple(ipv4_by_mac.get(mac or "", ())), tuple(seen_by))
        )
    return tuple(sorted(hosts, key=_host_order))


def _host_order(host: LanHost) -> tuple[bool, list[ipaddress.IPv4Address], tuple[str, ...]]:
    return not host.ipv4, [ipaddress.IPv4Address(a) for a in host.ipv4], host.ipv6


def host_pairs(hosts: Iterable[LanHost], interface: str) -> list[HostPair]:
    """A pair for each IPv6 address (up to `MAX_IPV6_PER_HOST`) of each host with IPv4."""
    pairs = []
    for host in hosts:
        if not host.ipv4:
            continue
        for address in host.ipv6[:MAX_IPV6_PER_HOST]:
            pairs.append(HostPair(host.ipv4, scoped(address, interface), None, host.mac, "mac"))
    return pairs


async def lan_snapshot(context: CheckContext) -> lan.LanSnapshot:
    """This machine's interfaces, neighbours and routes as first seen in this scan."""
    return await context.once("lan.snapshot", lambda: _read_snapshot())


async def _read_snapshot() -> lan.LanSnapshot:
    try:
        return await asyncio.to_thread(lambda: lan.inspector().snapshot())
    except lan.LanInspectionError as error:  # an unsupported platform
        return lan.LanSnapshot(platform="unknown", notes=(str(error),))


async def lan_view(context: CheckContext, interface: lan.Interface) -> LanView:
    """Prime the interface's IPv4 subnet and echo to all nodes on it, then look again.

    Once per interface per scan; every target on that network shares it.
    """
    return await context.once(f"lan.view:{interface.name}", lambda: _make_view(context, interface))


async def _make_view(context: CheckContext, interface: lan.Interface) -> LanView:
    config = context.config
    interface = lan.with_interface_index(interface)
    # priming shares the port scanner's schedule: `sweep_rate` is the rate of everything
    scanner = await port_scanner(context)
    subnet = _primable_subnet(interface, config.max_network_addresses)
    window = config.lan_listen_seconds

    async def prime() -> int:
        if subnet is None:
            return 0
        ahead = attempts_ahead(context, len(config.exposure_ports))
        return await context.probe(
            f"IPv4 neighbour priming of {subnet}",
            lambda: lan.prime_neighbours(
                (str(a) for a in subnet.hosts()), limiter=scanner.limiter, settle=1.0
            ),
            timeout=scanner.worst_case_seconds(ahead) + 5.0,
        )

    async def echo() -> lan.EchoResult | lan.ProbeNotPossibleError:
        try:
            command = lan.inspector().ping_command(interface, window)
        except lan.LanInspectionError:
            command = None
        try:
            return await context.probe(
                f"ICMPv6 echo to all nodes on {interface.name}",
                lambda: lan.all_nodes_echo(interface, window=window, ping_command=command),
                timeout=window + 10.0,
            )
        except lan.ProbeNotPossibleError as error:
            return error

    primed, echoed = await asyncio.gather(prime(), echo())
    snapshot = await _read_snapshot()
    if isinstance(echoed, lan.ProbeNotPossibleError):
        return LanView(interface, snapshot, None, echoed.reason, echoed.privileges, primed)
    view = LanView(interface, snapshot, echoed, primed=primed)
    unknown = [address for address, mac in view.ipv6_neighbours().items() if mac is None]
    if not unknown:
        return view
    # A responder that knew this machine's link-layer address already sent no neighbour
    # solicitation, so nothing here learned its own; a datagram to it makes the system ask.
    await context.probe(
        f"IPv6 neighbour priming on {interface.name}",
        lambda: lan.prime_neighbours(
            unknown, settle=IPV6_PRIMING_SETTLE, scope_id=interface.index or 0
        ),
        timeout=IPV6_PRIMING_SETTLE + 5.0,
    )
    return replace(view, snapshot=await _read_snapshot())


def _primable_subnet(interface: lan.Interface, limit: int) -> ipaddress.IPv4Network | None:
    for address in interface.ipv4:
        network = address.network
        if isinstance(network, ipaddress.IPv4Network) and 2 < network.num_addresses <= limit:
            return network
    return None


def interface_for(snapshot: lan.LanSnapshot, address: str) -> lan.Interface | None:
    """The interface `address` is on-link at, if it is on a local network."""
    return lan.interface_for_network(snapshot, ipaddress.ip_network(address))


# --- partners from DNS ----------------------------------------------------------------------


async def names_of(context: CheckContext, address: str) -> list[str]:
    """The PTR names of `address` (no trailing dot)."""
    reverse = ipaddress.ip_address(address).reverse_pointer
    answer = await lookup(context, reverse, "PTR")
    return [record.rstrip(".") for record in answer.records]


async def forward_addresses(context: CheckContext, name: str, rdtype: str) -> list[str]:
    answer = await lookup(context, name, rdtype)
    return list(answer.records) if answer.outcome is DnsOutcome.ANSWER else []


async def ptr_partners(context: CheckContext, address: str) -> list[HostPair]:
    """Pairs from the PTR names of `address` whose forward records confirm it."""
    version = ipaddress.ip_address(address).version
    own_type, other_type = ("A", "AAAA") if version == 4 else ("AAAA", "A")
    pairs = []
    for name in (await names_of(context, address))[:MAX_ADDRESSES_PER_FAMILY]:
        own, other = await asyncio.gather(
            forward_addresses(context, name, own_type), forward_addresses(context, name, other_type)
        )
        if address not in own or not other:
            continue  # not forward-confirmed, or no partner
        pairs += _pairs_for(
            name, own if version == 4 else other, other if version == 4 else own, f"ptr {name}"
        )
    return pairs


def native(address: str) -> bool:
    """Whether an IPv6 address is reached directly: not through a relay, a translator or
    IPv4 itself (those are `exposure.transition_address`'s business, and a port scan through
    them would test the relay). ISATAP-format addresses are on-link, so they count."""
    return transition_kind(address) in (None, TransitionKind.ISATAP)


def _pairs_for(
    name: str | None,
    ipv4: Sequence[str],
    ipv6: Sequence[str],
    paired_by: str,
    mac: str | None = None,
) -> list[HostPair]:
    usable6 = [a for a in ipv6 if native(a)]
    four = tuple(ipv4[:MAX_ADDRESSES_PER_FAMILY])
    if not four:
        return []
    return [
        HostPair(four, address, name, mac, paired_by)
        for address in usable6[:MAX_ADDRESSES_PER_FAMILY]
    ]


# --- the family -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExposureFamily:
    name: str = "exposure"
    checks: tuple[CheckSpec, ...] = (PORT_PARITY_SPEC, TRANSITION_SPEC)

    def applies_to(self, target: Target) -> bool:
        return True  # domains, addresses, networks and local networks (lan:IFACE)

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        if target.kind is TargetKind.DOMAIN:
            findings = domain_findings(target.value, context)
        elif target.kind is TargetKind.ADDRESS:
            findings = address_findings(target.value, context)
        elif target.kind is TargetKind.NETWORK:
            findings = network_findings(target, context)
        else:
            findings = lan_parity_findings(target, context)
        async for finding in findings:
            yield finding


async def lan_parity_findings(target: Target, context: CheckContext) -> AsyncIterator[Finding]:
    """Compare the ports of every host found in both families on a local network."""
    snapshot = await lan_snapshot(context)
    interface = snapshot.interface(target.interface)
    if interface is None:
        names = ", ".join(i.name for i in snapshot.interfaces) or "none found"
        reason = f"this machine has no interface named {target.interface!r} (interfaces: {names})"
        yield _parity(
            target.value,
            target.interface,
            Status.ERROR,
            f"Could not test: {reason}.",
            {"error": reason},
        )
        return
    view = await lan_view(context, interface)
    hosts = hosts_from_view(view)
    pairs = host_pairs(hosts, interface.name)
    if not pairs:
        yield _parity(
            target.value,
            interface.name,
            Status.INFO,
            f"No host on {interface.name} was found over both IPv4 and IPv6; nothing to compare.",
            {
                "ipv6_hosts": [host.label(interface.name) for host in hosts],
                "echo_error": view.echo_error,
            },
        )
        return
    async for finding in parity_findings(target.value, context, pairs):
        yield finding


async def domain_findings(name: str, context: CheckContext) -> AsyncIterator[Finding]:
    a, aaaa = await asyncio.gather(lookup(context, name, "A"), lookup(context, name, "AAAA"))
    for finding in evaluate_transition_addresses(name, aaaa, a):
        yield finding
    if aaaa.outcome is DnsOutcome.NXDOMAIN:
        return
    failed = [answer for answer in (a, aaaa) if not answer.outcome.is_conclusive]
    if failed:
        reason = "; ".join(
            f"{answer.rdtype}: {answer.detail or answer.outcome.value}" for answer in failed
        )
        yield _parity(
            name,
            name,
            Status.ERROR,
            f"Could not look up the addresses of {name} ({reason}).",
            {"error": reason},
        )
        return
    pairs = _pairs_for(name, a.records, aaaa.records, "dns")
    if not pairs:
        yield _parity(
            name,
            name,
            Status.INFO,
            f"{name} has no IPv4 address or no native IPv6 address (A: {len(a.records)}, "
            f"AAAA: {len(aaaa.records)}); there is nothing to compare.",
            {"a": list(a.records), "aaaa": list(aaaa.records)},
        )
        return
    async for finding in parity_findings(name, context, pairs):
        yield finding


async def address_findings(address: str, context: CheckContext) -> AsyncIterator[Finding]:
    if ipaddress.ip_address(address).version == 6:
        yield evaluate_transition_address(address)
    pairs, hints = await address_partners(context, address)
    if not pairs:
        other = "IPv6" if ipaddress.ip_address(address).version == 4 else "IPv4"
        yield _parity(
            address,
            address,
            Status.INFO,
            f"No {other} address of {address} is known ({'; '.join(hints)}); nothing to compare.",
            {"hints": hints},
        )
        return
    async for finding in parity_findings(address, context, pairs):
        yield finding


async def address_partners(context: CheckContext, address: str) -> tuple[list[HostPair], list[str]]:
    """Pairs for one address from DNS and, on a local network, from link-layer addresses;
    and what was tried, in words."""
    hints: list[str] = []
    pairs = await ptr_partners(context, address)
    hints.append(
        f"{len(pairs)} from PTR names" if pairs else "no forward-confirmed PTR name with a partner"
    )
    snapshot = await lan_snapshot(context)
    interface = interface_for(snapshot, address)
    if interface is None:
        hints.append("not on a local network of this machine")
    else:
        view = await lan_view(context, interface)
        by_mac = mac_partners(view, [address])
        hints.append(f"{len(by_mac)} on {interface.name} by link-layer address")
        pairs += by_mac
    return _deduplicated(pairs), hints


def mac_partners(view: LanView, addresses: Iterable[str]) -> list[HostPair]:
    """Pairs for `addresses` (either family) from the neighbours on `view`'s link."""
    ipv6_macs = view.ipv6_neighbours()
    ipv4_by_mac = view.ipv4_by_mac()
    scope = view.interface.name
    pairs: list[HostPair] = []
    for address in addresses:
        if ipaddress.ip_address(address).version == 4:
            mac = next((m for m, found in ipv4_by_mac.items() if address in found), None)
            if mac is None:
                continue
            ipv6 = sorted((a for a, m in ipv6_macs.items() if m == mac), key=_link_local_last)
            pairs += _pairs_for(None, [address], [scoped(a, scope) for a in ipv6], "mac", mac)
        else:
            mac = ipv6_macs.get(address) or lan.mac_from_eui64(address)
            if mac and mac in ipv4_by_mac:
                pairs += _pairs_for(None, ipv4_by_mac[mac], [scoped(address, scope)], "mac", mac)
    return pairs


def scoped(address: str, scope: str) -> str:
    """A link-local address with its `%scope`; other addresses as they are."""
    return f"{address}%{scope}" if ipaddress.IPv6Address(address).is_link_local else address


def _link_local_last(address: str) -> tuple[bool, str]:
    return ipaddress.IPv6Address(address).is_link_local, address


def _deduplicated(pairs: Iterable[HostPair]) -> list[HostPair]:
    seen: dict[str, HostPair] = {}
    for pair in pairs:
        seen.setdefault(pair.ipv6, pair)
    return list(seen.values())


# --- network targets ------------------------------------------------------------------------


async def network_findings(target: Target, context: CheckContext) -> AsyncIterator[Finding]:
    if target.ip_version == 4:
        findings = ipv4_network_findings(target, context)
    else:
        findings = ipv6_network_findings(target, context)
    async for finding in findings:
        yield finding


async def ipv4_network_findings(target: Target, context: CheckContext) -> AsyncIterator[Finding]:
    """Sweep every address of an IPv4 network; compare each host found with its IPv6 partner."""
    addresses = list(network_addresses(target))
    ports = tuple(context.config.exposure_ports)
    snapshot = await lan_snapshot(context)
    interface = lan.interface_for_network(snapshot, ipaddress.ip_network(target.value))
    view_task = asyncio.ensure_future(lan_view(context, interface)) if interface else None
    swept = await _sweep(context, addresses, ports)
    view = await view_task if view_task else None
    alive = [a for a in addresses if any(answer.state.answered for answer in swept[a].values())]
    if view is not None:
        in_cache = {a for found in view.ipv4_by_mac().values() for a in found}
        alive += [a for a in addresses if a in in_cache and a not in alive]
    pairs: list[HostPair] = []
    for address in alive:
        found = mac_partners(view, [address]) if view else []
        if not found:
            found = await ptr_partners(context, address)
        pairs += found
    pairs = _deduplicated(pairs)
    yield _sweep_summary(target, len(addresses), alive, pairs, context.config.sweep_rate, view)
    known = {address: swept[address] for address in alive}
    async for finding in parity_findings(target.value, context, pairs, known_ipv4=known):
        yield finding


async def _sweep(
    context: CheckContext, addresses: Sequence[str], ports: Sequence[int]
) -> dict[str, dict[int, PortAnswer]]:
    async def one(address: str) -> dict[int, PortAnswer]:
        try:
            return await scan_ports(context, f"sweep of {address}", address, ports)
        except ProbeTimeoutError as error:
            return {
                port: PortAnswer(address, port, PortState.ERROR, 0.0, str(error)) for port in ports
            }

    results = await asyncio.gather(*(one(address) for address in addresses))
    return dict(zip(addresses, results, strict=True))


def _sweep_summary(
    target: Target,
    size: int,
    alive: Sequence[str],
    pairs: Sequence[HostPair],
    rate: int,
    view: LanView | None,
) -> Finding:
    evidence: dict[str, Any] = {
        "addresses_tried": size,
        "hosts_found": list(alive),
        "dual_stack_hosts": [pair.label for pair in pairs],
        "sweep_rate": rate,
        "local_network": view.interface.name if view else None,
    }
    return _parity(
        target.value,
        target.value,
        Status.INFO,
        f"{target.value}: {len(alive)} of {size} addresses answered; {len(pairs)} IPv6 "
        "partner address(es) found to compare.",
        evidence,
    )


async def ipv6_network_findings(target: Target, context: CheckContext) -> AsyncIterator[Finding]:
    """Try the hinted addresses of an IPv6 network; compare each host with its IPv4 partner."""
    network = ipaddress.IPv6Network(target.value)
    ports = tuple(context.config.exposure_ports)
    snapshot = await lan_snapshot(context)
    interface = lan.interface_for_network(snapshot, network)
    view = await lan_view(context, interface) if interface else None
    candidates, sources = await ipv6_hints(context, network, view)
    swept = await _sweep(context, candidates, ports)
    alive = [a for a in candidates if any(answer.state.answered for answer in swept[a].values())]
    pairs: list[HostPair] = []
    if alive and interface is not None:
        # the probes just made filled the neighbour cache with the hosts that answered
        fresh = await _read_snapshot()
        view = LanView(lan.with_interface_index(interface), fresh, view.echo if view else None)
    for address in alive:
        found = mac_partners(view, [address]) if view else []
        pairs += found or await ptr_partners(context, address)
    pairs = _deduplicated(pairs)
    summary = _sweep_summary(target, len(candidates), alive, pairs, context.config.sweep_rate, view)
    yield Finding(
        summary.target,
        summary.subject,
        summary.check_id,
        summary.status,
        f"{target.value}: tried {len(candidates)} hinted addresses ({', '.join(sources)}), "
        f"{len(alive)} answered; {len(pairs)} IPv4 partner(s) found to compare.",
        {**summary.evidence, "hints": sources},
    )
    known6 = {address: swept[address] for address in alive}
    comparisons = as_they_finish(
        _parity_with_known_ipv6(context, pair, known6.get(pair.ipv6.split("%", 1)[0]))
        for pair in pairs
    )
    async with contextlib.aclosing(comparisons):
        async for facts in comparisons:
            for finding in evaluate_port_parity(target.value, facts):
                yield finding


async def _parity_with_known_ipv6(
    context: CheckContext, pair: HostPair, ipv6: Mapping[int, PortAnswer] | None
) -> ParityFacts:
    if ipv6 is None:
        return await probe_parity(context, pair)
    ports = tuple(context.config.exposure_ports)
    try:
        results = await asyncio.gather(
            *(scan_ports(context, f"port scan of {a}", a, ports) for a in pair.ipv4)
        )
    except ProbeTimeoutError as error:
        return ParityFacts(pair, ports, error=str(error))
    return ParityFacts(pair, ports, ipv4=dict(zip(pair.ipv4, results, strict=True)), ipv6=ipv6)


async def ipv6_hints(
    context: CheckContext, network: ipaddress.IPv6Network, view: LanView | None
) -> tuple[list[str], list[str]]:
    """Addresses worth trying in an IPv6 network, never a blind sweep; and their sources."""
    limit = context.config.max_network_addresses
    found: dict[str, None] = {}
    sources: list[str] = []

    def add(addresses: Iterable[str], source: str) -> None:
        before = len(found)
        for address in addresses:
            if len(found) >= limit:
                break
            if ipaddress.IPv6Address(address) in network:
                found.setdefault(str(ipaddress.IPv6Address(address)), None)
        if len(found) > before:
            sources.append(f"{source}: {len(found) - before}")

    add(
        (
            str(network.network_address + n)
            for n in range(1, min(LOW_BYTE_HINTS, network.num_addresses - 1) + 1)
        ),
        "low-byte",
    )
    if view is not None:
        own = {a.address for a in view.interface.ipv6}
        add((a for a in view.ipv6_neighbours() if a not in own), "neighbours")
        macs = {m for m in view.ipv6_neighbours().values() if m} | set(view.ipv4_by_mac())
        if network.prefixlen <= 64:
            base = ipaddress.IPv6Network((network.network_address, 64))
            add(
                (lan.eui64_address(base, mac) for mac in sorted(macs)),
                "EUI-64 of link-layer addresses",
            )
        names = []
        for addresses in view.ipv4_by_mac().values():
            for address in addresses[:1]:
                names += await names_of(context, address)
        records = await asyncio.gather(
            *(forward_addresses(context, name, "AAAA") for name in names[:64])
        )
        add((a for found_records in records for a in found_records), "AAAA of neighbours' names")
    return list(found), sources
