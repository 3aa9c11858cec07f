// The monitor acceptance test: an injected 6 s latency raises the response-time alert
// (the guide's 5 s, 2-poll window, 1 s interval) and the alert clears after recovery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRules, startMonitor, type AlertEvent } from '../../../ops/monitor/index.ts';
import { startContractServer, type ContractServer } from '../fixtures/contract-server.ts';

let server: ContractServer;
beforeAll(async () => {
  server = await startContractServer();
});
afterAll(() => server.close());

describe('response-time alert', () => {
  it('fires after two 6 s polls and resolves on the first fast poll after recovery', async () => {
    const rules = defaultRules.filter((r) => r.name === 'response-time');
    expect(rules[0]).toMatchObject({ threshold: 5000, for: 2 });
    const events: AlertEvent[] = [];
    let polls = 0;
    const t0 = Date.now();
    const m = startMonitor({
      url: server.url, intervalMs: 1000, durationMs: 40_000, rules,
      onSample: () => {
        if (++polls === 1) server.faults = { latencyMs: 6000 };
      },
      onAlert: (e) => {
        events.push(e);
        if (e.state === 'firing') server.faults = {}; // recover
        else void m.stop();
      },
    });
    const report = await m.done;
    expect(events.map((e) => e.state)).toEqual(['firing', 'resolved']);
    expect(events[0].value).toBeGreaterThan(5000);
    const slow = report.samples.filter((s) => (s.values['api.responseMs'] ?? 0) > 5000);
    expect(slow).toHaveLength(2); // the window: fired on the second slow poll, not the first
    expect(report.samples.at(-1)!.values['api.responseMs']).toBeLessThan(4000);
    expect(report.firing).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});
