"""The web lab's servers: a lab CA, nginx, the hostile HTTP(S) server, SMTP listeners.

Like servers.py: each server gets a directory in the lab's temp dir, runs in the foreground
under a PID the lab tracks, and its start function returns only once it listens (or raises
`LabError` with the tail of its log).
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .netlab import LabError, LabHost, program
from .servers import (
    Server,
    check_config,
    server_workdir,
    start_foreground,
    wait_for_listening,
)

_LAB_DIR = Path(__file__).parent
CERT_DAYS = 30

# --- the lab CA -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Certificate:
    """A PEM certificate and its private key, signed by the lab CA."""

    cert: Path
    key: Path


@dataclass(frozen=True, slots=True)
class LabCa:
    """The lab's own CA: `ca_file` is what the scanner is given as ``--ca-file``."""

    ca_file: Path
    key: Path
    directory: Path

    def issue(self, name: str, dns_names: Sequence[str]) -> Certificate:
        """A server certificate (ECDSA P-256) for `dns_names`, files ``<name>.pem/.key``."""
        key, csr, cert = (self.directory / f"{name}{suffix}" for suffix in (".key", ".csr", ".pem"))
        extensions = self.directory / f"{name}.ext"
        extensions.write_text(
            f"subjectAltName = {', '.join(f'DNS:{dns}' for dns in dns_names)}\n"
            "basicConstraints = critical, CA:FALSE\n"
            "keyUsage = critical, digitalSignature\n"
            "extendedKeyUsage = serverAuth\n"
            "subjectKeyIdentifier = hash\n"
            "authorityKeyIdentifier = keyid\n"
        )
        _openssl(self.directory, "req", "-new", *_EC_KEY, "-nodes", "-keyout", key,
                 "-out", csr, "-subj", f"/CN={dns_names[0]}")  # fmt: skip
        _openssl(self.directory, "x509", "-req", "-in", csr, "-CA", self.ca_file,
                 "-CAkey", self.key, "-set_serial", f"0x{secrets.token_hex(16)}",
                 "-days", str(CERT_DAYS), "-extfile", extensions, "-out", cert)  # fmt: skip
        return Certificate(cert=cert, key=key)


_EC_KEY = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256")


def _openssl(directory: Path, *args: str | Path) -> None:
    argv = [program("openssl"), *map(str, args)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=directory)
    if done.returncode != 0:
        raise LabError(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}")


def create_lab_ca(directory: Path) -> LabCa:
    """A fresh CA (key and self-signed certificate) in `directory`; no network involved."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_file, key = directory / "lab-ca.pem", directory / "lab-ca.key"
    _openssl(directory, "req", "-x509", "-new", *_EC_KEY, "-nodes", "-keyout", key,
             "-out", ca_file, "-days", str(CERT_DAYS), "-subj", "/CN=netready lab CA",
             "-addext", "basicConstraints = critical, CA:TRUE",
             "-addext", "keyUsage = critical, keyCertSign, cRLSign",
             "-addext", "subjectKeyIdentifier = hash")  # fmt: skip
    return LabCa(ca_file=ca_file, key=key, directory=directory)


# --- nginx ----------------------------------------------------------------------------------

GOOD_HSTS = "max-age=31536000; includeSubDomains; preload"
#: The security headers of the lab's good sites, exactly as nginx sends them.
GOOD_HEADERS: Mapping[str, str] = MappingProxyType(
    {
        "Strict-Transport-Security": GOOD_HSTS,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }
)


@dataclass(frozen=True, slots=True)
class Site:
    """One name (and its www name) as one nginx serves it.

    Attributes:
        name: the host name; ``www.<name>`` is served the same way.
        title: the page's <title> (split.web.test differs between its two servers).
        http_redirect: where HTTP (port 80) redirects; None serves the page over HTTP.
        headers: headers added to every HTTPS response.
        certificate: the certificate for this name (default: the lab's shared one).
    """

    name: str
    title: str
    http_redirect: str | None = "https://$host$request_uri"
    headers: Mapping[str, str] = field(default_factory=lambda: GOOD_HEADERS)
    certificate: Certificate | None = None


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _listen(host: LabHost, port: int, extra: str = "") -> str:
    addresses = [a for a in (host.ipv4, f"[{host.ipv6}]" if host.ipv6 else None) if a]
    return "".join(f"        listen {address}:{port}{extra};\n" for address in addresses)


def _page(site: Site) -> str:
    return _quoted(f"<!doctype html><title>{site.title}</title><p>{site.title}</p>\n")


def _site_conf(host: LabHost, site: Site) -> str:
    names = f"{site.name} www.{site.name}"
    if site.http_redirect is None:
        plain = f"        location / {{ return 200 {_page(site)}; }}\n"
    else:
        plain = f"        return 301 {site.http_redirect};\n"
    headers = "".join(
        f"        add_header {name} {_quoted(value)} always;\n"
        for name, value in site.headers.items()
    )
    tls = ""
    if site.certificate is not None:
        tls = (
            f"        ssl_certificate {site.certificate.cert};\n"
            f"        ssl_certificate_key {site.certificate.key};\n"
        )
    return (
        f"    server {{\n{_listen(host, 80)}        server_name {names};\n{plain}    }}\n"
        f"    server {{\n{_listen(host, 443, ' ssl')}        server_name {names};\n{tls}"
        f"{headers}        location / {{ return 200 {_page(site)}; }}\n    }}\n"
    )


def _nginx_conf(host: LabHost, workdir: Path, sites: Sequence[Site], default: Certificate) -> str:
    temp = "".join(
        f"    {kind}_temp_path {workdir / 'temp' / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    fallback = (
        f"    server {{\n{_listen(host, 80, ' default_server')}"
        f"{_listen(host, 443, ' ssl default_server')}"
        '        return 404 "no such lab site\\n";\n    }\n'
    )
    return f"""\
# nginx for lab host {host.name}; everything nginx writes goes to {workdir}
user root;
worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "nginx.log"} info;
events {{ worker_connections 256; }}
http {{
    access_log {workdir / "access.log"};
{temp}    default_type text/html;
    server_tokens off;
    server_names_hash_bucket_size 128;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate {default.cert};
    ssl_certificate_key {default.key};
{fallback}{"".join(_site_conf(host, site) for site in sites)}}}
"""


def start_nginx(host: LabHost, sites: Sequence[Site], certificate: Certificate) -> Server:
    """Start nginx serving `sites` on ports 80 and 443 at each of the host's addresses.

    `certificate` is the default one (sites may bring their own). Unknown names get 404.
    The config is checked with ``nginx -t`` first, so a mistake fails with nginx's reason.
    """
    workdir = server_workdir(host, "nginx")
    (workdir / "temp").mkdir()
    config = workdir / "nginx.conf"
    config.write_text(_nginx_conf(host, workdir, sites, certificate))
    # -e: the error log before the config is read (the built-in default is outside workdir)
    base = [program("nginx"), "-e", str(workdir / "nginx.log"), "-p", str(workdir)]
    check_config(host, [*base, "-t", "-q", "-c", str(config)])
    argv = [*base, "-c", str(config), "-g", "daemon off;"]
    server = start_foreground(host, "nginx", argv, workdir, config)
    wait_for_listening(server, [80, 443])
    return server


# --- Python servers (hostile HTTP, SMTP) ----------------------------------------------------


def _addresses(host: LabHost, *, ipv6: bool = True) -> list[str]:
    return [a for a in (host.ipv4, host.ipv6 if ipv6 else None) if a]


def start_hostile(host: LabHost, certificate: Certificate) -> Server:
    """Start hostile_http.py on ports 80 and 443 at each of the host's addresses."""
    workdir = server_workdir(host, "hostile")
    script = _LAB_DIR / "hostile_http.py"
    argv = [sys.executable, str(script), "--cert", str(certificate.cert),
            "--key", str(certificate.key)]  # fmt: skip
    for address in _addresses(host):
        argv += ["--address", address]
    server = start_foreground(host, "hostile", argv, workdir, script)
    wait_for_listening(server, [80, 443])
    return server


def start_smtp(host: LabHost, banner: str, *, ipv6: bool = True) -> Server:
    """Start smtp_listener.py on port 25 (at the IPv6 address too unless `ipv6` is False)."""
    workdir = server_workdir(host, "smtp")
    script = _LAB_DIR / "smtp_listener.py"
    argv = [sys.executable, str(script), "--banner", banner]
    for address in _addresses(host, ipv6=ipv6):
        argv += ["--address", address]
    server = start_foreground(host, "smtp", argv, workdir, script)
    wait_for_listening(server, [25], ipv6=ipv6)
    return server
