/**
 * How many VUs an instance initialises before the test starts, as k6 plans it: scenarios that run
 * at the same time need their VUs at the same time, scenarios that do not overlap share them. The
 * answer is the maximum, over time, of the summed needs of the scenarios running at that moment
 * (preAllocatedVUs for arrival-rate, which may grow to maxVUs mid-test).
 */
export interface PlannedScenario {
  /** ms after the test start. */
  startTime: number;
  /** ms, gracefulStop included. */
  maxDuration(): number;
  preAllocatedVus(): number;
  maxVus(): number;
}

/** The most of `need` the scenarios running at one moment add up to (VUs, iterations per second). */
export function peak<S extends PlannedScenario>(scenarios: S[], need: (s: S) => number): number {
  const events: [number, number][] = [];
  for (const s of scenarios) {
    const n = need(s);
    if (n <= 0) continue;
    events.push([s.startTime, n], [s.startTime + Math.max(0, s.maxDuration()), -n]);
  }
  // Ends before starts at the same instant: a scenario ending at t frees its VUs for one starting at t.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let max = 0;
  for (const [, delta] of events) {
    current += delta;
    max = Math.max(max, current);
  }
  return max;
}

/** VUs to initialise up front. */
export function plannedVus(scenarios: PlannedScenario[]): number {
  return peak(scenarios, (s) => s.preAllocatedVus());
}

/** The most VUs the instance can ever hold (vus_max's ceiling; sizes k6/execution idInTest ranges). */
export function maxPlannedVus(scenarios: PlannedScenario[]): number {
  return peak(scenarios, (s) => Math.max(s.maxVus(), s.preAllocatedVus()));
}

/**
 * First exec.vu.idInTest of each instance: the VUs of all segments before it in the sequence, so
 * ids are unique across instances (worker threads, and separately started segments of the same
 * sequence). `maxVusOf(segment, sequence)` is that segment's most VUs. A segment not found among
 * the sequence's own segments (written differently) starts at 0.
 */
export function idOffset(segment: string | undefined, sequence: string | undefined, maxVusOf: (segment: string, sequence: string | undefined) => number): number {
  if (!segment) return 0;
  const from = segment.includes(':') ? (segment.split(':')[0] as string).trim() : '0';
  const points = (sequence ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (points.length === 0) return from === '0' ? 0 : maxVusOf(`0:${from}`, undefined);
  if (points[0] !== '0') points.unshift('0');
  const mine = points.indexOf(from);
  if (mine < 0) return 0;
  let offset = 0;
  for (let i = 0; i < mine; i++) offset += maxVusOf(`${points[i]}:${points[i + 1]}`, points.join(','));
  return offset;
}
