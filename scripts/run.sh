#!/usr/bin/env bash
# Warden's main job on its embedded defaults: `warden serve` on the example configuration
# (Config/warden.yml: 127.0.0.1:8080, SQLite store under ./data/). Forges are switched on by
# their secrets in the environment (docs/SERVER.md); without them the server says which are
# missing and still answers /healthz, /readyz and /metrics. Arguments go to `warden serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product warden >&2
exec .build/release/warden serve --config Config/warden.yml "$@"
