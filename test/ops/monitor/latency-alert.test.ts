// The response-time alert's window, on the default rule scaled down fivefold: a latency over its
// threshold raises the alert on the second slow poll, not the first, and the alert clears on the
// first fast poll after recovery. The guide's own figures (6 s latency against the 5 s rule, 1 s
// polls) run end to end against the real target in test/ops/real-target.test.ts; here they would
// hold a test lane for 14 s to check the same logic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRules, startMonitor, type AlertEvent } from '../../../ops/monitor/index.ts';
import { startContractServer, type ContractServer } from '../fixtures/contract-server.ts';

let server: ContractServer;
beforeAll(async () => {
  server = await startContractServer();
});
afterAll(() => server.close());

describe('response-time alert', () => {
  it('fires after two slow polls and resolves on the first fast poll after recovery', async () => {
    const defaults = defaultRules.filter((r) => r.name === 'response-time');
    expect(defaults[0]).toMatchObject({ threshold: 5000, for: 2 });
    // the guide's rule at a fifth of its threshold: 1 s, a 1.2 s latency, 200 ms between polls
    // (a fast poll stays far under 1 s even on a loaded machine)
    const rules = defaults.map((r) => ({ ...r, threshold: r.threshold / 5 }));
    const events: AlertEvent[] = [];
    let polls = 0;
    const t0 = Date.now();
    const m = startMonitor({
      url: server.url, intervalMs: 200, durationMs: 20_000, rules,
      onSample: () => {
        if (++polls === 1) server.faults = { latencyMs: 1200 };
      },
      onAlert: (e) => {
        events.push(e);
        if (e.state === 'firing') server.faults = {}; // recover
        else void m.stop();
      },
    });
    const report = await m.done;
    expect(events.map((e) => e.state)).toEqual(['firing', 'resolved']);
    expect(events[0].value).toBeGreaterThan(1000);
    const slow = report.samples.filter((s) => (s.values['api.responseMs'] ?? 0) > 1000);
    expect(slow).toHaveLength(2); // the window: fired on the second slow poll, not the first
    expect(report.samples.at(-1)!.values['api.responseMs']).toBeLessThan(1000);
    expect(report.firing).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});
