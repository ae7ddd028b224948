"""The one reading of "unreachable" that every network module shares."""

from __future__ import annotations

import errno

from netready.net.errors import is_unreachable


def test_no_route_and_no_address_family_are_unreachable() -> None:
    assert is_unreachable(OSError(errno.ENETUNREACH, "Network is unreachable"))
    assert is_unreachable(OSError(errno.EHOSTUNREACH, "No route to host"))
    assert is_unreachable(OSError(errno.EAFNOSUPPORT, "Address family not supported"))


def test_a_refusal_a_timeout_or_another_error_is_not() -> None:
    assert not is_unreachable(ConnectionRefusedError(errno.ECONNREFUSED, "refused"))
    assert not is_unreachable(TimeoutError())
    assert not is_unreachable(ValueError("not an OS error"))
    assert not is_unreachable(OSError("no errno"))
