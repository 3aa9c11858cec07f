/**
 * A script's consolidated options without running the test, for `aetos-load inspect` and
 * `aetos-load archive` (k6 evaluates the init code once for both). The init code runs where `run`
 * runs it: in a worker thread under the init time limit (LifecycleHost.readOptions), never on the
 * main thread. Then defaults < config file < script < K6_* env < flags, as for a run.
 */
import { consolidate, layerFromEnv } from '../config/index.ts';
import type { ConfigLayer, Consolidated } from '../config/index.ts';
import type { Logger } from '../log.ts';
import { LifecycleHost } from './lifecycle-host.ts';
import { workerStartOf } from './worker-start.ts';
import { normalizeScenarios } from './ports.ts';
import { defaultWorkerMemoryMb } from '../config/threads.ts';
import { defaultLifecycleMs } from './test-plan.ts';

export interface ScriptOptionsInput {
  scriptPath: string;
  flags: ConfigLayer;
  processEnv: NodeJS.ProcessEnv;
  cwd: string;
  log: Logger;
  /** Options that replace the script's own (an archive's metadata.json). */
  scriptOptions?: Record<string, unknown>;
}

export interface ScriptOptions {
  config: Consolidated;
  /** The script's own `options` export, as JSON. */
  scriptOptions: Record<string, unknown>;
  /** The consolidated options with `scenarios` derived from the shortcuts (vus/duration/stages/iterations). */
  options: Record<string, unknown>;
  /** Absolute paths of the files the init code open()ed (for `archive`). */
  opened: string[];
}

export async function readScriptOptions(input: ScriptOptionsInput): Promise<ScriptOptions> {
  const envLayer = layerFromEnv(input.processEnv);
  const preliminary = consolidate({ script: {}, env: envLayer, flags: input.flags, processEnv: input.processEnv, cwd: input.cwd });
  const settings = preliminary.settings;
  const host = new LifecycleHost(
    workerStartOf(input.scriptPath, settings, input.cwd),
    {
      delta: () => {},
      stderr: (chunk) => process.stderr.write(chunk),
      logOnce: (key, level, msg, fields) => input.log.once(key, level, msg, fields),
      abort: () => {},
      fail: () => {},
    },
  );
  let exported: Record<string, unknown>;
  let opened: string[];
  try {
    const read = await host.readOptions(
      preliminary.scriptEnv,
      settings.initTimeoutMs ?? defaultLifecycleMs,
      settings.workerMemoryMb ?? defaultWorkerMemoryMb(1),
      new AbortController().signal,
    );
    exported = read.options;
    opened = read.opened;
  } finally {
    await host.close();
  }
  const scriptOptions = input.scriptOptions ?? exported;
  const config = consolidate({ script: scriptOptions, env: envLayer, flags: input.flags, processEnv: input.processEnv, cwd: input.cwd });
  const scenarios = normalizeScenarios(config.options) as unknown as Record<string, unknown>;
  return { config, scriptOptions, options: { ...config.options, scenarios }, opened };
}
