"""Every DNSSEC verdict, from chains signed in the test itself (no network).

`World` is a small in-memory DNS: zones signed with keys generated here (dnspython signs
in-process), NSEC or NSEC3 chains built for them, and an `ask` that answers a question the
way a resolver does with DO and CD set (answer + RRSIGs, or SOA + NSEC/NSEC3 proofs).
Tests build a world, break one thing (an expired signature, a DS that matches nothing,
hundreds of keys with one key tag, ...) and check the verdict and its reason.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import dns.dnssec
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zonefile
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from dns.rdatatype import RdataType
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.NSEC import NSEC
from dns.rdtypes.ANY.NSEC3 import NSEC3
from dns.rdtypes.ANY.NSEC3PARAM import NSEC3PARAM
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.util import Bitmap

from netready.checks import dnssec as family_module
from netready.checks import dnssec_chain
from netready.checks.dnssec import (
    DnssecFamily,
    evaluate_algorithm,
    evaluate_nsec3,
    evaluate_status,
)
from netready.checks.dnssec_chain import (
    ANSWER_TYPES,
    ChainState,
    ChainVerdict,
    DenialInfo,
    DsInfo,
    KeyInfo,
    Reason,
    TrustAnchor,
    TrustAnchorError,
    ZoneLink,
    denial_parameters,
    first_questions,
    guess_zone,
    mx_hosts,
    parse_trust_anchor,
    second_questions,
    validate_chain,
)
from netready.checks.dnssec_crypto import signed_data, verify_signature
from netready.config import ScanConfig
from netready.findings import Finding, Status
from netready.net.dnssec import DnssecReply, QueryFailure, TruncatedAnswerError, describe_failure
from netready.resources import resource_path
from netready.targets import parse_target

T = TypeVar("T")
NOW = 1_750_000_000  # 2025-06-15
DAY = 86_400
VALID = (NOW - DAY, NOW + 30 * DAY)
EXPIRED = (NOW - 60 * DAY, NOW - 30 * DAY)
NOT_YET = (NOW + DAY, NOW + 30 * DAY)
ECDSA, ED25519, RSASHA1 = 13, 15, 5


def n(text: str) -> dns.name.Name:
    return dns.name.from_text(text)


# --- an in-memory signed DNS ----------------------------------------------------------------


@dataclass
class Key:
    private: Any
    dnskey: DNSKEY

    @property
    def tag(self) -> int:
        return dns.dnssec.key_id(self.dnskey)


def make_key(algorithm: int = ECDSA, *, ksk: bool = False) -> Key:
    """A fresh key pair and its DNSKEY (RFC 3110, 6605, 8080 encodings)."""
    private: Any
    if algorithm == ECDSA:
        private = ec.generate_private_key(ec.SECP256R1())
        point = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        public = point[1:]
    elif algorithm == ED25519:
        private = ed25519.Ed25519PrivateKey.generate()
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    else:
        private = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        numbers = private.public_key().public_numbers()
        exponent = numbers.e.to_bytes(3, "big")
        public = bytes([len(exponent)]) + exponent + numbers.n.to_bytes(128, "big")
    return Key(private, dnskey_of(public, algorithm, 257 if ksk else 256))


def dnskey_of(public: bytes, algorithm: int, flags: int = 256) -> DNSKEY:
    return DNSKEY(dns.rdataclass.IN, RdataType.DNSKEY, flags, 3, algorithm, public)


def raw_signature(key: Key, data: bytes) -> bytes:
    algorithm = key.dnskey.algorithm
    if algorithm == ECDSA:
        r, s = decode_dss_signature(key.private.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if algorithm == ED25519:
        return bytes(key.private.sign(data))
    digest = hashes.SHA1() if algorithm in (5, 7) else hashes.SHA256()
    return bytes(key.private.sign(data, padding.PKCS1v15(), digest))


@dataclass
class Nsec3Params:
    iterations: int = 0
    salt: bytes = b""
    opt_out: bool = False


@dataclass
class Zone:
    """One zone's data; `World.build` signs it and adds its NSEC or NSEC3 chain."""

    origin: dns.name.Name
    records: list[str]
    signed: bool = True
    algorithm: int = ECDSA
    nsec3: Nsec3Params | None = None
    window: tuple[int, int] = VALID
    #: children that get a DS in this zone (by origin text); None: every signed child
    ds_for: set[str] | None = None
    rrsets: dict[tuple[dns.name.Name, RdataType], dns.rrset.RRset] = field(default_factory=dict)
    sigs: dict[tuple[dns.name.Name, RdataType], dns.rrset.RRset] = field(default_factory=dict)
    ksk: Key | None = None
    zsk: Key | None = None

    def delegations(self) -> list[dns.name.Name]:
        return [
            name for (name, rdtype) in self.rrsets if rdtype == RdataType.NS and name != self.origin
        ]

    def below_cut(self, name: dns.name.Name) -> bool:
        """Glue and anything else under a delegation: not the zone's own data."""
        return any(name.is_subdomain(cut) and name != cut for cut in self.delegations())


class World:
    """Zones by origin, signed bottom-up so each parent can carry its children's DS."""

    def __init__(self, zones: Iterable[Zone]) -> None:
        self.zones = {zone.origin: zone for zone in zones}
        for zone in sorted(self.zones.values(), key=lambda z: -len(z.origin)):
            self._load(zone)
            self._add_child_ds(zone)
            if zone.signed:
                self._sign(zone)
        root = self.zones[dns.name.root]
        assert root.ksk is not None
        self.anchor = TrustAnchor(
            ds=(dns.dnssec.make_ds(dns.name.root, root.ksk.dnskey, "SHA256"),)
        )
        self.tampered: dict[tuple[dns.name.Name, RdataType], DnssecReply] = {}

    # -- building

    def _load(self, zone: Zone) -> None:
        server = dns.name.Name((b"ns", *zone.origin.labels))
        text = "\n".join(
            [f"{zone.origin} 300 IN SOA {server} hostmaster.invalid. 1 3600 600 86400 60"]
            + [f"{zone.origin} 300 IN NS {server}"]
            + [_absolute(line, zone.origin) for line in zone.records]
        )
        for rrset in _read_rrsets(text, zone.origin):
            key = (rrset.name, rrset.rdtype)
            if key in zone.rrsets:
                zone.rrsets[key].union_update(rrset)
            else:
                zone.rrsets[key] = rrset

    def _add_child_ds(self, zone: Zone) -> None:
        for cut in zone.delegations():
            child = self.zones.get(cut)
            wanted = zone.ds_for is None or cut.to_text() in zone.ds_for
            if child is None or not child.signed or not wanted or child.ksk is None:
                continue
            if (cut, RdataType.DS) not in zone.rrsets:
                ds = dns.dnssec.make_ds(cut, child.ksk.dnskey, "SHA256")
                zone.rrsets[(cut, RdataType.DS)] = dns.rrset.from_rdata(cut, 300, ds)

    def _sign(self, zone: Zone) -> None:
        zone.ksk = zone.ksk or make_key(zone.algorithm, ksk=True)
        zone.zsk = zone.zsk or make_key(zone.algorithm)
        keys = dns.rrset.from_rdata(zone.origin, 300, zone.ksk.dnskey, zone.zsk.dnskey)
        zone.rrsets.setdefault((zone.origin, RdataType.DNSKEY), keys)
        if zone.nsec3 is None:
            self._nsec_chain(zone)
        else:
            self._nsec3_chain(zone, zone.nsec3)
        for (name, rdtype), rrset in zone.rrsets.items():
            if zone.below_cut(name) or (name in zone.delegations() and rdtype == RdataType.NS):
                continue  # glue and delegation NS records are not signed
            signer = zone.ksk if rdtype == RdataType.DNSKEY else zone.zsk
            zone.sigs[(name, rdtype)] = sign(rrset, signer, zone.origin, zone.window)

    def _own_names(self, zone: Zone) -> list[dns.name.Name]:
        names = {name for (name, _t) in zone.rrsets if not zone.below_cut(name)}
        for name in list(names):  # empty non-terminals exist too
            for depth in range(len(zone.origin) + 1, len(name)):
                names.add(name.split(depth)[1])
        return sorted(names)

    def _types_at(self, zone: Zone, name: dns.name.Name) -> list[RdataType]:
        return [rdtype for (owner, rdtype) in zone.rrsets if owner == name]

    def _nsec_chain(self, zone: Zone) -> None:
        names = [name for name in self._own_names(zone) if self._types_at(zone, name)]
        for index, name in enumerate(names):
            following = names[(index + 1) % len(names)]
            types = [*self._types_at(zone, name), RdataType.NSEC, RdataType.RRSIG]
            if name in zone.delegations() and RdataType.DS not in types:
                types.remove(RdataType.RRSIG)  # an unsigned delegation has only NS, NSEC
            nsec = NSEC(
                dns.rdataclass.IN, RdataType.NSEC, following, Bitmap.from_rdtypes(types).windows
            )
            zone.rrsets[(name, RdataType.NSEC)] = dns.rrset.from_rdata(name, 60, nsec)

    def _nsec3_chain(self, zone: Zone, params: Nsec3Params) -> None:
        entries: list[tuple[str, list[RdataType]]] = []
        for name in self._own_names(zone):
            types = self._types_at(zone, name)
            unsigned_cut = name in zone.delegations() and RdataType.DS not in types
            if params.opt_out and unsigned_cut:
                continue  # opt-out: no NSEC3 record for an unsigned delegation
            if types and not unsigned_cut:
                types = [*types, RdataType.RRSIG]
            if name == zone.origin:
                types.append(RdataType.NSEC3PARAM)
            entries.append((self.hash(name, params), types))
        entries.sort()
        flags = 1 if params.opt_out else 0
        for index, (hashed, types) in enumerate(entries):
            following = base64.b32hexdecode(entries[(index + 1) % len(entries)][0])
            rdata = NSEC3(
                dns.rdataclass.IN,
                RdataType.NSEC3,
                1,
                flags,
                params.iterations,
                params.salt,
                following,
                Bitmap.from_rdtypes(types).windows,
            )
            owner = dns.name.Name((hashed.lower().encode(), *zone.origin.labels))
            zone.rrsets[(owner, RdataType.NSEC3)] = dns.rrset.from_rdata(owner, 60, rdata)
        param = NSEC3PARAM(
            dns.rdataclass.IN, RdataType.NSEC3PARAM, 1, 0, params.iterations, params.salt
        )
        zone.rrsets[(zone.origin, RdataType.NSEC3PARAM)] = dns.rrset.from_rdata(
            zone.origin, 0, param
        )

    @staticmethod
    def hash(name: dns.name.Name, params: Nsec3Params) -> str:
        return dns.dnssec.nsec3_hash(name, params.salt, params.iterations, 1)

    # -- answering

    def zone_for(self, name: dns.name.Name, rdtype: RdataType) -> Zone:
        candidates = [
            zone
            for origin, zone in self.zones.items()
            if name.is_subdomain(origin) and not (rdtype == RdataType.DS and name == origin)
        ]
        return max(candidates, key=lambda zone: len(zone.origin))

    def ask(self, name: dns.name.Name, rdtype: RdataType) -> DnssecReply:
        if (name, rdtype) in self.tampered:
            return self.tampered[(name, rdtype)]
        message = dns.message.make_response(dns.message.make_query(name, rdtype, want_dnssec=True))
        self._answer(message, name, rdtype)
        return DnssecReply(name, rdtype, message, "192.0.2.53")

    def _answer(self, message: dns.message.Message, name: dns.name.Name, rdtype: RdataType) -> None:
        seen = []
        for _hop in range(8):
            zone = self.zone_for(name, rdtype)
            cname = zone.rrsets.get((name, RdataType.CNAME))
            if cname is None or rdtype == RdataType.CNAME or name in seen:
                break
            seen.append(name)
            self._add(message.answer, zone, name, RdataType.CNAME)
            name = cname[0].target
        if (name, rdtype) in zone.rrsets and not zone.below_cut(name):
            self._add(message.answer, zone, name, rdtype)
            return
        exists = name in self._own_names(zone)
        wildcard = dns.name.Name((b"*", *self._closest_encloser(zone, name).labels))
        if not exists and wildcard in self._own_names(zone):
            self._from_wildcard(message, zone, name, rdtype, wildcard)
            return
        message.set_rcode(dns.rcode.NOERROR if exists else dns.rcode.NXDOMAIN)
        self._add(message.authority, zone, zone.origin, RdataType.SOA)
        if zone.signed:
            for owner, proof_type in self._proof(zone, name, exists):
                self._add(message.authority, zone, owner, proof_type)

    def _from_wildcard(
        self,
        message: dns.message.Message,
        zone: Zone,
        name: dns.name.Name,
        rdtype: RdataType,
        wildcard: dns.name.Name,
    ) -> None:
        """RFC 4592 synthesis: the wildcard's data (or its NODATA) under `name`, with the
        proof that `name` itself does not exist."""
        if (wildcard, rdtype) in zone.rrsets:
            data = zone.rrsets[(wildcard, rdtype)]
            message.answer.append(dns.rrset.from_rdata_list(name, data.ttl, list(data)))
            sigs = zone.sigs[(wildcard, rdtype)]
            message.answer.append(dns.rrset.from_rdata_list(name, sigs.ttl, list(sigs)))
            proof = self._proof(zone, name, exists=False, deny_wildcard=False)
        else:
            self._add(message.authority, zone, zone.origin, RdataType.SOA)
            proof = self._proof(zone, name, exists=False, deny_wildcard=False)
            proof.append((self._matching_owner(zone, wildcard), proof[0][1]))
        for owner, proof_type in dict.fromkeys(proof):
            self._add(message.authority, zone, owner, proof_type)

    def _matching_owner(self, zone: Zone, name: dns.name.Name) -> dns.name.Name:
        if zone.nsec3 is None:
            return name
        owner = self._nsec3_owner(zone, name, zone.nsec3, match=True)
        assert owner is not None
        return owner

    def _add(
        self, section: list[dns.rrset.RRset], zone: Zone, name: dns.name.Name, rdtype: RdataType
    ) -> None:
        section.append(zone.rrsets[(name, rdtype)])
        if (name, rdtype) in zone.sigs:
            section.append(zone.sigs[(name, rdtype)])

    def _proof(
        self, zone: Zone, name: dns.name.Name, exists: bool, *, deny_wildcard: bool = True
    ) -> list[tuple[dns.name.Name, RdataType]]:
        """Owners of the NSEC/NSEC3 records a validator needs for this negative answer."""
        if zone.nsec3 is None:
            nsecs = sorted(owner for (owner, t) in zone.rrsets if t == RdataType.NSEC)
            wanted = [name] if exists and name in nsecs else [self._covering_nsec(nsecs, name)]
            if not exists and deny_wildcard:
                encloser = self._closest_encloser(zone, name)
                wildcard = dns.name.Name((b"*", *encloser.labels))
                wanted.append(self._covering_nsec(nsecs, wildcard))
            return [(owner, RdataType.NSEC) for owner in dict.fromkeys(wanted)]
        params = zone.nsec3
        matching = self._nsec3_owner(zone, name, params, match=True)
        if matching is not None:
            return [(matching, RdataType.NSEC3)]
        encloser = self._closest_encloser(zone, name)
        next_closer = name.split(len(encloser) + 1)[1]
        owners = [
            self._nsec3_owner(zone, encloser, params, match=True),
            self._nsec3_owner(zone, next_closer, params, match=False),
        ]
        if not exists and deny_wildcard:
            wildcard = dns.name.Name((b"*", *encloser.labels))
            owners.append(self._nsec3_owner(zone, wildcard, params, match=False))
        return [(owner, RdataType.NSEC3) for owner in dict.fromkeys(owners) if owner is not None]

    def _closest_encloser(self, zone: Zone, name: dns.name.Name) -> dns.name.Name:
        own = self._own_names(zone)
        for depth in range(len(name) - 1, len(zone.origin) - 1, -1):
            if name.split(depth)[1] in own:
                return name.split(depth)[1]
        return zone.origin

    @staticmethod
    def _covering_nsec(nsecs: list[dns.name.Name], name: dns.name.Name) -> dns.name.Name:
        before = [owner for owner in nsecs if owner < name]
        return before[-1] if before else nsecs[-1]

    def _nsec3_owner(
        self, zone: Zone, name: dns.name.Name, params: Nsec3Params, *, match: bool
    ) -> dns.name.Name | None:
        hashed = self.hash(name, params)
        owners = sorted(
            (owner.labels[0].decode().upper(), owner)
            for (owner, t) in zone.rrsets
            if t == RdataType.NSEC3
        )
        if match:
            return next((owner for label, owner in owners if label == hashed), None)
        before = [owner for label, owner in owners if label < hashed]
        return before[-1] if before else owners[-1][1]

    # -- what the probes would have fetched

    def replies(
        self, target: str, answer_types: Iterable[RdataType] = ANSWER_TYPES
    ) -> dict[tuple[dns.name.Name, RdataType], DnssecReply]:
        name = n(target)
        replies = {q: self.ask(*q) for q in first_questions(name, tuple(answer_types))}
        for question in second_questions(name, replies):
            replies.setdefault(question, self.ask(*question))
        return replies

    def validate(self, target: str, anchor: TrustAnchor | None = None) -> ChainVerdict:
        return validate_chain(n(target), self.replies(target), anchor or self.anchor, now=NOW)

    # -- breaking things

    def zone(self, origin: str) -> Zone:
        return self.zones[n(origin)]

    def replace_reply(self, name: str, rdtype: RdataType, reply: DnssecReply) -> None:
        self.tampered[(n(name), rdtype)] = reply

    def edit_reply(
        self, name: str, rdtype: RdataType, edit: Callable[[dns.message.Message], None]
    ) -> None:
        reply = self.ask(n(name), rdtype)
        assert reply.message is not None
        edit(reply.message)
        self.tampered[(n(name), rdtype)] = reply


def sign(
    rrset: dns.rrset.RRset, key: Key | None, signer: dns.name.Name, window: tuple[int, int]
) -> dns.rrset.RRset:
    """An RRSIG RRset over `rrset` by `key`, valid from window[0] to window[1]."""
    assert key is not None
    labels = len(rrset.name) - 1 - (1 if rrset.name.is_wild() else 0)
    unsigned = RRSIG(
        dns.rdataclass.IN,
        RdataType.RRSIG,
        rrset.rdtype,
        key.dnskey.algorithm,
        labels,
        rrset.ttl,
        window[1],
        window[0],
        key.tag,
        signer,
        b"",
    )
    rrsig = unsigned.replace(signature=raw_signature(key, signed_data(rrset, unsigned)))
    return dns.rrset.from_rdata(rrset.name, rrset.ttl, rrsig)


def _absolute(line: str, origin: dns.name.Name) -> str:
    owner, rest = line.split(" ", 1)
    name = dns.name.from_text(owner, origin) if owner != "@" else origin
    return f"{name} 300 IN {rest}"


def _read_rrsets(text: str, origin: dns.name.Name) -> list[dns.rrset.RRset]:
    return dns.zonefile.read_rrsets(text, rdclass=None, origin=origin)


def delegation(child: str) -> list[str]:
    """A parent's records for `child` (relative to the parent): NS and glue."""
    return [f"{child} NS ns.{child}", f"ns.{child} A 192.0.2.1"]


def standard_zones(**changes: dict[str, Any]) -> list[Zone]:
    """The test world's zones; `changes` maps an origin to Zone fields to replace."""
    zones = [
        Zone(n("."), [*delegation("test"), *delegation("nsec3tld"), *delegation("optout")]),
        Zone(
            n("test."),
            [
                *delegation("secure"),
                *delegation("unsigned"),
                *delegation("mailzone"),
                "www A 192.0.2.80",
            ],
        ),
        Zone(
            n("secure.test."),
            [
                "@ A 192.0.2.80",
                "@ AAAA 2001:db8::80",
                "@ MX 10 mx.mailzone.test.",
                "@ MX 20 mail.secure.test.",
                "www A 192.0.2.80",
                "www AAAA 2001:db8::80",
                "mail A 192.0.2.25",
                "v4only A 192.0.2.81",
                "alias CNAME www.secure.test.",
                "loop1 CNAME loop2.secure.test.",
                "loop2 CNAME loop1.secure.test.",
                "*.wild A 192.0.2.82",
                "deep.ent A 192.0.2.83",
            ],
        ),
        Zone(n("unsigned.test."), ["www A 192.0.2.90"], signed=False),
        Zone(n("mailzone.test."), ["mx A 192.0.2.25", "mx AAAA 2001:db8::25"]),
        Zone(
            n("nsec3tld."),
            [*delegation("unsigned"), *delegation("secure"), "www A 192.0.2.70"],
            nsec3=Nsec3Params(),
        ),
        Zone(n("unsigned.nsec3tld."), ["www A 192.0.2.91"], signed=False),
        Zone(n("secure.nsec3tld."), ["www A 192.0.2.71"], nsec3=Nsec3Params(10, b"\xab\xcd")),
        Zone(n("optout."), [*delegation("unsigned")], nsec3=Nsec3Params(opt_out=True)),
        Zone(n("unsigned.optout."), ["www A 192.0.2.92"], signed=False),
    ]
    return [replace(zone, **changes.get(zone.origin.to_text(), {})) for zone in zones]


@pytest.fixture(scope="module")
def world() -> World:
    """The standard world, shared: tests that break something build their own."""
    return World(standard_zones())


def fresh_world(**changes: dict[str, Any]) -> World:
    return World(standard_zones(**changes))


# --- trust anchors ----------------------------------------------------------------------------

ANCHOR_DS = ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"


def test_a_zone_file_anchor_holds_ds_and_dnskey_records() -> None:
    key = make_key(ECDSA, ksk=True)
    text = f"""; the lab root
{ANCHOR_DS}
.  3600  IN  DNSKEY  ( {key.dnskey.to_text()} )
"""
    anchor = parse_trust_anchor(text, now=datetime.now(UTC))
    assert [ds.key_tag for ds in anchor.ds] == [20326]
    assert [dns.dnssec.key_id(k) for k in anchor.dnskeys] == [key.tag]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("example. IN DS 1 8 2 " + "AB" * 32, "only anchors for the root"),
        (". IN A 192.0.2.1", "DS or DNSKEY records, not A"),
        ("; nothing here\n", "no DS or DNSKEY record"),
        (". IN DS not-a-number", "not a DS/DNSKEY record file"),
        ("<TrustAnchor><Zone>example.</Zone></TrustAnchor>", "only the root"),
        ("<TrustAnchor><Zone>.</Zone>", "not a well-formed"),
    ],
)
def test_an_unusable_anchor_says_why(text: str, message: str) -> None:
    with pytest.raises(TrustAnchorError, match=message):
        parse_trust_anchor(text, now=datetime.now(UTC))


IANA_STYLE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<TrustAnchor id="test" source="http://data.iana.org/root-anchors/root-anchors.xml">
<Zone>.</Zone>
<KeyDigest id="Old" validFrom="2010-07-15T00:00:00+00:00" validUntil="2019-01-11T00:00:00+00:00">
<KeyTag>19036</KeyTag><Algorithm>8</Algorithm><DigestType>2</DigestType>
<Digest>49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5</Digest>
</KeyDigest>
<KeyDigest id="Klajeyz" validFrom="2017-02-02T00:00:00+00:00">
<KeyTag>20326</KeyTag><Algorithm>8</Algorithm><DigestType>2</DigestType>
<Digest>E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D</Digest>
</KeyDigest>
<KeyDigest id="Future" validFrom="2099-01-01T00:00:00+00:00">
<KeyTag>1</KeyTag><Algorithm>8</Algorithm><DigestType>2</DigestType>
<Digest>00</Digest>
</KeyDigest>
</TrustAnchor>
"""


def test_an_iana_xml_anchor_keeps_only_the_digests_valid_now() -> None:
    anchor = parse_trust_anchor(IANA_STYLE_XML, now=datetime(2025, 6, 15, tzinfo=UTC))
    assert [(ds.key_tag, ds.algorithm, ds.digest_type) for ds in anchor.ds] == [(20326, 8, 2)]
    with pytest.raises(TrustAnchorError, match="no KeyDigest in the XML is valid"):
        parse_trust_anchor(IANA_STYLE_XML, now=datetime(2005, 1, 1, tzinfo=UTC))


def test_the_shipped_anchor_is_the_iana_root_ksk_2017_and_2024() -> None:
    text = resource_path("trust-anchors", "root.ds").read_text(encoding="utf-8")
    anchor = parse_trust_anchor(text, now=datetime.now(UTC))
    assert sorted(
        (ds.key_tag, ds.algorithm, ds.digest_type, ds.digest.hex()) for ds in anchor.ds
    ) == [
        (20326, 8, 2, "e06d44b80b8f1d39a95c0b0d7c65d08458e880409bbc683457104237c7f8ec8d"),
        (38696, 8, 2, "683d2d0acb8c9b712a1948b27f741219298d0a450d612c483af444a4c0fb2b16"),
    ]
    assert anchor.dnskeys == ()


# --- secure chains ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "zone"),
    [
        ("secure.test", "secure.test"),
        ("www.secure.test", "secure.test"),
        ("v4only.secure.test", "secure.test"),  # AAAA and MX: NODATA proven with NSEC
        ("missing.secure.test", "secure.test"),  # NXDOMAIN proven with NSEC
        ("ent.secure.test", "secure.test"),  # an empty non-terminal
        ("alias.secure.test", "secure.test"),  # a CNAME, signed
        ("x.wild.secure.test", "secure.test"),  # a wildcard answer with its proof
        ("mx.mailzone.test", "mailzone.test"),
        ("test", "test"),
        ("www.test", "test"),
        ("secure.nsec3tld", "secure.nsec3tld"),  # a DS through an NSEC3 parent
        ("www.secure.nsec3tld", "secure.nsec3tld"),  # not a cut: proven with NSEC3
        ("missing.secure.nsec3tld", "secure.nsec3tld"),  # NXDOMAIN proven with NSEC3
        ("www.nsec3tld", "nsec3tld"),
    ],
)
def test_a_valid_chain_is_secure(world: World, target: str, zone: str) -> None:
    verdict = world.validate(target)
    assert (verdict.state, verdict.reason, verdict.zone) == (
        ChainState.SECURE,
        Reason.VALIDATED,
        zone,
    ), verdict.detail


def test_the_secure_chain_is_in_the_evidence(world: World) -> None:
    verdict = world.validate("www.secure.test")
    assert [link.zone for link in verdict.links] == [".", "test", "secure.test"]
    secure = verdict.link("secure.test")
    assert secure is not None
    ksk = world.zone("secure.test.").ksk
    assert ksk is not None
    assert secure.ds == (DsInfo(ksk.tag, ECDSA, 2),)
    assert KeyInfo(ksk.tag, 257, ECDSA, secure_entry=True) in secure.dnskeys
    signed = {signature.rrset for signature in secure.signatures}
    assert {"secure.test. DNSKEY", "www.secure.test. A", "www.secure.test. AAAA"} <= signed
    assert all(signature.result == "valid" for signature in secure.signatures)
    test_link = verdict.link("test")
    assert test_link is not None
    assert "secure.test. DS" in {signature.rrset for signature in test_link.signatures}
    evidence = secure.as_evidence()
    assert evidence["signatures"][0]["expiration"] == "2025-07-15T15:06:40Z"


def test_rsasha1_still_validates(world: World) -> None:
    sha1 = fresh_world(**{"secure.test.": {"algorithm": RSASHA1}})
    verdict = sha1.validate("www.secure.test")
    assert verdict.state is ChainState.SECURE
    link = verdict.link("secure.test")
    assert link is not None
    assert {key.algorithm for key in link.dnskeys} == {RSASHA1}


def test_ed25519_validates() -> None:
    verdict = fresh_world(**{"test.": {"algorithm": ED25519}}).validate("www.test")
    assert verdict.state is ChainState.SECURE


# --- insecure ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "zone", "proof"),
    [
        ("unsigned.test", "unsigned.test", "nsec"),
        ("www.unsigned.test", "unsigned.test", "nsec"),
        ("unsigned.nsec3tld", "unsigned.nsec3tld", "nsec3"),
        ("www.unsigned.optout", "unsigned.optout", "nsec3-opt-out"),
    ],
)
def test_an_unsigned_zone_proven_by_its_parent_is_insecure(
    world: World, target: str, zone: str, proof: str
) -> None:
    verdict = world.validate(target)
    assert (verdict.state, verdict.reason, verdict.zone) == (
        ChainState.INSECURE,
        Reason.NO_DS,
        zone,
    ), verdict.detail
    link = verdict.link(zone)
    assert link is not None
    assert link.no_ds_proof == proof
    assert proof.upper() in verdict.detail


def test_a_ds_with_only_unsupported_algorithms_counts_as_unsigned(world: World) -> None:
    # Given test. holding a DSA (3) DS for secure.test, as a validator would ignore
    dsa = dns.rdata.from_text("IN", "DS", "12345 3 2 " + "ab" * 32)
    bad = fresh_world(
        **{"test.": {"records": [*standard_zones()[1].records, f"secure DS {dsa.to_text()}"]}}
    )
    verdict = bad.validate("www.secure.test")
    assert (verdict.state, verdict.reason, verdict.zone) == (
        ChainState.INSECURE,
        Reason.UNSUPPORTED_ALGORITHM,
        "secure.test",
    )
    assert "algorithm 3" in verdict.detail


def test_nsec3_with_too_many_iterations_counts_as_unsigned() -> None:
    costly = fresh_world(**{"nsec3tld.": {"nsec3": Nsec3Params(iterations=500)}})
    verdict = costly.validate("www.unsigned.nsec3tld")
    assert (verdict.state, verdict.reason) == (ChainState.INSECURE, Reason.NSEC3_ITERATIONS)


# --- bogus ------------------------------------------------------------------------------------


def test_a_ds_that_matches_no_dnskey_is_bogus() -> None:
    # Given test. publishing the DS of a key secure.test never uses
    stranger = make_key(ECDSA, ksk=True)
    ds = dns.dnssec.make_ds(n("secure.test."), stranger.dnskey, "SHA256")
    records = [*standard_zones()[1].records, f"secure DS {ds.to_text()}"]
    verdict = fresh_world(**{"test.": {"records": records}}).validate("www.secure.test")
    assert (verdict.state, verdict.reason, verdict.zone) == (
        ChainState.BOGUS,
        Reason.DS_MISMATCH,
        "secure.test",
    )
    assert f"tag {stranger.tag}" in verdict.detail
    link = verdict.link("secure.test")
    assert link is not None
    assert not any(key.secure_entry for key in link.dnskeys)


@pytest.mark.parametrize(
    ("window", "reason", "words"),
    [
        (EXPIRED, Reason.SIGNATURE_EXPIRED, "expired at"),
        (NOT_YET, Reason.SIGNATURE_NOT_YET_VALID, "valid only from"),
    ],
)
def test_signatures_outside_their_validity_are_bogus(
    window: tuple[int, int], reason: Reason, words: str
) -> None:
    verdict = fresh_world(**{"secure.test.": {"window": window}}).validate("www.secure.test")
    assert (verdict.state, verdict.reason, verdict.zone) == (
        ChainState.BOGUS,
        reason,
        "secure.test",
    )
    assert "the DNSKEY RRset of secure.test" in verdict.detail
    assert words in verdict.detail
    link = verdict.link("secure.test")
    assert link is not None
    assert link.signatures[0].result in ("expired", "not-yet-valid")


def test_an_answer_without_its_rrsig_is_bogus() -> None:
    world = fresh_world()
    world.edit_reply("www.secure.test", RdataType.A, _strip_signatures)
    verdict = world.validate("www.secure.test")
    assert (verdict.state, verdict.reason) == (ChainState.BOGUS, Reason.RRSIG_MISSING)
    assert "www.secure.test A" in verdict.detail


def test_an_answer_changed_after_signing_is_bogus() -> None:
    world = fresh_world()

    def forge(message: dns.message.Message) -> None:
        address = message.answer[0]
        forged = dns.rdata.from_text("IN", "A", "203.0.113.66")
        message.answer[0] = dns.rrset.from_rdata(address.name, address.ttl, forged)

    world.edit_reply("www.secure.test", RdataType.A, forge)
    verdict = world.validate("www.secure.test")
    assert (verdict.state, verdict.reason) == (ChainState.BOGUS, Reason.SIGNATURE_INVALID)


def test_a_root_that_is_not_the_trust_anchor_is_bogus(world: World) -> None:
    other = TrustAnchor(dnskeys=(make_key(ECDSA, ksk=True).dnskey,))
    verdict = world.validate("www.secure.test", other)
    assert (verdict.state, verdict.reason) == (ChainState.BOGUS, Reason.ANCHOR_MISMATCH)
    assert verdict.failed_at == "."


def test_a_dnskey_anchor_works_like_a_ds_anchor(world: World) -> None:
    root_ksk = world.zone(".").ksk
    assert root_ksk is not None
    verdict = world.validate("www.secure.test", TrustAnchor(dnskeys=(root_ksk.dnskey,)))
    assert verdict.state is ChainState.SECURE


def test_a_zone_with_ds_but_no_dnskey_is_bogus() -> None:
    world = fresh_world()
    world.edit_reply("secure.test", RdataType.DNSKEY, _drop_answer)
    verdict = world.validate("www.secure.test")
    assert (verdict.state, verdict.reason) == (ChainState.BOGUS, Reason.DNSKEY_MISSING)


def test_a_missing_ds_without_proof_is_bogus() -> None:
    # Given a parent that says "no DS" for a signed child, but shows no NSEC for it
    world = fresh_world()
    world.replace_reply("secure.test", RdataType.DS, _bare_nodata(world, "secure.test"))
    verdict = world.validate("www.secure.test")
    assert (verdict.state, verdict.reason) == (ChainState.BOGUS, Reason.DENIAL_INVALID)
    assert verdict.failed_at == "test"


def test_a_child_cannot_prove_its_own_missing_ds() -> None:
    # Given the DS answer replaced by the child's own apex NODATA (SOA bit set)
    world = fresh_world()
    child_side = world.ask(n("secure.test."), RdataType.NSEC3PARAM)
    world.replace_reply("secure.test", RdataType.DS, replace(child_side, rdtype=RdataType.DS))
    verdict = world.validate("www.secure.test")
    assert (verdict.state, verdict.reason) == (ChainState.BOGUS, Reason.DENIAL_INVALID)


def test_an_nxdomain_without_proof_is_bogus() -> None:
    world = fresh_world()
    world.edit_reply("missing.secure.test", RdataType.A, _keep_only_soa)
    verdict = world.validate("missing.secure.test")
    assert (verdict.state, verdict.reason) == (ChainState.BOGUS, Reason.DENIAL_INVALID)
    assert "NXDOMAIN" in verdict.detail


def test_a_wildcard_answer_without_proof_of_the_missing_name_is_bogus() -> None:
    world = fresh_world()
    world.edit_reply("x.wild.secure.test", RdataType.A, lambda m: m.authority.clear())
    verdict = world.validate("x.wild.secure.test")
    assert (verdict.state, verdict.reason) == (ChainState.BOGUS, Reason.DENIAL_INVALID)
    assert "wildcard" in verdict.detail


# --- hostile answers: bounded work ----------------------------------------------------------


def crowd_of(key: Key, count: int) -> list[DNSKEY]:
    """`count` well-formed keys with `key`'s key tag and algorithm (none of them usable).

    The key tag is a checksum of the record: raising one byte of the key and lowering the
    byte two places further keeps it, so each variant collides by construction.
    """
    public = bytearray(key.dnskey.key)
    crowd: list[DNSKEY] = []
    for step in range(1, 8):
        for index in range(len(public) - 2):
            if len(crowd) == count:
                return crowd
            if public[index] + step > 255 or public[index + 2] - step < 0:
                continue
            variant = bytearray(public)
            variant[index] += step
            variant[index + 2] -= step
            crowd.append(dnskey_of(bytes(variant), key.dnskey.algorithm, key.dnskey.flags))
    raise AssertionError("could not build the crowd")


def test_hundreds_of_keys_sharing_a_tag_are_refused_quickly() -> None:
    # Given secure.test's DNSKEY RRset padded with 300 keys that share the ZSK's key tag
    world = fresh_world()
    zone = world.zone("secure.test.")
    assert zone.zsk is not None
    assert zone.ksk is not None
    crowd = crowd_of(zone.zsk, 300)
    assert {dns.dnssec.key_id(key) for key in crowd} == {zone.zsk.tag}
    keys = dns.rrset.from_rdata_list(zone.origin, 300, [zone.ksk.dnskey, zone.zsk.dnskey, *crowd])
    signature = sign(keys, zone.ksk, zone.origin, VALID)
    world.edit_reply("secure.test", RdataType.DNSKEY, lambda m: _set_answer(m, keys, signature))
    # When netready validates a name signed by the ZSK
    started = time.perf_counter()
    verdict = world.validate("www.secure.test")
    elapsed = time.perf_counter() - started
    # Then it refuses to try them all: bogus, fast, and says why
    assert (verdict.state, verdict.reason) == (ChainState.BOGUS, Reason.TOO_MANY_KEYS)
    assert "302 keys" not in verdict.detail
    assert "301 keys of secure.test" in verdict.detail
    assert elapsed < 1.0
    link = verdict.link("secure.test")
    assert link is not None
    evidence = link.as_evidence()
    assert (len(evidence["dnskeys"]), evidence["dnskeys_total"]) == (32, 302)


def test_a_crowd_behind_the_ds_is_refused_too() -> None:
    world = fresh_world()
    zone = world.zone("secure.test.")
    assert zone.ksk is not None
    assert zone.zsk is not None
    crowd = crowd_of(zone.ksk, 40)
    keys = dns.rrset.from_rdata_list(zone.origin, 300, [*crowd, zone.ksk.dnskey, zone.zsk.dnskey])
    signature = sign(keys, zone.ksk, zone.origin, VALID)
    world.edit_reply("secure.test", RdataType.DNSKEY, lambda m: _set_answer(m, keys, signature))
    verdict = world.validate("www.secure.test")
    assert (verdict.state, verdict.reason) == (ChainState.BOGUS, Reason.TOO_MANY_KEYS)


def test_the_number_of_signature_checks_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dnssec_chain, "MAX_VERIFICATIONS", 3)
    verdict = fresh_world().validate("www.secure.test")
    assert (verdict.state, verdict.reason) == (ChainState.BOGUS, Reason.WORK_LIMIT)


def test_a_cname_loop_is_undecidable_not_endless(world: World) -> None:
    verdict = world.validate("loop1.secure.test")
    assert (verdict.state, verdict.reason) == (ChainState.INDETERMINATE, Reason.CNAME_LOOP)
    assert "loop1.secure.test -> loop2.secure.test -> loop1.secure.test" in verdict.detail


def test_a_name_of_too_many_labels_is_not_walked(world: World) -> None:
    name = ".".join(["x"] * 60) + ".secure.test"
    assert first_questions(n(name)) == []  # nothing is asked for it
    verdict = validate_chain(n(name), {}, world.anchor, now=NOW)
    assert (verdict.state, verdict.reason) == (ChainState.INDETERMINATE, Reason.NAME_TOO_LONG)


# --- could not decide -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (QueryFailure.TIMEOUT, Reason.TIMEOUT),
        (QueryFailure.SERVFAIL, Reason.SERVFAIL),
        (QueryFailure.MALFORMED, Reason.MALFORMED),
        (QueryFailure.TRUNCATED, Reason.TRUNCATED),
        (QueryFailure.NETWORK, Reason.NETWORK),
    ],
)
def test_a_question_without_answer_leaves_the_zone_undecided(
    failure: QueryFailure, reason: Reason
) -> None:
    world = fresh_world()
    failed = DnssecReply(n("secure.test."), RdataType.DS, None, "192.0.2.53", failure, "why")
    world.replace_reply("secure.test", RdataType.DS, failed)
    verdict = world.validate("www.secure.test")
    assert (verdict.state, verdict.reason, verdict.zone) == (
        ChainState.INDETERMINATE,
        reason,
        "secure.test",  # the SOA answer names the zone
    )
    assert "secure.test DS" in verdict.detail


def test_a_name_nothing_answered_for_is_its_own_subject() -> None:
    world = fresh_world()
    for rdtype in (RdataType.DS, *ANSWER_TYPES):
        failed = DnssecReply(n("www.secure.test."), rdtype, None, None, QueryFailure.TIMEOUT)
        world.replace_reply("www.secure.test", rdtype, failed)
    verdict = world.validate("www.secure.test")
    assert (verdict.state, verdict.zone) == (ChainState.INDETERMINATE, "www.secure.test")


def test_a_servfail_message_is_undecided() -> None:
    world = fresh_world()
    world.edit_reply("www.secure.test", RdataType.AAAA, lambda m: m.set_rcode(dns.rcode.SERVFAIL))
    verdict = world.validate("www.secure.test")
    assert (verdict.state, verdict.reason) == (ChainState.INDETERMINATE, Reason.SERVFAIL)


def test_a_resolver_that_strips_signatures_is_named() -> None:
    world = fresh_world()
    world.edit_reply(".", RdataType.DNSKEY, _strip_signatures)
    verdict = world.validate("www.secure.test")
    assert (verdict.state, verdict.reason) == (
        ChainState.INDETERMINATE,
        Reason.RESOLVER_STRIPS_DNSSEC,
    )


# --- the signature check itself, against BIND's own signatures -----------------------------

# Signed by BIND 9.18's dnssec-signzone (valid 2024-01-01 to 2044-01-01) with one key per
# algorithm; the MX data has mixed case (the canonical form lowercases it), and the wildcard
# is checked as the name it was expanded to.
BIND_SIGNED = """
vec.example. 300 IN DNSKEY (
    256 3 5 AwEAAcd3zXfH26kxbNV7eY3+rPD9Rxk6mTL5RYDYjUyx/TwfN9kfstQz
    iEfjIZ7mADbspSiZqkshR+3rr1eLbGUIJQyvY/WyME+6j9C84V0yGhDg
    IlQzssSLy9vzT8qCBCzSWmi7HdLJ50FbH2LRLkoyOiShMvjcqzVsOKCB fYL8fkDd )
vec.example. 300 IN DNSKEY (
    256 3 8 AwEAAaZhIz7iQaGo8WkwK6Ko7osmwc2gHjsZVryHuVNXKCaGGRTKvU7z
    AlPw8c7RCoQyZ+X/TjxQls29G2DlusFCMHJWPCa6Gc7m60jceJfQ3ixl
    3PG5O/j0jqpTge0K/5G7InH/IyX9W0MVQ7MIDVWonrHt2s+8oUAFqtbN H8xqE3up )
vec.example. 300 IN DNSKEY (
    256 3 13 Q/JWVpUIhAgghC2SH94NJsGsJc1NmiZjhwF8XOICUwh7Xwk/W63l8J00
    rxspY5axVznoNlGzVGFHSXBPPNHsXQ== )
vec.example. 300 IN DNSKEY (
    256 3 14 y7+lQQh2dmNsuBqPDs77nw+Xm/O45rYa8TySKn/reMLkSuBapTU4wFk1
    nj75npCPXgS+V7sOy6EctN1zZ2zL8r/4AAMxg5ih2i3KX6zF2OPv3hx7 vraIem0jeT1gtlUi )
vec.example. 300 IN DNSKEY 256 3 15 PAbwSA7A1gApEXQmwIFAapJEr3K15TovEbB5TRoXfR8=
vec.example. 300 IN DNSKEY (
    256 3 16 6qCH5llP6aUMHTyt0FDmxGT3IiyRioqc5x1uqaDH/xoknhko0QYHgmnR
    KN3qpXKkzmBHumWbbImA )
vec.example. 300 IN RRSIG (
    DNSKEY 5 2 300 20440101000000 20240101000000 45762 vec.example.
    fQklkKreH2pqs6w9JDRvTcvDZ7K7j+z18AZ5YpZ1UQmRvTefR0CbmpPa
    V9+u0SRmybcpg8ts6LPj1nicj1RI7CTE7Q0dGKRA9FjVaIpRXTAswk6u
    bH6WwrxkexYRF+DUfcySVNmbZPgqEclDmuLh1o04Kl5gihCWsgYCDIxX fpg= )
vec.example. 300 IN RRSIG (
    DNSKEY 8 2 300 20440101000000 20240101000000 18946 vec.example.
    QldcEMUwwns6WN210yppGr2Aq3isznwzfE0FwCLY9+2avGTNDOtVsaNb
    GmnfRfc9berT/Nzmjcs+4WjkTwGHUgFig8IkokxNxhR0u0xAdQqK62R4
    i37Lv0ct/K2+XEoJBfb84UPkcFatvHHoFn0BNb3DCEtyfeNDR9NIngxi O6Y= )
vec.example. 300 IN RRSIG (
    DNSKEY 13 2 300 20440101000000 20240101000000 24400 vec.example.
    x56zvt3h2r2hS7w8m/9PYK6kZqODc2eNfaGWD5n7vcZPK682kPxHFCmq
    cB8czuBruSzMxt6Q0JN66DA2eYX/ZA== )
vec.example. 300 IN RRSIG (
    DNSKEY 14 2 300 20440101000000 20240101000000 46382 vec.example.
    Fti9Qd6tma5TR4WOmgzbt5y3hF+VAPVGAe7O7N7E7NppY/DtIA10R8sr
    z9v3dh0QYzoFApXRP9bCcf0BQmSFfc081YlAfakPJF3nKxb+ik9j5lEC 82RGzYDMiT6kgLjj )
vec.example. 300 IN RRSIG (
    DNSKEY 15 2 300 20440101000000 20240101000000 1859 vec.example.
    QB8iC6sCZCiLdgMXFtSGcGp9nbZSqfVNjjvhYf+YKHNjWw8syD98xo5n
    ErIiOgovDyli8QrjeXL73hcaKnXcCw== )
vec.example. 300 IN RRSIG (
    DNSKEY 16 2 300 20440101000000 20240101000000 49385 vec.example.
    E2+YROx2dTb8Dwk14B8ikaFuZnFPG5ue4YgleffwztodPxY/OKqx0yAV
    xkx850aEc45cY+j8PBCAdGoPbwKt2oSDPw+2v7X82NkPlj9lfRwWvbZN
    0ZSZtBKU6OQ7MAPhsQi1ZJYRoeBB5lpigC+MFBwA )
Mixed.vec.example. 300 IN MX 10 Mail.VEC.example.
Mixed.vec.example. 300 IN RRSIG (
    MX 5 3 300 20440101000000 20240101000000 45762 vec.example.
    c9xd5Hxi+TEZMyxqpjcWQa/kn4ZO1sjm18GQl4cUiQO3VdPjrZS+ok22
    B8ylyz6gub0beG9Ll7zvER4f0Q2Dw6wWMtLhg9Yn+RMZzyQjdCCtUMGm
    wbpCQhAIM4vaoRyrq83LQUrL1X9yNVG+TfHdO4L3bfNgwPHJrGziMGok YAA= )
Mixed.vec.example. 300 IN RRSIG (
    MX 8 3 300 20440101000000 20240101000000 18946 vec.example.
    cZcW6mjvgMAMmjFNMUEXNBUe2I3tQDE8CbF9FC+0hnPI/iHjPQRvwE8e
    qzTp+MXWhrMyYfdnDjKizPMKKS1CbaD9nXpAMbp/7FfQTuIVQLrhLORA
    5ezBTmrC3GIYCYfOx9aOF0NVmtUndzkZ4RpKxvIkWeg4LNqf7uY9OzOZ eIc= )
Mixed.vec.example. 300 IN RRSIG (
    MX 13 3 300 20440101000000 20240101000000 24400 vec.example.
    FZkste0nAn7Xt7Jq9u+vyJ4kydlGz8oFx7ftClilnYyJ54joSIaZ7k0J
    1EI2Ou4kw4YkRRWR8ImGf6uN3Dxwdw== )
Mixed.vec.example. 300 IN RRSIG (
    MX 14 3 300 20440101000000 20240101000000 46382 vec.example.
    SCZ6PIEiio922nGyAMrcnrmUmyBCIYFi8JIv8y0vu0N4zZIqYAmkbgYj
    OoduyOnocEUxf8vqklIosM/rDQqhxvnh5W1WG2VIszHiPMZw76Cb/exp Om2BejDB887ZfsKV )
Mixed.vec.example. 300 IN RRSIG (
    MX 15 3 300 20440101000000 20240101000000 1859 vec.example.
    Ob++vIZyqhI8us3yFAF+RS5rynxYoXquuXIShNbaHCp8uYFDM296QJVv
    Xk09tND5XF/kl253XQfBVN4YkVTTCA== )
Mixed.vec.example. 300 IN RRSIG (
    MX 16 3 300 20440101000000 20240101000000 49385 vec.example.
    rC6PGLzJWXd9ux6Qc4qvjDczI16Bd68LkaNf2brk6dOlP7VDj7Mn6SE8
    LmUP12bf3f7xx31GqF4AkSc7PPHtqlwD4lfzBhjlJxfv2sIb97QuHHB3
    aq3FwLbISvDaZeIKomONmjqRn0R348dzViKdjjgA )
*.wild.vec.example. 300 IN A 192.0.2.82
*.wild.vec.example. 300 IN RRSIG (
    A 5 3 300 20440101000000 20240101000000 45762 vec.example.
    umdEGnWm1Wtd4/ONsDPdisqEvxRX0EyJdcXnHOw1ARSc/k2N7Hk7nQjE
    3gAMqSmrr6t/9Wc/i+rNAMUU8FbwTvrYHuiGUmOTwwH5aWLR7VuHcmjg
    x2iqnRUdh+dhxKmSTAox9CCRW7z9fG3/oBD4kRJ+9/3Jd87jwQ62OmwP lvg= )
*.wild.vec.example. 300 IN RRSIG (
    A 8 3 300 20440101000000 20240101000000 18946 vec.example.
    Mum7VqdpgDvU4nGOM3QPiImVyQfw+BB5PbSom8yvDp8rIol3lzlslPNj
    lQtkLc1nce0zPTLMezwnH08a8I6iQOF4gF+rmhZfptXgTUseTLDUwAYa
    PKRO/qc0srHCKWxhWU9nCUWsOdXM7lkx4FKFyPq+vA2cARvtvhrKO8m/ 5Qc= )
*.wild.vec.example. 300 IN RRSIG (
    A 13 3 300 20440101000000 20240101000000 24400 vec.example.
    LJMHlXfs3dc85a7ZyRFook3XnMIWSMAW1GCJCIaUCemNUOJ8k8YlfEqq
    xQWt2+bcme/rAGyQ1OLBsTPyPKqh+Q== )
*.wild.vec.example. 300 IN RRSIG (
    A 14 3 300 20440101000000 20240101000000 46382 vec.example.
    /5M6dbFS5Oi9SB5Ua09K/SGn0c0nMWl7zYyHu2xtqRPG7jNhWkatzRFl
    2RIOBJxt4exQNWku7v092D1F4GLIJ2P6aWfH5xMTyAc0xV9oG6AxXJRj qS/MeAPiejZLqCRM )
*.wild.vec.example. 300 IN RRSIG (
    A 15 3 300 20440101000000 20240101000000 1859 vec.example.
    okEs8JFqw0URoNQ0F/XDYAEIoh0T4Xl2dMRrXcR+5557btiKahCxB6Op
    mjj/w7ReYVVnETbjuUeFSAX7tumXBQ== )
*.wild.vec.example. 300 IN RRSIG (
    A 16 3 300 20440101000000 20240101000000 49385 vec.example.
    cnm+RRhA4tDY+Vyrr/OPbhhXqD0dDB6GK5e8ep9RKjS33phnIGpAGZF9
    d5gPWhCNWjeyF8FadfOAsrMHAWyezsF9CfIqCv8Wihhf6oCqsKzHegzl
    TGn+VNvHWY2NGVZKNk+BjCKKhAbxNfYC4pbRVQoA )
www.vec.example. 300 IN A 192.0.2.80
www.vec.example. 300 IN A 192.0.2.81
www.vec.example. 300 IN RRSIG (
    A 5 3 300 20440101000000 20240101000000 45762 vec.example.
    T7BE+UA+OOeXi3aQw7rx3z86KK+SVB89KktdzAILio+VFWiAO3ibEIT8
    fLAuuitE2afym8Y9nhTj7GFD5pjtM11adnaZ2saw4H0QOLJHtz5LMsXY
    tkTVMyMjS2pq8PqtZIhMhNPj1e31KR/nW74kie1qPDJmPOiaooFgbvOO sOI= )
www.vec.example. 300 IN RRSIG (
    A 8 3 300 20440101000000 20240101000000 18946 vec.example.
    hPG3EEP/9d+jb3+pnEWCxG6O2qp1uIa9G/tbfilyRNW9UgnpU1opeLm+
    wVOwz03gupsghLiIIZPpHQWRMcqPNArMsZB5gHNjuGrMY8yYObSQJvud
    VSxSHlMY1NkI4jnZE+i0G+FQ/i0QnqueAsoawVgnpjMeGmOnHACDCSy/ f6E= )
www.vec.example. 300 IN RRSIG (
    A 13 3 300 20440101000000 20240101000000 24400 vec.example.
    RFATgadBz1o1AoxQcbvfLm1XQa1W5b2ba0eODIKS5Y/vd/fMQpaKoZ1K
    omqO06ykcPEOM6Z1Q+1G9nS5J9fYwg== )
www.vec.example. 300 IN RRSIG (
    A 14 3 300 20440101000000 20240101000000 46382 vec.example.
    tE9ODtIZ/I80CR3fbO7YT55B5l2sH8qUG0gEA0MpwZE/vgEuzLwMX35W
    dZyuU/5QJR5Oai+OG5h0nUrcpB+eGt75NGjx7gSxyT4MxjTVmnBZFh6E 0BlBaZL/jcYf3Y0e )
www.vec.example. 300 IN RRSIG (
    A 15 3 300 20440101000000 20240101000000 1859 vec.example.
    +fuxhshCQI3GYb8DozwztsEL+cR6Kkf6lNK64/oq9gPGCKs0rlrq30sI
    /rwCtK5KHnEfiQ2mp9aJ1+5D7ELOBw== )
www.vec.example. 300 IN RRSIG (
    A 16 3 300 20440101000000 20240101000000 49385 vec.example.
    RkrTR0k+F5S9rjNAvO227bCavNeu+O1MTGScbt6ljiRbvkmiPqazsyL9
    u7tpdZz+H5kiy9rbjuMA1iikLv/Xjv+se2jk7LZm1kJCtQMZWwvZgajv
    b8rzkfBKS0NOYJU1kjdpHiv3t4gKhFyzF2nbhzkA )
"""


def test_signatures_made_by_bind_verify_for_every_supported_algorithm() -> None:
    rrsets = _read_rrsets(BIND_SIGNED, n("vec.example."))
    data = {(r.name, r.rdtype): r for r in rrsets if r.rdtype != RdataType.RRSIG}
    sigs = {(r.name, r.covers): r for r in rrsets if r.rdtype == RdataType.RRSIG}
    keys = {dns.dnssec.key_id(key): key for key in data[(n("vec.example."), RdataType.DNSKEY)]}
    expanded = dns.rrset.from_rdata_list(
        n("x.wild.vec.example."), 300, list(data[(n("*.wild.vec.example."), RdataType.A)])
    )
    checked = 0
    for (owner, covered), signatures in sigs.items():
        rrset = data[(owner, covered)]
        for rrsig in signatures:
            assert verify_signature(rrset, rrsig, keys[rrsig.key_tag]), (owner, rrsig.algorithm)
            if owner == n("*.wild.vec.example."):
                assert verify_signature(expanded, rrsig, keys[rrsig.key_tag])
            checked += 1
    assert checked == 6 * 4  # 6 algorithms over DNSKEY, www A, Mixed MX, *.wild A


def test_a_signature_checked_with_the_wrong_data_or_key_fails() -> None:
    rrsets = _read_rrsets(BIND_SIGNED, n("vec.example."))
    www = next(r for r in rrsets if r.name == n("www.vec.example.") and r.rdtype == RdataType.A)
    sigs = next(r for r in rrsets if r.name == www.name and r.rdtype == RdataType.RRSIG)
    keys = next(r for r in rrsets if r.rdtype == RdataType.DNSKEY)
    by_tag = {dns.dnssec.key_id(key): key for key in keys}
    one_address = dns.rrset.from_rdata_list(www.name, 300, list(www)[:1])
    for rrsig in sigs:
        assert not verify_signature(one_address, rrsig, by_tag[rrsig.key_tag])
        garbled = replace_key(by_tag[rrsig.key_tag])
        assert not verify_signature(www, rrsig, garbled)


def replace_key(key: DNSKEY) -> DNSKEY:
    """The key with its last byte changed: for ECDSA/EdDSA often no valid point at all."""
    public = bytearray(key.key)
    public[-1] ^= 0x01
    return dnskey_of(bytes(public), key.algorithm, key.flags)


# --- helpers for breaking answers -------------------------------------------------------------


def _strip_signatures(message: dns.message.Message) -> None:
    for section in (message.answer, message.authority):
        section[:] = [rrset for rrset in section if rrset.rdtype != RdataType.RRSIG]


def _drop_answer(message: dns.message.Message) -> None:
    message.answer.clear()


def _keep_only_soa(message: dns.message.Message) -> None:
    message.authority[:] = [r for r in message.authority if RdataType.SOA in (r.rdtype, r.covers)]


def _set_answer(
    message: dns.message.Message, rrset: dns.rrset.RRset, signature: dns.rrset.RRset
) -> None:
    message.answer[:] = [rrset, signature]


def _bare_nodata(world: World, name: str) -> DnssecReply:
    reply = world.ask(n(name), RdataType.DS)
    assert reply.message is not None
    reply.message.answer.clear()
    parent = world.zone_for(n(name), RdataType.DS)
    reply.message.authority[:] = [
        parent.rrsets[(parent.origin, RdataType.SOA)],
        parent.sigs[(parent.origin, RdataType.SOA)],
    ]
    return reply


# --- what the probes ask ----------------------------------------------------------------------


def test_the_questions_come_in_two_rounds(world: World) -> None:
    name = n("www.secure.test.")
    first = first_questions(name)
    assert first[:4] == [
        (n("."), RdataType.DNSKEY),
        (n("test."), RdataType.DS),
        (n("secure.test."), RdataType.DS),
        (n("www.secure.test."), RdataType.DS),
    ]
    assert [rdtype for _name, rdtype in first[4:]] == list(ANSWER_TYPES)
    replies = {q: world.ask(*q) for q in first}
    assert second_questions(name, replies) == [
        (n("test."), RdataType.DNSKEY),
        (n("secure.test."), RdataType.DNSKEY),
        (n("secure.test."), RdataType.NSEC3PARAM),
    ]
    assert guess_zone(name, replies) == n("secure.test.")
    assert mx_hosts(n("secure.test."), world.replies("secure.test"), limit=5) == [
        n("mx.mailzone.test."),
        n("mail.secure.test."),
    ]
    assert mx_hosts(n("secure.test."), world.replies("secure.test"), limit=1) == [
        n("mx.mailzone.test.")
    ]


@pytest.mark.parametrize(
    ("target", "zone", "expected"),
    [
        ("www.secure.test", "secure.test.", [DenialInfo("nsec")]),
        ("www.secure.nsec3tld", "secure.nsec3tld.", [DenialInfo("nsec3", 10, "abcd")]),
        (
            "www.optout",
            "optout.",
            [DenialInfo("nsec3", 0, "", False), DenialInfo("nsec3", 0, "", True)],
        ),
    ],
)
def test_denial_parameters_are_read_from_the_zones_records(
    world: World, target: str, zone: str, expected: list[DenialInfo]
) -> None:
    replies = world.replies(target)
    replies[(n(zone), RdataType.NSEC3PARAM)] = world.ask(n(zone), RdataType.NSEC3PARAM)
    replies[(n("nothere." + zone), RdataType.A)] = world.ask(n("nothere." + zone), RdataType.A)
    found = denial_parameters(n(zone), replies)
    assert sorted((d.kind, d.iterations, d.salt, d.opt_out) for d in found) == sorted(
        (d.kind, d.iterations, d.salt, d.opt_out) for d in expected
    )


# --- evaluation: every verdict of every check -------------------------------------------------


def verdict_of(
    state: ChainState,
    reason: Reason,
    *,
    algorithms: tuple[int, ...] = (ECDSA,),
    digests: tuple[int, ...] = (2,),
    zone: str = "secure.test",
) -> ChainVerdict:
    link = ZoneLink(
        zone,
        ds=tuple(DsInfo(1000 + i, algorithms[0], d) for i, d in enumerate(digests)),
        dnskeys=tuple(KeyInfo(2000 + i, 257, a) for i, a in enumerate(algorithms)),
    )
    return ChainVerdict(f"www.{zone}", zone, state, reason, "the detail", (link,))


@pytest.mark.parametrize(
    ("state", "reason", "status", "words"),
    [
        (ChainState.SECURE, Reason.VALIDATED, Status.PASS, "chain of trust validates"),
        (ChainState.INSECURE, Reason.NO_DS, Status.FAIL, "not protected by DNSSEC"),
        (ChainState.INSECURE, Reason.UNSUPPORTED_ALGORITHM, Status.FAIL, "not protected"),
        (ChainState.BOGUS, Reason.DS_MISMATCH, Status.FAIL, "broken DNSSEC (bogus)"),
        (ChainState.BOGUS, Reason.SIGNATURE_EXPIRED, Status.FAIL, "bogus"),
        (ChainState.INDETERMINATE, Reason.TIMEOUT, Status.ERROR, "Could not decide"),
    ],
)
def test_status_grades_each_state(
    state: ChainState, reason: Reason, status: Status, words: str
) -> None:
    finding = evaluate_status(
        "www.secure.test", verdict_of(state, reason), resolvers=("192.0.2.53",)
    )
    assert (finding.check_id, finding.status, finding.subject) == (
        "dnssec.status",
        status,
        "secure.test",
    )
    assert words in finding.summary
    assert finding.evidence["state"] == state.value
    assert finding.evidence["reason"] == reason.value
    assert finding.evidence["chain"][0]["zone"] == "secure.test"
    assert finding.evidence["resolvers"] == ["192.0.2.53"]


def test_a_mail_zone_finding_names_the_mail_host() -> None:
    verdict = verdict_of(ChainState.SECURE, Reason.VALIDATED, zone="mailzone.test")
    finding = evaluate_status("secure.test", verdict, mail_host="mx.mailzone.test")
    assert (finding.target, finding.subject) == ("secure.test", "mailzone.test")
    assert "mail host mx.mailzone.test" in finding.summary
    assert finding.evidence["mail_host"] == "mx.mailzone.test"


@pytest.mark.parametrize(
    ("algorithms", "digests", "status", "words"),
    [
        ((13,), (2,), Status.PASS, "ECDSAP256SHA256 (13)"),
        ((8,), (2, 4), Status.PASS, "RSASHA256 (8)"),
        ((15,), (2,), Status.PASS, "ED25519"),
        ((5,), (2,), Status.WARNING, "RSASHA1 (5)"),
        ((7,), (2,), Status.WARNING, "RSASHA1-NSEC3-SHA1 (7)"),
        ((13,), (1,), Status.WARNING, "SHA-1 (1)"),
        ((10,), (2,), Status.INFO, "RSASHA512 (10)"),
        ((1,), (2,), Status.FAIL, "RSAMD5 (1) MUST NOT"),
        ((3,), (2,), Status.FAIL, "DSA (3)"),
        ((12,), (2,), Status.FAIL, "ECC-GOST"),
        ((13,), (3,), Status.FAIL, "GOST R 34.11-94"),
        ((200,), (2,), Status.WARNING, "unknown (200)"),
        ((8, 5), (2,), Status.WARNING, "RSASHA1 (5)"),
    ],
)
def test_algorithms_are_graded_by_rfc_8624(
    algorithms: tuple[int, ...], digests: tuple[int, ...], status: Status, words: str
) -> None:
    verdict = verdict_of(
        ChainState.SECURE, Reason.VALIDATED, algorithms=algorithms, digests=digests
    )
    finding = evaluate_algorithm("www.secure.test", verdict)
    assert (finding.check_id, finding.status) == ("dnssec.algorithm", status)
    assert words in finding.summary
    assert [a["number"] for a in finding.evidence["algorithms"]] == sorted(set(algorithms))


def test_the_algorithm_of_an_unsigned_or_unknown_zone() -> None:
    unsigned = evaluate_algorithm("x", verdict_of(ChainState.INSECURE, Reason.NO_DS))
    assert unsigned.status is Status.INFO
    unknown = replace(verdict_of(ChainState.INDETERMINATE, Reason.TIMEOUT), links=())
    assert evaluate_algorithm("x", unknown).status is Status.ERROR
    # an insecure verdict for unsupported algorithms still grades them
    dsa = verdict_of(ChainState.INSECURE, Reason.UNSUPPORTED_ALGORITHM, algorithms=(3,))
    assert evaluate_algorithm("x", dsa).status is Status.FAIL


@pytest.mark.parametrize(
    ("denial", "status", "words"),
    [
        ([DenialInfo("nsec")], Status.PASS, "NSEC"),
        ([DenialInfo("nsec3")], Status.PASS, "no extra iterations and no salt"),
        ([DenialInfo("nsec3", 10, "abcd")], Status.WARNING, "10 extra iterations"),
        ([DenialInfo("nsec3", 0, "abcd")], Status.WARNING, "a salt (abcd"),
        ([DenialInfo("nsec3", 151)], Status.FAIL, "treat over 150 as unsigned"),
        ([DenialInfo("nsec3", 0, "", True)], Status.INFO, "opt-out"),
        ([DenialInfo("nsec3", 5, "", True)], Status.WARNING, "opt-out"),
        ([], Status.ERROR, "Could not see"),
    ],
)
def test_nsec3_is_graded_by_rfc_9276(denial: list[DenialInfo], status: Status, words: str) -> None:
    verdict = verdict_of(ChainState.SECURE, Reason.VALIDATED)
    finding = evaluate_nsec3("www.secure.test", verdict, denial)
    assert (finding.check_id, finding.status) == ("dnssec.nsec3", status)
    assert words in finding.summary


def test_an_undecided_zone_is_not_graded_from_what_was_seen() -> None:
    # an error is never shown as a pass, even when some records of the zone were seen
    verdict = verdict_of(ChainState.INDETERMINATE, Reason.TIMEOUT)
    assert evaluate_nsec3("x", verdict, [DenialInfo("nsec")]).status is Status.ERROR
    assert evaluate_algorithm("x", verdict).status is Status.ERROR


def test_an_unsigned_zone_has_no_nsec3_to_grade() -> None:
    verdict = verdict_of(ChainState.INSECURE, Reason.NO_DS)
    assert evaluate_nsec3("x", verdict, []).status is Status.INFO


# --- the family, with the world behind a fake resolver ---------------------------------------


class FakeDns:
    def __init__(self, resolvers: tuple[str, ...]) -> None:
        self.resolvers = resolvers


class FakeContext:
    """What the engine gives a family: `probe` under a timeout, `once` per key."""

    def __init__(self, config: ScanConfig) -> None:
        self.config = config
        self.dns = FakeDns(config.resolvers)
        self.facts: dict[str, asyncio.Task[Any]] = {}
        self.probes: list[str] = []

    async def probe(
        self,
        what: str,
        operation: Callable[[], Awaitable[T]],
        *,
        host: str | None = None,
        timeout: float | None = None,
    ) -> T:
        self.probes.append(what)
        return await asyncio.wait_for(operation(), timeout)

    async def once(self, key: str, operation: Callable[[], Awaitable[T]]) -> T:
        if key not in self.facts:
            self.facts[key] = asyncio.ensure_future(operation())
        result: T = await self.facts[key]
        return result


def anchor_file(tmp_path: Path, world: World) -> Path:
    path = tmp_path / "root.anchor"
    path.write_text("".join(f". IN DS {ds.to_text()}\n" for ds in world.anchor.ds))
    return path


def use_world(
    monkeypatch: pytest.MonkeyPatch, world: World, broken: dict[str, BaseException] | None = None
) -> None:
    async def query(
        name: dns.name.Name, rdtype: RdataType, resolver: str, *, timeout: float
    ) -> dns.message.Message:
        if broken and resolver in broken:
            raise broken[resolver]
        reply = world.ask(name, rdtype)
        assert reply.message is not None
        return reply.message

    monkeypatch.setattr(family_module, "query_dnssec", query)


def run_family(context: FakeContext, *targets: str) -> list[Finding]:
    async def scan() -> list[Finding]:
        found: list[Finding] = []
        for text in targets:
            found += [
                f async for f in DnssecFamily(clock=lambda: NOW).run(parse_target(text), context)
            ]
        return found

    return asyncio.run(scan())


def test_the_family_reports_the_zone_and_its_mail_zone(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_world(monkeypatch, world)
    config = ScanConfig(resolvers=("192.0.2.53",), trust_anchor=anchor_file(tmp_path, world))
    context = FakeContext(config)
    findings = run_family(context, "secure.test")
    assert [(f.check_id, f.subject, f.status) for f in findings] == [
        ("dnssec.status", "secure.test", Status.PASS),
        ("dnssec.algorithm", "secure.test", Status.PASS),
        ("dnssec.nsec3", "secure.test", Status.PASS),
        ("dnssec.status", "mailzone.test", Status.PASS),  # mail.secure.test: the same zone
    ]
    assert all(f.target == "secure.test" for f in findings)
    assert findings[3].evidence["mail_host"] == "mx.mailzone.test"


def test_answers_are_shared_across_the_targets_of_a_scan(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_world(monkeypatch, world)
    config = ScanConfig(resolvers=("192.0.2.53",), trust_anchor=anchor_file(tmp_path, world))
    context = FakeContext(config)
    run_family(context, "www.secure.test")
    asked_once = len(context.probes)
    run_family(context, "v4only.secure.test")
    # only the new name's own questions go out: DS, SOA, A, AAAA, MX at v4only
    assert len(context.probes) - asked_once == 5
    assert len(set(context.probes)) == len(context.probes)


def test_a_nsec3_zone_is_graded_from_its_nsec3param(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_world(monkeypatch, world)
    config = ScanConfig(resolvers=("192.0.2.53",), trust_anchor=anchor_file(tmp_path, world))
    findings = run_family(FakeContext(config), "secure.nsec3tld")
    nsec3 = next(f for f in findings if f.check_id == "dnssec.nsec3")
    assert nsec3.status is Status.WARNING
    assert nsec3.evidence["iterations"] == 10
    assert nsec3.evidence["salt"] == ["abcd"]


def test_an_unusable_trust_anchor_makes_every_check_an_error(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_world(monkeypatch, world)
    bad = tmp_path / "bad.anchor"
    bad.write_text("example. IN A 192.0.2.1\n")
    context = FakeContext(ScanConfig(resolvers=("192.0.2.53",), trust_anchor=bad))
    findings = run_family(context, "secure.test")
    assert [f.status for f in findings[:3]] == [Status.ERROR] * 3
    assert findings[0].evidence["reason"] == "trust-anchor"
    assert "only anchors for the root" in findings[0].summary


def test_the_shipped_anchor_is_used_by_default(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test world's root is not IANA's: with the shipped anchor it must be bogus
    use_world(monkeypatch, world)
    findings = run_family(FakeContext(ScanConfig(resolvers=("192.0.2.53",))), "secure.test")
    assert findings[0].status is Status.FAIL
    assert findings[0].evidence["reason"] == "anchor-mismatch"
    assert "20326" in findings[0].summary


def test_a_failing_resolver_hands_over_to_the_next(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_world(monkeypatch, world, broken={"192.0.2.1": dns.exception.Timeout()})
    config = ScanConfig(
        resolvers=("192.0.2.1", "192.0.2.53"), trust_anchor=anchor_file(tmp_path, world)
    )
    findings = run_family(FakeContext(config), "www.secure.test")
    assert findings[0].status is Status.PASS


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (dns.exception.Timeout(), "timeout"),
        (dns.message.ShortHeader(), "malformed"),
        (TruncatedAnswerError("truncated, and TCP failed"), "truncated"),
        (ConnectionRefusedError(111, "Connection refused"), "network-error"),
    ],
)
def test_a_resolver_that_fails_gives_errors_with_the_reason(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    error: BaseException,
    reason: str,
) -> None:
    use_world(monkeypatch, world, broken={"192.0.2.53": error})
    config = ScanConfig(resolvers=("192.0.2.53",), trust_anchor=anchor_file(tmp_path, world))
    findings = run_family(FakeContext(config), "www.secure.test")
    assert [f.status for f in findings] == [Status.ERROR] * 3
    assert findings[0].evidence["reason"] == reason


def test_a_resolver_that_never_answers_costs_one_timeout(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def silent(*_args: object, **_kwargs: object) -> dns.message.Message:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    monkeypatch.setattr(family_module, "query_dnssec", silent)
    monkeypatch.setattr(family_module, "PROBE_GRACE_SECONDS", 0.05)
    config = ScanConfig(
        resolvers=("192.0.2.53",), trust_anchor=anchor_file(tmp_path, world), timeout=0.3
    )
    started = time.monotonic()
    findings = run_family(FakeContext(config), "www.secure.test")
    assert time.monotonic() - started < 1.5
    assert findings[0].evidence["reason"] == "timeout"
    assert findings[0].subject == "www.secure.test"


def test_query_failures_are_classified() -> None:
    assert describe_failure(dns.exception.Timeout())[0] is QueryFailure.TIMEOUT
    assert describe_failure(TimeoutError())[0] is QueryFailure.TIMEOUT
    assert describe_failure(dns.message.ShortHeader())[0] is QueryFailure.MALFORMED
    assert describe_failure(dns.exception.FormError("bad"))[1].startswith("malformed answer")
    assert describe_failure(TruncatedAnswerError("x"))[0] is QueryFailure.TRUNCATED
    assert describe_failure(OSError(101, "Network is unreachable"))[0] is QueryFailure.NETWORK
    assert describe_failure(EOFError())[0] is QueryFailure.NETWORK


def test_the_family_is_registered() -> None:
    from netready.checks import FAMILIES

    family = FAMILIES["dnssec"]
    assert [spec.check_id for spec in family.checks] == [
        "dnssec.status",
        "dnssec.algorithm",
        "dnssec.nsec3",
    ]
    assert family.applies_to(parse_target("example.test"))
    assert not family.applies_to(parse_target("192.0.2.1"))
