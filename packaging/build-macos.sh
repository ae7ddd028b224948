#!/usr/bin/env bash
# Build netready's macOS bundle: dist/netready.app in dist/netready-VERSION-macos-ARCH.dmg.
#
#     bash packaging/build-macos.sh
#
# The same steps as build-linux.sh (a clean venv, a fresh copy of the sources, the one spec),
# for the machine's own architecture: arm64 on Apple Silicon, x86_64 on an Intel Mac. nassl
# publishes macOS wheels for Apple Silicon only since 5.3.0, so on Intel the wheel is first
# compiled from nassl's sources (macos/build-nassl.sh; see README.md, "Intel Macs").
#
# Signing and notarisation happen only when their variables are set (the release workflow
# fills them from secrets); without them the app is signed ad hoc, which runs on the machine
# that built it and on Apple Silicon after "Open" in the Finder, but does not pass Gatekeeper:
#   NETREADY_CODESIGN_IDENTITY  "Developer ID Application: NAME (TEAMID)", in the keychain
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD   notarisation with notarytool
# Environment: PYTHON (default python3), NASSL_VERSION (Intel only; default 5.4.0).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=build/bundle-venv
SOURCE_COPY=build/bundle-src
ARCH=$(uname -m)
started=$(date +%s)

rm -rf "$SOURCE_COPY"
mkdir -p "$SOURCE_COPY"
cp -R pyproject.toml README.md LICENSE src resources ui "$SOURCE_COPY"/
find "$SOURCE_COPY" -name __pycache__ -prune -exec rm -rf {} +

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
if [ "$ARCH" = "x86_64" ]; then
    # no x86_64 wheel of a nassl that sslyze 6.x accepts: build one, then let pip use it
    bash packaging/macos/build-nassl.sh "$VENV/bin/python" build/wheels
    export PIP_FIND_LINKS="$PWD/build/wheels"
fi
"$VENV/bin/python" -m pip install --quiet "$SOURCE_COPY[bundle]"
"$VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps "$SOURCE_COPY"

rm -rf dist/netready dist/netready.app
"$VENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/netready.spec

version=$("$VENV/bin/python" -c "import netready; print(netready.__version__)")
app=dist/netready.app
"$app/Contents/MacOS/netready" --version

if [ -n "${NETREADY_CODESIGN_IDENTITY:-}" ]; then
    # PyInstaller signed every binary with the identity; seal the app as a whole
    codesign --force --options runtime --timestamp \
        --entitlements packaging/macos/entitlements.plist \
        --sign "$NETREADY_CODESIGN_IDENTITY" "$app"
    codesign --verify --strict --verbose=2 "$app"
else
    echo "NETREADY_CODESIGN_IDENTITY is not set: the app is signed ad hoc only"
fi

dmg="dist/netready-${version}-macos-${ARCH}.dmg"
staging=build/dmg
rm -rf "$staging" "$dmg"
mkdir -p "$staging"
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
hdiutil create -volname "netready $version" -srcfolder "$staging" -format UDZO -ov "$dmg"

if [ -n "${NETREADY_CODESIGN_IDENTITY:-}" ]; then
    codesign --force --timestamp --sign "$NETREADY_CODESIGN_IDENTITY" "$dmg"
fi
if [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
    xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
        --password "$APPLE_APP_PASSWORD" --wait
    xcrun stapler staple "$dmg"
else
    echo "APPLE_ID, APPLE_TEAM_ID or APPLE_APP_PASSWORD is not set: the disk image is not notarised"
fi
echo "bundle: $app ($(du -sh "$app" | cut -f1)), $dmg ($(du -h "$dmg" | cut -f1)), built in $(($(date +%s) - started)) s"
