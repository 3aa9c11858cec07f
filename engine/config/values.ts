/**
 * Parsers for the text values of flags and `K6_*` env vars: ints, booleans, k6 durations (through
 * the engine's one duration parser, engine/duration.ts), stages, NAME=VALUE pairs. Each takes the name the user typed (`--vus`, `K6_VUS`) so a bad value fails
 * with one line naming it: ConfigError, exit 104.
 */
import { ConfigError } from '../errors.ts';
import { parseDuration as parseK6Duration } from '../duration.ts';

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

/** A k6 duration (text like "1m30s", or a number of ms) in ms; undefined when it is not one or is negative. */
export function durationMs(value: unknown): number | undefined {
  try {
    const ms = parseK6Duration(value, 'duration');
    return ms >= 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** Validates a duration flag/env value (k6 syntax: "30s", "1m30s", "500ms", "2h") and returns it unchanged. */
export function parseDuration(name: string, text: string): string {
  if (parseK6Duration(text, name) < 0) throw new ConfigError(name, `"${text}" must not be negative`);
  return text.trim();
}

/** A duration option value (string or number of ms) in ms; ConfigError naming the option otherwise. */
export function optionDurationMs(name: string, value: unknown): number {
  const ms = parseK6Duration(value, name);
  if (ms < 0) throw new ConfigError(name, `${JSON.stringify(value)} must not be negative`);
  return ms;
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
