/**
 * The memory-leak scenario's sampler: reads the target's /metrics every `every` seconds, keeps
 * process_resident_memory_bytes after the warm-up, and reports the Theil–Sen slope as the Gauge
 * target_memory_growth_mb_per_hour. The slope is evidence (lib/evidence.ts) only once it rests on
 * 3 samples; at its last sample a sampler without that says why, with its tally:
 *   target_memory_growth_mb_per_hour: /metrics has no process_resident_memory_bytes; 0 of 17 samples
 */
import exec from 'k6/execution';
import { Gauge } from 'k6/metrics';
import { think } from './journey.ts';
import { evidenceMissing, evidenceSeen } from './evidence.ts';
import { promValue, theilSenSlope, type Point } from './theil-sen.ts';
import { metricsScrape } from './wms.ts';

const criterion = 'target_memory_growth_mb_per_hour';
const series = 'process_resident_memory_bytes';

export interface SamplerShape {
  /** seconds the sampler scenario runs */
  durationS: number;
  /** seconds before samples count (the target warms up) */
  warmup: number;
  /** seconds between samples */
  every: number;
}

export function memorySampler(shape: SamplerShape): () => void {
  const growth = new Gauge(criterion);
  const rssMb = new Gauge('target_memory_rss_mb');
  const points: Point[] = [];
  let attempts = 0;
  let found = 0;
  let lastProblem = '';
  return () => {
    attempts++;
    const res = metricsScrape();
    const rss = res.status === 200 ? promValue(String(res.body), series) : undefined;
    const t = (Date.now() - exec.scenario.startTime) / 1000;
    if (rss !== undefined) {
      found++;
      rssMb.add(rss / 1e6);
      if (t >= shape.warmup) points.push({ x: t / 3600, y: rss / 1e6 });
      if (points.length >= 3) {
        growth.add(theilSenSlope(points));
        evidenceSeen(criterion);
      }
    } else lastProblem = res.status === 200 ? `/metrics has no ${series}` : `/metrics answered ${res.status === 0 ? `no answer (${res.error})` : `HTTP ${res.status}`}`;
    // the last sample of the scenario: say what was missing, if anything
    // (1.5 × every: the next sample would start too late to run)
    if (t + 1.5 * shape.every >= shape.durationS && points.length < 3) {
      evidenceMissing(criterion, `${lastProblem || `only ${points.length} samples after the ${shape.warmup} s warm-up`}; ${found} of ${attempts} samples`);
    }
    think(shape.every, shape.every);
  };
}
