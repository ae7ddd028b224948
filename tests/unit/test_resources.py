"""Shipped data is found from a checkout, and a missing file is reported by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from netready import resources
from netready.resources import ResourceError, resource_path, resources_dir


def test_the_checkout_resources_are_found() -> None:
    assert (resources_dir() / "README.md").is_file()
    assert resource_path("README.md").is_file()


def test_a_missing_file_is_named() -> None:
    with pytest.raises(ResourceError, match="no-such-file"):
        resource_path("no-such-file")


def test_a_frozen_bundle_is_looked_in_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bundled = tmp_path / "resources"
    bundled.mkdir()
    (bundled / "README.md").write_text("bundle")
    monkeypatch.setattr(resources.sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == bundled
