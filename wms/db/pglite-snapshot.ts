/**
 * PGlite's own start runs initdb inside its WebAssembly Postgres: ~4 s of CPU on a 2-core host,
 * most of the embedded target's start, paid by every `load` without a BASE_URL and by every test
 * that starts a target. What initdb leaves is the same for every start with one PGlite version,
 * so the first start saves it (PGlite's `dumpDataDir`, an uncompressed tar of ~40 MB) under
 * node_modules/.cache/aetos-load/pglite/ and later starts load it: ~1.6 s of CPU instead of ~4.6,
 * and less short-lived memory than initdb leaves behind (its own WebAssembly instance), which
 * matters because the target's RSS is what the memory-leak scenario measures.
 *
 * Only the empty cluster is kept: migrations and the seed (its password hashes included) run on
 * every start as before. The file is read through a file-backed Blob (no copy of it in the JS heap)
 * and is not compressed: PGlite's own gunzip leaves an unhandled rejection on a truncated file,
 * which would end the target. A snapshot is written whole or not at all (temporary name, then
 * rename); one that does not end like a tar archive is removed and the start falls back to initdb;
 * a place that cannot be written (a read-only node_modules) is skipped.
 */
import { closeSync, existsSync, openAsBlob, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { writeFileWhole } from '../../engine/outputs/file-sink.ts';

/** The folder of the node_modules that holds PGlite, and PGlite's version; undefined when they cannot be found. */
function pgliteInstall(): { nodeModules: string; version: string } | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    let dir = path.dirname(entry);
    while (path.basename(dir) !== 'pglite' || !existsSync(path.join(dir, 'package.json'))) {
      const up = path.dirname(dir);
      if (up === dir) return undefined;
      dir = up;
    }
    const version = String((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version);
    return { nodeModules: path.resolve(dir, '../..'), version };
  } catch {
    return undefined;
  }
}

/** Where the snapshot of this PGlite version lives by default; undefined when PGlite's install cannot be found. */
export function defaultSnapshotFile(): string | undefined {
  const install = pgliteInstall();
  return install && path.join(install.nodeModules, '.cache', 'aetos-load', 'pglite', `initdb-${install.version}.tar`);
}

/**
 * A tar archive is a whole number of 512-byte blocks and ends with two zero blocks: a file cut
 * short almost never does. (The write is atomic; this catches a disk that lost the tail anyway.)
 */
function looksWhole(file: string): boolean {
  const size = statSync(file).size;
  if (size < 2048 || size % 512 !== 0) return false;
  const tail = Buffer.alloc(1024);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, tail, 0, 1024, size - 1024);
  } finally {
    closeSync(fd);
  }
  return tail.every((b) => b === 0);
}

/** A started PGlite: from the snapshot at `file` when there is a good one, else a fresh initdb that then saves one there. */
export async function createPglite(file: string | undefined = defaultSnapshotFile()): Promise<{ db: PGlite; from: 'snapshot' | 'initdb' }> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (file && existsSync(file)) {
    try {
      if (!looksWhole(file)) throw new Error('not a whole tar archive');
      const db = await PGlite.create({ loadDataDir: await openAsBlob(file, { type: 'application/x-tar' }) });
      return { db, from: 'snapshot' };
    } catch {
      rmSync(file, { force: true }); // rewritten below from a fresh initdb
    }
  }
  const db = await PGlite.create();
  if (file) {
    try {
      const dump = await db.dumpDataDir('none');
      writeFileWhole(file, new Uint8Array(await dump.arrayBuffer()));
    } catch {
      // a cache is an optimisation: this start already has its database
    }
  }
  return { db, from: 'initdb' };
}
