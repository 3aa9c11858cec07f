/**
 * Memory leak (a soak): a steady crowd runs the warehouse journey while a sampler reads the
 * target's /metrics (process_resident_memory_bytes) every few seconds. After the warm-up it fits a
 * Theil–Sen slope (robust to the GC sawtooth) and reports it as the Gauge
 * target_memory_growth_mb_per_hour, which thresholds.json judges.
 */
import exec from 'k6/execution';
import { Gauge } from 'k6/metrics';
import type { Options } from 'k6/options';
import { profile } from '../lib/config.ts';
import { think, warehouseJourney } from '../lib/journey.ts';
import { seconds } from '../lib/profile-table.ts';
import { promValue, theilSenSlope, type Point } from '../lib/theil-sen.ts';
import { thresholdsFor } from '../lib/thresholds.ts';
import { prometheusText } from '../lib/wms.ts';

const shape = {
  quick: { duration: '25s', vus: 20, warmup: 8, every: 1 },
  standard: { duration: '10m', vus: 50, warmup: 60, every: 5 },
  nightly: { duration: '30m', vus: 100, warmup: 120, every: 10 },
}[profile()];

export const options: Options = {
  scenarios: {
    soak: { executor: 'constant-vus', vus: shape.vus, duration: shape.duration, exec: 'user' },
    sampler: { executor: 'constant-vus', vus: 1, duration: shape.duration, exec: 'sample' },
  },
  thresholds: thresholdsFor('memory-leak'),
};

const growth = new Gauge('target_memory_growth_mb_per_hour');
const rssMb = new Gauge('target_memory_rss_mb');
const points: Point[] = [];

export function user(): void {
  warehouseJourney();
}

export function sample(): void {
  const rss = promValue(prometheusText(), 'process_resident_memory_bytes');
  const t = (Date.now() - exec.scenario.startTime) / 1000;
  if (rss !== undefined) {
    rssMb.add(rss / 1e6);
    if (t >= shape.warmup) points.push({ x: t / 3600, y: rss / 1e6 });
    if (points.length >= 3 && seconds(shape.duration) > 0) growth.add(theilSenSlope(points));
  }
  think(shape.every, shape.every);
}

export default user;
