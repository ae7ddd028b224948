"""The Windows inspector: one PowerShell call (Get-NetAdapter, Get-NetNeighbor, ...), as JSON."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from netready.net.lan.model import (
    ALL_NODES,
    SIX_TO_FOUR,
    TEREDO,
    AddressOrigin,
    CommandRunner,
    Interface,
    InterfaceAddress,
    InterfaceKind,
    LanInspectionError,
    LanSnapshot,
    LearnedRoute,
    Neighbour,
    attempt,
    normalise_mac,
    run_command,
)

# --- Windows --------------------------------------------------------------------------------

# One PowerShell run for the whole snapshot (PowerShell takes about a second to start). Enum
# values are turned into their names, which do not depend on the display language; a missing
# module (the transition-technology cmdlets) leaves its part empty.
_WINDOWS_QUERIES = {
    "adapters": (
        "Get-NetAdapter -IncludeHidden",
        ("Name", "InterfaceIndex", "MacAddress", "Status", "InterfaceDescription"),
    ),
    "interfaces": (
        "Get-NetIPInterface",
        ("InterfaceAlias", "InterfaceIndex", "AddressFamily", "ConnectionState"),
    ),
    "addresses": (
        "Get-NetIPAddress",
        ("IPAddress", "InterfaceAlias", "InterfaceIndex", "AddressFamily", "PrefixLength",
         "PrefixOrigin", "SuffixOrigin", "AddressState"),
    ),
    "neighbours": (
        "Get-NetNeighbor",
        ("IPAddress", "LinkLayerAddress", "InterfaceAlias", "AddressFamily", "State", "IsRouter"),
    ),
    "routes": (
        "Get-NetRoute",
        ("DestinationPrefix", "NextHop", "InterfaceAlias", "AddressFamily", "Protocol",
         "RouteMetric"),
    ),
    "teredo": ("Get-NetTeredoState", ("Type", "State")),
    "isatap": ("Get-NetIsatapConfiguration", ("State", "Router")),
    "sixtofour": ("Get-Net6to4Configuration", ("State", "RelayName")),
}  # fmt: skip


def windows_snapshot_script() -> str:
    """The PowerShell program that prints the snapshot as one JSON object."""
    names = (
        "function Names($items, $props) { @($items | Select-Object -Property $props | "
        "ForEach-Object { $o = [ordered]@{}; foreach ($p in $_.PSObject.Properties) "
        '{ $o[$p.Name] = "$($p.Value)" }; $o }) }'
    )
    parts = [
        f"  {key} = Names ({command}) @({','.join(repr(p) for p in properties)})"
        for key, (command, properties) in _WINDOWS_QUERIES.items()
    ]
    body = "\n".join(parts)
    return (
        f"$ErrorActionPreference = 'SilentlyContinue'\n{names}\n"
        f"[ordered]@{{\n{body}\n}} | ConvertTo-Json -Depth 4 -Compress\n"
    )


@dataclass
class WindowsInspector:
    """Windows through PowerShell's networking cmdlets (NetTCPIP, NetAdapter, NetworkTransition)."""

    run: CommandRunner = run_command
    platform: str = "win32"

    def snapshot(self) -> LanSnapshot:
        script = windows_snapshot_script()
        argv = ["powershell", "-NoProfile", "-NonInteractive", "-Command", script]
        try:
            data = json.loads(self.run(argv) or "{}")
        except (LanInspectionError, ValueError) as error:
            return LanSnapshot("win32", notes=(f"PowerShell snapshot: {error}",))
        return parse_windows_snapshot(data)

    def ping_command(self, interface: Interface, window: float) -> list[str] | None:
        if interface.index is None:
            return None
        milliseconds = str(max(500, int(window * 500)))
        return ["ping", "-6", "-n", "2", "-w", milliseconds, f"{ALL_NODES}%{interface.index}"]


_WINDOWS_TUNNEL_NAMES = (
    ("teredo", InterfaceKind.TEREDO),
    ("isatap", InterfaceKind.ISATAP),
    ("6to4", InterfaceKind.SIX_TO_FOUR),
)
_WINDOWS_ORIGINS = {
    "manual": AddressOrigin.MANUAL,
    "wellknown": AddressOrigin.LINK,
    "dhcp": AddressOrigin.DHCP,
    "routeradvertisement": AddressOrigin.ROUTER_ADVERTISEMENT,
    # the numeric values of NL_PREFIX_ORIGIN, should a PowerShell print them
    "1": AddressOrigin.MANUAL,
    "2": AddressOrigin.LINK,
    "3": AddressOrigin.DHCP,
    "4": AddressOrigin.ROUTER_ADVERTISEMENT,
}
_IPV6_FAMILY = ("ipv6", "23")


def _list(value: Any) -> list[Mapping[str, Any]]:
    # ConvertTo-Json writes one object, not a list of one, and $null for none
    if value is None:
        return []
    return [
        item for item in (value if isinstance(value, list) else [value]) if isinstance(item, dict)
    ]


def parse_windows_snapshot(data: Mapping[str, Any]) -> LanSnapshot:
    """A snapshot from the JSON `windows_snapshot_script()` prints."""
    notes: list[str] = []
    states = _windows_transition_states(data)
    interfaces = attempt(notes, "interfaces", lambda: _windows_interfaces(data, states), ())
    neighbours = attempt(notes, "neighbours", lambda: _windows_neighbours(data), ())
    routes, default = attempt(notes, "routes", lambda: _windows_routes(data), ((), None))
    return LanSnapshot("win32", interfaces, neighbours, routes, default, tuple(notes))


def _windows_transition_states(data: Mapping[str, Any]) -> dict[InterfaceKind, str]:
    states = {}
    for key, kind in (
        ("teredo", InterfaceKind.TEREDO),
        ("isatap", InterfaceKind.ISATAP),
        ("sixtofour", InterfaceKind.SIX_TO_FOUR),
    ):
        for item in _list(data.get(key)):
            states[kind] = ", ".join(f"{name} {value}" for name, value in item.items() if value)
    return states


def _windows_interfaces(
    data: Mapping[str, Any], states: Mapping[InterfaceKind, str]
) -> tuple[Interface, ...]:
    adapters = {str(a.get("Name")): a for a in _list(data.get("adapters"))}
    aliases: dict[str, int | None] = {}
    for item in _list(data.get("interfaces")):
        alias = str(item.get("InterfaceAlias", ""))
        aliases.setdefault(alias, _index(item))
    for name, adapter in adapters.items():
        aliases.setdefault(name, _index(adapter))
    addresses: dict[str, list[InterfaceAddress]] = {}
    for item in _list(data.get("addresses")):
        address = str(item.get("IPAddress", "")).split("%", 1)[0]
        if not address:
            continue
        origin = _WINDOWS_ORIGINS.get(
            str(item.get("PrefixOrigin", "")).lower(), AddressOrigin.UNKNOWN
        )
        if (
            str(item.get("SuffixOrigin", "")).lower() in ("link", "2")
            and ipaddress.ip_address(address).is_link_local
        ):
            origin = AddressOrigin.LINK
        temporary = (
            str(item.get("SuffixOrigin", "")).lower() == "random"
            and origin is AddressOrigin.ROUTER_ADVERTISEMENT
        )
        entry = InterfaceAddress(address, int(item.get("PrefixLength") or 0), origin, temporary)
        alias = str(item.get("InterfaceAlias", ""))
        addresses.setdefault(alias, []).append(entry)
        aliases.setdefault(alias, _index(item))
    interfaces = []
    for alias, index in aliases.items():
        adapter = adapters.get(alias, {})
        description = str(adapter.get("InterfaceDescription", ""))
        own = tuple(addresses.get(alias, ()))
        kind = _windows_kind(alias, description, own)
        detail = description or alias
        if kind in states:
            detail = f"{detail}; {states[kind]}"
        status = str(adapter.get("Status", "Up" if own else "")).lower()
        interfaces.append(
            Interface(
                alias,
                index,
                normalise_mac(adapter.get("MacAddress")),
                status == "up",
                kind,
                detail,
                own,
            )
        )
    return tuple(interfaces)


def _index(item: Mapping[str, Any]) -> int | None:
    text = str(item.get("InterfaceIndex", ""))
    return int(text) if text.isdigit() else None


def _windows_kind(
    alias: str, description: str, addresses: Sequence[InterfaceAddress]
) -> InterfaceKind:
    text = f"{alias} {description}".lower()
    if "loopback" in text:
        return InterfaceKind.LOOPBACK
    for marker, kind in _WINDOWS_TUNNEL_NAMES:
        if marker in text:
            return kind
    if any(a.version == 6 and ipaddress.IPv6Address(a.address) in TEREDO for a in addresses):
        return InterfaceKind.TEREDO
    if any(a.version == 6 and ipaddress.IPv6Address(a.address) in SIX_TO_FOUR for a in addresses):
        return InterfaceKind.SIX_TO_FOUR
    return InterfaceKind.ETHERNET if description else InterfaceKind.OTHER


def _windows_neighbours(data: Mapping[str, Any]) -> tuple[Neighbour, ...]:
    neighbours = []
    for item in _list(data.get("neighbours")):
        address = str(item.get("IPAddress", "")).split("%", 1)[0]
        state = str(item.get("State", "")).lower()
        if not address or state in ("unreachable", "incomplete", "0", "1"):
            continue
        neighbours.append(
            Neighbour(
                address,
                normalise_mac(item.get("LinkLayerAddress")),
                str(item.get("InterfaceAlias", "")),
                router=str(item.get("IsRouter", "")).lower() == "true",
                state=state,
            )
        )
    return tuple(n for n in neighbours if not ipaddress.ip_address(n.address).is_multicast)


def _windows_routes(data: Mapping[str, Any]) -> tuple[tuple[LearnedRoute, ...], str | None]:
    routes = []
    default, best_metric = None, None
    for item in _list(data.get("routes")):
        prefix = str(item.get("DestinationPrefix", ""))
        alias = str(item.get("InterfaceAlias", ""))
        family = str(item.get("AddressFamily", "")).lower()
        if prefix == "0.0.0.0/0":
            metric = int(item.get("RouteMetric") or 0)
            if best_metric is None or metric < best_metric:
                default, best_metric = alias, metric
            continue
        if family not in _IPV6_FAMILY or not prefix:
            continue
        gateway = str(item.get("NextHop", "")) or None
        if gateway == "::":
            gateway = None
        protocol = str(item.get("Protocol", ""))
        # routes from advertisements carry that protocol; a default route through a
        # link-local next hop that nobody set by hand (NetMgmt) came from one too
        from_ra = protocol.lower() in ("routeradvertisement", "ra") or (
            prefix == "::/0"
            and gateway is not None
            and ipaddress.IPv6Address(gateway).is_link_local
            and protocol.lower() not in ("netmgmt", "3")
        )
        routes.append(LearnedRoute(prefix, gateway, alias, from_ra, f"protocol {protocol}"))
    return tuple(routes), default
