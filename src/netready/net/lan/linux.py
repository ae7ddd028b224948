"""The Linux inspector: iproute2's JSON output (`ip -j`)."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence
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
    LanSnapshot,
    LearnedRoute,
    Neighbour,
    attempt,
    normalise_mac,
    run_command,
)

# --- Linux ----------------------------------------------------------------------------------


@dataclass
class LinuxInspector:
    """iproute2's JSON output (`ip -j`), present on every current distribution."""

    run: CommandRunner = run_command
    platform: str = "linux"

    def snapshot(self) -> LanSnapshot:
        notes: list[str] = []

        def ip_json(*args: str) -> Any:
            return json.loads(self.run(["ip", "-j", *args]) or "[]")

        interfaces = attempt(
            notes, "interfaces", lambda: parse_ip_addr(ip_json("-d", "addr", "show")), ()
        )
        neighbours = attempt(notes, "neighbours", lambda: parse_ip_neigh(ip_json("neigh")), ())
        routes = attempt(
            notes, "IPv6 routes", lambda: parse_ip_routes(ip_json("-6", "route", "show")), ()
        )
        default = attempt(
            notes,
            "default route",
            lambda: parse_ip_default_route(ip_json("-4", "route", "show", "default")),
            None,
        )
        return LanSnapshot("linux", interfaces, neighbours, routes, default, tuple(notes))

    def ping_command(self, interface: Interface, window: float) -> list[str] | None:
        # iputils: -w ends it after the window; multicast refuses intervals below 1 s
        seconds = str(max(1, round(window)))
        return ["ping", "-6", "-n", "-c", "2", "-w", seconds, f"{ALL_NODES}%{interface.name}"]


_LINUX_TUNNEL_KINDS = {"ip6tnl", "gre", "ip6gre", "ipip", "vti", "vti6", "ip6ip6"}


def parse_ip_addr(entries: Iterable[Mapping[str, Any]]) -> tuple[Interface, ...]:
    """Interfaces from `ip -j -d addr show`."""
    interfaces = []
    for entry in entries:
        addresses = tuple(
            _linux_address(info)
            for info in entry.get("addr_info", ())
            if info.get("family") in ("inet", "inet6") and info.get("local")
        )
        name = str(entry["ifname"])
        kind, detail = _linux_kind(entry, name, addresses)
        flags = entry.get("flags", ())
        interfaces.append(
            Interface(
                name=name,
                index=int(entry["ifindex"]) if "ifindex" in entry else None,
                mac=normalise_mac(entry.get("address"))
                if entry.get("link_type") == "ether"
                else None,
                up="UP" in flags,
                kind=kind,
                detail=detail,
                addresses=addresses,
            )
        )
    return tuple(interfaces)


def _linux_address(info: Mapping[str, Any]) -> InterfaceAddress:
    address = str(info["local"])
    prefixlen = int(info.get("prefixlen", 128 if info["family"] == "inet6" else 32))
    origin = AddressOrigin.MANUAL
    if info["family"] == "inet6" and info.get("scope") == "link":
        origin = AddressOrigin.LINK
    elif info.get("protocol") == "kernel_ra" or info.get("mngtmpaddr") or info.get("temporary"):
        origin = AddressOrigin.ROUTER_ADVERTISEMENT
    elif info.get("dynamic"):
        # a dynamic IPv6 /128 is a DHCPv6 lease (clients add IA_NA addresses as /128);
        # any other dynamic IPv6 address came from an advertised prefix
        if info["family"] == "inet6" and prefixlen != 128:
            origin = AddressOrigin.ROUTER_ADVERTISEMENT
        else:
            origin = AddressOrigin.DHCP
    return InterfaceAddress(address, prefixlen, origin, bool(info.get("temporary")))


def _linux_kind(
    entry: Mapping[str, Any], name: str, addresses: Sequence[InterfaceAddress]
) -> tuple[InterfaceKind, str]:
    link_type = entry.get("link_type", "")
    linkinfo = entry.get("linkinfo") or {}
    info_kind = str(linkinfo.get("info_kind", ""))
    data = linkinfo.get("info_data") or {}
    if link_type == "loopback":
        return InterfaceKind.LOOPBACK, "loopback"
    if info_kind == "sit" or link_type == "sit":
        return _sit_kind(data, addresses)
    if name.startswith("teredo") or any(
        a.version == 6 and ipaddress.IPv6Address(a.address) in TEREDO for a in addresses
    ):
        return InterfaceKind.TEREDO, f"{info_kind or link_type} interface {name} (Miredo)"
    if info_kind in _LINUX_TUNNEL_KINDS:
        remote = data.get("remote", "any")
        return InterfaceKind.TUNNEL, f"{info_kind} tunnel, remote {remote}"
    if link_type == "ether":
        return InterfaceKind.ETHERNET, info_kind or "ether"
    return InterfaceKind.OTHER, info_kind or str(link_type)


def _sit_kind(
    data: Mapping[str, Any], addresses: Sequence[InterfaceAddress]
) -> tuple[InterfaceKind, str]:
    remote, local = data.get("remote", "any"), data.get("local", "any")
    detail = f"sit tunnel, local {local}, remote {remote}"
    if data.get("isatap"):
        return InterfaceKind.ISATAP, f"{detail}, isatap"
    if any(a.version == 6 and ipaddress.IPv6Address(a.address) in SIX_TO_FOUR for a in addresses):
        return InterfaceKind.SIX_TO_FOUR, detail
    if remote == "any" and not any(not a.is_link_local for a in addresses if a.version == 6):
        # sit0, the driver's default device, exists whenever the module is loaded
        return InterfaceKind.PLACEHOLDER, detail
    return InterfaceKind.TUNNEL, detail


def parse_ip_neigh(entries: Iterable[Mapping[str, Any]]) -> tuple[Neighbour, ...]:
    """Neighbours from `ip -j neigh` (both families)."""
    neighbours = []
    for entry in entries:
        if "dst" not in entry or "dev" not in entry:
            continue
        state = entry.get("state") or []
        neighbours.append(
            Neighbour(
                address=str(entry["dst"]),
                mac=normalise_mac(entry.get("lladdr")),
                interface=str(entry["dev"]),
                router="router" in entry,  # the key is present (null) for router entries
                state=",".join(str(s) for s in state).lower(),
            )
        )
    return tuple(neighbours)


def parse_ip_routes(entries: Iterable[Mapping[str, Any]]) -> tuple[LearnedRoute, ...]:
    """IPv6 routes from `ip -j -6 route show`.

    Learned from an advertisement: protocol `ra` (default and RIO routes), or a prefix
    route with a lifetime (`expires`), which is how the kernel installs an advertised
    on-link prefix; the link-local prefix and routes set by hand never expire.
    """
    routes = []
    for entry in entries:
        destination = str(entry.get("dst", ""))
        if not destination or "dev" not in entry:
            continue
        prefix = "::/0" if destination == "default" else destination
        if "/" not in prefix:
            prefix += "/128"
        protocol = str(entry.get("protocol", ""))
        expires = entry.get("expires")
        from_ra = protocol == "ra" or (
            expires is not None and not ipaddress.IPv6Network(prefix).is_link_local
        )
        evidence = f"proto {protocol or 'boot'}" + (f", expires in {expires} s" if expires else "")
        routes.append(
            LearnedRoute(prefix, entry.get("gateway"), str(entry["dev"]), from_ra, evidence)
        )
    return tuple(routes)


def parse_ip_default_route(entries: Sequence[Mapping[str, Any]]) -> str | None:
    """The interface of the first IPv4 default route in `ip -j -4 route show default`."""
    for entry in entries:
        if entry.get("dev"):
            return str(entry["dev"])
    return None
