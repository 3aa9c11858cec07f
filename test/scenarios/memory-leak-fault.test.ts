/**
 * memory-leak, quick profile: the sampler's Theil–Sen slope of the target's RSS crosses the threshold (exit 99 naming the slope metric) with an
 * injected leak of 200 MB/min (≈ 12,000 MB/h; the quick profile judges value<2000).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnTarget, type SpawnedTarget } from '../../wms/spawn.ts';
import { loadQuick, thresholdReport } from './run-load.ts';

const targets: SpawnedTarget[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
});

describe('memory-leak (quick profile) with a leak', () => {
  it('with an injected leak: exit 99 naming target_memory_growth_mb_per_hour', async () => {
    const target = await spawnTarget({ env: { FAULT_LEAK_MB_PER_MIN: '200' }, timeoutMs: 110_000 });
    targets.push(target);
    const r = await loadQuick('memory-leak', { BASE_URL: target.url });
    expect(r.code, thresholdReport(r)).toBe(99);
    expect(r.stderr).toMatch(/thresholds on metrics '[^']*target_memory_growth_mb_per_hour[^']*' have been crossed/);
    expect(Number(r.summary.metrics.target_memory_growth_mb_per_hour?.value)).toBeGreaterThan(2000);
  });
});
