/**
 * Run configuration read from k6's `__ENV` (no Node APIs: this file runs inside k6 too).
 * BASE_URL is set by `npm run load:<name>` to the embedded target when the user gives none.
 */
export type Profile = 'quick' | 'standard' | 'nightly';

const profiles: readonly Profile[] = ['quick', 'standard', 'nightly'];

export function baseUrl(): string {
  const url = __ENV.BASE_URL || 'http://127.0.0.1:8080';
  return url.replace(/\/+$/, '');
}

export function profile(): Profile {
  const p = (__ENV.PROFILE || 'standard') as Profile;
  if (!profiles.includes(p)) throw new Error(`PROFILE must be one of ${profiles.join(', ')}, got "${p}"`);
  return p;
}
