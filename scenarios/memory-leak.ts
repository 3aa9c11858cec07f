/**
 * Memory leak (a soak): a steady crowd runs the warehouse journey while a sampler reads the
 * target's /metrics (process_resident_memory_bytes) every few seconds. After the warm-up it fits a
 * Theil–Sen slope (robust to the GC sawtooth) and reports it as the Gauge
 * target_memory_growth_mb_per_hour, which thresholds.json judges (lib/memory.ts). A target whose
 * /metrics lacks the series fails the run, naming it (lib/evidence.ts).
 */
import type { Options } from 'k6/options';
import { profile } from '../lib/config.ts';
import { warehouseJourney } from '../lib/journey.ts';
import { memorySampler } from '../lib/memory.ts';
import { seconds } from '../lib/profile-table.ts';
import { thresholdsFor } from '../lib/thresholds.ts';

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

const sampler = memorySampler({ durationS: seconds(shape.duration), warmup: shape.warmup, every: shape.every });

export function user(): void {
  warehouseJourney();
}

export function sample(): void {
  sampler();
}

export default user;
