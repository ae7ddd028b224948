"""The delay line (delay.py) and delayed lab hosts (``Lab.add_host(..., delay_ms=...)``).

Traffic tests run small Python probes inside the lab namespaces: this module doubles as the
probe program, ``python -m tests.lab.test_delay <probe> ...`` (see `main` at the bottom), so
the probes are plain, checked Python rather than scripts in strings.

Measurements (RTTs, packets per second, TCP throughput) are printed; see them with ``-rP``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import selectors
import signal
import socket
import socketserver
import statistics
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .delay import DEFAULT_MAX_FRAMES, DelayLine, namespace_name
from .netlab import Lab, LabHost

#: One-way delay of the delayed host: 50 ms round trip to every other lab host.
DELAY_MS = 25.0
#: Upper bound for a round trip through the line: 2 x 25 ms plus the line's ~1 ms timer
#: granularity each way plus scheduling on a busy machine.
RTT_MAX_MS = 65.0
FAST_RTT_MAX_MS = 5.0
#: The repository, the probes' working directory so that ``-m tests.lab.test_delay`` works.
REPO = Path(__file__).resolve().parents[2]
PROBE_TIMEOUT = 60.0

ADDRESSES = {  # name -> (IPv4, IPv6); "client" is the delayed one
    "client": ("198.18.5.100", "2001:db8:5::100"),
    "server": ("198.18.5.10", "2001:db8:5::10"),
    "peer": ("198.18.5.11", "2001:db8:5::11"),
}
ECHO_PORT = 7
UDP_PORT = 9000


# --- probes: run inside lab namespaces ------------------------------------------------------


def _icmp_checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def probe_ping(address: str, count: int, timeout: float = 5.0) -> list[float]:
    """Round-trip times in ms of `count` ICMP echoes, one after the other (no ping here).

    Raw sockets (the lab runs as root): for ICMPv6 the kernel fills in the checksum, and
    replies arrive without the IP header; for ICMPv4 neither is done for us.
    """
    v6 = ":" in address
    family, proto = (
        (socket.AF_INET6, socket.IPPROTO_ICMPV6) if v6 else (socket.AF_INET, socket.IPPROTO_ICMP)
    )
    request_type, reply_type = (128, 129) if v6 else (8, 0)
    ident = os.getpid() & 0xFFFF
    rtts = []
    with socket.socket(family, socket.SOCK_RAW, proto) as sock:
        for seq in range(count):
            payload = b"netready-delay-%d" % seq
            header = struct.pack("!BBHHH", request_type, 0, 0, ident, seq)
            checksum = 0 if v6 else _icmp_checksum(header + payload)
            packet = struct.pack("!BBHHH", request_type, 0, checksum, ident, seq) + payload
            sent = time.monotonic()
            sock.sendto(packet, (address, 0))
            while True:  # other ICMP (neighbour discovery, others' echoes) is skipped
                sock.settimeout(max(0.001, sent + timeout - time.monotonic()))
                data = sock.recv(2048)
                icmp = data if v6 else data[(data[0] & 0x0F) * 4 :]
                kind, _, _, their_ident, their_seq = struct.unpack("!BBHHH", icmp[:8])
                if (kind, their_ident, their_seq) == (reply_type, ident, seq):
                    break
            rtts.append((time.monotonic() - sent) * 1000)
    return rtts


class _EchoHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while chunk := self.request.recv(65536):
            self.request.sendall(chunk)


class _EchoServer(socketserver.ThreadingTCPServer):
    # One dual-stack socket serves IPv4 and IPv6; the backlog fits hundreds of clients at once.
    address_family = socket.AF_INET6
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 1024

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def probe_echo_server(port: int) -> None:
    """Echo every TCP connection back until the peer shuts down; runs until killed."""
    with _EchoServer(("::", port), _EchoHandler) as server:
        print("ready", flush=True)
        server.serve_forever()


def probe_echo_transfer(address: str, port: int, size: int) -> dict[str, Any]:
    """Send `size` pseudo-random bytes through the echo server and compare what comes back."""
    data = random.Random(size).randbytes(size)
    received = bytearray()
    with socket.create_connection((address, port), timeout=PROBE_TIMEOUT) as sock:
        started = time.monotonic()

        def send() -> None:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)

        # Sending from a thread while reading here: echoing 2 MB fills both directions'
        # buffers, and one thread doing both would deadlock.
        sender = threading.Thread(target=send)
        sender.start()
        while chunk := sock.recv(1 << 18):
            received += chunk
        sender.join()
        seconds = time.monotonic() - started
    return {
        "size": size,
        "received": len(received),
        "equal": received == data,
        "sha256": hashlib.sha256(received).hexdigest() == hashlib.sha256(data).hexdigest(),
        "seconds": seconds,
    }


async def _echo_once(address: str, port: int, payload: bytes) -> bool:
    reader, writer = await asyncio.open_connection(address, port)
    try:
        writer.write(payload)
        await writer.drain()
        writer.write_eof()
        return await reader.read() == payload
    finally:
        writer.close()
        await writer.wait_closed()


async def _echo_many(address: str, port: int, count: int, size: int) -> dict[str, Any]:
    payload = random.Random(count).randbytes(size)
    started = time.monotonic()
    results = await asyncio.wait_for(
        asyncio.gather(
            *(_echo_once(address, port, payload) for _ in range(count)), return_exceptions=True
        ),
        PROBE_TIMEOUT,
    )
    return {
        "ok": sum(result is True for result in results),
        "errors": sorted({repr(result) for result in results if result is not True})[:5],
        "seconds": time.monotonic() - started,
    }


def probe_echo_many(address: str, port: int, count: int, size: int) -> dict[str, Any]:
    """`count` TCP connections at once, each echoing `size` bytes."""
    return asyncio.run(_echo_many(address, port, count, size))


def probe_udp_sink(port: int, count: int, idle: float) -> dict[str, Any]:
    """Count numbered datagrams until `count` came or none for `idle` s; check their order."""
    received = reordered = 0
    first = last = 0.0
    previous = -1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        sock.bind(("0.0.0.0", port))
        print("ready", flush=True)
        sock.settimeout(PROBE_TIMEOUT)  # until the first one
        while received < count:
            try:
                data = sock.recv(2048)
            except TimeoutError:
                break
            last = time.monotonic()
            if not received:
                first = last
                sock.settimeout(idle)
            received += 1
            (number,) = struct.unpack_from("!I", data)
            reordered += number < previous
            previous = number
    return {"received": received, "reordered": reordered, "seconds": last - first}


def probe_udp_flood(address: str, port: int, count: int, rate: float) -> dict[str, Any]:
    """Send `count` numbered 64-byte datagrams at `rate` per second (0: as fast as possible)."""
    refused = 0
    padding = bytes(60)
    started = time.monotonic()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for number in range(count):
            if rate and number % 100 == 0:  # pace in bursts of 100: cheap, and smooth enough
                ahead = started + number / rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            try:
                sock.sendto(struct.pack("!I", number) + padding, (address, port))
            except OSError:  # ENOBUFS: the interface queue is full; that is a drop too
                refused += 1
    return {"sent": count - refused, "refused": refused, "seconds": time.monotonic() - started}


def main(argv: Sequence[str] | None = None) -> None:
    """Run one probe; print its result as JSON (servers print "ready" and run until killed)."""
    parser = argparse.ArgumentParser(prog="python -m tests.lab.test_delay")
    probes = parser.add_subparsers(dest="probe", required=True)
    probes.add_parser("ping").add_argument("args", nargs=2)  # address count
    probes.add_parser("echo-server").add_argument("args", nargs=1)  # port
    probes.add_parser("echo-transfer").add_argument("args", nargs=3)  # address port size
    probes.add_parser("echo-many").add_argument("args", nargs=4)  # address port count size
    probes.add_parser("udp-sink").add_argument("args", nargs=3)  # port count idle
    probes.add_parser("udp-flood").add_argument("args", nargs=4)  # address port count rate
    parsed = parser.parse_args(argv)
    a = parsed.args
    match parsed.probe:
        case "ping":
            result: Any = probe_ping(a[0], int(a[1]))
        case "echo-server":
            probe_echo_server(int(a[0]))
            return
        case "echo-transfer":
            result = probe_echo_transfer(a[0], int(a[1]), int(a[2]))
        case "echo-many":
            result = probe_echo_many(a[0], int(a[1]), int(a[2]), int(a[3]))
        case "udp-sink":
            result = probe_udp_sink(int(a[0]), int(a[1]), float(a[2]))
        case _:
            result = probe_udp_flood(a[0], int(a[1]), int(a[2]), float(a[3]))
    print(json.dumps(result), flush=True)


# --- helpers for the tests ------------------------------------------------------------------


def probe_argv(*args: object) -> list[str]:
    return [sys.executable, "-m", "tests.lab.test_delay", *map(str, args)]


def run_probe(host: LabHost, *args: object, timeout: float = PROBE_TIMEOUT) -> Any:
    """Run a probe in `host` and return its JSON result."""
    done = host.run(probe_argv(*args), cwd=REPO, timeout=timeout)
    assert done.returncode == 0, f"probe {args} in {host.name} failed:\n{done.stderr}"
    return json.loads(done.stdout)


def start_probe(host: LabHost, *args: object) -> subprocess.Popen[str]:
    """Start a serving probe in `host` and return once it printed "ready"."""
    process = host.popen(probe_argv(*args), cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        assert selector.select(PROBE_TIMEOUT), f"probe {args} printed nothing"
    line = process.stdout.readline().strip()  # printed whole and flushed: no blocking here
    assert line == "ready", f"probe {args} in {host.name}: {line!r} (exit {process.poll()})"
    return process


def report(text: str) -> None:
    print(f"delay line: {text}")


@dataclass(frozen=True, slots=True)
class DelayLab:
    lab: Lab
    client: LabHost  # behind the delay line
    server: LabHost  # runs the echo server
    peer: LabHost


@pytest.fixture(scope="module")
def delay_lab(lab_prerequisites: None) -> Iterator[DelayLab]:
    with Lab() as lab:
        hosts = {
            name: lab.add_host(
                name, ipv4=v4, ipv6=v6, delay_ms=DELAY_MS if name == "client" else 0.0
            )
            for name, (v4, v6) in ADDRESSES.items()
        }
        start_probe(hosts["server"], "echo-server", ECHO_PORT)
        yield DelayLab(lab, hosts["client"], hosts["server"], hosts["peer"])
    assert lab.leftovers() == []


def warm_rtts(source: LabHost, address: str, count: int = 8) -> list[float]:
    """RTTs after the first echo, which also waits for ARP / neighbour discovery."""
    rtts: list[float] = run_probe(source, "ping", address, count + 1)[1:]
    return rtts


# --- the delay line alone, on socket pairs (no lab, no root needed) -------------------------


def frame_pairs() -> tuple[list[socket.socket], list[socket.socket]]:
    """Two seqpacket socket pairs: like TAP devices they carry whole frames, order kept."""
    pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET) for _ in range(2)]
    line_ends = [pair[0] for pair in pairs]
    for sock in line_ends:
        sock.setblocking(False)
    return line_ends, [pair[1] for pair in pairs]


def run_line_until(line: DelayLine, done: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"delay line stuck: {line.stats()}"
        line.step(max_wait=0.05)


def test_delay_line_holds_frames_for_the_delay_and_keeps_their_order() -> None:
    line_ends, outer = frame_pairs()
    line = DelayLine(line_ends[0].fileno(), line_ends[1].fileno(), delay=0.03)
    try:
        sent = time.monotonic()
        for number in range(200):  # both directions at once, interleaved
            outer[number % 2].send(b"frame %d" % number)
        run_line_until(line, lambda: line.stats()["a_to_b"]["forwarded"] == 100)
        run_line_until(line, lambda: line.stats()["b_to_a"]["forwarded"] == 100)
        elapsed = time.monotonic() - sent
        got_b = [outer[1].recv(100) for _ in range(100)]
        got_a = [outer[0].recv(100) for _ in range(100)]
    finally:
        line.close()
        for sock in (*line_ends, *outer):
            sock.close()
    assert got_b == [b"frame %d" % n for n in range(0, 200, 2)]
    assert got_a == [b"frame %d" % n for n in range(1, 200, 2)]
    assert elapsed >= 0.03


@pytest.mark.parametrize(
    ("max_frames", "max_bytes", "queued"),
    [(5, 1 << 20, 5), (1000, 250, 2)],
    ids=["frames", "bytes"],
)
def test_delay_line_drops_and_counts_frames_beyond_its_queue_cap(
    max_frames: int, max_bytes: int, queued: int
) -> None:
    line_ends, outer = frame_pairs()
    line = DelayLine(
        line_ends[0].fileno(),
        line_ends[1].fileno(),
        delay=0.02,
        max_frames=max_frames,
        max_bytes=max_bytes,
    )
    try:
        for number in range(20):  # a flood of 20 x 100 bytes, all there at the first read
            outer[0].send(bytes([number]) * 100)
        line.step(max_wait=0)
        stats = line.stats()["a_to_b"]
        run_line_until(line, lambda: line.stats()["a_to_b"]["queued"] == 0)
        got = [outer[1].recv(200) for _ in range(queued)]
        with pytest.raises(BlockingIOError):
            outer[1].recv(200, socket.MSG_DONTWAIT)
    finally:
        line.close()
        for sock in (*line_ends, *outer):
            sock.close()
    assert (stats["queued"], stats["dropped_full"]) == (queued, 20 - queued)
    assert got == [bytes([number]) * 100 for number in range(queued)]  # the first ones, kept


def test_delay_line_refuses_a_namespace_without_a_name(tmp_path: Path) -> None:
    # No named namespace is ours (the root namespace has no name): main() refuses to start.
    assert namespace_name(str(tmp_path)) is None


# --- delayed hosts in a lab -----------------------------------------------------------------


def test_delayed_host_eth0_is_a_tap_device_behind_a_delay_line(delay_lab: DelayLab) -> None:
    done = delay_lab.client.run(["ip", "-d", "-j", "link", "show", "eth0"], check=True)
    (link,) = json.loads(done.stdout)
    assert link["linkinfo"]["info_kind"] == "tun"
    assert link["operstate"] in ("UP", "UNKNOWN")
    assert delay_lab.client.delay_line is not None
    assert delay_lab.client.delay_line.process.poll() is None
    assert delay_lab.server.delay_line is None


def test_delay_line_finds_the_name_of_the_lab_namespace(delay_lab: DelayLab) -> None:
    # The guard that keeps delay.py out of the root namespace, seen from a lab namespace
    code = "import delay; print(delay.namespace_name())"
    done = delay_lab.peer.run([sys.executable, "-c", code], cwd=Path(__file__).parent, check=True)
    assert done.stdout.strip() == delay_lab.peer.namespace


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("direction", ["from_delayed", "to_delayed"])
def test_delay_ping_rtt_through_the_delay_line(
    delay_lab: DelayLab, family: int, direction: str
) -> None:
    source, target = (delay_lab.client, delay_lab.server)
    if direction == "to_delayed":
        source, target = target, source
    address = target.ipv4 if family == 4 else target.ipv6
    assert address is not None
    rtts = warm_rtts(source, address)
    report(
        f"ping IPv{family} {source.name} -> {target.name}: min {min(rtts):.1f} "
        f"median {statistics.median(rtts):.1f} max {max(rtts):.1f} ms"
    )
    # Never faster than the line allows; normally within a few ms of 2 x DELAY_MS.
    assert min(rtts) >= 2 * DELAY_MS, rtts
    assert statistics.median(rtts) <= RTT_MAX_MS, rtts


@pytest.mark.parametrize("family", [4, 6])
def test_delay_leaves_a_normal_pair_fast(delay_lab: DelayLab, family: int) -> None:
    address = delay_lab.peer.ipv4 if family == 4 else delay_lab.peer.ipv6
    assert address is not None
    rtts = warm_rtts(delay_lab.server, address)
    report(f"ping IPv{family} server -> peer (no delay): max {max(rtts):.2f} ms")
    assert max(rtts) < FAST_RTT_MAX_MS, rtts


@pytest.mark.parametrize("family", [4, 6])
def test_tcp_transfer_through_the_delay_line_is_byte_exact(
    delay_lab: DelayLab, family: int
) -> None:
    address = delay_lab.server.ipv4 if family == 4 else delay_lab.server.ipv6
    size = 2 * 1024 * 1024
    result = run_probe(delay_lab.client, "echo-transfer", address, ECHO_PORT, size)
    report(
        f"TCP echo of {size >> 20} MiB over IPv{family}: {result['seconds']:.2f} s, "
        f"{size / result['seconds'] / 1e6:.1f} MB/s each way"
    )
    assert (result["received"], result["equal"], result["sha256"]) == (size, True, True)


def test_hundreds_of_concurrent_tcp_connections_through_the_delay_line(
    delay_lab: DelayLab,
) -> None:
    count = 300
    assert delay_lab.server.ipv4 is not None
    result = run_probe(delay_lab.client, "echo-many", delay_lab.server.ipv4, ECHO_PORT, count, 4096)
    report(f"{count} concurrent TCP echoes of 4 KiB: {result['seconds']:.2f} s")
    assert (result["ok"], result["errors"]) == (count, [])


def udp_through_the_line(delay_lab: DelayLab, count: int, rate: float) -> dict[str, Any]:
    """Send `count` datagrams from the delayed client to the server at `rate` (0: flat out);
    what the sender managed, what arrived and what the line did with them."""
    line, server = delay_lab.client.delay_line, delay_lab.server
    assert line is not None
    assert server.ipv4 is not None
    before = line.stats()["from_host"]
    sink = start_probe(server, "udp-sink", UDP_PORT, count, 0.5)
    flood = run_probe(delay_lab.client, "udp-flood", server.ipv4, UDP_PORT, count, rate)
    assert sink.stdout is not None
    received = json.loads(sink.stdout.read())  # the sink ends by itself after 0.5 s of quiet
    sink.wait(timeout=PROBE_TIMEOUT)
    after = line.stats()["from_host"]
    return {
        "offered_pps": flood["sent"] / flood["seconds"],
        "received": received["received"],
        "received_pps": received["received"] / max(received["seconds"], 1e-9),
        "reordered": received["reordered"],
        **{key: after[key] - before[key] for key in ("forwarded", "dropped_full")},
        "max_queued": after["max_queued"],
    }


def test_delay_line_sustains_thousands_of_packets_per_second(delay_lab: DelayLab) -> None:
    # Given ARP resolved already (or the first datagrams would wait for it and be dropped)
    assert delay_lab.server.ipv4 is not None
    warm_rtts(delay_lab.client, delay_lab.server.ipv4, count=1)
    # When 64-byte datagrams go through the line at 20 000/s for a second
    count = 20_000
    paced = udp_through_the_line(delay_lab, count, rate=count)
    report(
        f"UDP at {paced['offered_pps']:.0f} pps for 1 s: received {paced['received']}/{count} "
        f"at {paced['received_pps']:.0f} pps, max queue {paced['max_queued']} frames"
    )
    # Then (nearly) all arrive, in order (the line measured 200 000/s loss-free; see README)
    assert paced["received"] >= 0.95 * count
    assert paced["reordered"] == 0


def test_delay_line_queue_stays_bounded_under_a_udp_flood(delay_lab: DelayLab) -> None:
    assert delay_lab.server.ipv4 is not None
    warm_rtts(delay_lab.client, delay_lab.server.ipv4, count=1)
    count = 200_000
    flood = udp_through_the_line(delay_lab, count, rate=0)
    report(
        f"UDP flood of {count}, offered at {flood['offered_pps']:.0f} pps: received "
        f"{flood['received']} at {flood['received_pps']:.0f} pps; the line dropped "
        f"{flood['dropped_full']} at its queue cap, max queue {flood['max_queued']} frames"
    )
    assert flood["max_queued"] <= DEFAULT_MAX_FRAMES
    assert flood["forwarded"] >= flood["received"] > 0
    assert flood["reordered"] == 0


def test_delay_lab_cleanup_leaves_nothing(lab_prerequisites: None) -> None:
    with Lab() as lab:
        client = lab.add_host("client", ipv4="198.18.5.100", ipv6="2001:db8:5::100", delay_ms=5)
        assert client.delay_line is not None
        process = client.delay_line.process
        assert process.poll() is None
        # The line and its TAP devices live in the switch namespace, never the root one.
        where = subprocess.run(
            ["ip", "netns", "identify", str(process.pid)],
            capture_output=True,
            text=True,
            timeout=10,
        )
        assert where.stdout.strip() == f"{lab.prefix}-switch"
    assert lab.leftovers() == []
    assert process.returncode == 128 + signal.SIGTERM  # ended by the lab's SIGTERM, by PID


def test_delay_ms_must_be_a_finite_non_negative_number() -> None:
    lab = Lab()
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="delay_ms"):
            lab.add_host("client", ipv4="198.18.5.100", delay_ms=bad)
    assert lab.hosts == {}


if __name__ == "__main__":
    main()
