"""The advice's code blocks, and the real programs that check them (test_advice_snippets.py).

Every fenced block in resources/advice/*.toml names its language in the fence's info string
(```` ```nginx ````, ```` ```sh ````, ...). `CHECKERS` says how each checkable language is
checked, `NOT_CHECKABLE` why the others cannot be; a block in neither fails the tests.

A checker embeds the block, rendered for a sample finding (host ``www.example.test``), in a
minimal valid configuration of the program, where the advice text puts it, and runs the
program's own checker on it (``nginx -t``, ``apache2 -t``, ``caddy validate``, ...). Absolute
paths of certificates and keys in the block are moved into the work directory and created
there (a self-signed certificate, its key, RFC 7919 DH parameters), because the checkers read
them. Each checker runs in a network namespace of its own with nothing but ``lo``
(``unshare --net``): checking a configuration can send nothing anywhere.
"""

from __future__ import annotations

import re
import shlex
import sqlite3
import subprocess
import textwrap
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from netready.advice import all_advice, render_advice
from netready.findings import Finding, Status

from .netlab import LabError, missing_prerequisites, program

SAMPLE_TARGET = "example.test"
SAMPLE_HOST = f"www.{SAMPLE_TARGET}"
SAMPLE_SUBJECT = f"{SAMPLE_HOST} [2001:db8::10]:443"
#: Seconds one checker run may take.
CHECK_TIMEOUT = 60

_FENCE = re.compile(r"^```(?P<info>[^`\n]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class Snippet:
    """One fenced block of one platform's fix, rendered for the sample finding."""

    check_id: str
    platform: str
    index: int  # its position among the platform's blocks
    language: str  # the fence's info string
    text: str

    def __str__(self) -> str:
        return f"{self.check_id}/{self.platform}/{self.index}"


def code_blocks(markdown: str) -> list[tuple[str, str]]:
    """(info string, body) of each fenced block in `markdown`, in order."""
    return [(match["info"].strip(), match["body"]) for match in _FENCE.finditer(markdown)]


def sample_finding(check_id: str) -> Finding:
    """A finding about ``www.example.test [2001:db8::10]:443`` that fills every placeholder."""
    advice = all_advice()[check_id]
    evidence = {key: f"{key.replace('_', '')}.{SAMPLE_TARGET}" for key in advice.evidence}
    return Finding(
        target=SAMPLE_TARGET,
        subject=SAMPLE_SUBJECT,
        check_id=check_id,
        status=Status.FAIL,
        summary="sample",
        evidence=evidence,
    )


def advice_snippets() -> list[Snippet]:
    """Every code block of every platform's fix, rendered for `sample_finding`."""
    found = []
    for check_id in sorted(all_advice()):
        fixes = render_advice(sample_finding(check_id)).fixes
        for platform, text in fixes.items():
            for index, (info, body) in enumerate(code_blocks(text)):
                found.append(Snippet(check_id, platform, index, info, body))
    return found


# --- the work directory: files the blocks name, and running a checker ---------------------

_FILE_PATH = re.compile(r"(?<![\w./])/(?:[\w.+-]+/)*[\w+-][\w.+-]*\.(?:pem|key|crt)\b")
#: The root zone's KSK-2017 as a DS record: what unbound's auto-trust-anchor-file holds.
_ROOT_ANCHOR = (
    ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a checker said: `problems` is empty when the block passed."""

    how: str  # the command, for the report
    problems: tuple[str, ...]
    config: str  # the whole configuration checked, to show when it failed


class Workspace:
    """A directory for one block's configuration, and the checker runs in it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.cert, self.key = directory / "lab-cert.pem", directory / "lab-key.pem"
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", str(self.key), "-out", str(self.cert), "-days", "2",
                 "-subj", f"/CN={SAMPLE_HOST}",
                 "-addext", f"subjectAltName=DNS:{SAMPLE_HOST}")  # fmt: skip

    def with_files(self, text: str) -> str:
        """`text` with each certificate or key path moved under the workspace, and created."""

        def local(match: re.Match[str]) -> str:
            path = self.directory / "root" / match[0].lstrip("/")
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                self._make_file(path)
            return str(path)

        return _FILE_PATH.sub(local, text)

    def _make_file(self, path: Path) -> None:
        name = path.name
        if name.startswith("ffdhe"):  # RFC 7919 group, as Mozilla's generator hands it out
            group = name.split(".")[0]
            _openssl("genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", f"group:{group}",
                     "-out", str(path))  # fmt: skip
        elif name == "root.key":
            path.write_text(_ROOT_ANCHOR)
        elif "key" in name:
            path.write_bytes(self.key.read_bytes())
        else:  # fullchain.pem, chain.pem, cert.pem, resolver.pem
            path.write_bytes(self.cert.read_bytes())

    def write(self, name: str, text: str) -> Path:
        path = self.directory / name
        path.write_text(text)
        return path

    def run(
        self, argv: Sequence[str], *, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`argv` in a network namespace of its own (only ``lo``): it can reach nothing."""
        # lo up: Postfix refuses to work without an active interface
        up = f'{program("ip")} link set lo up && exec "$@"'
        wrapped = [program("unshare"), "--net", "--", "/bin/sh", "-c", up, "sh", *argv]
        return subprocess.run(
            wrapped, capture_output=True, text=True, timeout=CHECK_TIMEOUT, check=False,
            cwd=self.directory, env=None if env is None else dict(env),
        )  # fmt: skip


def _openssl(*args: str) -> None:
    done = subprocess.run(
        [program("openssl"), *args], capture_output=True, text=True, timeout=30, check=False
    )
    if done.returncode != 0:
        raise LabError(f"openssl {' '.join(args)} failed: {done.stderr}")


def _outcome(
    how: str, done: subprocess.CompletedProcess[str], config: str, problems: Sequence[str] = ()
) -> Outcome:
    found = list(problems)
    if done.returncode != 0:
        found.append(f"exit status {done.returncode}")
    if found:
        found.append((done.stdout + done.stderr).strip())
    return Outcome(how=how, problems=tuple(found), config=config)


def _indent(text: str, level: int) -> str:
    return textwrap.indent(text.rstrip("\n"), "    " * level) + "\n"


def _warnings(output: str, marker: str, allowed: Sequence[str] = ()) -> list[str]:
    """Lines of `output` with `marker`, except those containing one of `allowed`."""
    return [
        line
        for line in output.splitlines()
        if marker in line and not any(text in line for text in allowed)
    ]


# --- nginx -------------------------------------------------------------------------------

#: nginx warnings that come from the lab certificate, not from the advice.
_NGINX_EXPECTED_WARNINGS = (
    # a self-signed lab certificate names no OCSP responder; the text says stapling then
    # does not happen (Let's Encrypt no longer runs OCSP either)
    '"ssl_stapling" ignored, no OCSP responder URL in the certificate',
)


def check_nginx(snippet: Snippet, space: Workspace) -> Outcome:
    """``nginx -t``: a `server {}` block goes into `http {}`; directives into an HTTPS server.

    A block with its own `listen` lines replaces the server's (the advice shows the whole set).
    """
    body = space.with_files(snippet.text)
    d = space.directory
    (d / "temp").mkdir(exist_ok=True)
    if re.match(r"\s*server\s*\{", body):
        site = _indent(body, 1)
    else:
        has_listen = re.search(r"^\s*listen\b", body, re.MULTILINE) is not None
        listen = "" if has_listen else "        listen 443 ssl;\n        listen [::]:443 ssl;\n"
        site = (
            f"    server {{\n{listen}        server_name {SAMPLE_HOST};\n{_indent(body, 2)}"
            '        location / { return 200 "lab\\n"; }\n    }\n'
        )
    config = (
        f"pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{ }}\nhttp {{\n"
        f"    access_log off;\n    client_body_temp_path {d}/temp;\n"
        f"    ssl_certificate {space.cert};\n    ssl_certificate_key {space.key};\n{site}}}\n"
    )
    path = space.write("nginx.conf", config)
    argv = [program("nginx"), "-t", "-e", str(d / "error.log"), "-p", str(d), "-c", str(path)]
    done = space.run(argv)
    output = done.stdout + done.stderr
    problems = _warnings(output, "[warn]", _NGINX_EXPECTED_WARNINGS)
    problems += _warnings(output, "[emerg]")
    return _outcome("nginx -t", done, config, problems)


# --- Apache httpd ------------------------------------------------------------------------

_APACHE_MODULES = ("mpm_event", "authz_core", "alias", "dir", "headers", "rewrite",
                   "socache_shmcb", "ssl")  # fmt: skip
#: Directives that belong outside any <VirtualHost>; a block with one goes to the top level.
_APACHE_SERVER_ONLY = ("Listen", "SSLStaplingCache", "SSLSessionCache", "<VirtualHost")


def check_apache(snippet: Snippet, space: Workspace) -> Outcome:
    """``apache2 -t``: Debian's layout (Listen 80; Listen 443 with mod_ssl) and an HTTPS site.

    The block goes into the site's ``<VirtualHost *:443>``, or to the top level when it opens
    its own virtual host or holds a directive only allowed there.
    """
    body = space.with_files(snippet.text)
    d = space.directory
    (d / "logs").mkdir(exist_ok=True)
    top_level = any(line.strip().startswith(_APACHE_SERVER_ONLY) for line in body.splitlines())
    modules = "".join(
        f"LoadModule {name}_module /usr/lib/apache2/modules/mod_{name}.so\n"
        for name in _APACHE_MODULES
    )
    config = (
        f"ServerRoot {d}\nPidFile {d}/httpd.pid\nErrorLog {d}/error.log\n"
        f"DefaultRuntimeDir {d}\nMutex file:{d} default\nServerName localhost\n{modules}"
        "Listen 80\n<IfModule ssl_module>\n    Listen 443\n</IfModule>\n"
        + (body.rstrip("\n") + "\n" if top_level else "")
        + f"<VirtualHost *:443>\n    ServerName {SAMPLE_HOST}\n    SSLEngine on\n"
        f"    SSLCertificateFile {space.cert}\n    SSLCertificateKeyFile {space.key}\n"
        + ("" if top_level else _indent(body, 1))
        + "</VirtualHost>\n"
    )
    path = space.write("apache2.conf", config)
    done = space.run([_apache_binary(), "-t", "-f", str(path)])
    output = (done.stdout + done.stderr).strip()
    problems = [line for line in output.splitlines() if line.strip() != "Syntax OK"]
    return _outcome("apache2 -t", done, config, problems)


def _apache_binary() -> str:
    try:
        return program("apache2")  # Debian and Ubuntu
    except LabError:
        return program("httpd")


# --- Caddy -------------------------------------------------------------------------------


def check_caddy(snippet: Snippet, space: Workspace) -> Outcome:
    """``caddy validate`` of a Caddyfile: the block (a whole site) after global options that
    keep Caddy local (its own CA, no trust store changes, no admin endpoint)."""
    d = space.directory
    config = (
        "{\n    admin off\n    local_certs\n    skip_install_trust\n"
        f"    storage file_system {d}/caddy\n}}\n\n{snippet.text}"
    )
    path = space.write("Caddyfile", config)
    env = {"HOME": str(d), "XDG_DATA_HOME": str(d / "data"), "XDG_CONFIG_HOME": str(d / "config"),
           "PATH": "/usr/bin:/bin"}  # fmt: skip
    argv = [program("caddy"), "validate", "--config", str(path), "--adapter", "caddyfile"]
    done = space.run(argv, env=env)
    # Caddy's formatter prefers tabs; the advice indents with spaces for readers.
    problems = _warnings(done.stdout + done.stderr, '"level":"warn"', ("not formatted",))
    problems += _warnings(done.stdout + done.stderr, '"level":"error"')
    return _outcome("caddy validate", done, config, problems)


# --- BIND --------------------------------------------------------------------------------


def check_bind(snippet: Snippet, space: Workspace) -> Outcome:
    """``named-checkconf``: the statements after an `options {}` (unless they bring one)."""
    body = space.with_files(snippet.text)
    d = space.directory
    has_options = re.search(r"^\s*options\s*\{", body, re.MULTILINE) is not None
    options = "" if has_options else f'options {{\n    directory "{d}";\n}};\n\n'
    config = options + body
    path = space.write("named.conf", config)
    done = space.run([program("named-checkconf"), str(path)])
    return _outcome("named-checkconf", done, config, _problems_in(done))


def check_zone(snippet: Snippet, space: Workspace) -> Outcome:
    """``named-checkzone``: the records in a minimal zone for the sample domain."""
    origin = f"{SAMPLE_TARGET}."
    config = (
        f"$ORIGIN {origin}\n$TTL 3600\n"
        f"@     IN SOA ns0 hostmaster 1 3600 600 86400 300\n"
        f"@     IN NS  ns0\nns0   IN A   192.0.2.53\n{snippet.text}"
    )
    path = space.write("zone.db", config)
    done = space.run([program("named-checkzone"), origin, str(path)])
    # all is well: "zone example.test/IN: loaded serial 1" and "OK"; anything else is a problem
    # (e.g. "MX 'mail.example.test' has no address records", which does not fail the run)
    problems = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.strip() and line.strip() != "OK" and not line.endswith("loaded serial 1")
    ]
    return _outcome("named-checkzone", done, config, problems)


def _problems_in(done: subprocess.CompletedProcess[str]) -> list[str]:
    """Anything a checker printed: named-checkconf says nothing when all is well."""
    return [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]


# --- Knot DNS, unbound, Postfix ----------------------------------------------------------


def check_knot(snippet: Snippet, space: Workspace) -> Outcome:
    """``knotc conf-check`` of the block as the whole knot.conf (plus a private database)."""
    d = space.directory
    config = snippet.text + (
        "" if "database:" in snippet.text else f"\ndatabase:\n    storage: {d}\n"
    )
    path = space.write("knot.conf", config)
    done = space.run([program("knotc"), "-c", str(path), "conf-check"])
    return _outcome("knotc conf-check", done, config, _warnings(done.stderr, "error"))


def check_unbound(snippet: Snippet, space: Workspace) -> Outcome:
    """``unbound-checkconf``: a `server:` clause keeping unbound in the workspace, the block."""
    body = space.with_files(snippet.text)
    d = space.directory
    config = (
        f'server:\n    directory: "{d}"\n    chroot: ""\n    username: ""\n'
        f'    pidfile: "{d}/unbound.pid"\n\n{body}'
    )
    path = space.write("unbound.conf", config)
    done = space.run([program("unbound-checkconf"), str(path)])
    return _outcome("unbound-checkconf", done, config, _warnings(done.stderr, "warning"))


def check_postfix(snippet: Snippet, space: Workspace) -> Outcome:
    """``postconf -n`` on a main.cf of just the block: unknown names and bad values fail."""
    directory = space.directory / "postfix"
    directory.mkdir(exist_ok=True)
    (directory / "main.cf").write_text(snippet.text)
    (directory / "master.cf").write_text(
        "smtp      inet  n       -       y       -       -       smtpd\n"
    )
    done = space.run([program("postconf"), "-c", str(directory), "-n"])
    return _outcome("postconf -n", done, snippet.text, _warnings(done.stderr, "warning"))


# --- nftables, shell commands, XML -------------------------------------------------------

#: What `nft add rule inet filter input ...` commands need to exist.
_NFT_BASE = (
    "table inet filter {\n    chain input {\n        type filter hook input priority 0;\n    }\n}\n"
)


def check_nft(snippet: Snippet, space: Workspace) -> Outcome:
    """``nft -c -f``: the ruleset is parsed and checked by the kernel (in a scratch namespace)."""
    return _nft_check(space, snippet.text)


def _nft_check(space: Workspace, ruleset: str) -> Outcome:
    path = space.write("rules.nft", ruleset)
    done = space.run([program("nft"), "-c", "-f", str(path)])
    return _outcome("nft -c -f", done, ruleset)


def check_shell(snippet: Snippet, space: Workspace) -> Outcome:
    """``bash -n`` (syntax); `nft` commands also with ``nft -c``, `pdnsutil` commands by
    running them against a scratch PowerDNS database."""
    path = space.write("commands.sh", snippet.text)
    done = space.run([program("bash"), "-n", str(path)])
    outcome = _outcome("bash -n", done, snippet.text)
    lines = [line.strip() for line in snippet.text.splitlines() if line.strip()]
    nft = [line.removeprefix("nft ") for line in lines if line.startswith("nft ")]
    if nft and not outcome.problems:
        outcome = _nft_check(space, _NFT_BASE + "\n".join(nft) + "\n")
        outcome = Outcome("bash -n; nft -c -f", outcome.problems, outcome.config)
    pdnsutil = [shlex.split(line) for line in lines if line.startswith("pdnsutil ")]
    if pdnsutil and not outcome.problems:
        outcome = _run_pdnsutil(space, pdnsutil)
    return outcome


def missing_for(snippet: Snippet) -> list[str]:
    """What this machine lacks to check `snippet` (empty: all there); see `CHECKERS`."""
    programs = ["unshare", *CHECKERS[snippet.language].programs]
    missing = []
    if snippet.language == "sh":
        words = {line.split()[0] for line in snippet.text.splitlines() if line.strip()}
        programs += [name for name in ("nft", "pdnsutil") if name in words]
        if "pdnsutil" in words and not _PDNS_SCHEMA.exists():
            missing.append(f"{_PDNS_SCHEMA} (Debian: pdns-backend-sqlite3)")
    return missing_prerequisites(programs) + missing


_PDNS_SCHEMA = Path("/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql")


def _run_pdnsutil(space: Workspace, commands: Sequence[list[str]]) -> Outcome:
    """Run the advice's pdnsutil commands on a scratch SQLite backend holding the zone.

    The zone (each command's second word) is created first; ``OLD_KEY_ID`` stands for the key
    the zone had before the commands ran, so the zone is signed first when it is used.
    """
    d = space.directory / "pdns"
    d.mkdir(exist_ok=True)
    database = d / "pdns.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.executescript(_PDNS_SCHEMA.read_text())
    connection.close()
    (d / "pdns.conf").write_text(
        f"launch=gsqlite3\ngsqlite3-database={database}\ngsqlite3-dnssec=yes\n"
    )
    base = [program("pdnsutil"), f"--config-dir={d}"]
    zones = sorted({command[2] for command in commands if len(command) > 2})
    setup = [["create-zone", zone, f"ns0.{zone}"] for zone in zones]
    if any("OLD_KEY_ID" in command for command in commands):
        setup += [["secure-zone", zone] for zone in zones]
    log: list[str] = []
    for args in setup:
        done = space.run([*base, *args])
        if done.returncode != 0:
            return _outcome(
                f"pdnsutil {args[0]} (setup)", done, "\n".join(map(shlex.join, commands))
            )
    old_key = _first_key_id(space, base, zones[0]) if setup[len(zones) :] else ""
    for command in commands:
        argv = [old_key if word == "OLD_KEY_ID" else word for word in command[1:]]
        done = space.run([*base, *argv])
        log.append(f"$ pdnsutil {shlex.join(argv)}\n{done.stdout}{done.stderr}")
        if done.returncode != 0:
            return _outcome("pdnsutil (SQLite backend)", done, "\n".join(log))
    return Outcome("bash -n; pdnsutil (SQLite backend)", (), "\n".join(log))


def _first_key_id(space: Workspace, base: Sequence[str], zone: str) -> str:
    done = space.run([*base, "list-keys", zone])
    lines = done.stdout.splitlines()
    column = lines[0].split().index("ID") if lines and "ID" in lines[0].split() else None
    for line in lines[1:]:
        fields = line.split()
        if column is not None and len(fields) > column and fields[column].isdigit():
            return fields[column]
    raise LabError(f"no key id in pdnsutil list-keys {zone}:\n{done.stdout}{done.stderr}")


def check_xml(snippet: Snippet, space: Workspace) -> Outcome:
    """Well-formed XML (Python's parser); IIS itself, which would check the schema, is not here."""
    del space
    try:
        ElementTree.fromstring(snippet.text)
    except ElementTree.ParseError as error:
        return Outcome("XML parser", (f"not well-formed XML: {error}",), snippet.text)
    return Outcome("XML parser", (), snippet.text)


# --- the table -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checker:
    """How one language is checked: the programs it needs and the function that does it."""

    programs: tuple[str, ...]
    check: Callable[[Snippet, Workspace], Outcome]


CHECKERS: Mapping[str, Checker] = MappingProxyType(
    {
        "nginx": Checker(("nginx", "openssl"), check_nginx),
        "apache": Checker(("apache2", "openssl"), check_apache),
        "caddy": Checker(("caddy",), check_caddy),
        "bind": Checker(("named-checkconf", "openssl"), check_bind),
        "zone": Checker(("named-checkzone",), check_zone),
        "knot": Checker(("knotc",), check_knot),
        "unbound": Checker(("unbound-checkconf", "openssl"), check_unbound),
        "postfix": Checker(("postconf",), check_postfix),
        "nft": Checker(("nft",), check_nft),
        "sh": Checker(("bash",), check_shell),
        "xml": Checker((), check_xml),
    }
)

#: Languages no program here can check, and why.
NOT_CHECKABLE: Mapping[str, str] = MappingProxyType(
    {
        "powershell": "needs Windows: cmdlets of IIS, SCHANNEL, DNS Server and its firewall",
        "pf": "macOS pf rules: pfctl exists only on macOS and the BSDs",
        "ios": "switch configuration (Cisco IOS and others) needs the vendor's device",
    }
)

LANGUAGES = frozenset(CHECKERS) | frozenset(NOT_CHECKABLE)
