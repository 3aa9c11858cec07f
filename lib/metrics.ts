/**
 * The guide's own measures, fed from every WMS response:
 * - response_time_cached / response_time_database: http_req_duration split by the target's
 *   `X-Cache` header (HIT = cached read, anything else = database-bound). The split is known only
 *   after the response, so it cannot be a tag on http_req_duration; these Trends carry it.
 * - db_query_duration: the database time the target reports in `Server-Timing: db;dur=…`.
 */
import { Trend } from 'k6/metrics';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { parseServerTiming } from './server-timing.ts';

const cached = new Trend('response_time_cached', true);
const database = new Trend('response_time_database', true);
const dbQuery = new Trend('db_query_duration', true);

export function record<RT extends ResponseType | undefined>(res: RefinedResponse<RT>, name: string): void {
  if (res.status === 0) return;
  const hit = res.headers['X-Cache'] === 'HIT';
  (hit ? cached : database).add(res.timings.duration, { name });
  // A cache hit reports db;dur=0 (no query ran): only real queries count.
  const db = hit ? undefined : parseServerTiming(res.headers['Server-Timing']).db;
  if (db !== undefined) dbQuery.add(db, { name });
}
