/**
 * How a run ended, and the exit code that follows from it: one pure function, in k6's order of
 * precedence. The run flow records what happened (run-test.ts); nothing else decides the code.
 *
 *   an engine error (bad config 104, script exception 107, setup/teardown timeout 100/101, init or
 *   handleSummary timeout 102, out of memory 107)         → its own code
 *   writing the summary or an output failed             → its own code
 *   exec.test.abort()                                  → 108
 *   Ctrl-C / SIGTERM / AbortSignal                     → 105
 *   a threshold crossed (at the end, or abortOnFail)   → 99
 *   exec.test.fail()                                   → 110
 *   otherwise                                          → 0
 */
import { ExitCode } from '../errors.ts';
import type { ExitCodeValue } from '../errors.ts';

export interface RunOutcome {
  /** The first engine error (its exit code), if any. */
  errorCode?: ExitCodeValue;
  /** exec.test.abort() was called (setup, a VU, teardown). */
  aborted: boolean;
  /** A stop signal (Ctrl-C, SIGTERM, the embedder's AbortSignal) arrived. */
  signalled: boolean;
  /** An abortOnFail threshold stopped the test. */
  thresholdsAborted: boolean;
  /** The final evaluation found a crossed threshold. */
  thresholdsFailed: boolean;
  /** exec.test.fail() was called. */
  markedFailed: boolean;
  /** Writing the summary or an output failed (its code; counts only when nothing else failed). */
  resultsErrorCode?: ExitCodeValue;
}

export function exitCodeOf(o: RunOutcome): ExitCodeValue {
  if (o.errorCode !== undefined && o.errorCode !== ExitCode.OK) return o.errorCode;
  if (o.resultsErrorCode !== undefined && o.resultsErrorCode !== ExitCode.OK) return o.resultsErrorCode;
  if (o.aborted) return ExitCode.ScriptAborted;
  if (o.signalled) return ExitCode.ExternalAbort;
  if (o.thresholdsFailed || o.thresholdsAborted) return ExitCode.ThresholdsHaveFailed;
  if (o.markedFailed) return ExitCode.MarkedAsFailed;
  return ExitCode.OK;
}
