/** db-stress, quick profile, healthy embedded target: every criterion holds, exit 0. */
import { describe, expect, it } from 'vitest';
import { loadQuick, thresholdReport } from './run-load.ts';

describe('db-stress (quick profile)', () => {
  it('passes against the healthy embedded target', async () => {
    const r = await loadQuick('db-stress');
    expect(r.code, thresholdReport(r)).toBe(0);
    expect(r.summary.metrics.db_query_duration?.['p(95)']).toBeTypeOf('number');
  });
});
