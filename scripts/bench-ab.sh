#!/usr/bin/env bash
# Compares two builds of warden-bench on `classify` in alternating rounds: the development
# machine is a shared VM whose speed changes from minute to minute, so only builds measured
# in the same minutes compare. Each round runs both (which goes first alternates), takes the
# best of 3 runs of each, and the summary gives the rounds won and the median ratio.
#
#   cp .build-bench/bench-build/release/warden-bench /tmp/wb-before   # before a change
#   ... change, rebuild the bench (scripts/bench.sh builds it) ...
#   scripts/bench-ab.sh /tmp/wb-before .build-bench/bench-build/release/warden-bench 16
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: scripts/bench-ab.sh BENCH_A BENCH_B [ROUNDS] [CORPUS]" >&2
  exit 2
fi
a=$1 b=$2 rounds=${3:-16} corpus=${4:-.build-bench/corpus-20.diff}
for binary in "$a" "$b"; do
  [[ -x $binary ]] || { echo "bench-ab: $binary is not an executable" >&2; exit 2; }
done
[[ -r $corpus ]] || { echo "bench-ab: no corpus at $corpus (scripts/bench.sh builds it)" >&2; exit 2; }
best() { "$1" classify "$corpus" --runs 3 | sed -nE 's/.*median [0-9]+, best ([0-9]+).*/\1/p'; }
results=()
for ((round = 1; round <= rounds; round++)); do
  if ((round % 2)); then ra=$(best "$a"); rb=$(best "$b"); else rb=$(best "$b"); ra=$(best "$a"); fi
  echo "round $round: A $ra, B $rb MiB/s"
  results+=("$ra $rb")
done
printf '%s\n' "${results[@]}" | awk '
  { a[NR] = $1; b[NR] = $2; r[NR] = $2 / $1; if ($2 > $1) won++ }
  function median(v, n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  END {
    n = NR
    printf "A: median of the rounds\x27 bests %.1f MiB/s\n", median(a, n)
    printf "B: median of the rounds\x27 bests %.1f MiB/s\n", median(b, n)
    printf "B faster in %d of %d rounds; median ratio B/A %.3f\n", won, n, median(r, n)
  }'
