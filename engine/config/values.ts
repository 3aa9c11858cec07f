/**
 * Parsers for the text values of flags and `K6_*` env vars (ints, booleans, k6 durations, stages,
 * NAME=VALUE pairs). Each takes the name the user typed (`--vus`, `K6_VUS`) so a bad value fails
 * with one line naming it: ConfigError, exit 104.
 */
import { ConfigError } from '../errors.ts';

export function parseInteger(name: string, text: string, min = 0): number {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new ConfigError(name, `"${text}" is not an integer`);
  const n = Number(t);
  if (!Number.isSafeInteger(n)) throw new ConfigError(name, `"${text}" is out of range`);
  if (n < min) throw new ConfigError(name, `must be ${min} or more, got ${n}`);
  return n;
}

export function parseBoolean(name: string, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (['1', 't', 'true', 'yes'].includes(t)) return true;
  if (['0', 'f', 'false', 'no', ''].includes(t)) return false;
  throw new ConfigError(name, `"${text}" is not a boolean (true or false)`);
}

const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * A k6 duration in ms: Go duration syntax plus days ("1h30m", "500ms", "1.5s", "2d"); a bare integer
 * is milliseconds, as in k6's JS options. Returns undefined when the text is not a duration.
 */
export function durationMs(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  if (t === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    total += Number(m[1]) * (unitMs[m[2] as string] as number);
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== t.length) return undefined;
  return total;
}

/** Validates a duration value and returns it unchanged (options keep k6's own text). */
export function parseDuration(name: string, text: string): string {
  if (durationMs(text) === undefined) {
    throw new ConfigError(name, `"${text}" is not a duration (examples: 30s, 1m30s, 500ms, 2h)`);
  }
  return text.trim();
}

/** A duration option value (string or number of ms) in ms; ConfigError when it is neither. */
export function optionDurationMs(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const ms = durationMs(value);
    if (ms !== undefined) return ms;
  }
  throw new ConfigError(name, `${JSON.stringify(value)} is not a duration (examples: 30s, 1m30s, 500ms, 2h)`);
}

export interface Stage {
  duration: string;
  target?: number;
}

/** One `-s` value, `[duration]:[target]` ("30s:10"); without a target the VU count stays where it was. */
export function parseStage(name: string, text: string): Stage {
  const [dur, target, extra] = text.split(':');
  if (extra !== undefined || dur === undefined || dur.trim() === '') {
    throw new ConfigError(name, `"${text}" is not a stage; write [duration]:[target], e.g. 30s:10`);
  }
  const stage: Stage = { duration: parseDuration(name, dur) };
  if (target !== undefined && target.trim() !== '') stage.target = parseInteger(name, target);
  return stage;
}

/** K6_STAGES: comma-separated stages, "30s:10,1m:20". */
export function parseStages(name: string, text: string): Stage[] {
  return text
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => parseStage(name, s));
}

/** Fills missing stage targets with the previous target (the VU count holds), as `-s 60s` means. */
export function fillStageTargets(stages: Stage[], start: number): { duration: string; target: number }[] {
  let last = start;
  return stages.map((s) => {
    last = s.target ?? last;
    return { duration: s.duration, target: last };
  });
}

/** `NAME=VALUE` (the value may contain '=' and be empty). */
export function parseKeyValue(name: string, text: string): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0) throw new ConfigError(name, `"${text}" is not NAME=VALUE`);
  return [text.slice(0, i), text.slice(i + 1)];
}

export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
