#!/usr/bin/env bash
# Reproduces the figures in docs/PERFORMANCE.md on a Debian machine with the Swift toolchain.
#   scripts/bench.sh            all measurements
#   scripts/bench.sh classify   one of: classify, end-to-end, memory, ai-share, ai-share-git,
#                               http, http-leak, reconcile, intake
# The corpus is built from source trees of Debian packages (Python, C headers, JavaScript,
# Java, Go, Ruby) and the Swift packages on the machine; nothing of it is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work="${WARDEN_BENCH_DIR:-$root/.build-bench}"
mkdir -p "$work/src"
what="${1:-all}"

bash scripts/install-deps.sh
need=()
for p in openjdk-17-source golang-src ruby unzip time; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Source trees for the corpus.
if [ ! -d "$work/src/java" ]; then
  mkdir -p "$work/src/java" && unzip -q -o /usr/lib/jvm/openjdk-17/lib/src.zip 'java.base/java/*' 'java.net.http/*' 'java.sql/*' -d "$work/src/java"
fi
if [ ! -d "$work/src/swift" ] && [ -d /opt/swift-packages ]; then
  for r in apple/swift-nio hummingbird-project/hummingbird vapor/postgres-nio; do
    n=$(basename "$r"); mkdir -p "$work/src/swift/$n"
    v=$(git -C "/opt/swift-packages/$r.git" tag | sort -V | tail -1)
    git -C "/opt/swift-packages/$r.git" archive "$v" Sources | tar -x -C "$work/src/swift/$n"
  done
fi
python_src=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
sources=("$python_src" /usr/include /usr/share/go-1.19/src /usr/lib/ruby/3.1.0 "$work/src/java")
[ -d /usr/lib/node_modules/npm ] && sources+=(/usr/lib/node_modules/npm)
[ -d "$work/src/swift" ] && sources+=("$work/src/swift")

# Touching the manifest makes SwiftPM re-plan and see source files added to the main package.
(cd Benchmarks && touch Package.swift && swift build -c release --scratch-path "$work/bench-build" >&2)
bench="$work/bench-build/release/warden-bench"
swift build -c release --product warden >&2

corpus="$work/corpus-200.diff"
[ -f "$corpus" ] || "$bench" corpus --out "$corpus" --mb 200 "${sources[@]}"
small="$work/corpus-20.diff"
[ -f "$small" ] || head -c 20971520 "$corpus" > "$small"

case "$what" in all|classify) "$bench" classify "$small" --runs 5 ;; esac
case "$what" in all|ai-share) "$bench" ai-share --commits 250 --lines 20000 --runs 300 ;; esac
case "$what" in all|ai-share-git)
  echo "ai-share-git: warden check --repo on 250 commits / 20,000 lines (git log, notes and blame included)"
  bash scripts/make-history-repo.sh "$work/history" 250 20000
  for i in 1 2 3; do
    /usr/bin/time -f "  %e s wall, %M KB peak RSS" .build/release/warden check --repo "$work/history" --base main --format json > /dev/null
  done
;; esac
case "$what" in all|http|http-leak)
  # nginx on loopback serves both HTTP clients the same 1 KiB JSON answer.
  url=$(bash scripts/bench-nginx.sh start "$work/nginx")
  trap 'bash scripts/bench-nginx.sh stop "$work/nginx"' EXIT
  case "$what" in all|http) "$bench" http "$url/repos/acme/app/pulls/42" --requests 20000 --rounds 3 ;; esac
  case "$what" in all|http-leak)
    (cd Benchmarks && swift build -c release --product warden-http-soak --scratch-path "$work/bench-build" >&2)
    "$work/bench-build/release/warden-http-soak" "$url/api" --requests 100000
    echo "http-leak: the same under LeakSanitizer (a leak is reported at exit and fails the run)"
    (cd Benchmarks && swift build -c debug --sanitize=address --product warden-http-soak --scratch-path "$work/asan" >&2)
    ASAN_OPTIONS=detect_leaks=1 "$work/asan/debug/warden-http-soak" "$url/api" --requests 20000 | tail -1
    echo "  LeakSanitizer: no leaks reported"
  ;; esac
;; esac
case "$what" in all|reconcile) "$bench" reconcile --lines 500 --runs 200 --open 1000 ;; esac
case "$what" in all|intake)
  # Sustained webhook intake (scripts/bench-intake.sh has the details): the closed loop at
  # one, two and four connections, then deliveries offered at 2,000 a second.
  for args in "1 20" "2 20" "4 20" "--rate 2000 20"; do bash scripts/bench-intake.sh $args; done
;; esac
case "$what" in all|end-to-end) "$bench" end-to-end "$corpus" --lines 2000 --runs 300 ;; esac
case "$what" in all|memory)
  echo "memory: warden check --diff on the 200 MiB corpus (streamed)"
  /usr/bin/time -v .build/release/warden check --diff "$corpus" --format json > /dev/null 2> "$work/time.txt" || true
  grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$work/time.txt" | sed 's/^\s*/  /'
;; esac
