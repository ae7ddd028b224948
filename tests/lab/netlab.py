"""Network namespaces for lab tests: one switch, hosts plugged into it, processes tracked by PID.

A `Lab` owns everything it creates, under one prefix that is unique per test run
(``nrl<pid>x<n>``): the namespaces ``<prefix>-switch`` and ``<prefix>-<host>``, a temporary
directory for configs and logs, and every process started through `LabHost.popen`.
`Lab.close` removes all of it and is safe to call at any point, any number of times.

Safety rules this module enforces or follows (see README.md):

* addresses only from 198.18.0.0/15 and 2001:db8::/32 (checked in `Lab.add_host`);
* nothing is created in, or changed in, the root network namespace: veth pairs are created inside
  the switch namespace and their far end is moved straight into the host namespace; so are the
  TAP devices of a delayed host (``add_host(..., delay_ms=...)``, see delay.py);
* hosts get only connected routes, never a default route;
* processes are ended by PID, never by name.
"""

from __future__ import annotations

import atexit
import contextlib
import ipaddress
import itertools
import json
import math
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from . import delay

LAB_NET4 = ipaddress.IPv4Network("198.18.0.0/15")
LAB_NET6 = ipaddress.IPv6Network("2001:db8::/32")

#: Every command run for the lab gets a timeout; this is the default (seconds).
COMMAND_TIMEOUT = 30.0
#: How long a started process gets between SIGTERM and SIGKILL (seconds).
DEFAULT_GRACE = 3.0
#: How long a delay line may take to create its TAP devices, or to report its counters (s).
DELAY_LINE_TIMEOUT = 10.0

# Run by path, with -I: the program needs nothing from sys.path, and nothing there can break it.
_DELAY_PROGRAM = Path(delay.__file__)

# Programs may live in sbin directories that a non-login root shell leaves off PATH.
_SEARCH_PATH = os.pathsep.join(
    [os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin", "/sbin"]
)
_HOST_NAME = re.compile(r"[a-z][a-z0-9]{0,15}")
_lab_numbers = itertools.count()


class LabError(RuntimeError):
    """The lab could not be built or a server in it did not come up."""


# What a cleanup step may raise without stopping the steps after it.
_CLEANUP_ERRORS = (LabError, OSError, subprocess.SubprocessError)


def program(name: str) -> str:
    """Absolute path of an installed program; `LabError` if it is missing."""
    path = shutil.which(name, path=_SEARCH_PATH)
    if path is None:
        raise LabError(f"{name} is not installed (searched {_SEARCH_PATH})")
    return path


def missing_prerequisites(programs: Iterable[str] = ()) -> list[str]:
    """What this machine lacks to run a lab with `programs`; empty when all is there."""
    if sys.platform != "linux":
        return [f"Linux network namespaces (this is {sys.platform})"]
    missing = []
    if os.geteuid() != 0:
        missing.append(f"root (running as uid {os.geteuid()})")
    for name in ("ip", "ss", "sysctl", *programs):
        if shutil.which(name, path=_SEARCH_PATH) is None:
            missing.append(f"{name} (not installed)")
    return missing


def poll_until(
    ready: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.05
) -> None:
    """Call `ready` until it returns True; `LabError` naming `what` after `timeout` seconds.

    Only for waiting on servers that give no other signal that they are up; the loop is
    bounded and short, so a server that never comes up fails fast with a clear message.
    """
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() >= deadline:
            raise LabError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


def _run(argv: Sequence[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a lab management command (ip, sysctl) with a timeout; stderr in the error."""
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
    )
    if check and done.returncode != 0:
        raise LabError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return done


def _lab_address(
    text: str, prefixlen: int, lab_net: ipaddress.IPv4Network | ipaddress.IPv6Network
) -> str:
    """`text/prefixlen` if the whole subnet lies inside `lab_net`, else `ValueError`."""
    iface = ipaddress.ip_interface(f"{text}/{prefixlen}")
    # Both ends of the subnet inside the lab range: the connected route stays in the lab too.
    if iface.network[0] not in lab_net or iface.network[-1] not in lab_net:
        raise ValueError(f"{iface} is outside the lab range {lab_net}")
    return str(iface)


class DelayLineProcess:
    """The delay-line process (delay.py) between a delayed host's ``eth0`` and the switch.

    It runs in the switch namespace under a PID the lab tracks, so `Lab.close` ends it like
    any server; its TAP devices, the host's ``eth0`` among them, vanish with it. Its stderr,
    with the final counters, goes to `log`.
    """

    def __init__(self, process: subprocess.Popen[bytes], delay_ms: float, log: Path) -> None:
        self.process = process
        self.delay_ms = delay_ms
        self.log = log
        self._pending = b""  # read from stdout, not yet a whole line

    def __repr__(self) -> str:
        return f"DelayLineProcess(pid={self.process.pid}, delay_ms={self.delay_ms!r})"

    def stats(self, timeout: float = DELAY_LINE_TIMEOUT) -> dict[str, Any]:
        """The counters so far, for the directions ``to_host`` and ``from_host``.

        Each has ``forwarded``, ``forwarded_bytes``, ``dropped_full`` (queue at its cap),
        ``dropped_write``, ``max_queued`` and ``queued``; ``delay_ms`` is the one-way delay.
        """
        self.process.send_signal(signal.SIGUSR1)  # answered with one JSON line on stdout
        stats: dict[str, Any] = json.loads(self.read_line(timeout, "its counters"))
        # The line's side a is the switch port, side b the host's eth0 (see _start_delay_line).
        names = {"a_to_b": "to_host", "b_to_a": "from_host"}
        return {names.get(key, key): value for key, value in stats.items()}

    def read_line(self, timeout: float, what: str) -> str:
        """The next line the delay line prints; `LabError` if none comes within `timeout`."""
        stdout = self.process.stdout
        if stdout is None:
            raise LabError("the delay line's stdout is not a pipe")
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while b"\n" not in self._pending:
                if not selector.select(max(0.0, deadline - time.monotonic())):
                    raise LabError(f"timed out after {timeout:g}s waiting for {what}")
                # os.read, not stdout.readline: it returns what is there instead of blocking.
                chunk = os.read(stdout.fileno(), 4096)
                if not chunk:
                    raise LabError(
                        f"the delay line exited ({self.process.wait(timeout=5)}) before "
                        f"{what}: {self.log.read_text(errors='replace')[-2000:]}"
                    )
                self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line.decode()


class LabHost:
    """One network namespace with ``lo`` and an ``eth0`` plugged into the lab switch."""

    def __init__(
        self, lab: Lab, name: str, namespace: str, ipv4: str | None, ipv6: str | None
    ) -> None:
        self.lab = lab
        self.name = name
        self.namespace = namespace
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        #: Set for a host added with ``delay_ms > 0``: what joins its ``eth0`` to the switch.
        self.delay_line: DelayLineProcess | None = None

    def __repr__(self) -> str:
        return f"LabHost({self.name!r}, ipv4={self.ipv4!r}, ipv6={self.ipv6!r})"

    def exec_argv(self, argv: Sequence[str]) -> list[str]:
        """`argv` wrapped so that it runs inside this host's namespace.

        ``ip netns exec`` execs the program itself, so a Popen's PID is the program's PID.
        """
        return [program("ip"), "netns", "exec", self.namespace, *argv]

    def run(self, argv: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
        """`subprocess.run` inside the namespace; text output captured unless told otherwise.

        A timeout is mandatory (default `COMMAND_TIMEOUT`): a hung lab command must fail the
        test, not hang it. On timeout `subprocess.run` kills the program itself.
        """
        kwargs.setdefault("timeout", COMMAND_TIMEOUT)
        if kwargs["timeout"] is None:
            raise ValueError("lab commands always need a timeout")
        if not {"stdout", "stderr", "capture_output"} & kwargs.keys():
            kwargs["capture_output"] = True
        kwargs.setdefault("text", True)
        if "input" not in kwargs:
            kwargs.setdefault("stdin", subprocess.DEVNULL)
        return subprocess.run(self.exec_argv(argv), **kwargs)

    def popen(self, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
        """Start `argv` in the namespace; the lab ends it (by PID) when it closes."""
        return self.lab.popen(self.exec_argv(argv), **kwargs)

    def is_listening(self, port: int, proto: str = "tcp", family: int = 4) -> bool:
        """Whether a socket in this namespace listens on (tcp) or is bound to (udp) `port`."""
        if proto not in ("tcp", "udp") or family not in (4, 6):
            raise ValueError(f"unsupported proto/family: {proto!r}/{family!r}")
        ss = [program("ss"), "-H", "-l", "-n", f"--{proto}", f"-{family}", "sport", "=", f":{port}"]
        done = self.run(ss, timeout=5)
        return done.returncode == 0 and bool(done.stdout.strip())

    def wait_for_port(
        self, port: int, proto: str = "tcp", family: int = 4, timeout: float = 10.0
    ) -> None:
        """Wait until something in this namespace listens on `port` (see `is_listening`)."""
        poll_until(
            lambda: self.is_listening(port, proto, family),
            timeout=timeout,
            what=f"{proto}/{port} (IPv{family}) to listen in {self.namespace}",
        )


class Lab:
    """A set of namespaces on one Linux bridge, with everything started in them.

    Use as a context manager, or call `start` and make sure `close` runs. The bridge lives in
    its own namespace (``<prefix>-switch``) so the root namespace never sees a lab interface.
    """

    def __init__(self, *, grace: float = DEFAULT_GRACE) -> None:
        self.prefix = f"nrl{os.getpid()}x{next(_lab_numbers)}"
        self.grace = grace
        self.hosts: dict[str, LabHost] = {}
        self._switch = f"{self.prefix}-switch"
        self._processes: list[subprocess.Popen[Any]] = []
        self._tmpdir: Path | None = None
        self._ports = itertools.count()
        self._closed = False

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            # __exit__ does not run when __enter__ fails, so clean up the half-built lab here.
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def tmpdir(self) -> Path:
        """The lab's directory for configs, zone files and logs (removed by `close`)."""
        if self._tmpdir is None:
            raise LabError("the lab has not been started")
        return self._tmpdir

    def start(self) -> None:
        """Create the temp directory and the switch (a bridge in its own namespace)."""
        if self._closed or self._tmpdir is not None:
            raise LabError("a Lab can be started only once")
        # Registered first, so even an interpreter exit mid-setup removes what exists.
        atexit.register(self.close)
        self._tmpdir = Path(tempfile.mkdtemp(prefix=f"{self.prefix}-"))
        ip = program("ip")
        _run([ip, "netns", "add", self._switch])
        # The switch needs no IPv6 of its own; this keeps its link-local chatter off the wire.
        self._sysctl(self._switch, "net.ipv6.conf.all.disable_ipv6=1")
        self._sysctl(self._switch, "net.ipv6.conf.default.disable_ipv6=1")
        # No STP delay and no multicast snooping: a dumb switch that forwards at once and
        # floods neighbour discovery, so nothing depends on MLD timing.
        _run([ip, "-n", self._switch, "link", "add", "br0", "type", "bridge",
              "forward_delay", "0", "stp_state", "0", "mcast_snooping", "0"])  # fmt: skip
        _run([ip, "-n", self._switch, "link", "set", "br0", "up"])

    def add_host(
        self,
        name: str,
        *,
        ipv4: str | None = None,
        ipv6: str | None = None,
        prefixlen4: int = 24,
        prefixlen6: int = 64,
        delay_ms: float = 0.0,
    ) -> LabHost:
        """Create namespace ``<prefix>-<name>`` with ``eth0`` on the switch and the addresses.

        The host gets only the routes the kernel adds for its connected subnets; IPv6 skips
        duplicate address detection (``nodad``, ``accept_dad=0``) so addresses work at once,
        and ignores router advertisements (``accept_ra=0``).

        With `delay_ms` > 0, ``eth0`` is a TAP device joined to its switch port by a delay
        line (delay.py) that holds every frame `delay_ms` in each direction: the round trip
        to any other lab host takes ``2 * delay_ms`` more. See `LabHost.delay_line`.
        """
        if not _HOST_NAME.fullmatch(name) or name == "switch":
            raise ValueError(f"bad lab host name {name!r}")
        if name in self.hosts:
            raise ValueError(f"lab host {name!r} exists already")
        if not (math.isfinite(delay_ms) and delay_ms >= 0):
            raise ValueError(f"delay_ms must be a finite number >= 0, not {delay_ms!r}")
        addr4 = _lab_address(ipv4, prefixlen4, LAB_NET4) if ipv4 else None
        addr6 = _lab_address(ipv6, prefixlen6, LAB_NET6) if ipv6 else None
        namespace = f"{self.prefix}-{name}"
        port = f"p{next(self._ports)}"
        ip = program("ip")
        _run([ip, "netns", "add", namespace])
        _run([ip, "-n", namespace, "link", "set", "lo", "up"])
        delay_line = None
        if delay_ms > 0:
            delay_line = self._start_delay_line(name, namespace, port, delay_ms)
        else:
            # Created inside the switch namespace, far end moved straight into the host: the
            # pair never exists in the root namespace, and "eth0" cannot clash with the host's.
            _run([ip, "-n", self._switch, "link", "add", port, "type", "veth",
                  "peer", "name", "eth0", "netns", namespace])  # fmt: skip
        _run([ip, "-n", self._switch, "link", "set", port, "master", "br0", "up"])
        for key in ("accept_ra=0", "accept_dad=0", "autoconf=0"):
            self._sysctl(namespace, f"net.ipv6.conf.eth0.{key}")
        if addr4:
            _run([ip, "-n", namespace, "addr", "add", addr4, "dev", "eth0"])
        if addr6:
            _run([ip, "-n", namespace, "-6", "addr", "add", addr6, "dev", "eth0", "nodad"])
        _run([ip, "-n", namespace, "link", "set", "eth0", "up"])
        host = LabHost(self, name, namespace, ipv4, ipv6)
        host.delay_line = delay_line
        self.hosts[name] = host
        return host

    def popen(self, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
        """`subprocess.Popen`, remembered so that `close` ends it. Prefer `LabHost.popen`."""
        if self._closed:
            raise LabError("the lab is closed")
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        process = subprocess.Popen(argv, **kwargs)
        self._processes.append(process)
        return process

    def close(self) -> None:
        """End started processes, delete the lab's namespaces and temp directory.

        Idempotent and safe after a half-finished setup: namespaces are found by prefix, not
        from a list of what was created. Never raises for a cleanup step that fails; the
        next steps still run and `leftovers` reports what remains.
        """
        self._closed = True
        atexit.unregister(self.close)
        self._stop_processes()
        with contextlib.suppress(*_CLEANUP_ERRORS):
            for namespace in self._namespaces():
                with contextlib.suppress(*_CLEANUP_ERRORS):
                    self._kill_stragglers(namespace)
                    _run([program("ip"), "netns", "delete", namespace], check=False)
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    def leftovers(self) -> list[str]:
        """Namespaces of this lab that still exist and started processes still alive."""
        try:
            found = [f"namespace {name}" for name in self._namespaces()]
        except _CLEANUP_ERRORS as error:
            found = [f"namespaces unknown: {error}"]
        found += [f"process {p.pid} {p.args!r}" for p in self._processes if p.poll() is None]
        if self._tmpdir is not None and self._tmpdir.exists():
            found.append(f"temp dir {self._tmpdir}")
        return found

    def _start_delay_line(
        self, name: str, namespace: str, port: str, delay_ms: float
    ) -> DelayLineProcess:
        """Start delay.py in the switch namespace between TAP devices `port` and ``<port>h``,
        then move ``<port>h`` into `namespace` as ``eth0``.

        The TAP devices are created by the delay line itself, in the switch namespace, so
        they never exist in the root namespace either; renamed while moving, ``eth0`` cannot
        clash with the switch's interfaces.
        """
        ip = program("ip")
        far_end = f"{port}h"
        log = self.tmpdir / f"delay-{name}.log"
        argv = [ip, "netns", "exec", self._switch, sys.executable, "-I", str(_DELAY_PROGRAM),
                "--delay-ms", repr(delay_ms), port, far_end]  # fmt: skip
        with log.open("wb") as stderr:  # the child keeps its own copy of the fd
            process = self.popen(argv, stdout=subprocess.PIPE, stderr=stderr, bufsize=0)
        line = DelayLineProcess(process, delay_ms, log)
        ready = line.read_line(DELAY_LINE_TIMEOUT, f"the delay line of {name} to start")
        if ready != delay.READY:
            raise LabError(f"the delay line of {name} printed {ready!r}, not {delay.READY!r}")
        _run([ip, "-n", self._switch, "link", "set", far_end, "netns", namespace, "name", "eth0"])
        return line

    def _sysctl(self, namespace: str, setting: str) -> None:
        # /proc/sys/net is per network namespace, so sysctl must run inside the namespace.
        _run([program("ip"), "netns", "exec", namespace, program("sysctl"), "-q", "-w", setting])

    def _namespaces(self) -> list[str]:
        """This lab's namespaces that exist now (found by prefix, so half-built ones too)."""
        done = _run([program("ip"), "netns", "list"])
        names = (line.split()[0] for line in done.stdout.splitlines() if line.strip())
        return [name for name in names if name.startswith(f"{self.prefix}-")]

    def _stop_processes(self) -> None:
        """SIGTERM every live started process, SIGKILL those still alive after the grace."""
        alive = [p for p in self._processes if p.poll() is None]
        for process in alive:
            process.terminate()
        deadline = time.monotonic() + self.grace
        for process in alive:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):  # leftovers() reports it
                    process.wait(timeout=5)
        for process in self._processes:
            # Unread pipes would otherwise surface later as ResourceWarnings (errors here).
            for stream in (process.stdin, process.stdout, process.stderr):
                if stream is not None:
                    stream.close()

    def _kill_stragglers(self, namespace: str) -> None:
        """SIGKILL processes still inside one of our namespaces, and wait until they are gone.

        Only descendants of processes this lab started can be in its namespaces (a daemon
        that forked, a child orphaned when its parent was killed), or a shell someone opened
        there by hand to debug the lab. A namespace with a live
        process survives `ip netns delete` unnamed, so this is what makes deletion final.
        """
        ip = program("ip")

        def pids() -> list[int]:
            done = _run([ip, "netns", "pids", namespace], check=False)
            return [int(pid) for pid in done.stdout.split()]

        for pid in pids():
            with contextlib.suppress(ProcessLookupError):  # exited meanwhile
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(LabError):  # the namespace stays; leftovers() reports it
            poll_until(lambda: not pids(), timeout=5, what=f"processes in {namespace} to exit")
