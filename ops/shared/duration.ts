/**
 * Durations on the ops command lines and in alert rules: "500ms", "5s", "2m", "1h", "1m30s"
 * (k6's syntax, parsed by the project's one duration parser), but a bare number is seconds
 * ("5" = 5 s), as an interval on a command line reads naturally. Returns ms; throws a one-line
 * error naming the input.
 */
import { durationTextMs } from '../../engine/duration.ts';

export function parseDuration(input: string | number, what = 'duration'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new Error(`${what}: ${input} is not a valid number of seconds`);
    return input * 1000;
  }
  const s = input.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const ms = durationTextMs(s);
  if (ms === undefined) throw new Error(`${what}: "${input}" is not a duration (e.g. 500ms, 5s, 2m, 1m30s)`);
  return ms;
}

/** A per-request timeout: a duration above zero (a zero timeout fails every request). */
export function parseTimeout(input: string, what = '--timeout'): number {
  const ms = parseDuration(input, what);
  if (!(ms > 0)) throw new Error(`${what}: "${input}" must be more than 0`);
  return ms;
}
