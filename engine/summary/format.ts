/**
 * Human units as k6's summary prints them: durations (µs/ms/s, then 1m2.5s style), bytes in SI
 * units (kB, MB), plain numbers with up to 6 decimals, percentages with 2.
 */

function trim(n: number, decimals: number): string {
  const s = n.toFixed(decimals);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** A plain number: integers as they are, fractions with up to 6 decimals. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) ? String(n) : trim(n, 6);
}

/** A duration in ms, e.g. 0 → "0s", 0.01225 → "12.25µs", 148.21 → "148.21ms", 1350 → "1.35s", 62500 → "1m2.5s". */
export function formatDuration(ms: number, unit = ''): string {
  if (!Number.isFinite(ms)) return String(ms);
  switch (unit) {
    case 's':
      return `${trim(ms / 1000, 3)}s`;
    case 'ms':
      return `${trim(ms, 3)}ms`;
    case 'us':
    case 'µs':
      return `${trim(ms * 1000, 3)}µs`;
    case 'm':
      return `${trim(ms / 60000, 3)}m`;
    case 'h':
      return `${trim(ms / 3600000, 3)}h`;
  }
  if (ms === 0) return '0s';
  const neg = ms < 0;
  const a = Math.abs(ms);
  let out: string;
  if (a < 0.001) out = `${trim(a * 1e6, 2)}ns`;
  else if (a < 1) out = `${trim(a * 1000, 2)}µs`;
  else if (a < 1000) out = `${trim(a, 2)}ms`;
  else if (a < 60000) out = `${trim(a / 1000, 2)}s`;
  else {
    const h = Math.floor(a / 3600000);
    const m = Math.floor((a % 3600000) / 60000);
    const s = (a % 60000) / 1000;
    out = `${h > 0 ? `${h}h` : ''}${m}m${trim(s, 1)}s`;
  }
  return neg ? `-${out}` : out;
}

const SI = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** Bytes in SI units: 540 → "540 B", 3700 → "3.7 kB", 81000 → "81 kB", 1.3e6 → "1.3 MB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) < 10) return `${Math.round(n)} B`;
  const e = Math.min(Math.floor(Math.log10(Math.abs(n)) / 3), SI.length - 1);
  const v = n / 1000 ** e;
  const text = Math.abs(v) < 10 ? v.toFixed(1) : Math.round(v).toString();
  return `${text} ${SI[e]}`;
}

export function formatPercent(rate: number): string {
  return `${(rate * 100).toFixed(2)}%`;
}

/** A value of a metric by its `contains`. */
export function formatValue(v: number, contains: string, timeUnit = ''): string {
  if (contains === 'time') return formatDuration(v, timeUnit);
  if (contains === 'data') return formatBytes(v);
  return formatNumber(v);
}
