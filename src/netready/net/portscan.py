"""TCP connect probes of many ports, over IPv4 and IPv6 at once, at a bounded rate.

    scanner = PortScanner(rate=1000, timeout=1.5)
    answers = await scanner.scan("2001:db8::10", (22, 3389))  # {22: PortAnswer(...), ...}
    answers = await scanner.scan("fe80::1%eth0", (22,))       # link-local: give the scope

A connect probe is an ordinary `connect()`: the operating system sends a SYN (and repeats it
after about a second when nothing comes back). The answer is the port's state: a SYN-ACK is
`open` (the connection is closed again at once, nothing is sent on it), a RST is `closed`, no
answer within `timeout` is `filtered`, an ICMP "unreachable" is `unreachable`. No raw socket
is needed, so this works without administrator rights on every platform.

Pacing: every attempt has a moment on one schedule per scanner, `rate` attempts per second
(with a short burst allowance); a batch reserves the moments of all its attempts when it
starts, so attempts go out in the order they were asked for and never faster than the rate.
The scanner holds at most `max_in_flight` sockets at once, within the process's file
descriptor budget (it raises the soft limit when it may), and lowers the rate rather than make
attempts wait for a socket. Share one scanner per scan, so that `rate` is the rate of the
whole scan, not of each target.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import math
import socket
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from netready.net.errors import UNREACHABLE_ERRNOS

__all__ = [
    "PortAnswer",
    "PortScanner",
    "PortState",
    "RateLimiter",
    "connect_probe",
    "descriptor_budget",
    "open_ports",
    "socket_address",
]

# descriptors left for everything else the process does (database, DNS, TLS, ...)
_RESERVED_DESCRIPTORS = 128
_MAX_IN_FLIGHT_CEILING = 4096
_MIN_IN_FLIGHT = 16

# a local firewall that refuses to send gives EACCES or EPERM (Linux): no route either
_UNREACHABLE_ERRNOS = UNREACHABLE_ERRNOS | {errno.EACCES, errno.EPERM}


class PortState(StrEnum):
    OPEN = "open"  # the connection was accepted
    CLOSED = "closed"  # the host answered with a reset (or ICMP port unreachable)
    FILTERED = "filtered"  # no answer within the time limit
    UNREACHABLE = "unreachable"  # no route, or an ICMP unreachable other than "port"
    ERROR = "error"  # this machine could not make the attempt (out of sockets, ...)

    @property
    def answered(self) -> bool:
        """Whether the host itself said something (so it exists and is up)."""
        return self in (PortState.OPEN, PortState.CLOSED)


@dataclass(frozen=True, slots=True)
class PortAnswer:
    """The outcome of one connect probe.

    Attributes:
        address: the address probed, as given (a link-local one with its `%scope`).
        port: the TCP port.
        state: what the port said.
        elapsed: seconds from sending to the answer (the time limit for `filtered`).
        detail: the answer in words, for evidence.
    """

    address: str
    port: int
    state: PortState
    elapsed: float
    detail: str


def descriptor_budget(wanted: int) -> int:
    """How many sockets probes may hold at once: `wanted`, if the process may open that many.

    The soft limit on open files is raised (never above the hard limit) when it is too low
    for `wanted`; what is left after a reserve for everything else the process does is the
    budget. Windows has no such limit for sockets.
    """
    wanted = max(_MIN_IN_FLIGHT, min(wanted, _MAX_IN_FLIGHT_CEILING))
    try:
        import resource
    except ImportError:
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + _RESERVED_DESCRIPTORS
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(_MIN_IN_FLIGHT, min(wanted, soft - _RESERVED_DESCRIPTORS))


class RateLimiter:
    """At most `rate` events per second, in the order they ask, with a small burst.

    Each event is given the next free moment on a schedule (a virtual clock that advances
    `1 / rate` per event) when it asks, so events keep the order in which they asked, and a
    batch can reserve its moments before it starts. The schedule may lag behind the real
    clock by at most `burst` events: a quiet period buys a short burst, never a long one.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not rate > 0:
            raise ValueError(f"rate must be more than 0, not {rate}")
        self.rate = rate
        self.interval = 1.0 / rate
        # a twentieth of a second's worth: enough to start one host's probes together
        self.burst = burst if burst is not None else max(1, int(rate / 20))
        self._clock = clock
        self._sleep = sleep
        self._next = clock()

    def reserve(self, count: int = 1) -> list[float]:
        """The moments (on the clock) at which the next `count` events may happen."""
        first = max(self._next, self._clock() - (self.burst - 1) * self.interval)
        slots = [first + index * self.interval for index in range(count)]
        self._next = first + count * self.interval
        return slots

    async def wait_for(self, slot: float) -> None:
        """Sleep until `slot` (at once when it has passed)."""
        delay = slot - self._clock()
        if delay > 0:
            await self._sleep(delay)

    async def acquire(self) -> None:
        """Wait for this caller's turn."""
        await self.wait_for(self.reserve()[0])


class PortScanner:
    """Connect probes paced by one `RateLimiter`, holding a bounded number of sockets.

    The rate is lowered, if need be, so that the sockets open at once (each for at most
    `timeout`) stay within the descriptor budget: then no probe ever waits for a socket,
    and a batch's reserved moments are when it really runs.
    """

    def __init__(
        self,
        *,
        rate: float,
        timeout: float,
        max_in_flight: int | None = None,
    ) -> None:
        if not timeout > 0:
            raise ValueError(f"timeout must be more than 0 seconds, not {timeout}")
        self.timeout = timeout
        burst = max(1, int(rate / 20))
        wanted = math.ceil(rate * timeout) + burst
        self.max_in_flight = max_in_flight or descriptor_budget(wanted)
        self.rate = min(rate, max(1.0, (self.max_in_flight - burst) / timeout))
        self.limiter = RateLimiter(self.rate, burst=burst)
        self._sockets = asyncio.Semaphore(self.max_in_flight)
        self.attempts = 0

    def reserve(self, attempts: int) -> list[float]:
        """Reserve the moments of `attempts` probes now, behind everything asked so far."""
        return self.limiter.reserve(attempts)

    def worst_case_seconds(self, attempts_ahead: int) -> float:
        """How long a batch may take at most when no more than `attempts_ahead` attempts
        (its own included) can be on the schedule before its last one."""
        return attempts_ahead / self.rate + self.timeout + 1.0

    async def probe(self, address: str, port: int, *, slot: float | None = None) -> PortAnswer:
        """One connect probe of `address`:`port`, at `slot` (reserved) or in turn."""
        await self.limiter.wait_for(self.reserve(1)[0] if slot is None else slot)
        async with self._sockets:
            self.attempts += 1
            return await connect_probe(address, port, timeout=self.timeout)

    async def scan(self, address: str, ports: Iterable[int]) -> dict[int, PortAnswer]:
        """Probe every port of `address`: their moments are reserved at once, in order."""
        wanted = list(dict.fromkeys(ports))
        slots = self.reserve(len(wanted))
        answers = await asyncio.gather(
            *(
                self.probe(address, port, slot=slot)
                for port, slot in zip(wanted, slots, strict=True)
            )
        )
        return dict(zip(wanted, answers, strict=True))


def socket_address(
    address: str, port: int
) -> tuple[int, tuple[str, int] | tuple[str, int, int, int]]:
    """The socket family and address for an IP literal, `fe80::1%eth0` scopes included.

    Nothing is resolved: only numeric addresses are accepted (ValueError otherwise).
    """
    bare = address.split("%", 1)[0]
    version = ipaddress.ip_address(bare).version  # ValueError names a bad address
    if version == 4:
        return socket.AF_INET, (bare, port)
    if "%" not in address:
        return socket.AF_INET6, (bare, port, 0, 0)
    scope = address.split("%", 1)[1]
    scope_id = int(scope) if scope.isdigit() else socket.if_nametoindex(scope)
    return socket.AF_INET6, (bare, port, 0, scope_id)


async def connect_probe(address: str, port: int, *, timeout: float) -> PortAnswer:
    """Connect to `address`:`port` once and classify the answer; never raises for the network."""
    started = time.monotonic()

    def answer(state: PortState, detail: str) -> PortAnswer:
        return PortAnswer(address, port, state, round(time.monotonic() - started, 4), detail)

    try:
        family, sockaddr = socket_address(address, port)
    except (ValueError, OSError) as error:
        return answer(PortState.ERROR, f"cannot use the address {address!r}: {error}")
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as error:
        return answer(PortState.ERROR, f"cannot make a socket: {_reason(error)}")
    with sock:
        sock.setblocking(False)
        try:
            async with asyncio.timeout(timeout):
                await asyncio.get_running_loop().sock_connect(sock, sockaddr)
        except TimeoutError:
            return answer(PortState.FILTERED, f"no answer within {timeout:g} s")
        except ConnectionRefusedError:
            return answer(PortState.CLOSED, "refused (reset)")
        except OSError as error:
            if error.errno in _UNREACHABLE_ERRNOS:
                return answer(PortState.UNREACHABLE, f"unreachable: {_reason(error)}")
            return answer(PortState.ERROR, f"connect failed: {_reason(error)}")
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    return answer(PortState.OPEN, "accepted")


def open_ports(answers: Mapping[int, PortAnswer]) -> list[int]:
    """The ports of a `scan` result that accepted a connection, ascending."""
    return sorted(port for port, answer in answers.items() if answer.state is PortState.OPEN)


def _reason(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__
