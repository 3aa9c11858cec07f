/**
 * Ctrl-C and SIGTERM during a run, as in k6: the first stops the test gracefully (executors see
 * their signal aborted and honour gracefulStop; summary and outputs are still written; exit 105),
 * the second stops at once (running iterations are interrupted, what was gathered is still written).
 * The handlers exist only while a run is in progress, so `main(argv)` stays re-entrant.
 */
export interface StopHandlers {
  graceful(signal: NodeJS.Signals): void;
  hard(signal: NodeJS.Signals): void;
}

export interface SignalWatch {
  /** How many stop signals arrived. */
  readonly count: number;
  dispose(): void;
}

export function watchStopSignals(handlers: StopHandlers, proc: NodeJS.Process = process): SignalWatch {
  let count = 0;
  const on = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) handlers.graceful(sig);
    else handlers.hard(sig);
  };
  const onInt = () => on('SIGINT');
  const onTerm = () => on('SIGTERM');
  proc.on('SIGINT', onInt);
  proc.on('SIGTERM', onTerm);
  return {
    get count() {
      return count;
    },
    dispose() {
      proc.off('SIGINT', onInt);
      proc.off('SIGTERM', onTerm);
    },
  };
}
