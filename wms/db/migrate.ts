// Why: the schema and the deterministic seed, identical SQL for PGlite and Postgres. Idempotent,
// so a restart against an existing Postgres keeps its data.
import { scryptHash } from '../auth/password.ts';
import type { Db } from './index.ts';

const schema = [
  `CREATE TABLE IF NOT EXISTS users (
     id serial PRIMARY KEY,
     username text NOT NULL UNIQUE,
     password_hash text NOT NULL,
     role text NOT NULL DEFAULT 'user')`,
  `CREATE TABLE IF NOT EXISTS stock (
     sku text PRIMARY KEY,
     name text NOT NULL,
     location text NOT NULL,
     quantity integer NOT NULL CHECK (quantity >= 0),
     reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= quantity))`,
  `CREATE INDEX IF NOT EXISTS stock_location_idx ON stock (location)`,
  `CREATE TABLE IF NOT EXISTS orders (
     id serial PRIMARY KEY,
     user_id integer NOT NULL REFERENCES users(id),
     status text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE INDEX IF NOT EXISTS orders_user_idx ON orders (user_id, status)`,
  `CREATE TABLE IF NOT EXISTS order_lines (
     order_id integer NOT NULL REFERENCES orders(id),
     sku text NOT NULL REFERENCES stock(sku),
     quantity integer NOT NULL CHECK (quantity > 0))`,
  `CREATE INDEX IF NOT EXISTS order_lines_order_idx ON order_lines (order_id)`,
  `CREATE INDEX IF NOT EXISTS order_lines_sku_idx ON order_lines (sku)`,
];

/** Width of the user number: 4 digits, more when N > 9999. */
export function userDigits(n: number): number {
  return Math.max(4, String(n).length);
}

export async function migrateAndSeed(db: Db, seed: { users: number; skus: number; password: string }): Promise<void> {
  for (const s of schema) await db.query('migrate', s);
  const { rows } = await db.query<{ n: number }>('seed_check', 'SELECT count(*)::int AS n FROM users');
  if (rows[0].n > 0) return;
  // One salt per account, so no two share a hash (hashed in parallel on libuv's thread pool).
  const names = ['admin', ...Array.from({ length: seed.users }, (_, i) => `user${String(i + 1).padStart(userDigits(seed.users), '0')}`)];
  const hashes = await Promise.all(names.map(() => scryptHash(seed.password)));
  await db.query(
    'seed',
    `INSERT INTO users (username, password_hash, role)
     SELECT u, h, CASE WHEN u = 'admin' THEN 'admin' ELSE 'user' END FROM unnest($1::text[], $2::text[]) AS t(u, h)`,
    [names, hashes],
  );
  // Locations A-01-01 … : zone letter (A–E), aisle 01–20, shelf 01–10; SKUs spread over them.
  // Quantities come from a fixed linear congruential generator on the SKU number (deterministic).
  await db.query(
    'seed',
    `INSERT INTO stock (sku, name, location, quantity)
     SELECT 'SKU-' || lpad(g::text, 6, '0'),
            'Item ' || g,
            chr(65 + ((g - 1) / 200) % 5) || '-' || lpad((((g - 1) / 10) % 20 + 1)::text, 2, '0') || '-' || lpad(((g - 1) % 10 + 1)::text, 2, '0'),
            ((g::bigint * 1103515245 + 12345) % 2147483648 / 65536 % 500)::int + 1
     FROM generate_series(1, $1::int) g`,
    [seed.skus],
  );
}
