/**
 * Recovery time after a stress peak: seconds from the end of the peak until probes have succeeded
 * under the latency bound for `window` seconds in a row (the first probe of that streak marks the
 * recovery). Pure (no k6 imports): the stress scenario feeds it probe results, vitest tests it.
 */
export interface Probe {
  /** seconds since the test started */
  t: number;
  ok: boolean;
  durationMs: number;
}

export interface RecoveryOptions {
  /** when the peak ended, seconds since the test started */
  peakEnd: number;
  /** a probe counts as good when ok and faster than this */
  latencyBoundMs: number;
  /** seconds of good probes in a row that count as recovered */
  window: number;
}

/**
 * Returns the recovery time in seconds (0 when probes were already good at the peak's end), or
 * undefined when no streak of `window` seconds ending after the peak's end has been seen yet.
 */
export function recoveryTime(probes: readonly Probe[], o: RecoveryOptions): number | undefined {
  let streakStart: number | undefined;
  for (const p of [...probes].sort((a, b) => a.t - b.t)) {
    const good = p.ok && p.durationMs < o.latencyBoundMs;
    if (!good) {
      streakStart = undefined;
      continue;
    }
    if (streakStart === undefined) streakStart = p.t;
    // A streak that began during the peak counts from the peak's end.
    if (p.t - Math.max(streakStart, o.peakEnd) >= o.window && p.t >= o.peakEnd) {
      return Math.max(0, streakStart - o.peakEnd);
    }
  }
  return undefined;
}
