"""The TLS enumeration lab: TLS servers of known configuration, hostile listeners, a client.

Used by tests/lab/test_tls_enumeration.py and by benchmarks/tls_scan.py and tls_memory.py,
each in its own `Lab()` on 198.18.7.0/24 and 2001:db8:7::/64:

| host | IPv4 | IPv6 | runs |
|---|---|---|---|
| client | .100 | ::100 | the enumeration and sslyze (``delay_ms``: behind a delay line) |
| modern | .10 | ::10 | nginx, see `modern_listeners` |
| legacy | .20 | ::20 | nginx, see `legacy_listeners` |
| mail | .25 | ::25 | this module's STARTTLS server: SMTP 25, IMAP 143, POP3 110 |
| hostile | .66 | ::66 | this module's hostile listeners (`HOSTILE_PORTS`); tcp/448 dropped |

* modern: TLS 1.2 + 1.3, Mozilla "intermediate" suites, RSA and ECDSA certificates,
  ffdhe2048; port 443 follows the client's order, 8443 enforces the server's.
* legacy: TLS 1.0-1.2, ``ALL:@SECLEVEL=0`` (CBC, plain RSA key exchange, anonymous suites,
  what OpenSSL 3 still has), RSA certificate, 1024-bit DH; 443 enforces the server's
  order, 8443 follows the client's, 9443 enforces OpenSSL's order reversed.
* mail: Python ``ssl``, TLS 1.2 + 1.3, ECDHE suites only, the server's order.

198.18.7.99 and 2001:db8:7::99 are held by nobody; the client has a permanent neighbour entry
for them to a link-layer address nobody has, so connects there time out (a filtered host).

Every host counts the TCP connections made to it (nftables counters on SYNs, per port):
`TlsBenchLab.connections(host, port)`; `reset_counters()` zeroes them.

Run as ``python -m tests.lab.tls_bench_lab hostile|mail ...``, the module is the server
program for the hostile and mail hosts (started by `open_tls_lab`, never by hand).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netready.net.tls import GROUP_NAMES

from .netlab import Lab, LabError, LabHost, program
from .servers import Server, check_config, server_workdir, start_foreground, wait_for_listening

REPO = Path(__file__).resolve().parents[2]
NET4, NET6 = "198.18.7", "2001:db8:7:"
ADDRESSES = {
    "client": (f"{NET4}.100", f"{NET6}:100"),
    "modern": (f"{NET4}.10", f"{NET6}:10"),
    "legacy": (f"{NET4}.20", f"{NET6}:20"),
    "mail": (f"{NET4}.25", f"{NET6}:25"),
    "hostile": (f"{NET4}.66", f"{NET6}:66"),
}
DEAD4, DEAD6 = f"{NET4}.99", f"{NET6}:99"
SERVER_NAME = "tls.test"  # every certificate's name, and the SNI the tests send
#: Hostile listeners: port -> behaviour; 448 is dropped (filtered), 449 has no listener.
HOSTILE_PORTS = {443: "silent", 444: "reset", 445: "garbage", 446: "close", 447: "http"}
FILTERED_PORT, REFUSED_PORT = 448, 449
MAIL_PORTS = {"smtp": 25, "imap": 143, "pop3": 110}

MODERN_CIPHERS = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"
)
LEGACY_CIPHERS = "ALL:@SECLEVEL=0"


# --- certificates and parameters --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyPair:
    cert: Path
    key: Path


def _openssl(directory: Path, *args: str | Path) -> None:
    argv = [program("openssl"), *map(str, args)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=directory)
    if done.returncode != 0:
        raise LabError(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}")


def self_signed(directory: Path, name: str, key_args: Sequence[str]) -> KeyPair:
    """A self-signed certificate for `SERVER_NAME` (enumeration does not look at trust)."""
    key, cert = directory / f"{name}.key", directory / f"{name}.pem"
    _openssl(directory, "req", "-x509", "-new", *key_args, "-nodes", "-keyout", key,
             "-out", cert, "-days", "30", "-subj", f"/CN={SERVER_NAME}",
             "-addext", f"subjectAltName = DNS:{SERVER_NAME}")  # fmt: skip
    return KeyPair(cert=cert, key=key)


RSA_KEY = ("-newkey", "rsa:2048")
EC_KEY = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256")


def dh_parameters(directory: Path, bits: int) -> Path:
    """DH parameters: the RFC 7919 group for 2048 bits and more, else fresh DSA-style ones."""
    path = directory / f"dh{bits}.pem"
    if bits >= 2048:
        _openssl(directory, "genpkey", "-genparam", "-algorithm", "DH",
                 "-pkeyopt", f"group:ffdhe{bits}", "-out", path)  # fmt: skip
    else:  # -dsaparam: fast to generate, fine for a lab
        _openssl(directory, "dhparam", "-dsaparam", "-out", path, str(bits))
    return path


# --- nginx ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NginxTls:
    """One TLS listener of nginx: port, protocols, suites, order, certificates, DH."""

    port: int
    protocols: str
    ciphers: str
    prefer_server: bool
    certificates: tuple[KeyPair, ...]
    dhparam: Path | None = None
    tls13_suites: str | None = None  # ``ssl_conf_command Ciphersuites``


def _listen(host: LabHost, port: int) -> str:
    return "".join(
        f"        listen {address}:{port} ssl;\n"
        for address in (host.ipv4, f"[{host.ipv6}]" if host.ipv6 else None)
        if address
    )


def _server_block(host: LabHost, tls: NginxTls) -> str:
    lines = [
        f"        ssl_protocols {tls.protocols};\n",
        f"        ssl_ciphers {tls.ciphers};\n",
        f"        ssl_prefer_server_ciphers {'on' if tls.prefer_server else 'off'};\n",
        *(
            f"        ssl_certificate {pair.cert};\n        ssl_certificate_key {pair.key};\n"
            for pair in tls.certificates
        ),
    ]
    if tls.dhparam is not None:
        lines.append(f"        ssl_dhparam {tls.dhparam};\n")
    if tls.tls13_suites is not None:
        lines.append(f"        ssl_conf_command Ciphersuites {tls.tls13_suites};\n")
    return (
        f"    server {{\n{_listen(host, tls.port)}        server_name {SERVER_NAME};\n"
        f'{"".join(lines)}        location / {{ return 200 "tls lab\\n"; }}\n    }}\n'
    )


def start_tls_nginx(host: LabHost, listeners: Sequence[NginxTls]) -> Server:
    """nginx in the foreground with one server block per listener; returns once it listens."""
    workdir = server_workdir(host, "nginx")
    (workdir / "temp").mkdir()
    temp = "".join(
        f"    {kind}_temp_path {workdir / 'temp' / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = workdir / "nginx.conf"
    config.write_text(
        f"user root;\nworker_processes 2;\npid {workdir / 'nginx.pid'};\n"
        f"error_log {workdir / 'nginx.log'} notice;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n    access_log off;\n{temp}"
        f"{''.join(_server_block(host, tls) for tls in listeners)}}}\n"
    )
    base = [program("nginx"), "-e", str(workdir / "nginx.log"), "-p", str(workdir)]
    check_config(host, [*base, "-t", "-q", "-c", str(config)])
    server = start_foreground(host, "nginx", [*base, "-c", str(config), "-g", "daemon off;"],
                              workdir, config)  # fmt: skip
    wait_for_listening(server, [tls.port for tls in listeners])
    return server


# --- connection counters --------------------------------------------------------------------


def _nft(host: LabHost, *args: str, input_text: str | None = None) -> str:
    done = host.run([program("nft"), *args], input=input_text, capture_output=True, text=True,
                    timeout=30, check=False)  # fmt: skip
    if done.returncode != 0:
        raise LabError(f"nft {' '.join(args)} in {host.name} failed: {done.stderr}")
    return str(done.stdout)


def install_counters(host: LabHost, ports: Sequence[int], *, drop: Sequence[int] = ()) -> None:
    """nftables in `host`: a counter of new TCP connections (SYNs) per port; drop `drop`."""
    rules = "".join(
        f'        tcp dport {port} tcp flags & (syn | ack) == syn counter comment "{port}"\n'
        for port in ports
    )
    rules += "".join(f"        tcp dport {port} drop\n" for port in drop)
    _nft(host, "-f", "-", input_text=(
        "table inet tlslab {\n    chain input {\n"
        "        type filter hook input priority 0; policy accept;\n"
        f"{rules}    }}\n}}\n"
    ))  # fmt: skip


def read_counters(host: LabHost) -> dict[int, int]:
    ruleset = json.loads(_nft(host, "-j", "list", "table", "inet", "tlslab"))
    counts: dict[int, int] = {}
    for item in ruleset["nftables"]:
        rule = item.get("rule")
        if rule and "comment" in rule:
            for expression in rule["expr"]:
                if "counter" in expression:
                    counts[int(rule["comment"])] = int(expression["counter"]["packets"])
    return counts


# --- the lab ---------------------------------------------------------------------------------


@dataclass
class TlsBenchLab:
    """The started lab: hosts, servers and the certificates' directory."""

    lab: Lab
    hosts: dict[str, LabHost]
    servers: dict[str, Server] = field(default_factory=dict)
    counted_ports: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _baseline: dict[str, dict[int, int]] = field(default_factory=dict)

    @property
    def client(self) -> LabHost:
        return self.hosts["client"]

    def connections(self, host: str, port: int) -> int:
        """TCP connections made to `host`:`port` since the last `reset_counters`."""
        now = read_counters(self.hosts[host]).get(port, 0)
        return now - self._baseline.get(host, {}).get(port, 0)

    def reset_counters(self) -> None:
        """Start counting from zero (the nftables counters keep running: a baseline is kept)."""
        self._baseline = {name: read_counters(self.hosts[name]) for name in self.counted_ports}

    def run_in_client(
        self, argv: Sequence[str], *, timeout: float, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "PYTHONPATH": str(REPO / "src"), **(env or {})}
        return self.client.run(list(argv), capture_output=True, text=True, timeout=timeout,
                               check=False, env=environment, cwd=REPO)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SslyzeResult:
    """What ``python -m sslyze`` found: accepted suites per version (our version names)."""

    versions: dict[str, frozenset[str]]
    curves: frozenset[str]  # lower-case, as GROUP_NAMES spells the EC curves
    scan_seconds: float  # sslyze's own scan time (from its JSON), without its start-up
    wall_seconds: float  # the whole process


#: The EC curves among netready's groups: what sslyze's --elliptic_curves can compare with.
EC_CURVE_NAMES = frozenset(name for code, name in GROUP_NAMES.items() if code <= 30)
SSLYZE_COMMANDS = ("--sslv2", "--sslv3", "--tlsv1", "--tlsv1_1", "--tlsv1_2", "--tlsv1_3",
                   "--elliptic_curves")  # fmt: skip
_SSLYZE_VERSIONS = {"ssl_2_0": "SSLv2", "ssl_3_0": "SSLv3", "tls_1_0": "TLSv1.0",
                    "tls_1_1": "TLSv1.1", "tls_1_2": "TLSv1.2", "tls_1_3": "TLSv1.3"}  # fmt: skip


def run_sslyze(tls_lab: TlsBenchLab, address: str, port: int, *, starttls: str = "none",
               timeout: float = 300) -> SslyzeResult:  # fmt: skip
    """sslyze in the client with the scan commands netready's enumeration replaces."""
    import time
    from datetime import datetime

    out = tls_lab.lab.tmpdir / f"sslyze-{address.replace(':', '_')}-{port}.json"
    argv = [sys.executable, "-m", "sslyze", *SSLYZE_COMMANDS, "--quiet", "--json_out", str(out)]
    if starttls != "none":
        argv += ["--starttls", starttls]
    started = time.monotonic()
    done = tls_lab.run_in_client([*argv, f"{SERVER_NAME}:{port}{{{address}}}"], timeout=timeout)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise LabError(
            f"sslyze failed ({done.returncode}): {done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    report = json.loads(out.read_text())
    [server] = report["server_scan_results"]
    if server["scan_status"] != "COMPLETED":
        raise LabError(
            f"sslyze could not scan {address}:{port}: {server['connectivity_error_trace']}"
        )
    results = server["scan_result"]
    versions = {}
    for key, name in _SSLYZE_VERSIONS.items():
        accepted = results[f"{key}_cipher_suites"]["result"]["accepted_cipher_suites"]
        if accepted:
            versions[name] = frozenset(item["cipher_suite"]["name"] for item in accepted)
    curves = results["elliptic_curves"]["result"]["supported_curves"] or []
    stamps = [datetime.fromisoformat(report[k].replace("Z", "+00:00"))
              for k in ("date_scans_started", "date_scans_completed")]  # fmt: skip
    return SslyzeResult(
        versions=versions,
        curves=frozenset(curve["name"].lower() for curve in curves),
        scan_seconds=(stamps[1] - stamps[0]).total_seconds(),
        wall_seconds=wall,
    )


def run_enumeration(tls_lab: TlsBenchLab, endpoints: Sequence[tuple[str, int, str]], *,
                    timeout: float = 5.0, repeat: int = 1, max_parallel: int | None = None,
                    command_timeout: float = 600) -> list[dict[str, Any]]:  # fmt: skip
    """netready's `enumerate_tls` in the client, one endpoint after the other.

    `endpoints`: (address, port, starttls). Returns `TlsEnumeration` as dicts plus
    ``seconds`` (the enumeration alone) and, in the last one, ``process_seconds``.
    """
    import time

    argv = [sys.executable, "-m", "tests.lab.tls_bench_lab", "enumerate",
            "--timeout", str(timeout), "--repeat", str(repeat)]  # fmt: skip
    if max_parallel is not None:
        argv += ["--max-parallel", str(max_parallel)]
    for address, port, starttls in endpoints:
        argv += ["--endpoint", f"{address},{port},{starttls}"]
    started = time.monotonic()
    done = tls_lab.run_in_client(argv, timeout=command_timeout)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise LabError(f"enumeration failed ({done.returncode}): {done.stderr[-3000:]}")
    found: list[dict[str, Any]] = json.loads(done.stdout)
    if found:
        found[-1]["process_seconds"] = wall
    return found


MODERN_PORTS = (443, 8443)
LEGACY_PORTS = (443, 8443)
REVERSED_PORT = 9443  # legacy suites, the server's order: OpenSSL's reversed


def modern_listeners(rsa: KeyPair, ecdsa: KeyPair, dhparam: Path) -> list[NginxTls]:
    """TLS 1.2 + 1.3, Mozilla intermediate; 443: the client's order, 8443: the server's."""
    return [
        NginxTls(port, "TLSv1.2 TLSv1.3", MODERN_CIPHERS, prefer_server=(port == 8443),
                 certificates=(rsa, ecdsa), dhparam=dhparam)
        for port in MODERN_PORTS
    ]  # fmt: skip


def legacy_listeners(rsa: KeyPair, dhparam: Path) -> list[NginxTls]:
    """TLS 1.0-1.2, everything OpenSSL 3 has; 443: the server's order, 8443: the client's;
    9443: the server's order, which is OpenSSL's order reversed (nothing like any guess)."""
    protocols = "TLSv1 TLSv1.1 TLSv1.2"
    return [
        *(
            NginxTls(port, protocols, LEGACY_CIPHERS, prefer_server=(port == 443),
                     certificates=(rsa,), dhparam=dhparam)
            for port in LEGACY_PORTS
        ),
        NginxTls(REVERSED_PORT, protocols, reversed_cipher_string(LEGACY_CIPHERS),
                 prefer_server=True, certificates=(rsa,), dhparam=dhparam),
    ]  # fmt: skip


def reversed_cipher_string(cipher_string: str) -> str:
    """The suites of `cipher_string` (OpenSSL names) in the opposite of OpenSSL's order."""
    done = subprocess.run([program("openssl"), "ciphers", cipher_string], capture_output=True,
                          text=True, timeout=30, check=True)  # fmt: skip
    names = done.stdout.strip().split(":")
    return ":".join(reversed(names)) + ":@SECLEVEL=0"


@contextlib.contextmanager
def open_tls_lab(*, client_delay_ms: float = 0.0, mail: bool = True,
                 hostile: bool = True) -> Iterator[TlsBenchLab]:  # fmt: skip
    """Build the lab, start every server, yield it; everything is removed afterwards."""
    with Lab() as lab:
        hosts = {
            name: lab.add_host(name, ipv4=v4, ipv6=v6,
                               delay_ms=client_delay_ms if name == "client" else 0.0)
            for name, (v4, v6) in ADDRESSES.items()
            if (mail or name != "mail") and (hostile or name != "hostile")
        }  # fmt: skip
        tls_lab = TlsBenchLab(lab=lab, hosts=hosts)
        _dead_neighbours(hosts["client"])
        pki = lab.tmpdir / "pki"
        pki.mkdir()
        rsa, ecdsa = self_signed(pki, "rsa", RSA_KEY), self_signed(pki, "ecdsa", EC_KEY)
        modern = modern_listeners(rsa, ecdsa, dh_parameters(pki, 2048))
        legacy = legacy_listeners(rsa, dh_parameters(pki, 1024))
        for name, listeners in (("modern", modern), ("legacy", legacy)):
            install_counters(hosts[name], [tls.port for tls in listeners])
            tls_lab.counted_ports[name] = tuple(tls.port for tls in listeners)
            tls_lab.servers[name] = start_tls_nginx(hosts[name], listeners)
        if mail:
            install_counters(hosts["mail"], list(MAIL_PORTS.values()))
            tls_lab.counted_ports["mail"] = tuple(MAIL_PORTS.values())
            tls_lab.servers["mail"] = _start_program(
                hosts["mail"], "mail", ["--cert", str(rsa.cert), "--key", str(rsa.key)],
                list(MAIL_PORTS.values()))  # fmt: skip
        if hostile:
            install_counters(hosts["hostile"], [*HOSTILE_PORTS, FILTERED_PORT, REFUSED_PORT],
                             drop=[FILTERED_PORT])  # fmt: skip
            tls_lab.counted_ports["hostile"] = (*HOSTILE_PORTS, FILTERED_PORT, REFUSED_PORT)
            tls_lab.servers["hostile"] = _start_program(hosts["hostile"], "hostile", [],
                                                        list(HOSTILE_PORTS))  # fmt: skip
        yield tls_lab


def _dead_neighbours(client: LabHost) -> None:
    """Connects from the client to DEAD4/DEAD6 vanish (time out) instead of failing fast."""
    ip = program("ip")
    for address in (DEAD4, DEAD6):
        client.run([ip, "neigh", "replace", address, "lladdr", "02:00:00:00:07:99",
                    "dev", "eth0", "nud", "permanent"], check=True, timeout=30)  # fmt: skip


def _start_program(host: LabHost, kind: str, extra: list[str], ports: list[int]) -> Server:
    workdir = server_workdir(host, kind)
    addresses = [arg for address in (host.ipv4, host.ipv6) if address
                 for arg in ("--address", address)]  # fmt: skip
    argv = [sys.executable, "-m", "tests.lab.tls_bench_lab", kind, *addresses, *extra]
    log = workdir / f"{kind}.log"
    with log.open("ab") as sink:
        process = host.popen(argv, stdout=sink, stderr=subprocess.STDOUT, cwd=REPO)
    server = Server(host=host, process=process, workdir=workdir, config=Path(__file__), log=log)
    wait_for_listening(server, ports)
    return server


# --- the server programs (run in the lab hosts) ------------------------------------------------


async def _hostile_client(behaviour: str, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:  # fmt: skip
    try:
        if behaviour == "silent":  # accepts, reads, never answers (closed by the prober)
            while await reader.read(4096):
                pass
        elif behaviour == "reset":  # RST at once: SO_LINGER with a zero timeout
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif behaviour == "garbage":  # waits for the hello, answers bytes that are not TLS
            await reader.read(1)
            writer.write(bytes(range(7, 250)) * 4)
            await writer.drain()
        elif behaviour == "http":  # a plain HTTP server on the TLS port
            await reader.read(1)
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
        # "close": a FIN at once, without a byte
    except OSError:
        pass
    finally:
        writer.close()


async def _line(reader: asyncio.StreamReader) -> bytes:
    return (await reader.readline())[:512].strip()


async def _mail_client(protocol: str, context: ssl.SSLContext, reader: asyncio.StreamReader,
                       writer: asyncio.StreamWriter) -> None:  # fmt: skip
    """A minimal mail server: greeting, STARTTLS (and EHLO for SMTP), then TLS, then close."""
    greeting = {"smtp": b"220 mail.tls.test ESMTP tls-lab\r\n",
                "imap": b"* OK [CAPABILITY IMAP4rev1 STARTTLS] tls-lab ready\r\n",
                "pop3": b"+OK tls-lab ready\r\n"}[protocol]  # fmt: skip
    try:
        writer.write(greeting)
        for _ in range(10):  # a few commands at most, then the client has had its chance
            line = await _line(reader)
            command = line.upper()
            if not command:
                return
            if protocol == "smtp" and command.startswith((b"EHLO", b"HELO")):
                writer.write(b"250-mail.tls.test\r\n250-SIZE 1000000\r\n250 STARTTLS\r\n")
            elif command in (b"STARTTLS", b"STLS") or command.endswith(b" STARTTLS"):
                tag = line.split()[0] + b" " if protocol == "imap" else b""  # tags keep their case
                ok = {"smtp": b"220 go ahead\r\n", "imap": tag + b"OK begin TLS\r\n",
                      "pop3": b"+OK begin TLS\r\n"}[protocol]  # fmt: skip
                writer.write(ok)
                await writer.drain()
                await writer.start_tls(context)
                await reader.read(1)  # until the client goes
                return
            else:
                writer.write(b"500 unknown\r\n" if protocol == "smtp" else b"-ERR unknown\r\n")
            await writer.drain()
    except (OSError, ssl.SSLError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


def _mail_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20:ECDHE+AES+SHA")
    context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
    context.load_cert_chain(cert, key)
    return context


async def _serve(kind: str, addresses: list[str], cert: str | None, key: str | None) -> None:
    servers = []
    if kind == "hostile":
        for port, behaviour in HOSTILE_PORTS.items():

            def handler(r: asyncio.StreamReader, w: asyncio.StreamWriter,
                        b: str = behaviour) -> asyncio.Future[None]:  # fmt: skip
                return asyncio.ensure_future(_hostile_client(b, r, w))

            servers.append(await asyncio.start_server(handler, addresses, port))
    else:
        assert cert is not None
        assert key is not None
        context = _mail_context(cert, key)
        for protocol, port in MAIL_PORTS.items():

            def mail_handler(r: asyncio.StreamReader, w: asyncio.StreamWriter,
                             p: str = protocol) -> asyncio.Future[None]:  # fmt: skip
                return asyncio.ensure_future(_mail_client(p, context, r, w))

            servers.append(await asyncio.start_server(mail_handler, addresses, port))
    print(f"{kind} listening on {addresses}", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


async def _enumerate(endpoints: list[str], timeout: float, repeat: int,
                     max_parallel: int | None) -> list[dict[str, Any]]:  # fmt: skip
    """Run netready's enumeration (in the lab client) and return what it found, timed."""
    import dataclasses
    import time

    from netready.net.tls import StartTls, TlsEndpoint, enumerate_tls

    options = {} if max_parallel is None else {"max_parallel": max_parallel}
    found = []
    for _ in range(repeat):
        for spec in endpoints:
            address, port, starttls = spec.split(",")
            endpoint = TlsEndpoint(address, int(port), SERVER_NAME, StartTls(starttls))
            started = time.monotonic()
            result = await enumerate_tls(endpoint, timeout=timeout, **options)
            row = dataclasses.asdict(result)
            row["seconds"] = time.monotonic() - started
            found.append(row)
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="the TLS lab's programs (run in lab hosts)")
    parser.add_argument("kind", choices=("hostile", "mail", "enumerate"))
    parser.add_argument("--address", action="append")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--endpoint", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--max-parallel", type=int)
    args = parser.parse_args(argv)
    if args.kind == "enumerate":
        found = asyncio.run(_enumerate(args.endpoint, args.timeout, args.repeat,
                                       args.max_parallel))  # fmt: skip
        print(json.dumps(found))
    else:
        asyncio.run(_serve(args.kind, args.address, args.cert, args.key))


if __name__ == "__main__":
    main()
