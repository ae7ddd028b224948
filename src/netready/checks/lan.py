"""The local network of one interface: IPv6 where IPv4 was meant, and who hands it out.

Runs on `lan:<interface>` targets (`netready scan --lan IFACE`). Background: RFC 7123 and the
mitm6 attack. On a network its owner believes to be IPv4-only, hosts still speak IPv6 on
their link-local addresses; anyone who sends router advertisements (or answers DHCPv6) can
give them addresses, routes and DNS servers, and reach services their IPv4 firewall hides.
`--lan-ipv4-only` (`ScanConfig.lan_ipv4_only`) declares the network IPv4-only, which turns
what would be facts into failures.

What is done, all at once, on the chosen interface: this machine's own view first (passive:
interfaces, neighbour caches, routes and addresses it learned from advertisements), then an
ICMPv6 echo to all nodes, priming of the IPv4 subnet's neighbour cache (one datagram per
address, at `sweep_rate`), a router solicitation and a DHCPv6 Solicit, each with a listen
window of `lan_listen_seconds`. The exposure family, which runs on `lan:` targets too,
compares the ports of every host found in both families (`exposure.port_parity`) from the same
discovery, made once per interface per scan. `--lan` adds the lan family to the families that
run; exposure runs by default (`--checks lan` alone leaves the ports out).

An active probe this process may not run (no administrator rights) is reported as `error`
with that reason and what the passive view shows, never as a pass; when the passive view
alone proves the problem, the finding is a `fail` (or its usual status) and says the active
probe could not run. Which probe works where: docs/lan-platforms.md.

Verdicts
========

``exposure.lan.router_advertisement`` (subject: ``router fe80::1%eth0 (<MAC>)`` per router,
or the interface)
    IPv4-only network: fail for each router heard (evidence: its MAC and link-local address,
    the advertised prefixes, flags, DNS servers, lifetime), or, when none answered, for
    routes or addresses this machine learned from advertisements before. Otherwise: info
    for one router, warning for each of two or more (one of them may be rogue), info for
    learned routes without an answer now. pass: no advertisement heard and none learned.
    error: the solicitation could not be sent and nothing was learned passively.
``exposure.lan.dhcpv6`` (subject: ``DHCPv6 server fe80::1%eth0 (<MAC>)`` or the interface)
    The same rules for DHCPv6 servers answering a Solicit (evidence: the server's MAC,
    link-local address and DUID, the address and DNS servers offered); passively, addresses
    this machine holds from DHCPv6.
``exposure.lan.ipv6_hosts`` (subject: ``<IPv4> / <IPv6>%eth0 (<MAC>)`` per host)
    Hosts that answered the all-nodes echo or are in this machine's IPv6 neighbour cache,
    matched to their IPv4 address by link-layer address. IPv4-only network: fail for a host
    with a global or unique-local IPv6 address (something hands out IPv6), warning for one
    with only a link-local address (IPv6 on, and reachable on the link). Otherwise info.
    pass (subject: the interface): the echo was sent and no host answered. error (subject:
    the interface): the echo could not be sent (evidence: the reason and the hosts the
    neighbour cache knows, each of which also gets its own finding).
``exposure.tunnel`` (subject: ``this machine``, a tunnel interface, an address, or a name)
    fail: a Teredo, 6to4 or ISATAP interface that is up with an IPv6 address, or any
    address of this machine in 2002::/16, 2001::/32 or with an ISATAP interface identifier.
    warning: another IPv6-in-IPv4 tunnel that is up with a global address. info: a
    Teredo/6to4/ISATAP interface that exists but carries no address (Windows keeps one
    ready). pass: none of these. Names: `isatap` and `wpad`, alone and under each DNS search
    domain of this machine, looked up through the scan's resolvers: `isatap` resolving is a
    warning (fail on an IPv4-only network: hosts build ISATAP tunnels to it), `wpad`
    resolving is a warning (browsers take their proxy settings from it: the relay path of
    mitm6); none resolving is one pass; a failed lookup is an error for that name.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import dns.resolver

from netready.checks.base import CheckContext, CheckSpec, ProbeTimeoutError, lookup
from netready.checks.exposure import (
    LanHost,
    LanView,
    TransitionKind,
    hosts_from_view,
    lan_snapshot,
    lan_view,
    transition_kind,
)
from netready.findings import Finding, Status
from netready.net import lan
from netready.net.dns import DnsAnswer
from netready.targets import Target, TargetKind

__all__ = [
    "DHCPV6",
    "IPV6_HOSTS",
    "ROUTER_ADVERTISEMENT",
    "TUNNEL",
    "Dhcpv6Facts",
    "HostsFacts",
    "LanFamily",
    "RouterFacts",
    "TunnelFacts",
    "evaluate_dhcpv6",
    "evaluate_ipv6_hosts",
    "evaluate_router_advertisement",
    "evaluate_tunnel",
    "search_domains",
]

IPV6_HOSTS = "exposure.lan.ipv6_hosts"
ROUTER_ADVERTISEMENT = "exposure.lan.router_advertisement"
DHCPV6 = "exposure.lan.dhcpv6"
TUNNEL = "exposure.tunnel"
THIS_MACHINE = "this machine"
TUNNEL_NAMES = ("isatap", "wpad")
_PROBE_GRACE = 5.0


# --- router advertisements ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RouterFacts:
    """What was heard and what this machine had learned about routers on `interface`.

    `advertisements` is None when the solicitation could not be sent (`error` says why).
    """

    interface: str
    ipv4_only: bool
    advertisements: tuple[lan.RouterAdvertisement, ...] | None
    learned_routes: tuple[lan.LearnedRoute, ...] = ()
    learned_addresses: tuple[lan.InterfaceAddress, ...] = ()
    error: str | None = None
    window: float = 0.0

    def passive_evidence(self) -> dict[str, Any]:
        return {
            "learned_routes": [route.to_json() for route in self.learned_routes],
            "learned_addresses": [address.to_json() for address in self.learned_addresses],
        }


def evaluate_router_advertisement(target: str, facts: RouterFacts) -> list[Finding]:
    """Grade the routers of one interface (see the module docstring)."""
    passive = facts.passive_evidence()
    learned = bool(facts.learned_routes or facts.learned_addresses)
    if facts.advertisements:
        return _per_server(
            target,
            ROUTER_ADVERTISEMENT,
            facts.ipv4_only,
            [
                (
                    _router_subject(ad.router, ad.mac, facts.interface),
                    _router_summary(ad),
                    {**ad.to_json(), **passive},
                )
                for ad in facts.advertisements
            ],
            what="router",
        )
    evidence: dict[str, Any] = {**passive, "listened_seconds": facts.window}
    if facts.error is not None:
        evidence["error"] = facts.error
    if learned:
        how = (
            f"no advertisement could be solicited ({facts.error})"
            if facts.error
            else f"no router answered a solicitation within {facts.window:g} s"
        )
        status = Status.FAIL if facts.ipv4_only else Status.INFO
        summary = (
            f"{facts.interface}: this machine holds {_learned_text(facts)} learned from router "
            f"advertisements ({how})"
            + (", on a network declared IPv4-only." if facts.ipv4_only else ".")
        )
        return [Finding(target, facts.interface, ROUTER_ADVERTISEMENT, status, summary, evidence)]
    if facts.error is not None:
        return [
            Finding(
                target,
                facts.interface,
                ROUTER_ADVERTISEMENT,
                Status.ERROR,
                f"Could not solicit router advertisements on {facts.interface}: {facts.error}; "
                "this machine has learned no route or address from one.",
                evidence,
            )
        ]
    return [
        Finding(
            target,
            facts.interface,
            ROUTER_ADVERTISEMENT,
            Status.PASS,
            f"No router advertised on {facts.interface} within {facts.window:g} s of a "
            "solicitation, and this machine has learned no route or address from one.",
            evidence,
        )
    ]


def _learned_text(facts: RouterFacts) -> str:
    parts = [f"route {route.prefix}" for route in facts.learned_routes]
    parts += [f"address {address.address}" for address in facts.learned_addresses]
    return ", ".join(parts)


def _router_subject(address: str, mac: str | None, interface: str) -> str:
    return f"router {address}%{interface} ({mac or 'MAC unknown'})"


def _router_summary(ad: lan.RouterAdvertisement) -> str:
    prefixes = ", ".join(prefix.prefix for prefix in ad.prefixes) or "no prefix"
    role = "a default router" if ad.router_lifetime else "not a default router"
    extra = []
    if ad.managed or ad.other:
        extra.append("sends hosts to DHCPv6")
    if ad.dns_servers:
        extra.append(f"DNS servers {', '.join(ad.dns_servers)}")
    return f"advertises {prefixes} ({role}{'; ' if extra else ''}{'; '.join(extra)})"


def _per_server(
    target: str,
    check_id: str,
    ipv4_only: bool,
    servers: Sequence[tuple[str, str, Mapping[str, Any]]],
    *,
    what: str,
) -> list[Finding]:
    """One finding per router or DHCPv6 server: fail on an IPv4-only network, else info for
    one and warning for each of several (one of them may be an impostor)."""
    several = len(servers) > 1
    findings = []
    for subject, description, evidence in servers:
        if ipv4_only:
            status = Status.FAIL
            tail = f"; this network is declared IPv4-only, so this {what} is rogue or forgotten"
        elif several:
            status = Status.WARNING
            tail = f"; {len(servers)} {what}s answer here, make sure each is yours"
        else:
            status, tail = Status.INFO, ""
        findings.append(
            Finding(target, subject, check_id, status, f"{subject} {description}{tail}.", evidence)
        )
    return findings


# --- DHCPv6 ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dhcpv6Facts:
    """The DHCPv6 servers that answered on `interface` (None: the Solicit could not be sent)."""

    interface: str
    ipv4_only: bool
    servers: tuple[lan.Dhcpv6Advertise, ...] | None
    learned_addresses: tuple[lan.InterfaceAddress, ...] = ()
    error: str | None = None
    window: float = 0.0


def evaluate_dhcpv6(target: str, facts: Dhcpv6Facts) -> list[Finding]:
    """Grade the DHCPv6 servers of one interface (see the module docstring)."""
    passive = {"learned_addresses": [a.to_json() for a in facts.learned_addresses]}
    if facts.servers:
        return _per_server(
            target,
            DHCPV6,
            facts.ipv4_only,
            [
                (
                    _dhcp_subject(server, facts.interface),
                    _dhcp_summary(server),
                    {**server.to_json(), **passive},
                )
                for server in facts.servers
            ],
            what="DHCPv6 server",
        )
    evidence: dict[str, Any] = {**passive, "listened_seconds": facts.window}
    if facts.error is not None:
        evidence["error"] = facts.error
    if facts.learned_addresses:
        addresses = ", ".join(a.address for a in facts.learned_addresses)
        how = (
            f"no Solicit could be sent ({facts.error})"
            if facts.error
            else f"no server answered a Solicit within {facts.window:g} s"
        )
        status = Status.FAIL if facts.ipv4_only else Status.INFO
        summary = f"{facts.interface}: this machine holds {addresses} from DHCPv6 ({how})" + (
            ", on a network declared IPv4-only." if facts.ipv4_only else "."
        )
        return [Finding(target, facts.interface, DHCPV6, status, summary, evidence)]
    if facts.error is not None:
        return [
            Finding(
                target,
                facts.interface,
                DHCPV6,
                Status.ERROR,
                f"Could not ask for DHCPv6 servers on {facts.interface}: {facts.error}; "
                "this machine holds no address from DHCPv6.",
                evidence,
            )
        ]
    return [
        Finding(
            target,
            facts.interface,
            DHCPV6,
            Status.PASS,
            f"No DHCPv6 server answered a Solicit on {facts.interface} within {facts.window:g} s.",
            evidence,
        )
    ]


def _dhcp_subject(server: lan.Dhcpv6Advertise, interface: str) -> str:
    return f"DHCPv6 server {server.server}%{interface} ({server.server_mac or 'MAC unknown'})"


def _dhcp_summary(server: lan.Dhcpv6Advertise) -> str:
    offered = []
    if server.addresses:
        offered.append(f"address {', '.join(server.addresses)}")
    if server.prefixes:
        offered.append(f"prefix {', '.join(server.prefixes)}")
    if server.dns_servers:
        offered.append(f"DNS servers {', '.join(server.dns_servers)}")
    return f"answers a Solicit, offering {'; '.join(offered) or 'no address'}"


# --- IPv6 hosts -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HostsFacts:
    """The hosts found on `interface`; `echo_error` is set when no echo could be sent."""

    interface: str
    ipv4_only: bool
    hosts: tuple[LanHost, ...]
    echo_error: str | None = None
    echo_method: str = ""
    primed: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


def evaluate_ipv6_hosts(target: str, facts: HostsFacts) -> list[Finding]:
    """Grade the IPv6 hosts of one interface (see the module docstring)."""
    findings = [_host_finding(target, facts, host) for host in facts.hosts]
    evidence: dict[str, Any] = {
        "hosts": [host.label(facts.interface) for host in facts.hosts],
        "echo_method": facts.echo_method,
        "ipv4_addresses_primed": facts.primed,
        "notes": list(facts.notes),
    }
    if facts.echo_error is not None:
        findings.append(
            Finding(
                target,
                facts.interface,
                IPV6_HOSTS,
                Status.ERROR,
                f"Could not ask the hosts on {facts.interface} for IPv6 (all-nodes echo): "
                f"{facts.echo_error}; {len(facts.hosts)} host(s) found in the neighbour cache.",
                {**evidence, "error": facts.echo_error},
            )
        )
    elif not facts.hosts:
        findings.append(
            Finding(
                target,
                facts.interface,
                IPV6_HOSTS,
                Status.PASS,
                f"No host on {facts.interface} answered an ICMPv6 echo to all nodes.",
                evidence,
            )
        )
    return findings


def _seen(host: LanHost) -> str:
    if "echo" in host.seen_by:
        return "answers IPv6"
    return "has spoken IPv6 on this link (it is in this machine's neighbour cache)"


def _host_finding(target: str, facts: HostsFacts, host: LanHost) -> Finding:
    subject = host.label(facts.interface)
    evidence = {
        "mac": host.mac,
        "ipv4": list(host.ipv4),
        "ipv6": list(host.ipv6),
        "seen_by": list(host.seen_by),
    }
    if facts.ipv4_only and host.routable_ipv6:
        status = Status.FAIL
        summary = (
            f"{subject} has IPv6 address {', '.join(host.routable_ipv6)} on a network "
            "declared IPv4-only: something hands out IPv6 here."
        )
    elif facts.ipv4_only:
        status = Status.WARNING
        summary = (
            f"{subject} {_seen(host)} on a network declared IPv4-only: a rogue router "
            "advertisement could give it addresses and routes."
        )
    else:
        status = Status.INFO
        summary = f"{subject} {_seen(host)}."
    return Finding(target, subject, IPV6_HOSTS, status, summary, evidence)


# --- tunnels and transition names -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TunnelFacts:
    """This machine's interfaces, and the answers for the isatap/wpad names."""

    ipv4_only: bool
    interfaces: tuple[lan.Interface, ...]
    names: Mapping[str, tuple[DnsAnswer, DnsAnswer]] = field(default_factory=dict)
    search_domains: tuple[str, ...] = ()


def evaluate_tunnel(target: str, facts: TunnelFacts) -> list[Finding]:
    """Grade this machine's tunnels and the isatap/wpad names (see the module docstring)."""
    findings = _tunnel_interface_findings(target, facts.interfaces)
    findings += _transition_address_findings(target, facts.interfaces)
    if not any(finding.status is not Status.INFO for finding in findings):
        findings.append(
            Finding(
                target,
                THIS_MACHINE,
                TUNNEL,
                Status.PASS,
                "This machine has no active Teredo, 6to4 or ISATAP tunnel and no address of one.",
                {"interfaces": [i.name for i in facts.interfaces]},
            )
        )
    return findings + _name_findings(target, facts)


def _tunnel_interface_findings(target: str, interfaces: Iterable[lan.Interface]) -> list[Finding]:
    findings = []
    for interface in interfaces:
        routable = [a.address for a in interface.ipv6 if not a.is_link_local]
        active = interface.up and bool(routable)
        evidence = interface.to_json()
        subject = f"tunnel interface {interface.name}"
        if interface.kind.is_transition_tunnel and active:
            findings.append(
                Finding(
                    target,
                    subject,
                    TUNNEL,
                    Status.FAIL,
                    f"{subject} is a {interface.kind.value} tunnel, up with {', '.join(routable)}: "
                    "IPv6 reaches this machine through IPv4 defences.",
                    evidence,
                )
            )
        elif interface.kind.is_transition_tunnel:
            findings.append(
                Finding(
                    target,
                    subject,
                    TUNNEL,
                    Status.INFO,
                    f"{subject} is a {interface.kind.value} tunnel interface without an "
                    f"address ({interface.detail}); it can start when an application wants IPv6.",
                    evidence,
                )
            )
        elif interface.kind is lan.InterfaceKind.TUNNEL and active:
            findings.append(
                Finding(
                    target,
                    subject,
                    TUNNEL,
                    Status.WARNING,
                    f"{subject} carries IPv6 ({', '.join(routable)}) through a tunnel "
                    f"({interface.detail}); make sure it is meant to.",
                    evidence,
                )
            )
    return findings


def _transition_address_findings(target: str, interfaces: Iterable[lan.Interface]) -> list[Finding]:
    findings = []
    for interface in interfaces:
        if interface.kind.is_transition_tunnel:
            continue  # reported with its interface
        for address in interface.ipv6:
            kind = transition_kind(address.address)
            if kind in (TransitionKind.SIX_TO_FOUR, TransitionKind.TEREDO, TransitionKind.ISATAP):
                subject = f"{address.address} on {interface.name}"
                findings.append(
                    Finding(
                        target,
                        subject,
                        TUNNEL,
                        Status.FAIL,
                        f"{subject} is a {kind.value} address: this machine takes IPv6 "
                        "through an IPv4 tunnel.",
                        {
                            "interface": interface.name,
                            "address": address.address,
                            "kind": kind.value,
                        },
                    )
                )
    return findings


def _name_findings(target: str, facts: TunnelFacts) -> list[Finding]:
    findings = []
    quiet: list[str] = []
    for name, (a, aaaa) in facts.names.items():
        failed = [answer for answer in (a, aaaa) if not answer.outcome.is_conclusive]
        records = [*a.records, *aaaa.records]
        evidence = {
            "name": name,
            "a": list(a.records),
            "aaaa": list(aaaa.records),
            "search_domains": list(facts.search_domains),
        }
        if records:
            findings.append(_resolving_name(target, name, records, facts.ipv4_only, evidence))
        elif failed:
            reason = "; ".join(f"{x.rdtype}: {x.detail or x.outcome.value}" for x in failed)
            findings.append(
                Finding(
                    target,
                    name,
                    TUNNEL,
                    Status.ERROR,
                    f"Could not look up {name} ({reason}).",
                    {**evidence, "error": reason},
                )
            )
        else:
            quiet.append(name)
    if quiet:
        findings.append(
            Finding(
                target,
                f"DNS names {', '.join(TUNNEL_NAMES)}",
                TUNNEL,
                Status.PASS,
                f"{', '.join(quiet)} do not resolve: no ISATAP router or WPAD proxy is announced "
                "in DNS.",
                {"names": quiet, "search_domains": list(facts.search_domains)},
            )
        )
    return findings


def _resolving_name(
    target: str, name: str, records: Sequence[str], ipv4_only: bool, evidence: Mapping[str, Any]
) -> Finding:
    addresses = ", ".join(records)
    if name.split(".", 1)[0] == "isatap":
        status = Status.FAIL if ipv4_only else Status.WARNING
        summary = (
            f"{name} resolves ({addresses}): Windows hosts that still have ISATAP build an "
            "IPv6 tunnel to it, past IPv4 defences; remove the name unless you run ISATAP."
        )
    else:
        status = Status.WARNING
        summary = (
            f"{name} resolves ({addresses}): browsers with automatic proxy detection take their "
            "proxy settings from it (the WPAD path mitm6 relays through); make sure it is yours."
        )
    return Finding(target, name, TUNNEL, status, summary, evidence)


def search_domains() -> tuple[str, ...]:
    """This machine's DNS search domains (its resolver configuration), without trailing dots."""
    try:
        resolver = dns.resolver.Resolver(configure=True)
    except (dns.resolver.NoResolverConfiguration, OSError):
        return ()
    names = [str(name).rstrip(".") for name in resolver.search]
    if resolver.domain and str(resolver.domain) not in (".", ""):
        names.append(str(resolver.domain).rstrip("."))
    return tuple(dict.fromkeys(name for name in names if name))


def tunnel_names(domains: Iterable[str]) -> list[str]:
    """`isatap`, `wpad` alone (as a small router's DNS answers host names) and under each domain."""
    names = list(TUNNEL_NAMES)
    for domain in domains:
        names += [f"{label}.{domain}" for label in TUNNEL_NAMES]
    return list(dict.fromkeys(names))


# --- the family -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LanFamily:
    name: str = "lan"
    checks: tuple[CheckSpec, ...] = (
        CheckSpec(IPV6_HOSTS, "Hosts on the local network that answer IPv6"),
        CheckSpec(ROUTER_ADVERTISEMENT, "Router advertisements on the local network"),
        CheckSpec(DHCPV6, "DHCPv6 servers on the local network"),
        CheckSpec(TUNNEL, "No Teredo, 6to4 or ISATAP tunnel, no isatap or wpad name"),
    )

    def applies_to(self, target: Target) -> bool:
        return target.kind is TargetKind.INTERFACE

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        snapshot = await lan_snapshot(context)
        interface = snapshot.interface(target.interface)
        if interface is None:
            for finding in self._no_interface(target, snapshot):
                yield finding
            return
        interface = lan.with_interface_index(interface)
        ipv4_only = context.config.lan_ipv4_only
        view_task = asyncio.ensure_future(lan_view(context, interface))
        routers_task = asyncio.ensure_future(probe_routers(context, interface, snapshot))
        dhcp_task = asyncio.ensure_future(probe_dhcpv6(context, interface, snapshot))
        names_task = asyncio.ensure_future(probe_tunnel_names(context))
        try:
            for finding in evaluate_router_advertisement(target.value, await routers_task):
                yield finding
            view = await view_task
            for finding in evaluate_dhcpv6(target.value, _with_server_macs(await dhcp_task, view)):
                yield finding
            hosts = hosts_from_view(view)
            facts = HostsFacts(
                interface.name,
                ipv4_only,
                hosts,
                view.echo_error,
                view.echo.method if view.echo else "",
                view.primed,
                view.snapshot.notes,
            )
            for finding in evaluate_ipv6_hosts(target.value, facts):
                yield finding
            names, domains = await names_task
            tunnel_facts = TunnelFacts(ipv4_only, snapshot.interfaces, names, domains)
            for finding in evaluate_tunnel(target.value, tunnel_facts):
                yield finding
        finally:
            for task in (view_task, routers_task, dhcp_task, names_task):
                task.cancel()

    def _no_interface(self, target: Target, snapshot: lan.LanSnapshot) -> Iterator[Finding]:
        names = ", ".join(i.name for i in snapshot.interfaces) or "none found"
        reason = f"this machine has no interface named {target.interface!r} (interfaces: {names})"
        for spec in self.checks:
            yield Finding(
                target.value,
                target.interface,
                spec.check_id,
                Status.ERROR,
                f"Could not test: {reason}.",
                {"error": reason, "notes": list(snapshot.notes)},
            )


async def probe_routers(
    context: CheckContext, interface: lan.Interface, snapshot: lan.LanSnapshot
) -> RouterFacts:
    window = context.config.lan_listen_seconds
    learned_routes = tuple(r for r in snapshot.routes_on(interface.name) if r.from_advertisement)
    learned = tuple(a for a in interface.ipv6 if a.origin is lan.AddressOrigin.ROUTER_ADVERTISEMENT)
    base = RouterFacts(
        interface.name, context.config.lan_ipv4_only, None, learned_routes, learned, window=window
    )
    try:
        heard = await context.probe(
            f"router solicitation on {interface.name}",
            lambda: lan.solicit_routers(interface, window=window),
            timeout=window + _PROBE_GRACE,
        )
    except (lan.ProbeNotPossibleError, ProbeTimeoutError) as error:
        return replace(base, error=_reason(error))
    return replace(base, advertisements=heard)


async def probe_dhcpv6(
    context: CheckContext, interface: lan.Interface, snapshot: lan.LanSnapshot
) -> Dhcpv6Facts:
    window = context.config.lan_listen_seconds
    learned = tuple(a for a in interface.ipv6 if a.origin is lan.AddressOrigin.DHCP)
    ipv4_only = context.config.lan_ipv4_only
    try:
        servers = await context.probe(
            f"DHCPv6 Solicit on {interface.name}",
            lambda: lan.solicit_dhcpv6(interface, window=window),
            timeout=window + _PROBE_GRACE,
        )
    except (lan.ProbeNotPossibleError, ProbeTimeoutError) as error:
        return Dhcpv6Facts(interface.name, ipv4_only, None, learned, _reason(error), window)
    return Dhcpv6Facts(interface.name, ipv4_only, servers, learned, None, window)


def _with_server_macs(facts: Dhcpv6Facts, view: LanView) -> Dhcpv6Facts:
    """Fill in a server's MAC from the neighbour cache when its DUID carried none."""
    if not facts.servers:
        return facts
    macs = view.ipv6_neighbours()
    servers = tuple(
        server if server.server_mac else replace(server, server_mac=macs.get(server.server))
        for server in facts.servers
    )
    return replace(facts, servers=servers)


async def probe_tunnel_names(
    context: CheckContext,
) -> tuple[dict[str, tuple[DnsAnswer, DnsAnswer]], tuple[str, ...]]:
    domains = await asyncio.to_thread(search_domains)
    names = tunnel_names(domains)
    answers = await asyncio.gather(
        *(
            asyncio.gather(lookup(context, name, "A"), lookup(context, name, "AAAA"))
            for name in names
        )
    )
    return {name: (a, aaaa) for name, (a, aaaa) in zip(names, answers, strict=True)}, domains


def _reason(error: Exception) -> str:
    return error.reason if isinstance(error, lan.ProbeNotPossibleError) else str(error)
