/**
 * Where an instance runs, seen from the coordinator: one worker thread per execution segment
 * (worker-host.ts). The run flow sees init, run, graceful and hard stop, live stats and progress,
 * and a stream of metric deltas.
 */
import type { InstanceStats, ScenarioStatus } from './instance.ts';

export interface InstanceHost {
  /** Starts the instance's thread (resolves once it runs: limits on init code count from then). */
  start(): Promise<void>;
  /** Starts the instance, loads the script, creates executors, initialises the planned VUs. Rejects with an EngineError. */
  init(): Promise<void>;
  /** Runs the scenarios; resolves when they ended (or their worker was terminated) and the last delta was delivered. */
  run(startEpoch: number, setupData: string | undefined): Promise<void>;
  stopGraceful(): void;
  stopHard(): void;
  /** Ends the instance at once, whatever it runs. */
  terminate(): Promise<void>;
  /** The latest counters known without asking (progress display). */
  stats(): InstanceStats;
  /** Counters as of now (asks a worker thread; at most ~1 s old if it does not answer in time). */
  freshStats(): Promise<InstanceStats>;
  progress(): ScenarioStatus[];
  close(): Promise<void>;
}

export const emptyStats = (): InstanceStats => ({ vusActive: 0, vusInitialized: 0, iterationsCompleted: 0, iterationsInterrupted: 0 });
