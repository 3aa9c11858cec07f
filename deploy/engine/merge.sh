#!/bin/sh
# The merge Job `aetos-load k8s` writes: waits until every segment pod has finished (its `exit-i`
# file) or written its result, then merges the results into the whole test's summary (summary.txt,
# summary.json, junit.xml, merged.json) and verdict (the file `verdict` holds the exit code: 0
# passed, 99 a threshold crossed, 1 the results are incomplete, or the exit code of a segment whose
# run failed). The Job succeeds or fails with the verdict, so
# `kubectl wait --for=condition=complete job/NAME-merge` answers it.
#
# Environment: RESULTS (the folder the segments write), PARALLELISM, AETOS_LOAD (the command),
# WAIT_TIMEOUT (s, how long to wait for the segments).
set -eu
count() { ls "$RESULTS" 2>/dev/null | grep -c "$1" || true; }
waited=0
while [ "$(count '^segment-.*\.json$')" -lt "$PARALLELISM" ] || [ "$(count '^exit-')" -lt "$PARALLELISM" ]; do
  if [ "$waited" -ge "${WAIT_TIMEOUT:-7200}" ]; then
    echo "merge: after ${WAIT_TIMEOUT:-7200} s, $(count '^segment-.*\.json$') of $PARALLELISM segment results and $(count '^exit-') finished pods" >&2
    break
  fi
  sleep 2
  waited=$((waited + 2))
done
# A segment whose own run failed (anything but 0, or 99 for its share's thresholds) fails the test.
failed=0
for f in "$RESULTS"/exit-*; do
  [ -e "$f" ] || continue
  c=$(cat "$f")
  if [ "$c" -ne 0 ] && [ "$c" -ne 99 ]; then
    echo "merge: segment ${f##*/exit-} ended with exit code $c: the test did not run as planned" >&2
    [ "$failed" -ne 0 ] || failed=$c
  fi
done
code=0
# shellcheck disable=SC2086 # AETOS_LOAD is a word list
$AETOS_LOAD merge --no-color --summary-export "$RESULTS/summary.json" --out "junit=$RESULTS/junit.xml" \
  --out "segment=$RESULTS/merged.json" "$RESULTS"/segment-*.json > "$RESULTS/summary.txt" || code=$?
cat "$RESULTS/summary.txt"
if [ "$failed" -ne 0 ]; then code=$failed; fi
echo "$code" > "$RESULTS/verdict"
case "$code" in
  0) what=passed ;;
  99) what='thresholds crossed' ;;
  1) what='incomplete results' ;;
  *) what='a segment failed' ;;
esac
echo "verdict: exit code $code ($what)"
exit "$code"
