#!/usr/bin/env bash
# Linters: ruff (lint and format), mypy on src/, import-linter's layer contracts.
set -euo pipefail
cd "$(dirname "$0")/.."
# the whole repository: src, tests, benchmarks, and the scripts in ui/, packaging/, docs/, resources/
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports
