/**
 * The shapes config consolidation works on. A run is configured by two different things:
 *  - k6 options (`export const options` shape: vus, duration, scenarios, thresholds, tags, …), which the
 *    script sees as `exec.test.options` and which k6 lets scripts, `K6_*` env vars and flags all set;
 *  - run settings (how this process runs the test: workers, outputs, progress, colour, __ENV), which
 *    only env vars and flags set.
 * Each source (config file, script, env, flags) yields one `ConfigLayer`; consolidate.ts merges them.
 */

/** k6 options as a script exports them. Durations stay k6 strings ("30s") or numbers (ms), as in k6. */
export type K6Options = Record<string, unknown>;

export type RunnerKind = 'engine' | 'k6';

/** Everything about a run that is not a k6 option. */
export interface RunSettings {
  /** --workers: worker threads, one execution segment each; unset, the plan picks (config/threads.ts planWorkerCount). */
  workers?: number;
  runner: RunnerKind;
  /** No progress bars. */
  quiet: boolean;
  /** --progress-interval: how often a progress line is printed when stdout is not a terminal (ms; default 10 s). */
  progressIntervalMs?: number;
  noColor: boolean;
  /** Debug logging (-v). */
  verbose: boolean;
  /** `--out` entries as given (`json=results.json`, `csv=…`). */
  out: string[];
  summaryExport?: string;
  /** k6's --summary-mode: compact (default), full, disabled. */
  summaryMode?: string;
  /** Pass the process environment into __ENV (k6 run: true by default). */
  includeSystemEnvVars: boolean;
  /** `-e K=V` pairs, in order; later wins. */
  env: Record<string, string>;
  /** Where engine logs go: stderr (default), stdout, none, file=PATH. */
  logOutput: string;
  /** --config: a k6 JSON config file. */
  configFile?: string;
  /** --log-format: raw (message only) or json; logfmt text when unset. */
  logFormat?: 'raw' | 'json';
  /** --console-output FILE: console.* lines go to this file instead of the log. */
  consoleOutput?: string;
  /** --no-cache: fetch modules imported by URL again instead of using the module cache. */
  noCache?: boolean;
  /** --monitor URL: watch this deployment (ops/monitor) beside the run; its report goes with the results. */
  monitor?: string;
  /** How long init code may run (the options VU, each VU's init) before the run ends (ms; default 60 s). */
  initTimeoutMs?: number;
  /** Heap limit of each worker thread (MB; default: three quarters of the machine's memory, shared). */
  workerMemoryMb?: number;
}

/** What one source contributes. Only keys the source actually set are present. */
export interface ConfigLayer {
  options: K6Options;
  settings: Partial<RunSettings>;
}

export function emptyLayer(): ConfigLayer {
  return { options: {}, settings: {} };
}
