#!/usr/bin/env bash
# Build netready's Linux bundle: dist/netready/ (onedir) and dist/netready-VERSION-linux-ARCH.tar.gz.
#
#     bash packaging/build-linux.sh
#
# PyInstaller runs in a venv of its own (build/bundle-venv) holding netready, its dependencies
# and PyInstaller - nothing else, so no development tool ends up in the bundle. netready is
# installed from a fresh copy of the sources (build/bundle-src), never from the checkout itself,
# so a stale build/lib left by an earlier `pip install .` cannot slip old modules in.
# Needs Python >= 3.11 built with a shared libpython (Debian's python3 is), ldd and binutils.
# Environment: PYTHON (default python3), NETREADY_NO_ARCHIVE=1 (skip the .tar.gz).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=build/bundle-venv
SOURCE_COPY=build/bundle-src
started=$(date +%s)

# PyInstaller reads the programs' library dependencies with ldd and objdump (binutils)
if ! command -v objdump >/dev/null || ! command -v ldd >/dev/null; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends binutils libc-bin >/dev/null
    else
        echo "build-linux.sh: PyInstaller needs ldd and objdump (install binutils)" >&2
        exit 1
    fi
fi

rm -rf "$SOURCE_COPY"
mkdir -p "$SOURCE_COPY"
cp -R pyproject.toml README.md LICENSE src resources ui "$SOURCE_COPY"/
find "$SOURCE_COPY" -name __pycache__ -prune -exec rm -rf {} +

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
# --force-reinstall --no-deps: the copy's netready even when the version did not change
"$VENV/bin/python" -m pip install --quiet "$SOURCE_COPY[bundle]"
"$VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps "$SOURCE_COPY"

rm -rf dist/netready
"$VENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/netready.spec

# a desktop entry and the icon beside the programs (install: see packaging/README.md)
cp build/pyinstaller/netready/icons/netready.png packaging/linux/netready.desktop dist/netready/

version=$("$VENV/bin/python" -c "import netready; print(netready.__version__)")
dist/netready/netready --version
if [ "${NETREADY_NO_ARCHIVE:-}" != "1" ]; then
    archive="dist/netready-${version}-linux-$(uname -m).tar.gz"
    tar -C dist -czf "$archive" netready
    echo "archive: $archive ($(du -h "$archive" | cut -f1))"
fi
echo "bundle: dist/netready ($(du -sh dist/netready | cut -f1)), built in $(($(date +%s) - started)) s"
