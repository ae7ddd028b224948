"""sslyze's certificate and vulnerability tests for ONE endpoint, run in a TLS worker process.

    request = SslyzeRequest(address="2001:db8::10", port=443, server_name="www.example.org",
                            starttls="none", timeout=5.0, highest_version="TLSv1.3",
                            suites=("TLS_AES_128_GCM_SHA256",), ca_file=None)
    chain = await pool.run(fetch_certificate_chain, request, timeout=...)
    outcome = await pool.run(run_test, request, SslyzeTest.HEARTBLEED, timeout=...)

Every function here is top-level and blocking, takes and returns plain frozen dataclasses, and
never raises: a failure comes back as `SslyzeFailure`, so nothing sslyze-specific has to be
pickled across the process boundary. They are meant for `netready.net.tls_worker`, which keeps
them off the event loop and kills them on Stop.

Why not sslyze's `Scanner`: it takes its queue once, cannot be cancelled, and probes the
server again before any command runs. The endpoint's versions and suites are already known
(`netready.net.tls.enumerate_tls`), so the `ServerConnectivityInfo` sslyze's plugins need is
built from them (`SslyzeRequest`), and each plugin's job is called directly: one job, at most
one connection (ROBOT's job makes three runs of about six connections each, in parallel
threads as sslyze does; it runs only when RSA key exchange is accepted).
The server is always located by its address (``ServerNetworkLocation(..., ip_address=...)``):
an IPv6 endpoint is tested over IPv6, never over whichever family a lookup returns first.

The certificate chain comes from one handshake (with an OCSP status request) and is checked
here, in the worker, against the Mozilla root store sslyze ships and the user's CA file, with
`cryptography`'s path builder — at a moment within the leaf's validity, so that an expired
certificate still says whether its chain is trusted (expiry is its own verdict).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import warnings
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = [
    "CertificateFacts",
    "ChainFacts",
    "OcspFacts",
    "RootStore",
    "SslyzeFailure",
    "SslyzeOutcome",
    "SslyzeRequest",
    "SslyzeTest",
    "TrustFacts",
    "describe_certificate",
    "fetch_certificate_chain",
    "load_root_store",
    "run_test",
    "verify_chain",
]

MOZILLA_STORE_NAME = "Mozilla"
CA_FILE_STORE_NAME = "--ca-file"
#: sslyze's own default number of client-initiated renegotiations tried.
RENEGOTIATION_ATTEMPTS = 10


class SslyzeTest(StrEnum):
    """One sslyze job; what `SslyzeOutcome.positive` means for each is in its comment."""

    HEARTBLEED = "heartbleed"  # positive: vulnerable
    CCS_INJECTION = "ccs_injection"  # positive: vulnerable
    ROBOT = "robot"  # positive: an oracle was found (detail: sslyze's result name)
    SECURE_RENEGOTIATION = "secure_renegotiation"  # positive: RFC 5746 supported
    CLIENT_RENEGOTIATION = "client_renegotiation"  # positive: client renegotiation honoured
    COMPRESSION = "compression"  # positive: TLS compression enabled
    FALLBACK_SCSV = "fallback_scsv"  # positive: TLS_FALLBACK_SCSV honoured


@dataclass(frozen=True, slots=True)
class SslyzeRequest:
    """Where and how to reach one endpoint, and what it is known to accept.

    Attributes:
        address: the IP address to connect to.
        port: the TCP port.
        server_name: SNI and the name certificates are checked for; None for a bare address
            (then no SNI is sent).
        starttls: ``"none"``, ``"smtp"``, ``"imap"`` or ``"pop3"``.
        timeout: seconds for one connection (connect and each read).
        highest_version: the highest accepted version (``"TLSv1.3"``, ...).
        suites: the suites (IANA names) accepted at `highest_version`; the jobs offer all of
            them, so one that this side's OpenSSL lacks cannot sink a test.
        ca_file: an extra PEM bundle of trusted roots, or None.
        lower_versions: the other accepted versions, highest first.
    """

    address: str
    port: int
    server_name: str | None
    starttls: str
    timeout: float
    highest_version: str
    suites: tuple[str, ...]
    ca_file: str | None = None
    lower_versions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SslyzeFailure:
    """A test that could not be completed: `kind` is ``timeout``, ``refused``,
    ``unreachable``, ``rejected`` (TLS or STARTTLS refused), ``reset`` or ``other``."""

    test: str
    kind: str
    message: str


@dataclass(frozen=True, slots=True)
class SslyzeOutcome:
    """The result of one `SslyzeTest` (see its members for what `positive` means)."""

    test: SslyzeTest
    positive: bool
    detail: str = ""
    connections: int = 1


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """One certificate, reduced to what the verdicts read (times are timezone-aware UTC).

    `key_type` is ``RSA``, ``EC``, ``Ed25519``, ``Ed448``, ``DSA`` or ``other``; `key_bits`
    its size; `curve` the named curve of an EC key. `signature_hash` is the hash of the
    issuer's signature (``sha256``, ``sha1``, ``md5``, ...; None for EdDSA).
    """

    subject: str
    issuer: str
    serial: str
    sha256: str
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    common_names: tuple[str, ...]
    not_before: datetime.datetime
    not_after: datetime.datetime
    key_type: str
    key_bits: int
    curve: str | None
    signature_algorithm: str
    signature_hash: str | None
    is_ca: bool
    self_issued: bool
    must_staple: bool


@dataclass(frozen=True, slots=True)
class TrustFacts:
    """The outcome of building a path from the chain to a trusted root.

    Attributes:
        trusted: a path was found to a root of at least one store.
        stores: the stores that trust it (``Mozilla``, ``--ca-file``).
        path: subjects of the verified path, leaf first (empty when not trusted).
        errors: store -> why the path failed there (empty when trusted).
        checked_at: the moment the path was checked (inside the leaf's validity).
        issuer_missing: the chain ends in a certificate whose issuer was neither sent nor
            is a trusted root: the server does not send its intermediate certificate(s).
    """

    trusted: bool
    stores: tuple[str, ...]
    path: tuple[str, ...]
    errors: dict[str, str]
    checked_at: datetime.datetime
    issuer_missing: bool


@dataclass(frozen=True, slots=True)
class OcspFacts:
    """A stapled OCSP response: `status` is the response status (``successful``, ...),
    `certificate_status` ``good``/``revoked``/``unknown`` when successful; `trusted` whether
    it is signed by the chain's CA (None: not checked, e.g. the chain is not trusted)."""

    status: str
    certificate_status: str | None
    this_update: datetime.datetime | None
    next_update: datetime.datetime | None
    trusted: bool | None


@dataclass(frozen=True, slots=True)
class ChainFacts:
    """What one handshake showed of the server's certificates.

    `certificates` are as sent, leaf first; `ocsp` is the stapled response (None: none was
    stapled); `version` is the protocol version of that handshake.
    """

    certificates: tuple[CertificateFacts, ...]
    trust: TrustFacts
    ocsp: OcspFacts | None
    version: str
    server_name: str | None

    @property
    def leaf(self) -> CertificateFacts:
        return self.certificates[0]


# --- certificate parsing and path validation (pure, also used by unit tests) ---------------


def describe_certificate(pem: str) -> CertificateFacts:
    """Parse one PEM certificate into `CertificateFacts`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    key_type, key_bits, curve = _key_facts(certificate.public_key())
    der = certificate.public_bytes(serialization.Encoding.DER)
    hash_algorithm = certificate.signature_hash_algorithm
    return CertificateFacts(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial=format(certificate.serial_number, "x"),
        sha256=hashlib.sha256(der).hexdigest(),
        dns_names=_san(certificate, x509.DNSName),
        ip_addresses=tuple(str(a) for a in _san(certificate, x509.IPAddress)),
        common_names=tuple(
            str(attribute.value)
            for attribute in certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        ),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        key_type=key_type,
        key_bits=key_bits,
        curve=curve,
        signature_algorithm=_signature_name(certificate),
        signature_hash=hash_algorithm.name if hash_algorithm is not None else None,
        is_ca=_is_ca(certificate),
        self_issued=certificate.subject == certificate.issuer,
        must_staple=_must_staple(certificate),
    )


def _key_facts(key: Any) -> tuple[str, int, str | None]:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size, None
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.key_size, key.curve.name
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256, None
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456, None
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size, None
    return "other", 0, None


def _san(certificate: Any, kind: Any) -> tuple[Any, ...]:
    from cryptography import x509

    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return ()
    return tuple(extension.value.get_values_for_type(kind))


def _signature_name(certificate: Any) -> str:
    oid = certificate.signature_algorithm_oid
    return str(getattr(oid, "_name", None) or oid.dotted_string)


def _is_ca(certificate: Any) -> bool:
    from cryptography import x509

    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _must_staple(certificate: Any) -> bool:
    from cryptography import x509

    try:
        features = certificate.extensions.get_extension_for_class(x509.TLSFeature).value
    except x509.ExtensionNotFound:
        return False
    return x509.TLSFeatureType.status_request in features


@dataclass(frozen=True, slots=True)
class RootStore:
    """Trusted roots: a `cryptography` Store and the subjects of its roots (the Store
    hides its certificates; the subjects tell a missing intermediate from an unknown root)."""

    name: str
    store: Any
    subjects: frozenset[Any]


def load_root_store(name: str, pem: bytes) -> RootStore:
    """A `RootStore` of the PEM certificates in `pem`."""
    from cryptography import x509
    from cryptography.utils import CryptographyDeprecationWarning
    from cryptography.x509.verification import Store

    with warnings.catch_warnings():
        # a few long-lived roots in the Mozilla store have serial numbers RFC 5280 forbids
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        roots = x509.load_pem_x509_certificates(pem)
    return RootStore(name, Store(roots), frozenset(root.subject for root in roots))


def verify_chain(
    chain_pem: Sequence[str], stores: Sequence[RootStore], *, now: datetime.datetime
) -> TrustFacts:
    """Build a path from `chain_pem` (leaf first, as sent) to a root of one of `stores`.

    The path is checked for one of the leaf's own names (so a name mismatch is not a trust
    failure) at `now`, moved to the nearest moment at which the certificates sent are all
    valid when they are not (so expiry is not one either: each has its own verdict).
    """
    from cryptography import x509
    from cryptography.x509.verification import PolicyBuilder, VerificationError

    certificates = [x509.load_pem_x509_certificate(pem.encode("ascii")) for pem in chain_pem]
    leaf, intermediates = certificates[0], certificates[1:]
    checked_at = _check_time(certificates, now)
    subject = _own_subject(leaf)
    trusted_by: list[str] = []
    path: tuple[str, ...] = ()
    errors: dict[str, str] = {}
    for root_store in stores:
        if subject is None:
            errors[root_store.name] = "the certificate names no DNS name or IP address (no SAN)"
            continue
        builder = PolicyBuilder().store(root_store.store).time(checked_at)
        try:
            verified = builder.build_server_verifier(subject).verify(leaf, intermediates)
        except VerificationError as error:
            errors[root_store.name] = str(error)
            continue
        trusted_by.append(root_store.name)
        path = path or tuple(certificate.subject.rfc4514_string() for certificate in verified)
    return TrustFacts(
        trusted=bool(trusted_by),
        stores=tuple(trusted_by),
        path=path,
        errors={} if trusted_by else errors,
        checked_at=checked_at,
        issuer_missing=not trusted_by and _issuer_missing(certificates, stores),
    )


def _check_time(certificates: Sequence[Any], now: datetime.datetime) -> datetime.datetime:
    """`now`, or the nearest moment at which every certificate sent is valid (else the leaf)."""
    start: datetime.datetime = max(c.not_valid_before_utc for c in certificates)
    end: datetime.datetime = min(c.not_valid_after_utc for c in certificates)
    if start > end:  # the certificates sent were never valid together: judge the leaf's time
        start, end = certificates[0].not_valid_before_utc, certificates[0].not_valid_after_utc
    return min(max(now, start), end)


def _own_subject(leaf: Any) -> Any:
    """A name the leaf is issued for (its first DNS name, else its first IP address)."""
    from cryptography import x509

    names = _san(leaf, x509.DNSName)
    if names:
        return x509.DNSName(names[0].removeprefix("*."))
    addresses = _san(leaf, x509.IPAddress)
    if addresses:
        return x509.IPAddress(addresses[0])
    return None


def _issuer_missing(certificates: Sequence[Any], stores: Sequence[RootStore]) -> bool:
    """The last certificate sent is not self-issued and its issuer is nowhere to be found."""
    last = certificates[-1]
    if last.subject == last.issuer:
        return False
    sent = {certificate.subject for certificate in certificates}
    return last.issuer not in sent and not any(last.issuer in s.subjects for s in stores)


@functools.lru_cache(maxsize=8)
def _cached_store(name: str, path: str) -> RootStore:
    """Roots loaded once per worker process (a worker serves many endpoints)."""
    return load_root_store(name, Path(path).read_bytes())


def _mozilla_store_path() -> str:
    # sslyze's own path logic: it also knows where a frozen (PyInstaller) build keeps the file
    from sslyze.plugins.certificate_info.trust_stores.trust_store_repository import (
        TrustStoresRepository,
    )

    return str(TrustStoresRepository._DEFAULT_TRUST_STORES_PATH / "mozilla_nss.pem")


def _stores(ca_file: str | None) -> list[RootStore]:
    stores = [_cached_store(MOZILLA_STORE_NAME, _mozilla_store_path())]
    if ca_file:
        stores.append(_cached_store(CA_FILE_STORE_NAME, ca_file))
    return stores


# --- the jobs -------------------------------------------------------------------------------


def fetch_certificate_chain(request: SslyzeRequest) -> ChainFacts | SslyzeFailure:
    """One handshake with an OCSP status request; the chain parsed and checked."""
    test = "certificate"
    try:
        from nassl.ssl_client import ClientCertificateRequested

        server_info = _server_info(request)
        connection = server_info.get_preconfigured_tls_connection(
            should_enable_server_name_indication=request.server_name is not None
        )
        connection.ssl_client.set_tlsext_status_ocsp()
        try:
            with contextlib.suppress(ClientCertificateRequested):
                connection.connect(should_retry_connection=False)
            ocsp = connection.ssl_client.get_tlsext_status_ocsp_resp()
            chain_pem = list(connection.ssl_client.get_received_chain())
        finally:
            connection.close()
        if not chain_pem:
            return SslyzeFailure(test, "other", "the server sent no certificate")
        trust = verify_chain(
            chain_pem, _stores(request.ca_file), now=datetime.datetime.now(datetime.UTC)
        )
        return ChainFacts(
            certificates=tuple(describe_certificate(pem) for pem in chain_pem),
            trust=trust,
            ocsp=_ocsp_facts(ocsp, trust, request.ca_file),
            version=request.highest_version,
            server_name=request.server_name,
        )
    except Exception as error:  # never raise across the process boundary
        return _failure(test, error)


def run_test(request: SslyzeRequest, test: SslyzeTest) -> SslyzeOutcome | SslyzeFailure:
    """Run one sslyze job against the endpoint (see `SslyzeTest`)."""
    try:
        server_info = _server_info(request)
        return _RUNNERS[test](server_info)
    except Exception as error:  # never raise across the process boundary
        return _failure(test.value, error)


def _heartbleed(server_info: Any) -> SslyzeOutcome:
    from sslyze.plugins.heartbleed_plugin import _test_heartbleed

    return SslyzeOutcome(SslyzeTest.HEARTBLEED, bool(_test_heartbleed(server_info)))


def _ccs_injection(server_info: Any) -> SslyzeOutcome:
    from sslyze.plugins.openssl_ccs_injection_plugin import _test_for_ccs_injection

    return SslyzeOutcome(SslyzeTest.CCS_INJECTION, bool(_test_for_ccs_injection(server_info)))


def _robot(server_info: Any) -> SslyzeOutcome:
    from sslyze.plugins.robot._robot_tester import RobotScanResultEnum
    from sslyze.plugins.robot.implementation import RobotImplementation

    # sslyze runs the oracle test three times and compares; each run is one of its jobs, and
    # like sslyze the runs go in parallel threads (each run is ~6 connections in a row)
    jobs = RobotImplementation.scan_jobs_for_scan_command(server_info)
    with ThreadPoolExecutor(max_workers=len(jobs)) as threads:
        futures = [threads.submit(job.function_to_call, *job.function_arguments) for job in jobs]
        results = [_job_result(future) for future in futures]
    outcome = RobotImplementation.result_for_completed_scan_jobs(server_info, results)
    vulnerable = outcome.robot_result in (
        RobotScanResultEnum.VULNERABLE_STRONG_ORACLE,
        RobotScanResultEnum.VULNERABLE_WEAK_ORACLE,
    )
    # each run asks for the RSA key once or twice, then sends one connection per payload
    connections = (
        0 if outcome.robot_result is RobotScanResultEnum.NOT_VULNERABLE_RSA_NOT_SUPPORTED else 18
    )
    return SslyzeOutcome(
        SslyzeTest.ROBOT, vulnerable, detail=outcome.robot_result.name, connections=connections
    )


def _job_result(future: Future[Any]) -> Any:
    from sslyze.plugins.plugin_base import ScanJobResult

    try:
        return ScanJobResult(future.result(), None)
    except Exception as error:
        return ScanJobResult(None, error)


def _secure_renegotiation(server_info: Any) -> SslyzeOutcome:
    from sslyze.plugins.session_renegotiation_plugin import _test_secure_renegotiation

    _kind, supported = _test_secure_renegotiation(server_info)
    return SslyzeOutcome(SslyzeTest.SECURE_RENEGOTIATION, bool(supported))


def _client_renegotiation(server_info: Any) -> SslyzeOutcome:
    from sslyze.plugins.session_renegotiation_plugin import _test_client_renegotiation

    _kind, (accepted, count) = _test_client_renegotiation(server_info, RENEGOTIATION_ATTEMPTS)
    return SslyzeOutcome(SslyzeTest.CLIENT_RENEGOTIATION, bool(accepted), detail=str(count))


def _compression(server_info: Any) -> SslyzeOutcome:
    from sslyze.plugins.compression_plugin import _test_compression_support

    return SslyzeOutcome(SslyzeTest.COMPRESSION, bool(_test_compression_support(server_info)))


def _fallback_scsv(server_info: Any) -> SslyzeOutcome:
    from sslyze.plugins.fallback_scsv_plugin import _test_scsv

    return SslyzeOutcome(SslyzeTest.FALLBACK_SCSV, bool(_test_scsv(server_info)))


_RUNNERS = {
    SslyzeTest.HEARTBLEED: _heartbleed,
    SslyzeTest.CCS_INJECTION: _ccs_injection,
    SslyzeTest.ROBOT: _robot,
    SslyzeTest.SECURE_RENEGOTIATION: _secure_renegotiation,
    SslyzeTest.CLIENT_RENEGOTIATION: _client_renegotiation,
    SslyzeTest.COMPRESSION: _compression,
    SslyzeTest.FALLBACK_SCSV: _fallback_scsv,
}


# --- sslyze plumbing ------------------------------------------------------------------------

_VERSION_NAMES = {
    "SSLv2": "SSL_2_0",
    "SSLv3": "SSL_3_0",
    "TLSv1.0": "TLS_1_0",
    "TLSv1.1": "TLS_1_1",
    "TLSv1.2": "TLS_1_2",
    "TLSv1.3": "TLS_1_3",
}
_STARTTLS = {"smtp": "SMTP", "imap": "IMAP", "pop3": "POP3"}


def _server_info(request: SslyzeRequest) -> Any:
    """sslyze's view of the endpoint, built from what the enumeration already found."""
    from sslyze.connection_helpers.opportunistic_tls_helpers import (
        ProtocolWithOpportunisticTlsEnum,
    )
    from sslyze.server_connectivity import (
        ClientAuthRequirementEnum,
        ServerConnectivityInfo,
        ServerTlsProbingResult,
        TlsVersionEnum,
    )
    from sslyze.server_setting import ServerNetworkConfiguration, ServerNetworkLocation

    version = TlsVersionEnum[_VERSION_NAMES[request.highest_version]]
    starttls = _STARTTLS.get(request.starttls)
    location = ServerNetworkLocation(
        hostname=request.server_name or request.address,
        port=request.port,
        ip_address=request.address,
    )
    network = ServerNetworkConfiguration(
        tls_server_name_indication=request.server_name or request.address,
        tls_opportunistic_encryption=(
            ProtocolWithOpportunisticTlsEnum[starttls] if starttls else None
        ),
        network_timeout=request.timeout,  # type: ignore[arg-type]  # int in sslyze, float works
        network_max_retries=0,
    )
    probing = ServerTlsProbingResult(
        highest_tls_version_supported=version,
        cipher_suite_supported=":".join(
            name for suite in request.suites if (name := _openssl_name(version, suite))
        ),
        client_auth_requirement=ClientAuthRequirementEnum.DISABLED,
        supports_ecdh_key_exchange=(
            version.name == "TLS_1_3" or any("ECDHE" in suite for suite in request.suites)
        ),
    )
    return ServerConnectivityInfo(
        server_location=location, network_configuration=network, tls_probing_result=probing
    )


@functools.lru_cache(maxsize=512)
def _openssl_name(version: Any, suite: str) -> str:
    """OpenSSL's name of an IANA suite name; "" when OpenSSL has none."""
    from sslyze.plugins.openssl_cipher_suites.cipher_suites import CipherSuitesRepository

    for cipher_suite in CipherSuitesRepository.get_all_cipher_suites(version):
        if cipher_suite.name == suite:
            return str(cipher_suite.openssl_name)
    return ""


def _ocsp_facts(response: Any, trust: TrustFacts, ca_file: str | None) -> OcspFacts | None:
    if response is None:
        return None
    from cryptography.x509 import ocsp

    parsed = ocsp.load_der_ocsp_response(response.as_der_bytes())
    status = parsed.response_status.name.lower()
    if parsed.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
        return OcspFacts(status, None, None, None, None)
    return OcspFacts(
        status=status,
        certificate_status=parsed.certificate_status.name.lower(),
        this_update=parsed.this_update_utc,
        next_update=parsed.next_update_utc,
        trusted=_ocsp_trusted(response, trust, ca_file),
    )


def _ocsp_trusted(response: Any, trust: TrustFacts, ca_file: str | None) -> bool | None:
    if not trust.trusted:
        return None
    import nassl.ocsp_response

    path = _mozilla_store_path() if MOZILLA_STORE_NAME in trust.stores else ca_file
    if path is None:
        return None
    try:
        nassl.ocsp_response.verify_ocsp_response(response, Path(path))
    except nassl.ocsp_response.OcspResponseNotTrustedError:
        return False
    return True


def _failure(test: str, error: BaseException) -> SslyzeFailure:
    """Sort an exception from sslyze or the socket layer into a failure kind."""
    import socket

    from sslyze.errors import (
        ConnectionToServerTimedOut,
        ServerRejectedConnection,
        ServerRejectedOpportunisticTlsNegotiation,
        ServerRejectedTlsHandshake,
        TlsHandshakeTimedOut,
    )

    message = str(error) or type(error).__name__
    kind = "other"
    if isinstance(error, ConnectionToServerTimedOut | TlsHandshakeTimedOut | socket.timeout):
        kind = "timeout"
    elif isinstance(error, ServerRejectedConnection | ConnectionRefusedError):
        kind = "refused"
    elif isinstance(error, ServerRejectedTlsHandshake | ServerRejectedOpportunisticTlsNegotiation):
        kind = "rejected"
    elif isinstance(error, ConnectionResetError):
        kind = "reset"
    elif isinstance(error, OSError) and error.errno is not None:
        kind = "unreachable" if "unreachable" in message.lower() else "other"
    return SslyzeFailure(test, kind, f"{type(error).__name__}: {message}")
