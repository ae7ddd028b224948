"""The DNSSEC chain of trust, validated by netready itself from a resolver's raw answers.

Pure: no I/O. The DNSSEC checks ask a resolver (with DO and CD set) the questions of
`first_questions` and `second_questions`, then `validate_chain` walks down from the root:

1. the root DNSKEY RRset must hold a key the trust anchor names (by DS digest or by the
   key itself) and be signed by such a key;
2. for each name between the root and the target, the DS answer decides: a DS RRset signed
   by the current zone is a secure zone cut (the child's DNSKEY RRset must hold a key a DS
   matches, and be signed by it); a NODATA answer must be proven by NSEC or NSEC3 records
   signed by the current zone, which say whether the name is an unsigned delegation (the
   chain ends insecure) or an ordinary name inside the zone (the walk goes on);
3. in the target's zone, the SOA, A, AAAA (and MX) answers must be signed by the zone's
   keys, and a negative answer proven by signed NSEC or NSEC3 records.

States: `secure`, `insecure` (proven unsigned), `bogus` (the proof is broken, with the
reason), `indeterminate` (could not decide: timeouts, SERVFAIL, malformed answers, an
unusable trust anchor, a CNAME loop).

Bounds, so a hostile zone costs little: at most `MAX_KEYS_PER_TAG` keys share a key tag and
algorithm before netready refuses to try them (the "KeyTrap" attack, CVE-2023-50387), at
most `MAX_SIGNATURES_PER_RRSET` signatures are considered per RRset, at most
`MAX_VERIFICATIONS` signature checks are made per chain, NSEC3 iterations above
`MAX_NSEC3_ITERATIONS` are not computed (RFC 9276 section 3.2 lets validators treat such
denials as insecure, as BIND and unbound do), CNAME chains are followed for
`MAX_CNAME_HOPS` hops, and names of more than `MAX_NAME_LABELS` labels are not walked.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum, StrEnum
from typing import Any

import dns.dnssec
import dns.exception
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zonefile
from dns.rdatatype import RdataType
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS
from dns.rdtypes.ANY.MX import MX
from dns.rdtypes.ANY.NSEC import NSEC
from dns.rdtypes.ANY.NSEC3 import NSEC3
from dns.rdtypes.ANY.NSEC3PARAM import NSEC3PARAM
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.dnskeybase import Flag

from netready.checks.dnssec_crypto import verify_signature
from netready.net.dnssec import DnssecReply, QueryFailure

__all__ = [
    "ANSWER_TYPES",
    "MAX_CNAME_HOPS",
    "MAX_KEYS_PER_TAG",
    "MAX_NAME_LABELS",
    "MAX_NSEC3_ITERATIONS",
    "MAX_SIGNATURES_PER_RRSET",
    "MAX_VERIFICATIONS",
    "SUPPORTED_ALGORITHMS",
    "SUPPORTED_DIGESTS",
    "ChainState",
    "ChainVerdict",
    "DenialInfo",
    "DsInfo",
    "KeyInfo",
    "Question",
    "Reason",
    "SignatureInfo",
    "TrustAnchor",
    "TrustAnchorError",
    "ZoneLink",
    "chain_names",
    "denial_parameters",
    "first_questions",
    "guess_zone",
    "mx_hosts",
    "parse_trust_anchor",
    "second_questions",
    "validate_chain",
]

#: Signing algorithms netready validates: those RFC 8624 section 3.1 says a validator MUST
#: (or is RECOMMENDED to) support. RSAMD5 (1), DSA (3), DSA-NSEC3-SHA1 (6) are MUST NOT
#: validate; ECC-GOST (12) is MAY and unimplemented in dnspython: a zone signed only with
#: those is treated as unsigned, as RFC 4035 section 5.2 tells validators to.
SUPPORTED_ALGORITHMS = frozenset({5, 7, 8, 10, 13, 14, 15, 16})
#: DS digest types netready checks: SHA-1 (1), SHA-256 (2), SHA-384 (4).
SUPPORTED_DIGESTS = frozenset({1, 2, 4})
_SHA1_DIGEST = 1

MAX_KEYS_PER_TAG = 4
MAX_SIGNATURES_PER_RRSET = 8
MAX_DS_RECORDS = 16
MAX_VERIFICATIONS = 256
MAX_NSEC3_ITERATIONS = 150
MAX_CNAME_HOPS = 16
MAX_NAME_LABELS = 40
#: Keys listed per zone in a finding's evidence (the count says how many there were).
MAX_EVIDENCE_KEYS = 32

#: What is asked, and validated, at the target name: the zone's SOA and the addresses.
ANSWER_TYPES: tuple[RdataType, ...] = (RdataType.SOA, RdataType.A, RdataType.AAAA, RdataType.MX)

Question = tuple[dns.name.Name, RdataType]
Replies = Mapping[Question, DnssecReply]

_ROOT = dns.name.root
_NSEC3_SHA1 = 1
_OPT_OUT = 0x01


# --- trust anchors ------------------------------------------------------------------------


class TrustAnchorError(ValueError):
    """A trust anchor file that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class TrustAnchor:
    """Root keys to trust: DS records (digests of keys) and/or DNSKEY records."""

    ds: tuple[DS, ...] = ()
    dnskeys: tuple[DNSKEY, ...] = ()


def parse_trust_anchor(text: str, *, now: datetime) -> TrustAnchor:
    """Read a trust anchor for the root zone.

    Two formats are accepted:

    - zone-file style: DS and/or DNSKEY records owned by ``.``, one per line (TTL and class
      optional, ``;`` comments, parentheses), as unbound's ``trust-anchor-file`` reads;
    - IANA's ``root-anchors.xml``: every ``KeyDigest`` valid at `now` (``validFrom`` in
      the past, ``validUntil`` absent or in the future) becomes a DS record.
    """
    if text.lstrip().startswith("<"):
        return _parse_iana_xml(text, now)
    return _parse_zone_file(text)


def _parse_zone_file(text: str) -> TrustAnchor:
    try:
        rrsets = dns.zonefile.read_rrsets(text, rdclass=None, default_ttl=0, origin=_ROOT)
    except (dns.exception.DNSException, ValueError) as error:
        raise TrustAnchorError(f"not a DS/DNSKEY record file: {error}") from None
    ds: list[DS] = []
    dnskeys: list[DNSKEY] = []
    for rrset in rrsets:
        if rrset.name != _ROOT:
            raise TrustAnchorError(
                f"only anchors for the root zone (.) are supported, not {rrset.name}"
            )
        if rrset.rdtype == RdataType.DS:
            ds += [rdata for rdata in rrset if isinstance(rdata, DS)]
        elif rrset.rdtype == RdataType.DNSKEY:
            dnskeys += [rdata for rdata in rrset if isinstance(rdata, DNSKEY)]
        else:
            raise TrustAnchorError(
                f"a trust anchor holds DS or DNSKEY records, not {rrset.rdtype.name}"
            )
    if not ds and not dnskeys:
        raise TrustAnchorError("no DS or DNSKEY record for the root zone (.)")
    return TrustAnchor(tuple(ds), tuple(dnskeys))


def _parse_iana_xml(text: str, now: datetime) -> TrustAnchor:
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise TrustAnchorError(f"not a well-formed root-anchors.xml: {error}") from None
    zone = (root.findtext("Zone") or "").strip()
    if zone != ".":
        raise TrustAnchorError(f"the XML anchors zone {zone!r}; only the root (.) is supported")
    ds = [_xml_digest(element) for element in root.iter("KeyDigest") if _valid_at(element, now)]
    if not ds:
        raise TrustAnchorError(f"no KeyDigest in the XML is valid now ({now:%Y-%m-%d})")
    return TrustAnchor(tuple(ds))


def _xml_digest(element: ElementTree.Element) -> DS:
    fields = [element.findtext(tag, "").strip() for tag in _XML_DS_FIELDS]
    try:
        rdata = dns.rdata.from_text(dns.rdataclass.IN, RdataType.DS, " ".join(fields))
    except (dns.exception.DNSException, ValueError) as error:
        raise TrustAnchorError(f"KeyDigest {element.get('id', '?')}: {error}") from None
    assert isinstance(rdata, DS)
    return rdata


_XML_DS_FIELDS = ("KeyTag", "Algorithm", "DigestType", "Digest")


def _valid_at(element: ElementTree.Element, now: datetime) -> bool:
    try:
        valid_from = datetime.fromisoformat(element.get("validFrom", "1970-01-01T00:00:00Z"))
        until = element.get("validUntil")
        valid_until = datetime.fromisoformat(until) if until else None
    except ValueError as error:
        raise TrustAnchorError(f"KeyDigest {element.get('id', '?')}: {error}") from None
    return valid_from <= now and (valid_until is None or now < valid_until)


# --- the verdict and its evidence -----------------------------------------------------------


class ChainState(StrEnum):
    SECURE = "secure"
    INSECURE = "insecure"
    BOGUS = "bogus"
    INDETERMINATE = "indeterminate"


class Reason(StrEnum):
    """One stable name per verdict, errors included (they appear in evidence and advice)."""

    VALIDATED = "validated"  # secure
    NO_DS = "no-ds"  # insecure: the parent proves there is no DS
    UNSUPPORTED_ALGORITHM = "unsupported-algorithm"  # insecure: no DS a validator can use
    NSEC3_ITERATIONS = "nsec3-iterations"  # insecure: denial too costly to check
    ANCHOR_MISMATCH = "anchor-mismatch"  # bogus: the root keys are not the trusted ones
    DS_MISMATCH = "ds-mismatch"  # bogus: no DNSKEY matches the parent's DS
    DNSKEY_MISSING = "dnskey-missing"  # bogus: DS in the parent, no DNSKEY in the zone
    RRSIG_MISSING = "rrsig-missing"  # bogus: an RRset lacks a usable signature
    SIGNATURE_EXPIRED = "signature-expired"
    SIGNATURE_NOT_YET_VALID = "signature-not-yet-valid"
    SIGNATURE_INVALID = "signature-invalid"  # bogus: the signature does not verify
    DENIAL_INVALID = "denial-invalid"  # bogus: a negative answer without a valid proof
    TOO_MANY_KEYS = "too-many-keys"  # bogus: netready refuses the work (KeyTrap)
    WORK_LIMIT = "work-limit"  # bogus: more signature checks than MAX_VERIFICATIONS
    TIMEOUT = "timeout"  # indeterminate from here down
    SERVFAIL = "servfail"
    MALFORMED = "malformed"
    TRUNCATED = "truncated"
    NETWORK = "network-error"
    CNAME_LOOP = "cname-loop"
    RESOLVER_STRIPS_DNSSEC = "resolver-strips-dnssec"
    TRUST_ANCHOR = "trust-anchor"
    NAME_TOO_LONG = "name-too-long"


_FAILURE_REASONS = {
    QueryFailure.TIMEOUT: Reason.TIMEOUT,
    QueryFailure.SERVFAIL: Reason.SERVFAIL,
    QueryFailure.MALFORMED: Reason.MALFORMED,
    QueryFailure.TRUNCATED: Reason.TRUNCATED,
    QueryFailure.NETWORK: Reason.NETWORK,
}


@dataclass(frozen=True, slots=True)
class DsInfo:
    key_tag: int
    algorithm: int
    digest_type: int

    def as_evidence(self) -> dict[str, int]:
        return {
            "key_tag": self.key_tag,
            "algorithm": self.algorithm,
            "digest_type": self.digest_type,
        }


@dataclass(frozen=True, slots=True)
class KeyInfo:
    key_tag: int
    flags: int
    algorithm: int
    #: a DS in the parent (or the trust anchor) points at this key, and it checked out
    secure_entry: bool = False

    def as_evidence(self) -> dict[str, Any]:
        return {
            "key_tag": self.key_tag,
            "flags": self.flags,
            "algorithm": self.algorithm,
            "secure_entry": self.secure_entry,
        }


@dataclass(frozen=True, slots=True)
class SignatureInfo:
    """One RRSIG netready looked at, and what it found."""

    rrset: str  # "secure.test. DNSKEY"
    key_tag: int
    algorithm: int
    inception: int
    expiration: int
    result: str  # "valid", "expired", "not-yet-valid", "invalid", "no-key", "too-many-keys"

    def as_evidence(self) -> dict[str, Any]:
        return {
            "rrset": self.rrset,
            "key_tag": self.key_tag,
            "algorithm": self.algorithm,
            "inception": _iso(self.inception),
            "expiration": _iso(self.expiration),
            "result": self.result,
        }


@dataclass(frozen=True, slots=True)
class ZoneLink:
    """One zone of the chain: its DS in the parent, its keys, the signatures checked."""

    zone: str
    ds: tuple[DsInfo, ...] = ()
    dnskeys: tuple[KeyInfo, ...] = ()
    signatures: tuple[SignatureInfo, ...] = ()
    #: how the absence of a DS was proven ("nsec", "nsec3", "nsec3-opt-out"), if it was
    no_ds_proof: str = ""

    def as_evidence(self) -> dict[str, Any]:
        # a hostile zone may send hundreds of keys: the evidence names the first ones
        shown = self.dnskeys[:MAX_EVIDENCE_KEYS]
        evidence: dict[str, Any] = {
            "zone": self.zone,
            "ds": [ds.as_evidence() for ds in self.ds],
            "dnskeys": [key.as_evidence() for key in shown],
            "signatures": [signature.as_evidence() for signature in self.signatures],
        }
        if len(self.dnskeys) > len(shown):
            evidence["dnskeys_total"] = len(self.dnskeys)
        if self.no_ds_proof:
            evidence["no_ds_proof"] = self.no_ds_proof
        return evidence


@dataclass(frozen=True, slots=True)
class ChainVerdict:
    """The DNSSEC state of one name's zone, the reason, and the chain it rests on.

    `zone` is the target's zone (for `insecure`, the unsigned zone; for `bogus` and
    `indeterminate`, the best guess from the answers); `failed_at` names the zone whose
    link broke when that is another one.
    """

    name: str
    zone: str
    state: ChainState
    reason: Reason
    detail: str
    links: tuple[ZoneLink, ...] = ()
    failed_at: str = ""

    def link(self, zone: str) -> ZoneLink | None:
        return next((link for link in self.links if link.zone == zone), None)


@dataclass(frozen=True, slots=True)
class DenialInfo:
    """How a zone denies existence: NSEC, or NSEC3 with its parameters."""

    kind: str  # "nsec" or "nsec3"
    iterations: int = 0
    salt: str = ""  # hex, empty for none
    opt_out: bool = False
    source: str = ""  # the record it was read from, e.g. "nsec3iter.test. NSEC3PARAM"

    def as_evidence(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "iterations": self.iterations,
            "salt": self.salt,
            "opt_out": self.opt_out,
            "source": self.source,
        }


def _iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def zone_text(name: dns.name.Name) -> str:
    """A zone as findings name it: no final dot, the root as ``.``."""
    return name.to_text(omit_final_dot=True) if name != _ROOT else "."


# --- what to ask ----------------------------------------------------------------------------


def chain_names(name: dns.name.Name) -> list[dns.name.Name]:
    """The root, then every name down to `name`: ``.``, ``test.``, ``www.secure.test.``."""
    return [name.split(depth)[1] for depth in range(1, len(name) + 1)]


def first_questions(
    name: dns.name.Name, answer_types: Sequence[RdataType] = ANSWER_TYPES
) -> list[Question]:
    """Questions that need no earlier answer: the root keys, every DS, the target's data.

    None for a name too long to walk: `validate_chain` says so without asking anything.
    """
    if _too_long(name):
        return []
    return [
        (_ROOT, RdataType.DNSKEY),
        *((ancestor, RdataType.DS) for ancestor in chain_names(name)[1:]),
        *((name, rdtype) for rdtype in answer_types),
    ]


def second_questions(
    name: dns.name.Name, replies: Replies, *, with_denial: bool = True
) -> list[Question]:
    """The DNSKEY of every zone cut the DS answers show, and the target zone's NSEC3PARAM.

    Reads the answers without validating them: it only decides what else to fetch.
    """
    if _too_long(name):
        return []
    questions = [
        (ancestor, RdataType.DNSKEY)
        for ancestor in chain_names(name)[1:]
        if _has_ds(replies.get((ancestor, RdataType.DS)), ancestor)
    ]
    if with_denial:
        questions.append((guess_zone(name, replies), RdataType.NSEC3PARAM))
    return questions


def _too_long(name: dns.name.Name) -> bool:
    return len(name) - 1 > MAX_NAME_LABELS


def guess_zone(name: dns.name.Name, replies: Replies) -> dns.name.Name:
    """The target's zone as the answers suggest it, unvalidated: the deepest DS owner or
    SOA owner at or above `name` (the root when there is neither)."""
    candidates = [_ROOT]
    candidates += [
        ancestor
        for ancestor in chain_names(name)[1:]
        if _has_ds(replies.get((ancestor, RdataType.DS)), ancestor)
    ]
    soa_reply = replies.get((name, RdataType.SOA))
    if soa_reply is not None and soa_reply.message is not None:
        message = soa_reply.message
        for rrset in (*message.answer, *message.authority):
            if rrset.rdtype == RdataType.SOA and name.is_subdomain(rrset.name):
                candidates.append(rrset.name)
    return max(candidates, key=len)


def mx_hosts(name: dns.name.Name, replies: Replies, *, limit: int) -> list[dns.name.Name]:
    """The mail hosts of `name` (null MX ``.`` left out), at most `limit`, in answer order."""
    reply = replies.get((name, RdataType.MX))
    if reply is None or reply.message is None:
        return []
    hosts: list[dns.name.Name] = []
    for rrset in reply.message.answer:
        if rrset.rdtype != RdataType.MX:
            continue
        records = sorted(
            (rdata for rdata in rrset if isinstance(rdata, MX)),
            key=lambda mx: (mx.preference, mx.exchange),
        )
        for mx in records:
            if mx.exchange != _ROOT and mx.exchange not in hosts:
                hosts.append(mx.exchange)
    return hosts[:limit]


def _has_ds(reply: DnssecReply | None, owner: dns.name.Name) -> bool:
    if reply is None or reply.message is None:
        return False
    return _find(reply.message.answer, owner, RdataType.DS) is not None


# --- denial parameters (for the NSEC3 check) ------------------------------------------------


def denial_parameters(zone: dns.name.Name, replies: Replies) -> tuple[DenialInfo, ...]:
    """How `zone` denies existence, read from every answer that holds its records.

    The NSEC3PARAM RRset at the apex gives the parameters; NSEC3 records (owned directly
    under the zone and signed by it) add the opt-out flag, which NSEC3PARAM never carries.
    Signatures are not checked here: the status check says whether the zone validates.
    """
    found: dict[tuple[str, int, str, bool], DenialInfo] = {}
    for reply in replies.values():
        if reply.message is None:
            continue
        for section in (reply.message.answer, reply.message.authority):
            for info in _denial_records(section, zone):
                found.setdefault((info.kind, info.iterations, info.salt, info.opt_out), info)
    return tuple(found.values())


def _denial_records(
    section: Sequence[dns.rrset.RRset], zone: dns.name.Name
) -> Iterator[DenialInfo]:
    for rrset in section:
        if not _signed_by(section, rrset, zone):
            continue
        source = f"{rrset.name} {rrset.rdtype.name}"
        for rdata in rrset:
            if isinstance(rdata, NSEC3PARAM) and rrset.name == zone:
                yield DenialInfo("nsec3", rdata.iterations, rdata.salt.hex(), False, source)
            elif isinstance(rdata, NSEC3) and rrset.name.parent() == zone:
                opt_out = bool(rdata.flags & _OPT_OUT)
                yield DenialInfo("nsec3", rdata.iterations, rdata.salt.hex(), opt_out, source)
            elif isinstance(rdata, NSEC) and rrset.name.is_subdomain(zone):
                yield DenialInfo("nsec", source=source)


def _signed_by(
    section: Sequence[dns.rrset.RRset], rrset: dns.rrset.RRset, zone: dns.name.Name
) -> bool:
    return any(sig.signer == zone for sig in _signatures(section, rrset.name, rrset.rdtype))


# --- validation -----------------------------------------------------------------------------


def validate_chain(
    name: dns.name.Name,
    replies: Replies,
    anchor: TrustAnchor,
    *,
    now: int,
    answer_types: Sequence[RdataType] = ANSWER_TYPES,
) -> ChainVerdict:
    """Validate the chain of trust from `anchor` to `name`'s zone and its answers."""
    walk = _Walk(name, replies, now)
    if _too_long(name):
        return walk.verdict(
            _StopError(
                ChainState.INDETERMINATE,
                Reason.NAME_TOO_LONG,
                f"{zone_text(name)} has more than {MAX_NAME_LABELS} labels",
            )
        )
    try:
        walk.run(anchor, answer_types)
    except _StopError as stop:
        return walk.verdict(stop)
    return walk.verdict(None)


class _StopError(Exception):
    """Ends the walk with a verdict other than secure."""

    def __init__(
        self,
        state: ChainState,
        reason: Reason,
        detail: str,
        *,
        at: dns.name.Name | None = None,
    ) -> None:
        super().__init__(detail)
        self.state = state
        self.reason = reason
        self.detail = detail
        #: the zone at fault (for insecure: the unsigned zone), when the walk knows it
        self.at = at


class _Step(Enum):
    NOT_A_CUT = "not-a-cut"  # the name is inside the current zone: walk on
    NAME_MISSING = "name-missing"  # the name does not exist: the current zone is the zone


@dataclass
class _LinkNotes:
    """Evidence for one zone, collected as the walk goes (frozen into a ZoneLink)."""

    zone: dns.name.Name
    ds: list[DsInfo] = field(default_factory=list)
    dnskeys: list[KeyInfo] = field(default_factory=list)
    signatures: list[SignatureInfo] = field(default_factory=list)
    no_ds_proof: str = ""

    def freeze(self) -> ZoneLink:
        return ZoneLink(
            zone_text(self.zone),
            tuple(self.ds),
            tuple(self.dnskeys),
            tuple(self.signatures),
            self.no_ds_proof,
        )


@dataclass(frozen=True, slots=True)
class _Checked:
    """The outcome of checking the signatures over one RRset."""

    signature: RRSIG | None  # the RRSIG that verified, None when none did
    reason: Reason = Reason.VALIDATED
    detail: str = ""


class _Walk:
    """One validation, top-down; raises `_StopError` for any verdict but secure."""

    def __init__(self, name: dns.name.Name, replies: Replies, now: int) -> None:
        self.name = name
        self.replies = replies
        self.now = now
        self.verifications_left = MAX_VERIFICATIONS
        self.links: dict[dns.name.Name, _LinkNotes] = {}
        self.zone = _ROOT  # the deepest zone validated so far

    # -- the walk

    def run(self, anchor: TrustAnchor, answer_types: Sequence[RdataType]) -> None:
        keys = self._trust_root(anchor)
        for child in chain_names(self.name)[1:]:
            step = self._step_down(keys, child)
            if step is _Step.NAME_MISSING:
                break
            if isinstance(step, list):
                self.zone, keys = child, step
        for rdtype in answer_types:
            self._check_answer(keys, rdtype)

    def verdict(self, stop: _StopError | None) -> ChainVerdict:
        links = tuple(notes.freeze() for notes in self.links.values())
        if stop is None:
            return ChainVerdict(
                zone_text(self.name),
                zone_text(self.zone),
                ChainState.SECURE,
                Reason.VALIDATED,
                f"the chain of trust validates from the root to {zone_text(self.zone)}",
                links,
            )
        if stop.state is ChainState.INSECURE and stop.at is not None:
            zone = self._deepest_soa_owner(stop.at)
        elif stop.state is ChainState.INDETERMINATE and not self._zone_is_known():
            zone = self.name  # nothing says which zone it is: name the name itself
        else:
            zone = guess_zone(self.name, self.replies)
        failed_at = zone_text(stop.at) if stop.at is not None and stop.at != zone else ""
        return ChainVerdict(
            zone_text(self.name),
            zone_text(zone),
            stop.state,
            stop.reason,
            stop.detail,
            links,
            failed_at,
        )

    def _zone_is_known(self) -> bool:
        """Whether the SOA answer for the name says which zone it lies in."""
        reply = self.replies.get((self.name, RdataType.SOA))
        return (
            reply is not None
            and reply.message is not None
            and reply.rcode
            in (
                dns.rcode.NOERROR,
                dns.rcode.NXDOMAIN,
            )
        )

    def _deepest_soa_owner(self, insecure_cut: dns.name.Name) -> dns.name.Name:
        """Below an unsigned cut, the SOA owner names the target's zone more exactly."""
        guess = guess_zone(self.name, self.replies)
        return guess if guess.is_subdomain(insecure_cut) else insecure_cut

    # -- the root

    def _trust_root(self, anchor: TrustAnchor) -> list[DNSKEY]:
        notes = self._notes(_ROOT)
        notes.ds = [_ds_info(ds) for ds in anchor.ds]
        message = self._message(_ROOT, RdataType.DNSKEY)
        dnskeys = _find(message.answer, _ROOT, RdataType.DNSKEY)
        if dnskeys is None:
            raise _StopError(
                ChainState.BOGUS,
                Reason.DNSKEY_MISSING,
                "the root returned no DNSKEY records",
                at=_ROOT,
            )
        if not any(rrset.rdtype == RdataType.RRSIG for rrset in message.answer):
            raise _StopError(
                ChainState.INDETERMINATE,
                Reason.RESOLVER_STRIPS_DNSSEC,
                "the resolver returned no signatures even for the root's keys: it does not "
                "pass DNSSEC records on, so nothing can be validated through it",
            )
        entry = [key for key in _keys(dnskeys) if _anchored(key, anchor)]
        notes.dnskeys = [_key_info(key, key in entry) for key in _keys(dnskeys)]
        if not entry:
            raise _StopError(
                ChainState.BOGUS,
                Reason.ANCHOR_MISMATCH,
                "no root DNSKEY matches the trust anchor "
                f"({_describe_anchor(anchor)}; the root has keys "
                f"{_tags(_keys(dnskeys))})",
                at=_ROOT,
            )
        self._require_signed(dnskeys, message.answer, _ROOT, entry, "the root DNSKEY RRset")
        return _zone_keys(dnskeys)

    # -- one step down the name

    def _step_down(self, keys: list[DNSKEY], child: dns.name.Name) -> _Step | list[DNSKEY]:
        zone = self.zone
        message = self._message(child, RdataType.DS)
        if message.rcode() == dns.rcode.NXDOMAIN:
            if self._prover(message, keys).nxdomain(child):
                return _Step.NAME_MISSING
            raise _StopError(
                ChainState.BOGUS,
                Reason.DENIAL_INVALID,
                f"{zone_text(zone)} says {zone_text(child)} does not exist, without a valid "
                "NSEC/NSEC3 proof",
            )
        ds_rrset = _find(message.answer, child, RdataType.DS)
        if ds_rrset is not None:
            self._require_signed(
                ds_rrset, message.answer, zone, keys, f"the DS RRset of {zone_text(child)}"
            )
            return self._enter(child, ds_rrset)
        cname = _find(message.answer, child, RdataType.CNAME)
        if cname is not None:
            # an alias cannot be a zone cut; its own signature is checked with the answers
            return _Step.NOT_A_CUT
        return self._no_ds(message, keys, child)

    def _no_ds(
        self, message: dns.message.Message, keys: list[DNSKEY], child: dns.name.Name
    ) -> _Step:
        zone = self.zone
        proof = self._prover(message, keys).no_ds(child)
        if proof is _DsProof.NOT_A_CUT:
            return _Step.NOT_A_CUT
        if proof in (_DsProof.UNSIGNED_DELEGATION, _DsProof.OPT_OUT):
            notes = self._notes(child)
            notes.no_ds_proof = self._proof_kind(message, proof)
            raise _StopError(
                ChainState.INSECURE,
                Reason.NO_DS,
                f"{zone_text(zone)} proves with {notes.no_ds_proof.upper()} that "
                f"{zone_text(child)} has no DS record: the zone is not signed (or its "
                "signature is not linked to the parent)",
                at=child,
            )
        if proof is _DsProof.ITERATIONS:
            raise _StopError(
                ChainState.INSECURE,
                Reason.NSEC3_ITERATIONS,
                f"{zone_text(zone)} denies a DS for {zone_text(child)} with NSEC3 of more than "
                f"{MAX_NSEC3_ITERATIONS} iterations; validators treat that as unsigned",
                at=child,
            )
        raise _StopError(
            ChainState.BOGUS,
            Reason.DENIAL_INVALID,
            f"{zone_text(zone)} gives no DS for {zone_text(child)} and no valid NSEC/NSEC3 "
            "proof that there is none",
            at=zone,
        )

    def _proof_kind(self, message: dns.message.Message, proof: _DsProof) -> str:
        if proof is _DsProof.OPT_OUT:
            return "nsec3-opt-out"
        has_nsec = any(rrset.rdtype == RdataType.NSEC for rrset in message.authority)
        return "nsec" if has_nsec else "nsec3"

    def _enter(self, child: dns.name.Name, ds_rrset: dns.rrset.RRset) -> list[DNSKEY]:
        """Authenticate `child`'s DNSKEY RRset through its (already validated) DS RRset."""
        notes = self._notes(child)
        all_ds = [ds for ds in ds_rrset if isinstance(ds, DS)]
        notes.ds = [_ds_info(ds) for ds in all_ds]
        message = self._message(child, RdataType.DNSKEY)
        dnskeys = _find(message.answer, child, RdataType.DNSKEY)
        notes.dnskeys = [_key_info(key) for key in _keys(dnskeys)]
        usable = _usable_ds(all_ds)
        if not usable:
            raise _StopError(
                ChainState.INSECURE,
                Reason.UNSUPPORTED_ALGORITHM,
                f"the DS records of {zone_text(child)} use only algorithms or digest types "
                f"validators do not support ({_describe_ds(all_ds)}), so validators treat "
                "the zone as unsigned (RFC 4035 section 5.2)",
                at=child,
            )
        if dnskeys is None:
            raise _StopError(
                ChainState.BOGUS,
                Reason.DNSKEY_MISSING,
                f"{zone_text(self.zone)} has DS records for {zone_text(child)}, "
                f"but {zone_text(child)} returned no DNSKEY records",
                at=child,
            )
        entry, crowded = _match_ds(child, _keys(dnskeys), usable)
        notes.dnskeys = [_key_info(key, key in entry) for key in _keys(dnskeys)]
        if not entry:
            raise _StopError(
                ChainState.BOGUS,
                Reason.TOO_MANY_KEYS if crowded else Reason.DS_MISMATCH,
                _crowded_detail(child, crowded)
                if crowded
                else f"the DS records of {zone_text(child)} in {zone_text(self.zone)} "
                f"({_describe_ds(usable)}) match none of its DNSKEYs "
                f"({_tags(_keys(dnskeys))})",
                at=child,
            )
        self._require_signed(
            dnskeys, message.answer, child, entry, f"the DNSKEY RRset of {zone_text(child)}"
        )
        return _zone_keys(dnskeys)

    # -- the answers in the target's zone

    def _check_answer(self, keys: list[DNSKEY], rdtype: RdataType) -> None:
        message = self._message(self.name, rdtype)
        _check_cname_chain(message, self.name)
        zone = self.zone
        for owned_type in (RdataType.CNAME, rdtype):
            rrset = _find(message.answer, self.name, owned_type)
            if rrset is None:
                continue
            checked = self._require_signed(
                rrset, message.answer, zone, keys, f"{zone_text(self.name)} {owned_type.name}"
            )
            self._require_no_closer_match(message, keys, rrset, checked)
            return
        prover = self._prover(message, keys)
        if message.rcode() == dns.rcode.NXDOMAIN:
            proven = prover.nxdomain(self.name)
        else:
            proven = prover.nodata(self.name, rdtype)
        if prover.too_many_iterations:
            raise _StopError(
                ChainState.INSECURE,
                Reason.NSEC3_ITERATIONS,
                f"{zone_text(zone)} denies {zone_text(self.name)} {rdtype.name} with NSEC3 of "
                f"more than {MAX_NSEC3_ITERATIONS} iterations; validators treat that as "
                "unsigned",
                at=zone,
            )
        if not proven:
            raise _StopError(
                ChainState.BOGUS,
                Reason.DENIAL_INVALID,
                f"{zone_text(zone)} answers {zone_text(self.name)} {rdtype.name} with "
                f"{_negative_kind(message)} but no valid NSEC/NSEC3 proof",
                at=zone,
            )

    def _require_no_closer_match(
        self,
        message: dns.message.Message,
        keys: list[DNSKEY],
        rrset: dns.rrset.RRset,
        checked: _Checked,
    ) -> None:
        """A wildcard-synthesised answer must come with proof the name itself is absent."""
        signature = checked.signature
        if signature is None or signature.labels >= len(rrset.name) - 1:
            return
        if not self._prover(message, keys).no_closer_match(rrset.name, signature.labels):
            raise _StopError(
                ChainState.BOGUS,
                Reason.DENIAL_INVALID,
                f"{zone_text(rrset.name)} {rrset.rdtype.name} comes from a wildcard, without "
                "proof that no closer name exists",
                at=self.zone,
            )

    # -- helpers that read answers

    def _message(self, name: dns.name.Name, rdtype: RdataType) -> dns.message.Message:
        """The answer to a question, or `_StopError` (indeterminate) saying why there is none."""
        reply = self.replies.get((name, rdtype))
        what = f"{zone_text(name)} {rdtype.name}"
        if reply is None:
            raise _StopError(ChainState.INDETERMINATE, Reason.SERVFAIL, f"{what} was not asked")
        if reply.message is None:
            failure = reply.failure or QueryFailure.MALFORMED
            raise _StopError(
                ChainState.INDETERMINATE,
                _FAILURE_REASONS[failure],
                f"no answer for {what}: {reply.detail or failure.value}",
            )
        rcode = reply.message.rcode()
        if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            raise _StopError(
                ChainState.INDETERMINATE,
                Reason.SERVFAIL,
                f"the resolver answered {dns.rcode.to_text(rcode)} for {what}",
            )
        return reply.message

    def _notes(self, zone: dns.name.Name) -> _LinkNotes:
        return self.links.setdefault(zone, _LinkNotes(zone))

    def _prover(self, message: dns.message.Message, keys: list[DNSKEY]) -> _DenialProver:
        """NSEC/NSEC3 records in the authority section whose signatures by the current
        zone verify; the zone's SOA there must verify too."""
        zone = self.zone
        nsecs: list[tuple[dns.name.Name, NSEC]] = []
        nsec3s: list[tuple[dns.name.Name, NSEC3]] = []
        section = message.authority
        for rrset in section:
            if rrset.rdtype == RdataType.SOA and rrset.name == zone:
                self._require_signed(rrset, section, zone, keys, f"the SOA of {zone_text(zone)}")
            elif rrset.rdtype in (RdataType.NSEC, RdataType.NSEC3) and _signed_by(
                section, rrset, zone
            ):
                what = f"{zone_text(rrset.name)} {rrset.rdtype.name}"
                self._require_signed(rrset, section, zone, keys, what)
                if rrset.rdtype == RdataType.NSEC and rrset.name.is_subdomain(zone):
                    nsecs += [(rrset.name, rdata) for rdata in rrset if isinstance(rdata, NSEC)]
                elif rrset.rdtype == RdataType.NSEC3 and rrset.name.parent() == zone:
                    nsec3s += [(rrset.name, rdata) for rdata in rrset if isinstance(rdata, NSEC3)]
        return _DenialProver(zone, nsecs, nsec3s)

    def _require_signed(
        self,
        rrset: dns.rrset.RRset,
        section: Sequence[dns.rrset.RRset],
        zone: dns.name.Name,
        keys: list[DNSKEY],
        what: str,
    ) -> _Checked:
        checked = self._check_signatures(rrset, section, zone, keys)
        if checked.signature is None:
            raise _StopError(ChainState.BOGUS, checked.reason, f"{what}: {checked.detail}", at=zone)
        return checked

    def _check_signatures(
        self,
        rrset: dns.rrset.RRset,
        section: Sequence[dns.rrset.RRset],
        zone: dns.name.Name,
        keys: list[DNSKEY],
    ) -> _Checked:
        """Try the RRset's signatures by `zone` until one verifies with one of `keys`."""
        notes = self._notes(zone)
        label = f"{rrset.name} {rrset.rdtype.name}"
        signatures = [
            sig
            for sig in _signatures(section, rrset.name, rrset.rdtype)
            if sig.signer == zone and sig.algorithm in SUPPORTED_ALGORITHMS
        ][:MAX_SIGNATURES_PER_RRSET]
        if not signatures:
            return _Checked(None, Reason.RRSIG_MISSING, f"no signature by {zone_text(zone)}")
        failures: list[_Checked] = []
        for signature in signatures:
            result = self._check_one(rrset, signature, zone, keys)
            notes.signatures.append(_signature_info(label, signature, result))
            if result.signature is not None:
                return result
            failures.append(result)
        return min(failures, key=lambda failure: _FAILURE_RANK.index(failure.reason))

    def _check_one(
        self, rrset: dns.rrset.RRset, signature: RRSIG, zone: dns.name.Name, keys: list[DNSKEY]
    ) -> _Checked:
        if self.now > signature.expiration:
            return _Checked(
                None,
                Reason.SIGNATURE_EXPIRED,
                f"the signature (key {signature.key_tag}) expired at {_iso(signature.expiration)}",
            )
        if self.now < signature.inception:
            return _Checked(
                None,
                Reason.SIGNATURE_NOT_YET_VALID,
                f"the signature (key {signature.key_tag}) is valid only from "
                f"{_iso(signature.inception)}",
            )
        candidates = [key for key in keys if _could_have_signed(key, signature)]
        if not candidates:
            return _Checked(
                None,
                Reason.RRSIG_MISSING,
                f"no usable key with tag {signature.key_tag} and algorithm "
                f"{signature.algorithm} signed it",
            )
        if len(candidates) > MAX_KEYS_PER_TAG:
            return _Checked(None, Reason.TOO_MANY_KEYS, _crowded_detail(zone, len(candidates)))
        for key in candidates:
            if self._verifies(rrset, signature, key):
                return _Checked(signature)
        return _Checked(
            None,
            Reason.SIGNATURE_INVALID,
            f"the signature by key {signature.key_tag} does not verify",
        )

    def _verifies(self, rrset: dns.rrset.RRset, signature: RRSIG, key: DNSKEY) -> bool:
        if self.verifications_left <= 0:
            raise _StopError(
                ChainState.BOGUS,
                Reason.WORK_LIMIT,
                f"more than {MAX_VERIFICATIONS} signature checks were needed; netready stops "
                "there so a hostile zone cannot make it work without end",
            )
        self.verifications_left -= 1
        return verify_signature(rrset, signature, key)


_FAILURE_RANK = [
    Reason.SIGNATURE_EXPIRED,
    Reason.SIGNATURE_NOT_YET_VALID,
    Reason.TOO_MANY_KEYS,
    Reason.SIGNATURE_INVALID,
    Reason.RRSIG_MISSING,
]


# --- denial of existence --------------------------------------------------------------------


class _DsProof(Enum):
    NOT_A_CUT = "not-a-cut"  # the name exists in the zone and is no delegation
    UNSIGNED_DELEGATION = "unsigned-delegation"  # a delegation without DS
    OPT_OUT = "opt-out"  # covered by an opt-out NSEC3 span: an unsigned delegation, if any
    ITERATIONS = "iterations"  # NSEC3 too costly to check
    NONE = "none"  # nothing proven


class _DenialProver:
    """What validated NSEC or NSEC3 records of one zone prove (RFC 4035 5.4, RFC 5155 8)."""

    def __init__(
        self,
        zone: dns.name.Name,
        nsecs: list[tuple[dns.name.Name, NSEC]],
        nsec3s: list[tuple[dns.name.Name, NSEC3]],
    ) -> None:
        self.zone = zone
        self.nsecs = nsecs
        self.nsec3s = [(owner, rdata) for owner, rdata in nsec3s if rdata.algorithm == _NSEC3_SHA1]
        self.too_many_iterations = any(
            rdata.iterations > MAX_NSEC3_ITERATIONS for _owner, rdata in self.nsec3s
        )
        self._hashes: dict[tuple[dns.name.Name, bytes, int], str] = {}

    # -- the questions

    def no_ds(self, child: dns.name.Name) -> _DsProof:
        if self.nsecs:
            return self._no_ds_nsec(child)
        if self.too_many_iterations:
            return _DsProof.ITERATIONS
        if self.nsec3s:
            return self._no_ds_nsec3(child)
        return _DsProof.NONE

    def nodata(self, name: dns.name.Name, rdtype: RdataType) -> bool:
        if self.nsecs:
            return self._nodata_nsec(name, rdtype)
        if self.nsec3s and not self.too_many_iterations:
            return self._nodata_nsec3(name, rdtype)
        return False

    def nxdomain(self, name: dns.name.Name) -> bool:
        if self.nsecs:
            covering = self._nsec_covering(name)
            if covering is None or _is_empty_non_terminal(covering, name):
                return False
            wildcard = dns.name.Name((b"*", *self._nsec_encloser(name, covering).labels))
            return self._nsec_covering(wildcard) is not None
        if self.nsec3s and not self.too_many_iterations:
            proof = self._closest_encloser(name)
            if proof is None:
                return False
            wildcard = dns.name.Name((b"*", *proof[0].labels))
            return self._nsec3_covering(wildcard) is not None
        return False

    def no_closer_match(self, name: dns.name.Name, labels: int) -> bool:
        """Proof that `name` itself does not exist, for an answer synthesised from the
        wildcard at its ancestor of `labels` labels (RFC 4035 5.3.4, RFC 5155 8.8)."""
        if self.nsecs:
            return self._nsec_covering(name) is not None
        if self.nsec3s and not self.too_many_iterations:
            next_closer = name.split(labels + 2)[1]
            return self._nsec3_covering(next_closer) is not None
        return False

    # -- NSEC

    def _no_ds_nsec(self, child: dns.name.Name) -> _DsProof:
        match = self._nsec_matching(child)
        if match is not None:
            return _classify_no_ds(match.windows)
        # an empty non-terminal, or a name a wildcard answers for: no delegation either way
        return _DsProof.NOT_A_CUT if self._nodata_nsec(child, RdataType.DS) else _DsProof.NONE

    def _nodata_nsec(self, name: dns.name.Name, rdtype: RdataType) -> bool:
        match = self._nsec_matching(name)
        if match is not None:
            return _absent(match.windows, rdtype)
        covering = self._nsec_covering(name)
        if covering is None:
            return False
        if _is_empty_non_terminal(covering, name):
            return True
        wildcard = dns.name.Name((b"*", *self._nsec_encloser(name, covering).labels))
        wildcard_match = self._nsec_matching(wildcard)
        return wildcard_match is not None and _absent(wildcard_match.windows, rdtype)

    def _nsec_matching(self, name: dns.name.Name) -> NSEC | None:
        return next((rdata for owner, rdata in self.nsecs if owner == name), None)

    def _nsec_covering(self, name: dns.name.Name) -> tuple[dns.name.Name, NSEC] | None:
        for owner, rdata in self.nsecs:
            if _between(owner, name, rdata.next):
                return owner, rdata
        return None

    def _nsec_encloser(
        self, name: dns.name.Name, covering: tuple[dns.name.Name, NSEC]
    ) -> dns.name.Name:
        """The closest encloser an NSEC covering `name` implies: its longest common
        ancestor with the NSEC's owner or next name, never above the zone."""
        owner, rdata = covering
        common = max(name.fullcompare(owner)[2], name.fullcompare(rdata.next)[2], len(self.zone))
        return name.split(common)[1]

    # -- NSEC3

    def _no_ds_nsec3(self, child: dns.name.Name) -> _DsProof:
        match = self._nsec3_matching(child)
        if match is not None:
            return _classify_no_ds(match.windows)
        proof = self._closest_encloser(child)
        if proof is not None and proof[1].flags & _OPT_OUT:
            return _DsProof.OPT_OUT
        # a name a wildcard answers for cannot be a delegation
        return _DsProof.NOT_A_CUT if self._nodata_nsec3(child, RdataType.DS) else _DsProof.NONE

    def _nodata_nsec3(self, name: dns.name.Name, rdtype: RdataType) -> bool:
        match = self._nsec3_matching(name)
        if match is not None:
            return _absent(match.windows, rdtype)
        proof = self._closest_encloser(name)
        if proof is None:
            return False
        wildcard_match = self._nsec3_matching(dns.name.Name((b"*", *proof[0].labels)))
        return wildcard_match is not None and _absent(wildcard_match.windows, rdtype)

    def _closest_encloser(self, name: dns.name.Name) -> tuple[dns.name.Name, NSEC3] | None:
        """RFC 5155 8.3: the longest existing ancestor, and the NSEC3 covering the next
        closer name (returned, for its opt-out flag)."""
        for depth in range(len(name) - 1, len(self.zone) - 1, -1):
            encloser = name.split(depth)[1]
            if self._nsec3_matching(encloser) is None:
                continue
            next_closer = name.split(depth + 1)[1]
            covering = self._nsec3_covering(next_closer)
            return (encloser, covering) if covering is not None else None
        return None

    def _nsec3_matching(self, name: dns.name.Name) -> NSEC3 | None:
        for owner, rdata in self.nsec3s:
            if owner.labels[0].decode("ascii", "replace").upper() == self._hash(name, rdata):
                return rdata
        return None

    def _nsec3_covering(self, name: dns.name.Name) -> NSEC3 | None:
        for owner, rdata in self.nsec3s:
            hashed = self._hash(name, rdata)
            owner_hash = owner.labels[0].decode("ascii", "replace").upper()
            next_hash = base64.b32hexencode(rdata.next).decode("ascii")
            if _between(owner_hash, hashed, next_hash):
                return rdata
        return None

    def _hash(self, name: dns.name.Name, rdata: NSEC3) -> str:
        key = (name, rdata.salt, rdata.iterations)
        if key not in self._hashes:
            self._hashes[key] = dns.dnssec.nsec3_hash(
                name, rdata.salt, rdata.iterations, _NSEC3_SHA1
            )
        return self._hashes[key]


def _between(owner: Any, name: Any, following: Any) -> bool:
    """Whether `name` falls strictly between a chain entry and the next one; the last entry
    of a chain points back to the first, and covers everything after itself."""
    if owner < following:
        return bool(owner < name < following)
    return bool(name > owner or name < following)


def _is_empty_non_terminal(covering: tuple[dns.name.Name, NSEC], name: dns.name.Name) -> bool:
    """An NSEC whose next name lies below `name` shows `name` exists, with no records."""
    _owner, rdata = covering
    return bool(rdata.next.is_subdomain(name) and rdata.next != name)


def _classify_no_ds(windows: Iterable[tuple[int, bytes]]) -> _DsProof:
    windows = list(windows)
    if _present(windows, RdataType.DS) or _present(windows, RdataType.CNAME):
        return _DsProof.NONE  # the record says a DS (or an alias) is there after all
    if _present(windows, RdataType.SOA):
        return _DsProof.NONE  # the child's apex record: it cannot speak for the parent
    if _present(windows, RdataType.NS):
        return _DsProof.UNSIGNED_DELEGATION
    return _DsProof.NOT_A_CUT


def _absent(windows: Iterable[tuple[int, bytes]], rdtype: RdataType) -> bool:
    windows = list(windows)
    return not _present(windows, rdtype) and not _present(windows, RdataType.CNAME)


def _present(windows: Iterable[tuple[int, bytes]], rdtype: int) -> bool:
    """Whether the NSEC/NSEC3 type bitmap (RFC 4034 4.1.2) lists `rdtype`."""
    window, bit = divmod(int(rdtype), 256)
    for number, bitmap in windows:
        if number == window:
            octet, offset = divmod(bit, 8)
            return octet < len(bitmap) and bool(bitmap[octet] & (0x80 >> offset))
    return False


# --- keys, DS records, signatures: small helpers ------------------------------------------


def _find(
    section: Sequence[dns.rrset.RRset], name: dns.name.Name, rdtype: RdataType
) -> dns.rrset.RRset | None:
    for rrset in section:
        if rrset.name == name and rrset.rdtype == rdtype and rrset.covers == RdataType.TYPE0:
            return rrset
    return None


def _signatures(
    section: Sequence[dns.rrset.RRset], name: dns.name.Name, covered: RdataType
) -> list[RRSIG]:
    return [
        rdata
        for rrset in section
        if rrset.name == name and rrset.rdtype == RdataType.RRSIG and rrset.covers == covered
        for rdata in rrset
        if isinstance(rdata, RRSIG)
    ]


def _keys(dnskeys: dns.rrset.RRset | None) -> list[DNSKEY]:
    return [] if dnskeys is None else [key for key in dnskeys if isinstance(key, DNSKEY)]


def _zone_keys(dnskeys: dns.rrset.RRset) -> list[DNSKEY]:
    """Keys that may sign the zone's data: zone keys, protocol 3, supported, not revoked."""
    return [
        key
        for key in _keys(dnskeys)
        if key.flags & Flag.ZONE
        and not key.flags & Flag.REVOKE
        and key.protocol == 3
        and key.algorithm in SUPPORTED_ALGORITHMS
    ]


def _could_have_signed(key: DNSKEY, signature: RRSIG) -> bool:
    return (
        key.algorithm == signature.algorithm
        and dns.dnssec.key_id(key) == signature.key_tag
        and bool(key.flags & Flag.ZONE)
        and key.protocol == 3
    )


def _usable_ds(all_ds: Sequence[DS]) -> list[DS]:
    """DS records a validator would use: supported algorithm and digest; SHA-1 digests
    ignored when a stronger one is present (RFC 4509 section 3)."""
    usable = [
        ds
        for ds in all_ds
        if ds.algorithm in SUPPORTED_ALGORITHMS and ds.digest_type in SUPPORTED_DIGESTS
    ]
    if any(ds.digest_type != _SHA1_DIGEST for ds in usable):
        usable = [ds for ds in usable if ds.digest_type != _SHA1_DIGEST]
    return usable[:MAX_DS_RECORDS]


def _match_ds(
    zone: dns.name.Name, dnskeys: Sequence[DNSKEY], usable: Sequence[DS]
) -> tuple[list[DNSKEY], int]:
    """Keys a DS record's digest matches, and the largest crowd of same-tag keys refused."""
    entry: list[DNSKEY] = []
    crowded = 0
    for ds in usable:
        candidates = [
            key
            for key in dnskeys
            if key.algorithm == ds.algorithm
            and dns.dnssec.key_id(key) == ds.key_tag
            and key.flags & Flag.ZONE
            and key.protocol == 3
        ]
        if len(candidates) > MAX_KEYS_PER_TAG:
            crowded = max(crowded, len(candidates))
            continue
        entry += [key for key in candidates if _digest_matches(zone, key, ds) and key not in entry]
    return entry, crowded


def _digest_matches(zone: dns.name.Name, key: DNSKEY, ds: DS) -> bool:
    try:
        made = dns.dnssec.make_ds(
            zone, key, ds.digest_type, policy=dns.dnssec.allow_all_policy, validating=True
        )
    except (dns.exception.DNSException, ValueError):
        return False
    return bool(made.digest == ds.digest)


def _anchored(key: DNSKEY, anchor: TrustAnchor) -> bool:
    if key in anchor.dnskeys:
        return True
    return any(
        ds.key_tag == dns.dnssec.key_id(key)
        and ds.algorithm == key.algorithm
        and _digest_matches(_ROOT, key, ds)
        for ds in anchor.ds
    )


def _ds_info(ds: DS) -> DsInfo:
    return DsInfo(ds.key_tag, int(ds.algorithm), ds.digest_type)


def _key_info(key: DNSKEY, secure_entry: bool = False) -> KeyInfo:
    return KeyInfo(dns.dnssec.key_id(key), key.flags, int(key.algorithm), secure_entry)


def _signature_info(label: str, signature: RRSIG, checked: _Checked) -> SignatureInfo:
    result = "valid" if checked.signature is not None else _RESULT_WORDS[checked.reason]
    return SignatureInfo(
        label,
        signature.key_tag,
        int(signature.algorithm),
        signature.inception,
        signature.expiration,
        result,
    )


_RESULT_WORDS = {
    Reason.SIGNATURE_EXPIRED: "expired",
    Reason.SIGNATURE_NOT_YET_VALID: "not-yet-valid",
    Reason.TOO_MANY_KEYS: "too-many-keys",
    Reason.SIGNATURE_INVALID: "invalid",
    Reason.RRSIG_MISSING: "no-key",
}


def _tags(keys: Iterable[DNSKEY]) -> str:
    tags = sorted({dns.dnssec.key_id(key) for key in keys})
    if not tags:
        return "none"
    shown = ", ".join(str(tag) for tag in tags[:8])
    return shown if len(tags) <= 8 else f"{shown} and {len(tags) - 8} more"


def _describe_ds(records: Iterable[DS]) -> str:
    return ", ".join(
        f"tag {ds.key_tag} algorithm {int(ds.algorithm)} digest {ds.digest_type}"
        for ds in list(records)[:4]
    )


def _describe_anchor(anchor: TrustAnchor) -> str:
    tags = [ds.key_tag for ds in anchor.ds] + [dns.dnssec.key_id(key) for key in anchor.dnskeys]
    return "anchor key tags " + ", ".join(str(tag) for tag in sorted(set(tags)))


def _crowded_detail(zone: dns.name.Name, count: int) -> str:
    return (
        f"{count} keys of {zone_text(zone)} share one key tag and algorithm; netready tries "
        f"at most {MAX_KEYS_PER_TAG} (a defence against the KeyTrap attack, CVE-2023-50387)"
    )


def _negative_kind(message: dns.message.Message) -> str:
    return "NXDOMAIN" if message.rcode() == dns.rcode.NXDOMAIN else "no data"


def _check_cname_chain(message: dns.message.Message, name: dns.name.Name) -> None:
    """Follow the CNAMEs from `name` in the answer; a loop (or a chain too long to be
    anything but one) leaves the answer undecidable."""
    seen = [name]
    current = name
    for _hop in range(MAX_CNAME_HOPS):
        cname = _find(message.answer, current, RdataType.CNAME)
        if cname is None:
            return
        current = cname[0].target
        if current in seen:
            raise _StopError(
                ChainState.INDETERMINATE,
                Reason.CNAME_LOOP,
                f"{zone_text(name)} is an alias in a CNAME loop "
                f"({' -> '.join(zone_text(n) for n in (*seen, current))})",
            )
        seen.append(current)
    raise _StopError(
        ChainState.INDETERMINATE,
        Reason.CNAME_LOOP,
        f"{zone_text(name)} starts a CNAME chain of more than {MAX_CNAME_HOPS} aliases",
    )
