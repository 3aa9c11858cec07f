#!/bin/sh
# The merge Job `aetos-load k8s` writes: waits until every segment's result is on the shared volume,
# then merges them into the whole test's summary (summary.txt, summary.json, junit.xml) and verdict
# (the file `verdict` holds the exit code: 0 passed, 99 a threshold crossed). The Job succeeds or
# fails with the verdict, so `kubectl wait --for=condition=complete job/NAME-merge` answers it.
#
# Environment: RESULTS (the folder the segments write), PARALLELISM, AETOS_LOAD (the command),
# WAIT_TIMEOUT (s, how long to wait for the segments).
set -eu
waited=0
while [ "$(ls "$RESULTS" 2>/dev/null | grep -c '^segment-.*\.json$' || true)" -lt "$PARALLELISM" ]; do
  if [ "$waited" -ge "${WAIT_TIMEOUT:-7200}" ]; then
    echo "merge: only $(ls "$RESULTS" | grep -c '^segment-.*\.json$' || true) of $PARALLELISM segment results after ${WAIT_TIMEOUT:-7200} s" >&2
    echo 1 > "$RESULTS/verdict"
    exit 1
  fi
  sleep 5
  waited=$((waited + 5))
done
code=0
# shellcheck disable=SC2086 # AETOS_LOAD is a word list
$AETOS_LOAD merge --no-color --summary-export "$RESULTS/summary.json" --out "junit=$RESULTS/junit.xml" \
  --out "segment=$RESULTS/merged.json" "$RESULTS"/segment-*.json > "$RESULTS/summary.txt" || code=$?
cat "$RESULTS/summary.txt"
echo "$code" > "$RESULTS/verdict"
echo "verdict: exit code $code ($( [ "$code" -eq 0 ] && echo passed || { [ "$code" -eq 99 ] && echo 'thresholds crossed' || echo 'merge failed'; }))"
exit "$code"
