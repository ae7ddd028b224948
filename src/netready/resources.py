"""Where the shipped data lives: advice texts, trust anchors, icons.

One function finds `resources/` whichever way netready runs:

- a PyInstaller bundle: `resources/` inside the unpacked bundle (`sys._MEIPASS`);
- a source checkout or an editable install: `resources/` at the top of the repository;
- an installed wheel: `<prefix>/share/netready/resources`, where pyproject's data-files put it.
"""

from __future__ import annotations

import sys
from pathlib import Path

_REQUIRED_MARKER = "README.md"  # every copy of resources/ has it


class ResourceError(FileNotFoundError):
    """netready's data files are missing: the installation is incomplete."""


def resources_dir() -> Path:
    """The directory holding netready's shipped data."""
    for candidate in _candidates():
        if (candidate / _REQUIRED_MARKER).is_file():
            return candidate
    searched = ", ".join(str(path) for path in _candidates())
    raise ResourceError(f"netready's data files were not found (looked in {searched})")


def resource_path(*parts: str) -> Path:
    """The path of one shipped file, e.g. `resource_path("trust-anchors", "root.ds")`."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise ResourceError(f"netready's data file {'/'.join(parts)} is missing ({path})")
    return path


def _candidates() -> list[Path]:
    candidates = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        candidates.append(Path(bundle) / "resources")
    candidates.append(Path(__file__).resolve().parents[2] / "resources")
    candidates.append(Path(sys.prefix) / "share" / "netready" / "resources")
    return candidates
