// Why: password hashing with node:crypto scrypt (no extra package). Format: scrypt$<salt>$<hex>.
import { scrypt, timingSafeEqual } from 'node:crypto';

function derive(password: string, salt: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 32, { N: 16384, r: 8, p: 1 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function scryptHash(password: string, salt: string): Promise<string> {
  return `scrypt$${salt}$${(await derive(password, salt)).toString('hex')}`;
}

export async function scryptVerify(password: string, stored: string): Promise<boolean> {
  const [tag, salt, hex] = stored.split('$');
  if (tag !== 'scrypt' || !salt || !hex) return false;
  const want = Buffer.from(hex, 'hex');
  const got = await derive(password, salt);
  return got.length === want.length && timingSafeEqual(got, want);
}
