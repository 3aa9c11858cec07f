// The cached initdb tarball (target/db/index.ts): the first start writes it, later starts load it
// (shown with a marker table planted in a tarball), a broken one falls back to initdb and is
// rewritten, and the default location is under node_modules/.cache, not a shared temp folder.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { createPglite, pgliteTemplatePath } from '../../target/db/index.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempTarball(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aetos-pglite-template-'));
  dirs.push(dir);
  return path.join(dir, 'sub', 'initdb.tar');
}

const tables = async (pg: PGlite) =>
  (await pg.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((r) => r.t);

describe('PGlite initdb tarball', () => {
  it('the first start writes it; a start from it is an empty, working database', async () => {
    const file = await tempTarball();
    const first = await createPglite(file);
    await first.close();
    expect((await stat(file)).size).toBeGreaterThan(1_000_000);
    const second = await createPglite(file);
    try {
      expect(await tables(second)).toEqual([]);
      await second.query('CREATE TABLE t (id int PRIMARY KEY)');
      await second.query('INSERT INTO t VALUES (1), (2)');
      expect((await second.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0]?.n).toBe(2);
    } finally {
      await second.close();
    }
  });

  it('later starts load the tarball (a marker table planted in it shows up)', async () => {
    const file = await tempTarball();
    const source = await PGlite.create();
    await source.query('CREATE TABLE planted_marker (id int)');
    const dump = Buffer.from(await (await source.dumpDataDir('none')).arrayBuffer());
    await source.close();
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, dump);
    const pg = await createPglite(file);
    try {
      expect(await tables(pg)).toEqual(['planted_marker']);
    } finally {
      await pg.close();
    }
  });

  it('a broken tarball: a normal start, and the tarball is written again', async () => {
    const file = await tempTarball();
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, 'not a tarball');
    const pg = await createPglite(file);
    try {
      expect(await tables(pg)).toEqual([]);
      expect((await pg.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
    } finally {
      await pg.close();
    }
    expect((await readFile(file)).length).toBeGreaterThan(1_000_000);
  });

  it('lives under node_modules/.cache/aetos-load, named by the PGlite version', () => {
    expect(pgliteTemplatePath()).toMatch(/[/\\]node_modules[/\\]\.cache[/\\]aetos-load[/\\]pglite-initdb-\d+\.\d+\.\d+[^/\\]*\.tar$/);
  });
});
