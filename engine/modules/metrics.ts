/**
 * `k6/metrics`: the custom metric constructors Counter, Gauge, Rate and Trend. As in k6 they may
 * only be constructed in the init context, their names follow k6's name rule, and `add(value, tags)`
 * emits one sample through the VU (which merges its own tags and group).
 */
import type { MetricType, ModuleFactory, Tags, VuContext } from '../types.ts';
import { moduleExports } from './module-exports.ts';

/** k6's rule for metric names. */
export const metricNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/;

function toTags(tags: unknown): Tags | undefined {
  if (tags === undefined || tags === null) return undefined;
  if (typeof tags !== 'object') return undefined;
  const out: Tags = {};
  for (const [k, v] of Object.entries(tags as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

function toValue(raw: unknown): number {
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && raw.trim() !== '') return Number(raw);
  if (typeof raw === 'bigint') return Number(raw);
  return Number.NaN;
}

function makeMetricClass(vu: VuContext, type: MetricType, className: string) {
  const cls = class {
    readonly name: string;
    readonly type: MetricType = type;
    constructor(name: unknown, isTime?: unknown) {
      if (vu.phase !== 'init') {
        throw new Error('metrics must be declared in the init context');
      }
      if (typeof name !== 'string' || !metricNamePattern.test(name)) {
        throw new Error(
          `Invalid metric name: '${String(name)}'. A metric name must only include up to 128 ASCII letters, numbers, or underscores and start with a letter or an underscore.`,
        );
      }
      vu.define(name, type, isTime ? 'time' : 'default');
      this.name = name;
    }
    add(value: unknown, tags?: unknown): boolean {
      let v = toValue(value);
      if (Number.isNaN(v)) {
        vu.log.once(
          `metric-invalid-value:${this.name}`,
          'warning',
          `'${String(value)}' is an invalid value for metric '${this.name}', a number or a boolean value is expected`,
        );
        return false;
      }
      if (type === 'rate') v = v !== 0 ? 1 : 0;
      vu.emit(this.name, v, toTags(tags));
      return true;
    }
  };
  Object.defineProperty(cls, 'name', { value: className });
  return cls;
}

export const metricsModule: ModuleFactory = (vu) => {
  const Counter = makeMetricClass(vu, 'counter', 'Counter');
  const Gauge = makeMetricClass(vu, 'gauge', 'Gauge');
  const Rate = makeMetricClass(vu, 'rate', 'Rate');
  const Trend = makeMetricClass(vu, 'trend', 'Trend');
  const mod = { Counter, Gauge, Rate, Trend };
  return moduleExports(mod);
};
