"""Remediation advice keyed by check id: what a finding means and how to fix it.

The knowledge is data, not code: `resources/advice/<family>.toml`, one table per check id.
This module loads it once and renders it for one finding, filling `$placeholders` from the
finding with `string.Template.safe_substitute` (never `str.format`, whose `{0.__class__}`
fields would let a hostile server's text reach Python attributes).

Public API (used by the GUI's details pane and by every report)::

    advice_for(check_id) -> Advice | None          # the raw entry
    render_advice(finding, *, platform=None) -> RenderedAdvice
    PLATFORMS                                       # platform key -> label shown to people

Placeholders a template may use: the finding's fields (`$target`, `$subject`, `$check_id`,
`$status`, `$summary`); keys derived from a subject such as ``www.example.org
[2001:db8::10]:443`` (`$host`, `$address`, `$port`, `$address_url` = the address in URL
form, `$endpoint` = ``[2001:db8::10]:443``, `$ip_flag` = ``-4``/``-6``, `$starttls` =
openssl's ``-starttls smtp `` for a mail port, else nothing), and `$interface` from a
`lan:IFACE` target; and the evidence
keys the entry lists in its `evidence` field. A placeholder with no value stays as written
(``$address``), so the reader sees what to fill in - unless the entry offers another
command in `verify_fallback` whose placeholders all have values (e.g. `dig $target MX` when
a finding names no mail server address). Values put into the verify command are
shell-quoted: evidence comes from servers netready does not trust, and an admin may paste
the command into a terminal. Values put into the Markdown texts cannot form a link: a
certificate name or header like ``[update](https://evil.example)`` stays plain text in the
reports.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
import shlex
import string
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from netready.findings import Finding, Status
from netready.resources import resources_dir

__all__ = [
    "FINDING_PLACEHOLDERS",
    "PLATFORMS",
    "VERDICT_STATUSES",
    "Advice",
    "AdviceError",
    "Reference",
    "RenderedAdvice",
    "advice_for",
    "all_advice",
    "load_advice",
    "placeholder_values",
    "render_advice",
    "template_placeholders",
    "verdict_text",
    "verify_command",
]

#: Where fixes apply, in the order they are shown; the key is what the TOML files use.
PLATFORMS: Mapping[str, str] = MappingProxyType(
    {
        "general": "Any platform",
        "nginx": "nginx",
        "apache": "Apache httpd",
        "iis": "Microsoft IIS",
        "caddy": "Caddy",
        "bind": "BIND 9",
        "knot": "Knot DNS",
        "powerdns": "PowerDNS",
        "dns_host": "Your DNS host",
        "unbound": "Unbound",
        "windows_dns": "Windows DNS Server",
        "postfix": "Postfix",
        "windows": "Windows (netsh / PowerShell)",
        "macos": "macOS (pf / Application Firewall)",
        "linux": "Linux",
        "network": "Switches and routers",
    }
)

#: Placeholders every template may use, besides the evidence keys its entry lists.
FINDING_PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "target",
        "subject",
        "check_id",
        "status",
        "summary",
        "host",
        "address",
        "port",
        "address_url",
        "endpoint",
        "ip_flag",
        "interface",
        "starttls",
    }
)

#: Statuses an entry gives a verdict text for (a pass needs no advice).
VERDICT_STATUSES: tuple[Status, ...] = (Status.INFO, Status.WARNING, Status.FAIL, Status.ERROR)

_REQUIRED_TEXT_FIELDS = ("title", "meaning", "why", "verify")


class AdviceError(ValueError):
    """An advice file is malformed; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Reference:
    """A document that explains the finding or the fix."""

    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Advice:
    """One check id's advice as written in the TOML file (templates not yet filled).

    Attributes:
        check_id: the check id it belongs to.
        title: plain-language title.
        meaning: what the finding means (Markdown).
        why: why it matters, one sentence a non-specialist understands.
        verdicts: the verdict text per non-pass status (Markdown templates); statuses an
            entry leaves out get a generic sentence when rendered.
        fixes: platform key (see `PLATFORMS`) -> how to fix it there (Markdown template).
        verify: a shell command template that shows the same fact without netready.
        verify_fallback: commands to use instead, in order, when a finding lacks a value
            `verify` needs (a domain-wide "nothing to test" finding has no address).
        references: further reading.
        evidence: the evidence keys the templates may use.
    """

    check_id: str
    title: str
    meaning: str
    why: str
    verdicts: Mapping[Status, str]
    fixes: Mapping[str, str]
    verify: str
    references: tuple[Reference, ...]
    evidence: tuple[str, ...] = ()
    verify_fallback: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RenderedAdvice:
    """Advice filled in for one finding, ready to show.

    `verdict` is the text for the finding's status (for a pass: the finding's summary);
    `fixes` maps platform key -> Markdown, in `PLATFORMS` order; `verify` is a command line
    whose filled-in values are shell-quoted.

    The text fields are Markdown with the finding's values put in as they are: a name or a
    summary may carry text a server chose, so render them as untrusted (escape HTML, or
    Qt's `MarkdownNoHTML`), as the reports do.
    """

    check_id: str
    title: str
    meaning: str
    why: str
    verdict: str
    fixes: Mapping[str, str]
    verify: str
    references: tuple[Reference, ...]

    def platform_label(self, platform: str) -> str:
        """The name shown for a platform key (`iis` -> `Microsoft IIS`)."""
        return PLATFORMS.get(platform, platform)


_GENERIC_VERDICTS: Mapping[Status, str] = MappingProxyType(
    {
        Status.INFO: "Worth knowing: $summary",
        Status.WARNING: "This should be fixed: $summary",
        Status.FAIL: "This is insecure or broken; fix it: $summary",
        Status.ERROR: "netready could not test this, so it is not known to be fine: $summary",
    }
)


def advice_for(check_id: str) -> Advice | None:
    """The advice for a check id, or None when there is none."""
    return all_advice().get(check_id)


def render_advice(finding: Finding, *, platform: str | None = None) -> RenderedAdvice:
    """The advice for `finding` with its placeholders filled.

    `platform` narrows the fixes to that platform when the entry has one for it (the
    details pane's platform chooser); otherwise every platform's fix is returned. A check
    id with no advice still gets a title, its verdict and the summary, never an exception.
    """
    advice = advice_for(finding.check_id)
    values = placeholder_values(finding)
    if advice is None:
        return RenderedAdvice(
            check_id=finding.check_id,
            title=finding.check_id,
            meaning="",
            why="",
            verdict=finding.summary,
            fixes={},
            verify="",
            references=(),
        )
    inert = _without_links(values)
    fixes = {key: _fill(text, inert) for key, text in advice.fixes.items()}
    if platform is not None and platform in fixes:
        fixes = {platform: fixes[platform]}
    return RenderedAdvice(
        check_id=advice.check_id,
        title=_fill(advice.title, inert),
        meaning=_fill(advice.meaning, inert),
        why=_fill(advice.why, inert),
        verdict=_verdict(advice, finding, inert),
        fixes=fixes,
        verify=_fill_command(_verify_template(advice, values), values),
        references=advice.references,
    )


def verdict_text(finding: Finding) -> str:
    """Just the verdict of a finding (its summary for a pass or without advice)."""
    advice = advice_for(finding.check_id)
    if advice is None or finding.status is Status.PASS:
        return finding.summary
    template = advice.verdicts.get(finding.status, _GENERIC_VERDICTS[finding.status])
    return _fill(template, placeholder_values(finding, names=_placeholders_of(template)))


def verify_command(finding: Finding) -> str:
    """Just the verify command of a finding ("" without advice): cheap, for big exports."""
    advice = advice_for(finding.check_id)
    if advice is None:
        return ""
    values = placeholder_values(finding, names=_verify_placeholders(advice.check_id))
    return _fill_command(_verify_template(advice, values), values)


@functools.lru_cache(maxsize=512)
def _verify_placeholders(check_id: str) -> frozenset[str]:
    advice = advice_for(check_id)
    templates = () if advice is None else (advice.verify, *advice.verify_fallback)
    return frozenset().union(*map(_placeholders_of, templates))


def _verify_template(advice: Advice, values: Mapping[str, str]) -> str:
    """The first verify command whose placeholders all have values, else the main one."""
    for template in (advice.verify, *advice.verify_fallback):
        if _placeholders_of(template) <= values.keys():
            return template
    return advice.verify


@functools.lru_cache(maxsize=512)
def _placeholders_of(template: str) -> frozenset[str]:
    return frozenset(template_placeholders(template))


def _verdict(advice: Advice, finding: Finding, values: Mapping[str, str]) -> str:
    if finding.status is Status.PASS:
        return finding.summary
    template = advice.verdicts.get(finding.status, _GENERIC_VERDICTS[finding.status])
    return _fill(template, values)


# --- placeholders -------------------------------------------------------------------------

_SUBJECT_KEYS = frozenset(
    {"host", "address", "port", "address_url", "endpoint", "ip_flag", "interface", "starttls"}
)
# Filled into commands as they are, not quoted: netready makes them, never a server.
_SHELL_OPTION_KEYS = frozenset({"ip_flag", "starttls"})
#: openssl s_client's STARTTLS option for the ports netready's tls checks speak it on.
_STARTTLS_OPTIONS = {"25": "-starttls smtp ", "587": "-starttls smtp ", "143": "-starttls imap ",
                     "110": "-starttls pop3 "}  # fmt: skip

# `www.example.org:443` (a name and port, no address)
_SUBJECT_NAME_PORT = re.compile(r"^(?P<host>[^\s\[\]:/]+):(?P<port>\d{1,5})$")
# `www.example.org [2001:db8::10]:443`, `[2001:db8::10]:443`, `192.0.2.1:53`
_SUBJECT_ENDPOINT = re.compile(
    r"^(?:(?P<host>[^\s\[\]]+) )?\[?(?P<address>[0-9A-Fa-f:.]+)\]?:(?P<port>\d{1,5})$"
)


def placeholder_values(finding: Finding, *, names: frozenset[str] | None = None) -> dict[str, str]:
    """The values templates may use for this finding, as text (`names`: only these).

    The finding's own fields win over what the subject tells, which wins over evidence
    (evidence cannot pretend to be the subject).
    """
    if names is None:
        names = frozenset(finding.evidence) | FINDING_PLACEHOLDERS
    derived = _subject_values(finding) if not names.isdisjoint(_SUBJECT_KEYS) else {}
    values: dict[str, str] = {}
    for name in names:
        field_value = _FINDING_FIELDS.get(name)
        if field_value is not None:
            values[name] = field_value(finding)
        elif name in derived:
            values[name] = derived[name]
        elif name in finding.evidence:
            values[name] = _as_text(finding.evidence[name])
    return values


_FINDING_FIELDS: Mapping[str, Callable[[Finding], str]] = MappingProxyType(
    {
        "target": lambda finding: finding.target,
        "subject": lambda finding: finding.subject,
        "check_id": lambda finding: finding.check_id,
        "status": lambda finding: finding.status.value,
        "summary": lambda finding: finding.summary,
    }
)


def _subject_values(finding: Finding) -> Mapping[str, str]:
    evidence = finding.evidence
    return _derived_values(
        finding.subject,
        finding.target,
        _scalar(evidence.get("host")),
        _scalar(evidence.get("address")),
        _scalar(evidence.get("port")),
    )


def _scalar(value: Any) -> str | int | None:
    return value if isinstance(value, str | int) and not isinstance(value, bool) else None


@functools.lru_cache(maxsize=8192)  # a scan has many findings about each endpoint
def _derived_values(
    subject: str,
    target: str,
    evidence_host: str | int | None,
    evidence_address: str | int | None,
    evidence_port: str | int | None,
) -> Mapping[str, str]:
    """What a subject (and the evidence's host, address and port) tell; see the docstring."""
    host = evidence_host if isinstance(evidence_host, str) and evidence_host else None
    derived: dict[str, str | None] = {}
    parts = _endpoint_parts(subject)
    if parts is not None:
        address = parts["address"]
        derived["port"] = parts["port"]
        if address is not None and _is_address(address):
            derived["address"] = address
            derived["host"] = parts["host"] or host or address
        else:  # `www.example.org:443`, or a URL with a name
            derived["host"] = parts["host"] or address
    elif _is_address(subject):
        derived["address"] = subject
    port = derived.get("port") or (str(evidence_port) if isinstance(evidence_port, int) else None)
    if port is not None:
        derived["port"] = port
    derived["starttls"] = _STARTTLS_OPTIONS.get(port or "", "")
    address = derived.get("address")
    if address is None and isinstance(evidence_address, str) and _is_address(evidence_address):
        address = evidence_address
    if address is not None:
        derived["address"] = address
        version = _ip_version(address)
        derived["address_url"] = f"[{address}]" if version == 6 else address
        derived["ip_flag"] = f"-{version}"
        if port is not None:
            derived["endpoint"] = f"{derived['address_url']}:{port}"
    if derived.get("host") is None:
        derived["host"] = host or _plain_host(subject, target)
    if "endpoint" not in derived and port is not None and derived["host"] is not None:
        derived["endpoint"] = f"{derived['host']}:{port}"  # openssl resolves the name
    if target.startswith(_LAN_PREFIX):
        derived["interface"] = target.removeprefix(_LAN_PREFIX)
    return MappingProxyType({key: value for key, value in derived.items() if value is not None})


_LAN_PREFIX = "lan:"  # the target of `netready scan --lan IFACE`


def _endpoint_parts(subject: str) -> dict[str, str | None] | None:
    for pattern in (_SUBJECT_ENDPOINT, _SUBJECT_NAME_PORT):
        match = pattern.match(subject)
        if match is not None:
            return {"host": None, "address": None} | match.groupdict()
    return _url_endpoint(subject)


def _url_endpoint(subject: str) -> dict[str, str | None] | None:
    """`https://[2001:db8::53]/dns-query` -> its address and port (443 by default)."""
    if not subject.startswith(("https://", "http://")):
        return None
    try:
        parts = urlsplit(subject)
        port = parts.port
    except ValueError:
        return None
    if parts.hostname is None:
        return None
    default_port = 443 if parts.scheme == "https" else 80
    return {"host": None, "address": parts.hostname, "port": str(port or default_port)}


def _plain_host(subject: str, target: str) -> str | None:
    """The name a subject is about: `www.example.org [192.0.2.10] / [2001:db8::10]` ->
    `www.example.org`; a zone or domain as it is; else the target."""
    first, _, rest = subject.partition(" ")
    if rest.startswith("[") and not _is_address(first):
        return first
    for candidate in (subject, target):
        if " " not in candidate and "/" not in candidate:
            return candidate
    return None


def _is_address(text: str) -> bool:
    return _ip_version(text) is not None


@functools.lru_cache(maxsize=4096)  # a scan names the same few addresses again and again
def _ip_version(text: str) -> int | None:
    try:
        return ipaddress.ip_address(text).version
    except ValueError:
        return None


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple) and all(isinstance(item, str | int) for item in value):
        return ", ".join(str(item) for item in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _fill_command(template: str, values: Mapping[str, str]) -> str:
    """A command line: every value becomes one shell word, whatever a server put in it."""
    words = {}
    for key in _placeholders_of(template):
        value = values.get(key)
        if value is None or not (value or key in _SHELL_OPTION_KEYS):
            continue  # left as `$key` for the reader to fill in
        words[key] = value if key in _SHELL_OPTION_KEYS else shlex.quote(value)
    return _fill(template, words)


def _without_links(values: Mapping[str, str]) -> dict[str, str]:
    """`values` with Markdown's link syntax broken (a zero-width space between `]` and `(`),
    so that only the advice's own text can put a link into a report."""
    return {key: value.replace("](", "]\u200b(") for key, value in values.items()}


def _fill(template: str, values: Mapping[str, str]) -> str:
    return string.Template(template).safe_substitute(values)


def template_placeholders(template: str) -> set[str]:
    """The placeholder names a template uses (`$x` and `${x}`; `$$` is a literal dollar)."""
    names: set[str] = set()
    for match in string.Template.pattern.finditer(template):
        name = match.group("named") or match.group("braced")
        if name:
            names.add(name)
    return names


# --- loading --------------------------------------------------------------------------------


def all_advice() -> Mapping[str, Advice]:
    """Every advice entry shipped with netready, by check id (loaded once)."""
    return _shipped_advice()


@functools.cache
def _shipped_advice() -> Mapping[str, Advice]:
    return load_advice(resources_dir() / "advice")


def load_advice(directory: Path) -> Mapping[str, Advice]:
    """Read every `*.toml` file of `directory`; a check id may appear in one file only."""
    entries: dict[str, Advice] = {}
    for path in sorted(directory.glob("*.toml")):
        for advice in _load_file(path):
            if advice.check_id in entries:
                raise AdviceError(f"{path.name}: {advice.check_id} has advice in two files")
            entries[advice.check_id] = advice
    return MappingProxyType(entries)


def _load_file(path: Path) -> list[Advice]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise AdviceError(f"{path.name}: {error}") from None
    return [_parse_entry(path.name, check_id, table) for check_id, table in data.items()]


def _parse_entry(file_name: str, check_id: str, table: Any) -> Advice:
    where = f"{file_name}: [{check_id!r}]"
    if not isinstance(table, dict):
        raise AdviceError(f"{where} is not a table")
    for name in _REQUIRED_TEXT_FIELDS:
        if not isinstance(table.get(name), str) or not table[name].strip():
            raise AdviceError(f"{where} has no {name}")
    return Advice(
        check_id=check_id,
        title=table["title"].strip(),
        meaning=table["meaning"].strip(),
        why=table["why"].strip(),
        verdicts=_parse_verdicts(where, table.get("verdicts", {})),
        fixes=_parse_fixes(where, table.get("fixes", {})),
        verify=table["verify"].strip(),
        references=_parse_references(where, table.get("references", [])),
        evidence=tuple(_string_list(where, "evidence", table.get("evidence", []))),
        verify_fallback=tuple(
            command.strip()
            for command in _string_list(where, "verify_fallback", table.get("verify_fallback", []))
        ),
    )


def _parse_verdicts(where: str, table: Any) -> Mapping[Status, str]:
    if not isinstance(table, dict):
        raise AdviceError(f"{where} verdicts is not a table")
    verdicts: dict[Status, str] = {}
    for key, text in table.items():
        try:
            status = Status(key)
        except ValueError:
            raise AdviceError(f"{where} has a verdict for the unknown status {key!r}") from None
        if status is Status.PASS or not isinstance(text, str) or not text.strip():
            raise AdviceError(f"{where} verdicts.{key} must be non-empty text for a non-pass")
        verdicts[status] = text.strip()
    return MappingProxyType(verdicts)


def _parse_fixes(where: str, table: Any) -> Mapping[str, str]:
    if not isinstance(table, dict):
        raise AdviceError(f"{where} fixes is not a table")
    unknown = sorted(set(table) - set(PLATFORMS))
    if unknown:
        raise AdviceError(f"{where} has fixes for unknown platforms: {', '.join(unknown)}")
    fixes = {key: table[key].strip() for key in PLATFORMS if key in table}
    if any(not text for text in fixes.values()):
        raise AdviceError(f"{where} has an empty fix")
    return MappingProxyType(fixes)


def _parse_references(where: str, items: Any) -> tuple[Reference, ...]:
    if not isinstance(items, list):
        raise AdviceError(f"{where} references is not a list")
    references = []
    for item in items:
        if not (isinstance(item, dict) and {"title", "url"} <= item.keys()):
            raise AdviceError(f"{where} has a reference without title or url")
        references.append(Reference(str(item["title"]), str(item["url"])))
    return tuple(references)


def _string_list(where: str, name: str, items: Any) -> list[str]:
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise AdviceError(f"{where} {name} must be a list of strings")
    return items
