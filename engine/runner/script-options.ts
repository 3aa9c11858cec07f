/**
 * A script's consolidated options without running the test: load it, evaluate its init code once
 * on one VU (k6 does the same for `inspect` and `archive`), read `export const options`, and merge
 * defaults < config file < script < K6_* env < flags. Used by `aetos-load inspect` and
 * `aetos-load archive`; `run` does the same steps inline (run-test.ts) with its metrics attached.
 */
import { consolidate, layerFromEnv } from '../config/index.ts';
import type { ConfigLayer, Consolidated } from '../config/index.ts';
import { EngineError, IterationInterrupted, ScriptLoadError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { createCollector } from './metrics-bridge.ts';
import { createVu, loadScript, normalizeScenarios } from './ports.ts';
import type { LoadedScript } from './ports.ts';

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
  script: LoadedScript;
  config: Consolidated;
  /** The script's own `options` export, as JSON. */
  scriptOptions: Record<string, unknown>;
  /** The consolidated options with `scenarios` derived from the shortcuts (vus/duration/stages/iterations). */
  options: Record<string, unknown>;
}

export async function readScriptOptions(input: ScriptOptionsInput): Promise<ScriptOptions> {
  const script = await loadScript(input.scriptPath);
  const envLayer = layerFromEnv(input.processEnv);
  const preliminary = consolidate({ script: {}, env: envLayer, flags: input.flags, processEnv: input.processEnv, cwd: input.cwd });
  let exported: unknown;
  try {
    const vu = await createVu(script, {
      idInInstance: 0,
      idInTest: 0,
      env: preliminary.scriptEnv,
      options: {},
      sink: createCollector(),
      log: input.log,
      instance: () => ({ iterationsInterrupted: 0, iterationsCompleted: 0, vusActive: 0, vusInitialized: 0, currentTestRunDuration: 0 }),
      test: {
        abort(): never {
          throw new IterationInterrupted('abort');
        },
        fail() {},
      },
    });
    exported = (vu.exports as Record<string, unknown>).options;
    await vu.close();
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw new ScriptLoadError(`init: ${(err as Error)?.message ?? String(err)}`);
  }
  const scriptOptions = input.scriptOptions ?? (exported && typeof exported === 'object' ? (JSON.parse(JSON.stringify(exported)) as Record<string, unknown>) : {});
  const config = consolidate({ script: scriptOptions, env: envLayer, flags: input.flags, processEnv: input.processEnv, cwd: input.cwd });
  const scenarios = normalizeScenarios(config.options) as unknown as Record<string, unknown>;
  return { script, config, scriptOptions, options: { ...config.options, scenarios } };
}
