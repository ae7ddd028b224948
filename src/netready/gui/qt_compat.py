"""A work-around for a defect of PySide6 6.12.0 on Python 3.11, detected, never assumed.

PySide6 6.12.0 returns `None` from void methods (`label.setText(...)`), `True` from
`SignalInstance.emit()`, and `None` from an empty `QVariant`, without owning a reference to
them: each such call takes one reference from the singleton (6.11.3 does not). Python 3.12
made these singletons immortal, so there it is harmless; on Python 3.11 a busy window frees
`None` after a while and the interpreter aborts ("none_dealloc: deallocating None").

`protect_singletons` gives None, True and False as many references as 3.12's immortality
does, once, when the installed PySide6 is measured to leak them. The real fix is a PySide6
without the defect (pin `PySide6-Essentials!=6.12.0`); this keeps the app and the tests alive
until then.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

__all__ = ["leaks_singleton_references", "protect_singletons"]

# Far more references than a process could ever drop, far below overflow (2**63).
_EXTRA_REFERENCES = 1 << 48


class _Probe(QObject):
    probed = Signal()


def leaks_singleton_references() -> bool:
    """Whether this PySide6 drops references to None or True (measured with 20 calls)."""
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(20):
        probe.setObjectName("probe")
        probe.probed.emit()
    # a correct binding leaves both counts where they were (or a little higher)
    return sys.getrefcount(None) < none_before or sys.getrefcount(True) < true_before


_protected = False


def protect_singletons() -> bool:
    """Make None, True and False immortal in effect when PySide6 leaks them; True if done."""
    global _protected
    if _protected:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # immortal already (or not reference counted this way)
    if not leaks_singleton_references():
        return False
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every CPython object
        ctypes.c_ssize_t.from_address(id(singleton)).value += _EXTRA_REFERENCES
    _protected = True
    return True
