/**
 * Stress: ramp to 500 users, hold, then fall back to a baseline of 50 (the guide: "may have some
 * failures but the system should recover"). A second scenario, `probe`, checks the system once a
 * second through and after the peak; recovery_time (Gauge, seconds) is the time from the end of the
 * peak until probes succeed under the 500 ms bound for 30 s in a row (5 s in the quick profile).
 * Until recovery is seen, recovery_time holds the time waited so far, so a system that never
 * recovers fails the threshold too.
 */
import { check } from 'k6';
import exec from 'k6/execution';
import { Gauge } from 'k6/metrics';
import type { Options } from 'k6/options';
import { evidenceMissing, evidenceSeen } from '../lib/evidence.ts';
import { think, warehouseJourney } from '../lib/journey.ts';
import { stress } from '../lib/profiles.ts';
import { recoveryTime, type Probe } from '../lib/recovery.ts';
import { totalSeconds } from '../lib/profile-table.ts';
import { thresholdsFor } from '../lib/thresholds.ts';
import { health } from '../lib/wms.ts';

const shape = stress();
const latencyBoundMs = 500;

export const options: Options = {
  scenarios: {
    stress: { executor: 'ramping-vus', startVUs: 0, stages: shape.stages, gracefulRampDown: '5s', exec: 'user' },
    probe: { executor: 'constant-vus', vus: 1, duration: `${totalSeconds(shape.stages)}s`, exec: 'probe', gracefulStop: '5s' },
  },
  thresholds: thresholdsFor('stress'),
};

const recovery = new Gauge('recovery_time');
const probes: Probe[] = [];
let recovered = false;

export function user(): void {
  warehouseJourney();
}

export function probe(): void {
  const started = Date.now();
  const res = health();
  const ok = check(res, { 'probe: system answers': (r) => r.status === 200 });
  const t = (started - exec.scenario.startTime) / 1000;
  probes.push({ t, ok, durationMs: res.timings.duration });
  if (!recovered && t >= shape.peakEnd) {
    const r = recoveryTime(probes, { peakEnd: shape.peakEnd, latencyBoundMs, window: shape.recoveryWindow });
    recovered = r !== undefined;
    recovery.add(r ?? t - shape.peakEnd);
    evidenceSeen('recovery_time');
  }
  // the probe's last second: without a probe after the peak, recovery was never measured
  if (t + 1.5 >= totalSeconds(shape.stages) && t < shape.peakEnd) evidenceMissing('recovery_time', `no health probe ran after the peak ended at ${shape.peakEnd} s`);
  think(1, 1);
}

export default user;
