/**
 * The messages between the coordinator (main thread) and its worker threads. Two roles run in
 * workers, both from the one bundled entry (worker-main.ts); the first thread plays both (it reads
 * the options, runs setup, instance 0's VUs, teardown and handleSummary), which saves a thread's
 * start-up on every run:
 *
 *  - `instance`: one execution segment of the test (its executors and VUs).
 *      main → worker: init (the TestPlan, which of its instances, the shared per-scenario running-iteration
 *                     counters, and where to resume when it replaces a terminated thread), run, stop, close,
 *                     stats (fresh counters for the once-a-second vus sample)
 *      worker → main: ready | failed (init), tick (every 500 ms while running: metrics delta, stats,
 *                     progress), abort / fail (exec.test.*), done (last delta), closed
 *  - `lifecycle`: the script's one-off VUs: the init VU that reads `options`, then the VU that runs
 *      setup(), teardown() and handleSummary().
 *      main → worker: options, configure (the TestPlan), call (setup/teardown/handleSummary)
 *      worker → main: options | configured | result, or failed; abort / fail
 *
 * A thread starts loading the script (read, bundle, transform, compile: no script code runs) as soon
 * as it starts, so the coordinator can start it before the plan is known and save that time.
 * Both send logOnce (a once-only log line: the main thread decides whether it was seen already).
 * Everything here is structured-cloneable; the coordinator runs no script code, so every answer the
 * script gives (options, setup data, handleSummary's files) arrives as one of these messages.
 */
import type { LogFields, LogLevel } from '../log.ts';
import type { WorkerStart } from './worker-start.ts';
import type { InstanceResume, InstanceStats, ScenarioStatus } from './instance.ts';
import type { TestPlan } from './test-plan.ts';

/** How often an instance hands its metrics to the main thread (ms). */
export const deltaIntervalMs = 500;

/**
 * workerData of a thread `run` started before it knew what to run (prewarm.ts): such a thread gets
 * its WorkerStart as its first message (`{ type: 'start' }`) instead of as workerData.
 */
export const prewarmedMarker = { prewarmed: true } as const;

export function isPrewarmed(data: unknown): boolean {
  return (data as { prewarmed?: unknown } | null)?.prewarmed === true;
}

export type Role = 'instance' | 'lifecycle';

export type LifecycleName = 'setup' | 'teardown' | 'handleSummary';

export type ToWorker =
  /** The first message to a prewarmed thread (prewarm.ts), which was started without its workerData. */
  | { type: 'start'; start: WorkerStart }
  /** `running`: per scenario, iterations running now (shared memory the coordinator reads); `resume`: this thread replaces a terminated one. */
  | { type: 'init'; plan: TestPlan; index: number; running: SharedArrayBuffer; resume?: InstanceResume }
  | { type: 'run'; startEpoch: number; setupData: string | undefined }
  | { type: 'stop'; hard: boolean }
  | { type: 'stats' }
  | { type: 'close'; role: Role }
  | { type: 'options'; env: Record<string, string> }
  | { type: 'configure'; plan: TestPlan }
  | { type: 'call'; name: LifecycleName; arg: unknown };

export type FromWorker =
  | { type: 'ready'; stats: InstanceStats }
  /** The request of type `of` failed. */
  | { type: 'failed'; of: ToWorker['type']; message: string; exitCode: number; delta?: unknown }
  | { type: 'tick'; delta: unknown; stats: InstanceStats; progress: ScenarioStatus[] }
  | { type: 'stats'; stats: InstanceStats }
  | { type: 'abort'; reason: string | undefined }
  | { type: 'fail'; reason: string | undefined }
  | { type: 'done'; delta: unknown; stats: InstanceStats; progress: ScenarioStatus[] }
  | { type: 'closed'; role: Role; delta: unknown }
  | { type: 'logOnce'; key: string; level: LogLevel; msg: string; fields: LogFields }
  /** Log lines for the main thread's stderr or stdout, sent in order with everything else (see worker-main threadLogger). */
  | { type: 'output'; to: 'stderr' | 'stdout'; text: string }
  /** The script's `options` as JSON data, the metrics its init code defined, and init's samples. */
  | { type: 'options'; options: Record<string, unknown>; exports: string[]; definitions: [string, unknown][]; opened: string[]; delta: unknown }
  | { type: 'configured' }
  /** A lifecycle function's result (setup data as JSON text; handleSummary's map as is). */
  | { type: 'result'; value: unknown; delta: unknown };
