/**
 * Which judged metrics stand on evidence from the target, and the thresholds that enforce it
 * (lib/evidence.ts explains the mechanism). Pure (no k6 imports): lib/thresholds.ts uses it at
 * init time and vitest tests it directly.
 */
/** Judged metric (a thresholds.json key) → what the target must provide for it to be measured. */
export const evidenceNeeded: Readonly<Record<string, string>> = {
  response_time_cached: 'an X-Cache: HIT answer to a cached read',
  response_time_database: 'a recorded WMS answer that was not a cache hit',
  db_query_duration: 'a Server-Timing: db;dur=… header on a database-bound answer',
  target_memory_growth_mb_per_hour: "process_resident_memory_bytes in the target's /metrics (3 samples after the warm-up)",
  recovery_time: 'health probes after the peak',
  'http_req_duration{name:upload}': 'a completed (2xx) upload',
};

/** The tag value for a judged metric: `http_req_duration{name:upload}` → `http_req_duration_upload`. */
export function criterionOf(metric: string): string {
  return metric.replace(/\{name:(\w+)\}$/, '_$1').replace(/[^A-Za-z0-9_]/g, '_');
}

/** The evidence thresholds for the judged metrics that need evidence. */
export function evidenceThresholds(judged: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const metric of judged) if (evidenceNeeded[metric] !== undefined) out[`evidence{criterion:${criterionOf(metric)}}`] = ['count>0'];
  return out;
}

