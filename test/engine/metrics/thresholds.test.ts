/**
 * The threshold grammar, table-driven: every aggregation × metric type (valid or ConfigError),
 * every operator, sub-metric selectors, the object form, invalid input with its error text, and
 * evaluation against real aggregates in a MetricsStore fed through a collector.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, ExitCode } from '../../../engine/errors.ts';
import { createCollector, MetricsStore, parseMetricSelector, parseThresholdExpression, parseThresholds, validateThresholds } from '../../../engine/metrics/index.ts';
import type { MetricType } from '../../../engine/types.ts';

const types: Record<string, MetricType> = { c: 'counter', g: 'gauge', r: 'rate', t: 'trend' };
const aggregations = ['count', 'rate', 'value', 'avg', 'min', 'max', 'med', 'p(95)', 'p(99.9)'];
const fits: Record<MetricType, string[]> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p(95)', 'p(99.9)'],
};

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseThresholdExpression', () => {
  const cases: [string, { aggregation: string; percentile?: number; operator: string; value: number; aggregationName: string }][] = [
    ['p(95)<500', { aggregation: 'p', percentile: 95, operator: '<', value: 500, aggregationName: 'p(95)' }],
    ['p(99.9) <= 1.5', { aggregation: 'p', percentile: 99.9, operator: '<=', value: 1.5, aggregationName: 'p(99.9)' }],
    [' avg > 10 ', { aggregation: 'avg', operator: '>', value: 10, aggregationName: 'avg' }],
    ['min>=0', { aggregation: 'min', operator: '>=', value: 0, aggregationName: 'min' }],
    ['max==3', { aggregation: 'max', operator: '==', value: 3, aggregationName: 'max' }],
    ['med===3', { aggregation: 'med', operator: '===', value: 3, aggregationName: 'med' }],
    ['count!=0', { aggregation: 'count', operator: '!=', value: 0, aggregationName: 'count' }],
    ['rate<0.01', { aggregation: 'rate', operator: '<', value: 0.01, aggregationName: 'rate' }],
    ['value<-2', { aggregation: 'value', operator: '<', value: -2, aggregationName: 'value' }],
    ['count<1e3', { aggregation: 'count', operator: '<', value: 1000, aggregationName: 'count' }],
    ['p(0)>=0', { aggregation: 'p', percentile: 0, operator: '>=', value: 0, aggregationName: 'p(0)' }],
    ['p(100)<9', { aggregation: 'p', percentile: 100, operator: '<', value: 9, aggregationName: 'p(100)' }],
  ];
  it.each(cases)('%s', (src, want) => {
    expect(parseThresholdExpression(src)).toMatchObject(want);
  });

  const invalid: [string, RegExp][] = [
    ['', /empty expression/],
    ['p95<500', /unsupported aggregation method "p95"/],
    ['mean<500', /unsupported aggregation method "mean"/],
    ['avg', /malformed expression/],
    ['avg<', /malformed expression/],
    ['avg=<5', /malformed expression/],
    ['avg<abc', /parsing threshold value "abc" failed/],
    ['avg<5ms', /parsing threshold value "5ms" failed/],
    ['p(abc)<5', /malformed percentile value "abc"/],
    ['p(101)<5', /percentile p\(101\) is out of range/],
    ['avg<>5', /malformed expression|parsing threshold value/],
  ];
  it.each(invalid)('rejects %j', (src, message) => {
    expect(() => parseThresholdExpression(src)).toThrow(message);
    expect(() => parseThresholdExpression(src)).toThrow(`failed parsing threshold expression ${JSON.stringify(src)}; reason:`);
  });
});

describe('parseMetricSelector', () => {
  it.each([
    ['http_req_duration', 'http_req_duration', null, 'http_req_duration'],
    ['http_req_duration{name:login}', 'http_req_duration', { name: 'login' }, 'http_req_duration{name:login}'],
    ['http_req_duration{ name : login , method:POST }', 'http_req_duration', { name: 'login', method: 'POST' }, 'http_req_duration{name:login,method:POST}'],
    ['group_duration{group:::a::b}', 'group_duration', { group: '::a::b' }, 'group_duration{group:::a::b}'],
    ['http_reqs{url:"http://x:1/a"}', 'http_reqs', { url: 'http://x:1/a' }, 'http_reqs{url:http://x:1/a}'],
    ["checks{check:'it works'}", 'checks', { check: 'it works' }, 'checks{check:it works}'],
  ])('%s', (key, metric, tags, name) => {
    expect(parseMetricSelector(key)).toEqual({ key, metric, tags, name });
  });
  it.each([
    ['1abc', /invalid metric name "1abc"/],
    ['a', /invalid metric name "a"/],
    ['bad-name', /invalid metric name "bad-name"/],
    ['http_reqs{name:x', /the tag selector must end with "}"/],
    ['http_reqs{}', /empty tag selector/],
    ['http_reqs{name}', /tag "name" must be written key:value/],
    ['http_reqs{:x}', /empty tag key/],
  ])('rejects %j', (key, message) => {
    const err = errorOf(() => parseMetricSelector(key));
    expect(err.message).toMatch(message);
    expect(err.message).toContain(`invalid threshold defined on ${key}`);
    expect(err.exitCode).toBe(ExitCode.InvalidConfig);
  });
});

describe('validateThresholds: every aggregation × metric type', () => {
  const rows: [string, MetricType, string, boolean][] = [];
  for (const [metric, type] of Object.entries(types)) {
    for (const agg of aggregations) rows.push([metric + metric, type, agg, fits[type].includes(agg)]);
  }
  it.each(rows)('%s (%s) with %s → valid=%s', (metric, type, agg, valid) => {
    const th = { [metric]: [`${agg}<1`] };
    const known = { [metric]: type };
    if (valid) {
      expect(validateThresholds(th, known)).toHaveLength(1);
    } else {
      const err = errorOf(() => validateThresholds(th, known));
      expect(err.exitCode).toBe(104);
      expect(err.message).toContain(`invalid option thresholds["${metric}"]: invalid threshold defined on ${metric}`);
      expect(err.message).toContain(`uses the aggregation method "${agg}", which is not supported by the metric "${metric}" of type ${type}`);
    }
  });

  it('an unknown metric names the threshold, in k6 words', () => {
    const err = errorOf(() => validateThresholds({ requests: ['count<1'] }, { http_reqs: 'counter' }));
    expect(err.message).toBe('invalid option thresholds["requests"]: invalid threshold defined on requests; reason: no metric name "requests" found');
  });
  it('an unknown metric behind a sub-metric selector', () => {
    const err = errorOf(() => validateThresholds({ 'nope{a:b}': ['count<1'] }, { http_reqs: 'counter' }));
    expect(err.message).toContain('no metric name "nope" found');
  });
  it('a bad expression names the threshold and the expression', () => {
    const err = errorOf(() => validateThresholds({ http_reqs: ['count<1', 'cnt<2'] }, { http_reqs: 'counter' }));
    expect(err.message).toContain('invalid threshold defined on http_reqs; reason: failed parsing threshold expression "cnt<2"');
  });
  it.each([
    [{ http_reqs: 'count<1' }, /expected an array of threshold expressions/],
    [{ http_reqs: [5] }, /threshold 0 must be a string/],
    [{ http_reqs: [{ threshold: 'count<1', abortOnFail: 'yes' }] }, /abortOnFail must be true or false/],
    [{ http_reqs: [{ threshold: 'count<1', delay: '1s' }] }, /unknown field "delay" in threshold 0/],
    [{ http_reqs: [{ threshold: 'count<1', delayAbortEval: 'soon' }] }, /delayAbortEval: "soon" is not a duration/],
    [{ http_reqs: [{ abortOnFail: true }] }, /threshold 0 must be a string/],
  ])('invalid shape %j', (th, message) => {
    expect(errorOf(() => validateThresholds(th as Record<string, unknown>, { http_reqs: 'counter' })).message).toMatch(message);
  });
  it('thresholds that are not an object', () => {
    expect(errorOf(() => parseThresholds([] as unknown as Record<string, unknown>)).message).toMatch(/expected an object/);
  });
  it('object form: abortOnFail and delayAbortEval', () => {
    const [set] = validateThresholds({ http_req_duration: [{ threshold: 'p(95)<5', abortOnFail: true, delayAbortEval: '1m30s' }, 'avg<3'] }, { http_req_duration: 'trend' });
    expect(set?.thresholds[0]).toMatchObject({ source: 'p(95)<5', abortOnFail: true, delayAbortEvalMs: 90_000 });
    expect(set?.thresholds[1]).toMatchObject({ source: 'avg<3', abortOnFail: false, delayAbortEvalMs: 0 });
  });
});

describe('evaluation', () => {
  /** A store fed through a real collector with the given samples. */
  function storeWith(thresholds: Record<string, unknown>, feed: (c: ReturnType<typeof createCollector>) => void) {
    const c = createCollector({ thresholds });
    c.define('my_counter', 'counter');
    c.define('my_gauge', 'gauge');
    c.define('my_rate', 'rate');
    c.define('my_trend', 'trend');
    feed(c);
    const s = new MetricsStore({ thresholds });
    s.merge(c.drain());
    s.validate();
    return s;
  }
  const feed = (c: ReturnType<typeof createCollector>) => {
    for (let i = 1; i <= 10; i++) {
      c.add('my_counter', i, {}, 1000 + i); // sum 55
      c.add('my_gauge', i * 10, {}, 1000 + i); // last 100
      c.add('my_rate', i <= 3 ? 1 : 0, {}, 1000 + i); // 0.3
      c.add('my_trend', i, { kind: i % 2 ? 'odd' : 'even' }, 1000 + i); // 1..10
    }
  };
  // elapsed 5 s → counter rate 11/s
  const table: [string, string, boolean][] = [
    ['my_counter', 'count==55', true],
    ['my_counter', 'count===55', true],
    ['my_counter', 'count!=55', false],
    ['my_counter', 'count<55', false],
    ['my_counter', 'count<=55', true],
    ['my_counter', 'count>54', true],
    ['my_counter', 'count>=56', false],
    ['my_counter', 'rate==11', true],
    ['my_counter', 'rate<10', false],
    ['my_gauge', 'value==100', true],
    ['my_gauge', 'value<100', false],
    ['my_rate', 'rate==0.3', true],
    ['my_rate', 'rate<0.3', false],
    ['my_rate', 'rate>=0.3', true],
    ['my_trend', 'avg==5.5', true],
    ['my_trend', 'min==1', true],
    ['my_trend', 'max==10', true],
    ['my_trend', 'med==5.5', true],
    ['my_trend', 'p(90)==9.1', true],
    ['my_trend', 'p(100)==10', true],
    ['my_trend', 'p(0)==1', true],
    ['my_trend', 'p(50)>5.5', false],
    ['my_trend{kind:odd}', 'max==9', true],
    ['my_trend{kind:odd}', 'avg==5', true],
    ['my_trend{kind:even}', 'min==2', true],
    ['my_trend{kind:even}', 'min>2', false],
    ['my_trend{kind:none}', 'avg>1000', true], // no samples: passes
  ];
  it.each(table)('%s %s → ok=%s', (metric, expr, ok) => {
    const s = storeWith({ [metric]: [expr] }, feed);
    const e = s.evaluateThresholds(5000);
    expect(e.results).toHaveLength(1);
    const r = e.results[0] as { ok: boolean; value?: number };
    expect(r.ok).toBe(ok);
    expect(e.crossed.length).toBe(ok ? 0 : 1);
    expect(e.abort).toBe(false);
  });

  it('an empty metric is skipped during the run but judged at the end, as k6 does', () => {
    const th = { my_counter: ['count>5'], my_trend: ['p(95)<500', 'p(95)>1'], my_rate: ['rate<0.01'], my_gauge: ['value>0'] };
    const s = new MetricsStore({ thresholds: th });
    s.define('my_counter', 'counter');
    s.define('my_trend', 'trend');
    s.define('my_rate', 'rate');
    s.define('my_gauge', 'gauge');
    s.validate();
    expect(s.evaluateThresholds(1000).crossed).toEqual([]);
    const end = s.evaluateThresholds(1000, { final: true });
    expect(end.results.map((r) => [r.metric, r.source, r.ok, r.value])).toEqual([
      ['my_counter', 'count>5', false, 0],
      ['my_trend', 'p(95)<500', true, 0],
      ['my_trend', 'p(95)>1', false, 0],
      ['my_rate', 'rate<0.01', true, 0],
      ['my_gauge', 'value>0', false, 0],
    ]);
    // the summary (junit, --summary-export, handleSummary) shows the final verdict too
    expect(s.summaryData({ testRunDurationMs: 1000 }).metrics.my_counter?.thresholds).toEqual({ 'count>5': { ok: false } });
  });

  it('a metric with no samples passes during the run; after samples it can fail', () => {
    const th = { my_counter: ['count>5'] };
    const c = createCollector({ thresholds: th });
    c.define('my_counter', 'counter');
    const s = new MetricsStore({ thresholds: th });
    s.define('my_counter', 'counter');
    s.validate();
    expect(s.evaluateThresholds(1000).crossed).toEqual([]);
    c.add('my_counter', 1, {});
    s.merge(c.drain());
    expect(s.evaluateThresholds(1000).crossed.map((r) => r.source)).toEqual(['count>5']);
  });

  it('abortOnFail aborts only after delayAbortEval, and stays failed', () => {
    const th = { http_req_duration: [{ threshold: 'max<100', abortOnFail: true, delayAbortEval: '2s' }] };
    const c = createCollector({ thresholds: th });
    const s = new MetricsStore({ thresholds: th });
    s.validate();
    c.add('http_req_duration', 500, {});
    s.merge(c.drain());
    expect(s.evaluateThresholds(1000)).toMatchObject({ abort: false });
    expect(s.evaluateThresholds(1999).abort).toBe(false);
    const e = s.evaluateThresholds(2000);
    expect(e.abort).toBe(true);
    expect(e.crossed[0]).toMatchObject({ metric: 'http_req_duration', source: 'max<100', ok: false, value: 500, abortOnFail: true });
  });

  it('a crossed threshold without abortOnFail never aborts', () => {
    const th = { http_req_duration: ['max<100'] };
    const c = createCollector({ thresholds: th });
    const s = new MetricsStore({ thresholds: th });
    c.add('http_req_duration', 500, {});
    s.merge(c.drain());
    expect(s.evaluateThresholds(60_000)).toMatchObject({ abort: false, crossed: [{ ok: false }] });
  });

  it('noThresholds skips evaluation and validation', () => {
    const s = new MetricsStore({ thresholds: { nope: ['x'] }, noThresholds: true });
    s.validate();
    expect(s.evaluateThresholds(1).results).toEqual([]);
  });
});
