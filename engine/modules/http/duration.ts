/**
 * k6 durations for the `timeout` param: a number is milliseconds, a string is Go-style
 * ("1m30s", "500ms", "2.5s", "1h"). Kept here because only k6/http's params need it.
 */
const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;

/** Parses `value` to ms; throws a one-line error naming `what` on bad input. */
export function parseDurationMs(value: unknown, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`${what}: invalid duration ${value}`);
    return value;
  }
  if (typeof value !== 'string' || value === '') throw new TypeError(`${what}: invalid duration ${JSON.stringify(value)}`);
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000; // bare number string: seconds, as k6's config
  let total = 0;
  part.lastIndex = 0;
  let pos = 0;
  while (pos < value.length) {
    part.lastIndex = pos;
    const m = part.exec(value);
    if (!m) throw new TypeError(`${what}: invalid duration ${JSON.stringify(value)}`);
    total += Number(m[1]) * unitMs[m[2]!]!;
    pos = part.lastIndex;
  }
  return total;
}
