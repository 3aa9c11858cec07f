/**
 * k6 durations for the `timeout` param, as k6 reads them: a number is milliseconds, and so is a
 * string holding only a number ("1500"); otherwise a Go-style duration ("1m30s", "500ms", "2.5s",
 * "1h"), optionally led by whole days ("2d", "1d12h"). Kept here because only k6/http's params
 * need it.
 */
const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
const DAY_MS = 86_400_000;

/** Parses `value` to ms; throws a one-line error naming `what` on bad input. */
export function parseDurationMs(value: unknown, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`${what}: invalid duration ${value}`);
    return value;
  }
  const bad = () => new TypeError(`${what}: invalid duration ${JSON.stringify(value)} (use e.g. "30s", "1m30s", "500ms" or milliseconds)`);
  if (typeof value !== 'string' || value.trim() === '') throw bad();
  const s = value.trim();
  if (/^(\d+(\.\d*)?|\.\d+)$/.test(s)) return Number(s); // no unit: milliseconds, as k6
  let total = 0;
  let pos = 0;
  const days = /^(\d+)d/.exec(s);
  if (days) {
    total = Number(days[1]) * DAY_MS;
    pos = days[0].length;
  }
  if (pos === s.length) return total;
  while (pos < s.length) {
    part.lastIndex = pos;
    const m = part.exec(s);
    if (!m) throw bad();
    total += Number(m[1]) * unitMs[m[2]!]!;
    pos = part.lastIndex;
  }
  return total;
}
