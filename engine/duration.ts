/**
 * k6 duration values in scenario options, read and written: options take "1m30s", "500ms", "1.5s",
 * "2h", "1d" (Go's duration syntax plus k6's days) or a plain number meaning milliseconds;
 * progress text prints them the way k6 (Go's time.Duration) does: "30s", "1m30s", "10m0s".
 * The one k6 duration parser of the project: the config layer uses it for flags and env vars,
 * k6/http for `timeout`, ops/ for its command lines (each with its own rule for bare numbers).
 */
import { ConfigError } from './errors.ts';

/**
 * A k6 duration option in milliseconds. `option` names it in the ConfigError
 * (e.g. `scenarios.ramp.stages[1].duration`). Numbers are milliseconds and may be negative here;
 * callers that forbid negatives say so. A bare integer string ("500") is milliseconds too.
 */
export function parseDuration(value: unknown, option: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConfigError(option, `${value} is not a duration`);
    return value;
  }
  if (typeof value !== 'string') {
    throw new ConfigError(option, `expected a duration such as "30s", "1m30s" or a number of milliseconds, got ${describe(value)}`);
  }
  const text = value.trim();
  const negative = text.startsWith('-');
  const ms = durationTextMs(negative || text.startsWith('+') ? text.slice(1) : text);
  if (ms === undefined) throw new ConfigError(option, `"${value}" is not a duration (examples: 30s, 1m30s, 500ms, 2h)`);
  return negative ? -ms : ms;
}

const UNIT_MS: Record<string, number> = {
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
 * Go's duration syntax plus k6's days, unsigned: "1m30s" → 90000, "1d12h", ".5s", "1500us".
 * A bare integer ("500") is milliseconds, as k6 reads options. undefined when not a duration.
 */
export function durationTextMs(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const m = part.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
    at = part.lastIndex;
  }
  return at === 0 ? undefined : total;
}

/** Go's time.Duration formatting, which k6 uses in its progress and summary lines. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let v = Math.abs(ms);
  let out: string;
  if (v < 1) {
    out = v >= 1e-3 ? `${trim(v * 1000)}µs` : `${trim(v * 1e6)}ns`;
  } else if (v < 1000) {
    out = `${trim(v)}ms`;
  } else {
    const h = Math.floor(v / 3_600_000);
    v -= h * 3_600_000;
    const m = Math.floor(v / 60_000);
    v -= m * 60_000;
    const s = `${trim(v / 1000)}s`;
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

/** Elapsed time in a scenario's progress line, as k6 prints it: "05.2s", "1m05.2s". */
export function formatElapsed(ms: number): string {
  const tenths = Math.max(0, Math.floor(ms / 100));
  const m = Math.floor(tenths / 600);
  const rest = tenths % 600;
  const s = `${String(Math.floor(rest / 10)).padStart(2, '0')}.${rest % 10}s`;
  return m === 0 ? s : `${m}m${s}`;
}

function trim(n: number): string {
  return String(Number(n.toFixed(6)));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
