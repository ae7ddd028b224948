"""What the user typed or pasted into the targets box, read as targets (Qt-free).

Paste many at once: entries are separated by new lines, spaces, commas or semicolons, and a
`#` at the start of a line or after a space starts a comment, as in a file of targets. Every
bad entry is reported with its line. A network larger than the configured limit is not an
error here but a sweep to confirm: the window asks, naming the number of addresses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from netready.targets import (
    InvalidTargetError,
    Target,
    TargetKind,
    TargetListError,
    network_size,
    parse_target,
)

__all__ = ["SWEEP_HARD_LIMIT", "ScanInput", "Sweep", "entries_of", "read_scan_input"]

#: The largest network the app sweeps even when asked to (an IPv4 /16).
SWEEP_HARD_LIMIT = 65_536

_SEPARATORS = re.compile(r"[\s,;]+")
_COMMENT = re.compile(r"(?:^|\s)#")


@dataclass(frozen=True, slots=True)
class Sweep:
    """A network larger than the limit: scanning it needs the user's yes."""

    network: str
    addresses: int


@dataclass(frozen=True, slots=True)
class ScanInput:
    """The targets to scan, without duplicates, in first-seen order."""

    targets: tuple[Target, ...]
    sweeps: tuple[Sweep, ...]  # networks above the limit, to confirm before scanning

    @property
    def sweep_addresses(self) -> int:
        return sum(sweep.addresses for sweep in self.sweeps)

    def limit_needed(self, configured: int) -> int:
        """The network size limit the scan needs once the sweeps are confirmed."""
        return max([configured, *(sweep.addresses for sweep in self.sweeps)])


def entries_of(text: str) -> list[tuple[int, str]]:
    """Each entry of `text` with its 1-based line number."""
    entries: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        comment = _COMMENT.search(line)
        content = line[: comment.start()] if comment else line
        entries += [(number, entry) for entry in _SEPARATORS.split(content) if entry]
    return entries


def read_scan_input(text: str, *, limit: int) -> ScanInput:
    """Parse every entry; raises TargetListError naming each bad one with its line.

    Networks up to `limit` addresses are accepted as they are; larger ones, up to
    SWEEP_HARD_LIMIT, are returned as sweeps to confirm.
    """
    targets: dict[Target, None] = {}
    errors: list[InvalidTargetError] = []
    for line, entry in entries_of(text):
        try:
            target = parse_target(entry, max_network_addresses=max(limit, SWEEP_HARD_LIMIT))
        except InvalidTargetError as error:
            errors.append(error.with_location(None, line))
        else:
            targets.setdefault(target, None)
    if errors:
        raise TargetListError(errors)
    return ScanInput(tuple(targets), _sweeps(list(targets), limit))


def _sweeps(targets: Sequence[Target], limit: int) -> tuple[Sweep, ...]:
    networks = (target for target in targets if target.kind is TargetKind.NETWORK)
    sized = ((target.value, network_size(target)) for target in networks)
    return tuple(Sweep(network, size) for network, size in sized if size > limit)
