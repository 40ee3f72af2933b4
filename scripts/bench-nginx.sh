#!/usr/bin/env bash
# Starts nginx on 127.0.0.1:PORT as the loopback server for the HTTP client benchmark and
# leak check (docs/PERFORMANCE.md): every path answers 200 with a 1 KiB JSON body, paths
# under /missing answer 404. Prints the base URL; `scripts/bench-nginx.sh stop DIR` stops it.
#   scripts/bench-nginx.sh start DIR [PORT]
set -euo pipefail
what="$1"; dir="$2"; port="${3:-18473}"
mkdir -p "$dir"
if [ "$what" = stop ]; then
  [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
  exit 0
fi
command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }
body=$(python3 -c "
import json
print(json.dumps({'id': 1, 'number': 42, 'state': 'open', 'title': 'x' * 200, 'labels': [{'name': 'security:sql', 'color': 'd73a4a', 'description': 'Warden: touches SQL'}] * 8}))")
cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$port;
    location /missing { return 404 '{"message":"Not Found"}'; }
    location / { default_type application/json; return 200 '$body'; }
  }
}
CONF
nginx -t -c "$dir/nginx.conf" -p "$dir" 2>/dev/null
nginx -c "$dir/nginx.conf" -p "$dir"
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
echo "http://127.0.0.1:$port"
