"""Which TLS versions, cipher suites and key-exchange groups one TLS endpoint accepts.

    endpoint = TlsEndpoint("2001:db8::10", 443, "www.example.org")
    found = await enumerate_tls(endpoint, timeout=5)
    found.versions["TLSv1.2"]  # ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", ...)

How, and why it is fast: a probe is one TCP connection (after STARTTLS where asked) that
sends one ClientHello and reads the server's first flight: the ServerHello names the
suite the server chose among those offered (and, for (EC)DHE suites, the ServerKeyExchange
names the curve or the DH size). No key is ever computed: TLS 1.3 probes carry at most a
random x25519 share, and the server answers with a ServerHello or a HelloRetryRequest that
names its suite and group.
That makes a probe one round trip after the TCP handshake and lets any suite be offered,
whatever this machine's OpenSSL can do.

* Round 1, all in parallel: an SSLv2 hello, and for SSLv3 ... TLS 1.3 two hellos offering
  every suite sslyze tests for that version, in opposite orders. The same choice both times
  means the server enforces its own order (or accepts one suite); different choices mean it
  follows the client's.
* Accepted suites by elimination: the rest of a version's suites are split into chunks of
  about six, all worked in parallel: offer the chunk, record the choice, remove it, repeat
  until the server refuses — a chunk with k accepted suites costs k + 1 hellos. Once a
  chunk has given one suite, its next connection is opened while the current hello is out.
* The server's order, when it enforces one: each choice shows that the suite beats those
  offered with it. The rest is guessed — the known order (OpenSSL's, Mozilla's, Windows',
  ...) that agrees best with what was seen — and checked: one hello per place of the guess,
  all at once, offering the suites from that place on. A right guess is confirmed in one
  round (OpenSSL's order, which nginx and Apache keep for "HIGH" or "ALL", is the usual
  case); a wrong one is corrected and checked again, at least one more suite placed per
  round. For that, enforcing servers are chunked in runs of OpenSSL's order rather than
  interleaved, so that most neighbour pairs come back ordered from the elimination itself.
* Groups: TLS 1.3 groups (EC, finite-field, hybrid post-quantum) by elimination, named by
  ServerHellos and HelloRetryRequests; without TLS 1.3, the ECDHE curves of the highest
  version below it (as sslyze does). `dh_bits` comes from a DHE ServerKeyExchange seen on
  the way.

Connections: about (accepted suites + chunks) per accepted version, plus the order checks
when the server enforces an order; at most `max_parallel` at once. Measured against the lab
(benchmarks/tls_scan.py): 80-200 where sslyze's equivalent scan makes 565, in under a tenth
of its time at 50 ms round-trip time.

The suites offered are the ones sslyze tests (its OpenSSL 1.0.2 and 1.1.1 clients' lists),
with their IANA names, so the results can be compared with sslyze's one for one.

Errors: when no probe gets a ServerHello, `TlsEnumeration.error` says why and `error_kind`
is one of `ERROR_KINDS`: timeout (no connection, or no answer to the hello, within
`timeout`), refused, unreachable, not_tls (bytes that are not TLS, or a STARTTLS dialogue
that fails), reset (the connection was reset or closed without an answer), other (e.g. the
server refused every version and suite with a TLS alert). Every probe is bounded by
`timeout`, every read by a size limit; a dead or hostile endpoint ends the enumeration
after the first round, so within about `timeout`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from netready.net.errors import UNREACHABLE_ERRNOS
from netready.net.tls_wire import (
    ALL_EC_CURVES,
    ALL_GROUPS,
    GROUP_NAMES,
    KNOWN_ORDERS,
    SSL2_NAMES,
    SSL2_SUITES,
    SSL3,
    SUITE_NAMES,
    TLS10,
    TLS11,
    TLS12,
    TLS13,
    VERSION_FLAGS,
    VERSION_NAMES,
    NotTlsError,
    ServerHello,
    both_ways,
    cipher_suites_for,
    client_hello,
    is_ecdhe,
    offer_order,
    read_server_hello,
    read_sslv2_server_hello,
    sslv2_client_hello,
    suite_candidates,
)

__all__ = [
    "DEFAULT_MAX_PARALLEL",
    "DEFAULT_MAX_PARALLEL_STARTTLS",
    "ERROR_KINDS",
    "GROUP_NAMES",
    "TLS_VERSIONS",
    "StartTls",
    "TlsEndpoint",
    "TlsEnumeration",
    "cipher_suites_for",
    "enumerate_tls",
]
#: Version names, oldest first, as keys of `TlsEnumeration.versions`.
TLS_VERSIONS = ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")
ERROR_KINDS = ("timeout", "refused", "unreachable", "not_tls", "reset", "other")
#: At most this many connections to one endpoint at once (sslyze: 5, a browser: 6); mail
#: servers get fewer, as many limit the connections one client may hold.
DEFAULT_MAX_PARALLEL = 32
DEFAULT_MAX_PARALLEL_STARTTLS = 8


class StartTls(StrEnum):
    NONE = "none"
    SMTP = "smtp"
    IMAP = "imap"
    POP3 = "pop3"


@dataclass(frozen=True, slots=True)
class TlsEndpoint:
    """Where to connect: one address (IPv4 or IPv6) and port, the SNI, and STARTTLS if any."""

    address: str
    port: int
    server_name: str | None  # SNI; None for bare-IP targets (an IP is never sent as SNI)
    starttls: StartTls = StartTls.NONE


@dataclass(frozen=True, slots=True)
class TlsEnumeration:
    """What one endpoint accepts.

    Attributes:
        endpoint: what was probed.
        error: None when at least one handshake got a ServerHello; else why not, in words.
        error_kind: one of `ERROR_KINDS`, None without error.
        versions: accepted version -> accepted suites (IANA names), in the server's order
            when it enforces one, else in the order found; absent versions were refused.
        server_enforces_order: per accepted version; None when it cannot be told (one
            suite, or SSLv2, where the server sends its whole list).
        groups: accepted key-exchange groups (IANA names: "x25519", "secp256r1",
            "ffdhe2048", "X25519MLKEM768", ...), in the order found: TLS 1.3 groups when
            TLS 1.3 is accepted, else the ECDHE curves of the highest version.
        dh_bits: size of the finite-field DH group of a DHE suite, when one is accepted.
        connections: TCP connections this enumeration made.
    """

    endpoint: TlsEndpoint
    error: str | None
    error_kind: str | None
    versions: Mapping[str, tuple[str, ...]]
    server_enforces_order: Mapping[str, bool | None]
    groups: tuple[str, ...]
    dh_bits: int | None
    connections: int


# --- connections: TCP, STARTTLS, limits, counting ------------------------------------------


_LINE_LIMIT = 4096  # a STARTTLS dialogue line longer than this is not a mail server's
_MAX_REPLY_LINES = 64


@dataclass(frozen=True, slots=True)
class _Failure:
    """Why a probe got no answer at all: one of `ERROR_KINDS` and a sentence."""

    kind: str
    message: str


class _FailedError(Exception):
    def __init__(self, failure: _Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


@dataclass(frozen=True, slots=True)
class _Answer:
    """One probe's outcome: a ServerHello, a refusal (alert, close), or a failure."""

    hello: ServerHello | None = None
    refusal: str | None = None
    failure: _Failure | None = None
    ssl2_specs: tuple[int, ...] = ()


def _where(endpoint: TlsEndpoint) -> str:
    address = endpoint.address
    return f"[{address}]:{endpoint.port}" if ":" in address else f"{address}:{endpoint.port}"


class _Connection:
    """One open connection (TCP, and STARTTLS done): it holds a slot of the endpoint's limit."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        limit: asyncio.Semaphore,
    ) -> None:
        self.reader, self.writer, self._limit = reader, writer, limit
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.writer.transport.abort()  # no FIN handshake to wait for, no TIME_WAIT
            self._limit.release()


@dataclass
class _Connections:
    """Opens the probes' connections to one endpoint: counted, limited, bounded in time."""

    endpoint: TlsEndpoint
    timeout: float
    limit: asyncio.Semaphore
    count: int = 0

    async def open(self) -> _Connection:
        """Connect (and STARTTLS) within the timeout; `_FailedError` says why not."""
        await self.limit.acquire()
        self.count += 1
        writer: asyncio.StreamWriter | None = None
        phase = "connect"
        try:
            async with asyncio.timeout(self.timeout):
                reader, writer = await self._connect()
                phase = "starttls"
                await _starttls(self.endpoint.starttls, reader, writer)
            return _Connection(reader, writer, self.limit)
        except BaseException as error:
            if writer is not None:
                writer.transport.abort()
            self.limit.release()
            if isinstance(error, Exception):
                raise _FailedError(self._failure(error, phase)) from None
            raise

    def prefetch(self) -> asyncio.Task[_Connection]:
        """Start opening the next connection of a chain while its current hello is out."""
        return asyncio.ensure_future(self.open())

    async def exchange(
        self,
        hello: bytes,
        read: Callable[[asyncio.StreamReader], Awaitable[_Answer]],
        *,
        connection: Awaitable[_Connection] | None = None,
    ) -> _Answer:
        """Send `hello` on `connection` (or a new one), read the answer with `read`, close.

        Never raises for network trouble: that comes back as `_Answer.failure`.
        """
        try:
            opened = await (connection if connection is not None else self.open())
        except _FailedError as error:
            return _Answer(failure=error.failure)
        try:
            async with asyncio.timeout(self.timeout):
                opened.writer.write(hello)
                await opened.writer.drain()
                return await read(opened.reader)
        except Exception as error:  # classified; a bug still surfaces in _failure
            return _Answer(failure=self._failure(error, "hello"))
        finally:
            opened.close()

    def _failure(self, error: Exception, phase: str) -> _Failure:
        where = _where(self.endpoint)
        if isinstance(error, TimeoutError):
            waited = {"connect": "no connection", "starttls": "no STARTTLS"}.get(
                phase, "no answer to the TLS hello"
            )
            return _Failure("timeout", f"{waited} from {where} within {self.timeout:g} s")
        if isinstance(error, NotTlsError):
            return _Failure("not_tls", f"{where} answered with {error}")
        if isinstance(error, ConnectionRefusedError):
            return _Failure("refused", f"{where} refused the connection")
        if isinstance(error, ConnectionResetError | BrokenPipeError):
            return _Failure("reset", f"{where} reset the connection")
        if isinstance(error, asyncio.IncompleteReadError):
            return _Failure("reset", f"{where} closed the connection in the middle of a message")
        if isinstance(error, OSError):
            reason = error.strerror or str(error) or type(error).__name__
            if error.errno in UNREACHABLE_ERRNOS:
                return _Failure("unreachable", f"{where} is unreachable: {reason}")
            return _Failure("other", f"connection to {where} failed: {reason}")
        raise error

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        address = self.endpoint.address
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(sock, (address, self.endpoint.port))
            return await asyncio.open_connection(sock=sock, limit=_LINE_LIMIT)
        except BaseException:
            sock.close()
            raise


_Pending = Awaitable[_Connection] | None  # a prefetched connection, or None: open one


async def _discard(spare: asyncio.Task[_Connection] | None) -> None:
    """Close a prefetched connection a chain did not need (or stop it opening)."""
    if spare is None:
        return
    spare.cancel()
    with contextlib.suppress(asyncio.CancelledError, _FailedError):
        (await spare).close()


async def _starttls(
    protocol: StartTls, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """The plain-text dialogue that switches a mail connection to TLS (raises `NotTlsError`)."""
    if protocol == StartTls.SMTP:
        await _expect(reader, "SMTP greeting", _smtp_reply(reader), b"220")
        writer.write(b"EHLO netready.invalid\r\n")
        features = await _expect(reader, "SMTP EHLO", _smtp_reply(reader), b"250")
        if b"STARTTLS" not in features.upper():
            raise NotTlsError("an SMTP server that does not offer STARTTLS")
        writer.write(b"STARTTLS\r\n")
        await _expect(reader, "SMTP STARTTLS", _smtp_reply(reader), b"220")
    elif protocol == StartTls.IMAP:
        await _expect(reader, "IMAP greeting", _line(reader), b"* OK")
        writer.write(b"a STARTTLS\r\n")
        await _expect(reader, "IMAP STARTTLS", _tagged_reply(reader, b"a "), b"a OK")
    elif protocol == StartTls.POP3:
        await _expect(reader, "POP3 greeting", _line(reader), b"+OK")
        writer.write(b"STLS\r\n")
        await _expect(reader, "POP3 STLS", _line(reader), b"+OK")


async def _expect(
    reader: asyncio.StreamReader, what: str, reply: Awaitable[bytes], start: bytes
) -> bytes:
    del reader
    text = await reply
    if not text.upper().startswith(start.upper()):
        raise NotTlsError(f"an unexpected {what} reply {text[:80]!r}")
    return text


async def _line(reader: asyncio.StreamReader) -> bytes:
    try:
        line = await reader.readline()
    except (ValueError, asyncio.LimitOverrunError):
        raise NotTlsError("a line longer than any mail server sends") from None
    if not line.endswith(b"\n"):
        raise asyncio.IncompleteReadError(line, None)
    return line.rstrip(b"\r\n")


async def _smtp_reply(reader: asyncio.StreamReader) -> bytes:
    """A whole (multi-line) SMTP reply: ``250-...`` lines up to the ``250 ...`` one."""
    lines = []
    for _ in range(_MAX_REPLY_LINES):
        line = await _line(reader)
        lines.append(line)
        if len(line) < 4 or line[3:4] != b"-":
            return b"\n".join(lines)
    raise NotTlsError("an SMTP reply without an end")


async def _tagged_reply(reader: asyncio.StreamReader, tag: bytes) -> bytes:
    """The IMAP reply tagged `tag`, after any untagged lines."""
    for _ in range(_MAX_REPLY_LINES):
        line = await _line(reader)
        if line.startswith(tag):
            return line
    raise NotTlsError("an IMAP server that never answered the command")


# --- the enumeration -------------------------------------------------------------------------


_SUITE_CHUNK = 6  # suites per elimination chunk: k accepted in a chunk cost k + 1 connections
_GROUP_CHUNK = 4
_PREFETCH_AFTER = 1  # successes in a chain before the next connection is opened early
_ORDER_PROBES_PER_SUITE = 3  # parallel order checks allowed per accepted suite, then one at a time


async def enumerate_tls(
    endpoint: TlsEndpoint, *, timeout: float, max_parallel: int | None = None
) -> TlsEnumeration:
    """Find the versions, suites, order and groups `endpoint` accepts (see the module doc).

    `timeout` bounds each connection (connect, STARTTLS, hello and answer); `max_parallel`
    the connections open to the endpoint at once (default: `DEFAULT_MAX_PARALLEL`, or
    `DEFAULT_MAX_PARALLEL_STARTTLS` with STARTTLS). Never raises for network trouble.
    """
    if max_parallel is None:
        starttls = endpoint.starttls != StartTls.NONE
        max_parallel = DEFAULT_MAX_PARALLEL_STARTTLS if starttls else DEFAULT_MAX_PARALLEL
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, not {timeout!r}")
    if max_parallel < 1:
        raise ValueError(f"max_parallel must be at least 1, not {max_parallel!r}")
    return await _Enumeration(endpoint, timeout, max_parallel).run()


@dataclass
class _Relations:
    """What the server's choices showed: `beaten[a]` = suites offered with `a` when it chose `a`.

    When the server enforces its order, `a` is preferred to each of them.
    """

    beaten: dict[int, set[int]] = field(default_factory=dict)

    def record(self, chosen: int, offered: Iterable[int]) -> None:
        self.beaten.setdefault(chosen, set()).update(s for s in offered if s != chosen)

    def closure(self, members: Sequence[int]) -> dict[int, set[int]]:
        """For each member, every member it is (transitively) preferred to."""
        inside = set(members)
        direct = {m: self.beaten.get(m, set()) & inside for m in members}
        reach: dict[int, set[int]] = {}
        for start in members:
            seen: set[int] = set()
            stack = list(direct[start])
            while stack:
                node = stack.pop()
                if node not in seen:
                    seen.add(node)
                    stack.extend(direct[node] - seen)
            reach[start] = seen - {start}
        return reach

    def best_order(self, members: Sequence[int]) -> list[int]:
        """An order that honours every recorded preference; ties broken by the known order
        (`KNOWN_ORDERS`) that agrees best with the preferences seen."""
        rank = self._likeliest_order(members)
        remaining = sorted(members, key=lambda s: rank.get(s, 1 << 20))
        inside = set(members)
        order = []
        while remaining:
            beaten_by_others = set().union(*(self.beaten.get(m, set()) & inside for m in remaining))
            sources = [m for m in remaining if m not in beaten_by_others] or remaining
            order.append(sources[0])  # an inconsistent server (a cycle): the known order
            remaining.remove(sources[0])
            inside.discard(sources[0])
        return order

    def _likeliest_order(self, members: Sequence[int]) -> Mapping[int, int]:
        inside = set(members)
        seen = [(a, b) for a in inside for b in self.beaten.get(a, set()) & inside]

        def agreement(rank: Mapping[int, int]) -> int:
            return sum(rank.get(a, 1 << 20) < rank.get(b, 1 << 20) for a, b in seen)

        return max(KNOWN_ORDERS, key=agreement)  # the first (OpenSSL's) on a tie


def _leading_confirmed(order: Sequence[int], reach: Mapping[int, set[int]]) -> int:
    """How many suites at the head of `order` are known to beat every suite after them."""
    for position, suite in enumerate(order):
        if not reach[suite] >= set(order[position + 1 :]):
            return position
    return len(order)


def _order_checks(
    rest: Sequence[int], reach: Mapping[int, set[int]], window: int
) -> list[list[int]]:
    """The hellos that check a guessed order `rest`: at most `window` offers.

    When few pairs are unordered, one per pair; else the head (all of `rest`: its answer is
    the next suite for certain), then each neighbour pair of unknown order, offering the
    suites from it on (a right guess is then settled whole).
    """
    unordered = [
        [a, b]
        for i, a in enumerate(rest)
        for b in rest[i + 1 :]
        if b not in reach[a] and a not in reach[b]
    ]
    if len(unordered) <= window:
        return unordered
    gaps = [0, *(j for j in range(1, len(rest) - 1) if rest[j + 1] not in reach[rest[j]])]
    return [list(rest[j:]) for j in gaps[:window]]


def _chunks(items: Sequence[int], size: int, *, interleaved: bool = True) -> list[list[int]]:
    """Chunks of about `size` items. Interleaved: neighbours in OpenSSL's order, which a
    server often accepts all together, land in different chunks, eliminated in parallel."""
    count = max(1, -(-len(items) // size))
    if interleaved:
        return [list(items[start::count]) for start in range(count) if items[start::count]]
    step = -(-len(items) // count)
    return [list(items[start : start + step]) for start in range(0, len(items), step)]


class _Enumeration:
    """One endpoint's enumeration: the probes, what they found, the connections made."""

    def __init__(self, endpoint: TlsEndpoint, timeout: float, max_parallel: int) -> None:
        self.endpoint = endpoint
        self.max_parallel = max_parallel
        self.connections = _Connections(endpoint, timeout, asyncio.Semaphore(max_parallel))
        self.first_answers: list[_Answer] = []
        self.dh_bits: int | None = None

    # -- probes

    async def probe(
        self,
        version: int,
        suites: Sequence[int],
        *,
        groups: Sequence[int] = ALL_GROUPS,
        key_exchange: bool = True,
        connection: Awaitable[_Connection] | None = None,
    ) -> _Answer:
        hello = client_hello(version, suites, server_name=self.endpoint.server_name, groups=groups)

        async def read(reader: asyncio.StreamReader) -> _Answer:
            answer = await read_server_hello(reader, key_exchange=key_exchange)
            return _Answer(refusal=answer) if isinstance(answer, str) else _Answer(hello=answer)

        return await self.connections.exchange(hello, read, connection=connection)

    async def probe_sslv2(self) -> _Answer:
        async def read(reader: asyncio.StreamReader) -> _Answer:
            answer = await read_sslv2_server_hello(reader)
            if isinstance(answer, str):
                return _Answer(refusal=answer)
            return _Answer(ssl2_specs=answer) if answer else _Answer(refusal="no cipher spec")

        return await self.connections.exchange(
            sslv2_client_hello([spec for spec, _ in SSL2_SUITES]), read
        )

    def chosen(self, answer: _Answer, version: int, offered: Sequence[int]) -> int | None:
        """The suite the server chose, if it took `version` and one of the suites offered."""
        hello = answer.hello
        if hello is None or hello.version != version or hello.suite not in offered:
            return None
        if hello.dh_bits is not None and self.dh_bits is None:
            self.dh_bits = hello.dh_bits
        return hello.suite

    # -- the plan

    async def run(self) -> TlsEnumeration:
        first_rounds = {v: asyncio.ensure_future(self.first_round(v)) for v in VERSION_FLAGS}
        try:
            ssl2, found, groups = await asyncio.gather(
                self.ssl2(),
                asyncio.gather(*(self.version(v, first_rounds[v]) for v in VERSION_FLAGS)),
                self.groups(first_rounds),
            )
        finally:
            for task in first_rounds.values():
                task.cancel()
        versions: dict[str, tuple[str, ...]] = {}
        enforced: dict[str, bool | None] = {}
        if ssl2:
            versions["SSLv2"], enforced["SSLv2"] = tuple(SSL2_NAMES[s] for s in ssl2), None
        for version, (suites, order) in zip(VERSION_FLAGS, found, strict=True):
            if suites:
                name = VERSION_NAMES[version]
                versions[name] = tuple(SUITE_NAMES[s] for s in suites)
                enforced[name] = order
        error, kind = (None, None) if versions else self.why_no_handshake()
        return TlsEnumeration(
            endpoint=self.endpoint,
            error=error,
            error_kind=kind,
            versions={name: versions[name] for name in TLS_VERSIONS if name in versions},
            server_enforces_order={n: enforced[n] for n in TLS_VERSIONS if n in enforced},
            groups=tuple(GROUP_NAMES[g] for g in groups) if versions else (),
            dh_bits=self.dh_bits if versions else None,
            connections=self.connections.count,
        )

    async def ssl2(self) -> list[int]:
        answer = await self.probe_sslv2()
        self.first_answers.append(answer)
        return [spec for spec in answer.ssl2_specs if spec in SSL2_NAMES]

    async def first_round(self, version: int) -> tuple[_Answer, _Answer]:
        """Every suite of `version` offered twice, in opposite orders."""
        forward, backward = both_ways(suite_candidates(version))
        answers = await asyncio.gather(self.probe(version, forward), self.probe(version, backward))
        self.first_answers.extend(answers)
        return answers[0], answers[1]

    async def version(
        self, version: int, first_round: Awaitable[tuple[_Answer, _Answer]]
    ) -> tuple[list[int], bool | None]:
        """The suites `version` accepts, in the server's order if it enforces one; and whether."""
        candidates = offer_order(suite_candidates(version))
        forward, backward = await first_round
        first = [self.chosen(answer, version, candidates) for answer in (forward, backward)]
        known = list(dict.fromkeys(s for s in first if s is not None))
        if not known:
            return [], None
        relations = _Relations()
        for suite in known:
            relations.record(suite, candidates)
        rest = [s for s in candidates if s not in known]
        # a server that seems to enforce its order: runs of OpenSSL's order, which most
        # servers keep, come back ordered from one chain, leaving few pairs to check
        ordered_runs = len(known) == 1 and None not in first
        chunks = await asyncio.gather(
            *(
                self.eliminate(version, chunk, relations)
                for chunk in _chunks(rest, _SUITE_CHUNK, interleaved=not ordered_runs)
            )
        )
        accepted = known + [suite for chunk in chunks for suite in chunk]
        if len(accepted) == 1:
            return accepted, None
        if None in first:  # one first-round probe failed: ask again, on the accepted suites
            first = await self.choices_both_ways(version, accepted)
        if first[0] != first[1]:
            return offer_order(accepted), False
        return await self.server_order(version, accepted, relations), True

    async def eliminate(
        self, version: int, offer: Sequence[int], relations: _Relations
    ) -> list[int]:
        """The suites of `offer` the server accepts: offer, remove its choice, repeat."""

        async def choose(remaining: list[int], connection: _Pending) -> int | None:
            answer = await self.probe(version, remaining, connection=connection)
            chosen = self.chosen(answer, version, remaining)
            if chosen is not None:
                relations.record(chosen, remaining)
            return chosen

        return await _eliminate(offer, choose, self.connections)

    async def choices_both_ways(self, version: int, suites: Sequence[int]) -> list[int | None]:
        answers = await asyncio.gather(
            *(self.probe(version, offer, key_exchange=False) for offer in both_ways(suites))
        )
        return [self.chosen(answer, version, suites) for answer in answers]

    async def server_order(
        self, version: int, accepted: Sequence[int], relations: _Relations
    ) -> list[int]:
        """The server's order of `accepted`: known from the top down, guessed ahead.

        Each round guesses the order of the suites not yet placed (honouring every
        preference seen, OpenSSL's order breaking ties) and checks the guess with one hello
        per position, all at once: the suites from that position on. The first check offers
        all unplaced suites, so its answer is the next suite for certain; every later check
        whose answer matches the guess places one more. When few pairs are left unordered,
        a two-suite hello per pair settles them all in one round. At least one suite is
        placed per round; a right guess (a server keeping OpenSSL's order) places all in
        one. The window of checks shrinks when guesses miss, so a server with an unusual
        order costs about one hello per suite.
        """
        placed: list[int] = []
        rest = list(accepted)
        window = self.max_parallel
        spare: asyncio.Task[_Connection] | None = None
        try:
            for _ in range(2 * len(accepted)):
                guess = relations.best_order(rest)
                reach = relations.closure(guess)
                lead = _leading_confirmed(guess, reach)
                placed += guess[:lead]
                rest = guess[lead:]
                if len(rest) <= 1:
                    break
                offers = _order_checks(rest, reach, window)
                # guesses missing: the next round will come, so open its first connection now
                first, spare = (
                    spare,
                    (self.connections.prefetch() if window < self.max_parallel else None),
                )
                answers = await asyncio.gather(
                    *(
                        self.probe(
                            version,
                            offer_order(offer),
                            key_exchange=False,
                            connection=first if number == 0 else None,
                        )
                        for number, offer in enumerate(offers)
                    )
                )
                for offer, answer in zip(offers, answers, strict=True):
                    chosen = self.chosen(answer, version, offer)
                    if chosen is not None:
                        relations.record(chosen, offer)
                guess = relations.best_order(rest)
                hits = _leading_confirmed(guess, relations.closure(guess))
                window = max(1, min(self.max_parallel, 2 * hits))
        finally:
            await _discard(spare)
        return placed + relations.best_order(rest)

    async def groups(
        self, first_rounds: Mapping[int, Awaitable[tuple[_Answer, _Answer]]]
    ) -> list[int]:
        """TLS 1.3 groups if TLS 1.3 is accepted, else the highest version's ECDHE curves."""
        for version in (TLS13, TLS12, TLS11, TLS10, SSL3):
            forward, backward = await first_rounds[version]
            candidates = suite_candidates(version)
            if not any(self.chosen(a, version, candidates) for a in (forward, backward)):
                continue
            if version == TLS13:
                return await self.tls13_groups(forward, candidates)
            return await self.ec_curves(version)
        return []

    async def tls13_groups(self, first: _Answer, suites: Sequence[int]) -> list[int]:
        group = first.hello.group if first.hello is not None else None
        known = [group] if group is not None and group in GROUP_NAMES else []
        rest = [g for g in ALL_GROUPS if g not in known]

        async def chosen(offer: Sequence[int], connection: _Pending = None) -> int | None:
            answer = await self.probe(TLS13, suites, groups=offer, connection=connection)
            hello = answer.hello
            return hello.group if hello is not None and hello.version == TLS13 else None

        found = await asyncio.gather(
            *(_eliminate(chunk, chosen, self.connections) for chunk in _chunks(rest, _GROUP_CHUNK))
        )
        return known + [group for chunk in found for group in chunk]

    async def ec_curves(self, version: int) -> list[int]:
        ecdhe = [s for s in offer_order(suite_candidates(version)) if is_ecdhe(s)]

        async def chosen(offer: Sequence[int], connection: _Pending = None) -> int | None:
            answer = await self.probe(version, ecdhe, groups=offer, connection=connection)
            return (
                answer.hello.group if self.chosen(answer, version, ecdhe) and answer.hello else None
            )

        first = await chosen(ALL_EC_CURVES)
        if first is None:  # no ECDHE suite accepted
            return []
        rest = [c for c in ALL_EC_CURVES if c != first]
        found = await asyncio.gather(
            *(_eliminate(chunk, chosen, self.connections) for chunk in _chunks(rest, _GROUP_CHUNK))
        )
        return [first] + [curve for chunk in found for curve in chunk]

    def why_no_handshake(self) -> tuple[str, str]:
        """The error of an endpoint where no probe got a ServerHello: the most telling one."""
        where = _where(self.endpoint)
        answers = self.first_answers
        alerts = Counter(a.refusal for a in answers if a.refusal and a.refusal.startswith("alert"))
        if alerts or any(a.hello for a in answers):
            reason = f" ({alerts.most_common(1)[0][0]})" if alerts else ""
            return (f"{where} accepted none of the TLS versions and cipher suites offered{reason}",
                    "other")  # fmt: skip
        failures = [a.failure for a in answers if a.failure is not None]
        if failures:
            kind, _ = Counter(f.kind for f in failures).most_common(1)[0]
            return next(f.message for f in failures if f.kind == kind), kind
        return f"{where} closed the connection without answering the TLS hello", "reset"


async def _eliminate(
    offer: Sequence[int],
    choose: Callable[[list[int], _Pending], Awaitable[int | None]],
    connections: _Connections,
) -> list[int]:
    """Offer, remove the server's choice, repeat until it refuses: k accepted, k + 1 hellos.

    Once a chain has found something it will likely go on, so from then on the next
    connection is opened while the current hello is out: one round trip saved per step,
    for one connection left unused at the end.
    """
    remaining, found = list(offer), list[int]()
    spare: asyncio.Task[_Connection] | None = None
    try:
        while remaining:
            prefetch = len(found) >= _PREFETCH_AFTER
            current, spare = spare, (connections.prefetch() if prefetch else None)
            chosen = await choose(remaining, current)
            if chosen is None or chosen not in remaining:
                break
            found.append(chosen)
            remaining.remove(chosen)
    finally:
        await _discard(spare)
    return found
