"""The PyInstaller bundle (issue 9): its size, and how fast its programs start.

    .venv/bin/python -m benchmarks.bundle [--bundle dist/netready] [--runs 5]

1. **Size** of the onedir bundle on disk (what `du -s` counts). Goal < 200 MB.
2. **Start-up to window shown**: from starting `netready-gui --smoke-test` (offscreen) to the
   window painted, as `benchmarks.gui` measures it for the source tree; each of `--runs` in a
   fresh process, median, min and max - for the bundle, and for the source tree beside it.
3. **Command-line start-up**: `netready --version` from the bundle, median of `--runs`.

`--cold` also measures the bundle's start-up with its files dropped from the page cache
before each run (`posix_fadvise(DONTNEED)` on the bundle's files only, Linux): the first
start after installing or rebooting, roughly.

Build the bundle first (`bash packaging/build-linux.sh`). No network is used.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
GOALS = {"size_mb": 200.0}


def _scratch_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="netready-bundle-bench-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _environment(home: Path, *, source: bool) -> dict[str, str]:
    """Offscreen, with the user's directories in `home`; Python's variables only for source."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("PYTHON")
    }
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        directory = home / variable.lower()
        directory.mkdir(mode=0o700, exist_ok=True)
        environment[variable] = str(directory)
    environment["QT_QPA_PLATFORM"] = "offscreen"
    if source:
        environment["PYTHONPATH"] = str(REPOSITORY / "src")
    return environment


def size_bytes(directory: Path) -> int:
    """Bytes on disk, as `du` counts them (allocated blocks, hard links once)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for path in [directory, *directory.rglob("*")]:
        status = path.lstat()
        if (status.st_dev, status.st_ino) not in seen:
            seen.add((status.st_dev, status.st_ino))
            total += status.st_blocks * 512
    return total


def drop_from_page_cache(directory: Path) -> None:
    """Ask the kernel to forget the cached pages of every file under `directory`."""
    for path in directory.rglob("*"):
        if path.is_file() and not path.is_symlink():
            descriptor = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(descriptor)


def measure_startup(
    command: Sequence[str], runs: int, home: Path, *, source: bool, cold: Path | None = None
) -> list[float]:
    """Seconds from starting `command --smoke-test` to the window painted, per run.

    `cold`: a directory whose files are dropped from the page cache before each run.
    """
    from netready.gui.app import SHOWN_MARKER

    seconds = []
    for run in range(runs):
        if cold is not None:
            drop_from_page_cache(cold)
        argv = [*command, "--smoke-test", "--db", str(home / f"startup-{run}.db")]
        started = time.monotonic()  # CLOCK_MONOTONIC: the same clock in the child
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=60,
            env=_environment(home, source=source),
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {done.stderr}")
        line = next(line for line in done.stdout.splitlines() if line.startswith(SHOWN_MARKER))
        seconds.append(float(line.rsplit(" ", 1)[1]) - started)
    return seconds


def measure_version(program: Path, runs: int, home: Path) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.monotonic()
        subprocess.run(
            [str(program), "--version"],
            capture_output=True,
            timeout=60,
            env=_environment(home, source=False),
            check=True,
        )
        seconds.append(time.monotonic() - started)
    return seconds


def summary(seconds: list[float]) -> dict[str, Any]:
    return {
        "median": round(statistics.median(seconds), 3),
        "min": round(min(seconds), 3),
        "max": round(max(seconds), 3),
        "runs": [round(value, 3) for value in seconds],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=REPOSITORY / "dist" / "netready")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="also measure a cold start")
    args = parser.parse_args()
    bundle: Path = args.bundle.resolve()
    if not (bundle / "netready-gui").is_file():
        parser.error(f"no bundle in {bundle}: run `bash packaging/build-linux.sh` first")
    home = _scratch_dir()
    report = {
        "bundle": str(bundle),
        "size_mb": round(size_bytes(bundle) / 1e6, 1),
        "startup_to_window_s": {
            "bundle": summary(
                measure_startup([str(bundle / "netready-gui")], args.runs, home, source=False)
            ),
            "source": summary(
                measure_startup(
                    [sys.executable, "-m", "netready.gui"], args.runs, home, source=True
                )
            ),
        },
        "cli_version_s": summary(measure_version(bundle / "netready", args.runs, home)),
    }
    startup: dict[str, Any] = report["startup_to_window_s"]  # type: ignore[assignment]
    if args.cold:
        gui = [str(bundle / "netready-gui")]
        startup["bundle_cold"] = summary(
            measure_startup(gui, args.runs, home, source=False, cold=bundle)
        )
    print(json.dumps(report, indent=1))
    print(
        f"bundle size: {report['size_mb']} MB (goal < {GOALS['size_mb']:g} MB)\n"
        f"launch to window shown, {args.runs} runs: bundle median "
        f"{startup['bundle']['median']} s (min {startup['bundle']['min']}, max "
        f"{startup['bundle']['max']}); source tree median {startup['source']['median']} s\n"
        f"`netready --version` from the bundle: median {report['cli_version_s']['median']} s"
    )
    if "bundle_cold" in startup:
        cold = startup["bundle_cold"]
        print(
            f"cold start (bundle dropped from the page cache): median {cold['median']} s "
            f"(min {cold['min']}, max {cold['max']})"
        )


if __name__ == "__main__":
    main()
