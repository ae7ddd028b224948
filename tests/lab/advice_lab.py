"""A small lab where the advice's web server snippets must fix what netready finds.

Its own `Lab` on 198.18.10.0/24 and 2001:db8:10::/64: BIND serving the lab root and ``test.``,
unbound iterating from it, one web server per host, and the client the scanner runs in::

    ns        198.18.10.10  2001:db8:10::10   BIND: `.` and `test.`
    resolver  198.18.10.53  2001:db8:10::53   unbound
    nginx     198.18.10.80  2001:db8:10::80   nginx for nginx.test and www.nginx.test
    apache    198.18.10.81  2001:db8:10::81   Apache httpd for apache.test and www.apache.test
    client    198.18.10.100 2001:db8:10::100  the scanner

Each web server starts with a plain site: HTTPS with a valid certificate (the lab CA), and
plain HTTP that serves the page too - no redirect, no HSTS, no security headers. `WebServer.
apply` puts the advice's blocks into its configuration, checks it (``nginx -t`` /
``apache2 -t``) and reloads the server by signalling its PID.
"""

from __future__ import annotations

import re
import signal
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .netlab import Lab, LabError, LabHost, poll_until, program
from .servers import RootHint, Server, start_bind, start_unbound
from .web_servers import Certificate, create_lab_ca
from .zones import NameServer, records, root_zone, zone_text

NS = NameServer("ns.test.", "198.18.10.10", "2001:db8:10::10")
HOSTS = {
    "ns": (NS.ipv4, NS.ipv6),
    "resolver": ("198.18.10.53", "2001:db8:10::53"),
    "nginx": ("198.18.10.80", "2001:db8:10::80"),
    "apache": ("198.18.10.81", "2001:db8:10::81"),
    "client": ("198.18.10.100", "2001:db8:10::100"),
}
#: web host -> the site name it serves (and www.<name>)
SITES = {"nginx": "nginx.test", "apache": "apache.test"}
PROGRAMS = ("named", "named-checkconf", "unbound", "unbound-checkconf", "dig", "nginx",
            "apache2", "openssl")  # fmt: skip
_APACHE_MODULES = ("mpm_event", "authz_core", "alias", "dir", "headers", "ssl", "socache_shmcb")
PAGE = "<!doctype html><title>advice lab</title><p>advice lab</p>"


def _test_zone() -> str:
    lines = ["test. NS ns.test.", *records("ns.test.", A=NS.ipv4, AAAA=NS.ipv6)]
    for host, name in SITES.items():
        for owner in (f"{name}.", f"www.{name}."):
            lines += records(owner, A=HOSTS[host][0], AAAA=HOSTS[host][1])
    return zone_text("test.", NS, lines)


@dataclass
class WebServer:
    """nginx or Apache serving one site; `apply` adds the advice's blocks and reloads it."""

    kind: str  # "nginx" or "apache"
    host: LabHost
    name: str
    certificate: Certificate
    workdir: Path
    process: Any = None
    #: blocks for the HTTPS site, and blocks that replace the plain HTTP site
    https_blocks: list[str] = field(default_factory=list)
    http_blocks: list[str] = field(default_factory=list)

    @property
    def config(self) -> Path:
        return self.workdir / f"{self.kind}.conf"

    @property
    def log(self) -> Path:
        return self.workdir / "error.log"

    def start(self) -> None:
        self._write_and_check()
        if self.kind == "nginx":
            argv = [program("nginx"), "-e", str(self.log), "-p", str(self.workdir),
                    "-c", str(self.config), "-g", "daemon off;"]  # fmt: skip
        else:
            argv = [program("apache2"), "-f", str(self.config), "-DFOREGROUND"]
        with (self.workdir / "stdout.log").open("ab") as sink:
            self.process = self.host.popen(argv, stdout=sink, stderr=sink)
        try:
            # Apache listens on one socket for both families, which `ss` counts as IPv6
            families = (4, 6) if self.kind == "nginx" else (6,)
            for port in (80, 443):
                for family in families:
                    self.host.wait_for_port(port, family=family)
        except LabError as error:
            logs = "".join(
                f"--- {path.name} ---\n{path.read_text(errors='replace')[-2000:]}"
                for path in (self.workdir / "stdout.log", self.log)
                if path.exists()
            )
            raise LabError(f"{self.kind} on {self.host.name}: {error}\n{logs}") from None

    def apply(self, blocks: Sequence[str]) -> None:
        """Add the blocks where their text says, check, and reload (a signal to our PID)."""
        for block in dict.fromkeys(blocks):  # the same text for two findings: once
            opens_site = re.match(r"\s*(server\s*\{|<VirtualHost)", block) is not None
            (self.http_blocks if opens_site else self.https_blocks).append(block)
        self._write_and_check()
        before = self.log.read_text(errors="replace")
        # nginx: SIGHUP re-reads the configuration; Apache: SIGUSR1 is its graceful restart
        self.process.send_signal(signal.SIGHUP if self.kind == "nginx" else signal.SIGUSR1)
        ready = "start worker process" if self.kind == "nginx" else "resuming normal operations"
        poll_until(
            lambda: ready in self.log.read_text(errors="replace")[len(before) :],
            timeout=15,
            what=f"{self.kind} on {self.host.name} to reload",
        )

    def _write_and_check(self) -> None:
        text = self._nginx_conf() if self.kind == "nginx" else self._apache_conf()
        self.config.write_text(text)
        if self.kind == "nginx":
            argv = [program("nginx"), "-t", "-q", "-e", str(self.log), "-p", str(self.workdir),
                    "-c", str(self.config)]  # fmt: skip
        else:
            argv = [program("apache2"), "-t", "-f", str(self.config)]
        done = self.host.run(argv, timeout=15)
        if done.returncode != 0:
            raise LabError(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}\n{text}")

    def _nginx_conf(self) -> str:
        d, names = self.workdir, f"{self.name} www.{self.name}"
        plain = (
            "    server {\n        listen 80;\n        listen [::]:80;\n"
            f"        server_name {names};\n        location / {{ return 200 '{PAGE}'; }}\n    }}\n"
        )
        http = "".join(_indent(block, 1) for block in self.http_blocks) or plain
        return (
            f"user root;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\n"
            f"events {{ worker_connections 64; }}\nhttp {{\n    access_log off;\n"
            + "".join(
                f"    {kind}_temp_path {d}/{kind};\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + "    default_type text/html;\n"
            f"{http}    server {{\n        listen 443 ssl;\n        listen [::]:443 ssl;\n"
            f"        server_name {names};\n"
            f"        ssl_certificate {self.certificate.cert};\n"
            f"        ssl_certificate_key {self.certificate.key};\n"
            + "".join(_indent(block, 2) for block in self.https_blocks)
            + f"        location / {{ return 200 '{PAGE}'; }}\n    }}\n}}\n"
        )

    def _apache_conf(self) -> str:
        d = self.workdir
        (d / "htdocs").mkdir(exist_ok=True)
        (d / "htdocs" / "index.html").write_text(PAGE)
        modules = "".join(
            f"LoadModule {name}_module /usr/lib/apache2/modules/mod_{name}.so\n"
            for name in _APACHE_MODULES
        )
        plain = (
            f"<VirtualHost *:80>\n    ServerName {self.name}\n    ServerAlias www.{self.name}\n"
            "</VirtualHost>\n"
        )
        http = "".join(block.rstrip("\n") + "\n" for block in self.http_blocks) or plain
        return (
            f"ServerRoot {d}\nPidFile {d}/httpd.pid\nErrorLog {d}/error.log\nLogLevel notice\n"
            f"DefaultRuntimeDir {d}\nMutex file:{d} default\nServerName {self.name}\n"
            f"User nobody\nGroup nogroup\n{modules}DocumentRoot {d}/htdocs\n"
            f"<Directory {d}/htdocs>\n    Require all granted\n</Directory>\n"
            "DirectoryIndex index.html\n"
            "Listen 80\nListen 443\n"
            f"{http}<VirtualHost *:443>\n    ServerName {self.name}\n"
            f"    ServerAlias www.{self.name}\n    SSLEngine on\n"
            f"    SSLCertificateFile {self.certificate.cert}\n"
            f"    SSLCertificateKeyFile {self.certificate.key}\n"
            + "".join(_indent(block, 1) for block in self.https_blocks)
            + "</VirtualHost>\n"
        )


def _indent(text: str, level: int) -> str:
    return textwrap.indent(text.rstrip("\n"), "    " * level) + "\n"


@dataclass(frozen=True, slots=True)
class AdviceLab:
    lab: Lab
    client: LabHost
    servers: dict[str, Server]
    web: dict[str, WebServer]
    resolver_ip: str
    ca_file: Path

    def scanner_argv(self, *args: str) -> list[str]:
        """``netready scan ARGS`` with the lab resolver and the lab CA given explicitly."""
        return [sys.executable, "-m", "netready", "scan", *args,
                "--resolver", self.resolver_ip, "--ca-file", str(self.ca_file)]  # fmt: skip


def build_advice_lab(lab: Lab) -> AdviceLab:
    hosts = {name: lab.add_host(name, ipv4=v4, ipv6=v6) for name, (v4, v6) in HOSTS.items()}
    servers = {
        "ns": start_bind(hosts["ns"], {".": root_zone(NS, NS), "test.": _test_zone()}),
        "resolver": start_unbound(hosts["resolver"], [RootHint(NS.name, NS.ipv4, NS.ipv6)]),
    }
    ca = create_lab_ca(lab.tmpdir / "ca")
    web = {}
    for kind, name in SITES.items():
        workdir = lab.tmpdir / f"{kind}-site"
        workdir.mkdir()
        certificate = ca.issue(kind, [name, f"www.{name}"])
        web[kind] = WebServer(kind, hosts[kind], name, certificate, workdir)
        web[kind].start()
    return AdviceLab(lab, hosts["client"], servers, web, HOSTS["resolver"][0], ca.ca_file)
