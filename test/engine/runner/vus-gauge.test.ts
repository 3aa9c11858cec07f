// The `vus` gauge, sampled every second by the runner across worker threads, follows the
// ramping-vus stage plan within ±1 VU (samples compared with the plan ±300 ms around their time).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, runCli } from '../cli/run-cli.ts';
import { tempDir } from '../../temp-dir.ts';

const plan = (t: number) => (t <= 4 ? 2 * t : Math.max(0, 8 - 2 * (t - 4)));

describe('vus gauge', () => {
  for (const workers of [1, 2]) {
    it(`follows the ramp within ±1 (--workers ${workers})`, async () => {
      const file = path.join(tempDir('aetos-vus-'), 'out.json');
      const r = await runCli(['--quiet', '--no-summary', '--workers', String(workers), '--out', `json=${file}`, fixture('ramp-vus.js')]);
      expect(r.code, r.stderr).toBe(0);
      const points = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((l) => l.type === 'Point' && l.metric === 'vus')
        .map((p) => ({ t: Date.parse(p.data.time), v: p.data.value as number }));
      expect(points.length).toBeGreaterThanOrEqual(8);
      const t0 = points[0]!.t;
      // The highest sample reaches the plan at its own time, less the same 1-VU tolerance as every
      // sample: a sample comes every second, and on a loaded machine the two nearest the 8-VU peak
      // can sit 0.5 s either side of it (plan 7) and read 6. A gauge stuck low fails here and below.
      const maxVus = Math.max(...points.map((p) => p.v));
      const peakPlan = Math.max(...points.map((p) => plan((p.t - t0) / 1000)));
      expect(peakPlan, 'a sample within 1.5 s of the peak').toBeGreaterThanOrEqual(5);
      expect(maxVus).toBeGreaterThanOrEqual(peakPlan - 1);
      for (const p of points) {
        const t = (p.t - t0) / 1000;
        const lo = Math.min(plan(Math.max(0, t - 0.3)), plan(t + 0.3)) - 1;
        const hi = Math.max(plan(Math.max(0, t - 0.3)), plan(t + 0.3)) + 1;
        expect(p.v, `vus at ${t.toFixed(2)} s`).toBeGreaterThanOrEqual(Math.floor(lo));
        expect(p.v, `vus at ${t.toFixed(2)} s`).toBeLessThanOrEqual(Math.ceil(hi));
      }
    });
  }
});
