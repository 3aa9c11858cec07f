// Request lines are sampled (REQUEST_LOG_PER_SECOND a second, the rest counted in one line) and
// server errors are always logged: the target's own logging must not cost it its throughput
// under a load test (issue 21), and nothing it left out goes unsaid.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startTarget, type RunningTarget } from '../../wms/index.ts';
import { hostIndependent } from './helpers.ts';

interface Line {
  time: number;
  level: number;
  msg: string;
  statusCode?: number;
  url?: string;
  skipped?: number;
}

const lines: Line[] = [];
const sink = new Writable({
  write(chunk, _enc, cb) {
    for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Line);
    cb();
  },
});
let t: RunningTarget | undefined;
afterAll(async () => {
  await t?.close();
});

describe('request log', () => {
  it('logs at most N request lines a second, counts the rest, and every server error', async () => {
    t = await startTarget({ seedUsers: 2, seedSkus: 10, rateLimitPerMinute: 0, requestLogPerSecond: 3, ...hostIndependent }, pino({ level: 'info' }, sink));
    const n = 20;
    for (let i = 0; i < n; i++) expect((await fetch(`${t.url}/api/health`)).status).toBe(200);
    // the next second's first request says how many the last one left out
    await new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000)));
    expect((await fetch(`${t.url}/api/health`)).status).toBe(200);
    t.ctx.faults.merge({ errorRate: 1 });
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"user0001","password":"x"}' });
      expect(r.status).toBe(500);
    }
    await new Promise((r) => setTimeout(r, 50));
    const health = lines.filter((l) => l.msg === 'request completed' && l.url === '/api/health');
    const perSecond = new Map<number, number>();
    for (const l of health) perSecond.set(Math.floor(l.time / 1000), (perSecond.get(Math.floor(l.time / 1000)) ?? 0) + 1);
    for (const c of perSecond.values()) expect(c).toBeLessThanOrEqual(3);
    const skipped = lines.filter((l) => l.msg.includes('request lines left out')).reduce((a, l) => a + (l.skipped ?? 0), 0);
    expect(skipped).toBeGreaterThan(0);
    // every request is either a line or counted as left out (the last second's count is still open)
    expect(health.length + skipped).toBe(n + 1);
    const errors = lines.filter((l) => l.msg === 'request completed' && l.statusCode === 500);
    expect(errors).toHaveLength(5);
    expect(errors.every((l) => l.level === 50)).toBe(true);
  });

  it('a request with an X-Request-Id is always logged, even past the budget of its second (the preflight logging probe)', async () => {
    lines.length = 0;
    const target = await startTarget({ seedUsers: 2, seedSkus: 10, rateLimitPerMinute: 0, requestLogPerSecond: 1, ...hostIndependent }, pino({ level: 'info' }, sink));
    try {
      // stay inside one wall-clock second so the budget of 1 is spent before the traced request
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
      for (let i = 0; i < 5; i++) expect((await fetch(`${target.url}/api/health?i=${i}`)).status).toBe(200);
      expect((await fetch(`${target.url}/api/health?probe=1`, { headers: { 'x-request-id': 'probe-1' } })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
      expect(lines.filter((l) => l.msg === 'request completed' && l.url === '/api/health?probe=1')).toHaveLength(1);
      // the untraced ones were still sampled
      expect(lines.filter((l) => l.msg === 'request completed' && l.url?.startsWith('/api/health?i=')).length).toBeLessThan(5);
    } finally {
      await target.close();
    }
  });
});
