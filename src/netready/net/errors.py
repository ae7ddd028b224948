"""Operating-system errors the network modules share one reading of.

"Unreachable" means no route to the address or no such address family here: the probe never
reached the host, which the checks report differently from a refusal (the host answered)
or a timeout (something may be dropping packets). Windows reports socket errors with its
own WSAE* numbers, so those are listed too.
"""

from __future__ import annotations

import errno

__all__ = ["UNREACHABLE_ERRNOS", "is_unreachable"]

UNREACHABLE_ERRNOS = frozenset(
    code
    for code in (
        errno.ENETUNREACH,
        errno.EHOSTUNREACH,
        errno.EADDRNOTAVAIL,
        errno.ENETDOWN,
        errno.EHOSTDOWN,
        errno.EAFNOSUPPORT,  # e.g. an IPv6 address on a machine without IPv6
        getattr(errno, "WSAENETUNREACH", None),
        getattr(errno, "WSAEHOSTUNREACH", None),
        getattr(errno, "WSAEADDRNOTAVAIL", None),
        getattr(errno, "WSAENETDOWN", None),
        getattr(errno, "WSAEHOSTDOWN", None),
        getattr(errno, "WSAEAFNOSUPPORT", None),
    )
    if code is not None
)


def is_unreachable(error: BaseException) -> bool:
    """Whether `error` says the address cannot be reached from here at all."""
    return isinstance(error, OSError) and error.errno in UNREACHABLE_ERRNOS
