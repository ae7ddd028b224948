"""Encrypted DNS to one chosen address: DNS over TLS (RFC 7858) and DNS over HTTPS (RFC 8484).

    exchange = await query_dot("192.0.2.53", make_probe_query(), ca_file=None, verify=True,
                               timeout=5)
    exchange = await query_doh("192.0.2.53", make_probe_query(for_doh=True), path="/dns-query",
                               method="POST", ca_file=None, timeout=5)

Besides the answer, each exchange keeps what DNS-privacy monitoring tools look at: the TLS
version and cipher, the server's certificate (`CertificateFacts`), and the EDNS(0) options of
the reply — padding (RFC 7830, RFC 8467) and TCP keepalive (RFC 7828).

Trust: `verify=True` checks the certificate chain against certifi's CAs, the system's and
`ca_file`, during the handshake. The name or address the certificate is valid for is *not*
checked by the TLS library: `CertificateFacts.valid_for` answers that afterwards, so one
connection tells both whether the chain is trusted and which identities it covers (a
resolver's address, or a name a client may be configured with). `verify=False` accepts any
certificate, to learn what an opportunistic client would get from a server whose
certificate does not verify.

Bounds: `timeout` covers the whole exchange (connect, handshake, query and answer); replies
are read up to 65,535 bytes (the largest DNS message).

Errors: a failure before there is a TLS session raises `TransportError`, whose `kind`
(`TransportErrorKind`) says what went wrong: timeout, refused, unreachable, certificate (the
chain did not verify), tls (any other handshake failure: not TLS, no common version), protocol
(not DNS, or broken HTTP), other. A failure after the handshake is kept in the exchange
(`DotExchange.failure`), with the session's facts, because those still describe the server.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import ssl
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import certifi
import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.rcode
import httpx
from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from netready.net.errors import UNREACHABLE_ERRNOS

__all__ = [
    "DNS_MESSAGE_TYPE",
    "DOT_PORT",
    "CertificateFacts",
    "DnsReply",
    "DohExchange",
    "DotExchange",
    "TlsFacts",
    "TransportError",
    "TransportErrorKind",
    "describe_certificate",
    "make_probe_query",
    "query_doh",
    "query_dot",
]

DOT_PORT = 853
DNS_MESSAGE_TYPE = "application/dns-message"
#: RFC 8467's recommended block size for queries: the client pads its query to a multiple.
QUERY_PADDING_BLOCK = 128
_MAX_DNS_MESSAGE = 65_535
_EDNS_PAYLOAD = 1232


class TransportErrorKind(StrEnum):
    TIMEOUT = "timeout"  # no complete exchange within the time limit
    REFUSED = "refused"  # nothing listens on the port (connection refused)
    UNREACHABLE = "unreachable"  # no route to the address
    CERTIFICATE = "certificate"  # the certificate chain did not verify
    TLS = "tls"  # any other handshake failure: not TLS, no common protocol version, ...
    PROTOCOL = "protocol"  # the server did not speak DNS (or HTTP) properly
    OTHER = "other"


class TransportError(Exception):
    """An exchange that got no TLS session (or no HTTP response); `kind` says why.

    `message` is a sentence naming the server; `reason` the bare cause where one is known
    (for a certificate: OpenSSL's verdict, such as "self-signed certificate").
    """

    def __init__(self, kind: TransportErrorKind, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.reason = reason or message


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """The server certificate, as far as a DNS-privacy check needs it.

    Attributes:
        subject, issuer: distinguished names (RFC 4514 strings).
        dns_names, ip_addresses: the subjectAltName entries (addresses in compressed form).
        not_before, not_after: the validity period (aware UTC datetimes).
    """

    subject: str
    issuer: str
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    not_before: datetime
    not_after: datetime

    def valid_for(self, identity: str) -> bool:
        """Whether the certificate names `identity`: an IP address or a DNS name.

        Follows what clients do today (RFC 6125, RFC 8310): only subjectAltName counts, a
        wildcard stands for exactly one whole left-most label, and an address must be an
        IP address entry (never a DNS name that looks like one).
        """
        try:
            address = ipaddress.ip_address(identity)
        except ValueError:
            return any(_name_matches(pattern, identity) for pattern in self.dns_names)
        return any(ipaddress.ip_address(entry) == address for entry in self.ip_addresses)


@dataclass(frozen=True, slots=True)
class TlsFacts:
    """The TLS session: version (e.g. "TLSv1.3"), cipher suite, ALPN protocol, whether the
    chain was verified during the handshake, and the server's certificate."""

    version: str
    cipher: str
    alpn: str | None
    verified: bool
    certificate: CertificateFacts | None


@dataclass(frozen=True, slots=True)
class DnsReply:
    """A DNS reply: its rcode ("NOERROR"), AD flag, answer records in presentation form,
    wire size, and the EDNS options privacy tools look at.

    `padding` is the length of the EDNS padding option (None: no padding); `keepalive` the
    idle timeout the server offered in units of 100 ms (None: not offered; 0: offered with
    no timeout value).
    """

    rcode: str
    authenticated: bool
    answers: tuple[str, ...]
    size: int
    padding: int | None
    keepalive: int | None


@dataclass(frozen=True, slots=True)
class DotExchange:
    """One DNS-over-TLS query. `reply` is None when the session was made but no valid answer
    came; `failure` then says why."""

    address: str
    port: int
    tls: TlsFacts
    reply: DnsReply | None
    failure: TransportError | None
    elapsed: float


@dataclass(frozen=True, slots=True)
class DohExchange:
    """One DNS-over-HTTPS request that got an HTTP response.

    `reply` is the DNS reply when the response was a 200 with a DNS message; otherwise None
    and `problem` says what was wrong (status, content type, an unparseable body).
    """

    url: str
    address: str
    method: str
    status: int
    content_type: str
    http_version: str
    tls: TlsFacts | None
    reply: DnsReply | None
    problem: str | None
    elapsed: float


def make_probe_query(*, for_doh: bool = False) -> dns.message.QueryMessage:
    """The query sent over an encrypted transport: `. NS`, which every resolver can answer.

    It is padded (RFC 8467: a server pads its reply only when the query was padded) and,
    over TLS, asks for the TCP keepalive option (RFC 7828: a server offers it only when
    asked). Over HTTPS the keepalive option does not apply (RFC 8484 §5.3) and the ID is 0
    (RFC 8484 §4.1: cache friendly).
    """
    options: list[dns.edns.Option] = []
    if not for_doh:
        options.append(dns.edns.GenericOption(dns.edns.OptionType.KEEPALIVE, b""))
    return dns.message.make_query(
        ".",
        "NS",
        use_edns=0,
        payload=_EDNS_PAYLOAD,
        options=options,
        pad=QUERY_PADDING_BLOCK,
        id=0 if for_doh else None,
    )


# --- DNS over TLS ---------------------------------------------------------------------------


async def query_dot(
    address: str,
    query: dns.message.Message,
    *,
    ca_file: Path | None,
    verify: bool,
    timeout: float,
    port: int = DOT_PORT,
) -> DotExchange:
    """Send `query` over TLS to `address`:`port`; raise `TransportError` if no session is made."""
    ipaddress.ip_address(address)  # a ValueError here names the bad address
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = started + timeout
    reader, writer = await _connect(address, port, deadline, timeout)
    try:
        await _start_tls(writer, address, port, ca_file, verify, deadline, timeout)
        tls = _tls_facts(writer.get_extra_info("ssl_object"), verified=verify)
        reply, failure = await _dot_exchange(reader, writer, query, address, deadline, timeout)
    finally:
        writer.transport.abort()  # no TLS close_notify dance: the answer is in, or never comes
    return DotExchange(address, port, tls, reply, failure, loop.time() - started)


async def _connect(
    address: str, port: int, deadline: float, timeout: float
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    try:
        async with asyncio.timeout_at(deadline):
            reader, writer = await asyncio.open_connection(address, port)
    except TimeoutError:
        raise TransportError(
            TransportErrorKind.TIMEOUT,
            f"no TCP connection to {_where(address, port)} within {timeout:g} s",
        ) from None
    except OSError as error:
        raise _os_error(error, address, port) from None
    return reader, writer


async def _start_tls(
    writer: asyncio.StreamWriter,
    address: str,
    port: int,
    ca_file: Path | None,
    verify: bool,
    deadline: float,
    timeout: float,
) -> None:
    # the handshake gets its own error text: a port that accepts TCP and never speaks TLS is
    # the case this distinguishes from a host that does not answer at all
    try:
        async with asyncio.timeout_at(deadline):
            await writer.start_tls(_dot_context(ca_file, verify))
    except TimeoutError:
        raise TransportError(
            TransportErrorKind.TIMEOUT,
            f"{_where(address, port)} accepted the connection, but the TLS handshake did "
            f"not finish within {timeout:g} s",
        ) from None
    except ssl.SSLCertVerificationError as error:
        reason = str(error.verify_message or error)
        raise TransportError(
            TransportErrorKind.CERTIFICATE,
            f"the certificate of {_where(address, port)} did not verify: {reason}",
            reason=reason,
        ) from None
    except ssl.SSLError as error:
        raise TransportError(
            TransportErrorKind.TLS,
            f"TLS handshake with {_where(address, port)} failed: {error.reason or error}",
        ) from None
    except (OSError, EOFError) as error:  # reset or closed during the handshake
        raise TransportError(
            TransportErrorKind.TLS,
            f"{_where(address, port)} closed the connection during the TLS handshake "
            f"({_describe(error)})",
        ) from None


async def _dot_exchange(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    query: dns.message.Message,
    address: str,
    deadline: float,
    timeout: float,
) -> tuple[DnsReply | None, TransportError | None]:
    """Send the query (RFC 7858 framing: a two-byte length, then the message); read the reply."""
    wire = query.to_wire()
    try:
        async with asyncio.timeout_at(deadline):
            writer.write(struct.pack("!H", len(wire)) + wire)
            await writer.drain()
            (length,) = struct.unpack("!H", await reader.readexactly(2))
            data = await reader.readexactly(length)
    except TimeoutError:
        return None, TransportError(
            TransportErrorKind.TIMEOUT,
            f"the TLS session with {address} was made, but no DNS answer came within {timeout:g} s",
        )
    except (OSError, asyncio.IncompleteReadError) as error:
        return None, TransportError(
            TransportErrorKind.PROTOCOL,
            f"{address} closed the TLS session without a DNS answer ({_describe(error)})",
        )
    try:
        return _dns_reply(query, data), None
    except _NotAReplyError as error:
        return None, TransportError(TransportErrorKind.PROTOCOL, f"{address}: {error}")


# --- DNS over HTTPS -------------------------------------------------------------------------


async def query_doh(
    address: str,
    query: dns.message.Message,
    *,
    path: str,
    method: str,
    ca_file: Path | None,
    timeout: float,
) -> DohExchange:
    """Send `query` to https://`address``path` with GET (?dns=) or POST (RFC 8484).

    The certificate chain must verify (certifi, system, `ca_file`); which identities the
    certificate covers is left to `CertificateFacts.valid_for`. HTTP/2 and HTTP/1.1 are
    offered. Raises `TransportError` when there is no HTTP response.
    """
    url = _doh_url(address, path)
    wire = query.to_wire()
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            return await _doh_request(url, address, method, wire, query, ca_file, timeout)
    except TimeoutError:
        raise TransportError(
            TransportErrorKind.TIMEOUT,
            f"no complete DNS-over-HTTPS answer from {address} within {timeout:g} s "
            f"(gave up after {time.monotonic() - started:.1f} s)",
        ) from None
    except httpx.HTTPError as error:
        raise _classify_http_error(error, address) from None
    except ImportError as error:  # httpx without its HTTP/2 extra (the h2 package)
        raise TransportError(
            TransportErrorKind.OTHER, f"cannot speak HTTP/2 to {address}: {error}"
        ) from None


def _doh_url(address: str, path: str) -> str:
    parsed = ipaddress.ip_address(address)
    host = f"[{parsed.compressed}]" if parsed.version == 6 else parsed.compressed
    return f"https://{host}/{path.lstrip('/')}"


async def _doh_request(
    url: str,
    address: str,
    method: str,
    wire: bytes,
    query: dns.message.Message,
    ca_file: Path | None,
    timeout: float,
) -> DohExchange:
    started = time.monotonic()
    # trust_env=False: a proxy from the environment would send the query somewhere else
    async with httpx.AsyncClient(
        verify=_doh_context(ca_file), http2=True, trust_env=False, timeout=timeout
    ) as client:
        request = _doh_request_of(client, method, url, wire)
        response = await client.send(request, stream=True)
        try:
            tls = _tls_facts(_ssl_object_of(response), verified=True)
            body = await _read_limited(response)
        finally:
            await response.aclose()
    content_type = response.headers.get("content-type", "")
    reply, problem = _doh_reply(query, response.status_code, content_type, body)
    return DohExchange(
        url=url,
        address=address,
        method=method,
        status=response.status_code,
        content_type=content_type,
        http_version=response.http_version,
        tls=tls,
        reply=reply,
        problem=problem,
        elapsed=time.monotonic() - started,
    )


def _doh_request_of(client: httpx.AsyncClient, method: str, url: str, wire: bytes) -> httpx.Request:
    headers = {"Accept": DNS_MESSAGE_TYPE, "User-Agent": "netready"}
    if method == "GET":
        # RFC 8484 §4.1: base64url without padding in the `dns` parameter
        encoded = base64.urlsafe_b64encode(wire).rstrip(b"=").decode("ascii")
        return client.build_request("GET", url, headers=headers, params={"dns": encoded})
    if method == "POST":
        headers["Content-Type"] = DNS_MESSAGE_TYPE
        return client.build_request("POST", url, headers=headers, content=wire)
    raise ValueError(f"DNS over HTTPS uses GET or POST, not {method!r}")


def _ssl_object_of(response: httpx.Response) -> ssl.SSLObject | ssl.SSLSocket | None:
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    return ssl_object if isinstance(ssl_object, ssl.SSLObject | ssl.SSLSocket) else None


async def _read_limited(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        chunks.append(chunk)
        size += len(chunk)
        if size > _MAX_DNS_MESSAGE:  # no DNS message is longer: stop reading
            break
    return b"".join(chunks)[: _MAX_DNS_MESSAGE + 1]


def _doh_reply(
    query: dns.message.Message, status: int, content_type: str, body: bytes
) -> tuple[DnsReply | None, str | None]:
    if status != 200:
        return None, f"HTTP status {status}"
    media_type = content_type.split(";")[0].strip().lower()
    if media_type != DNS_MESSAGE_TYPE:
        return None, f"the response is {media_type or 'untyped'}, not {DNS_MESSAGE_TYPE}"
    if len(body) > _MAX_DNS_MESSAGE:
        return None, "the response is larger than any DNS message"
    try:
        return _dns_reply(query, body), None
    except _NotAReplyError as error:
        return None, str(error)


def _classify_http_error(error: httpx.HTTPError, address: str) -> TransportError:
    causes = list(_cause_chain(error))
    detail = _describe(error)
    if isinstance(error, httpx.TimeoutException):
        return TransportError(TransportErrorKind.TIMEOUT, f"timed out talking to {address}")
    verify_error = next((c for c in causes if isinstance(c, ssl.SSLCertVerificationError)), None)
    if verify_error is not None:
        reason = str(verify_error.verify_message or verify_error)
        return TransportError(
            TransportErrorKind.CERTIFICATE,
            f"the HTTPS certificate of {address} did not verify: {reason}",
            reason=reason,
        )
    if any(isinstance(cause, ssl.SSLError) for cause in causes):
        return TransportError(TransportErrorKind.TLS, f"TLS with {address}:443 failed: {detail}")
    # the OS error sits deep in the chain, under anyio's "All connection attempts failed"
    os_errors = [cause for cause in causes if isinstance(cause, OSError) and cause.errno]
    if os_errors:
        return _os_error(os_errors[-1], address, 443)
    if isinstance(error, httpx.RemoteProtocolError | httpx.LocalProtocolError):
        return TransportError(TransportErrorKind.PROTOCOL, f"{address} broke HTTP: {detail}")
    return TransportError(TransportErrorKind.OTHER, f"request to {address} failed: {detail}")


# --- shared: contexts, replies, certificates, errors -----------------------------------------


@lru_cache(maxsize=8)
def _dot_context(ca_file: Path | None, verify: bool) -> ssl.SSLContext:
    context = _trust_context(ca_file) if verify else _accept_any_context()
    context.set_alpn_protocols(["dot"])  # RFC 7858's registered ALPN id
    return context


@lru_cache(maxsize=8)
def _doh_context(ca_file: Path | None) -> ssl.SSLContext:
    # a context of its own: httpcore sets its ALPN list (h2, http/1.1) on the context it gets
    return _trust_context(ca_file)


def _trust_context(ca_file: Path | None) -> ssl.SSLContext:
    """certifi's CAs, the system's and `ca_file`; the chain is checked, the name is not here."""
    context = ssl.create_default_context(cafile=certifi.where())
    context.load_default_certs()
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    # identities are matched by CertificateFacts.valid_for, so that one connection can tell
    # "trusted, but valid only for other names" apart from "not trusted"
    context.check_hostname = False
    return context


def _accept_any_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _tls_facts(ssl_object: ssl.SSLObject | ssl.SSLSocket | None, *, verified: bool) -> TlsFacts:
    if ssl_object is None:
        return TlsFacts("unknown", "unknown", None, verified, None)
    der = ssl_object.getpeercert(binary_form=True)
    cipher = ssl_object.cipher()
    return TlsFacts(
        version=ssl_object.version() or "unknown",
        cipher=cipher[0] if cipher else "unknown",
        alpn=ssl_object.selected_alpn_protocol(),
        verified=verified,
        certificate=describe_certificate(der) if der else None,
    )


def describe_certificate(der: bytes) -> CertificateFacts | None:
    """The facts of a DER certificate; None if it cannot be parsed."""
    try:
        certificate = x509.load_der_x509_certificate(der)
        subject = certificate.subject.rfc4514_string()
        issuer = certificate.issuer.rfc4514_string()
    except ValueError:
        return None
    dns_names: list[str] = []
    ip_addresses: list[str] = []
    try:
        san = certificate.extensions.get_extension_for_oid(
            ExtensionOID.SUBJECT_ALTERNATIVE_NAME
        ).value
    except (x509.ExtensionNotFound, ValueError):
        san = None
    if isinstance(san, x509.SubjectAlternativeName):
        dns_names = [name.lower().rstrip(".") for name in san.get_values_for_type(x509.DNSName)]
        ip_addresses = [address.compressed for address in san.get_values_for_type(x509.IPAddress)]
    return CertificateFacts(
        subject=subject,
        issuer=issuer,
        dns_names=tuple(dns_names),
        ip_addresses=tuple(ip_addresses),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def _name_matches(pattern: str, name: str) -> bool:
    pattern_labels = pattern.lower().rstrip(".").split(".")
    name_labels = name.lower().rstrip(".").split(".")
    if len(pattern_labels) != len(name_labels):
        return False
    first, *rest = pattern_labels
    # a wildcard only as the whole left-most label, and never for a bare two-label suffix
    if first == "*" and len(rest) >= 2:
        return rest == name_labels[1:] and bool(name_labels[0])
    return pattern_labels == name_labels


class _NotAReplyError(ValueError):
    """Bytes that are not a DNS reply to the query sent."""


def _dns_reply(query: dns.message.Message, data: bytes) -> DnsReply:
    try:
        reply = dns.message.from_wire(data)
    except dns.exception.DNSException as error:
        raise _NotAReplyError(f"the answer is not a DNS message ({error})") from None
    # DoH queries carry ID 0, so the ID alone proves little; is_response checks the question
    if not query.is_response(reply):
        raise _NotAReplyError("the answer does not match the query")
    padding = keepalive = None
    for option in reply.options:
        data_bytes = option.to_generic().data
        if option.otype == dns.edns.OptionType.PADDING:
            padding = len(data_bytes)
        elif option.otype == dns.edns.OptionType.KEEPALIVE:
            keepalive = int.from_bytes(data_bytes[:2], "big") if len(data_bytes) >= 2 else 0
    answers = tuple(
        f"{rrset.name} {rrset.rdtype.name} {rdata.to_text()}"
        for rrset in reply.answer
        for rdata in rrset
    )
    return DnsReply(
        rcode=dns.rcode.to_text(reply.rcode()),
        authenticated=bool(reply.flags & dns.flags.AD),
        answers=answers,
        size=len(data),
        padding=padding,
        keepalive=keepalive,
    )


def _os_error(error: OSError, address: str, port: int) -> TransportError:
    where = _where(address, port)
    if isinstance(error, ConnectionRefusedError):
        return TransportError(TransportErrorKind.REFUSED, f"{where} refused the connection")
    if error.errno in UNREACHABLE_ERRNOS:
        return TransportError(
            TransportErrorKind.UNREACHABLE, f"{where} is unreachable ({_describe(error)})"
        )
    return TransportError(TransportErrorKind.OTHER, f"connecting to {where} failed: {error}")


def _where(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _cause_chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _describe(error: BaseException) -> str:
    """The most specific message in the chain (the OS or TLS error, not the wrapper)."""
    messages = [str(cause) for cause in _cause_chain(error) if str(cause)]
    return messages[-1] if messages else type(error).__name__
