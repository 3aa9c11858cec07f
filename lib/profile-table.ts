/**
 * The load shapes of every scenario for each PROFILE, as plain data (no k6 imports, so vitest checks
 * the budgets: quick ≤ 60 s per scenario, standard heavy ≈ 3 min, nightly ≥ 15 min).
 * Stages are k6 ramping-vus stages; `peakEndStage` marks the stage after which the stress peak is over.
 */
export type ProfileName = 'quick' | 'standard' | 'nightly';

export interface Stage {
  duration: string;
  target: number;
}

export function seconds(duration: string): number {
  let total = 0;
  for (const m of duration.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : n / 1000;
  }
  return total;
}

export function totalSeconds(stages: readonly Stage[]): number {
  return stages.reduce((s, st) => s + seconds(st.duration), 0);
}

/** Ramp to `peak` users, hold, ramp down: the guide's fixed-user load tests (light, medium, heavy). */
export function rampHold(peak: number, p: ProfileName): Stage[] {
  const [up, hold, down] = { quick: ['4s', '5s', '1s'], standard: ['30s', '2m', '20s'], nightly: ['2m', '15m', '1m'] }[p];
  // quick runs a quarter of the users for 10 s: it checks the scenario and its criteria end to end
  // on a shared 2-core CI box, where the generator, the target and other suites compete for the CPU
  // (5 s at 50 users is still thousands of requests for each p(95); it was 17 s, and the test suite
  // runs light, medium and heavy in it).
  const users = p === 'quick' ? Math.max(1, Math.round(peak / 4)) : peak;
  return [
    { duration: up, target: users },
    { duration: hold, target: users },
    { duration: down, target: 0 },
  ];
}

export interface StressShape {
  stages: Stage[];
  /** seconds from the start until the peak ends */
  peakEnd: number;
  /** seconds of good probes in a row that count as recovered (the guide: 30 s; scaled down in quick) */
  recoveryWindow: number;
  /** users kept after the peak (the baseline) */
  baseline: number;
}

/**
 * Stress: up to 500 users, hold, back down to a baseline that stays on while the system recovers.
 * quick scales the 30 s recovery window to 5 s so the whole run fits in 25 s.
 */
export function stressShape(p: ProfileName): StressShape {
  const t = {
    quick: { up: ['3s', '3s'], hold: '5s', down: '2s', after: '12s', window: 5 },
    standard: { up: ['1m', '1m'], hold: '2m', down: '30s', after: '3m', window: 30 },
    nightly: { up: ['3m', '3m'], hold: '8m', down: '1m', after: '6m', window: 30 },
  }[p];
  const baseline = 50;
  const stages: Stage[] = [
    { duration: t.up[0] as string, target: 100 },
    { duration: t.up[1] as string, target: 500 },
    { duration: t.hold, target: 500 },
    { duration: t.down, target: baseline },
    { duration: t.after, target: baseline },
  ];
  return { stages, peakEnd: totalSeconds(stages.slice(0, 3)), recoveryWindow: t.window, baseline };
}

/** A steady number of users for a duration: soak, db-stress, concurrent logins, uploads. */
export function steady(p: ProfileName, quick: string, standard: string, nightly: string): string {
  return { quick, standard, nightly }[p];
}
