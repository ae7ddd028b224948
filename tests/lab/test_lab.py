"""Tests of the lab itself: if the lab is wrong, every scanner test built on it means nothing."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import netlab
from .netlab import LAB_NET4, LAB_NET6, Lab, LabError, LabHost
from .topology import DnsLab
from .zones import MAIL4, MAIL6, V4ONLY4, V6ONLY6, WEB4, WEB6

# --- helpers --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigResult:
    status: str
    answers: list[tuple[str, str]]  # (type, data) in the answer section
    server: str  # ";; SERVER:" line: which address and transport really answered
    seconds: float


def dig(host: LabHost, server: str, name: str, rtype: str = "A", *, wait: int = 2) -> DigResult:
    """Ask `server` one question from inside `host`: one try, `wait` seconds at most."""
    argv = ["dig", f"@{server}", "+tries=1", f"+time={wait}", "+noall", "+comments", "+answer"]
    argv += ["+stats", name, rtype]
    started = time.monotonic()
    done = host.run(argv, timeout=wait + 5)
    seconds = time.monotonic() - started
    status = re.search(r"status: (\w+)", done.stdout)
    lines = [line.split() for line in done.stdout.splitlines() if line and line[0] != ";"]
    server_line = re.search(r"^;; SERVER: (.*)$", done.stdout, re.MULTILINE)
    return DigResult(
        status=status.group(1) if status else f"no answer: {done.stdout}{done.stderr}",
        answers=[(fields[3], " ".join(fields[4:])) for fields in lines],
        server=server_line.group(1) if server_line else "",
        seconds=seconds,
    )


def ip_json(host: LabHost, *args: str) -> list[dict[str, str]]:
    done = host.run(["ip", "-j", *args], check=True)
    return list(json.loads(done.stdout))


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for its reaper does not count)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return not re.search(r"^State:\s+Z", status, re.MULTILINE)


def start_and_read_line(host: LabHost, script: str) -> tuple[subprocess.Popen[str], str]:
    """Start a Python `script` in `host` and wait for the first line it prints (its "ready")."""
    process = host.popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


# --- the DNS lab ----------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["resolver_ip", "resolver_ip6"])
@pytest.mark.parametrize(("rtype", "address"), [("A", WEB4), ("AAAA", WEB6)])
def test_client_resolves_www_through_the_lab_resolver(
    dns_lab: DnsLab, transport: str, rtype: str, address: str
) -> None:
    # Given the lab resolver, reached over IPv4 or over IPv6
    resolver = getattr(dns_lab, transport)
    # When the client asks it for www.example.test
    result = dig(dns_lab.client, resolver, "www.example.test", rtype)
    # Then the answer comes from the lab zone, over the transport asked for
    assert result.status == "NOERROR"
    assert result.answers == [(rtype, address)]
    assert result.server.startswith(f"{resolver}#53")


@pytest.mark.parametrize(
    ("name", "rtype", "answers"),
    [
        ("v4only.example.test", "A", [("A", V4ONLY4)]),
        ("v4only.example.test", "AAAA", []),
        ("v6only.example.test", "AAAA", [("AAAA", V6ONLY6)]),
        ("v6only.example.test", "A", []),
        ("mail.example.test", "AAAA", [("AAAA", MAIL6)]),
        ("mail.example.test", "A", [("A", MAIL4)]),
        ("example.test", "MX", [("MX", "10 mail.example.test.")]),
        ("example.test", "AAAA", [("AAAA", WEB6)]),
        ("nomail.example.test", "MX", []),
        ("alias.example.test", "A", [("CNAME", "www.example.test."), ("A", WEB4)]),
        ("host-4711.bulk.example.test", "A", [("A", WEB4)]),
        ("example.test", "NS", [("NS", "ns1.example.test."), ("NS", "ns2.example.test.")]),
    ],
)
def test_example_zone_data(
    dns_lab: DnsLab, name: str, rtype: str, answers: list[tuple[str, str]]
) -> None:
    result = dig(dns_lab.client, dns_lab.resolver_ip, name, rtype)
    # An empty answer must be NODATA (NOERROR), not NXDOMAIN: the name exists.
    assert (result.status, sorted(result.answers)) == ("NOERROR", sorted(answers))


@pytest.mark.parametrize("name", ["nosuchname.example.test", "nosuchtld", "a.b.test"])
def test_unknown_names_are_nxdomain(dns_lab: DnsLab, name: str) -> None:
    assert dig(dns_lab.client, dns_lab.resolver_ip, name).status == "NXDOMAIN"


def test_dead_delegation_gives_servfail_in_bounded_time(dns_lab: DnsLab) -> None:
    # Given dead.test delegated to an address where nothing listens
    # When the client asks for a name in it, allowing the resolver up to 10 seconds
    result = dig(dns_lab.client, dns_lab.resolver_ip6, "x.dead.test", wait=10)
    # Then the resolver gives up by itself, well before the client would
    assert result.status == "SERVFAIL"
    assert result.seconds < 6


def test_root_refers_test_to_ns2(dns_lab: DnsLab) -> None:
    # A real referral between servers, which the DNSSEC tests will walk.
    ns1 = dns_lab.hosts["ns1"]
    argv = ["dig", f"@{ns1.ipv4}", "+norec", "+tries=1", "+time=2", "test.", "SOA"]
    done = dns_lab.client.run(argv)
    assert "status: NOERROR" in done.stdout
    assert re.search(r"flags: qr;.* ANSWER: 0,", done.stdout)  # not authoritative, no answer
    assert re.search(r"^test\.\s+\d+\s+IN\s+NS\s+ns2\.test\.$", done.stdout, re.MULTILINE)


def test_servers_run_under_the_pids_the_lab_holds(dns_lab: DnsLab) -> None:
    # Cleanup signals these PIDs; a wrapper process in between would leave the daemon running.
    commands = {
        name: Path(f"/proc/{server.process.pid}/comm").read_text().strip()
        for name, server in dns_lab.servers.items()
    }
    assert commands == {"ns1": "named", "ns2": "named", "resolver": "unbound"}


@pytest.mark.parametrize("host_name", ["client", "resolver", "ns1", "ns2"])
def test_hosts_have_only_lab_routes(dns_lab: DnsLab, host_name: str) -> None:
    host = dns_lab.hosts[host_name]
    routes4 = [route["dst"] for route in ip_json(host, "-4", "route", "show")]
    routes6 = [route["dst"] for route in ip_json(host, "-6", "route", "show")]
    assert routes4 == ["198.18.0.0/24"]
    assert sorted(routes6) == ["2001:db8::/64", "fe80::/64"]


@pytest.mark.parametrize("destination", ["8.8.8.8", "2001:4860:4860::8888", "192.0.2.2"])
def test_client_cannot_route_outside_the_lab(dns_lab: DnsLab, destination: str) -> None:
    # `ip route get` only looks up the routing table; it sends nothing.
    done = dns_lab.client.run(["ip", "route", "get", destination])
    assert done.returncode != 0
    assert "unreachable" in done.stderr


def test_python_in_the_client_reaches_the_resolver(dns_lab: DnsLab) -> None:
    # The scanner runs as `sys.executable -m netready` in the client: the interpreter, the
    # environment (extended by env=) and the lab network must all be there.
    script = (
        "import importlib.util, os, dns.resolver\n"
        "assert importlib.util.find_spec('netready'), 'netready not importable'\n"
        "r = dns.resolver.Resolver(configure=False)\n"
        f"r.nameservers = [{dns_lab.resolver_ip6!r}]\n"
        "print(os.environ['NRL_MARK'], r.resolve('www.example.test', 'AAAA')[0])\n"
    )
    done = dns_lab.run_in_client([sys.executable, "-c", script], env={"NRL_MARK": "seen"})
    assert (done.returncode, done.stdout.split()) == (0, ["seen", WEB6]), done.stderr


def test_lab_addresses_are_in_the_lab_ranges(dns_lab: DnsLab) -> None:
    for host in dns_lab.hosts.values():
        assert ipaddress.ip_address(host.ipv4) in LAB_NET4
        assert ipaddress.ip_address(host.ipv6) in LAB_NET6


# --- Lab: cleanup ---------------------------------------------------------------------------


def _start_then_fail(lab: Lab, started: list[subprocess.Popen[bytes]]) -> None:
    host = lab.add_host("a", ipv4="198.18.1.1", ipv6="2001:db8:1::1")
    started.append(host.popen(["sleep", "300"]))
    # leftovers() does see a live lab, so the caller's final assertion can fail
    assert len(lab.leftovers()) == 4  # switch, host, process, temp dir
    raise RuntimeError("boom")


@pytest.mark.usefixtures("lab_prerequisites")
def test_lab_closed_after_an_exception_leaves_nothing() -> None:
    # Given a lab with a host and a started process, When the test body fails
    lab = Lab()
    started: list[subprocess.Popen[bytes]] = []
    with pytest.raises(RuntimeError, match="boom"), lab:
        _start_then_fail(lab, started)
    # Then namespaces, process and temp dir are gone
    assert lab.leftovers() == []
    (sleeper,) = started
    assert sleeper.returncode is not None
    assert not alive(sleeper.pid)
    assert not lab.tmpdir.exists()


@pytest.mark.usefixtures("lab_prerequisites")
def test_lab_kills_a_process_that_ignores_sigterm() -> None:
    with Lab(grace=0.2) as lab:
        host = lab.add_host("a", ipv4="198.18.1.1")
        script = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        stubborn, ready = start_and_read_line(
            host, script + "print('ready', flush=True)\n" + "time.sleep(300)"
        )
        assert ready == "ready"
    assert stubborn.returncode == -9
    assert lab.leftovers() == []


@pytest.mark.usefixtures("lab_prerequisites")
def test_lab_kills_orphans_left_in_its_namespaces() -> None:
    # A shell whose background child outlives it once the lab SIGTERMs the shell.
    with Lab(grace=1) as lab:
        host = lab.add_host("a", ipv4="198.18.1.1")
        script = (
            "import subprocess\n"
            "child = subprocess.Popen(['sleep', '300'])\n"
            "print(child.pid, flush=True)\n"
            "child.wait()\n"
        )
        _, orphan = start_and_read_line(host, script)
        assert alive(int(orphan))
    assert not alive(int(orphan))
    assert lab.leftovers() == []


@pytest.mark.usefixtures("lab_prerequisites")
def test_half_built_lab_is_cleaned_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a setup step that fails after the host's namespace and veth exist
    real_run = netlab._run

    def failing_addr_add(argv: list[str], **kwargs: bool) -> subprocess.CompletedProcess[str]:
        if "addr" in argv:
            raise LabError("simulated failure")
        return real_run(argv, **kwargs)

    monkeypatch.setattr(netlab, "_run", failing_addr_add)
    lab = Lab()
    with pytest.raises(LabError, match="simulated"), lab:
        lab.add_host("a", ipv4="198.18.1.1")
    # Then closing it removes what was made
    assert lab.leftovers() == []


@pytest.mark.usefixtures("lab_prerequisites")
def test_close_is_idempotent() -> None:
    lab = Lab()
    with lab:
        lab.add_host("a", ipv4="198.18.1.1")
    lab.close()
    lab.close()
    assert lab.leftovers() == []
    with pytest.raises(LabError):
        lab.popen(["true"])


@pytest.mark.usefixtures("lab_prerequisites")
def test_wait_for_port_sees_listeners_only_in_its_namespace() -> None:
    with Lab() as lab:
        server = lab.add_host("srv", ipv4="198.18.1.1", ipv6="2001:db8:1::1")
        other = lab.add_host("other", ipv4="198.18.1.2", ipv6="2001:db8:1::2")
        script = (
            "import socket, time\n"
            "t = socket.create_server(('198.18.1.1', 8080))\n"
            "u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n"
            "u.bind(('2001:db8:1::1', 5353))\n"
            "time.sleep(300)\n"
        )
        server.popen([sys.executable, "-c", script])
        server.wait_for_port(8080)
        server.wait_for_port(5353, proto="udp", family=6)
        assert not other.is_listening(8080)
        with pytest.raises(LabError, match="tcp/8081"):
            server.wait_for_port(8081, timeout=0.3)


@pytest.mark.parametrize(
    ("ipv4", "ipv6", "prefixlen4"),
    [
        ("192.0.2.1", None, 24),
        ("10.0.0.1", None, 24),
        ("198.18.0.1", None, 14),  # the subnet (and its route) would leave the lab range
        (None, "2001:db9::1", 24),
        (None, "fd00::1", 24),
        ("2001:db8::1", None, 24),
    ],
)
def test_add_host_refuses_addresses_outside_the_lab(
    ipv4: str | None, ipv6: str | None, prefixlen4: int
) -> None:
    # Checked before anything is created, so this needs no root.
    with pytest.raises(ValueError, match="outside the lab range"):
        Lab().add_host("a", ipv4=ipv4, ipv6=ipv6, prefixlen4=prefixlen4)


def test_lab_prefix_is_unique_per_lab() -> None:
    first, second = Lab(), Lab()
    assert first.prefix != second.prefix
    assert first.prefix.startswith(f"nrl{os.getpid()}x")
