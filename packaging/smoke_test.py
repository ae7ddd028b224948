"""Smoke-test a built bundle on any of the three systems (the release workflow runs it).

    python packaging/smoke_test.py BUNDLE_DIR

BUNDLE_DIR holds the programs: `dist/netready` (Linux, Windows) or
`dist/netready.app/Contents/MacOS` (macOS). Checks, each against the built programs only:

1. `netready --version` and `netready-gui --version` print netready's version;
2. `netready-gui --smoke-test` on Qt's offscreen platform paints the window and quits with 0;
3. `netready scan 127.0.0.1 --checks tls` against a TLS server this script starts on the
   loopback interface: the TLS checks run sslyze in worker processes the frozen program starts
   from itself, so this fails when a bundle cannot start them (freeze_support) or lacks nassl.
   Needs the `openssl` command for a throw-away certificate; skipped, with a notice, without.

Standard library only: it runs with the runner's Python, outside the bundle. On Linux, CI runs
the fuller tests/packaging/ (a scan of the network lab) instead of step 3.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

SHOWN_MARKER = "netready-gui: window shown"  # netready.gui.app.SHOWN_MARKER
VERSION_FILE = Path(__file__).resolve().parents[1] / "src" / "netready" / "__init__.py"


def program(bundle: Path, name: str) -> str:
    path = bundle / (f"{name}.exe" if sys.platform == "win32" else name)
    if not path.is_file():
        raise SystemExit(f"smoke test: no {path}")
    return str(path)


def expected_version() -> str:
    for line in VERSION_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise SystemExit(f"smoke test: no __version__ in {VERSION_FILE}")


def run(argv: list[str], environment: dict[str, str], timeout: float = 120) -> str:
    done = subprocess.run(
        argv, env=environment, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise SystemExit(
            f"smoke test: {' '.join(argv)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def check_versions(bundle: Path, environment: dict[str, str]) -> None:
    expected = f"netready {expected_version()}"
    for name in ("netready", "netready-gui"):
        printed = run([program(bundle, name), "--version"], environment).strip()
        if printed != expected:
            raise SystemExit(f"smoke test: {name} --version printed {printed!r}, not {expected!r}")
        print(f"ok: {name} --version: {printed}")


def check_window(bundle: Path, environment: dict[str, str], scratch: Path) -> None:
    argv = [program(bundle, "netready-gui"), "--smoke-test", "--db", str(scratch / "gui.db")]
    output = run(argv, {**environment, "QT_QPA_PLATFORM": "offscreen"})
    if SHOWN_MARKER not in output:
        raise SystemExit(f"smoke test: the window was never shown:\n{output}")
    print("ok: netready-gui --smoke-test: window shown, quit cleanly")


def check_tls_scan(bundle: Path, environment: dict[str, str], scratch: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        print("skipped: the loopback TLS scan (no openssl command for a test certificate)")
        return
    certificate, key = scratch / "cert.pem", scratch / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    threading.Thread(target=_serve, args=(listener, context), daemon=True).start()
    argv = [
        program(bundle, "netready"), "scan", "127.0.0.1", "--checks", "tls",
        "--ports", str(port), "--ca-file", str(certificate), "--timeout", "5",
        "--db", str(scratch / "scan.db"), "--json", "-", "--no-progress",
    ]  # fmt: skip
    findings = [json.loads(line) for line in run(argv, environment, timeout=300).splitlines()]
    listener.close()
    connect = [f["status"] for f in findings if f["check_id"] == "tls.connect"]
    if connect != ["pass"]:
        raise SystemExit(f"smoke test: tls.connect is {connect}, not ['pass']:\n{findings}")
    print(f"ok: netready scan --checks tls of a loopback server: {len(findings)} findings")


def _serve(listener: socket.socket, context: ssl.SSLContext) -> None:
    while True:
        try:
            connection, _ = listener.accept()
        except OSError:  # closed: the scan is over
            return
        threading.Thread(target=_handshake, args=(connection, context), daemon=True).start()


def _handshake(connection: socket.socket, context: ssl.SSLContext) -> None:
    connection.settimeout(10)
    try:
        with context.wrap_socket(connection, server_side=True) as tls:
            tls.recv(1024)  # whatever the client sends, then close
    except (OSError, ssl.SSLError):
        pass  # scanners send odd hellos on purpose
    finally:
        connection.close()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    bundle = Path(argv[0]).resolve()
    with tempfile.TemporaryDirectory(prefix="netready-smoke-") as directory:
        scratch = Path(directory)
        # the user's own settings and data stay untouched; no Python variables reach the bundle
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        for variable in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"):
            (scratch / variable).mkdir(mode=0o700)
            environment[variable] = str(scratch / variable)
        if sys.platform == "win32":
            environment["APPDATA"] = environment["LOCALAPPDATA"] = str(scratch / "HOME")
        check_versions(bundle, environment)
        check_window(bundle, environment, scratch)
        check_tls_scan(bundle, environment, scratch)
    print(f"smoke test of {bundle}: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
