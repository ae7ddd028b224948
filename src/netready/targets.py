"""Parse what the user entered into scan targets.

Accepted inputs (surrounding whitespace is ignored):

- **Domain names**, ASCII or Unicode. Unicode names are mapped with UTS #46 and converted to
  A-labels (`bücher.example` -> `xn--bcher-kva.example`); names are lowercased and one trailing
  dot is dropped. Labels are 1 to 63 characters of letters, digits, hyphens and underscores
  (underscores because names such as `_dmarc.example.org` exist), never starting or ending
  with a hyphen; the whole name is at most 253 characters. A single label (`intranet`) is a
  local host name and is accepted. A name whose last label is all digits is rejected: no
  top-level domain is numeric, so `1.2.3.999` is a mistyped IPv4 address, not a domain.
  Labels already written as A-labels (`xn--...`) need only be valid Punycode, so names
  registered under older IDNA rules can still be entered in that form.
- **URLs and URL-like text**: `https://www.example.org:8443/path?q`, `example.org/path`,
  `example.org:443`, `user@example.org`, `http://[2001:db8::1]:80/`. Only the host is kept;
  scheme, user information, port, path, query and fragment are dropped.
- **IP addresses**: IPv4 in dotted decimal (four numbers, no leading zeros, so nothing is read
  as octal) and IPv6, bare or in brackets; IPv6 is written compressed. An IPv4-mapped IPv6
  address (`::ffff:192.0.2.1`) becomes the IPv4 address it maps, because a connection to it
  is an IPv4 connection. Scoped addresses (`fe80::1%eth0`) are rejected: a zone names an
  interface of one machine and cannot be scanned from elsewhere.
- **Networks** in CIDR notation (`198.18.0.0/24`, `2001:db8::/120`; IPv4 also with a netmask,
  `198.18.0.0/255.255.255.0`). A network with host bits set (`198.18.0.5/24`) is rejected
  with a hint naming both readings, because guessing could sweep 254 hosts when one was
  meant. A network of more than `max_network_addresses` addresses is rejected; an IPv6
  prefix that large gets a hint to scan the local network instead, which finds IPv6 hosts
  by asking them. A network of a single address (`/32`, `/128`) is that address, an
  ADDRESS target, so it deduplicates with the bare address.
- **The local network** of one interface of this machine: `lan:eth0` (what
  `netready scan --lan eth0` scans; the name as the system spells it, e.g. `lan:Ethernet 2`
  on Windows). Only the `lan` family applies to it.

Errors::

    ValueError
     +-- TargetError               base; the only exception the parser raises for bad input
          +-- InvalidTargetError   one bad input: text, reason, hint, source, line
          |    +-- TargetFileError a file of targets cannot be used (unreadable, too large,
          |                        not UTF-8, no such column)
          +-- TargetListError      several inputs; `errors` holds every InvalidTargetError

`parse_targets` and `parse_targets_file` always raise `TargetListError` when any entry is bad
(even just one), so a caller needs one `except` clause and the user sees every bad line at
once. A programming error, such as a `max_network_addresses` below 1 or asking for the
addresses of a domain, raises a plain `ValueError`.
"""

from __future__ import annotations

import codecs
import csv
import io
import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TypeAlias

import idna

__all__ = [
    "DEFAULT_MAX_NETWORK_ADDRESSES",
    "LAN_TARGET_PREFIX",
    "MAX_FILE_BYTES",
    "MAX_TARGET_LENGTH",
    "InvalidTargetError",
    "Target",
    "TargetError",
    "TargetFileError",
    "TargetKind",
    "TargetListError",
    "interface_target",
    "network_addresses",
    "network_size",
    "parse_target",
    "parse_targets",
    "parse_targets_file",
    "read_targets_file",
]

DEFAULT_MAX_NETWORK_ADDRESSES = 1024
#: A target naming the local network of an interface: `lan:eth0`.
LAN_TARGET_PREFIX = "lan:"
_MAX_INTERFACE_NAME_LENGTH = 256
MAX_TARGET_LENGTH = 2000
MAX_FILE_BYTES = 10 * 1024 * 1024

_MAX_DOMAIN_LENGTH = 253
_MAX_LABEL_LENGTH = 63
_SHOWN_LENGTH = 80
# idna refuses longer input outright; no real name comes near it.
_MAX_UNICODE_NAME_LENGTH = 1024
# CSV columns tried, in this order, when the caller names none.
_TARGET_COLUMN_NAMES = ("target", "domain", "host", "address", "ip", "url")

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
# `http:/example.org`: without this it would read as the single-label host `http`.
_BROKEN_SCHEME = re.compile(r"[A-Za-z]+:/")
_DIGITS = re.compile(r"[0-9]+")
_IPV4_LIKE = re.compile(r"[0-9.]*[0-9][0-9.]*")
_NAME_CHARACTER = re.compile(r"[a-z0-9_.\-]")
# A comment starts at a '#' at the start of a line or after whitespace, so URL fragments survive.
_COMMENT = re.compile(r"(?:^|\s)#")

_IPV6_SWEEP_HINT = (
    "IPv6 networks are too large to sweep; enter the hosts' addresses, or scan the local "
    "network with `netready scan --lan IFACE`, which finds IPv6 hosts by asking them (multicast)"
)
_A_LABEL_HINT = "if the name exists, enter it in its A-label form (xn--...)"

_IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
_IPNetwork: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network


class TargetKind(StrEnum):
    DOMAIN = "domain"
    ADDRESS = "address"
    NETWORK = "network"
    INTERFACE = "interface"  # the local network of one interface of this machine


@dataclass(frozen=True, slots=True, order=True)
class Target:
    """A normalised target.

    `value` is the canonical text: an A-label domain without the trailing dot
    (`xn--bcher-kva.example`), a compressed IP address (`2001:db8::1`), or a network with
    its prefix length (`198.18.0.0/24`), or `lan:<interface>`. Two targets are equal when
    their values are.
    """

    kind: TargetKind
    value: str

    def __str__(self) -> str:
        return self.value

    @property
    def ip_version(self) -> int | None:
        """4 or 6 for addresses and networks, None for domains and interfaces."""
        if self.kind in (TargetKind.DOMAIN, TargetKind.INTERFACE):
            return None
        return ipaddress.ip_network(self.value, strict=False).version

    @property
    def interface(self) -> str:
        """The interface name of a `lan:` target; ValueError for any other kind."""
        if self.kind is not TargetKind.INTERFACE:
            raise ValueError(f"{self.value!r} is not a local network (lan:) target")
        return self.value.removeprefix(LAN_TARGET_PREFIX)


def interface_target(name: str) -> Target:
    """The target for the local network of interface `name`; InvalidTargetError if unusable."""
    text = f"{LAN_TARGET_PREFIX}{name}"
    try:
        return _interface_target(name)
    except _RejectedError as rejected:
        raise InvalidTargetError(text, rejected.reason, hint=rejected.hint) from None


def _interface_target(name: str) -> Target:
    if not name or name != name.strip():
        raise _RejectedError(
            "an interface name is needed after 'lan:', without surrounding spaces",
            hint="e.g. lan:eth0",
        )
    if len(name) > _MAX_INTERFACE_NAME_LENGTH or not name.isprintable() or "%" in name:
        raise _RejectedError("that is not an interface name")
    return Target(TargetKind.INTERFACE, f"{LAN_TARGET_PREFIX}{name}")


# --- errors -------------------------------------------------------------------------------


class TargetError(ValueError):
    """Base of the parser's errors (the only exception type the parser raises)."""


class InvalidTargetError(TargetError):
    """One input that is not a valid target.

    Attributes:
        text: the input exactly as given.
        reason: why it is not valid, a sentence fragment naming the exact problem.
        hint: what the user can do instead, or None.
        source: the file the input came from, or None.
        line: the 1-based line of `source` the input came from, or None.
    """

    def __init__(
        self,
        text: str,
        reason: str,
        *,
        hint: str | None = None,
        source: Path | None = None,
        line: int | None = None,
    ) -> None:
        # args stay (text, reason) and the rest lives in __dict__, so the error pickles.
        super().__init__(text, reason)
        self.text = text
        self.reason = reason
        self.hint = hint
        self.source = source
        self.line = line

    def with_location(self, source: Path | None, line: int | None) -> InvalidTargetError:
        """A copy that says which file and line the input came from."""
        return type(self)(self.text, self.reason, hint=self.hint, source=source, line=line)

    def __str__(self) -> str:
        message = f"{self._location()}{_shown(self.text)} is not a valid target: {self.reason}"
        return _with_hint(message, self.hint)

    def _location(self) -> str:
        if self.source is None and self.line is None:
            return ""
        parts = [str(self.source)] if self.source is not None else []
        if self.line is not None:
            parts.append(f"line {self.line}")
        return " ".join(parts) + ": "


class TargetFileError(InvalidTargetError):
    """A file of targets that cannot be used as a whole; `text` is the file's name."""

    def __str__(self) -> str:
        return _with_hint(f"{self._location()}{self.reason}", self.hint)


class TargetListError(TargetError):
    """Several inputs were given and at least one is bad; `errors` holds every bad one."""

    def __init__(self, errors: Sequence[InvalidTargetError]) -> None:
        if not errors:
            raise ValueError("TargetListError needs at least one error")
        self.errors: tuple[InvalidTargetError, ...] = tuple(errors)
        super().__init__(self.errors)

    def __str__(self) -> str:
        count = len(self.errors)
        header = "1 target is not valid:" if count == 1 else f"{count} targets are not valid:"
        return "\n".join([header, *(f"  {error}" for error in self.errors)])


def _with_hint(message: str, hint: str | None) -> str:
    return message if hint is None else f"{message}; {hint}"


def _shown(text: str) -> str:
    """The input quoted for a message: clipped, with invisible characters escaped."""
    if len(text) > _SHOWN_LENGTH:
        text = text[: _SHOWN_LENGTH - 1] + "…"
    return repr(text)


def _describe_character(character: str) -> str:
    if character == " ":
        return "a space"
    if character.isascii() and character.isprintable():
        return repr(character)
    code = f"U+{ord(character):04X}"
    name = unicodedata.name(character, "")
    if name and character.isprintable():
        return f"{character!r} ({code} {name})"
    if name:
        return f"{code} {name}"
    category = unicodedata.category(character)
    kind = {"Cc": "a control character", "Cs": "a lone surrogate"}.get(category)
    return f"{code} ({kind})" if kind else code


class _RejectedError(Exception):
    """Internal: a reason (and hint) to reject the input; parse_target adds the input."""

    def __init__(self, reason: str, hint: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


# --- one target ---------------------------------------------------------------------------


def parse_target(
    text: str, *, max_network_addresses: int = DEFAULT_MAX_NETWORK_ADDRESSES
) -> Target:
    """Parse one input into a normalised target, or raise InvalidTargetError saying why not."""
    _check_limit(max_network_addresses)
    try:
        return _parse(text.strip(), max_network_addresses)
    except _RejectedError as rejected:
        raise InvalidTargetError(text, rejected.reason, hint=rejected.hint) from None


def _check_limit(max_network_addresses: int) -> None:
    if max_network_addresses < 1:
        raise ValueError(f"max_network_addresses must be at least 1, not {max_network_addresses}")


def _parse(text: str, max_network_addresses: int) -> Target:
    if not text:
        raise _RejectedError("empty target")
    if len(text) > MAX_TARGET_LENGTH:
        raise _RejectedError(
            f"it is {len(text):,} characters long; the limit is {MAX_TARGET_LENGTH:,}"
        )
    if text[: len(LAN_TARGET_PREFIX)].lower() == LAN_TARGET_PREFIX:
        return _interface_target(text[len(LAN_TARGET_PREFIX) :])
    scheme = _SCHEME.match(text)
    if scheme:
        return _parse_url_rest(text[scheme.end() :])
    if _BROKEN_SCHEME.match(text):
        raise _RejectedError("it looks like a URL, but the scheme is not followed by '://'")
    head, slash, prefix = text.partition("/")
    if slash and _looks_like_ip_literal(head):
        return _parse_network(head, prefix, max_network_addresses)
    return _parse_authority(_cut_path(text), in_url=False)


def _looks_like_ip_literal(text: str) -> bool:
    bracketed = text.startswith("[") and text.endswith("]")
    return bracketed or text.count(":") >= 2 or bool(_IPV4_LIKE.fullmatch(text))


def _cut_path(text: str) -> str:
    """The authority part of URL-like text: everything before a path, query or fragment."""
    return re.split(r"[/?#]", text, maxsplit=1)[0]


def _parse_url_rest(rest: str) -> Target:
    authority = _cut_path(rest)
    if not authority:
        raise _RejectedError("the URL has no host name")
    return _parse_authority(authority, in_url=True)


def _parse_authority(authority: str, *, in_url: bool) -> Target:
    """Parse `[userinfo@]host[:port]`; the user information and the port are dropped."""
    hostport = authority.rpartition("@")[2]
    if hostport.startswith("["):
        return _parse_bracketed(hostport)
    if hostport.count(":") >= 2:
        if in_url:
            raise _RejectedError(
                "an IPv6 address in a URL must be written in brackets",
                hint=f"put it in brackets: [{hostport}]",
            )
        return _address_target(_parse_ip(hostport))
    host, _, port = hostport.partition(":")
    _check_port(port)
    if not host:
        raise _RejectedError("there is no host name or address")
    if _IPV4_LIKE.fullmatch(host):
        return _address_target(_parse_ip(host))
    return Target(TargetKind.DOMAIN, _parse_domain(host))


def _parse_bracketed(hostport: str) -> Target:
    host, closing, port_part = hostport[1:].partition("]")
    if not closing:
        raise _RejectedError("the '[' has no closing ']'")
    if port_part and not port_part.startswith(":"):
        raise _RejectedError(f"unexpected {_shown(port_part)} after the ']'")
    _check_port(port_part[1:])
    if ":" not in host:
        raise _RejectedError("only an IPv6 address can be written in brackets")
    return _address_target(_parse_ip(host))


def _check_port(port: str) -> None:
    # An empty port is allowed, as in URLs (`http://example.org:/`).
    if not port:
        return
    if not _DIGITS.fullmatch(port) or len(port) > 5 or not 1 <= int(port) <= 65535:
        raise _RejectedError(f"{_shown(port)} after the ':' is not a port number from 1 to 65535")


# --- IP addresses and networks ------------------------------------------------------------


def _parse_ip(text: str) -> _IPAddress:
    if ":" in text:
        return _parse_ipv6(text)
    return _parse_ipv4(text)


def _parse_ipv4(text: str) -> ipaddress.IPv4Address:
    numbers = text.split(".")
    if "" in numbers:
        raise _RejectedError("an IPv4 address is four numbers separated by single dots")
    if len(numbers) != 4:
        raise _RejectedError(f"an IPv4 address has four numbers; this has {len(numbers)}")
    for number in numbers:
        if not _DIGITS.fullmatch(number):
            raise _RejectedError(f"{_shown(number)} is not a number from 0 to 255")
        if len(number) > 1 and number.startswith("0"):
            raise _RejectedError(
                f"the number {number!r} has a leading zero, which some systems read as octal"
            )
        if len(number) > 3 or int(number) > 255:
            raise _RejectedError(f"the number {_shown(number)} is larger than 255")
    return ipaddress.IPv4Address(text)


def _parse_ipv6(text: str) -> ipaddress.IPv6Address:
    if "%" in text:
        raise _RejectedError(
            f"scoped addresses (zone {_shown(text[text.index('%') :])}) cannot be scanned",
            hint="use the host's global address",
        )
    try:
        return ipaddress.IPv6Address(text)
    except ValueError as error:
        detail = str(error).removesuffix(f" in {text!r}")
        detail = detail[:1].lower() + detail[1:]
        raise _RejectedError(f"not a valid IPv6 address: {_clip(detail)}") from None


def _clip(text: str, length: int = 120) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _unmapped(address: _IPAddress) -> _IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _address_target(address: _IPAddress) -> Target:
    return Target(TargetKind.ADDRESS, str(_unmapped(address)))


def _parse_network(address_text: str, prefix_text: str, max_addresses: int) -> Target:
    if address_text.startswith("["):
        address_text = address_text[1:-1]
    if not address_text:
        raise _RejectedError("there is no address before the '/'")
    address = _parse_ip(address_text)
    prefix = _parse_prefix(prefix_text, address.version)
    network = ipaddress.ip_network((address, prefix), strict=False)
    if network.network_address != address:
        raise _RejectedError(
            f"the address has host bits set after the /{prefix} prefix",
            hint=f"did you mean the network {network}, or the single address {address}?",
        )
    network = _unmapped_network(network)
    if network.num_addresses == 1:
        return _address_target(network.network_address)
    _check_network_size(network, max_addresses)
    return Target(TargetKind.NETWORK, str(network))


def _parse_prefix(text: str, version: int) -> int:
    longest = 32 if version == 4 else 128
    if not text:
        raise _RejectedError("the prefix length after the '/' is missing")
    if _DIGITS.fullmatch(text):
        if len(text) > 3 or int(text) > longest:
            raise _RejectedError(
                f"the prefix length /{_clip(text, 20)} is out of range; "
                f"an IPv{version} prefix is /0 to /{longest}"
            )
        return int(text)
    if version == 4 and _IPV4_LIKE.fullmatch(text):
        try:
            return ipaddress.IPv4Network(f"0.0.0.0/{text}").prefixlen
        except ValueError:
            raise _RejectedError(f"{_shown(text)} is not a valid netmask") from None
    raise _RejectedError(f"the prefix length {_shown(text)} is not a number")


def _unmapped_network(network: _IPNetwork) -> _IPNetwork:
    if not isinstance(network, ipaddress.IPv6Network) or network.prefixlen < 96:
        return network
    mapped = network.network_address.ipv4_mapped
    if mapped is None:
        return network
    return ipaddress.IPv4Network((mapped, network.prefixlen - 96))


def _check_network_size(network: _IPNetwork, max_addresses: int) -> None:
    if network.num_addresses <= max_addresses:
        return
    reason = f"the network has {_count(network)} addresses; the limit is {max_addresses:,}"
    if network.version == 6:
        raise _RejectedError(reason, hint=_IPV6_SWEEP_HINT)
    longest_fitting = 32 - min(max_addresses.bit_length() - 1, 32)
    raise _RejectedError(
        reason,
        hint=f"split it into networks no larger than /{longest_fitting}, "
        "or raise the network size limit",
    )


def _count(network: _IPNetwork) -> str:
    host_bits = network.max_prefixlen - network.prefixlen
    return f"{network.num_addresses:,}" if host_bits <= 32 else f"2^{host_bits}"


# --- domain names -------------------------------------------------------------------------


def _parse_domain(host: str) -> str:
    """The canonical A-label form of a domain name, or _RejectedError saying what is wrong."""
    name = host.lower() if host.isascii() else _uts46_mapped(host)
    name = name.removesuffix(".")
    if not name:
        raise _RejectedError("a domain name needs at least one label")
    _check_name_characters(name)
    labels = name.split(".")
    a_labels = [_a_label(label, position) for position, label in enumerate(labels)]
    domain = ".".join(a_labels)
    if len(domain) > _MAX_DOMAIN_LENGTH:
        raise _RejectedError(
            f"the name is {len(domain)} characters long; the limit is {_MAX_DOMAIN_LENGTH}"
        )
    if a_labels[-1].isdigit():
        raise _RejectedError(
            f"the last label {a_labels[-1]!r} is all digits, which no top-level domain is, "
            "and this is not an IPv4 address in dotted decimal either"
        )
    return domain


def _uts46_mapped(host: str) -> str:
    if len(host) > _MAX_UNICODE_NAME_LENGTH:
        raise _RejectedError(f"the name is too long; the limit is {_MAX_DOMAIN_LENGTH} characters")
    try:
        # STD3 rules off: ASCII is checked by our own rules, which allow underscores.
        return idna.uts46_remap(host, std3_rules=False)
    except (idna.IDNAError, UnicodeError, ValueError):
        raise _RejectedError(_disallowed_character_reason(host)) from None


def _disallowed_character_reason(host: str) -> str:
    for character in host:
        if character.isascii():
            continue
        try:
            idna.uts46_remap(character, std3_rules=False)
        except (idna.IDNAError, UnicodeError, ValueError):
            return f"a domain name cannot contain {_describe_character(character)}"
    return "it is not a valid internationalised domain name"


def _check_name_characters(name: str) -> None:
    for character in name:
        if character.isascii() and not _NAME_CHARACTER.fullmatch(character):
            raise _RejectedError(f"a domain name cannot contain {_describe_character(character)}")


def _a_label(label: str, position: int) -> str:
    if not label:
        where = "it starts with a dot" if position == 0 else "two dots in a row"
        raise _RejectedError(f"empty label ({where})")
    a_label = label if label.isascii() else _encoded_label(label)
    if len(a_label) > _MAX_LABEL_LENGTH:
        raise _RejectedError(
            f"label {_shown(label)} is {len(a_label)} characters long"
            f"{'' if label.isascii() else ' as an A-label'}; the limit is {_MAX_LABEL_LENGTH}"
        )
    if label.startswith("-") or label.endswith("-"):
        end = "starts" if label.startswith("-") else "ends"
        raise _RejectedError(f"label {_shown(label)} {end} with a hyphen")
    if label.isascii():
        _check_punycode(label)
    else:
        _check_idna_label(label)
    return a_label


def _encoded_label(label: str) -> str:
    try:
        return "xn--" + label.encode("punycode").decode("ascii")
    except UnicodeError:
        raise _RejectedError(f"label {_shown(label)} cannot be encoded as an A-label") from None


def _check_punycode(label: str) -> None:
    """An ASCII `xn--` label must decode; IDNA 2008 rules are not re-applied (see module doc)."""
    if not label.startswith("xn--"):
        return
    try:
        label[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError, OverflowError):
        raise _RejectedError(
            f"label {_shown(label)} starts with 'xn--' but is not valid Punycode"
        ) from None


def _check_idna_label(label: str) -> None:
    try:
        idna.alabel(label)
    except (idna.IDNAError, UnicodeError, ValueError) as error:
        raise _RejectedError(
            f"label {_shown(label)} breaks the rules for internationalised names: "
            f"{_idna_detail(error)}",
            hint=_A_LABEL_HINT,
        ) from None


def _idna_detail(error: Exception) -> str:
    codepoint = getattr(error, "codepoint", None)
    if isinstance(codepoint, int):
        return f"{_describe_character(chr(codepoint))} is not allowed there"
    detail = str(error) or type(error).__name__
    return _clip(detail[:1].lower() + detail[1:])


# --- several targets ----------------------------------------------------------------------


def parse_targets(
    texts: Iterable[str], *, max_network_addresses: int = DEFAULT_MAX_NETWORK_ADDRESSES
) -> list[Target]:
    """Parse every input; return the targets without duplicates, in first-seen order.

    Raises TargetListError naming every bad input when any is bad (even just one).
    """
    entries = ((None, text) for text in texts)
    return _parse_entries(entries, source=None, max_network_addresses=max_network_addresses)


def _parse_entries(
    entries: Iterable[tuple[int | None, str]],
    *,
    source: Path | None,
    max_network_addresses: int,
) -> list[Target]:
    _check_limit(max_network_addresses)
    targets: dict[Target, None] = {}
    errors: list[InvalidTargetError] = []
    for line, text in entries:
        try:
            target = parse_target(text, max_network_addresses=max_network_addresses)
        except InvalidTargetError as error:
            errors.append(error.with_location(source, line))
        else:
            targets.setdefault(target, None)
    if errors:
        raise TargetListError(errors)
    return list(targets)


# --- files of targets ---------------------------------------------------------------------


def read_targets_file(path: Path, *, column: str | None = None) -> list[tuple[int, str]]:
    """The raw entries of a file of targets, each with its 1-based line number.

    Plain text has one target per line; blank lines and comments (from a `#` at the start
    of a line or after whitespace) are ignored. A `.csv` file, or any file when `column` is
    given, is read as CSV: the delimiter is the most frequent of `,` `;` and tab in the first
    line, and `column` names a column of the header row (case-insensitively). Without
    `column`, the first of the columns target, domain, host, address, ip, url is used, else
    the first column; then a first row whose first cell is an IP address, a network or a
    dotted domain name is data, not a header. Blank cells are ignored.

    Raises TargetFileError when the file cannot be read, is larger than MAX_FILE_BYTES, is
    not UTF-8 (a byte order mark is fine), or has no column named `column`.
    """
    text = _read_text(path)
    if column is not None or path.suffix.lower() == ".csv":
        return _csv_entries(text, path, column)
    return _plain_entries(text)


def parse_targets_file(
    path: Path,
    *,
    column: str | None = None,
    max_network_addresses: int = DEFAULT_MAX_NETWORK_ADDRESSES,
) -> list[Target]:
    """Read and parse a file of targets (see read_targets_file), without duplicates.

    Raises TargetFileError when the file cannot be used, and TargetListError, whose errors
    carry the file and line numbers, when any entry is bad.
    """
    entries = read_targets_file(path, column=column)
    return _parse_entries(entries, source=path, max_network_addresses=max_network_addresses)


def _file_error(
    path: Path, reason: str, *, hint: str | None = None, line: int | None = None
) -> TargetFileError:
    return TargetFileError(str(path), reason, hint=hint, source=path, line=line)


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as targets_file:
            # Read one byte past the limit rather than trusting the size from stat, which is
            # 0 for pipes and special files.
            data = targets_file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise _file_error(path, f"cannot read the file: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise _file_error(
            path,
            f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
            hint="split it into smaller files",
        )
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = _line_of(data, error.start)
        bad_byte = data[error.start]
        raise _file_error(
            path,
            f"the file is not UTF-8 text (byte 0x{bad_byte:02x})",
            hint="save it as UTF-8",
            line=line,
        ) from None
    # Universal newlines, as open() in text mode would give, so line numbers match editors.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _line_of(data: bytes, offset: int) -> int:
    before = data[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return before.count(b"\n") + 1


def _plain_entries(text: str) -> list[tuple[int, str]]:
    entries: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        comment = _COMMENT.search(line)
        entry = (line[: comment.start()] if comment else line).strip()
        if entry:
            entries.append((number, entry))
    return entries


def _csv_entries(text: str, path: Path, column: str | None) -> list[tuple[int, str]]:
    rows = [(line, row) for line, row in _csv_rows(text, path) if any(c.strip() for c in row)]
    if not rows:
        return []
    header_line, header = rows[0]
    index, has_header = _target_column(header, column, path, header_line)
    data_rows = rows[1:] if has_header else rows
    entries: list[tuple[int, str]] = []
    for line, row in data_rows:
        cell = row[index].strip() if index < len(row) else ""
        if cell:
            entries.append((line, cell))
    return entries


def _csv_rows(text: str, path: Path) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on (a quoted cell may span lines)."""
    first_line = text.partition("\n")[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as error:
        raise _file_error(path, f"the CSV is malformed: {error}", line=reader.line_num) from None


def _target_column(
    header: list[str], column: str | None, path: Path, header_line: int
) -> tuple[int, bool]:
    """The index of the column of targets, and whether the first row is a header."""
    names = [cell.strip().casefold() for cell in header]
    if column is not None:
        wanted = column.strip().casefold()
        if wanted not in names:
            raise _file_error(
                path,
                f"there is no column named {_shown(column)} in the header row",
                hint=f"the columns are: {_clip(', '.join(cell.strip() for cell in header))}",
                line=header_line,
            )
        return names.index(wanted), True
    for name in _TARGET_COLUMN_NAMES:
        if name in names:
            return names.index(name), True
    return 0, not _looks_like_data(header[0])


def _looks_like_data(cell: str) -> bool:
    # A single label ("Website") is far more likely a column title than a host name.
    try:
        target = parse_target(cell)
    except TargetError:
        return False
    return target.kind is not TargetKind.DOMAIN or "." in target.value


# --- expanding networks -------------------------------------------------------------------


def network_size(target: Target) -> int:
    """How many addresses a network (or an address: 1) holds, counting network and broadcast.

    This is the number compared with `max_network_addresses`; `network_addresses` may yield
    two fewer (see there).
    """
    return _ip_network(target).num_addresses


def network_addresses(target: Target) -> Iterator[str]:
    """The addresses to scan in a network (or the address itself), in ascending order.

    IPv4 networks larger than /31 skip the network and broadcast addresses, which no host
    uses; a /31 (RFC 3021 point-to-point link) and IPv6 networks yield every address.
    """
    return _host_addresses(_ip_network(target))


def _ip_network(target: Target) -> _IPNetwork:
    if target.kind is TargetKind.DOMAIN:
        raise ValueError(f"{target.value!r} is a domain name, not an address or a network")
    if target.kind is TargetKind.INTERFACE:
        raise ValueError(f"{target.value!r} is a local network, not an address or a network")
    return ipaddress.ip_network(target.value)


def _host_addresses(network: _IPNetwork) -> Iterator[str]:
    first, last = 0, network.num_addresses - 1
    if network.version == 4 and network.prefixlen < 31:
        first, last = first + 1, last - 1
    for offset in range(first, last + 1):
        yield str(network.network_address + offset)
