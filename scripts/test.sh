#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine with the Swift toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift test --parallel "$@"
