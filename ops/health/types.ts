/**
 * The health check's vocabulary: one result per check, and the report that scores them.
 * `--json` prints a HealthReport as it is.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable key, e.g. `database.direct`, `endpoint.inventory`. */
  id: string;
  /** The guide's heading it belongs to: connectivity, database, redis, auth, endpoints, response-times, containers, resources. */
  category: string;
  /** Human label for the table. */
  name: string;
  /** `skip` = not applicable here (e.g. no Docker engine): not counted in the score. */
  status: CheckStatus;
  /** How long the check's own request or query took, ms (null when it made none). */
  latencyMs: number | null;
  /** One line saying why. */
  reason: string;
  /** Its share of the score (0 for skipped checks). */
  weight: number;
}

export interface HealthReport {
  target: string;
  embedded: boolean;
  startedAt: string;
  durationMs: number;
  /** Weighted share of passing checks, 0–100 (a warning counts half). */
  score: number;
  /** The guide's bar: the score must be above this. */
  required: number;
  verdict: 'healthy' | 'unhealthy' | 'unreachable';
  checks: CheckResult[];
}
