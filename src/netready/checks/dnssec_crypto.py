"""DNSSEC signature checks: the signed data, the public key in a DNSKEY, the verification.

Pure: no I/O. `verify_signature` answers one question — does this RRSIG over this RRset
verify with this DNSKEY? — and never raises for hostile input (a key that is no point on
the curve, a signature of the wrong length, an absurd RSA exponent): it says False.

Why not dnspython's `validate_rrsig`: dnspython 2.9 switches its DNSSEC cryptography on
only with cryptography >= 50, while sslyze (the TLS scanner netready builds on) requires
cryptography < 47, so in netready's environment dnspython's validation functions only
raise ImportError. This module needs nothing that cryptography has not had for years; the
record formats are small and fixed:

- signed data: RFC 4034 section 3.1.8.1 (and 6.2 for the canonical form of the records);
- RSA keys: RFC 3110 section 2; signatures PKCS #1 v1.5 (RFC 3110, 5702);
- ECDSA keys and signatures: RFC 6605 section 4 (x | y; r | s);
- Ed25519 and Ed448: RFC 8080 section 3 (the raw key and signature).
"""

from __future__ import annotations

import struct

import dns.name
import dns.rrset
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.RRSIG import RRSIG

__all__ = ["MAX_RSA_EXPONENT_BYTES", "MAX_RSA_MODULUS_BITS", "signed_data", "verify_signature"]

#: RSA keys netready checks: DNSSEC keys are at most 4096 bits (RFC 3110 allows that
#: much), and exponents of more than 64 bits only make verification slow on purpose.
MAX_RSA_MODULUS_BITS = 4096
MAX_RSA_EXPONENT_BYTES = 8

_RSA_HASHES: dict[int, type[hashes.HashAlgorithm]] = {
    5: hashes.SHA1,  # RSASHA1
    7: hashes.SHA1,  # RSASHA1-NSEC3-SHA1
    8: hashes.SHA256,  # RSASHA256
    10: hashes.SHA512,  # RSASHA512
}
_ECDSA: dict[int, tuple[ec.EllipticCurve, type[hashes.HashAlgorithm], int]] = {
    13: (ec.SECP256R1(), hashes.SHA256, 32),  # ECDSAP256SHA256
    14: (ec.SECP384R1(), hashes.SHA384, 48),  # ECDSAP384SHA384
}
_ED25519, _ED448 = 15, 16


class _UnusableKeyError(ValueError):
    """The DNSKEY holds no public key of its algorithm that netready will use."""


def verify_signature(rrset: dns.rrset.RRset, rrsig: RRSIG, key: DNSKEY) -> bool:
    """Whether `rrsig` is a valid signature by `key` over `rrset` (times not checked).

    The caller has matched algorithm and key tag and checked inception and expiration;
    this is the cryptography alone.
    """
    if key.algorithm != rrsig.algorithm or rrsig.type_covered != rrset.rdtype:
        return False
    try:
        data = signed_data(rrset, rrsig)
        _verify(int(key.algorithm), key.key, rrsig.signature, data)
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError, OverflowError):
        return False
    return True


def signed_data(rrset: dns.rrset.RRset, rrsig: RRSIG) -> bytes:
    """The bytes an RRSIG signs: its own fields, then the RRset in canonical form.

    A wildcard-expanded RRset (fewer RRSIG labels than the owner has) is signed under the
    wildcard name it was synthesised from. Raises ValueError when the RRSIG claims more
    labels than the owner has.
    """
    fields = struct.pack(
        "!HBBIIIH",
        rrsig.type_covered,
        rrsig.algorithm,
        rrsig.labels,
        rrsig.original_ttl,
        rrsig.expiration,
        rrsig.inception,
        rrsig.key_tag,
    )
    owner_labels = len(rrset.name) - 1  # without the root label
    if rrsig.labels > owner_labels:
        raise ValueError("the RRSIG has more labels than its owner name")
    owner = rrset.name
    if rrsig.labels < owner_labels:
        owner = dns.name.Name((b"*", *owner.labels[-(rrsig.labels + 1) :]))
    head = _wire(owner) + struct.pack("!HHI", rrset.rdtype, rrset.rdclass, rrsig.original_ttl)
    records = sorted({rdata.to_digestable() for rdata in rrset})  # canonical order, no repeats
    body = b"".join(head + struct.pack("!H", len(record)) + record for record in records)
    return fields + _wire(rrsig.signer) + body


def _wire(name: dns.name.Name) -> bytes:
    wire = name.canonicalize().to_wire()
    assert wire is not None  # to_wire without a file returns the bytes
    return wire


def _verify(algorithm: int, key: bytes, signature: bytes, data: bytes) -> None:
    """Raise unless `signature` verifies; the exceptions are the ones caught above."""
    if algorithm in _RSA_HASHES:
        rsa_key = _rsa_key(key)
        rsa_key.verify(signature, data, padding.PKCS1v15(), _RSA_HASHES[algorithm]())
    elif algorithm in _ECDSA:
        curve, digest, size = _ECDSA[algorithm]
        if len(key) != 2 * size or len(signature) != 2 * size:
            raise _UnusableKeyError("an ECDSA key or signature of the wrong length")
        ec_key = ec.EllipticCurvePublicKey.from_encoded_point(curve, b"\x04" + key)
        r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
        ec_key.verify(encode_dss_signature(r, s), data, ec.ECDSA(digest()))
    elif algorithm == _ED25519:
        ed25519.Ed25519PublicKey.from_public_bytes(key).verify(signature, data)
    elif algorithm == _ED448:
        ed448.Ed448PublicKey.from_public_bytes(key).verify(signature, data)
    else:
        raise _UnusableKeyError(f"algorithm {algorithm} is not one netready validates")


def _rsa_key(key: bytes) -> rsa.RSAPublicKey:
    """RFC 3110: a one-byte exponent length (or 0 and two bytes), exponent, modulus."""
    if not key:
        raise _UnusableKeyError("an empty RSA key")
    if key[0]:
        exponent_length, rest = key[0], key[1:]
    else:
        exponent_length, rest = int.from_bytes(key[1:3], "big"), key[3:]
    if not 0 < exponent_length <= MAX_RSA_EXPONENT_BYTES:
        raise _UnusableKeyError(f"an RSA exponent of {exponent_length} bytes")
    exponent = int.from_bytes(rest[:exponent_length], "big")
    modulus = int.from_bytes(rest[exponent_length:], "big")
    if not 0 < modulus.bit_length() <= MAX_RSA_MODULUS_BITS:
        raise _UnusableKeyError(f"an RSA modulus of {modulus.bit_length()} bits")
    return rsa.RSAPublicNumbers(exponent, modulus).public_key()
