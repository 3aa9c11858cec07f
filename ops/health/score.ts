/**
 * The health score: a weighted share of passing checks, 0–100, where a warning earns half
 * its weight and a skipped (not applicable) check is left out entirely. Weights say how much
 * each check matters to "will this crash in production": the service answering, its
 * database and logins weigh most; a single endpoint or one resource reading least.
 * The guide's bar: healthy when the score is above 90 %.
 */
import type { CheckResult, CheckStatus } from './types.ts';

export const REQUIRED_SCORE = 90;

export const checkWeights: Record<string, number> = {
  'api.health': 3,
  'frontend': 2,
  'database.api': 3,
  'database.direct': 3,
  'redis.api': 2,
  'redis.direct': 2,
  'auth.login': 3,
  'auth.me': 2,
  'auth.reject': 2,
  'endpoint.inventory': 1,
  'endpoint.inventory-item': 1,
  'endpoint.orders': 1,
  'endpoint.stock-summary': 1,
  'response.cached': 2,
  'response.database': 2,
  'containers': 2,
  'resources.cpu': 1,
  'resources.memory': 1,
  'resources.disk': 1,
};

const credit: Record<CheckStatus, number> = { pass: 1, warn: 0.5, fail: 0, skip: 0 };

export function weightOf(id: string): number {
  return checkWeights[id] ?? 1;
}

/** Score 0–100 with one decimal; 0 when nothing was counted. */
export function healthScore(checks: CheckResult[]): number {
  let total = 0;
  let earned = 0;
  for (const c of checks) {
    if (c.status === 'skip') continue;
    total += c.weight;
    earned += c.weight * credit[c.status];
  }
  return total > 0 ? Math.round((1000 * earned) / total) / 10 : 0;
}

export function verdictOf(score: number): 'healthy' | 'unhealthy' {
  return score > REQUIRED_SCORE ? 'healthy' : 'unhealthy';
}
