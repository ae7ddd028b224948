#!/usr/bin/env bash
# Build a wheel of nassl for this Mac (Intel: nassl publishes macOS wheels for Apple Silicon
# only since 5.3.0, and no source distribution; see packaging/README.md, "Intel Macs").
#
#     bash packaging/macos/build-nassl.sh PYTHON WHEEL_DIR
#
# Compiles nassl's own OpenSSL builds (modern and legacy) and zlib with nassl's build tasks,
# then the extension, for PYTHON's version and this machine's architecture; a wheel already in
# WHEEL_DIR is reused. NASSL_VERSION picks the release (a git tag of nabla-c0d3/nassl); keep it
# within what the pinned sslyze accepts (sslyze 6.3: nassl>=5.4,<6). Needs Xcode's command
# line tools, git and the network (the OpenSSL and zlib sources are downloaded).
set -euo pipefail
PYTHON="$1"
WHEELS="$2"
NASSL_VERSION="${NASSL_VERSION:-5.4.0}"
mkdir -p "$WHEELS"
if ls "$WHEELS"/nassl-"$NASSL_VERSION"-*.whl >/dev/null 2>&1; then
    echo "nassl $NASSL_VERSION: using $(ls "$WHEELS"/nassl-"$NASSL_VERSION"-*.whl)"
    exit 0
fi
source_dir="build/nassl-$NASSL_VERSION"
rm -rf "$source_dir"
git clone --quiet --depth 1 --branch "$NASSL_VERSION" https://github.com/nabla-c0d3/nassl.git "$source_dir"
"$PYTHON" -m pip install --quiet invoke setuptools wheel
(
    cd "$source_dir"
    "$PYTHON" -m invoke build.deps   # zlib and nassl's legacy and modern OpenSSL, static
    "$PYTHON" -m invoke build.nassl  # the C extensions against them
    "$PYTHON" -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir "$OLDPWD/$WHEELS" .
)
echo "nassl $NASSL_VERSION: built $(ls "$WHEELS"/nassl-"$NASSL_VERSION"-*.whl)"
