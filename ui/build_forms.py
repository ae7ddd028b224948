"""Compile the Qt Designer forms: ui/NAME.ui -> src/netready/gui/forms/ui_NAME.py.

    .venv/bin/python ui/build_forms.py           # after editing a .ui file in Designer
    .venv/bin/python ui/build_forms.py --check   # exit 1 if a compiled form is out of date

The compiled forms are committed, so running the app needs no build step; tests/gui checks
that they match their .ui files. Each is `pyside6-uic` output with a header that exempts it
from the linters (it is generated, not written), then formatted with ruff.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
UI_DIR = REPOSITORY / "ui"
FORMS_DIR = REPOSITORY / "src" / "netready" / "gui" / "forms"
HEADER = (
    "# ruff: noqa\n"
    # no uic version here: any PySide6 the pin allows must pass --check
    "# Generated from ui/{name}.ui by ui/build_forms.py (pyside6-uic); do not edit.\n"
)
_UIC_HEADER = re.compile(r"\A(?:#[^\n]*\n|\s*\n)*")  # uic's comment block, replaced by ours


def _tool(name: str) -> str:
    beside_python = Path(sys.executable).with_name(name)
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found; run this with the project's .venv/bin/python")
    return found


def compiled(ui_file: Path) -> str:
    """The Python for one .ui file, exactly as it is committed."""
    done = subprocess.run(
        [_tool("pyside6-uic"), "--no-autoconnection", str(ui_file)],
        capture_output=True,
        text=True,
        check=True,
    )
    header = HEADER.format(name=ui_file.stem)
    source = header + _UIC_HEADER.sub("", done.stdout, count=1)
    # formatted as if it were already in place, so the project's ruff settings apply
    formatted = subprocess.run(
        [_tool("ruff"), "format", "--stdin-filename", str(form_path(ui_file)), "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
        cwd=REPOSITORY,
    )
    return formatted.stdout


def form_path(ui_file: Path) -> Path:
    return FORMS_DIR / f"ui_{ui_file.stem}.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale forms")
    args = parser.parse_args()
    stale = []
    for ui_file in sorted(UI_DIR.glob("*.ui")):
        source = compiled(ui_file)
        target = form_path(ui_file)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == source:
            continue
        stale.append(target)
        if not args.check:
            target.write_text(source, encoding="utf-8")
    for target in stale:
        verb = "out of date" if args.check else "written"
        print(f"{target.relative_to(REPOSITORY)}: {verb}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
