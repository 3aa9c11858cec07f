/**
 * What a worker thread is started with, and the one function that builds it from a run's settings:
 * cli/run.ts tells the prewarmed thread (prewarm.ts) its WorkerStart before the runner loads, and
 * the run's own threads (run-test.ts, the plan) get theirs from the same builder, so prewarm.ts can
 * compare the two whole and a field added here is compared too.
 */
import type { LogFormat } from '../log.ts';
import { logExtrasOf, type LogExtras } from './logging.ts';

/** What a worker thread is started with (workerData). Every thread can play both roles. */
export interface WorkerStart {
  scriptPath: string;
  logOutput: string;
  verbose: boolean;
  /** --log-format and --console-output, so worker threads log like the main thread. */
  logExtras?: LogExtras;
}

/** A run's WorkerStart from its consolidated settings (the console file resolved against `cwd`). */
export function workerStartOf(scriptPath: string, settings: { logOutput: string; verbose: boolean; logFormat?: LogFormat; consoleOutput?: string }, cwd: string): WorkerStart {
  return { scriptPath, logOutput: settings.logOutput, verbose: settings.verbose, logExtras: logExtrasOf(settings, cwd) };
}

