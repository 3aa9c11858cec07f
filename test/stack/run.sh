#!/usr/bin/env bash
# npm run test:stack — the docker/ compose stack, for real, on this machine (docker/README.md):
#   1. installs docker.io, docker-compose, debootstrap when missing; starts dockerd when none answers;
#   2. builds stand-ins for the public images (no registry is reachable here): a cached Debian
#      bookworm root filesystem (standins/rootfs.sh) with Debian's postgresql, redis, nginx,
#      prometheus, and the host's Node; builds docker/target.Dockerfile and
#      docker/aetos-load.Dockerfile as they are;
#   3. brings up postgres, redis, 3 × target, nginx and prometheus with docker/compose.yml (image
#      variables point at the stand-ins), runs the smoke scenario through nginx in the aetos-load
#      service, then stack.check.ts asserts on the real results (replicas reached, Prometheus holds
#      the targets' and the run's k6_* series, every Grafana panel's PromQL returns data);
#   4. always tears down: containers, networks and volumes of the project, and dockerd if it
#      started it. Grafana and k6 are not run (their images cannot be built here): said so below.
set -uo pipefail
cd "$(dirname "$0")/../.."
t0=$(date +%s)
say() { echo "stack: [$(( $(date +%s) - t0 ))s] $*"; }
work="$(mktemp -d /tmp/aetos-stack.XXXXXX)"
project="aetos-test-$$"
dockerd_pid=""
status=1

compose() { "${compose_cmd[@]}" -p "$project" -f docker/compose.yml --env-file "$work/stack.env" "$@"; }

cleanup() {
  set +e
  if [ -n "${compose_cmd:-}" ] && [ -f "$work/stack.env" ]; then
    say "tearing down (containers, networks, volumes)"
    compose --profile load logs --no-color >"$work/compose.log" 2>&1
    [ "$status" -ne 0 ] && tail -n 60 "$work/compose.log"
    compose --profile load --profile k6 down -v --remove-orphans -t 5 >/dev/null 2>&1
  fi
  if [ -n "$dockerd_pid" ]; then
    say "stopping dockerd (pid $dockerd_pid)"
    kill "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$dockerd_pid" 2>/dev/null
    # its containerd child goes with it
  fi
  rm -rf "$work"
  say "done in $(( $(date +%s) - t0 ))s, exit $status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. tools and dockerd --------------------------------------------------------------------
missing=()
command -v docker >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || { say "apt-get install ${missing[*]} failed"; exit 1; }
fi
if docker compose version >/dev/null 2>&1; then compose_cmd=(docker compose); else compose_cmd=(docker-compose --compatibility); fi
if ! docker info >/dev/null 2>&1; then
  say "starting dockerd"
  dockerd --host unix:///var/run/docker.sock >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { tail -n 20 "$work/dockerd.log"; say "dockerd did not answer within 60 s"; exit 1; }
fi

# --- 2. images ------------------------------------------------------------------------------
build() { # tag dockerfile context [args…]
  local tag="$1" file="$2" ctx="$3"; shift 3
  docker build -q -t "$tag" -f "$file" "$@" "$ctx" >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log"; say "building $tag failed"; exit 1; }
}
if ! docker image inspect aetos-standin:bookworm >/dev/null 2>&1; then
  rootfs="$(test/stack/standins/rootfs.sh)" || { say "debootstrap failed"; exit 1; }
  say "importing $rootfs"
  docker import "$rootfs" aetos-standin:bookworm >/dev/null || exit 1
fi
say "building stand-in images"
ctx="$work/node-ctx"
mkdir -p "$ctx"
cp "$(command -v node)" "$ctx/node"
cp -r "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$ctx/npm"
cp /etc/ssl/certs/ca-certificates.crt "$ctx/"
cp test/stack/standins/node.Dockerfile "$ctx/Dockerfile"
build aetos-standin-node:20 "$ctx/Dockerfile" "$ctx"
for s in postgres redis nginx prometheus; do
  build "aetos-standin-$s:bookworm" "test/stack/standins/$s.Dockerfile" test/stack/standins
done
say "building docker/target.Dockerfile and docker/aetos-load.Dockerfile (npm ci --omit=dev)"
build aetos-wms:latest docker/target.Dockerfile . --build-arg NODE_IMAGE=aetos-standin-node:20
build aetos-load:latest docker/aetos-load.Dockerfile . --build-arg NODE_IMAGE=aetos-standin-node:20

# --- 3. the stack ---------------------------------------------------------------------------
testid="stack-$$"
secret() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
cat >"$work/stack.env" <<ENV
POSTGRES_PASSWORD=$(secret)
JWT_SECRET=$(secret)$(secret)
ADMIN_TOKEN=$(secret)
SEED_PASSWORD=S$(secret)
GRAFANA_ADMIN_PASSWORD=$(secret)
HEALTHCHECK_INTERVAL=2s
STACK_BIND=127.0.0.1
NGINX_PORT=0
PROMETHEUS_PORT=0
GRAFANA_PORT=0
TESTID=$testid
K6_PROMETHEUS_RW_PUSH_INTERVAL=1s
PROFILE=quick
POSTGRES_IMAGE=aetos-standin-postgres:bookworm
REDIS_IMAGE=aetos-standin-redis:bookworm
NGINX_IMAGE=aetos-standin-nginx:bookworm
PROMETHEUS_IMAGE=aetos-standin-prometheus:bookworm
NODE_IMAGE=aetos-standin-node:20
ENV
say "checking the compose file (every service, k6 and grafana included)"
compose --profile load --profile k6 config -q || { say "docker/compose.yml is invalid"; exit 1; }
say "up: postgres redis prometheus, then target×1 (it migrates and seeds the database), then target×3 and nginx"
say "(grafana/grafana cannot be run here: its dashboards are checked against Prometheus instead)"
healthy() { # service [count] → that many containers, all healthy
  local ids; ids="$(compose ps -q "$1")"
  [ -n "$ids" ] && [ "$(echo "$ids" | wc -l)" -eq "${2:-1}" ] || return 1
  for id in $ids; do [ "$(docker inspect -f '{{.State.Health.Status}}' "$id")" = healthy ] || return 1; done
}
wait_healthy() { # service count seconds
  for _ in $(seq 1 "$3"); do healthy "$1" "$2" && return 0; sleep 1; done
  compose ps; say "$1 ×$2 did not become healthy within $3 s"; exit 1
}
up() { compose up -d --no-build "$@" >>"$work/up.log" 2>&1 || { cat "$work/up.log"; compose ps; say "compose up $* failed"; exit 1; }; }
up postgres redis prometheus
wait_healthy postgres 1 120
up --scale target=1 target
wait_healthy target 1 240
up --scale target=3 target
wait_healthy target 3 240
up --scale target=3 nginx
wait_healthy nginx 1 120
wait_healthy prometheus 1 60
nginx_url="http://$(compose port nginx 80)"
prom_url="http://$(compose port prometheus 9090)"
say "healthy: nginx $nginx_url, prometheus $prom_url"

say "aetos-load: smoke through nginx (docker/stack.sh load smoke), k6_* series to Prometheus"
# --no-thresholds: this checks the wiring, not the speed of a machine that builds images meanwhile.
# --iterations 20 (~5 s instead of ~1.2 s): the remote-write output sends a series when it changed
# since the last 1 s push, and counters that change only at an iteration's end (iterations,
# data_sent, data_received) need two samples for the dashboards' rate() panels; five ~240 ms
# iterations sometimes fell into one push, and those panels returned no data.
STACK_ENV_FILE="$work/stack.env" COMPOSE_PROJECT_NAME="$project" TESTID="$testid" \
  bash docker/stack.sh load smoke --no-thresholds --iterations 20 >"$work/load.log" 2>&1
load_code=$?
tail -n 25 "$work/load.log"
[ "$load_code" -eq 0 ] || { say "the smoke run through nginx exited $load_code"; exit 1; }
compose --profile load run --rm --no-deps --entrypoint sh aetos-load -c 'cat results/smoke/latest/summary.json' >"$work/summary.json" 2>"$work/summary.err" || { cat "$work/summary.err"; say "no summary.json in the results volume"; exit 1; }
echo "stack: SKIPPED the k6 service: the grafana/k6 image cannot be pulled or built here (no registry); its definition passed 'compose config' above"

# --- 4. assertions --------------------------------------------------------------------------
STACK_PROMETHEUS_URL="$prom_url" STACK_NGINX_URL="$nginx_url" STACK_TESTID="$testid" STACK_SUMMARY="$work/summary.json" \
  npx vitest run --config test/stack/vitest.config.ts
status=$?
exit "$status"
