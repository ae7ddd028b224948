"""The TLS lab's servers: a two-level lab CA, nginx with one TLS site per address, and the
Python listeners nginx cannot be (hostile endpoints, SMTP STARTTLS).

Lab side (imported by tls_topology.py): `LabPki` makes a root and an intermediate CA with
``openssl ca`` (so certificates can carry any validity dates, expired ones included) and
issues leaf certificates; `start_tls_nginx` serves a list of `TlsSite`, one per address;
`start_listeners` runs this module as a program.

Program side (``python -m tests.lab.tls_servers --listen ADDR:PORT:MODE ...``), each mode on
its own address and port::

    silent    accepts and never sends a byte (closes after `HOLD_SECONDS`)
    reset     accepts and resets the connection at once (SO_LINGER 0)
    garbage   accepts and answers with bytes that are not TLS, then closes
    smtp      an SMTP server that offers STARTTLS (--cert/--key) and nothing else
    tls       implicit TLS (--cert/--key), then an IMAP-style greeting

Run with ``-m`` (`listener_argv`), so the relative imports of the lab side resolve; the
program itself uses only the standard library.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import os
import socket
import ssl
import struct
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .netlab import LabHost, program
from .servers import Server, check_config, server_workdir, start_foreground, wait_until

HOLD_SECONDS = 120.0
LINE_LIMIT = 1000
GARBAGE = b"\x00\xffthis is not TLS, just noise from the netready lab\r\n" * 4
_REPO = Path(__file__).resolve().parents[2]


# --- lab side: certificates ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Certificate:
    """A server certificate: `chain` is what the server sends (leaf first), `key` its key."""

    chain: Path
    key: Path
    leaf: Path


_OPENSSL_CONF = """\
[ ca ]
default_ca = lab
[ lab ]
dir = {directory}
database = $dir/index.txt
new_certs_dir = $dir/issued
serial = $dir/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
email_in_dn = no
[ anything ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
"""

_CA_EXTENSIONS = (
    "basicConstraints = critical, CA:TRUE\n"
    "keyUsage = critical, keyCertSign, cRLSign\n"
    "subjectKeyIdentifier = hash\n"
)


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%d%H%M%SZ")


class LabPki:
    """A lab root CA and an intermediate CA under it, in `directory` (``openssl ca``).

    `ca_file` (the root only) is what the scanner is given as ``--ca-file``. Both CAs are
    valid from a year ago, so a leaf that expired last month still has a valid chain.
    """

    def __init__(self, directory: Path, openssl: str) -> None:
        self.directory = directory
        self.openssl = openssl
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "issued").mkdir(exist_ok=True)
        (directory / "index.txt").write_text("")
        (directory / "serial").write_text("1000\n")
        self.config = directory / "openssl.cnf"
        self.config.write_text(_OPENSSL_CONF.format(directory=directory))
        now = datetime.datetime.now(datetime.UTC)
        self.not_before = now - datetime.timedelta(days=365)
        self.not_after = now + datetime.timedelta(days=365)
        self.ca_file, self.root_key = self._root()
        self.intermediate, self.intermediate_key = self._intermediate()

    def _run(self, *args: str | Path) -> None:
        argv = [self.openssl, *map(str, args)]
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=30, cwd=self.directory, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}")

    def _request(self, name: str, common_name: str, key_type: str) -> tuple[Path, Path]:
        key, csr = self.directory / f"{name}.key", self.directory / f"{name}.csr"
        new_key = (
            ["-newkey", "rsa:2048"]
            if key_type == "rsa"
            else ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        )
        self._run("req", "-new", "-config", self.config, *new_key, "-nodes",
                  "-keyout", key, "-out", csr, "-subj", f"/CN={common_name}")  # fmt: skip
        return key, csr

    def _sign(
        self,
        csr: Path,
        out: Path,
        extensions: str,
        *,
        not_before: datetime.datetime,
        not_after: datetime.datetime,
        issuer_key: Path,
        issuer_cert: Path | None,
    ) -> None:
        """Sign `csr` into `out`; with no `issuer_cert`, self-signed by `issuer_key`."""
        extfile = out.with_suffix(".ext")
        extfile.write_text(extensions)
        signer = ["-selfsign"] if issuer_cert is None else ["-cert", str(issuer_cert)]
        self._run("ca", "-batch", "-config", self.config, "-notext", *signer,
                  "-keyfile", issuer_key, "-in", csr, "-out", out,
                  "-startdate", _timestamp(not_before), "-enddate", _timestamp(not_after),
                  "-extfile", extfile)  # fmt: skip

    def _root(self) -> tuple[Path, Path]:
        key, csr = self._request("root", "netready TLS lab root", "ec")
        cert = self.directory / "root.pem"
        self._sign(csr, cert, _CA_EXTENSIONS, not_before=self.not_before,
                   not_after=self.not_after, issuer_key=key, issuer_cert=None)  # fmt: skip
        return cert, key

    def _intermediate(self) -> tuple[Path, Path]:
        key, csr = self._request("intermediate", "netready TLS lab intermediate", "ec")
        cert = self.directory / "intermediate.pem"
        extensions = _CA_EXTENSIONS + "authorityKeyIdentifier = keyid\n"
        self._sign(csr, cert, extensions, not_before=self.not_before, not_after=self.not_after,
                   issuer_key=self.root_key, issuer_cert=self.ca_file)  # fmt: skip
        return cert, key

    def issue(
        self,
        name: str,
        dns_names: Sequence[str],
        *,
        key_type: str = "ec",
        not_before: datetime.datetime | None = None,
        not_after: datetime.datetime | None = None,
        send_intermediate: bool = True,
    ) -> Certificate:
        """A leaf for `dns_names`, signed by the intermediate; `chain` is leaf + intermediate
        (only the leaf when `send_intermediate` is False: an incomplete chain)."""
        now = datetime.datetime.now(datetime.UTC)
        key, csr = self._request(name, dns_names[0], key_type)
        leaf = self.directory / f"{name}.pem"
        usage = "digitalSignature, keyEncipherment" if key_type == "rsa" else "digitalSignature"
        extensions = (
            f"subjectAltName = {', '.join(f'DNS:{dns}' for dns in dns_names)}\n"
            "basicConstraints = critical, CA:FALSE\n"
            f"keyUsage = critical, {usage}\n"
            "extendedKeyUsage = serverAuth\n"
            "subjectKeyIdentifier = hash\n"
            "authorityKeyIdentifier = keyid\n"
        )
        self._sign(
            csr, leaf, extensions,
            not_before=not_before or now - datetime.timedelta(days=1),
            not_after=not_after or now + datetime.timedelta(days=90),
            issuer_key=self.intermediate_key, issuer_cert=self.intermediate,
        )  # fmt: skip
        chain = self.directory / f"{name}.chain.pem"
        parts = [leaf.read_text()]
        if send_intermediate:
            parts.append(self.intermediate.read_text())
        chain.write_text("".join(parts))
        return Certificate(chain=chain, key=key, leaf=leaf)

    def self_signed(self, name: str, dns_names: Sequence[str]) -> Certificate:
        """A certificate signed by its own key, for `dns_names` (no CA involved)."""
        key, cert = self.directory / f"{name}.key", self.directory / f"{name}.pem"
        self._run("req", "-x509", "-config", self.config, "-newkey", "ec",
                  "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                  "-out", cert, "-days", "90", "-subj", f"/CN={dns_names[0]}",
                  "-addext", f"subjectAltName = {', '.join(f'DNS:{d}' for d in dns_names)}",
                  "-addext", "basicConstraints = critical, CA:FALSE")  # fmt: skip
        return Certificate(chain=cert, key=key, leaf=cert)


# --- lab side: nginx ------------------------------------------------------------------------

MODERN_CIPHERS = (
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256"
)
#: TLS 1.0/1.1 need SHA-1 signatures, which OpenSSL 3 allows only at security level 0.
LEGACY_RSA_CIPHERS = "ECDHE-RSA-AES128-SHA:AES128-SHA:AES256-SHA:AES128-SHA256:@SECLEVEL=0"
LEGACY_EC_CIPHERS = (
    "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-GCM-SHA256:@SECLEVEL=0"
)


@dataclass(frozen=True, slots=True)
class TlsSite:
    """One TLS endpoint nginx serves on port 443 of one address.

    Attributes:
        address: the IPv4 or IPv6 address it listens on.
        name: the server name (every name is answered; the name only documents the site).
        certificate: what it presents.
        protocols: nginx ``ssl_protocols``.
        ciphers: nginx ``ssl_ciphers`` (TLS 1.2 and older).
        prefer_server_ciphers: whether its own order wins.
    """

    address: str
    name: str
    certificate: Certificate
    protocols: str = "TLSv1.2 TLSv1.3"
    ciphers: str = MODERN_CIPHERS
    prefer_server_ciphers: bool = True


def _listen_address(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def nginx_conf(workdir: Path, sites: Sequence[TlsSite]) -> str:
    temp = "".join(
        f"    {kind}_temp_path {workdir / 'temp' / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    servers = "".join(
        f"""    server {{
        listen {_listen_address(site.address)}:443 ssl;
        server_name {site.name};
        ssl_certificate {site.certificate.chain};
        ssl_certificate_key {site.certificate.key};
        ssl_protocols {site.protocols};
        ssl_ciphers "{site.ciphers}";
        ssl_prefer_server_ciphers {"on" if site.prefer_server_ciphers else "off"};
        ssl_ecdh_curve X25519:prime256v1:secp384r1;
        location / {{ return 200 "{site.name}\\n"; }}
    }}
"""
        for site in sites
    )
    return f"""\
# nginx for the TLS lab; everything it writes goes to {workdir}
user root;
worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "nginx.log"} info;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp}    default_type text/plain;
    server_tokens off;
{servers}}}
"""


def start_tls_nginx(host: LabHost, sites: Sequence[TlsSite]) -> Server:
    """Start nginx serving `sites` (each on port 443 of its address); checked with -t first."""
    workdir = server_workdir(host, "nginx")
    (workdir / "temp").mkdir()
    config = workdir / "nginx.conf"
    config.write_text(nginx_conf(workdir, sites))
    # -e: the error log before the config is read (the built-in default is outside workdir)
    base = [program("nginx"), "-e", str(workdir / "nginx.log"), "-p", str(workdir)]
    check_config(host, [*base, "-t", "-q", "-c", str(config)])
    argv = [*base, "-c", str(config), "-g", "daemon off;"]
    server = start_foreground(host, "nginx", argv, workdir, config)
    for site in sites:
        wait_until(
            server,
            lambda a=site.address: _listens(host, a, 443),
            f"nginx on {host.name} to listen on [{site.address}]:443",
        )
    return server


def start_listeners(
    host: LabHost,
    specs: Sequence[str],
    *,
    certificate: Certificate | None = None,
    domain: str | None = None,
) -> Server:
    """Run this module's listeners in `host` (``ADDR:PORT:MODE`` each); wait until they listen."""
    workdir = server_workdir(host, "listeners")
    argv, env = listener_argv(specs, certificate, domain)
    log = workdir / "listeners.log"
    with log.open("ab") as sink:  # the child keeps its own copy of the descriptor
        process = host.popen(argv, stdout=sink, stderr=subprocess.STDOUT, cwd=workdir, env=env)
    server = Server(host=host, process=process, workdir=workdir, config=Path(__file__), log=log)
    for spec in specs:
        address, port, _mode = spec.rsplit(":", 2)
        address = address.strip("[]")
        wait_until(
            server,
            lambda a=address, p=int(port): _listens(host, a, p),
            f"listener {spec} on {host.name}",
        )
    return server


def _listens(host: LabHost, address: str, port: int) -> bool:
    family = "-6" if ":" in address else "-4"
    shown = f"[{address}]" if ":" in address else address
    ss = [program("ss"), "-H", "-l", "-n", "--tcp", family, "src", f"{shown}:{port}"]
    done = host.run(ss, timeout=5)
    return done.returncode == 0 and bool(done.stdout.strip())


# --- program side: the listeners ------------------------------------------------------------


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(TimeoutError, OSError):
        async with asyncio.timeout(HOLD_SECONDS):
            while await reader.read(4096):
                pass  # read and ignore: never answer


async def _reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    # linger on, time 0: close() sends RST instead of FIN
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(TimeoutError, OSError):
        async with asyncio.timeout(5):
            await reader.read(4096)  # the ClientHello
        writer.write(GARBAGE)
        await writer.drain()
    writer.close()


def _smtp(context: ssl.SSLContext, domain: str) -> object:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        encrypted = False
        try:
            writer.write(f"220 {domain} ESMTP netready TLS lab\r\n".encode())
            await writer.drain()
            while True:
                async with asyncio.timeout(30):
                    line = await reader.readline()
                if not line:
                    return
                verb = line.decode("latin-1").strip().split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    extra = "" if encrypted else "250-STARTTLS\r\n"
                    writer.write(f"250-{domain}\r\n{extra}250 8BITMIME\r\n".encode())
                elif verb == "STARTTLS" and not encrypted:
                    writer.write(b"220 2.0.0 Ready to start TLS\r\n")
                    await writer.drain()
                    await writer.start_tls(context)
                    encrypted = True
                    continue
                elif verb == "QUIT":
                    writer.write(b"221 2.0.0 Bye\r\n")
                    await writer.drain()
                    return
                else:
                    writer.write(b"502 5.5.2 Not implemented\r\n")
                await writer.drain()
        except (OSError, TimeoutError, ValueError, ssl.SSLError, asyncio.LimitOverrunError):
            pass  # scanners hang up in every possible state
        finally:
            writer.close()

    return handle


async def _implicit_tls(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, TimeoutError, ssl.SSLError):
        writer.write(b"* OK netready TLS lab ready\r\n")
        await writer.drain()
        async with asyncio.timeout(30):
            await reader.read(4096)
    writer.close()


def _server_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(MODERN_CIPHERS)
    context.load_cert_chain(cert, key)
    return context


async def _serve(specs: Sequence[str], cert: str | None, key: str | None, domain: str) -> None:
    context = _server_context(cert, key) if cert and key else None
    servers = []
    for spec in specs:
        address, port, mode = spec.rsplit(":", 2)
        address = address.strip("[]")
        tls = None
        if mode == "silent":
            handler: object = _silent
        elif mode == "reset":
            handler = _reset
        elif mode == "garbage":
            handler = _garbage
        elif mode == "smtp" and context is not None:
            handler = _smtp(context, domain)
        elif mode == "tls" and context is not None:
            handler, tls = _implicit_tls, context
        else:
            raise SystemExit(f"bad listener {spec!r} (modes need --cert/--key: smtp, tls)")
        servers.append(
            await asyncio.start_server(
                handler,  # type: ignore[arg-type]
                address, int(port), ssl=tls, reuse_address=True, limit=LINE_LIMIT,
            )
        )  # fmt: skip
    print("ready", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="TLS lab listeners (see the module docstring)")
    parser.add_argument("--listen", action="append", required=True, metavar="ADDR:PORT:MODE")
    parser.add_argument("--cert", help="certificate chain (PEM) for the smtp and tls modes")
    parser.add_argument("--key", help="its private key")
    parser.add_argument("--domain", default="mail.tls.test", help="the SMTP greeting's name")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.listen, args.cert, args.key, args.domain))


def listener_argv(
    specs: Sequence[str], certificate: Certificate | None = None, domain: str | None = None
) -> tuple[list[str], dict[str, str]]:
    """The argv (and environment) that runs this module as the listener program."""
    argv = [sys.executable, "-m", "tests.lab.tls_servers"]
    for spec in specs:
        argv += ["--listen", spec]
    if certificate is not None:
        argv += ["--cert", str(certificate.chain), "--key", str(certificate.key)]
    if domain is not None:
        argv += ["--domain", domain]
    env = {**os.environ, "PYTHONPATH": str(_REPO)}
    return argv, env


if __name__ == "__main__":
    main()
