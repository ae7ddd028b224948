"""DNSSEC queries: one question to one resolver with DO and CD set, the raw answer kept.

netready validates DNSSEC itself, so it needs the records a resolver would check, not the
resolver's verdict: DO asks for the RRSIG, NSEC and NSEC3 records, and CD asks a validating
resolver to hand out data even when it would call it bogus, so the reason can be diagnosed.

`query_dnssec` raises on anything but a parsed response; `describe_failure` turns what it
raised into a `QueryFailure` and words, which the DNSSEC checks report as the reason a zone
could not be decided.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

from netready.net.dns import udp_query

__all__ = [
    "DnssecReply",
    "QueryFailure",
    "TruncatedAnswerError",
    "describe_failure",
    "make_dnssec_query",
    "query_dnssec",
]

#: The EDNS buffer size of the DNS flag day 2020: large enough for most signed answers,
#: small enough to avoid IP fragmentation; bigger answers come over TCP.
EDNS_PAYLOAD = 1232


class QueryFailure(StrEnum):
    """Why a question got no usable answer. Values are stable (they appear in evidence)."""

    TIMEOUT = "timeout"  # no answer within the time limit
    SERVFAIL = "servfail"  # the resolver answered SERVFAIL, REFUSED or another error code
    MALFORMED = "malformed"  # the answer could not be parsed
    TRUNCATED = "truncated"  # truncated over UDP and no answer over TCP
    NETWORK = "network-error"  # the resolver could not be reached (refused, unreachable, ...)


@dataclass(frozen=True, slots=True)
class DnssecReply:
    """The answer to one question: a parsed message, or why there is none.

    `message` is None exactly when `failure` is set. `resolver` is the address that gave
    the message (or the last one tried); `detail` explains a failure in words.
    """

    name: dns.name.Name
    rdtype: dns.rdatatype.RdataType
    message: dns.message.Message | None = None
    resolver: str | None = None
    failure: QueryFailure | None = None
    detail: str = ""

    @property
    def rcode(self) -> dns.rcode.Rcode | None:
        return None if self.message is None else self.message.rcode()


def make_dnssec_query(name: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> dns.message.Message:
    """A recursive query with DO (send DNSSEC records) and CD (do not filter bogus data)."""
    query = dns.message.make_query(name, rdtype, want_dnssec=True, payload=EDNS_PAYLOAD)
    query.flags |= dns.flags.CD
    return query


async def query_dnssec(
    name: dns.name.Name,
    rdtype: dns.rdatatype.RdataType,
    resolver: str,
    *,
    timeout: float,
    port: int = 53,
) -> dns.message.Message:
    """Ask `resolver` one question over UDP, over TCP when the answer is truncated.

    Raises what dnspython raises (timeouts, malformed answers, socket errors); a response
    with an error rcode is returned as it is. A truncated UDP answer whose TCP retry fails
    raises `TruncatedAnswerError`, so the reason says that TCP was the problem. Answers
    from an unexpected address are ignored (as a stub resolver would); a malformed answer
    from the resolver is not, so the reason is "malformed" rather than a timeout.
    """
    query = make_dnssec_query(name, rdtype)
    deadline = time.monotonic() + timeout
    try:
        response = await udp_query(query, resolver, timeout=timeout, port=port)
    except dns.message.Truncated:
        pass  # TC set and the rest unparseable: the TCP answer is the one to have
    else:
        if not response.flags & dns.flags.TC:
            return response
    remaining = max(deadline - time.monotonic(), 0.1)
    try:
        return await dns.asyncquery.tcp(query, resolver, timeout=remaining, port=port)
    except (dns.exception.DNSException, OSError, EOFError) as error:
        raise TruncatedAnswerError(
            f"the answer was truncated over UDP, and TCP failed ({_name_of(error)})"
        ) from None


class TruncatedAnswerError(Exception):
    """The UDP answer had TC set and the TCP retry gave no answer."""


def _name_of(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def describe_failure(error: BaseException) -> tuple[QueryFailure, str]:
    """The kind of failure `query_dnssec` raised, and a short text for the evidence."""
    if isinstance(error, TruncatedAnswerError):
        return QueryFailure.TRUNCATED, str(error)
    if isinstance(error, dns.exception.Timeout | TimeoutError):
        return QueryFailure.TIMEOUT, str(error) or "no answer in time"
    if isinstance(error, OSError | EOFError):
        return QueryFailure.NETWORK, _name_of(error)
    # FormError, ShortHeader, TrailingJunk, BadLabelType, a non-matching reply, ...
    return QueryFailure.MALFORMED, f"malformed answer ({_name_of(error)})"
