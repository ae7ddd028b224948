"""Real servers for the lab, each in the foreground under a PID the lab tracks.

Every server gets its own directory in the lab's temp dir for its config, data and log, and a
start function that returns only once the server answers (or raises `LabError` with the tail
of its log). Add a new kind of server here the same way: write the config, `host.popen` the
daemon in the foreground, wait for an answer with a bounded retry.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .netlab import LabError, LabHost, poll_until, program

#: Seconds a server may take to answer after it was started.
START_TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class Server:
    """A started server: where it runs, its process and its files."""

    host: LabHost
    process: subprocess.Popen[Any]
    workdir: Path
    config: Path
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's log, for error messages."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError as error:
            return f"(no log: {error})"
        return "\n".join(text.splitlines()[-lines:])


class RootHint(NamedTuple):
    """One root server for a resolver's hints file; a plain (name, ipv4, ipv6) tuple works."""

    name: str
    ipv4: str | None
    ipv6: str | None = None


def _workdir(host: LabHost, kind: str) -> Path:
    path = host.lab.tmpdir / f"{kind}-{host.name}"
    path.mkdir()
    return path


def _absolute(name: str) -> str:
    return name if name.endswith(".") else f"{name}."


def _dig(host: LabHost, server: str, *query: str) -> subprocess.CompletedProcess[str]:
    """One quick query from `host` to `server`: one try, one second, no retries by dig."""
    argv = [program("dig"), f"@{server}", "+tries=1", "+time=1", *query]
    return host.run(argv, timeout=5)


def _check_config(host: LabHost, argv: Sequence[str]) -> None:
    """Run a config checker: a typo in a zone or option fails at once, with the reason."""
    done = host.run(argv, timeout=15)
    if done.returncode != 0:
        raise LabError(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}")


def _start(host: LabHost, kind: str, argv: Sequence[str], workdir: Path, config: Path) -> Server:
    """Start a daemon in the foreground with stdout and stderr going to its log file."""
    log = workdir / f"{kind}.log"
    with log.open("ab") as sink:  # the child keeps its own copy of the descriptor
        process = host.popen(argv, stdout=sink, stderr=subprocess.STDOUT, cwd=workdir)
    return Server(host=host, process=process, workdir=workdir, config=config, log=log)


def _wait_until(server: Server, check: Callable[[], bool], what: str) -> None:
    """Poll `check` until it holds; fail at once, with the log, if the server exits."""

    def ready() -> bool:
        if server.process.poll() is not None:
            raise LabError(
                f"{what}: process exited with status {server.process.returncode}\n"
                f"{server.log_tail()}"
            )
        return check()

    try:
        poll_until(ready, timeout=START_TIMEOUT, what=what)
    except LabError as error:
        if server.process.poll() is not None:
            raise
        raise LabError(f"{error}\n--- {server.log} ---\n{server.log_tail()}") from None


# --- BIND (authoritative) -------------------------------------------------------------------


def _named_conf(
    host: LabHost, workdir: Path, zone_files: Mapping[str, str], *, listen_ipv6: bool = True
) -> str:
    listen4 = f"{host.ipv4};" if host.ipv4 else "none;"
    listen6 = f"{host.ipv6};" if host.ipv6 and listen_ipv6 else "none;"
    zones = "".join(
        f'zone "{zone}" {{ type primary; file "{name}"; }};\n' for zone, name in zone_files.items()
    )
    # Everything that named would otherwise put in /var, /run or /etc points into workdir;
    # `controls {}` turns off rndc, which would want /etc/bind/rndc.key.
    return f"""\
options {{
    directory "{workdir}";
    pid-file none;
    managed-keys-directory "{workdir}";
    session-keyfile none;
    listen-on port 53 {{ {listen4} }};
    listen-on-v6 port 53 {{ {listen6} }};
    recursion no;
    allow-query {{ any; }};
    allow-transfer {{ none; }};
    notify no;
    dnssec-validation no;
}};
controls {{ }};
{zones}"""


def start_bind(host: LabHost, zones: Mapping[str, str], *, listen_ipv6: bool = True) -> Server:
    """Start named, authoritative for `zones` (zone name -> zone file text), no recursion.

    Runs as root in the foreground (``-g`` logs to stderr, which goes to the log file) and
    returns once every zone's SOA is served at each of the host's addresses. With
    `listen_ipv6` False it does not listen on the host's IPv6 address (a name server whose
    AAAA is published but which does not answer over IPv6).
    """
    workdir = _workdir(host, "named")
    zone_files: dict[str, str] = {}
    for zone, text in zones.items():
        name = "root.db" if zone in (".", "") else f"{zone.rstrip('.')}.db"
        (workdir / name).write_text(text)
        zone_files[_absolute(zone)] = name
    config = workdir / "named.conf"
    config.write_text(_named_conf(host, workdir, zone_files, listen_ipv6=listen_ipv6))
    # -z loads every zone: named itself would start without a broken zone and stay silent.
    _check_config(host, [program("named-checkconf"), "-z", str(config)])
    # -n 1: one worker thread is plenty for the lab and starts faster than one per CPU.
    argv = [program("named"), "-g", "-n", "1", "-c", str(config)]
    server = _start(host, "named", argv, workdir, config)
    addresses = [a for a in (host.ipv4, host.ipv6 if listen_ipv6 else None) if a]
    for zone in zone_files:
        for address in addresses:
            _wait_until(
                server,
                lambda z=zone, a=address: _serves_soa(host, a, z),
                f"named on {host.name} to serve {zone} at {address}",
            )
    return server


def _serves_soa(host: LabHost, address: str, zone: str) -> bool:
    done = _dig(host, address, "+norec", "+noall", "+answer", zone, "SOA")
    # An answer line is "owner ttl class type data..." (tab separated).
    return any(line.split()[:4:3] == [zone, "SOA"] for line in done.stdout.splitlines())


# --- unbound (recursive resolver) -----------------------------------------------------------


def _root_hints(hints: Sequence[tuple[str, str | None, str | None]]) -> str:
    lines = []
    for hint in map(RootHint._make, hints):
        name = _absolute(hint.name)
        lines.append(f". 3600000 NS {name}")
        if hint.ipv4:
            lines.append(f"{name} 3600000 A {hint.ipv4}")
        if hint.ipv6:
            lines.append(f"{name} 3600000 AAAA {hint.ipv6}")
    return "\n".join(lines) + "\n"


def _unbound_conf(
    host: LabHost, workdir: Path, trust_anchor: Path | None, extra: Sequence[str]
) -> str:
    interfaces = "".join(f"    interface: {a}\n" for a in (host.ipv4, host.ipv6) if a)
    if trust_anchor is None:
        validation = '    module-config: "iterator"\n'
    else:
        validation = (
            f'    module-config: "validator iterator"\n    trust-anchor-file: "{trust_anchor}"\n'
        )
    more = "".join(f"    {line}\n" for line in extra)
    # - "test." is one of unbound's built-in empty zones (RFC 6761); nodefault lets it recurse.
    # - infra-cache-max-rtt / infra-host-ttl: an unreachable server (dead.test) gives SERVFAIL
    #   in about two seconds and is probed again after seconds, not unbound's minutes.
    # - discard-timeout 0: Debian's unbound 1.17.1 carries the backported discard-timeout
    #   (1.9 s), which drops a client's query *without any reply* when recursion takes longer,
    #   so the dead.test SERVFAIL would never arrive. The lab wants the SERVFAIL.
    # - wait-limit 0: the same backport caps queries waiting per client address at 1000; the
    #   whole scanner is one address here, and bulk tests must not lose queries to that cap.
    # - the logfile is the same file the daemon's stderr goes to: one log per server.
    return f"""\
server:
    verbosity: 1
    use-syslog: no
    logfile: "{workdir / "unbound.log"}"
    log-servfail: yes
    directory: "{workdir}"
    pidfile: "{workdir / "unbound.pid"}"
    chroot: ""
    username: ""
    num-threads: 1
    so-reuseport: no
{interfaces}    port: 53
    do-ip4: yes
    do-ip6: yes
    access-control: 0.0.0.0/0 refuse
    access-control: ::/0 refuse
    access-control: 198.18.0.0/15 allow
    access-control: 2001:db8::/32 allow
    root-hints: "{workdir / "root.hints"}"
    do-not-query-localhost: no
    local-zone: "test." nodefault
    infra-cache-max-rtt: 1000
    infra-host-ttl: 10
    discard-timeout: 0
    wait-limit: 0
{validation}{more}
remote-control:
    control-enable: no
"""


def start_unbound(
    host: LabHost,
    root_hints: Sequence[tuple[str, str | None, str | None]],
    *,
    trust_anchor: Path | None = None,
    extra: Sequence[str] = (),
) -> Server:
    """Start unbound as a recursive resolver that iterates from the lab's root servers.

    Without `trust_anchor` it does not validate (module-config "iterator"); with a trust
    anchor file (DS or DNSKEY records for the lab root) it validates DNSSEC. `extra` lines
    are added to the ``server:`` clause as they are. Answers queries from the lab ranges only.
    Returns once it answers over each of its addresses.
    """
    workdir = _workdir(host, "unbound")
    (workdir / "root.hints").write_text(_root_hints(root_hints))
    config = workdir / "unbound.conf"
    config.write_text(_unbound_conf(host, workdir, trust_anchor, extra))
    _check_config(host, [program("unbound-checkconf"), str(config)])
    # -d: stay in the foreground, so the PID the lab holds is the resolver's own.
    argv = [program("unbound"), "-d", "-c", str(config)]
    server = _start(host, "unbound", argv, workdir, config)
    for address in (a for a in (host.ipv4, host.ipv6) if a):
        # "localhost." is answered from unbound's built-in data: proof it is up, with no
        # dependence on the lab's authoritative servers.
        _wait_until(
            server,
            lambda a=address: "status: NOERROR" in _dig(host, a, "localhost.", "A").stdout,
            f"unbound on {host.name} to answer at {address}",
        )
    return server


# --- generic helpers for other kinds of server (web_servers.py) -----------------------------


def server_workdir(host: LabHost, kind: str) -> Path:
    """A new directory ``<lab tmp>/<kind>-<host>`` for one server's config, data and log."""
    return _workdir(host, kind)


def check_config(host: LabHost, argv: Sequence[str]) -> None:
    """Run a config checker in `host`; `LabError` with its output when it fails."""
    _check_config(host, argv)


def start_foreground(
    host: LabHost, kind: str, argv: Sequence[str], workdir: Path, config: Path
) -> Server:
    """Start a server in the foreground under a tracked PID, output to ``<kind>.log``."""
    return _start(host, kind, argv, workdir, config)


def wait_until(server: Server, check: Callable[[], bool], what: str) -> None:
    """Poll `check` (bounded by `START_TIMEOUT`); fail with the log if the server exits."""
    _wait_until(server, check, what)


def wait_for_listening(server: Server, ports: Sequence[int], *, ipv6: bool = True) -> None:
    """Wait until `server` listens on each TCP port at each of its host's address families."""
    host = server.host
    families = [4] if host.ipv4 else []
    if host.ipv6 and ipv6:
        families.append(6)
    for port in ports:
        for family in families:
            wait_until(
                server,
                lambda p=port, f=family: host.is_listening(p, "tcp", f),
                f"{server.log.stem} on {host.name} to listen on tcp/{port} (IPv{family})",
            )
