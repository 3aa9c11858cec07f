/**
 * handleSummary's data has k6's documented shape: root_group {name, path, id, groups, checks},
 * options {summaryTrendStats, summaryTimeUnit, noColor}, state {isStdOutTTY, isStdErrTTY,
 * testRunDurationMs}, metrics {type, contains, values, thresholds {expr: {ok}}}, setup_data.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../engine/errors.ts';
import { MetricsStore, validateSummaryTrendStats } from '../../../engine/metrics/index.ts';
import type { SummaryGroup } from '../../../engine/metrics/index.ts';
import { sampleRun } from './sample-run.ts';

function checkGroupShape(g: SummaryGroup): void {
  expect(Object.keys(g).sort()).toEqual(['checks', 'groups', 'id', 'name', 'path']);
  expect(g.id).toMatch(/^[0-9a-f]{32}$/);
  for (const c of g.checks) {
    expect(Object.keys(c).sort()).toEqual(['fails', 'id', 'name', 'passes', 'path']);
    expect(c.path).toBe(`${g.path}::${c.name}`);
    expect(typeof c.passes).toBe('number');
  }
  g.groups.forEach(checkGroupShape);
}

describe('handleSummary data shape', () => {
  it('top-level keys and types', () => {
    const { data } = sampleRun();
    expect(Object.keys(data).sort()).toEqual(['metrics', 'options', 'root_group', 'setup_data', 'state']);
    expect(data.options).toEqual({ summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], summaryTimeUnit: '', noColor: false });
    expect(data.state).toEqual({ isStdOutTTY: false, isStdErrTTY: true, testRunDurationMs: 10_000 });
    expect(data.setup_data).toEqual({ token: 'abc' });
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });

  it('root_group tree with md5 ids', () => {
    const { data } = sampleRun();
    checkGroupShape(data.root_group);
    expect(data.root_group).toMatchObject({ name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect(data.root_group.groups.map((g) => g.path).sort()).toEqual(['::auth', '::shop']);
    const shop = data.root_group.groups.find((g) => g.name === 'shop') as SummaryGroup;
    expect(shop.groups.map((g) => g.path)).toEqual(['::shop::cart']);
    expect(shop.groups[0]?.checks[0]).toMatchObject({ name: 'status is 200', passes: 140, fails: 20 });
    expect(data.root_group.checks[0]).toMatchObject({ name: 'body has items', path: '::body has items', passes: 200, fails: 0 });
  });

  it('metric values per type', () => {
    const { data } = sampleRun();
    const m = data.metrics;
    for (const [name, metric] of Object.entries(m)) {
      expect(Object.keys(metric).filter((k) => k !== 'thresholds').sort(), name).toEqual(['contains', 'type', 'values']);
    }
    expect(m.http_reqs).toEqual({ type: 'counter', contains: 'default', values: { count: 200, rate: 20 } });
    expect(m.data_received).toEqual({ type: 'counter', contains: 'data', values: { count: 3_060_000, rate: 306_000 } });
    expect(m.vus).toEqual({ type: 'gauge', contains: 'default', values: { value: 6, min: 5, max: 7 } });
    expect(m.http_req_failed).toMatchObject({ type: 'rate', contains: 'default', values: { rate: 0.1, passes: 20, fails: 180 } });
    expect(Object.keys(m.http_req_duration?.values ?? {})).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']);
    expect(m.http_req_duration).toMatchObject({ type: 'trend', contains: 'time' });
    expect(m.cart_time).toMatchObject({ type: 'trend', contains: 'time', values: { min: 1.5, max: 4.5 } });
    expect(m['http_req_duration{expected_response:true}']?.values.max).toBeLessThan(m.http_req_duration?.values.max as number);
  });

  it('thresholds {expr: {ok}} on the metric or sub-metric they name', () => {
    const { data } = sampleRun();
    expect(data.metrics.http_req_duration?.thresholds).toEqual({ 'p(95)<500': { ok: true }, 'avg<90': { ok: false } });
    expect(data.metrics['http_req_duration{name:login}']?.thresholds).toEqual({ 'max<1000': { ok: true } });
    expect(data.metrics.http_req_failed?.thresholds).toEqual({ 'rate<0.2': { ok: true } });
    expect(data.metrics.checks?.thresholds).toEqual({ 'rate>0.99': { ok: false } });
    expect(data.metrics.orders_created?.thresholds).toEqual({ 'count>10': { ok: false } });
  });

  it('summaryTrendStats and summaryTimeUnit are honoured; threshold stats outside them are added', () => {
    const { store } = sampleRun();
    const data = store.summaryData({ testRunDurationMs: 10_000, summaryTrendStats: ['min', 'max', 'p(99)', 'count'], summaryTimeUnit: 'ms' });
    expect(data.options.summaryTrendStats).toEqual(['min', 'max', 'p(99)', 'count']);
    expect(data.options.summaryTimeUnit).toBe('ms');
    expect(Object.keys(data.metrics.http_req_duration?.values ?? {})).toEqual(['min', 'max', 'p(99)', 'count', 'p(95)', 'avg']);
    expect(data.metrics.http_req_duration?.values.count).toBe(200);
    expect(data.metrics.cart_time?.values).not.toHaveProperty('avg');
  });

  it('a metric with a threshold but no samples is listed and judged with its empty values; empty metrics are not', () => {
    const s = new MetricsStore({ thresholds: { dropped_iterations: ['count<1'] } });
    const data = s.summaryData({ testRunDurationMs: 1000 });
    expect(Object.keys(data.metrics)).toEqual(['dropped_iterations']);
    expect(data.metrics.dropped_iterations).toEqual({ type: 'counter', contains: 'default', values: { count: 0, rate: 0 }, thresholds: { 'count<1': { ok: true } } });
    expect(data).not.toHaveProperty('setup_data');
  });
});

describe('summaryTrendStats validation', () => {
  it('accepts k6 stats', () => {
    expect(validateSummaryTrendStats(['avg', 'min', 'med', 'max', 'count', 'p(90)', 'p(99.99)', 'p(0)', 'p(100)'])).toHaveLength(9);
    new MetricsStore({ summaryTrendStats: ['avg', 'p(95)'] }).validate();
  });
  it.each([
    [['avg', 'mean'], 'summaryTrendStats[1]', '"mean" is not supported'],
    [['p(101)'], 'summaryTrendStats[0]', '"p(101)" is not supported'],
    [['p95'], 'summaryTrendStats[0]', '"p95" is not supported'],
    [[5], 'summaryTrendStats[0]', '5 is not supported'],
    ['avg', 'summaryTrendStats', 'expected an array'],
  ])('%j → ConfigError on %s', (stats, option, text) => {
    let err: unknown;
    try {
      new MetricsStore({ summaryTrendStats: stats }).validate();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe(option);
    expect((err as Error).message).toContain(text);
  });
});
