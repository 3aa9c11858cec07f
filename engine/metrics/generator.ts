/**
 * Whether the load generator itself was the bottleneck (issue 21). Each instance (worker thread)
 * measures itself every window (the 500 ms between its metric deltas) and records three built-in
 * metrics; this file holds the rule that judges one window and the one line the end-of-test
 * summary, run.json and the report carry when the generator was saturated for a meaningful part of
 * the run.
 *
 *  - `generator_event_loop_delay` (trend, ms): per window, the p99 of the thread's event-loop delay
 *    beyond what was asked (a timer due every `resolution` ms fired this much later). A VU whose
 *    response or sleep ended while the thread was busy resumed this much later: the delay is in
 *    every latency the thread measured meanwhile.
 *  - `generator_cpu` (trend, fraction of one core): per window, the CPU time the thread used
 *    divided by the window's wall time (thread CPU where the platform gives it, else the event-loop
 *    utilisation).
 *  - `generator_saturated` (rate): per window, 1 when the window was saturated (rule below).
 *
 * The rule looks at the thread's own work, not at the host's clock: the event-loop utilisation
 * (the share of the window the thread spent running callbacks rather than waiting for I/O or
 * timers) says whether the thread had work queued all the time. A light run on a loaded host
 * waits for its sockets and sleeps most of the time, so its utilisation stays low however late the
 * host schedules it.
 */
/** The timer resolution of the event-loop delay monitor (ms); the delay recorded is beyond it. */
export const loopDelayResolutionMs = 10;

/** A window is saturated when the thread ran callbacks this share of it (no idle time left)… */
export const saturatedUtilization = 0.9;
/** …or ran them at least this share of it while its timers came this late (p99, ms beyond asked). */
export const busyUtilization = 0.5;
export const busyDelayMs = 20;

/** The run is reported when this share of the measured windows was saturated… */
export const saturatedShare = 0.1;
/** …and at least this many windows (1 s at the 500 ms delta interval). */
export const saturatedMinWindows = 2;

export interface GeneratorWindow {
  /** Event-loop utilisation over the window, 0..1. */
  utilization: number;
  /** p99 event-loop delay beyond the monitor's resolution, ms. */
  delayMs: number;
}

export function windowSaturated(w: GeneratorWindow): boolean {
  return w.utilization >= saturatedUtilization || (w.utilization >= busyUtilization && w.delayMs >= busyDelayMs);
}

export interface GeneratorVerdict {
  /** Share of the measured windows (over every worker) that were saturated, 0..1. */
  saturatedShare: number;
  /** The largest per-window event-loop delay of the run (ms), when the summary has it. */
  maxDelayMs: number | undefined;
  /** The one line, e.g. "the load generator was saturated for 41 % of the run: …". */
  message: string;
}

type Values = Record<string, number | undefined>;

/**
 * The verdict from the end-of-test metric values (`values(name)`: handleSummary's `metrics[name].values`,
 * or a `--summary-export` file's `metrics[name]`, whose rates also carry passes and fails); undefined when the generator was not saturated
 * for a meaningful part of the run (or the run has no generator metrics: `--runner k6`, old runs).
 */
export function generatorVerdict(values: (metric: string) => Values | undefined): GeneratorVerdict | undefined {
  const sat = values('generator_saturated');
  const passes = sat?.passes ?? 0;
  const total = passes + (sat?.fails ?? 0);
  if (total === 0 || passes < saturatedMinWindows || passes / total < saturatedShare) return undefined;
  const share = passes / total;
  // summaryTrendStats may leave max out: the highest percentile shown is the next best bound
  const d = values('generator_event_loop_delay');
  const maxDelayMs = d?.max ?? d?.['p(99)'] ?? d?.['p(95)'] ?? d?.['p(90)'];
  const pct = Math.round(share * 100);
  const delay = maxDelayMs === undefined ? 'latencies include its own delay' : `latencies include up to ${Math.round(maxDelayMs)} ms of its own delay`;
  return { saturatedShare: share, maxDelayMs, message: `the load generator was saturated for ${pct} % of the run: ${delay}; use more workers or machines` };
}
