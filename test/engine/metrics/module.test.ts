/**
 * `k6/metrics` (engine/modules/metrics.ts) on a VU context whose emit/define feed a real
 * collector: init-only construction, k6's name rule, isTime, add(value, tags) per type, invalid
 * values, and the resulting aggregates in the store.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../engine/log.ts';
import { createCollector, MetricsStore } from '../../../engine/metrics/index.ts';
import { metricsModule } from '../../../engine/modules/metrics.ts';
import type { Tags, VuContext, VuPhase } from '../../../engine/types.ts';

function vuWith() {
  const sink = createCollector({ keepSamples: true });
  const lines: string[] = [];
  const state = { phase: 'init' as VuPhase };
  const vuTags: Tags = { scenario: 'default' };
  const ctx = {
    get phase() {
      return state.phase;
    },
    tags: vuTags,
    groupPath: '::g',
    log: createLogger({ write: (l) => lines.push(l) }),
    emit(metric: string, value: number, tags?: Tags, time?: number) {
      sink.add(metric, value, { ...vuTags, group: ctx.groupPath, ...tags }, time);
    },
    define: (m: string, t: never, c?: never) => sink.define(m, t, c),
  } as unknown as VuContext;
  type Ctor = new (name: unknown, isTime?: unknown) => { name: string; add(v: unknown, tags?: unknown): boolean };
  const mod = metricsModule(ctx) as Record<'Counter' | 'Gauge' | 'Rate' | 'Trend', Ctor> & { default: Record<string, Ctor> };
  return { sink, lines, state, mod };
}

describe('k6/metrics', () => {
  it('exports the four constructors, also on default', () => {
    const { mod } = vuWith();
    for (const n of ['Counter', 'Gauge', 'Rate', 'Trend'] as const) {
      expect(typeof mod[n]).toBe('function');
      expect(mod.default[n]).toBe(mod[n]);
      expect(mod[n].name).toBe(n);
    }
  });

  it('constructs only in the init context', () => {
    const { mod, state } = vuWith();
    state.phase = 'iteration';
    expect(() => new mod.Counter('late_counter')).toThrow('metrics must be declared in the init context');
  });

  it.each([['1abc'], ['a'], ['has-dash'], ['has space'], [''], [42], ['x'.repeat(130)]])('rejects the name %j', (name) => {
    const { mod } = vuWith();
    expect(() => new mod.Trend(name)).toThrow(/Invalid metric name/);
  });

  it('accepts names by the rule ^[a-zA-Z_][a-zA-Z0-9_]{1,128}$', () => {
    const { mod } = vuWith();
    for (const n of ['ab', '_x', 'My_Metric_2', `a${'b'.repeat(128)}`]) expect(new mod.Counter(n).name).toBe(n);
  });

  it('declares types and contains; a type conflict throws', () => {
    const { mod, sink } = vuWith();
    new mod.Trend('t_time', true);
    new mod.Trend('t_plain');
    new mod.Gauge('g_one');
    new mod.Rate('r_one');
    new mod.Counter('c_one');
    new mod.Counter('c_one'); // same type again: fine
    const defs = sink.definitions();
    expect(defs.get('t_time')).toEqual({ type: 'trend', contains: 'time' });
    expect(defs.get('t_plain')).toEqual({ type: 'trend', contains: 'default' });
    expect(defs.get('g_one')?.type).toBe('gauge');
    expect(() => new mod.Gauge('c_one')).toThrow("metric 'c_one' already exists but with type counter, instead of gauge");
  });

  it('add() emits through the VU with its tags, coercing booleans; Rate counts non-zero as true', () => {
    const { mod, sink, state, lines } = vuWith();
    const c = new mod.Counter('c_one');
    const r = new mod.Rate('r_one');
    const t = new mod.Trend('t_one', true);
    const g = new mod.Gauge('g_one');
    state.phase = 'iteration';
    expect(c.add(2, { kind: 'a', n: 5 })).toBe(true);
    c.add(true);
    r.add(5);
    r.add(0);
    r.add(false);
    r.add(true);
    t.add(12.5);
    t.add('7');
    g.add(3);
    g.add(1);
    expect(t.add('nope')).toBe(false);
    expect(t.add(undefined)).toBe(false);
    const d = sink.drain();
    expect(d.samples?.find((s) => s.metric === 'c_one')?.tags).toEqual({ scenario: 'default', group: '::g', kind: 'a', n: '5' });
    const s = new MetricsStore();
    s.merge(d);
    const data = s.summaryData({ testRunDurationMs: 1000 });
    expect(data.metrics.c_one?.values).toEqual({ count: 3, rate: 3 });
    expect(data.metrics.r_one?.values).toEqual({ rate: 0.5, passes: 2, fails: 2 });
    expect(data.metrics.t_one).toMatchObject({ type: 'trend', contains: 'time', values: { min: 7, max: 12.5, avg: 9.75 } });
    expect(data.metrics.g_one?.values).toEqual({ value: 1, min: 1, max: 3 });
    expect(lines.filter((l) => l.includes("is an invalid value for metric 't_one'"))).toHaveLength(1);
  });
});
