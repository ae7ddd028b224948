"""A delay line: two TAP devices joined in user space, every frame held for a fixed time.

This machine's kernel has no ``netem`` qdisc, so the lab emulates network latency here: each
Ethernet frame read from one TAP device is written to the other one ``--delay-ms`` later, in
both directions. The lab (``Lab.add_host(..., delay_ms=...)`` in netlab.py) runs it inside
the switch namespace: one TAP device is a bridge port, the other is moved into the host's
namespace and becomes its ``eth0``::

    python tests/lab/delay.py --delay-ms 25 p3 p3h      # or: python -m tests.lab.delay ...

It prints ``ready`` on stdout once both TAP devices exist. On SIGUSR1 it prints its counters
as one JSON line on stdout; on SIGTERM or SIGINT it writes them to stderr and exits, which
closes the TAP devices and so deletes them.

Frames keep their order: the delay is the same for every frame, so each direction is a FIFO
whose head is always the next frame due (no heap needed). A direction holds at most
``--max-frames`` frames and ``--max-bytes`` bytes; a frame beyond either is dropped and
counted, so a flood costs bounded memory rather than an ever longer queue.

Standard library only, no imports from the lab: it runs as a script in another namespace.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import fcntl
import json
import os
import selectors
import signal
import socket
import struct
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from types import FrameType
from typing import Any

#: The line printed on stdout once both TAP devices exist.
READY = "ready"

# From <linux/if_tun.h>: attach the fd to a TAP device (created if it does not exist yet),
# Ethernet frames without the 4-byte packet-information header.
TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000

#: Larger than any frame: TAP devices without offloads hand over at most MTU + header.
MAX_FRAME = 65536
#: Frames read from one side per wake-up, so that a flood in one direction cannot hold up
#: the frames falling due in the other.
READ_BATCH = 64
DEFAULT_MAX_FRAMES = 10_000
DEFAULT_MAX_BYTES = 16 * 1024 * 1024


def open_tap(name: str) -> int:
    """A non-blocking fd on TAP device `name`, created in this namespace if it is new.

    The device lives as long as the fd (it is not made persistent), so however this process
    ends, its TAP devices go with it.
    """
    if not 0 < len(name.encode()) < 16:
        raise ValueError(f"bad interface name {name!r}")
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    except OSError:
        os.close(fd)
        raise
    return fd


@dataclass(slots=True)
class Counters:
    """What happened to the frames of one direction."""

    forwarded: int = 0
    forwarded_bytes: int = 0
    #: Frames dropped on arrival because the queue was at its frame or byte cap.
    dropped_full: int = 0
    #: Frames the far side refused when they were due (interface down, no buffer).
    dropped_write: int = 0
    #: The longest the queue has been, in frames.
    max_queued: int = 0


class Direction:
    """Frames read from `source`, each written to `sink` once its delay has passed."""

    def __init__(
        self, source: int, sink: int, *, delay: float, max_frames: int, max_bytes: int
    ) -> None:
        self.source = source
        self.sink = sink
        self.delay = delay
        self.max_frames = max_frames
        self.max_bytes = max_bytes
        self.queue: collections.deque[tuple[float, bytes]] = collections.deque()
        self.queued_bytes = 0
        self.counters = Counters()

    def next_due(self) -> float | None:
        return self.queue[0][0] if self.queue else None

    def read(self, now: float) -> None:
        """Queue up to `READ_BATCH` waiting frames, due `delay` after `now`.

        One `now` for the whole batch keeps the due times non-decreasing, which is what
        lets a plain FIFO stand in for a priority queue.
        """
        due = now + self.delay
        queue, counters = self.queue, self.counters
        for _ in range(READ_BATCH):
            try:
                frame = os.read(self.source, MAX_FRAME)
            except BlockingIOError:
                break
            if not frame:  # only a socket peer (in tests) can hang up; a TAP never does
                raise EOFError(f"fd {self.source} was closed")
            if len(queue) >= self.max_frames or self.queued_bytes + len(frame) > self.max_bytes:
                counters.dropped_full += 1
                continue
            queue.append((due, frame))
            self.queued_bytes += len(frame)
        counters.max_queued = max(counters.max_queued, len(queue))

    def write_due(self, now: float) -> None:
        """Write every frame whose time has come, oldest first."""
        queue, counters = self.queue, self.counters
        while queue and queue[0][0] <= now:
            _, frame = queue.popleft()
            self.queued_bytes -= len(frame)
            try:
                os.write(self.sink, frame)
            except OSError:  # EIO while the far interface is down, ENOBUFS, EAGAIN
                counters.dropped_write += 1
            else:
                counters.forwarded += 1
                counters.forwarded_bytes += len(frame)


class DelayLine:
    """Two fds that each carry whole frames (TAP devices; seqpacket sockets in tests),
    joined so that every frame reaches the other side `delay` seconds after it arrived."""

    def __init__(
        self,
        fd_a: int,
        fd_b: int,
        *,
        delay: float,
        max_frames: int = DEFAULT_MAX_FRAMES,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        if delay < 0 or max_frames < 1 or max_bytes < 1:
            raise ValueError("delay must be >= 0 and the queue caps >= 1")
        self.delay = delay
        self.a_to_b = Direction(fd_a, fd_b, delay=delay, max_frames=max_frames, max_bytes=max_bytes)
        self.b_to_a = Direction(fd_b, fd_a, delay=delay, max_frames=max_frames, max_bytes=max_bytes)
        self._selector = selectors.DefaultSelector()
        for direction in (self.a_to_b, self.b_to_a):
            self._selector.register(direction.source, selectors.EVENT_READ, direction)

    def watch(self, fd: int, callback: Callable[[], None]) -> None:
        """Also call `callback` whenever `fd` is readable (used for a signal wake-up fd)."""
        self._selector.register(fd, selectors.EVENT_READ, callback)

    def step(self, max_wait: float | None = None) -> None:
        """Sleep until a frame arrives or one falls due (at most `max_wait` s), then move
        what arrived into its queue and what is due out to its side."""
        timeout = self._timeout(time.monotonic())
        if max_wait is not None:
            timeout = max_wait if timeout is None else min(timeout, max_wait)
        ready = self._selector.select(timeout)
        now = time.monotonic()
        for key, _ in ready:
            if isinstance(key.data, Direction):
                key.data.read(now)
            else:
                key.data()
        now = time.monotonic()
        self.a_to_b.write_due(now)
        self.b_to_a.write_due(now)

    def run(self) -> None:
        """Forward frames until a signal handler raises (see `main`)."""
        while True:
            self.step()

    def stats(self) -> dict[str, Any]:
        """The counters of both directions, and what is queued now."""
        return {
            "delay_ms": self.delay * 1000,
            **{
                name: {**asdict(d.counters), "queued": len(d.queue)}
                for name, d in (("a_to_b", self.a_to_b), ("b_to_a", self.b_to_a))
            },
        }

    def close(self) -> None:
        self._selector.close()

    def _timeout(self, now: float) -> float | None:
        """Seconds until the next frame is due; None when nothing is queued."""
        due = [d for d in (self.a_to_b.next_due(), self.b_to_a.next_due()) if d is not None]
        # The selector rounds up to whole milliseconds, so frames leave at most ~1 ms late and
        # never early.
        return max(0.0, min(due) - now) if due else None


def namespace_name(netns_dir: str = "/run/netns") -> str | None:
    """The ``ip netns`` name of this process's network namespace; None if it has none.

    The root namespace has no such name, so this tells it apart even where PID 1's namespace
    cannot be looked at (in containers, /proc/1/ns/net may be off limits even to root).
    """
    own = os.stat("/proc/self/ns/net")
    try:
        names = os.listdir(netns_dir)
    except FileNotFoundError:
        return None
    for name in names:
        with contextlib.suppress(OSError):  # deleted meanwhile
            found = os.stat(os.path.join(netns_dir, name))
            if (found.st_dev, found.st_ino) == (own.st_dev, own.st_ino):
                return name
    return None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="delay.py", description="Join two TAP devices with a fixed one-way delay."
    )
    parser.add_argument("tap_a", help="first TAP device (created if it does not exist)")
    parser.add_argument("tap_b", help="second TAP device (created if it does not exist)")
    parser.add_argument("--delay-ms", type=float, required=True, help="one-way delay")
    parser.add_argument(
        "--max-frames",
        type=int,
        default=DEFAULT_MAX_FRAMES,
        help="queue cap per direction; frames beyond it are dropped (default %(default)s)",
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        help="queue cap per direction, in bytes (default %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Lab rule: nothing is created in the root namespace, so TAP devices only go into a
    # named one (``ip netns exec NAME python delay.py ...``).
    if namespace_name() is None:
        sys.exit("delay.py: run me inside a named network namespace (ip netns exec NAME ...)")
    fd_a, fd_b = open_tap(args.tap_a), open_tap(args.tap_b)
    line = DelayLine(
        fd_a,
        fd_b,
        delay=args.delay_ms / 1000,
        max_frames=args.max_frames,
        max_bytes=args.max_bytes,
    )

    # SIGUSR1 is answered from the loop, not from a handler: a handler can run in the middle
    # of the previous answer's print() and fail on the re-entered stdout. The wake-up fd
    # carries each signal's number into the selector instead.
    wakeup, wakeup_writer = socket.socketpair()
    for sock in (wakeup, wakeup_writer):
        sock.setblocking(False)
    signal.set_wakeup_fd(wakeup_writer.fileno(), warn_on_full_buffer=False)

    def on_wakeup() -> None:
        signals = b""
        with contextlib.suppress(BlockingIOError):
            while chunk := wakeup.recv(512):
                signals += chunk
        if signal.SIGUSR1 in signals:
            print(json.dumps(line.stats()), flush=True)

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    line.watch(wakeup.fileno(), on_wakeup)
    signal.signal(signal.SIGUSR1, lambda _signum, _frame: None)  # replaces "terminate"
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(READY, flush=True)  # after the handlers: a SIGUSR1 must never kill the line
    try:
        line.run()
    finally:
        print(
            f"delay line {args.tap_a} <-> {args.tap_b}: {json.dumps(line.stats())}", file=sys.stderr
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
