#!/usr/bin/env bash
# borda against the ceiling: nginx handing out the same JSON as a static file.
#
# Serves one customer's cached open faturas (the demo's Padaria, one fatura) from
#   - nginx-light, 1 worker, the JSON borda answered saved as a static file;
#   - `borda serve` with the demo ERP up (`borda demo --erp-only`; the cache is
#     fresh for 10 s, then one read goes to the ERP);
#   - `borda serve` with the demo ERP stopped (circuit open: the cache answers).
# Then the PDV's credit-limit lookup answered offline from the cache, against
# nginx serving the same envelope, at 32 connections.
# Each is driven by wrk -t1 -c64 for $DURATION (default 8s), three rounds,
# alternating, all on 127.0.0.1. Prints every run, the borda/nginx ratio of each
# round, and borda's RSS idle and at its peak (VmHWM).
#
# MEMORIA_KIB=0 runs borda without its memory of ready answers, for comparison.
#
# This is a benchmark, not CI: it installs nginx-light and wrk with apt-get
# when they are missing (as root). Usage: benches/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3-minimal)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]} with apt-get" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)

cargo build --release --locked --quiet
borda=target/release/borda
duration=${DURATION:-8s}
rounds=${ROUNDS:-3}
documento=12ABC34501DE35

work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_http() {
    for _ in $(seq 200); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.05; done
    echo "nothing answered at $1" >&2
    return 1
}

erp_port=$(free_port)
retaguarda_port=$(free_port)
start_erp() {
    "$borda" demo --erp-only --listen "127.0.0.1:$erp_port" --retaguarda "127.0.0.1:$retaguarda_port" \
        >"$work/erp.out" 2>/dev/null &
    erp_pid=$!
    pids+=("$erp_pid")
    wait_http "http://127.0.0.1:$erp_port/"
}
stop_erp() {
    kill "$erp_pid"
    wait "$erp_pid" 2>/dev/null || true
}
# Waits until borda's /readyz says the ERP is $1 (online | offline).
wait_upstream() {
    for _ in $(seq 400); do
        curl -fsS "$borda_url/readyz" | grep -q "\"upstream\":\"$1\"" && return 0
        # A read makes borda notice the ERP is gone sooner than the probe does.
        curl -fsS -o /dev/null "$url" || true
        sleep 0.05
    done
    echo "borda never saw the ERP $1" >&2
    return 1
}

start_erp
borda_port=$(free_port)
borda_url="http://127.0.0.1:$borda_port"
cat >"$work/borda.toml" <<EOF
[api]
listen = "127.0.0.1:$borda_port"
allowed_hosts = ["127.0.0.1:$borda_port"]
[store]
path = '$work/borda.db'
[cache]
memoria_kib = ${MEMORIA_KIB:-2048}
$(sed -n '/^\[erp\]/,$p' "$work/erp.out")
EOF
BORDA_LOG=warn "$borda" serve --config "$work/borda.toml" 2>"$work/borda.log" &
borda_pid=$!
pids+=("$borda_pid")
url="$borda_url/v1/clientes/$documento/faturas"
wait_http "$borda_url/healthz"
curl -fsS -o /dev/null "$url" # fetched from the ERP, saved
curl -fsS -o "$work/faturas.json" "$url"
rss() { awk -v key="$1:" '$1 == key { printf "%.1f MB", $2 / 1024 }' "/proc/$borda_pid/status"; }
idle=$(rss VmRSS)

nginx_port=$(free_port)
mkdir -p "$work/www/v1/clientes/$documento"
cp "$work/faturas.json" "$work/www/v1/clientes/$documento/faturas"
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx.error.log;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    default_type application/json;
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/www;
    }
}
EOF
"$nginx" -c "$work/nginx.conf" &
pids+=("$!")
nginx_url="http://127.0.0.1:$nginx_port/v1/clientes/$documento/faturas"
wait_http "$nginx_url"
cmp -s "$work/faturas.json" <(curl -fsS "$nginx_url") || { echo "nginx serves another body" >&2; exit 1; }
echo "body: $(wc -c <"$work/faturas.json") bytes; borda answers $(curl -fsS -D - -o /dev/null "$url" | grep -i '^cache-status' | tr -d '\r')"

# Runs wrk on $1 (64 connections, or the wrk options after it) and prints "req/s p99_ms".
measure() {
    local url=$1
    shift
    if [ $# -eq 0 ]; then set -- -c64; fi
    wrk -t1 -d"$duration" --latency "$@" "$url" >"$work/wrk.out"
    local rps p99
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$work/wrk.out")
    p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
                             else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
                             printf "%.2f", v }' "$work/wrk.out")
    if grep -q "Non-2xx" "$work/wrk.out"; then
        echo "non-2xx answers from $url:" >&2
        cat "$work/wrk.out" >&2
        exit 1
    fi
    echo "$rps $p99"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }

printf '\n%-6s %-18s %12s %10s %8s\n' round server req/s p99_ms ratio
for round in $(seq "$rounds"); do
    read -r nginx_rps nginx_p99 < <(measure "$nginx_url")
    printf '%-6s %-18s %12.0f %10s %8s\n' "$round" "nginx static" "$nginx_rps" "$nginx_p99" "1.00"
    wait_upstream online
    read -r up_rps up_p99 < <(measure "$url")
    printf '%-6s %-18s %12.0f %10s %8.2f\n' "$round" "borda, ERP up" "$up_rps" "$up_p99" \
        "$(ratio "$up_rps" "$nginx_rps")"
    stop_erp
    wait_upstream offline
    read -r down_rps down_p99 < <(measure "$url")
    printf '%-6s %-18s %12.0f %10s %8.2f\n' "$round" "borda, ERP down" "$down_rps" "$down_p99" \
        "$(ratio "$down_rps" "$nginx_rps")"
    start_erp
done
# The PDV's credit-limit lookup answered from the cache (retaguarda down), against
# nginx serving the same envelope, at 32 connections as a store's registers would.
credito_url="$borda_url/v1/limite-credito/T1/L1"
cpf="cpfCnpj: 71460238184" # the demo retaguarda's customer with credit in use
curl -fsS -o /dev/null -H "$cpf" "$credito_url" # online: asked, kept
stop_erp
for _ in $(seq 100); do
    curl -fsS -D - -o /dev/null -H "$cpf" "$credito_url" | grep -qi 'cache-status:.*upstream-offline' && break
    sleep 0.05
done
mkdir -p "$work/www/v1/limite-credito/T1"
curl -fsS -H "$cpf" -o "$work/www/v1/limite-credito/T1/L1" "$credito_url"
echo
echo "credit lookup offline: $(wc -c <"$work/www/v1/limite-credito/T1/L1") bytes: $(head -c 160 "$work/www/v1/limite-credito/T1/L1")…"
printf '%-6s %-18s %12s %10s %8s\n' round server req/s p99_ms ratio
for round in $(seq "$rounds"); do
    read -r nginx_rps nginx_p99 < <(measure "http://127.0.0.1:$nginx_port/v1/limite-credito/T1/L1" -c32)
    printf '%-6s %-18s %12.0f %10s %8s\n' "$round" "nginx static" "$nginx_rps" "$nginx_p99" "1.00"
    read -r credito_rps credito_p99 < <(measure "$credito_url" -c32 -H "$cpf")
    printf '%-6s %-18s %12.0f %10s %8.2f\n' "$round" "borda, offline" "$credito_rps" "$credito_p99" \
        "$(ratio "$credito_rps" "$nginx_rps")"
done

echo
echo "borda RSS: idle $idle, peak $(rss VmHWM), now $(rss VmRSS)"
echo "borda memory of ready answers: $(curl -fsS "$borda_url/readyz" | grep -o '"memoria":{[^}]*}')"
