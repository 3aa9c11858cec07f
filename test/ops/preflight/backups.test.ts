// The backups item against a real folder (an old and a fresh dump, ages set with utimes) and a
// command, and the restore of a real pg_dump archive into a scratch database on the machine's
// Postgres (DATABASE_TEST_URL, else the local server), which must be dropped afterwards.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupsItem } from '../../../ops/preflight/items/backups.ts';

const pgUrl = process.env.DATABASE_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-backups-'));
const hour = 3_600_000;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, ageMs: number, body = 'x'): string {
  const f = path.join(dir, name);
  writeFileSync(f, body);
  const t = new Date(Date.now() - ageMs);
  utimesSync(f, t, t);
  return f;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe('preflight backups item', () => {
  it('fails when the newest backup is older than --backup-age, and passes once a fresh one exists', async () => {
    const folder = path.join(dir, 'set');
    execFileSync('mkdir', ['-p', folder]);
    writeFileSync(path.join(folder, 'old.dump'), 'x');
    const old = new Date(Date.now() - 50 * hour);
    utimesSync(path.join(folder, 'old.dump'), old, old);
    const stale = await backupsItem({ dir: folder, maxAgeMs: 24 * hour, timeoutMs: 5000 });
    expect(stale.status).toBe('fail');
    expect(stale.reason).toMatch(/old\.dump is 50\.0 h old \(limit --backup-age 24\.0 h\)/);
    writeFileSync(path.join(folder, 'fresh.dump'), 'x');
    const ok = await backupsItem({ dir: folder, maxAgeMs: 24 * hour, timeoutMs: 5000 });
    expect(ok.status, ok.reason).toBe('pass');
    expect(ok.reason).toContain('fresh.dump');
  });

  it('only counts files matching the pattern; an empty match is a failure naming it', async () => {
    file('fresh.txt', 0);
    const r = await backupsItem({ dir, pattern: '\\.sqlgz$', maxAgeMs: hour, timeoutMs: 5000 });
    expect(r).toMatchObject({ status: 'fail' });
    expect(r.reason).toContain('no backup matching /\\.sqlgz$/');
  });

  it('takes the newest backup from a command: a path or a time; a failing command fails naming it', async () => {
    const f = file('cmd.dump', 2 * hour);
    expect((await backupsItem({ command: `echo ${f}`, maxAgeMs: hour, timeoutMs: 5000 })).status).toBe('fail');
    expect((await backupsItem({ command: `echo ${new Date(Date.now() - 60_000).toISOString()}`, maxAgeMs: hour, timeoutMs: 5000 })).status).toBe('pass');
    const bad = await backupsItem({ command: 'exit 3', maxAgeMs: hour, timeoutMs: 5000 });
    expect(bad.status).toBe('fail');
    expect(bad.reason).toContain('"exit 3" failed: exit 3');
  });

  it('is not configured without a dir or a command', async () => {
    expect((await backupsItem({ maxAgeMs: hour, timeoutMs: 1000 })).status).toBe('not configured');
  });

  describe('restore into a scratch database', () => {
    const source = `aetos_pfsrc_${process.pid}`;
    let archive = '';
    beforeAll(async () => {
      await query(pgUrl, `DROP DATABASE IF EXISTS ${source}`);
      await query(pgUrl, `CREATE DATABASE ${source}`);
      const u = new URL(pgUrl);
      u.pathname = `/${source}`;
      await query(u.toString(), 'CREATE TABLE items (sku text primary key, qty int); CREATE TABLE orders (id serial primary key); INSERT INTO items VALUES (\'SKU-1\', 3)');
      archive = path.join(dir, 'restore', 'db.dump');
      execFileSync('mkdir', ['-p', path.dirname(archive)]);
      execFileSync('pg_dump', ['-Fc', '-f', archive, u.toString()]);
    });
    afterAll(async () => {
      await query(pgUrl, `DROP DATABASE IF EXISTS ${source}`);
    });

    it('restores the newest pg_dump archive, counts its tables and drops the scratch database', async () => {
      const r = await backupsItem({ dir: path.dirname(archive), maxAgeMs: hour, databaseUrl: pgUrl, timeoutMs: 10_000 });
      expect(r.status, r.reason).toBe('pass');
      expect(r.reason).toContain('restored 2 tables into a scratch database (dropped)');
      const left = await query<{ datname: string }>(pgUrl, "SELECT datname FROM pg_database WHERE datname LIKE 'aetos_preflight_%'");
      expect(left).toEqual([]);
    });

    it('fails when the archive does not restore, saying pg_restore failed', async () => {
      const broken = path.join(dir, 'broken');
      execFileSync('mkdir', ['-p', broken]);
      writeFileSync(path.join(broken, 'cut.dump'), 'PGDMP\u0001\u000e\u0000 cut short');
      const r = await backupsItem({ dir: broken, maxAgeMs: hour, databaseUrl: pgUrl, timeoutMs: 10_000 });
      expect(r.status).toBe('fail');
      expect(r.reason).toMatch(/the restore failed: pg_restore failed: /);
    });
  });
});
