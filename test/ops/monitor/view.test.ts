import { describe, expect, it } from 'vitest';
import { defaultRules } from '../../../ops/monitor/rules.ts';
import type { MonitorSample } from '../../../ops/monitor/types.ts';
import { renderLive, renderSummary, sparkline } from '../../../ops/monitor/view.ts';

const sample = (i: number, rt: number, firing: string[] = []): MonitorSample => ({
  type: 'sample', t: new Date(i * 1000).toISOString(), elapsedMs: i * 1000, pollMs: 5, notes: {}, firing,
  values: { 'api.responseMs': rt, 'api.up': 1, 'system.cpuPercent': 10 * i, 'system.memoryPercent': 50, 'system.diskPercent': 22 },
});

describe('monitor view', () => {
  it('sparklines scale to the range and leave gaps', () => {
    expect(sparkline([0, 50, 100], 0, 100)).toBe('▁▅█');
    expect(sparkline([1, undefined, 3])).toBe('▁ █');
    expect(sparkline([5, 5])).toBe('▁▁');
  });

  it('draws a row per reading with a sparkline and marks readings a firing rule watches', () => {
    const samples = [sample(0, 10), sample(1, 6000), sample(2, 6000, ['response-time'])];
    const text = renderLive({ url: 'http://127.0.0.1:1', intervalMs: 1000, samples, alerts: [], rules: defaultRules, polls: 3, upPolls: 3 }, false);
    expect(text).toMatch(/API response time\s+6\.00 s\s+10 ms–6\.00 s\s+▁██\s+ALERT/);
    expect(text).toMatch(/CPU\s+20\.0 %\s+0\.0 %–20\.0 %\s+▁▂▂/);
    expect(text).toContain('FIRING: response-time');
    expect(text).toContain('uptime 100.0 %');
    expect(text).not.toContain('Database'); // absent readings get no row
  });

  it('the summary gives uptime and the alert history', () => {
    const text = renderSummary(
      {
        target: 'http://x', startedAt: '', endedAt: '', durationMs: 62_000, intervalMs: 5000, polls: 10, upPolls: 9, uptimePercent: 90,
        samples: [], rules: [], firing: [],
        alerts: [
          { type: 'alert', state: 'firing', rule: 'cpu', severity: 'warning', metric: 'm', value: 90, threshold: 80, at: '2026-11-28T10:00:05.000Z', since: '', message: 'CPU usage 90 % > 80 %' },
          { type: 'alert', state: 'resolved', rule: 'cpu', severity: 'warning', metric: 'm', value: 10, threshold: 80, at: '2026-11-28T10:00:35.000Z', since: '', firingMs: 30_000, message: 'CPU usage back to 10 %' },
        ],
      },
      false,
    );
    expect(text).toContain('for 1m02s: 10 polls every 5.00 s');
    expect(text).toContain('uptime 90.00 % (9/10 polls');
    expect(text).toMatch(/10:00:05\s+FIRING\s+cpu\s+CPU usage 90 % > 80 %/);
    expect(text).toMatch(/10:00:35\s+resolved\s+cpu\s+CPU usage back to 10 % \(fired for 30s\)/);
  });
});
