#!/usr/bin/env bash
# A three-silo Orchestrator cluster on this machine: Debian's redis-server with append-only persistence, then three
# server processes (silo + gRPC gateway + local agent with simulated GPUs each) in the redis profile, on loopback.
#   deploy/local/cluster.sh up       build if needed, start everything, wait for each gateway, print the endpoints
#   deploy/local/cluster.sh status   what runs, by pid file
#   deploy/local/cluster.sh down     stop the servers, then Redis (state stays in the data directory)
# Environment: CLUSTER_DIR (default ./.orch-cluster), REDIS_PORT (6379), CONFIGURATION (Release), GPUS (2 per node).
# See docs/cluster.md.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${CLUSTER_DIR:-$repo/.orch-cluster}"
redis_port="${REDIS_PORT:-6379}"
configuration="${CONFIGURATION:-Release}"
gpus="${GPUS:-2}"
server_dll="$repo/src/Orchestrator.Server/bin/$configuration/net10.0/Orchestrator.Server.dll"
cli_dll="$repo/src/Orchestrator.Cli/bin/$configuration/net10.0/orch.dll"
nodes=(1 2 3)

grpc_port() { echo $((7060 + 10 * $1)); }        # 7070, 7080, 7090
http_port() { echo $((7061 + 10 * $1)); }        # 7071, 7081, 7091
silo_port() { echo $((11110 + $1)); }            # 11111, 11112, 11113
gateway_port() { echo $((29999 + $1)); }         # 30000, 30001, 30002

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_redis() {
  command -v redis-server >/dev/null 2>&1 && return
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "cluster.sh: installing redis-server"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends redis-server >/dev/null
}

build() {
  if [ ! -f "$server_dll" ] || [ ! -f "$cli_dll" ]; then
    echo "cluster.sh: building ($configuration)"
    dotnet build "$repo/Orchestrator.sln" -c "$configuration" -nologo -v quiet
  fi
}

start_redis() {
  mkdir -p "$dir/redis"
  if alive "$dir/redis.pid"; then echo "redis-server already running (pid $(cat "$dir/redis.pid"))"; return; fi
  redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --pidfile "$dir/redis.pid" --dir "$dir/redis" \
    --appendonly yes --appendfsync everysec --logfile "$dir/redis.log"
  for _ in $(seq 1 100); do
    redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && return
    sleep 0.1
  done
  echo "cluster.sh: redis-server did not answer on port $redis_port; see $dir/redis.log" >&2
  exit 1
}

start_server() {
  local n=$1 pid="$dir/server-$1.pid"
  if alive "$pid"; then echo "server $n already running (pid $(cat "$pid"))"; return; fi
  mkdir -p "$dir/server-$n"
  setsid dotnet "$server_dll" --profile redis --redis "127.0.0.1:$redis_port" --data-dir "$dir/server-$n" \
    --grpc-port "$(grpc_port "$n")" --http-port "$(http_port "$n")" --silo-port "$(silo_port "$n")" \
    --gateway-port "$(gateway_port "$n")" --node-name "node-$n" --simulate-gpus "$gpus" \
    >"$dir/server-$n.log" 2>&1 < /dev/null &
  echo $! > "$pid"
}

wait_ready() {
  local n=$1 url
  url="http://127.0.0.1:$(grpc_port "$n")"
  for _ in $(seq 1 180); do
    alive "$dir/server-$n.pid" || { echo "cluster.sh: server $n exited; see $dir/server-$n.log" >&2; tail -20 "$dir/server-$n.log" >&2; exit 1; }
    # Ready when the gateway answers and its own agent's node is registered.
    if dotnet "$cli_dll" nodes --server "$url" -o json 2>/dev/null | grep -q "node-$n"; then return; fi
    sleep 1
  done
  echo "cluster.sh: server $n did not become ready in 180 s; see $dir/server-$n.log" >&2
  exit 1
}

stop_pid() {
  local file=$1 what=$2
  if alive "$file"; then
    local pid
    pid=$(cat "$file")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    echo "stopped $what (pid $pid)"
  fi
  rm -f "$file"
}

case "${1:-}" in
  up)
    install_redis
    build
    start_redis
    for n in "${nodes[@]}"; do start_server "$n"; done
    for n in "${nodes[@]}"; do wait_ready "$n"; done
    echo "redis     127.0.0.1:$redis_port   (append-only file in $dir/redis)"
    for n in "${nodes[@]}"; do
      echo "server $n  gRPC http://127.0.0.1:$(grpc_port "$n")  metrics http://127.0.0.1:$(http_port "$n")/metrics  silo :$(silo_port "$n")  node node-$n  log $dir/server-$n.log"
    done
    echo "try: dotnet $cli_dll --server http://127.0.0.1:7080 nodes"
    ;;
  down)
    for n in "${nodes[@]}"; do stop_pid "$dir/server-$n.pid" "server $n"; done
    stop_pid "$dir/redis.pid" "redis-server"
    ;;
  status)
    if alive "$dir/redis.pid"; then echo "redis-server running (pid $(cat "$dir/redis.pid"), port $redis_port)"; else echo "redis-server stopped"; fi
    for n in "${nodes[@]}"; do
      if alive "$dir/server-$n.pid"; then echo "server $n running (pid $(cat "$dir/server-$n.pid"), gRPC :$(grpc_port "$n"))"; else echo "server $n stopped"; fi
    done
    ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
