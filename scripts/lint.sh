#!/usr/bin/env bash
# Linters: ruff (lint and format), mypy on src/, import-linter's layer contracts.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks
.venv/bin/mypy
.venv/bin/lint-imports
