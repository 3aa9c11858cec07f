/**
 * Where an instance runs, seen from the main thread: in-process (`--workers 1`) or in a worker
 * thread (one per execution segment). Both look the same to the run flow: init, start, graceful and
 * hard stop, live stats and progress, and a stream of metric deltas handed to `onDelta`.
 */
import type { LogFields, LogLevel } from '../log.ts';
import type { InstanceStats, ScenarioStatus } from './instance.ts';
import type { LogExtras } from './logging.ts';

/** What an instance needs to know to build itself (structured-cloneable: it crosses to workers). */
export interface InstancePlan {
  scriptPath: string;
  options: Record<string, unknown>;
  env: Record<string, string>;
  scenarios: Record<string, Record<string, unknown>>;
  segment?: string;
  sequence?: string;
  idOffset: number;
  /** -v and --log-output, so worker threads log like the main thread. */
  verbose: boolean;
  logOutput: string;
  /** --log-format and --console-output. */
  logExtras?: LogExtras;
  /** Collectors keep raw samples (for --out outputs). */
  keepSamples: boolean;
}

export interface HostEvents {
  /** A metrics delta (the metrics layer's structured-cloneable MetricsDelta). */
  delta(delta: unknown): void;
  abort(reason: string | undefined): void;
  fail(reason: string | undefined): void;
  /** A worker thread's stderr (its log lines), to be written above the progress block. */
  stderr?(chunk: Uint8Array): void;
  /** A worker thread's once-only log line (k6 warns once per distinct error, not once per thread). */
  logOnce?(key: string, level: LogLevel, msg: string, fields: LogFields): void;
}

export interface InstanceHost {
  /** Loads the script, creates executors, initialises the planned VUs. Rejects with an EngineError. */
  init(): Promise<void>;
  /** Runs the scenarios; resolves when they ended and the last delta was delivered. */
  run(startEpoch: number, setupData: string | undefined): Promise<void>;
  stopGraceful(): void;
  stopHard(): void;
  /** The latest counters known without asking (progress display). */
  stats(): InstanceStats;
  /** Counters as of now (asks a worker thread; at most ~1 s old if it does not answer in time). */
  freshStats(): Promise<InstanceStats>;
  progress(): ScenarioStatus[];
  close(): Promise<void>;
}

export const emptyStats = (): InstanceStats => ({ vusActive: 0, vusInitialized: 0, iterationsCompleted: 0, iterationsInterrupted: 0 });
