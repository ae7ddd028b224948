"""The settings dialog's store: the `[scan]` table of the config file the CLI reads too.

One file, so a resolver or CA file set in the app holds for `netready scan` as well. Writing
rewrites only the `[scan]` table (its comments are not kept); every other line of the file
stays as it was. The result is parsed again before it replaces the file, and refused when it
would not read back as exactly what was meant, so the app never leaves a broken config file.
"""

from __future__ import annotations

import math
import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from netready.config import ConfigError, ScanConfig, load_config_file

__all__ = ["SCAN_FIELDS", "read_scan_settings", "toml_value", "write_scan_settings"]

#: Every setting the `[scan]` table may hold (what `load_config_file` accepts).
SCAN_FIELDS: frozenset[str] = frozenset(config_field.name for config_field in fields(ScanConfig))

_TABLE_HEADER = re.compile(r"^\s*\[\s*scan\s*\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def read_scan_settings(path: Path) -> dict[str, Any]:
    """The `[scan]` table of `path` (empty when the file does not exist); ConfigError if bad."""
    return load_config_file(path)


def write_scan_settings(path: Path, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Set (or, for None, remove) settings of the `[scan]` table; returns the new table.

    Settings not named in `changes` are kept. Raises ConfigError, leaving the file as it was,
    when a value is unusable (the message comes from `ScanConfig`), the file cannot be read
    or written, or its `[scan]` table is written in a form this editor does not handle.
    """
    unknown = sorted(set(changes) - SCAN_FIELDS)
    if unknown:
        raise ConfigError(f"unknown setting(s) {', '.join(unknown)}")
    table = {key: value for key, value in read_scan_settings(path).items() if key not in changes}
    table.update({key: value for key, value in changes.items() if value is not None})
    ScanConfig().with_overrides(table)  # raises ConfigError naming a bad value
    old_text = _read_text(path)
    new_text = _with_scan_table(old_text, path, table)
    _check_reads_back(old_text, new_text, table, path)
    _replace_file(path, new_text)
    return table


def toml_value(value: Any) -> str:
    """A TOML value: strings, integers, floats, booleans, arrays and tables of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigError(f"{value!r} cannot be written to the config file")
        return repr(value)
    if isinstance(value, str | Path):
        return _toml_string(str(value))
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        items = (f"{_toml_key(str(key))} = {toml_value(item)}" for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    raise ConfigError(f"{value!r} ({type(value).__name__}) cannot be written to the config file")


def _toml_string(text: str) -> str:
    escaped = []
    for character in text:
        if character in ('"', "\\"):
            escaped.append("\\" + character)
        elif ord(character) < 0x20 or ord(character) == 0x7F:
            escaped.append(f"\\u{ord(character):04x}")
        else:
            escaped.append(character)
    return '"' + "".join(escaped) + '"'


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _table_lines(table: Mapping[str, Any]) -> list[str]:
    return ["[scan]", *(f"{_toml_key(key)} = {toml_value(table[key])}" for key in sorted(table))]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read config file {str(path)!r}: {error}") from None


def _with_scan_table(text: str, path: Path, table: Mapping[str, Any]) -> str:
    lines = text.splitlines()
    start = next((number for number, line in enumerate(lines) if _TABLE_HEADER.match(line)), None)
    if start is None:
        if "scan" in tomllib.loads(text):
            raise _unsupported(path)
        while lines and not lines[-1].strip():
            lines.pop()
        separator = [""] if lines else []
        return "\n".join([*lines, *separator, *_table_lines(table)]) + "\n"
    end = next(
        (number for number in range(start + 1, len(lines)) if _ANY_HEADER.match(lines[number])),
        len(lines),
    )
    # keep the blank lines that separated the table from the next one
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return "\n".join([*lines[:start], *_table_lines(table), *lines[end:]]) + "\n"


def _check_reads_back(old_text: str, new_text: str, table: Mapping[str, Any], path: Path) -> None:
    try:
        old, new = tomllib.loads(old_text), tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        raise _unsupported(path) from None
    expected = tomllib.loads("\n".join(_table_lines(table)))["scan"]
    old.pop("scan", None)
    if new.pop("scan", None) != expected or new != old:
        raise _unsupported(path)


def _unsupported(path: Path) -> ConfigError:
    return ConfigError(
        f"the [scan] settings of {str(path)!r} are written in a form the app cannot update "
        "safely; edit the file by hand, keeping the settings under a [scan] header"
    )


def _replace_file(path: Path, text: str) -> None:
    """Write a temporary file next to `path`, then rename it over `path` (atomic)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=".config-", dir=path.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            if path.exists():  # mkstemp makes the file private; keep the permissions it had
                os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise ConfigError(f"cannot write config file {str(path)!r}: {error}") from None
