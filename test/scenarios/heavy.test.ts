/** The heavy scenario, quick profile, against the healthy embedded target: every criterion holds, exit 0. */
import { describe, expect, it } from 'vitest';
import { loadQuick, thresholdReport } from './run-load.ts';

describe('heavy (quick profile)', () => {
  it('passes against the healthy embedded target', async () => {
    const r = await loadQuick('heavy');
    expect(r.code, thresholdReport(r)).toBe(0);
    expect(Number(r.summary.metrics.http_reqs?.count)).toBeGreaterThan(0);
    expect(r.summary.metrics.http_req_failed?.thresholds ?? {}, thresholdReport(r)).not.toContain(true);
  });
});
