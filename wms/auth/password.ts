// Why: password hashing with node:crypto scrypt (no extra package). Format: scrypt$<log2 N>$<salt>$<hex>,
// one random salt per hash; the older scrypt$<salt>$<hex> (N = 2^14) still verifies.
// The seed hashes 500+ accounts at start, and every load run starts a fresh target, so the
// fixture's cost is N = 2^10 (≈ 1 ms; 501 accounts hash in ~1 s, where 2^12 added 5 s to every
// start and 2^14 took 15 s). This is a test fixture's cost, not a production recommendation. A login pays the same cost whether the user exists or not
// (dummyVerify), so timing does not tell which usernames exist.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const defaultLogN = 10;

function derive(password: string, salt: string, logN: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 32, { N: 2 ** logN, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export const newSalt = (): string => randomBytes(16).toString('base64url');

export async function scryptHash(password: string, salt = newSalt(), logN = defaultLogN): Promise<string> {
  return `scrypt$${logN}$${salt}$${(await derive(password, salt, logN)).toString('hex')}`;
}

export async function scryptVerify(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  const [tag, logN, salt, hex] = parts.length === 3 ? [parts[0], '14', parts[1], parts[2]] : parts;
  if (tag !== 'scrypt' || !salt || !hex || !/^\d{1,2}$/.test(logN ?? '') || Number(logN) > 20) return false;
  const want = Buffer.from(hex, 'hex');
  const got = await derive(password, salt, Number(logN));
  return got.length === want.length && timingSafeEqual(got, want);
}

let dummy: Promise<string> | undefined;

/** Spends what a real verification spends, for a username that does not exist; always false. */
export async function dummyVerify(password: string): Promise<false> {
  dummy ??= scryptHash(randomBytes(16).toString('hex'));
  await scryptVerify(password, await dummy);
  return false;
}
