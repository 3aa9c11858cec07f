// The acceptance tests against the real reference target (target/spawn.ts): the
// embedded target checked with no BASE_URL scores ≥ 90 and exits 0; an injected database
// outage fails the database check and exits 1; an injected 6 s latency raises the monitor's
// response-time alert after its 2-poll window and clears it after recovery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRules, startMonitor, type AlertEvent } from '../../ops/monitor/index.ts';
import { clearFaults, setFaults } from '../../wms/faults-client.ts';
import { spawnTarget } from '../../wms/spawn.ts';
import { runCli } from './fixtures/run-cli.ts';

type Target = Awaited<ReturnType<typeof spawnTarget>>;
let target: Target;
beforeAll(async () => {
  // a loaded 2-core machine can take more than the default 30 s to seed and start the target
  target = await spawnTarget({ timeoutMs: 110_000 });
}, 120_000);
afterAll(async () => {
  await target?.stop();
});

const env = { BASE_URL: '', DATABASE_URL: '', REDIS_URL: '' };

describe('health check against the real target', () => {
  it('with no BASE_URL it starts the embedded target, scores ≥ 90 and exits 0', async () => {
    const r = await runCli(['health', '--json'], env, 170_000);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.embedded).toBe(true);
    expect(report.score).toBeGreaterThanOrEqual(90);
    const failed = report.checks.filter((c: { status: string }) => c.status === 'fail').map((c: { id: string; reason: string }) => `${c.id}: ${c.reason}`);
    expect(failed.filter((f: string) => !f.startsWith('resources.'))).toEqual([]);
  }, 180_000);

  it('a database outage fails the database check, drops the score and exits 1', async () => {
    await setFaults(target.url, target.adminToken, { dbOutageSeconds: 60 });
    try {
      const r = await runCli(['health', '--url', target.url, '--json'], env);
      expect(r.code, r.stderr).toBe(1);
      const report = JSON.parse(r.stdout);
      const db = report.checks.find((c: { id: string }) => c.id === 'database.api');
      expect(db.status).toBe('fail');
      expect(report.score).toBeLessThan(90);
    } finally {
      await clearFaults(target.url, target.adminToken);
    }
  });
});

describe('monitor against the real target', () => {
  it('an injected 6 s latency raises the response-time alert after 2 polls and clears after recovery', async () => {
    const rules = defaultRules.filter((r) => r.name === 'response-time');
    const events: AlertEvent[] = [];
    let polls = 0;
    const m = startMonitor({
      url: target.url, intervalMs: 1000, durationMs: 45_000, rules, timeoutMs: 15_000,
      onSample: () => {
        if (++polls === 1) void setFaults(target.url, target.adminToken, { latencyMs: 6000 });
      },
      onAlert: (e) => {
        events.push(e);
        if (e.state === 'firing') void clearFaults(target.url, target.adminToken);
        else void m.stop();
      },
    });
    const report = await m.done;
    await clearFaults(target.url, target.adminToken);
    expect(events.map((e) => e.state)).toEqual(['firing', 'resolved']);
    const slow = report.samples.filter((s) => (s.values['api.responseMs'] ?? 0) > 5000);
    expect(slow.length).toBeGreaterThanOrEqual(2);
    expect(report.samples.at(-1)!.values['api.responseMs']).toBeLessThan(4000);
    // the target's /metrics is read on every poll
    expect(report.samples.at(-1)!.values['target.rssMB']).toBeGreaterThan(10);
  });
});
