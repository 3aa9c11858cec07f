/**
 * k6's threshold grammar: parsing, validation against metric types, and evaluation.
 *
 *   options.thresholds = { 'metric' | 'metric{tag:value,…}': [ 'agg op number' | {threshold, abortOnFail, delayAbortEval} ] }
 *   agg: count | rate | value | avg | min | max | med | p(N)  (N a float 0..100)
 *   op:  < <= > >= == === !=
 *
 * Which aggregation fits which metric type (k6 docs, "Thresholds"): counter → count, rate;
 * gauge → value; rate → rate; trend → avg, min, max, med, p(N). A metric with no samples passes
 * while the test runs and is judged with its empty values (0) at the end, as in k6.
 * Bad input is a ConfigError (exit 104) naming the threshold, in k6's words where k6 has them.
 */
import { ConfigError } from '../errors.ts';
import { parseDuration } from '../duration.ts';
import type { MetricType, Tags } from '../types.ts';

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
export type AggregationKind = 'count' | 'rate' | 'value' | 'avg' | 'min' | 'max' | 'med' | 'p';

export interface ThresholdExpression {
  /** As written, e.g. "p(95)<500". */
  source: string;
  aggregation: AggregationKind;
  /** Percentile 0..100 when aggregation is 'p'. */
  percentile?: number;
  /** The aggregation as k6 names it in summaries: "p(95)", "avg", … */
  aggregationName: string;
  operator: Operator;
  value: number;
}

export interface Threshold extends ThresholdExpression {
  abortOnFail: boolean;
  /** ms after the test start before an abortOnFail threshold may abort. */
  delayAbortEvalMs: number;
}

/** A metric key: `name` or `name{k:v,…}`. */
export interface MetricSelector {
  /** The key as written in options.thresholds. */
  key: string;
  metric: string;
  /** Tag filter for a sub-metric (null: the metric itself). */
  tags: Tags | null;
  /** Normalised sub-metric name: `metric{k:v,k2:v2}` (k6 keeps the order written). */
  name: string;
}

export interface ThresholdSet {
  selector: MetricSelector;
  thresholds: Threshold[];
}

export const aggregationsByType: Readonly<Record<MetricType, readonly AggregationKind[]>> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p'],
};

const metricNameRule = /^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/;

function thresholdError(key: string, reason: string): ConfigError {
  return new ConfigError(`thresholds[${JSON.stringify(key)}]`, reason);
}

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && ((t[0] === '"' && t.endsWith('"')) || (t[0] === "'" && t.endsWith("'")))) return t.slice(1, -1);
  return t;
}

/** Parses a thresholds key: `http_req_duration`, `http_req_duration{name:login,method:POST}`. */
export function parseMetricSelector(key: string): MetricSelector {
  const text = key.trim();
  const brace = text.indexOf('{');
  const metric = (brace === -1 ? text : text.slice(0, brace)).trim();
  if (!metricNameRule.test(metric)) {
    throw thresholdError(
      key,
      `invalid threshold defined on ${key}; reason: invalid metric name ${JSON.stringify(metric)}: a metric name must only include up to 128 ASCII letters, numbers, or underscores and start with a letter or an underscore`,
    );
  }
  if (brace === -1) return { key, metric, tags: null, name: metric };
  if (!text.endsWith('}')) {
    throw thresholdError(key, `invalid threshold defined on ${key}; reason: parsing metric name failed: the tag selector must end with "}"`);
  }
  const inner = text.slice(brace + 1, -1);
  if (inner.trim() === '') throw thresholdError(key, `invalid threshold defined on ${key}; reason: parsing metric name failed: empty tag selector "{}"`);
  const tags: Tags = {};
  for (const part of inner.split(',')) {
    const colon = part.indexOf(':');
    if (colon === -1) {
      throw thresholdError(key, `invalid threshold defined on ${key}; reason: parsing metric name failed: tag ${JSON.stringify(part.trim())} must be written key:value`);
    }
    const k = unquote(part.slice(0, colon));
    const v = unquote(part.slice(colon + 1));
    if (k === '') throw thresholdError(key, `invalid threshold defined on ${key}; reason: parsing metric name failed: empty tag key in ${JSON.stringify(part.trim())}`);
    tags[k] = v;
  }
  const name = `${metric}{${Object.entries(tags)
    .map(([k, v]) => `${k}:${v}`)
    .join(',')}}`;
  return { key, metric, tags, name };
}

const exprRule = /^\s*(count|rate|value|avg|min|max|med|p\(\s*([^)]*)\s*\))\s*(===|==|!=|<=|>=|<|>)\s*(\S.*?)\s*$/;
const numberRule = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses one threshold expression such as `p(99.9) <= 250`. Throws a plain Error with k6's reason. */
export function parseThresholdExpression(source: string): ThresholdExpression {
  const fail = (reason: string) => new Error(`failed parsing threshold expression ${JSON.stringify(source)}; reason: ${reason}`);
  if (typeof source !== 'string' || source.trim() === '') throw fail('empty expression');
  const m = exprRule.exec(source);
  if (!m) {
    const agg = /^\s*([a-zA-Z_][a-zA-Z0-9_]*(\([^)]*\))?)/.exec(source)?.[1];
    if (agg && !/^(count|rate|value|avg|min|max|med|p\(.*\))$/.test(agg)) {
      throw fail(`unsupported aggregation method ${JSON.stringify(agg)}; use one of count, rate, value, avg, min, max, med, p(N)`);
    }
    throw fail('malformed expression; expected "aggregation operator value", e.g. "p(95)<500" (operators: <, <=, >, >=, ==, ===, !=)');
  }
  const [, aggText, pText, op, valueText] = m as unknown as [string, string, string | undefined, Operator, string];
  if (!numberRule.test(valueText)) throw fail(`parsing threshold value ${JSON.stringify(valueText)} failed: not a number`);
  const value = Number(valueText);
  if (aggText.startsWith('p(')) {
    const ptext = (pText ?? '').trim();
    if (!numberRule.test(ptext)) throw fail(`malformed percentile value ${JSON.stringify(ptext)}; expected p(N) with N a number between 0 and 100`);
    const percentile = Number(ptext);
    if (percentile < 0 || percentile > 100) throw fail(`percentile p(${ptext}) is out of range; N must be between 0 and 100`);
    return { source, aggregation: 'p', percentile, aggregationName: `p(${ptext})`, operator: op, value };
  }
  return { source, aggregation: aggText as AggregationKind, aggregationName: aggText, operator: op, value };
}

/** Reads options.thresholds into parsed sets (no type checks; see validateThresholds). */
export function parseThresholds(thresholds: Record<string, unknown> | undefined | null): ThresholdSet[] {
  if (thresholds === undefined || thresholds === null) return [];
  if (typeof thresholds !== 'object' || Array.isArray(thresholds)) {
    throw new ConfigError('thresholds', 'expected an object mapping metric names to arrays of threshold expressions');
  }
  const out: ThresholdSet[] = [];
  for (const [key, list] of Object.entries(thresholds)) {
    const selector = parseMetricSelector(key);
    if (!Array.isArray(list)) {
      throw thresholdError(key, `invalid threshold defined on ${key}; reason: expected an array of threshold expressions or {threshold, abortOnFail, delayAbortEval} objects`);
    }
    const parsed: Threshold[] = [];
    list.forEach((item, i) => {
      let source: unknown = item;
      let abortOnFail = false;
      let delayAbortEvalMs = 0;
      if (item && typeof item === 'object') {
        const o = item as Record<string, unknown>;
        for (const k of Object.keys(o)) {
          if (k !== 'threshold' && k !== 'abortOnFail' && k !== 'delayAbortEval') {
            throw thresholdError(key, `invalid threshold defined on ${key}; reason: unknown field ${JSON.stringify(k)} in threshold ${i} (allowed: threshold, abortOnFail, delayAbortEval)`);
          }
        }
        source = o.threshold;
        if (o.abortOnFail !== undefined && typeof o.abortOnFail !== 'boolean') {
          throw thresholdError(key, `invalid threshold defined on ${key}; reason: abortOnFail must be true or false`);
        }
        abortOnFail = o.abortOnFail === true;
        if (o.delayAbortEval !== undefined && o.delayAbortEval !== null && o.delayAbortEval !== '') {
          delayAbortEvalMs = parseDuration(o.delayAbortEval, `thresholds[${JSON.stringify(key)}][${i}].delayAbortEval`);
        }
      }
      if (typeof source !== 'string') {
        throw thresholdError(key, `invalid threshold defined on ${key}; reason: threshold ${i} must be a string such as "p(95)<500" or an object {threshold: "…"}`);
      }
      try {
        parsed.push({ ...parseThresholdExpression(source), abortOnFail, delayAbortEvalMs });
      } catch (err) {
        throw thresholdError(key, `invalid threshold defined on ${key}; reason: ${(err as Error).message}`);
      }
    });
    out.push({ selector, thresholds: parsed });
  }
  return out;
}

/**
 * Parses and checks thresholds against the known metrics (built-ins plus the script's custom
 * metrics): an unknown metric or an aggregation that does not fit the metric's type is a
 * ConfigError (exit 104) naming the threshold.
 */
export function validateThresholds(thresholds: Record<string, unknown> | undefined | null, metricTypes: Readonly<Record<string, MetricType>>): ThresholdSet[] {
  return checkThresholdSets(parseThresholds(thresholds), metricTypes);
}

/** validateThresholds for sets parsed earlier (a run's TestPlan carries them parsed once). Returns `sets`. */
export function checkThresholdSets<S extends readonly ThresholdSet[]>(sets: S, metricTypes: Readonly<Record<string, MetricType>>): S {
  for (const set of sets) {
    const { key, metric } = set.selector;
    const type = metricTypes[metric];
    if (!type) throw thresholdError(key, `invalid threshold defined on ${key}; reason: no metric name ${JSON.stringify(metric)} found`);
    for (const t of set.thresholds) {
      if (!aggregationsByType[type].includes(t.aggregation)) {
        const allowed = aggregationsByType[type].map((a) => (a === 'p' ? 'p(N)' : a)).join(', ');
        throw thresholdError(
          key,
          `invalid threshold defined on ${key}; reason: threshold ${JSON.stringify(t.source)} uses the aggregation method ${JSON.stringify(t.aggregationName)}, which is not supported by the metric ${JSON.stringify(metric)} of type ${type} (supported: ${allowed})`,
        );
      }
    }
  }
  return sets;
}

export function compare(left: number, op: Operator, right: number): boolean {
  switch (op) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '==':
    case '===':
      return left === right;
    case '!=':
      return left !== right;
  }
}
