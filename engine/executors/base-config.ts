/**
 * What every scenario has in common (k6's "common scenario options": executor, startTime,
 * gracefulStop, exec, env, tags) and the small option reader each executor uses to validate its
 * own options, so that every error names the full option path (e.g.
 * `scenarios.ramp.stages[1].duration`) and says why.
 *
 * Normalised configs hold plain numbers: durations in milliseconds, counts as integers.
 */
import { ConfigError } from '../errors.ts';
import { parseDuration } from '../duration.ts';
import type { Stage } from './stages.ts';

/** Options every scenario has, with k6's defaults applied. */
export interface CommonScenarioConfig {
  /** Each executor's config narrows this to its own name (registry.ts lists them). */
  executor: string;
  /** ms after the test start; default 0. */
  startTime: number;
  /** ms running iterations get after the scenario's end before they are interrupted; default 30 000. */
  gracefulStop: number;
  /** Name of the exported function each iteration calls; default "default". */
  exec: string;
  /** Extra __ENV entries for this scenario's iterations; default {}. */
  env: Record<string, string>;
  /** Extra tags on every sample of this scenario; default {}. */
  tags: Record<string, string>;
  /** k6's `options.browser.type`: the scenario's VUs may use k6/browser (only 'chromium'); absent otherwise. */
  options?: { browser: { type: 'chromium' } };
}

export const DEFAULT_GRACEFUL_STOP = 30_000;
/** k6 refuses scenario durations (duration, maxDuration) shorter than this. */
export const MIN_SCENARIO_DURATION = 1000;

/** Maps an option key of a scenario to the path an error should name. */
export type OptionPath = (key: string) => string;

/**
 * Reads one scenario's raw options. `path` turns a key into the name the user wrote: for
 * `scenarios.ramp` that is `scenarios.ramp.<key>`; for the shortcut-derived default scenario it
 * maps back to the top-level shortcut (`iterations`, `duration`, `stages[0].target`, …).
 */
export class OptionReader {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly path: OptionPath,
  ) {}

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  fail(key: string, reason: string): never {
    throw new ConfigError(this.path(key), reason);
  }

  /** A whole number (k6 reads these into integers), `fallback` when unset. */
  int(key: string, fallback?: number): number | undefined {
    if (!this.has(key)) return fallback;
    return this.wholeNumber(key, this.raw[key]);
  }

  /** A number that may have a fraction (arrival rates are whole in k6; we check that separately). */
  wholeNumber(key: string, v: unknown): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, `expected a whole number, got ${show(v)}`);
    if (!Number.isInteger(v)) this.fail(key, `expected a whole number, got ${v}`);
    return v;
  }

  duration(key: string, fallback?: number): number | undefined {
    if (!this.has(key)) return fallback;
    return parseDuration(this.raw[key], this.path(key));
  }

  string(key: string, fallback: string): string {
    if (!this.has(key)) return fallback;
    const v = this.raw[key];
    if (typeof v !== 'string') this.fail(key, `expected a string, got ${show(v)}`);
    return v;
  }

  stringMap(key: string): Record<string, string> {
    if (!this.has(key)) return {};
    const v = this.raw[key];
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(key, `expected an object of strings, got ${show(v)}`);
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (typeof val !== 'string') this.fail(`${key}.${k}`, `expected a string, got ${show(val)}`);
      out[k] = val;
    }
    return out;
  }

  /** k6 stages: a non-empty array of { duration, target }, neither negative. */
  stages(key: string, what: string): Stage[] {
    if (!this.has(key)) this.fail(key, `at least one stage is required`);
    const v = this.raw[key];
    if (!Array.isArray(v)) this.fail(key, `expected an array of { duration, target }, got ${show(v)}`);
    if (v.length === 0) this.fail(key, `at least one stage is required`);
    return v.map((s: unknown, i) => {
      const at = `${key}[${i}]`;
      if (typeof s !== 'object' || s === null || Array.isArray(s)) this.fail(at, `expected { duration, target }, got ${show(s)}`);
      const stage = s as Record<string, unknown>;
      if (stage.duration === undefined || stage.duration === null) this.fail(`${at}.duration`, 'is required');
      const duration = parseDuration(stage.duration, this.path(`${at}.duration`));
      if (duration < 0) this.fail(`${at}.duration`, `must not be negative, got ${String(stage.duration)}`);
      if (stage.target === undefined || stage.target === null) this.fail(`${at}.target`, `is required (the ${what} to reach)`);
      const target = this.wholeNumber(`${at}.target`, stage.target);
      if (target < 0) this.fail(`${at}.target`, `must not be negative, got ${target}`);
      return { duration, target };
    });
  }
}

/** Reads and checks the options every executor shares. */
export function readCommon<T extends string>(r: OptionReader, executor: T): CommonScenarioConfig & { executor: T } {
  const startTime = r.duration('startTime', 0)!;
  if (startTime < 0) r.fail('startTime', `must not be negative, got ${String(r.raw.startTime)}`);
  const gracefulStop = r.duration('gracefulStop', DEFAULT_GRACEFUL_STOP)!;
  if (gracefulStop < 0) r.fail('gracefulStop', `must not be negative, got ${String(r.raw.gracefulStop)}`);
  const exec = r.string('exec', 'default');
  if (!/^[A-Za-z_$][\w$]*$/.test(exec)) r.fail('exec', `"${exec}" is not the name of an exported function`);
  const common: CommonScenarioConfig & { executor: T } = { executor, startTime, gracefulStop, exec, env: r.stringMap('env'), tags: r.stringMap('tags') };
  const browser = readBrowserOption(r);
  if (browser) common.options = { browser: { type: browser } };
  return common;
}

/** `options: { browser: { type: 'chromium' } }` (k6/browser scenarios); k6 knows only chromium. */
function readBrowserOption(r: OptionReader): 'chromium' | undefined {
  if (!r.has('options')) return undefined;
  const o = r.raw.options;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) r.fail('options', `expected an object such as { browser: { type: 'chromium' } }, got ${show(o)}`);
  const b = (o as Record<string, unknown>).browser;
  if (b === undefined || b === null) return undefined;
  if (typeof b !== 'object' || Array.isArray(b)) r.fail('options.browser', `expected { type: 'chromium' }, got ${show(b)}`);
  const type = (b as Record<string, unknown>).type;
  if (type !== 'chromium') r.fail('options.browser.type', `must be "chromium" (the only browser k6 drives), got ${show(type)}`);
  return 'chromium';
}

/** A required or defaulted count that must be at least `min`. */
export function readCount(r: OptionReader, key: string, fallback: number | undefined, min: number, what: string): number {
  const v = r.int(key, fallback);
  if (v === undefined) r.fail(key, `is required (${what})`);
  if (v < min) r.fail(key, min === 0 ? `must not be negative, got ${v}` : `must be at least ${min}, got ${v}`);
  return v;
}

/** A scenario-length duration (duration, maxDuration): required unless defaulted, at least 1s as in k6. */
export function readScenarioDuration(r: OptionReader, key: string, fallback?: number): number {
  const v = r.duration(key, fallback);
  if (v === undefined) r.fail(key, 'is required (e.g. "30s")');
  if (v < MIN_SCENARIO_DURATION) r.fail(key, `must be at least 1s, got ${show(r.raw[key])}`);
  return v;
}

export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}
