/**
 * Config consolidation as k6 documents it: defaults < config file (--config) < script options <
 * `K6_*` env vars < flags. One k6 rule beyond "higher wins": a layer that sets any of the execution
 * options (duration, iterations, stages, scenarios) replaces all four from the layers below it, so
 * `-d 10s` on the command line replaces the script's `scenarios` (and `-i 5` its `duration`).
 * Setting several of them in the same layer is left for scenario validation to refuse, as in k6.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import type { ConfigLayer, K6Options, RunSettings } from './types.ts';
import { fillStageTargets } from './values.ts';
import type { Stage } from './values.ts';

const executionKeys = ['duration', 'iterations', 'stages', 'scenarios'] as const;

export function defaultSettings(env: NodeJS.ProcessEnv = process.env): RunSettings {
  return {
    runner: 'engine',
    quiet: false,
    // k6 honours the NO_COLOR convention too.
    noColor: env.NO_COLOR !== undefined && env.NO_COLOR !== '',
    verbose: false,
    out: [],
    includeSystemEnvVars: true,
    env: {},
    logOutput: 'stderr',
  };
}

/** Applies `upper` over `lower` with k6's execution-options rule. Returns a new object. */
export function applyOptions(lower: K6Options, upper: K6Options): K6Options {
  const result: K6Options = { ...lower };
  if (executionKeys.some((k) => upper[k] !== undefined && upper[k] !== null)) {
    for (const k of executionKeys) delete result[k];
  }
  for (const [k, v] of Object.entries(upper)) if (v !== undefined) result[k] = v;
  return result;
}

/** Reads a k6 JSON config file: its top-level keys are options. */
export function layerFromConfigFile(file: string): ConfigLayer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('--config', `cannot read ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('--config', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('--config', `${file} must hold a JSON object of k6 options`);
  }
  return { options: parsed as K6Options, settings: {} };
}

export interface ConsolidateInput {
  /** The script's exported `options` (already plain data). */
  script: K6Options;
  env: ConfigLayer;
  flags: ConfigLayer;
  /** The process environment (for __ENV and defaults). */
  processEnv: NodeJS.ProcessEnv;
  /** Directory relative paths (--config) resolve against. */
  cwd?: string;
}

export interface Consolidated {
  options: K6Options;
  settings: RunSettings;
  /** __ENV as scripts see it: the process environment (unless --include-system-env-vars=false) plus -e pairs. */
  scriptEnv: Record<string, string>;
}

/** Run settings alone (no script needed): what the CLI must know before loading anything. */
export function consolidateSettings(env: ConfigLayer, flags: ConfigLayer, processEnv: NodeJS.ProcessEnv): RunSettings {
  const settings: RunSettings = { ...defaultSettings(processEnv) };
  for (const layer of [env, flags]) {
    for (const [k, v] of Object.entries(layer.settings)) if (v !== undefined) (settings as unknown as Record<string, unknown>)[k] = v;
  }
  return settings;
}

export function consolidate(input: ConsolidateInput): Consolidated {
  const settings = consolidateSettings(input.env, input.flags, input.processEnv);
  const fileLayer = settings.configFile
    ? layerFromConfigFile(path.resolve(input.cwd ?? process.cwd(), settings.configFile))
    : undefined;
  let options: K6Options = {};
  for (const layer of [fileLayer?.options, input.script, input.env.options, input.flags.options]) {
    if (layer) options = applyOptions(options, layer);
  }
  if (Array.isArray(options.stages)) {
    const start = typeof options.vus === 'number' ? options.vus : 1;
    options.stages = fillStageTargets(options.stages as Stage[], start);
  }
  if (settings.summaryMode === 'disabled') options.noSummary = true;
  const scriptEnv: Record<string, string> = {};
  if (settings.includeSystemEnvVars) {
    for (const [k, v] of Object.entries(input.processEnv)) if (v !== undefined) scriptEnv[k] = v;
  }
  Object.assign(scriptEnv, settings.env);
  return { options, settings, scriptEnv };
}
