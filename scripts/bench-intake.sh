#!/usr/bin/env bash
# Sustained webhook intake (docs/PERFORMANCE.md): a release `warden serve` (intake only,
# SQLite store, synchronous=FULL) takes signed GitHub pull_request deliveries from wrk on
# loopback; every delivery has its own X-GitHub-Delivery id (the signature covers the body,
# which is the same 11 KB payload). Afterwards the store is counted: every delivery answered
# 202 must be in it.
#   scripts/bench-intake.sh [CONNECTIONS] [SECONDS]   closed loop: wrk, CONNECTIONS always busy
#   scripts/bench-intake.sh --rate R [SECONDS]        open loop: R deliveries a second, as a
#                                                     forge sends them (warden-bench intake)
set -euo pipefail
cd "$(dirname "$0")/.."
rate=""
if [ "${1:-}" = "--rate" ]; then rate="$2"; shift 2; connections=0; duration="${1:-20}"
else connections="${1:-4}"; duration="${2:-20}"; fi
threads=1  # one wrk thread leaves the second core to the server
work="${WARDEN_BENCH_DIR:-$(pwd)/.build-bench}/intake"
rm -rf "$work"; mkdir -p "$work"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product warden >&2

port=18481
secret="bench-$(date +%s)"
cat > "$work/warden.yml" <<CONF
server: { host: 127.0.0.1, port: $port }
store: { url: "sqlite:$work/data/warden.sqlite" }
workers: { count: 0 }
github:
  api_url: https://api.github.com
  webhook_secret: { env: WARDEN_BENCH_SECRET }
CONF

# A pull_request payload of GitHub's size, and its signature.
python3 - "$work" "$secret" <<'PY'
import hashlib, hmac, json, sys
work, secret = sys.argv[1], sys.argv[2].encode()
user = {"login": "octocat", "id": 1, "type": "User", "site_admin": False, "avatar_url": "https://avatars.githubusercontent.com/u/1?v=4"}
repo = {"id": 1296269, "name": "app", "full_name": "acme/app", "private": False, "owner": user, "description": "x" * 200,
        "default_branch": "main", **{f"{k}_url": f"https://api.github.com/repos/acme/app/{k}" for k in
        ["forks", "keys", "collaborators", "teams", "hooks", "events", "branches", "tags", "blobs", "statuses", "languages",
         "stargazers", "contributors", "subscribers", "commits", "comments", "contents", "compare", "merges", "archive",
         "downloads", "issues", "pulls", "milestones", "notifications", "labels", "releases", "deployments"]}}
pull = {"number": 42, "state": "open", "title": "Query users by id", "user": user, "body": "Fixes the lookup.\n" * 200,
        "head": {"ref": "feature", "sha": "1" * 40, "user": user, "repo": repo},
        "base": {"ref": "main", "sha": "b" * 40, "user": user, "repo": repo},
        "labels": [], "requested_reviewers": [], "requested_teams": [], "draft": False}
body = json.dumps({"action": "synchronize", "number": 42, "pull_request": pull, "repository": repo,
                   "installation": {"id": 1}, "sender": user}, separators=(",", ":"))
open(f"{work}/body.json", "w").write(body)
open(f"{work}/signature", "w").write("sha256=" + hmac.new(secret, body.encode(), hashlib.sha256).hexdigest())
print(f"payload: {len(body)} bytes", file=sys.stderr)
PY

run="r$(date +%s)"
cat > "$work/deliver.lua" <<LUA
local body = io.open("$work/body.json"):read("*a")
local signature = io.open("$work/signature"):read("*a")
local threads = {}
local number = 0
function setup(thread)
  thread:set("prefix", "$run-" .. number)
  number = number + 1
  table.insert(threads, thread)
end
function init(args)
  sent = 0
  accepted = 0
end
function request()
  sent = sent + 1
  return wrk.format("POST", "/webhooks/github", {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = "pull_request",
    ["X-GitHub-Delivery"] = prefix .. "-" .. sent,
    ["X-Hub-Signature-256"] = signature,
  }, body)
end
function response(status, headers, body)
  if status == 202 then accepted = accepted + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("accepted") end
  io.write(string.format("accepted (202): %d\n", total))
end
LUA

WARDEN_BENCH_SECRET="$secret" .build/release/warden serve --config "$work/warden.yml" 2> "$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done

if [ -n "$rate" ]; then
  # The generator signs every delivery before the clock starts; latency counts from the
  # moment each delivery was due, so a stalled server cannot hide its queue.
  bench="${WARDEN_BENCH_DIR:-$(pwd)/.build-bench}/bench-build/release/warden-bench"
  (cd Benchmarks && touch Package.swift && swift build -c release --scratch-path "$(dirname "$(dirname "$bench")")" >&2)
  "$bench" intake "http://127.0.0.1:$port/webhooks/github" --secret "$secret" --rate "$rate" \
    --requests $((rate * duration)) --payload-bytes 11000 | tee "$work/wrk.txt"
  run=$(sed -n 's/.*run id: \([^ ]*\) .*/\1/p' "$work/wrk.txt")
  accepted=$(sed -n 's/.*202 × \([0-9]*\).*/\1/p' "$work/wrk.txt")
else
  echo "intake: wrk, $connections connections, ${duration}s, signed pull_request deliveries of GitHub's size"
  wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$work/deliver.lua" "http://127.0.0.1:$port" | tee "$work/wrk.txt"
  accepted=$(sed -n 's/accepted (202): \([0-9]*\)/\1/p' "$work/wrk.txt")
fi
sleep 1
echo "server RSS: $(( $(ps -o rss= -p $server) / 1024 )) MB; write-ahead log: $(( $(stat -c %s "$work/data/warden.sqlite-wal" 2>/dev/null || echo 0) / 1048576 )) MB"
python3 - "$work/data/warden.sqlite" "$run" "${accepted:-0}" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
stored = db.execute("SELECT count(*) FROM delivery WHERE delivery_key LIKE ?", (sys.argv[2] + "-%",)).fetchone()[0]
accepted = int(sys.argv[3])
# wrk stops with requests in flight: those are stored but their 202 was never read.
print(f"answered 202: {accepted}; of those in the store: {min(stored, accepted)}; lost: {max(0, accepted - stored)}"
      + (f" ({stored - accepted} more stored: in flight when the generator stopped)" if stored > accepted else ""))
PY
