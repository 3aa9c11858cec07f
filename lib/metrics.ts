/**
 * The guide's own measures, fed from every WMS response:
 * - response_time_cached / response_time_database: http_req_duration split by the target's
 *   `X-Cache` header (HIT = cached read, anything else = database-bound). The split is known only
 *   after the response, so it cannot be a tag on http_req_duration; these Trends carry it.
 * - db_query_duration: the database time the target reports in `Server-Timing: db;dur=…`.
 * Each is evidence for its criterion (lib/evidence.ts): a target without X-Cache or Server-Timing
 * fails those criteria with a line saying so, instead of passing on empty metrics.
 */
import { Trend } from 'k6/metrics';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { evidenceMissing, evidenceSeen, firstVu } from './evidence.ts';
import { parseServerTiming } from './server-timing.ts';

const cached = new Trend('response_time_cached', true);
const database = new Trend('response_time_database', true);
const dbQuery = new Trend('db_query_duration', true);

/** Recorded answers of this VU, and whether any carried X-Cache / Server-Timing (for the 'why' line). */
let recorded = 0;
let sawXCache = false;
let sawServerTiming = false;

export function record<RT extends ResponseType | undefined>(res: RefinedResponse<RT>, name: string): void {
  if (res.status === 0) return;
  const xCache = res.headers['X-Cache'];
  const hit = xCache === 'HIT';
  (hit ? cached : database).add(res.timings.duration, { name });
  evidenceSeen(hit ? 'response_time_cached' : 'response_time_database');
  // A cache hit reports db;dur=0 (no query ran): only real queries count.
  const timing = res.headers['Server-Timing'];
  const db = hit ? undefined : parseServerTiming(timing).db;
  if (db !== undefined) {
    dbQuery.add(db, { name });
    evidenceSeen('db_query_duration');
  }
  sawXCache ||= xCache !== undefined;
  sawServerTiming ||= timing !== undefined;
  // One VU says why, once, after enough answers to be sure.
  if (++recorded === 20 && firstVu()) {
    if (!sawXCache) evidenceMissing('response_time_cached', `the target sends no X-Cache header; 0 of ${recorded} answers`);
    if (!sawServerTiming) evidenceMissing('db_query_duration', `the target sends no Server-Timing header; 0 of ${recorded} answers`);
  }
}
