"""A deliberately badly behaved DNS server for the DNSSEC lab.

Run as a program in a lab namespace (the lab starts it; see dnssec_topology)::

    python hostile_dns.py --address 198.18.2.66 --address 2001:db8:2::66 \\
        --upstream 198.18.2.53 --zone manykeys.test.=/tmp/.../manykeys.test.signed

It listens on port 53 (UDP and TCP) at each address. The test zone delegates the hostile
zones to it, so a resolver meets it as their authoritative server; netready can also be
pointed at it directly as its *resolver*, and then every question outside the hostile
names is relayed to `--upstream` (the lab's resolver), so the chain above still validates.

===================  ==========================================================================
``tc.test``          UDP: an empty answer with TC set; TCP: the connection is closed unanswered
``garbage.test``     an answer with the right ID that breaks off mid-record (UDP and TCP)
``silent.test``      never answers (UDP dropped; TCP held open, then closed after a minute)
``loop.test``        below the apex, A, AAAA, SOA, MX and DS: a CNAME loop, a -> b -> a,
                     unsigned (the rest is relayed: loop.test's keys validate)
each ``--zone``      served from a signed zone file, as an authoritative server would (used
                     for manykeys.test: a DNSKEY RRset of 300 keys, which BIND 9.18 refuses to
                     load - it allows at most 100 records of one type)
anything else        relayed to the upstream resolver, bytes unchanged
===================  ==========================================================================

It prints nothing when ready: the lab waits until the ports listen. Every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import struct
from typing import cast

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

#: How long a relayed question may wait for the upstream resolver (seconds).
UPSTREAM_TIMEOUT = 5.0
#: How long a silent TCP connection is held before it is closed (seconds).
SILENT_HOLD = 60.0
#: How long a TCP client may take to send its question (seconds).
READ_TIMEOUT = 10.0

TC = dns.name.from_text("tc.test.")
GARBAGE = dns.name.from_text("garbage.test.")
SILENT = dns.name.from_text("silent.test.")
LOOP = dns.name.from_text("loop.test.")
LOOP_TYPES = {
    dns.rdatatype.A,
    dns.rdatatype.AAAA,
    dns.rdatatype.SOA,
    dns.rdatatype.MX,
    dns.rdatatype.DS,
}


class Hostile:
    """Decides, per question, what to send back (None: nothing at all)."""

    def __init__(self, upstream: str, zones: dict[dns.name.Name, dns.zone.Zone]) -> None:
        self.upstream = upstream
        self.zones = zones

    async def answer(self, wire: bytes, *, tcp: bool) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
            question = query.question[0]
        except (dns.exception.DNSException, IndexError, ValueError):
            return None  # not a question we can parse: silence
        name, rdtype = question.name, question.rdtype
        if name.is_subdomain(SILENT):
            return None
        if name.is_subdomain(TC):
            return None if tcp else _truncated(query)
        if name.is_subdomain(GARBAGE):
            return _garbage(query)
        if name.is_subdomain(LOOP) and name != LOOP and rdtype in LOOP_TYPES:
            return _cname_loop(query)
        zone = self._zone_for(name, rdtype)
        if zone is not None:
            return _authoritative(zone, query, tcp=tcp)
        return await self.relay(wire, tcp=tcp)

    def _zone_for(self, name: dns.name.Name, rdtype: int) -> dns.zone.Zone | None:
        for origin, zone in self.zones.items():
            # the DS of a zone lives in its parent: relayed like any other question
            if name.is_subdomain(origin) and not (name == origin and rdtype == dns.rdatatype.DS):
                return zone
        return None

    async def relay(self, wire: bytes, *, tcp: bool) -> bytes | None:
        with contextlib.suppress(OSError, TimeoutError, asyncio.IncompleteReadError):
            async with asyncio.timeout(UPSTREAM_TIMEOUT):
                return await (_relay_tcp if tcp else _relay_udp)(self.upstream, wire)
        return None


def _authoritative(zone: dns.zone.Zone, query: dns.message.Message, *, tcp: bool) -> bytes:
    """The answer from a signed zone: the RRset and its RRSIG, or SOA and NSEC proofs."""
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    question = query.question[0]
    node = zone.get_node(question.name)
    if node is not None and _add(response.answer, zone, question.name, question.rdtype):
        return _fit(response, query, tcp=tcp)
    _add(response.authority, zone, zone.origin, dns.rdatatype.SOA)
    if node is not None:
        _add(response.authority, zone, question.name, dns.rdatatype.NSEC)
    else:
        response.set_rcode(dns.rcode.NXDOMAIN)
        _add(response.authority, zone, _nsec_before(zone, question.name), dns.rdatatype.NSEC)
    return _fit(response, query, tcp=tcp)


def _add(
    section: list[dns.rrset.RRset], zone: dns.zone.Zone, name: dns.name.Name, rdtype: int
) -> bool:
    node = zone.get_node(name)
    rdataset = node.get_rdataset(dns.rdataclass.IN, rdtype) if node is not None else None
    if node is None or rdataset is None:
        return False
    section.append(dns.rrset.from_rdata_list(name, rdataset.ttl, list(rdataset)))
    signatures = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, covers=rdtype)
    if signatures is not None:
        section.append(dns.rrset.from_rdata_list(name, signatures.ttl, list(signatures)))
    return True


def _nsec_before(zone: dns.zone.Zone, name: dns.name.Name) -> dns.name.Name:
    owners = sorted(
        owner
        for owner, node in zone.nodes.items()
        if node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NSEC) is not None
    )
    before = [owner for owner in owners if owner < name]
    return before[-1] if before else owners[-1]


def _fit(response: dns.message.Message, query: dns.message.Message, *, tcp: bool) -> bytes:
    """The wire form; over UDP, an empty answer with TC when it exceeds the buffer."""
    limit = 65535 if tcp else max(query.payload, 512)
    try:
        return response.to_wire(max_size=limit)
    except dns.exception.TooBig:
        return _truncated(query)


def _truncated(query: dns.message.Message) -> bytes:
    response = dns.message.make_response(query)
    response.flags |= dns.flags.TC
    return response.to_wire()


def _garbage(query: dns.message.Message) -> bytes:
    """A header that promises one answer record, then a record cut off after its name."""
    header = struct.pack("!HHHHHH", query.id, 0x8180, 1, 1, 0, 0)
    question = query.question[0]
    question_wire = question.name.to_wire() + struct.pack("!HH", question.rdtype, 1)
    return header + question_wire + b"\xc0\x0c\x00\x01\x00"  # type A, then nothing


def _cname_loop(query: dns.message.Message) -> bytes:
    response = dns.message.make_response(query)
    first = dns.name.from_text("a", LOOP)
    second = dns.name.from_text("b", LOOP)
    response.answer.append(dns.rrset.from_text(first, 60, "IN", "CNAME", second.to_text()))
    response.answer.append(dns.rrset.from_text(second, 60, "IN", "CNAME", first.to_text()))
    response.set_rcode(dns.rcode.NOERROR)
    return response.to_wire()


async def _relay_udp(upstream: str, wire: bytes) -> bytes:
    loop = asyncio.get_running_loop()
    reply: asyncio.Future[bytes] = loop.create_future()

    class Receiver(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: object) -> None:
            if not reply.done():
                reply.set_result(data)

    transport, _protocol = await loop.create_datagram_endpoint(Receiver, remote_addr=(upstream, 53))
    try:
        transport.sendto(wire)
        return await reply
    finally:
        transport.close()


async def _relay_tcp(upstream: str, wire: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(upstream, 53)
    try:
        writer.write(struct.pack("!H", len(wire)) + wire)
        await writer.drain()
        (length,) = struct.unpack("!H", await reader.readexactly(2))
        return await reader.readexactly(length)
    finally:
        writer.close()


class UdpServer(asyncio.DatagramProtocol):
    def __init__(self, hostile: Hostile) -> None:
        self.hostile = hostile
        self.transport: asyncio.DatagramTransport | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        task = asyncio.get_running_loop().create_task(self._reply(data, addr))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _reply(self, data: bytes, addr: tuple[str, int]) -> None:
        answer = await self.hostile.answer(data, tcp=False)
        if answer is not None and self.transport is not None:
            self.transport.sendto(answer, addr)


async def serve_tcp(
    hostile: Hostile, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        async with asyncio.timeout(READ_TIMEOUT):
            (length,) = struct.unpack("!H", await reader.readexactly(2))
            wire = await reader.readexactly(length)
        answer = await hostile.answer(wire, tcp=True)
        if answer is None:
            if _is_silent(wire):
                await asyncio.sleep(SILENT_HOLD)  # hold the connection, say nothing
            return
        writer.write(struct.pack("!H", len(answer)) + answer)
        await writer.drain()
    except (OSError, TimeoutError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


def _is_silent(wire: bytes) -> bool:
    with contextlib.suppress(dns.exception.DNSException, IndexError, ValueError):
        return bool(dns.message.from_wire(wire).question[0].name.is_subdomain(SILENT))
    return False


def load_zones(specs: list[str]) -> dict[dns.name.Name, dns.zone.Zone]:
    """``ORIGIN=FILE`` arguments -> the zones, read without relativising names."""
    zones = {}
    for spec in specs:
        origin_text, path = spec.split("=", 1)
        origin = dns.name.from_text(origin_text)
        zones[origin] = dns.zone.from_file(path, origin, relativize=False)
    return zones


async def main(addresses: list[str], upstream: str, zones: list[str]) -> None:
    hostile = Hostile(upstream, load_zones(zones))
    loop = asyncio.get_running_loop()
    servers = []
    for address in addresses:
        await loop.create_datagram_endpoint(lambda: UdpServer(hostile), local_addr=(address, 53))
        servers.append(
            await asyncio.start_server(lambda r, w: serve_tcp(hostile, r, w), host=address, port=53)
        )
    await asyncio.gather(*(server.serve_forever() for server in servers))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", action="append", required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--zone", action="append", default=[], metavar="ORIGIN=FILE")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.address, arguments.upstream, arguments.zone))
