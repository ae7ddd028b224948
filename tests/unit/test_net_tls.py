"""TLS enumeration against stand-in servers on loopback: hellos, elimination, order, groups, errors.

`ModelServer` is a stand-in (named as such) for a TLS server: it parses the ClientHellos the
prober sends and answers them as a server with a given configuration would — the
ServerHello (and, for (EC)DHE, a ServerKeyExchange) or a HelloRetryRequest, never a whole
handshake, which the prober never needs. The lab tests (tests/lab/test_tls_enumeration.py)
check the same enumeration against nginx and a Python ``ssl`` server, and against sslyze.
"""

from __future__ import annotations

import asyncio
import random
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from netready.net import tls, tls_wire
from netready.net.tls import (
    GROUP_NAMES,
    StartTls,
    TlsEndpoint,
    TlsEnumeration,
    cipher_suites_for,
    enumerate_tls,
)
from netready.net.tls_wire import client_hello, parse_server_hello

# --- the stand-in server -------------------------------------------------------------------

CODES = {name: code for code, name, _ in tls_wire.SUITES}
SSL2_CODES = {name: code for code, name in tls_wire.SSL2_SUITES}
GROUP_CODES = {name: code for code, name in GROUP_NAMES.items()}
VERSION_CODES = {"SSLv3": 0x0300, "TLSv1.0": 0x0301, "TLSv1.1": 0x0302, "TLSv1.2": 0x0303,
                 "TLSv1.3": 0x0304}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ClientHelloSeen:
    version: int  # the version asked for: supported_versions' first, else client_version
    suites: tuple[int, ...]
    groups: tuple[int, ...]
    server_name: str | None
    key_shares: list[int] | None  # None: no key_share extension


def parse_client_hello(record: bytes) -> ClientHelloSeen:
    """The fields of one ClientHello record the prober sends (a test's own parser)."""
    assert record[0] == 22
    body = record[9:]
    (client_version,) = struct.unpack_from("!H", body, 0)
    offset = 34
    offset += 1 + body[offset]
    (length,) = struct.unpack_from("!H", body, offset)
    suites = struct.unpack_from(f"!{length // 2}H", body, offset + 2)
    offset += 2 + length
    offset += 1 + body[offset]
    version, groups, name, shares = client_version, (), None, None
    if offset < len(body):
        (total,) = struct.unpack_from("!H", body, offset)
        offset += 2
        end = offset + total
        while offset < end:
            kind, size = struct.unpack_from("!HH", body, offset)
            data = body[offset + 4 : offset + 4 + size]
            offset += 4 + size
            if kind == 10:
                groups = struct.unpack_from(f"!{(size - 2) // 2}H", data, 2)
            elif kind == 43:
                version = struct.unpack_from("!H", data, 1)[0]
            elif kind == 0:
                name = data[5:].decode()
            elif kind == 51:  # the groups of the key shares
                shares, at = [], 2
                while at < len(data):
                    group, size = struct.unpack_from("!HH", data, at)
                    shares.append(group)
                    at += 4 + size
    return ClientHelloSeen(version, tuple(suites), tuple(groups), name, shares)


@dataclass
class ServerConfig:
    """What the stand-in server accepts, in its order of preference."""

    versions: dict[str, list[str]]  # version -> suites (IANA names), server's order
    enforce_order: bool = True
    groups: list[str] = field(default_factory=lambda: ["x25519", "secp256r1", "secp384r1"])
    dh_bits: int = 2048
    prioritize_chacha: bool = False  # ChaCha20 when the client puts it first (OpenSSL option)


def _record(content_type: int, payload: bytes, version: int = 0x0303) -> bytes:
    return struct.pack("!BHH", content_type, version, len(payload)) + payload


def _handshake(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + len(body).to_bytes(3, "big") + body


def _server_hello(version: int, suite: int, extensions: bytes = b"", retry: bool = False) -> bytes:
    server_random = tls_wire.HELLO_RETRY_RANDOM if retry else bytes(32)
    body = struct.pack("!H", min(version, 0x0303)) + server_random + b"\x00"
    body += struct.pack("!HB", suite, 0)
    if extensions:
        body += struct.pack("!H", len(extensions)) + extensions
    return _handshake(2, body)


class ModelServer:
    """Answers ClientHellos as `config` says; counts the connections and keeps the hellos."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.connections = 0
        self.hellos: list[ClientHelloSeen] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            first = await reader.readexactly(2)
            if first[0] & 0x80:  # SSLv2: a server without it hangs up
                body = await reader.readexactly(((first[0] & 0x7F) << 8) | first[1])
                writer.write(self.answer_sslv2(body))
                if "SSLv2" not in self.config.versions:
                    return
            else:
                rest = await reader.readexactly(3)
                length = struct.unpack("!H", rest[1:])[0]
                record = first + rest + await reader.readexactly(length)
                hello = parse_client_hello(record)
                self.hellos.append(hello)
                writer.write(self.answer(hello))
            await writer.drain()
            await reader.read(1)  # until the prober hangs up
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def answer_sslv2(self, body: bytes) -> bytes:
        accepted = [SSL2_CODES[name] for name in self.config.versions.get("SSLv2", [])]
        if not accepted:
            return b""
        specs_length = struct.unpack_from("!H", body, 3)[0]
        offered = [int.from_bytes(body[9 + i : 12 + i], "big") for i in range(0, specs_length, 3)]
        specs = b"".join(s.to_bytes(3, "big") for s in accepted if s in offered)
        reply = b"\x04\x00\x01\x00\x02" + struct.pack("!HHH", 0, len(specs), 16) + specs
        reply += bytes(16)
        return struct.pack("!H", 0x8000 | len(reply)) + reply

    def pick(self, preference: Sequence[int], offered: Sequence[int]) -> int | None:
        usable = [s for s in offered if s in preference]
        if not usable:
            return None
        chacha = [s for s in usable if "CHACHA20" in tls_wire.SUITE_NAMES.get(s, "")]
        if self.config.prioritize_chacha and chacha and usable[0] in chacha:
            return min(chacha, key=preference.index)
        if self.config.enforce_order:
            return min(usable, key=preference.index)
        return usable[0]

    def answer(self, hello: ClientHelloSeen) -> bytes:
        alert = _record(21, b"\x02\x28")  # fatal handshake_failure
        config, name = self.config, tls_wire.VERSION_NAMES.get(hello.version)
        if name not in config.versions:
            lower = [v for v in config.versions if VERSION_CODES.get(v, 0) < hello.version]
            if not lower or hello.version == 0x0304:
                return _record(21, b"\x02\x46")  # protocol_version
            name = max(lower, key=VERSION_CODES.__getitem__)  # a lower version, as servers do
        version = VERSION_CODES[name]
        preference = [CODES[s] for s in config.versions[name]]
        server_groups = [GROUP_CODES[g] for g in config.groups]
        group = self.pick(server_groups, hello.groups)
        if version == 0x0304:
            suite = self.pick(preference, hello.suites)
            if suite is None or group is None:
                return alert
            shared = group in (hello.key_shares or [])  # a share for it came: no retry
            key_share = (
                struct.pack("!HH", group, 32) + bytes(32) if shared else struct.pack("!H", group)
            )
            extensions = struct.pack("!HHH", 43, 2, 0x0304)
            extensions += struct.pack("!HH", 51, len(key_share)) + key_share
            return _record(22, _server_hello(version, suite, extensions, retry=not shared))
        usable = [
            s for s in preference
            if not tls_wire.is_ecdhe(s) or (group is not None and tls.GROUP_NAMES[group] in
                                        [n for c, n in tls_wire.EC_CURVES])
        ]  # fmt: skip
        suite = self.pick(usable, hello.suites)
        if suite is None:
            return alert
        flight = _server_hello(version, suite) + _handshake(11, b"\x00\x00\x00")
        if tls_wire.is_ecdhe(suite):
            assert group is not None
            flight += _handshake(12, b"\x03" + struct.pack("!H", group) + b"\x01\x04")
        elif tls_wire.is_dhe(suite):
            prime = (1 << (config.dh_bits - 1)).to_bytes(config.dh_bits // 8, "big")
            flight += _handshake(12, struct.pack("!H", len(prime)) + prime + b"\x00\x01\x02")
        flight += _handshake(14, b"")
        return _record(22, flight, version)


@asynccontextmanager
async def serving(
    handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[int]:
    """A loopback server on a free port for the duration; yields the port."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def enumerate_model(
    config: ServerConfig, *, max_parallel: int = 8, timeout: float = 5.0
) -> tuple[TlsEnumeration, ModelServer]:
    model = ModelServer(config)

    async def scenario() -> TlsEnumeration:
        async with serving(model.handle) as port:
            endpoint = TlsEndpoint("127.0.0.1", port, "www.example.test")
            return await enumerate_tls(endpoint, timeout=timeout, max_parallel=max_parallel)

    return asyncio.run(scenario()), model


MODERN12 = [
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
]  # fmt: skip
TLS13 = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]
LEGACY = [
    "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", "TLS_RSA_WITH_SEED_CBC_SHA",
]  # fmt: skip


# --- what is found --------------------------------------------------------------------------


def test_a_modern_server_that_enforces_its_order_is_enumerated_exactly() -> None:
    # Given a TLS 1.2 + 1.3 server with its own order (not OpenSSL's)
    config = ServerConfig({"TLSv1.2": MODERN12, "TLSv1.3": TLS13})
    # When it is enumerated
    found, model = enumerate_model(config)
    # Then versions, suites, order and groups are what it accepts
    assert (found.error, found.error_kind) == (None, None)
    assert found.versions == {"TLSv1.2": tuple(MODERN12), "TLSv1.3": tuple(TLS13)}
    assert found.server_enforces_order == {"TLSv1.2": True, "TLSv1.3": True}
    assert set(found.groups) == {"x25519", "secp256r1", "secp384r1"}
    assert found.dh_bits == 2048
    assert found.connections == model.connections
    assert {hello.server_name for hello in model.hellos if hello.version > 0x0300} == {
        "www.example.test"
    }


def test_a_server_that_follows_the_client_is_told_apart() -> None:
    config = ServerConfig({"TLSv1.2": MODERN12, "TLSv1.3": TLS13}, enforce_order=False)
    found, _ = enumerate_model(config)
    assert set(found.versions["TLSv1.2"]) == set(MODERN12)
    assert set(found.versions["TLSv1.3"]) == set(TLS13)
    assert found.server_enforces_order == {"TLSv1.2": False, "TLSv1.3": False}


def test_a_legacy_server_shows_its_old_versions_and_weak_suites() -> None:
    config = ServerConfig(
        {"TLSv1.0": LEGACY, "TLSv1.1": LEGACY, "TLSv1.2": LEGACY + MODERN12[:2]}, dh_bits=1024
    )
    found, _ = enumerate_model(config)
    assert list(found.versions) == ["TLSv1.0", "TLSv1.1", "TLSv1.2"]
    assert found.versions["TLSv1.0"] == tuple(LEGACY)
    assert found.versions["TLSv1.2"] == tuple(LEGACY + MODERN12[:2])
    assert found.dh_bits == 1024
    # without TLS 1.3, the groups are the ECDHE curves of TLS 1.2
    assert set(found.groups) == {"x25519", "secp256r1", "secp384r1"}


def test_sslv2_and_sslv3_are_found() -> None:
    config = ServerConfig(
        {"SSLv2": ["SSL_CK_RC4_128_WITH_MD5", "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"],
         "SSLv3": ["TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"]}
    )  # fmt: skip
    found, _ = enumerate_model(config)
    assert set(found.versions["SSLv2"]) == {
        "SSL_CK_RC4_128_WITH_MD5",
        "SSL_CK_DES_192_EDE3_CBC_WITH_MD5",
    }
    assert found.versions["SSLv3"] == ("TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA")
    assert found.server_enforces_order["SSLv2"] is None


def test_one_accepted_suite_leaves_the_order_unknown() -> None:
    found, _ = enumerate_model(ServerConfig({"TLSv1.2": MODERN12[1:2]}))
    assert found.versions == {"TLSv1.2": (MODERN12[1],)}
    assert found.server_enforces_order == {"TLSv1.2": None}


def test_tls13_groups_include_finite_field_and_hybrid_post_quantum_ones() -> None:
    groups = ["X25519MLKEM768", "x25519", "secp256r1", "ffdhe2048", "ffdhe3072"]
    found, _ = enumerate_model(ServerConfig({"TLSv1.3": TLS13}, groups=groups))
    assert set(found.groups) == set(groups)
    assert found.groups[0] == "X25519MLKEM768"  # the first choice comes first


def test_chacha_priority_does_not_pass_for_client_order() -> None:
    # OpenSSL's PrioritizeChaCha: the server's order, unless the client puts ChaCha20 first
    config = ServerConfig({"TLSv1.2": MODERN12, "TLSv1.3": TLS13}, prioritize_chacha=True)
    found, _ = enumerate_model(config)
    assert found.server_enforces_order["TLSv1.2"] is True
    assert found.versions["TLSv1.2"] == tuple(MODERN12)


@pytest.mark.parametrize("seed", range(12))
def test_any_server_order_is_found_exactly(seed: int) -> None:
    # Given a server accepting a random subset of TLS 1.2 suites in a random order
    rng = random.Random(seed)
    suites = [s for s in cipher_suites_for("TLSv1.2") if "ECDHE" not in s]
    accepted = rng.sample(suites, rng.randint(2, 60))
    found, model = enumerate_model(ServerConfig({"TLSv1.2": accepted}), max_parallel=16)
    # Then the order is exact, with far fewer connections than one per suite
    assert found.versions["TLSv1.2"] == tuple(accepted)
    assert found.server_enforces_order["TLSv1.2"] is True
    assert found.connections == model.connections
    assert found.connections < 4 * len(accepted) + 60


def test_elimination_costs_accepted_plus_chunks_connections() -> None:
    # a server that follows the client: no order checks, only elimination and groups
    found, _ = enumerate_model(
        ServerConfig({"TLSv1.2": MODERN12[6:]}, enforce_order=False, groups=[]), max_parallel=1
    )
    chunks = len(tls._chunks(range(len(tls_wire.suite_candidates(0x0303)) - 2), tls._SUITE_CHUNK))
    first_round = 1 + 2 * 5  # SSLv2, and two hellos for each other version
    curves = 1  # one hello offering the ECDHE suites: refused, so no curve to enumerate
    assert found.connections == first_round + chunks + curves  # both found in round 1


def test_suite_lists_match_sslyze_sizes() -> None:
    # sslyze 6.x tests 7 SSLv2, 80 SSLv3-TLS 1.1, 156 TLS 1.2 and 5 TLS 1.3 suites
    sizes = {v: len(cipher_suites_for(v)) for v in tls.TLS_VERSIONS}
    assert sizes == {"SSLv2": 7, "SSLv3": 80, "TLSv1.0": 80, "TLSv1.1": 80, "TLSv1.2": 156,
                     "TLSv1.3": 5}  # fmt: skip
    assert all(name.startswith(("TLS_", "SSL_CK_")) for v in sizes for name in cipher_suites_for(v))


# --- the wire -------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [0x0300, 0x0301, 0x0302, 0x0303, 0x0304])
def test_client_hellos_parse_and_carry_what_they_offer(version: int) -> None:
    suites = tls_wire.suite_candidates(version)
    record = client_hello(version, suites, server_name="www.example.test", groups=(29, 23))
    hello = parse_client_hello(record)
    assert hello.version == version
    assert [s for s in hello.suites if s != 0x00FF] == list(suites)
    if version == 0x0300:
        assert (hello.server_name, hello.groups) == (None, ())  # SSLv3: no extensions
    else:
        assert hello.server_name == "www.example.test"
        assert hello.groups == (29, 23)
    assert hello.key_shares == ([29] if version == 0x0304 else None)  # TLS 1.3: x25519's
    assert not 256 <= len(record) - 5 < 512  # padded past the F5 hello-size bug


def test_an_ip_address_is_never_sent_as_sni() -> None:
    record = client_hello(0x0303, [0xC02F], server_name="2001:db8::1", groups=(29,))
    assert parse_client_hello(record).server_name is None


def test_a_hello_retry_request_names_suite_and_group() -> None:
    extensions = struct.pack("!HHH", 43, 2, 0x0304) + struct.pack("!HHH", 51, 2, 0x11EC)
    message = _server_hello(0x0304, 0x1302, extensions, retry=True)[4:]
    hello = parse_server_hello(message)
    assert (hello.version, hello.suite, hello.retry, hello.group) == (0x0304, 0x1302, True, 0x11EC)


def test_a_truncated_server_hello_is_not_tls() -> None:
    with pytest.raises(tls_wire.NotTlsError):
        parse_server_hello(b"\x03\x03" + bytes(10))


# --- hostile and dead endpoints -----------------------------------------------------------------


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read()  # never answers; the prober gives up
    writer.close()


async def _garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(1)
    writer.write(bytes(range(7, 200)))
    await writer.drain()
    writer.close()


async def _http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(1)
    writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    await writer.drain()
    writer.close()


async def _hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.transport.abort()  # RST at once


async def _alerts(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(1)
    writer.write(_record(21, b"\x02\x28"))
    await writer.drain()
    writer.close()


def _enumerate_with(
    handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
    timeout: float,
) -> tuple[TlsEnumeration, float]:
    async def scenario() -> TlsEnumeration:
        async with serving(handler) as port:
            return await enumerate_tls(TlsEndpoint("127.0.0.1", port, None), timeout=timeout)

    started = time.monotonic()
    found = asyncio.run(scenario())
    return found, time.monotonic() - started


@pytest.mark.parametrize(
    ("handler", "kind", "words"),
    [
        (_silent, "timeout", "no answer to the TLS hello"),
        (_garbage, "not_tls", "neither SSLv2 nor TLS"),
        (_http, "not_tls", "b'HT'"),
        (_hang_up, "reset", "reset"),
        (_alerts, "other", "handshake_failure"),
    ],
)
def test_a_hostile_endpoint_is_an_error_within_the_timeout(
    handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
    kind: str,
    words: str,
) -> None:
    found, elapsed = _enumerate_with(handler, timeout=0.5)
    assert found.error_kind == kind
    assert words in str(found.error)
    assert (found.versions, found.groups, found.dh_bits) == ({}, (), None)
    assert elapsed < 0.5 + 1.0


def test_a_closed_port_is_refused() -> None:
    async def scenario() -> TlsEnumeration:
        async with serving(_silent) as port:
            pass  # closed again: nothing listens on the port now
        return await enumerate_tls(TlsEndpoint("127.0.0.1", port, None), timeout=1)

    found = asyncio.run(scenario())
    assert (found.error_kind, found.connections) == ("refused", 11)


def test_cancelling_an_enumeration_closes_every_connection_at_once() -> None:
    open_now: set[asyncio.StreamWriter] = set()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        open_now.add(writer)
        try:
            await reader.read()
        finally:
            open_now.discard(writer)
            writer.close()

    async def scenario() -> float:
        async with serving(hold) as port:
            task = asyncio.create_task(
                enumerate_tls(TlsEndpoint("127.0.0.1", port, None), timeout=30)
            )
            await asyncio.sleep(0.2)
            assert len(open_now) == 11
            started = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            elapsed = time.monotonic() - started
            for _ in range(100):  # the server sees the hang-ups on its next reads
                if not open_now:
                    break
                await asyncio.sleep(0.01)
            assert not open_now
            return elapsed

    assert asyncio.run(scenario()) < 0.1


def test_bad_arguments_are_refused() -> None:
    endpoint = TlsEndpoint("127.0.0.1", 443, None)
    with pytest.raises(ValueError, match="timeout"):
        asyncio.run(enumerate_tls(endpoint, timeout=0))
    with pytest.raises(ValueError, match="max_parallel"):
        asyncio.run(enumerate_tls(endpoint, timeout=1, max_parallel=0))


# --- STARTTLS -------------------------------------------------------------------------------


def _mail_server(
    script: dict[bytes, bytes], greeting: bytes, model: ModelServer
) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    """A stand-in mail server: `greeting`, then `script` answers, then TLS via `model`."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(greeting)
        for _ in range(5):
            command = (await reader.readline()).strip()
            if not command:
                writer.close()
                return
            writer.write(script.get(command, b"500 what\r\n"))
            if command.upper().endswith((b"STARTTLS", b"STLS")):
                break
        await model.handle(reader, writer)

    return handle


SMTP_SCRIPT = {
    b"EHLO netready.invalid": b"250-mail.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n",
    b"STARTTLS": b"220 2.0.0 go ahead\r\n",
}


@pytest.mark.parametrize(
    ("protocol", "greeting", "script"),
    [
        (StartTls.SMTP, b"220-mail.example.test ESMTP\r\n220 more greeting\r\n", SMTP_SCRIPT),
        (StartTls.IMAP, b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n",
         {b"a STARTTLS": b"* BYE not really\r\na OK begin TLS now\r\n"}),
        (StartTls.POP3, b"+OK ready\r\n", {b"STLS": b"+OK begin TLS\r\n"}),
    ],
)  # fmt: skip
def test_starttls_dialogues_lead_to_the_same_enumeration(
    protocol: StartTls, greeting: bytes, script: dict[bytes, bytes]
) -> None:
    model = ModelServer(ServerConfig({"TLSv1.2": MODERN12[:3]}))
    handle = _mail_server(script, greeting, model)
    open_now, most = 0, 0

    async def counting(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal open_now, most
        open_now += 1
        most = max(most, open_now)
        try:
            await handle(reader, writer)
        finally:
            open_now -= 1

    async def scenario() -> TlsEnumeration:
        async with serving(counting) as port:
            endpoint = TlsEndpoint("127.0.0.1", port, "mail.example.test", protocol)
            return await enumerate_tls(endpoint, timeout=2)

    found = asyncio.run(scenario())
    assert found.error is None
    assert found.versions == {"TLSv1.2": tuple(MODERN12[:3])}
    assert most <= tls.DEFAULT_MAX_PARALLEL_STARTTLS  # mail servers get few connections


def test_an_smtp_server_without_starttls_is_not_tls() -> None:
    script = {b"EHLO netready.invalid": b"250-mail.example.test\r\n250 SIZE 100\r\n"}
    handler = _mail_server(script, b"220 hi\r\n", ModelServer(ServerConfig({})))

    async def scenario() -> TlsEnumeration:
        async with serving(handler) as port:
            endpoint = TlsEndpoint("127.0.0.1", port, None, StartTls.SMTP)
            return await enumerate_tls(endpoint, timeout=2)

    found = asyncio.run(scenario())
    assert found.error_kind == "not_tls"
    assert "does not offer STARTTLS" in str(found.error)


def test_the_public_api_is_guarded() -> None:
    # one sorted __all__, the way ruff sorts it: constants, classes, functions
    assert tls.__all__ == sorted(tls.__all__, key=lambda n: (not n.isupper(), n[0].islower(), n))
    assert set(tls.__all__) == {
        "DEFAULT_MAX_PARALLEL", "DEFAULT_MAX_PARALLEL_STARTTLS", "ERROR_KINDS", "GROUP_NAMES",
        "TLS_VERSIONS", "StartTls", "TlsEndpoint", "TlsEnumeration", "cipher_suites_for",
        "enumerate_tls",
    }  # fmt: skip
