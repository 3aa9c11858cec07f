/**
 * Smoke: one user checks that the system answers at all. Run it first; if it fails, nothing else
 * is worth running.
 */
import http from 'k6/http';
import { check, sleep } from 'k6';
import type { Options } from 'k6/options';
import { baseUrl } from '../lib/config.ts';

export const options: Options = {
  vus: 1,
  iterations: 5,
  thresholds: {
    http_req_failed: ['rate==0'],
    checks: ['rate==1'],
  },
};

export default function (): void {
  const res = http.get(`${baseUrl()}/api/health`, { tags: { name: 'health' } });
  check(res, { 'health is 200': (r) => r.status === 200 });
  sleep(0.2);
}
