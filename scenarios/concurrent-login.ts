/**
 * Concurrent logins: many users sign in at the same moment (the guide's "concurrent logins"). Each
 * iteration logs in afresh as this VU's own user, checks /api/auth/me with the new token, then
 * thinks; login latency is its own series (`name:login`).
 */
import { check, group } from 'k6';
import type { Options } from 'k6/options';
import { login } from '../lib/auth.ts';
import { profile } from '../lib/config.ts';
import { think } from '../lib/journey.ts';
import { thresholdsFor } from '../lib/thresholds.ts';
import { me } from '../lib/wms.ts';

const shape = { quick: { vus: 50, duration: '10s' }, standard: { vus: 200, duration: '2m' }, nightly: { vus: 500, duration: '15m' } }[profile()];

export const options: Options = {
  scenarios: {
    logins: { executor: 'constant-vus', vus: shape.vus, duration: shape.duration },
  },
  thresholds: thresholdsFor('concurrent-login'),
};

export default function (): void {
  group('log in', () => {
    check(login(), { 'token issued': (t) => t.length > 0 });
    check(me(), { 'me is 200': (r) => r.status === 200 });
  });
  think(2, 4);
}
