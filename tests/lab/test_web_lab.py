"""Tests of the web lab itself, with curl, dig and plain Python from the client namespaces.

If the lab does not behave as README.md ("The web lab") says, the scanner tests built on it
(test_https.py and the IPv6 family's tests) mean nothing.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .netlab import LabHost
from .test_lab import dig, ip_json
from .web_servers import GOOD_HEADERS
from .web_topology import SMTP_BANNERS, WebLab
from .web_zones import (
    DEAD6,
    HOSTILE4,
    HOSTILE6,
    HOSTS,
    MAIL_NAMES,
    MX,
    WEB4,
    WEB6,
    WEB6ALT,
    WEB_NAMES,
    every_web_name,
)

# curl exit codes
CURL_CONNECT_FAILED = 7  # refused (or unreachable)
CURL_TIMEOUT = 28


def curl(
    web_lab: WebLab, url: str, address: str, *options: str, host: LabHost | None = None
) -> subprocess.CompletedProcess[str]:
    """curl `url` at `address` (pinned with --resolve), trusting the lab CA; headers + body."""
    name = re.sub(r"^\w+://([^/:]+).*$", r"\1", url)
    port = "443" if url.startswith("https") else "80"
    pinned = f"[{address}]" if ":" in address else address
    argv = ["curl", "-sS", "-i", "--resolve", f"{name}:{port}:{pinned}",
            "--cacert", str(web_lab.ca_file), "--max-time", "5", *options, url]  # fmt: skip
    return (host or web_lab.client).run(argv, timeout=15)


def header(response: str, name: str) -> list[str]:
    """Every value of header `name` in curl's -i output (text mode: lines end in \\n)."""
    head = response.split("\n\n", 1)[0]
    return [
        line.split(":", 1)[1].strip()
        for line in head.splitlines()[1:]
        if line.split(":", 1)[0].lower() == name.lower()
    ]


def status(response: str) -> int:
    return int(response.split(" ", 2)[1])


def connect_error(host: LabHost, address: str, port: int) -> str:
    """The name of the exception a TCP connect from `host` raises ("" when it connects)."""
    script = f"""
import socket
try:
    socket.create_connection(({address!r}, {port}), timeout=3).close()
except OSError as error:
    print(type(error).__name__)
"""
    done = host.run([sys.executable, "-c", script], timeout=10)
    assert done.returncode == 0, done.stderr
    return str(done.stdout.strip())


# --- DNS --------------------------------------------------------------------------------------


def _expected_addresses() -> list[tuple[str, str, str | None]]:
    rows = []
    for name, addresses in {**WEB_NAMES, **MAIL_NAMES}.items():
        hosts = [name] if name in MAIL_NAMES else [name, f"www.{name}"]
        for host in hosts:
            rows += [(host, "A", addresses.ipv4), (host, "AAAA", addresses.ipv6)]
    return rows


@pytest.mark.parametrize(("name", "rtype", "address"), _expected_addresses())
def test_every_name_resolves_as_specified(
    web_lab: WebLab, name: str, rtype: str, address: str | None
) -> None:
    result = dig(web_lab.client, web_lab.resolver_ip, name, rtype)
    assert result.status == "NOERROR"
    assert result.answers == ([(rtype, address)] if address else [])


@pytest.mark.parametrize(("name", "mail"), list(MX.items()))
def test_mx_records(web_lab: WebLab, name: str, mail: str) -> None:
    result = dig(web_lab.client, web_lab.resolver_ip6, name, "MX")
    assert result.answers == [("MX", f"10 {mail}.")]


@pytest.mark.parametrize(
    ("zone", "servers"),
    [
        ("web.test", {"ns1.web.test": True, "ns2.web.test": False}),
        ("ns6.test", {"ns1.ns6.test": True, "ns3.ns6.test": True}),
        ("nsdead6.test", {"ns1.nsdead6.test": True, "ns4.nsdead6.test": True}),
    ],
)
def test_zone_name_servers_and_which_have_aaaa(
    web_lab: WebLab, zone: str, servers: dict[str, bool]
) -> None:
    ns = dig(web_lab.client, web_lab.resolver_ip, zone, "NS")
    assert sorted(data.rstrip(".") for _, data in ns.answers) == sorted(servers)
    for server, has_aaaa in servers.items():
        assert bool(dig(web_lab.client, web_lab.resolver_ip, server, "AAAA").answers) == has_aaaa


@pytest.mark.parametrize(
    ("server", "zone", "answers"),
    [
        (HOSTS["ns1"].ipv6, "web.test", True),
        (HOSTS["ns3"].ipv4, "ns6.test", True),
        (HOSTS["ns3"].ipv6, "ns6.test", True),
        (HOSTS["ns4"].ipv4, "nsdead6.test", True),
        (HOSTS["ns4"].ipv6, "nsdead6.test", False),  # AAAA published, nothing answers
    ],
)
def test_name_servers_answer_over_the_families_specified(
    web_lab: WebLab, server: str, zone: str, answers: bool
) -> None:
    result = dig(web_lab.client, str(server), zone, "SOA", wait=1)
    assert (result.status == "NOERROR") is answers, result


def test_the_resolver_answers_over_ipv6_too(web_lab: WebLab) -> None:
    result = dig(web_lab.client, web_lab.resolver_ip6, "www.v6only.web.test", "AAAA")
    assert result.answers == [("AAAA", WEB6)]
    assert result.server.startswith(f"{web_lab.resolver_ip6}#53")


# --- web servers ------------------------------------------------------------------------------


@pytest.mark.parametrize("address", [WEB4, WEB6])
@pytest.mark.parametrize("name", ["dual.web.test", "www.dual.web.test"])
def test_dual_serves_the_good_configuration_over_both_families(
    web_lab: WebLab, name: str, address: str
) -> None:
    plain = curl(web_lab, f"http://{name}/", address)
    assert status(plain.stdout) == 301
    assert header(plain.stdout, "Location") == [f"https://{name}/"]
    secure = curl(web_lab, f"https://{name}/", address)
    assert secure.returncode == 0, secure.stderr
    assert status(secure.stdout) == 200
    for header_name, value in GOOD_HEADERS.items():
        assert header(secure.stdout, header_name) == [value]
    assert f"<title>{name.removeprefix('www.')}</title>" in secure.stdout


def test_split_serves_different_pages_over_ipv4_and_ipv6(web_lab: WebLab) -> None:
    over4 = curl(web_lab, "https://split.web.test/", WEB4).stdout
    over6 = curl(web_lab, "https://split.web.test/", str(WEB6ALT)).stdout
    assert "<title>split.web.test over IPv4</title>" in over4
    assert "<title>split.web.test over IPv6</title>" in over6


@pytest.mark.parametrize(
    ("name", "http_status", "location", "hsts"),
    [
        ("nohsts.web.test", 200, [], []),
        ("shorthsts.web.test", 301, ["https://shorthsts.web.test/"], ["max-age=86400"]),
        ("badredirect.web.test", 301, ["https://www.dual.web.test/"], [GOOD_HEADERS[
            "Strict-Transport-Security"]]),
    ],
)  # fmt: skip
def test_names_with_flaws(
    web_lab: WebLab, name: str, http_status: int, location: list[str], hsts: list[str]
) -> None:
    plain = curl(web_lab, f"http://{name}/", WEB6)
    assert (status(plain.stdout), header(plain.stdout, "Location")) == (http_status, location)
    secure = curl(web_lab, f"https://{name}/", WEB4)
    assert header(secure.stdout, "Strict-Transport-Security") == hsts


def test_nohsts_sends_no_security_headers(web_lab: WebLab) -> None:
    secure = curl(web_lab, "https://nohsts.web.test/", WEB6).stdout
    assert all(header(secure, name) == [] for name in GOOD_HEADERS)


def test_badcert_has_a_certificate_for_another_name(web_lab: WebLab) -> None:
    done = curl(web_lab, "https://badcert.web.test/", WEB4)
    assert done.returncode != 0
    assert "badcert.web.test" in done.stderr  # curl: no alternative certificate subject name


def test_the_lab_certificate_covers_every_web_name(web_lab: WebLab) -> None:
    cert = web_lab.ca_file.parent / "web.pem"
    done = web_lab.client.run(
        ["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", str(cert)]
    )
    names = set(re.findall(r"DNS:([^,\s]+)", done.stdout))
    assert names == set(every_web_name())


def test_deadv6_times_out_and_refusedv6_is_refused(web_lab: WebLab) -> None:
    started = time.monotonic()
    dead = curl(web_lab, "https://deadv6.web.test/", DEAD6, "--connect-timeout", "2")
    assert dead.returncode == CURL_TIMEOUT, dead.stderr
    assert time.monotonic() - started >= 1.9  # the packets vanished: no quick error
    refused = curl(web_lab, "https://refusedv6.web.test/", str(HOSTS["closed"].ipv6))
    assert refused.returncode == CURL_CONNECT_FAILED
    assert connect_error(web_lab.client, str(HOSTS["closed"].ipv6), 443) == "ConnectionRefusedError"
    over4 = curl(web_lab, "https://deadv6.web.test/", WEB4)
    assert status(over4.stdout) == 200


@pytest.mark.parametrize("port", [25, 80, 443])
@pytest.mark.parametrize("address", [HOSTS["closed"].ipv4, HOSTS["closed"].ipv6])
def test_closed_refuses_every_port(web_lab: WebLab, address: str, port: int) -> None:
    assert connect_error(web_lab.client, address, port) == "ConnectionRefusedError"


# --- the hostile server -----------------------------------------------------------------------


@pytest.mark.parametrize("address", [HOSTILE4, HOSTILE6])
def test_loop_and_tohttp_redirects(web_lab: WebLab, address: str) -> None:
    loop = [curl(web_lab, url, str(address)).stdout for url in
            ("http://loop.web.test/", "https://loop.web.test/")]  # fmt: skip
    assert [header(text, "Location") for text in loop] == [
        ["https://loop.web.test/"],
        ["http://loop.web.test/"],
    ]
    urls = ("http://tohttp.web.test/", "https://tohttp.web.test/", "http://tohttp.web.test/plain")
    chain = [curl(web_lab, url, str(address)).stdout for url in urls]
    assert [status(text) for text in chain] == [301, 301, 200]
    assert header(chain[1], "Location") == ["http://tohttp.web.test/plain"]


def test_chain_never_ends(web_lab: WebLab) -> None:
    hop = curl(web_lab, "https://chain.web.test/hop/41", str(HOSTILE6)).stdout
    assert header(hop, "Location") == ["/hop/42"]


def test_bigbody_announces_50_mb(web_lab: WebLab) -> None:
    # --max-filesize: curl reads the announced length and stops before any body
    done = curl(web_lab, "https://bigbody.web.test/", str(HOSTILE4), "--max-filesize", "1000")
    assert header(done.stdout, "Content-Length") == [str(50 * 1024 * 1024)]


def _read_raw(web_lab: WebLab, address: str, name: str, limit: int, seconds: float) -> bytes:
    """Send one HTTPS request from the client and read up to `limit` bytes for `seconds`."""
    script = f"""
import socket, ssl, sys, time
context = ssl.create_default_context(cafile={str(web_lab.ca_file)!r})
raw = socket.create_connection(({address!r}, 443), timeout=5)
stream = context.wrap_socket(raw, server_hostname={name!r})
stream.sendall(b"GET / HTTP/1.1\\r\\nHost: {name}\\r\\n\\r\\n")
received, deadline = b"", time.monotonic() + {seconds}
while len(received) < {limit} and time.monotonic() < deadline:
    stream.settimeout(max(0.01, deadline - time.monotonic()))
    try:
        chunk = stream.recv(65536)
    except (TimeoutError, socket.timeout):
        break
    if not chunk:
        break
    received += chunk
sys.stdout.buffer.write(received)
"""
    done = web_lab.client.run([sys.executable, "-c", script], timeout=seconds + 10, text=False)
    assert done.returncode == 0, done.stderr
    return bytes(done.stdout)


def test_drip_sends_one_byte_a_second(web_lab: WebLab) -> None:
    received = _read_raw(web_lab, str(HOSTILE6), "drip.web.test", 1000, 2.5)
    assert received.startswith(b"HTT")
    assert 2 <= len(received) <= 4


def test_bigheaders_sends_a_megabyte_of_headers(web_lab: WebLab) -> None:
    received = _read_raw(web_lab, str(HOSTILE4), "bigheaders.web.test", 2_000_000, 10)
    head, _, body = received.partition(b"\r\n\r\n")
    assert len(head) >= 1_000_000
    assert body == b"ok\n"


# --- mail -------------------------------------------------------------------------------------


def _smtp(web_lab: WebLab, address: str) -> str:
    """Banner, last EHLO line and QUIT reply from an SMTP listener, or why it failed."""
    script = f"""
import socket
with socket.create_connection(({address!r}, 25), timeout=5) as s:
    f = s.makefile("rwb")
    banner = f.readline()
    f.write(b"EHLO client.web.test\\r\\n"); f.flush()
    ehlo = [f.readline()]
    while ehlo[-1][3:4] == b"-":
        ehlo.append(f.readline())
    f.write(b"QUIT\\r\\n"); f.flush()
    print((banner + ehlo[-1] + f.readline()).decode(), end="")
"""
    done = web_lab.run_in_client([sys.executable, "-c", script], timeout=15)
    return done.stdout if done.returncode == 0 else f"failed: {done.stderr}"


@pytest.mark.parametrize(
    ("host", "address"),
    [("mail", HOSTS["mail"].ipv4), ("mail", HOSTS["mail"].ipv6), ("mail4", HOSTS["mail4"].ipv4)],
)
def test_smtp_listeners_greet_answer_ehlo_and_quit(
    web_lab: WebLab, host: str, address: str
) -> None:
    lines = _smtp(web_lab, str(address)).splitlines()
    assert lines[0] == f"220 {SMTP_BANNERS[host]}"
    assert lines[1].startswith("250 ")
    assert lines[2].startswith("221 ")


def test_mail4_refuses_ipv6(web_lab: WebLab) -> None:
    assert "ConnectionRefusedError" in _smtp(web_lab, str(HOSTS["mail4"].ipv6))


# --- hosts ------------------------------------------------------------------------------------


def test_client4_has_no_ipv6_at_all(web_lab: WebLab) -> None:
    assert ip_json(web_lab.client4, "-6", "addr", "show") == []
    assert ip_json(web_lab.client4, "-6", "route", "show") == []
    done = curl(web_lab, "https://dual.web.test/", WEB4, host=web_lab.client4)
    assert status(done.stdout) == 200


@pytest.mark.parametrize("host_name", sorted(HOSTS))
def test_hosts_have_only_lab_routes(web_lab: WebLab, host_name: str) -> None:
    host = web_lab.hosts[host_name]
    routes = {route["dst"] for route in ip_json(host, "route", "show")}
    routes |= {route["dst"] for route in ip_json(host, "-6", "route", "show")}
    expected = {"198.18.1.0/24"} if host.ipv4 else set()
    if host is not web_lab.client4:  # the only host with IPv6 switched off
        expected.add("fe80::/64")
    if host.ipv6:
        expected.add("2001:db8:1::/64")
    assert routes == expected


def test_servers_run_under_the_pids_the_lab_holds(web_lab: WebLab) -> None:
    commands = {
        name: Path(f"/proc/{server.process.pid}/comm").read_text().strip()
        for name, server in web_lab.servers.items()
    }
    assert commands == {
        "ns1": "named", "ns2": "named", "ns3": "named", "ns4": "named",
        "resolver": "unbound", "web": "nginx", "web6alt": "nginx",
        "hostile": Path(sys.executable).name[:15], "mail": Path(sys.executable).name[:15],
        "mail4": Path(sys.executable).name[:15],
    }  # fmt: skip
