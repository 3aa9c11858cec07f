/**
 * The messages between the main thread and a worker thread running one instance (segment).
 *
 *   main → worker: init, run, stop, close, stats (fresh counters for the once-a-second vus sample)
 *   worker → main: ready | failed (init), tick (every 500 ms while running: metrics delta, stats,
 *                  progress), abort / fail (exec.test.*), done (last delta), closed,
 *                  logOnce (a once-only log line: the main thread decides whether it was seen)
 */
import type { LogFields, LogLevel } from '../log.ts';
import type { InstanceStats, ScenarioStatus } from './instance.ts';

export type ToWorker =
  | { type: 'init' }
  | { type: 'run'; startEpoch: number; setupData: string | undefined }
  | { type: 'stop'; hard: boolean }
  | { type: 'stats' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; stats: InstanceStats }
  | { type: 'failed'; message: string; exitCode: number }
  | { type: 'tick'; delta: unknown; stats: InstanceStats; progress: ScenarioStatus[] }
  | { type: 'stats'; stats: InstanceStats }
  | { type: 'abort'; reason: string | undefined }
  | { type: 'fail'; reason: string | undefined }
  | { type: 'done'; delta: unknown; stats: InstanceStats; progress: ScenarioStatus[] }
  | { type: 'closed'; delta: unknown }
  | { type: 'logOnce'; key: string; level: LogLevel; msg: string; fields: LogFields };
