/**
 * stress, quick profile: recovers on the healthy target (exit 0, recovery_time under 300 s); with a
 * database outage injected during the peak, probes fail until it ends and recovery_time reports the
 * wait (seconds from the end of the peak to the start of 5 s of good probes).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { setFaults } from '../../target/faults-client.ts';
import { spawnTarget, type SpawnedTarget } from '../../target/spawn.ts';
import { loadQuick, thresholdReport } from './run-load.ts';

const targets: SpawnedTarget[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
});

describe('stress (quick profile)', () => {
  it('passes against the healthy embedded target', async () => {
    const r = await loadQuick('stress');
    expect(r.code, thresholdReport(r)).toBe(0);
    expect(Number(r.summary.metrics.recovery_time?.value)).toBeLessThan(300);
  });

  it('with a database outage during the peak: reports the recovery time', async () => {
    const target = await spawnTarget();
    targets.push(target);
    const run = loadQuick('stress', { BASE_URL: target.url });
    // The peak (quick) is seconds 6–11 of the run; the bundle and engine start take ~2–4 s.
    await new Promise((r) => setTimeout(r, 9_000));
    await setFaults(target.url, target.adminToken, { dbOutageSeconds: 9 });
    const r = await run;
    const recovery = Number(r.summary.metrics.recovery_time?.value);
    expect(recovery, thresholdReport(r)).toBeGreaterThan(0);
    expect(recovery).toBeLessThan(30);
    // The probes saw the outage: some failed.
    expect(Number(r.summary.metrics.checks?.fails)).toBeGreaterThan(0);
  });
});
