/** db-stress, quick profile: with 80 ms slow queries it exits 99 naming db_query_duration. */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnTarget, type SpawnedTarget } from '../../wms/spawn.ts';
import { loadQuick, thresholdReport } from './run-load.ts';

const targets: SpawnedTarget[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
});

describe('db-stress (quick profile) with slow queries', () => {
  it('with slow queries: exit 99 naming db_query_duration', async () => {
    const target = await spawnTarget({ env: { FAULT_SLOW_QUERY_MS: '80' }, timeoutMs: 110_000 });
    targets.push(target);
    const r = await loadQuick('db-stress', { BASE_URL: target.url });
    expect(r.code, thresholdReport(r)).toBe(99);
    expect(r.stderr).toMatch(/thresholds on metrics '[^']*db_query_duration[^']*' have been crossed/);
    expect(r.summary.metrics.db_query_duration?.thresholds?.['p(95)<50']).toBe(true);
  });
});
