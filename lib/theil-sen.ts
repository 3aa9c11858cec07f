/**
 * Theil–Sen slope: the median of the slopes between every pair of points. Robust to the GC sawtooth
 * and single outliers that make a least-squares fit of process memory lie. Pure (no k6 imports):
 * the memory-leak scenario calls it in k6, vitest tests it directly.
 */
export interface Point {
  x: number;
  y: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Slope in y-units per x-unit; NaN with fewer than two distinct x values. */
export function theilSenSlope(points: readonly Point[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const a = points[i] as Point;
      const b = points[j] as Point;
      if (b.x !== a.x) slopes.push((b.y - a.y) / (b.x - a.x));
    }
  }
  return slopes.length ? median(slopes) : NaN;
}

/** Parses one un-labelled sample of a Prometheus text exposition (`name 123` or `name{…} 123`). */
export function promValue(text: string, metric: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const rest = line.slice(metric.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(rest.replace(/^\{[^}]*\}/, '').trim().split(/\s+/)[0]);
    if (Number.isFinite(value)) return value;
  }
  return undefined;
}
