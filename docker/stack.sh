#!/usr/bin/env bash
# npm run stack:up | stack:down | stack:load -- <scenario> [--k6]: the compose stack (docker/README.md).
# Uses `docker compose` (v2) when present, else docker-compose v1 with --compatibility (which applies
# the deploy.resources limits). Secrets come from docker/.env.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
project="${COMPOSE_PROJECT_NAME:-aetos}"
if docker compose version >/dev/null 2>&1; then compose=(docker compose); else compose=(docker-compose --compatibility); fi
case "${1:-}" in
  up | down | load) ;;
  *)
    echo "usage: docker/stack.sh up | down [-v] | load <scenario> [--k6] [run flags]" >&2
    exit 2
    ;;
esac
env_file="${STACK_ENV_FILE:-$here/.env}"
if [ ! -f "$env_file" ]; then
  echo "stack: $env_file is missing: copy docker/.env.example to docker/.env and set its secrets" >&2
  exit 2
fi
dc() { "${compose[@]}" -p "$project" -f "$here/compose.yml" --env-file "$env_file" "$@"; }

cmd="${1:-}"
shift || true
case "$cmd" in
  up)
    dc --profile load build target aetos-load
    # One replica first: it migrates and seeds the database, then the others start on a seeded one.
    dc up -d --scale target=1 postgres redis target prometheus grafana
    for _ in $(seq 1 60); do
      [ "$(docker inspect -f '{{.State.Health.Status}}' $(dc ps -q target) 2>/dev/null)" = healthy ] && break
      sleep 5
    done
    dc up -d --scale "target=${TARGET_REPLICAS:-3}" target nginx
    dc ps
    ;;
  down)
    # Keeps the volumes (Postgres data, results, Prometheus); add -v to remove them too.
    dc down --remove-orphans "$@"
    ;;
  load)
    # Extra arguments go to the run (k6 flags), e.g. --no-thresholds; PROFILE comes from the env file.
    scenario="${1:-smoke}"
    shift || true
    if [ "${1:-}" = "--k6" ]; then
      (cd "$here/.." && node bin/aetos-load.js build)
      SCENARIO="$scenario" dc --profile k6 run --rm k6
    else
      dc --profile load run --rm aetos-load load "$scenario" -- --out experimental-prometheus-rw --tag "testid=${TESTID:-$scenario-$(date -u +%Y%m%dT%H%M%SZ)}" "$@"
    fi
    ;;
esac
