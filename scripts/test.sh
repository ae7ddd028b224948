#!/usr/bin/env bash
# Set up everything the tests need and run them all: `bash scripts/test.sh [pytest args]`.
# As root on Debian/Ubuntu this includes the network-lab tests with real servers;
# elsewhere those are skipped with the reason (never in CI, where CI=true makes them fail).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-lab-packages.sh
bash scripts/setup-dev.sh
exec .venv/bin/python -m pytest "$@"
