/**
 * From consolidated k6 options to validated scenario configs, by k6's rules:
 *   - `iterations` (with optional `vus`, and `duration` as its maxDuration) → a `default`
 *     shared-iterations scenario;
 *   - `duration` (with optional `vus`) → a `default` constant-vus scenario;
 *   - `stages` (with `vus` as startVUs) → a `default` ramping-vus scenario;
 *   - `scenarios` → as written; nothing at all → `default`: per-vu-iterations, 1 VU, 1 iteration.
 * Two of iterations/duration/stages, or a shortcut together with `scenarios`, are refused (the
 * config layer has already let a higher-precedence layer's shortcut replace lower `scenarios`).
 * Every error is a ConfigError naming the option path and why (exit 104).
 */
import { ConfigError } from '../errors.ts';
import { OptionReader, show } from './base-config.ts';
import { EXECUTOR_TYPES, executors, isExecutorType, type ScenarioConfig } from './registry.ts';

export const DEFAULT_SCENARIO = 'default';

const NAME = /^[0-9A-Za-z_-]+$/;

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** Validates one scenario's raw options (as in `options.scenarios[name]`) into its config. */
export function readScenario(name: string, raw: unknown, path: (key: string) => string = (k) => `scenarios.${name}.${k}`): ScenarioConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`scenarios.${name}`, `expected an object with an executor, got ${show(raw)}`);
  }
  const r: OptionReader = new OptionReader(raw as Record<string, unknown>, path);
  const executor = (raw as Record<string, unknown>).executor;
  if (!isSet(executor)) r.fail('executor', `is required, one of ${EXECUTOR_TYPES.join(', ')}`);
  if (!isExecutorType(executor)) {
    const why = executor === 'externally-controlled' ? 'is not supported by this engine' : 'is not a k6 executor';
    r.fail('executor', `${show(executor)} ${why}; use one of ${EXECUTOR_TYPES.join(', ')}`);
  }
  return executors[executor].read(r);
}

/** Shortcut options mapped onto the option keys of the scenario they create. */
function shortcutPath(mapping: Record<string, string>): (key: string) => string {
  return (key) => {
    const [head, ...rest] = key.split(/(?=[.[])/);
    const top = mapping[head] ?? `scenarios.${DEFAULT_SCENARIO}.${head}`;
    return top + rest.join('');
  };
}

/**
 * k6's consolidated options → scenario name → normalised config (durations in ms, defaults
 * applied). Throws ConfigError (exit 104) on the first invalid option.
 */
export function normalizeScenarios(options: Record<string, unknown>): Record<string, ScenarioConfig> {
  const { vus, duration, iterations, stages, scenarios } = options;
  const shortcuts = (['iterations', 'duration', 'stages'] as const).filter((k) => isSet(options[k]) && !(k === 'stages' && Array.isArray(stages) && stages.length === 0));
  if (shortcuts.includes('stages') && shortcuts.length > 1) {
    const other = shortcuts.find((k) => k !== 'stages')!;
    throw new ConfigError('stages', `can't be used together with \`${other}\`; use one execution shortcut, or \`scenarios\``);
  }
  if (shortcuts.length > 0 && isSet(scenarios)) {
    throw new ConfigError(shortcuts[0], 'the execution shortcut and `scenarios` can\'t be used together; move it into a scenario');
  }
  if (isSet(vus)) {
    if (typeof vus !== 'number' || !Number.isInteger(vus)) throw new ConfigError('vus', `expected a whole number, got ${show(vus)}`);
    if (vus < 0) throw new ConfigError('vus', `must not be negative, got ${vus}`);
  }
  const common = { vus: 'vus', iterations: 'iterations', stages: 'stages', startVUs: 'vus' };

  if (isSet(iterations)) {
    const raw: Record<string, unknown> = { executor: 'shared-iterations', iterations, vus };
    if (isSet(duration)) raw.maxDuration = duration;
    return { [DEFAULT_SCENARIO]: readScenario(DEFAULT_SCENARIO, raw, shortcutPath({ ...common, maxDuration: 'duration' })) };
  }
  if (isSet(duration)) {
    return { [DEFAULT_SCENARIO]: readScenario(DEFAULT_SCENARIO, { executor: 'constant-vus', duration, vus }, shortcutPath({ ...common, duration: 'duration' })) };
  }
  if (shortcuts.includes('stages')) {
    return { [DEFAULT_SCENARIO]: readScenario(DEFAULT_SCENARIO, { executor: 'ramping-vus', stages, startVUs: vus }, shortcutPath(common)) };
  }
  if (isSet(scenarios)) {
    if (typeof scenarios !== 'object' || Array.isArray(scenarios)) throw new ConfigError('scenarios', `expected an object of named scenarios, got ${show(scenarios)}`);
    const entries = Object.entries(scenarios as Record<string, unknown>);
    if (entries.length === 0) throw new ConfigError('scenarios', 'at least one scenario is required');
    const out: Record<string, ScenarioConfig> = {};
    for (const [name, raw] of entries) {
      if (!NAME.test(name)) throw new ConfigError(`scenarios.${name}`, 'a scenario name may contain only letters, digits, underscores and dashes');
      out[name] = readScenario(name, raw);
    }
    return out;
  }
  return { [DEFAULT_SCENARIO]: readScenario(DEFAULT_SCENARIO, { executor: 'per-vu-iterations', vus: 1, iterations: 1 }) };
}
