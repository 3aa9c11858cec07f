/**
 * The embedded target's PGlite starts from a saved initdb snapshot (wms/db/pglite-snapshot.ts): the
 * first start writes it (replacing a broken one), later ones load it, and an unwritable place is
 * no error. Two initdb runs in all (each costs seconds); every snapshot here lives in a temporary folder.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPglite, defaultSnapshotFile } from '../../wms/db/pglite-snapshot.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-pglite-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PGlite initdb snapshot', () => {
  it('lives in node_modules/.cache/aetos-load/pglite/, named by the PGlite version', () => {
    expect(defaultSnapshotFile()).toMatch(/node_modules\/\.cache\/aetos-load\/pglite\/initdb-\d+\.\d+\.\d+[^/]*\.tar$/);
  });

  it('a start without a good snapshot (here one cut short) runs initdb and saves a tar snapshot; the next start loads that file', async () => {
    const file = path.join(dir, 'first', 'initdb.tar');
    mkdirSync(path.dirname(file));
    writeFileSync(file, Buffer.alloc(4096, 7)); // a tar's size, but not ending in its two zero blocks
    const first = await createPglite(file);
    expect(first.from).toBe('initdb');
    expect((await first.db.query<{ x: number }>('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
    const saved = readFileSync(file);
    expect(saved.length).toBeGreaterThan(1_000_000);
    expect(saved.length % 512).toBe(0);
    expect(saved.subarray(257, 262).toString()).toBe('ustar'); // a tar header
    // mark the cluster and save it over the snapshot, so the next start can only show the mark if it loaded this file
    await first.db.exec('CREATE TABLE snapshot_mark (n int); INSERT INTO snapshot_mark VALUES (42)');
    writeFileSync(file, new Uint8Array(await (await first.db.dumpDataDir('none')).arrayBuffer()));
    await first.db.close();

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
    const r = await createPglite(path.join(notAFolder, 'initdb.tar'));
    expect(r.from).toBe('initdb');
    expect((await r.db.query<{ x: number }>('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
    await r.db.close();
  }, 120_000);
});
