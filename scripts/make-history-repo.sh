#!/usr/bin/env bash
# Builds a throw-away repository whose branch `feature` has N commits adding about L lines in
# all, a mix of agent commits (Claude Code, Copilot coding agent), bot bumps and human work,
# for timing `warden check --repo` with git included (docs/PERFORMANCE.md).
#   scripts/make-history-repo.sh DIR [COMMITS] [LINES]
set -euo pipefail
dir="$1"; commits="${2:-250}"; lines="${3:-20000}"
per=$(( lines / commits ))
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir"
git init -q -b main
git config user.name Dev; git config user.email dev@example.com; git config commit.gpgsign false
echo "# app" > README.md; git add -A; git commit -qm base
git checkout -q -b feature
for i in $(seq 1 "$commits"); do
  f="src/module_$(( i % 40 )).py"
  mkdir -p src
  for j in $(seq 1 "$per"); do echo "value_${i}_${j} = compute($i, $j)"; done >> "$f"
  case $(( i % 10 )) in
    0|1|2) git add -A; git commit -qm "Change $i" -m "Co-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>" ;;
    3) git add -A; git -c user.name='copilot-swe-agent[bot]' -c user.email='198982749+Copilot@users.noreply.github.com' commit -qm "Change $i" ;;
    4) echo "{\"v\": $i}" > package.json; git add -A; git -c user.name='dependabot[bot]' -c user.email='49699333+dependabot[bot]@users.noreply.github.com' commit -qm "Bump $i" ;;
    *) git add -A; git commit -qm "Change $i" -m "Signed-off-by: Dev <dev@example.com>" ;;
  esac
done
