/**
 * The embedded target's PGlite starts from a saved initdb snapshot (wms/db/pglite-snapshot.ts): the
 * first start writes it (replacing a broken one), later ones load it, and an unwritable place is
 * no error. Two initdb runs in all: each costs seconds. Every snapshot here lives in a temporary folder.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { createPglite, defaultSnapshotFile } from '../../wms/db/pglite-snapshot.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-pglite-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PGlite initdb snapshot', () => {
  it('lives in node_modules/.cache/aetos-load/pglite/, named by the PGlite version', () => {
    expect(defaultSnapshotFile()).toMatch(/node_modules\/\.cache\/aetos-load\/pglite\/initdb-\d+\.\d+\.\d+[^/]*\.tar\.gz$/);
  });

  it('a start without a good snapshot (here a truncated one) runs initdb and saves a gzip snapshot; the next start loads that file', async () => {
    const file = path.join(dir, 'first', 'initdb.tar.gz');
    mkdirSync(path.dirname(file));
    writeFileSync(file, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]));
    const first = await createPglite(file);
    expect(first.from).toBe('initdb');
    expect((await first.db.query<{ x: number }>('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
    await first.db.close();
    const saved = readFileSync(file);
    expect(saved.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip
    expect(saved.length).toBeGreaterThan(100_000);
    // mark the saved cluster, so the next start can only show the mark if it loaded this file
    const marked = await PGlite.create({ loadDataDir: new Blob([gunzipSync(saved)], { type: 'application/x-tar' }) });
    await marked.exec('CREATE TABLE snapshot_mark (n int); INSERT INTO snapshot_mark VALUES (42)');
    writeFileSync(file, new Uint8Array(await (await marked.dumpDataDir('gzip')).arrayBuffer()));
    await marked.close();

    const next = await createPglite(file);
    expect(next.from).toBe('snapshot');
    expect((await next.db.query<{ n: number }>('SELECT n FROM snapshot_mark')).rows).toEqual([{ n: 42 }]);
    await next.db.exec('CREATE TABLE t (id serial primary key, v text)');
    await next.db.query('INSERT INTO t (v) VALUES ($1)', ['ok']);
    expect((await next.db.query<{ v: string }>('SELECT v FROM t')).rows).toEqual([{ v: 'ok' }]);
    await next.db.close();
  }, 120_000);

  it('a place that cannot be written is no error: the database still starts', async () => {
    const notAFolder = path.join(dir, 'a-file');
    writeFileSync(notAFolder, 'x');
    const r = await createPglite(path.join(notAFolder, 'initdb.tar.gz'));
    expect(r.from).toBe('initdb');
    expect((await r.db.query<{ x: number }>('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
    await r.db.close();
  }, 120_000);
});
