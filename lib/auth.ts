/**
 * Logs each VU in once as its own seeded user (user0001, user0002, … by exec.vu.idInTest, shifted
 * by USER_OFFSET, wrapping at SEED_USERS) and reuses the token; `authorized()` logs in again after
 * a 401. USER_OFFSET lets runs back to back use other accounts: the target limits each user to
 * 100 requests a minute, and a scenario started right after stress would inherit stress's counts.
 * Module scope is per VU in k6 and in the engine, so `token` is this VU's. The password is PASSWORD,
 * else the target's SEED_PASSWORD, else the loopback-only default.
 */
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import exec from 'k6/execution';
import { baseUrl } from './config.ts';

let token = '';

export function username(): string {
  if (__ENV.USERNAME) return __ENV.USERNAME;
  const seedUsers = Number(__ENV.SEED_USERS || 500);
  const offset = Number(__ENV.USER_OFFSET || 0);
  const n = ((exec.vu.idInTest - 1 + offset) % seedUsers) + 1;
  return `user${String(n).padStart(4, '0')}`;
}

/** PASSWORD, else the target's SEED_PASSWORD, else the loopback-only default. */
export function password(): string {
  return __ENV.PASSWORD || __ENV.SEED_PASSWORD || 'Passw0rd!';
}

export function login(): string {
  const res = http.post(
    `${baseUrl()}/api/auth/login`,
    JSON.stringify({ username: username(), password: password() }),
    { headers: { 'Content-Type': 'application/json' }, tags: { name: 'login' } },
  );
  if (res.status !== 200) {
    // status 0: no answer at all (refused, timed out, …): res.error says why; otherwise the body does
    const why = res.status === 0 ? res.error : `HTTP ${res.status} ${String(res.body).slice(0, 200)}`;
    throw new Error(`login as ${username()} failed: ${why}`);
  }
  token = (res.json('token') as string) || '';
  return token;
}

export function authHeaders(): Record<string, string> {
  if (!token) login();
  return { Authorization: `Bearer ${token}` };
}

/** Runs `request` with this VU's token; on 401 logs in again and retries once. */
export function authorized<RT extends ResponseType | undefined>(
  request: (headers: Record<string, string>) => RefinedResponse<RT>,
): RefinedResponse<RT> {
  const res = request(authHeaders());
  if (res.status !== 401) return res;
  login();
  return request(authHeaders());
}
