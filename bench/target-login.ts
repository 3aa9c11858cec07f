/**
 * A seed user's bearer token from a running target (POST /api/auth/login as user0001), for the
 * benchmarks that load its API. A refused login is an error here, not a token of `undefined` that
 * surfaces later as a flood of 401s.
 */
export async function userToken(url: string): Promise<string> {
  const r = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'user0001', password: 'Passw0rd!' }),
  });
  if (r.status !== 200) throw new Error(`login user0001 at ${url}: HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
  return ((await r.json()) as { token: string }).token;
}
