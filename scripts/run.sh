#!/usr/bin/env bash
# Warden's main job on its embedded defaults: classify the bundled example change.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product warden >&2
exec .build/release/warden check --diff docs/examples/example.diff "$@"
