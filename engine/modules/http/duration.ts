/**
 * The `timeout` param as k6 reads it: a number, or a string holding only a number, is
 * milliseconds; otherwise a k6 duration ("1m30s", "500ms", "1d12h"). A bad value is a
 * TypeError thrown into the script (not a ConfigError: it surfaces inside an iteration).
 */
import { durationTextMs } from '../../duration.ts';

/** Parses `value` to ms; throws a one-line error naming `what` on bad input. */
export function parseDurationMs(value: unknown, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`${what}: invalid duration ${value}`);
    return value;
  }
  const text = typeof value === 'string' ? value.trim() : '';
  // k6/http also takes a unit-less decimal string as milliseconds ("2.5"); options do not.
  const ms = /^(\d+\.\d*|\.\d+)$/.test(text) ? Number(text) : typeof value === 'string' ? durationTextMs(text) : undefined;
  if (ms === undefined) throw new TypeError(`${what}: invalid duration ${JSON.stringify(value)} (use e.g. "30s", "1m30s", "500ms" or milliseconds)`);
  return ms;
}
