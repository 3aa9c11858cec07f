/** stress, quick profile, healthy embedded target: exit 0 and a recovery_time under the 300 s threshold. */
import { describe, expect, it } from 'vitest';
import { loadQuick, thresholdReport } from './run-load.ts';

describe('stress (quick profile)', () => {
  it('passes against the healthy embedded target', async () => {
    const r = await loadQuick('stress');
    expect(r.code, thresholdReport(r)).toBe(0);
    expect(Number(r.summary.metrics.recovery_time?.value)).toBeLessThan(300);
  });
});
