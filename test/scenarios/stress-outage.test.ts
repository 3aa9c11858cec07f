/**
 * stress, quick profile, with a database outage injected during the 500-user peak: the probes see
 * /api/health answer 503, and recovery_time reports the wait from the end of the peak (second 11)
 * until 5 s of good probes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { setFaults } from '../../wms/faults-client.ts';
import { spawnTarget, type SpawnedTarget } from '../../wms/spawn.ts';
import { loadQuick, thresholdReport, waitForTraffic } from './run-load.ts';

const targets: SpawnedTarget[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
});

describe('stress (quick profile) with an outage', () => {
  it('reports the recovery time after a database outage during the peak', async () => {
    const target = await spawnTarget({ timeoutMs: 110_000 });
    targets.push(target);
    const run = loadQuick('stress', { BASE_URL: target.url });
    await waitForTraffic(target.url, 100); // the first users are logging in: the run is ~2 s in
    await new Promise((r) => setTimeout(r, 5_000));
    await setFaults(target.url, target.adminToken, { dbOutageSeconds: 9 }); // ~7 s → ~16 s, past the peak's end at 11 s
    const r = await run;
    const recovery = Number(r.summary.metrics.recovery_time?.value);
    expect(Number(r.summary.metrics.checks?.fails), thresholdReport(r)).toBeGreaterThan(0); // probes saw the outage
    expect(recovery, thresholdReport(r)).toBeGreaterThan(0);
    expect(recovery).toBeLessThan(20);
  });
});
