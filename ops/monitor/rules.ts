/**
 * Alert rules and the engine that evaluates them poll by poll. A rule compares one metric of
 * a poll (e.g. `system.cpuPercent`) with a threshold; it fires only after the condition has
 * held for its window (`for`: a number of consecutive polls, or a duration such as "10s"),
 * and it resolves once the value has been back past `clearThreshold` (hysteresis: defaults to
 * the threshold) for `clearFor`. A poll where the metric is missing changes nothing.
 * The guide's alerts are the defaults: CPU 80 %, memory 85 %, response time 5 s, error rate 5 %,
 * disk 90 %; a rules file overrides them by name, adds new ones, or disables one.
 */
import { readFile } from 'node:fs/promises';
import { parseDuration } from '../shared/duration.ts';

export type Comparison = '>' | '>=' | '<' | '<=';

export interface AlertRule {
  name: string;
  /** A key of the poll's values, e.g. `api.responseMs`. */
  metric: string;
  op: Comparison;
  threshold: number;
  /** Window before firing: polls (number, or "3 polls") or a duration ("10s"). Default 1 poll. */
  for?: number | string;
  /** Value the metric must get back past to resolve (hysteresis). Default: threshold. */
  clearThreshold?: number;
  /** Window of recovery before resolving, same forms as `for`. Default 1 poll. */
  clearFor?: number | string;
  severity?: 'warning' | 'critical';
  /** Human description for messages, e.g. "API response time". */
  description?: string;
  /** Unit for messages: "%", "ms", "MB". */
  unit?: string;
  enabled?: boolean;
}

export interface AlertEvent {
  type: 'alert';
  state: 'firing' | 'resolved';
  rule: string;
  severity: 'warning' | 'critical';
  metric: string;
  value: number;
  threshold: number;
  /** ISO time of the poll that changed the state. */
  at: string;
  /** ISO time the condition (or its recovery) began. */
  since: string;
  /** For `resolved`: how long the alert was firing, ms. */
  firingMs?: number;
  message: string;
}

/** The guide's alerts (Monitoring Alerts, Warning Signs), plus the outage and restart signs it lists. */
export const defaultRules: AlertRule[] = [
  { name: 'cpu', metric: 'system.cpuPercent', op: '>', threshold: 80, clearThreshold: 75, for: 3, severity: 'warning', description: 'CPU usage', unit: '%' },
  { name: 'memory', metric: 'system.memoryPercent', op: '>', threshold: 85, clearThreshold: 80, for: 3, severity: 'warning', description: 'memory usage', unit: '%' },
  { name: 'response-time', metric: 'api.responseMs', op: '>', threshold: 5000, clearThreshold: 4000, for: 2, severity: 'critical', description: 'API response time', unit: 'ms' },
  { name: 'error-rate', metric: 'target.errorRatePercent', op: '>', threshold: 5, clearThreshold: 4, for: 2, severity: 'critical', description: 'HTTP error rate (5xx)', unit: '%' },
  { name: 'disk', metric: 'system.diskPercent', op: '>', threshold: 90, clearThreshold: 88, for: 1, severity: 'critical', description: 'disk usage', unit: '%' },
  { name: 'api-down', metric: 'api.up', op: '<', threshold: 1, for: 2, severity: 'critical', description: 'API health (1 = answering 200)' },
  { name: 'database-down', metric: 'database.up', op: '<', threshold: 1, for: 2, severity: 'critical', description: 'database as /api/health reports it' },
  { name: 'cache-down', metric: 'cache.up', op: '<', threshold: 1, for: 2, severity: 'critical', description: 'cache/Redis as /api/health reports it' },
  { name: 'error-logs', metric: 'logs.errors', op: '>', threshold: 0, for: 1, severity: 'warning', description: 'new error lines in the log' },
  { name: 'container-restarts', metric: 'containers.newRestarts', op: '>', threshold: 0, for: 1, severity: 'warning', description: 'container restarts' },
  { name: 'container-unhealthy', metric: 'containers.unhealthy', op: '>', threshold: 0, for: 2, severity: 'critical', description: 'unhealthy or stopped containers' },
];

const compare: Record<Comparison, (v: number, t: number) => boolean> = {
  '>': (v, t) => v > t,
  '>=': (v, t) => v >= t,
  '<': (v, t) => v < t,
  '<=': (v, t) => v <= t,
};

/** A window: either N consecutive polls or a minimum duration. */
export type Window = { polls: number } | { ms: number };

export function parseWindow(w: number | string | undefined, where: string): Window {
  if (w === undefined) return { polls: 1 };
  if (typeof w === 'number') {
    if (!Number.isInteger(w) || w < 1) throw new Error(`${where}: ${w} must be a whole number of polls ≥ 1 or a duration like "10s"`);
    return { polls: w };
  }
  const m = /^\s*(\d+)\s*polls?\s*$/.exec(w);
  if (m) return parseWindow(Number(m[1]), where);
  return { ms: parseDuration(w, where) };
}

function windowMet(w: Window, count: number, sinceMs: number, nowMs: number): boolean {
  return 'polls' in w ? count >= w.polls : nowMs - sinceMs >= w.ms;
}

function fmt(v: number, unit?: string): string {
  const n = Math.abs(v) >= 100 ? Math.round(v).toString() : String(Math.round(v * 10) / 10);
  return unit ? (unit === '%' ? `${n} %` : `${n} ${unit}`) : n;
}

interface RuleState {
  rule: AlertRule;
  fire: Window;
  clear: Window;
  clearAt: number;
  firing: boolean;
  /** Consecutive polls (and start time) where the condition toward the other state held. */
  streak: number;
  streakSince: number;
  firedAt: number;
}

export class AlertEngine {
  private states: RuleState[];

  constructor(rules: AlertRule[]) {
    this.states = rules
      .filter((r) => r.enabled !== false)
      .map((rule, i) => ({
        rule,
        fire: parseWindow(rule.for, `rule ${rule.name ?? i}.for`),
        clear: parseWindow(rule.clearFor, `rule ${rule.name ?? i}.clearFor`),
        clearAt: rule.clearThreshold ?? rule.threshold,
        firing: false,
        streak: 0,
        streakSince: 0,
        firedAt: 0,
      }));
  }

  /** Feeds one poll's values; returns the alerts that changed state on it. */
  evaluate(values: Record<string, number | undefined>, nowMs: number = Date.now()): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const s of this.states) {
      const v = values[s.rule.metric];
      if (v === undefined || Number.isNaN(v)) continue;
      const r = s.rule;
      // Toward firing: the condition holds. Toward resolving: the value is back past clearAt.
      const toward = s.firing ? !compare[r.op](v, s.clearAt) : compare[r.op](v, r.threshold);
      if (!toward) {
        s.streak = 0;
        continue;
      }
      if (s.streak === 0) s.streakSince = nowMs;
      s.streak++;
      if (!windowMet(s.firing ? s.clear : s.fire, s.streak, s.streakSince, nowMs)) continue;
      const since = s.streakSince;
      s.streak = 0;
      s.firing = !s.firing;
      const what = r.description ?? r.metric;
      if (s.firing) {
        s.firedAt = nowMs;
        events.push({
          type: 'alert', state: 'firing', rule: r.name, severity: r.severity ?? 'warning', metric: r.metric, value: v, threshold: r.threshold,
          at: new Date(nowMs).toISOString(), since: new Date(since).toISOString(),
          message: `${what} ${fmt(v, r.unit)} ${r.op} ${fmt(r.threshold, r.unit)}`,
        });
      } else {
        events.push({
          type: 'alert', state: 'resolved', rule: r.name, severity: r.severity ?? 'warning', metric: r.metric, value: v, threshold: r.threshold,
          at: new Date(nowMs).toISOString(), since: new Date(since).toISOString(), firingMs: nowMs - s.firedAt,
          message: `${what} back to ${fmt(v, r.unit)} (alert was ${r.op} ${fmt(r.threshold, r.unit)})`,
        });
      }
    }
    return events;
  }

  /** Names of the rules firing now. */
  firing(): string[] {
    return this.states.filter((s) => s.firing).map((s) => s.rule.name);
  }

  rules(): AlertRule[] {
    return this.states.map((s) => s.rule);
  }
}

/** Checks one rule from a file; throws a one-line error naming where. */
export function validateRule(raw: unknown, where: string): AlertRule {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where}: a rule must be an object`);
  const r = raw as Record<string, unknown>;
  if (typeof r.name !== 'string' || !r.name) throw new Error(`${where}: "name" must be a non-empty string`);
  const at = `${where} (${r.name})`;
  const known = new Set(['name', 'metric', 'op', 'threshold', 'for', 'clearThreshold', 'clearFor', 'severity', 'description', 'unit', 'enabled']);
  for (const k of Object.keys(r)) if (!known.has(k)) throw new Error(`${at}: unknown field "${k}"`);
  if (r.metric !== undefined && typeof r.metric !== 'string') throw new Error(`${at}: "metric" must be a string`);
  if (r.op !== undefined && !['>', '>=', '<', '<='].includes(r.op as string)) throw new Error(`${at}: "op" must be one of > >= < <=`);
  for (const k of ['threshold', 'clearThreshold'] as const)
    if (r[k] !== undefined && (typeof r[k] !== 'number' || !Number.isFinite(r[k]))) throw new Error(`${at}: "${k}" must be a number`);
  if (r.severity !== undefined && r.severity !== 'warning' && r.severity !== 'critical') throw new Error(`${at}: "severity" must be "warning" or "critical"`);
  if (r.enabled !== undefined && typeof r.enabled !== 'boolean') throw new Error(`${at}: "enabled" must be true or false`);
  for (const k of ['for', 'clearFor'] as const) if (r[k] !== undefined) parseWindow(r[k] as number | string, `${at}.${k}`);
  return r as unknown as AlertRule;
}

/**
 * Merges rules over the defaults by name: a rule with a known name changes only the fields it
 * gives; a new name must give metric, op and threshold.
 */
export function mergeRules(base: AlertRule[], overrides: AlertRule[], where = 'rules'): AlertRule[] {
  const out = base.map((r) => ({ ...r }));
  overrides.forEach((o, i) => {
    const idx = out.findIndex((r) => r.name === o.name);
    if (idx >= 0) {
      out[idx] = { ...out[idx], ...o };
      return;
    }
    if (o.metric === undefined || o.op === undefined || o.threshold === undefined)
      throw new Error(`${where}[${i}] (${o.name}): a new rule needs "metric", "op" and "threshold"`);
    out.push({ ...o });
  });
  return out;
}

/**
 * Reads a rules file: `{ "rules": [ … ] }` or a bare array, merged over the defaults
 * (`"defaults": false` at the top level starts from none).
 */
export async function loadRulesFile(file: string): Promise<AlertRule[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read the rules file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const obj = Array.isArray(data) ? { rules: data } : (data as { rules?: unknown; defaults?: unknown });
  if (!obj || typeof obj !== 'object' || !Array.isArray(obj.rules)) throw new Error(`${file}: expected {"rules": [ … ]} or an array of rules`);
  const rules = obj.rules.map((r, i) => validateRule(r, `${file}: rules[${i}]`));
  const merged = mergeRules(obj.defaults === false ? [] : defaultRules, rules, `${file}: rules`);
  new AlertEngine(merged); // every window parses
  return merged;
}
