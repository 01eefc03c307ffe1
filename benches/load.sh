#!/usr/bin/env bash
# Load benchmark of the cached faturas endpoint (issue 3 target: >= 20k req/s,
# <= 40 MB RSS on 2 cores). Runs `borda demo` (demo ERP in-process, cache fresh
# for 10 s) and drives it with wrk: 64 connections, 2 threads, 20 s.
# Traffic goes to 127.0.0.1 only. Needs wrk (Debian package `wrk`).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "install wrk: apt-get install -y wrk" >&2; exit 1; }
cargo build --release --locked --quiet
port=${PORT:-18787}
log=$(mktemp)
target/release/borda demo --listen "127.0.0.1:${port}" >"$log" 2>/dev/null &
pid=$!
trap 'kill "$pid" 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q "curl" "$log" && break; sleep 0.1; done
url=$(grep -o "http://[^ ]*/faturas" "$log" | head -n 1)
curl -fsS "$url" >/dev/null            # the first request fills the cache
curl -fsS -D - -o /dev/null "$url" | grep -i '^cache-status'
wrk -t2 -c64 -d"${DURATION:-20s}" --latency "$url"
echo "RSS of borda after the run: $(( $(ps -o rss= -p "$pid") / 1024 )) MB"
