/** memory-leak, quick profile, healthy embedded target: the RSS slope stays under the threshold, exit 0. */
import { describe, expect, it } from 'vitest';
import { loadQuick, thresholdReport } from './run-load.ts';

describe('memory-leak (quick profile)', () => {
  it('passes against the healthy embedded target', async () => {
    const r = await loadQuick('memory-leak');
    expect(r.code, thresholdReport(r)).toBe(0);
    expect(r.summary.metrics.target_memory_growth_mb_per_hour?.value).toBeTypeOf('number');
  });
});
