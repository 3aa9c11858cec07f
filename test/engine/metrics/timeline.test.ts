// The collector's per-second aggregates for charts (timeline.ts): rows per epoch second, metric and
// scenario, exact against the samples; per request name with the errors of failed requests; names
// capped; only the charted metrics; nothing when nothing happened.
import { describe, expect, it } from 'vitest';
import { createCollector } from '../../../engine/metrics/index.ts';
import { MAX_TIMELINE_NAMES, OTHER_NAMES } from '../../../engine/metrics/timeline.ts';

const t0 = 1_700_000_000_000;

describe('timeline', () => {
  it('rows per second and scenario hold exactly what the samples said', () => {
    const c = createCollector({ keepTimeline: true });
    c.define('queue_depth', 'gauge');
    for (let i = 0; i < 30; i++) {
      const t = t0 + i * 100; // 3 seconds, 10 samples each
      const tags = { scenario: i % 2 ? 'a' : 'b', name: 'get', status: i % 10 === 0 ? '503' : '200' };
      c.add('http_reqs', 1, tags, t);
      c.add('http_req_duration', i, tags, t);
      c.add('http_req_failed', i % 10 === 0 ? 1 : 0, tags, t);
      c.add('http_req_waiting', i, tags, t); // a phase: not charted
      c.add('queue_depth', i, {}, t);
    }
    const d = c.drain();
    const tl = d.timeline;
    expect(tl).toBeDefined();
    expect(d.samples).toBeUndefined();
    expect([tl?.from, tl?.to]).toEqual([t0, t0 + 2900]);
    const rows = tl?.seconds ?? [];
    expect(rows.some(([, m]) => m === 'http_req_waiting')).toBe(false);
    const reqs = rows.filter(([, m]) => m === 'http_reqs').map(([s, , sc, st]) => [s - t0, sc, st.t === 'counter' ? st.sum : -1]);
    expect(reqs.sort()).toEqual([
      [0, 'a', 5],
      [0, 'b', 5],
      [1000, 'a', 5],
      [1000, 'b', 5],
      [2000, 'a', 5],
      [2000, 'b', 5],
    ]);
    const dur = rows.find(([s, m, sc]) => s === t0 + 1000 && m === 'http_req_duration' && sc === 'b')?.[3];
    expect(dur).toMatchObject({ t: 'trend', count: 5, sum: 10 + 12 + 14 + 16 + 18, min: 10, max: 18 });
    const gauge = rows.find(([s, m]) => s === t0 + 2000 && m === 'queue_depth')?.[3];
    expect(gauge).toMatchObject({ t: 'gauge', last: 29, min: 20, max: 29 });
    expect(tl?.names.find(([m]) => m === 'http_req_failed')).toEqual(['http_req_failed', 'get', { t: 'rate', passes: 3, total: 30 }]);
    expect(tl?.errors).toEqual([['get', 'HTTP 503', 3]]);
    // drained: the next drain has nothing to say
    expect(c.drain().timeline).toBeUndefined();
  });

  it('names past the cap are counted together; the error_code tag names a failure first', () => {
    const c = createCollector({ keepTimeline: true });
    for (let i = 0; i < MAX_TIMELINE_NAMES + 5; i++) c.add('http_reqs', 1, { name: `id-${i}` }, t0);
    c.add('http_req_failed', 1, { name: 'id-999', error_code: '1211', status: '0' }, t0);
    const tl = c.drain().timeline;
    const names = tl?.names.filter(([m]) => m === 'http_reqs') ?? [];
    expect(names).toHaveLength(MAX_TIMELINE_NAMES + 1);
    expect(names.find(([, n]) => n === OTHER_NAMES)?.[2]).toEqual({ t: 'counter', sum: 5, n: 5 });
    expect(tl?.errors).toEqual([[OTHER_NAMES, '1211', 1]]);
  });
});
