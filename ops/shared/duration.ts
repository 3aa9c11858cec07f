/**
 * Durations on the ops command lines and in alert rules: "500ms", "5s", "2m", "1h", "1m30s",
 * or a bare number of seconds ("5" = 5 s). Returns ms; throws a one-line error naming the input.
 */
const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(input: string | number, what = 'duration'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new Error(`${what}: ${input} is not a valid number of seconds`);
    return input * 1000;
  }
  const s = input.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const parts = [...s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== s) throw new Error(`${what}: "${input}" is not a duration (e.g. 500ms, 5s, 2m, 1m30s)`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * unitMs[p[2]], 0);
}
