#!/bin/sh
# One pod of the Indexed Job `aetos-load k8s` writes: pod i runs segment i of the sequence, after
# every pod has arrived (barrier on the shared volume) and not before AETOS_START_AT (epoch
# seconds), so the segments run together. Its result goes to the shared volume and, framed as an
# `@aetos-load-segment` line, to its log, for `aetos-load merge`.
#
# Environment (set by the manifest): JOB_COMPLETION_INDEX (Kubernetes), SEGMENTS (the segments of
# the sequence, space-separated), SEQUENCE, PARALLELISM, RESULTS (a folder on the shared volume, or
# empty for logs only), AETOS_START_AT (optional), BARRIER_TIMEOUT (s), AETOS_LOAD (the command),
# AETOS_ARGS (more `run` flags), SCRIPT (the bundle).
set -eu
i="${JOB_COMPLETION_INDEX:?this pod is not part of an Indexed Job}"
set -- $SEGMENTS
shift "$i"
segment="$1"

if [ -n "${RESULTS:-}" ]; then
  mkdir -p "$RESULTS"
  touch "$RESULTS/.ready-$i"
  arrived() { ls -A "$RESULTS" | grep -c '^\.ready-' || true; }
  waited=0
  while [ "$(arrived)" -lt "$PARALLELISM" ]; do
    if [ "$waited" -ge "${BARRIER_TIMEOUT:-600}" ]; then
      echo "segment $segment: only $(arrived) of $PARALLELISM pods arrived in ${BARRIER_TIMEOUT:-600} s; giving up" >&2
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
fi

if [ -n "${AETOS_START_AT:-}" ]; then
  now=$(date +%s)
  if [ "$AETOS_START_AT" -gt "$now" ]; then
    echo "segment $segment: waiting $((AETOS_START_AT - now)) s for the common start"
    sleep $((AETOS_START_AT - now))
  fi
fi

out=""
if [ -n "${RESULTS:-}" ]; then out="--out segment=$RESULTS/segment-$i.json"; fi
code=0
# shellcheck disable=SC2086 # AETOS_LOAD and AETOS_ARGS are word lists
$AETOS_LOAD run --execution-segment "$segment" --execution-segment-sequence "$SEQUENCE" \
  --out segment=- $out $AETOS_ARGS "$SCRIPT" || code=$?
# The run's own exit code, for the merge Job: a segment that failed (script error, abort, stopped)
# makes the whole test's verdict a failure, whatever its metrics say.
if [ -n "${RESULTS:-}" ]; then echo "$code" > "$RESULTS/exit-$i"; fi
# 99 is this segment's own threshold verdict, not the test's: the merge judges the whole test, and a
# failed pod would make the Job stop the other segments. Any other failure fails the pod.
if [ "$code" -eq 99 ]; then
  echo "segment $segment: thresholds crossed in this segment's share (exit 99); the merge gives the verdict"
  code=0
fi
exit "$code"
