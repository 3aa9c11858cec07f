/**
 * PGlite's own start runs initdb inside its WebAssembly Postgres: ~4.5 s on a quiet 2-core host,
 * most of the embedded target's start (~7.7 s), paid by every `load` without a BASE_URL and by
 * every test that starts a target. What initdb leaves is the same for every start with one PGlite
 * version, so the first start saves it (a gzip tarball, ~4.5 MB, PGlite's own dumpDataDir) under
 * node_modules/.cache/aetos-load/pglite/ and later starts load it (~1.2 s). Only the empty cluster
 * is kept: migrations and the seed (its password hashes included) run on every start as before.
 * A snapshot that cannot be written (a read-only node_modules) is skipped; one that cannot be
 * loaded (truncated, another version's) is removed and the start falls back to initdb.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
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
  return install && path.join(install.nodeModules, '.cache', 'aetos-load', 'pglite', `initdb-${install.version}.tar.gz`);
}

/** A started PGlite: from the snapshot at `file` when there is a good one, else a fresh initdb that then saves one there. */
export async function createPglite(file: string | undefined = defaultSnapshotFile()): Promise<{ db: PGlite; from: 'snapshot' | 'initdb' }> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (file && existsSync(file)) {
    try {
      // unzipped here: PGlite's own gunzip (a DecompressionStream) leaves an unhandled rejection on
      // a truncated file, which would end the target; zlib throws, and checks the gzip CRC
      const tar = gunzipSync(readFileSync(file));
      const db = await PGlite.create({ loadDataDir: new Blob([tar], { type: 'application/x-tar' }) });
      return { db, from: 'snapshot' };
    } catch {
      rmSync(file, { force: true }); // rewritten below from a fresh initdb
    }
  }
  const db = await PGlite.create();
  if (file) {
    try {
      const dump = await db.dumpDataDir('gzip');
      writeFileWhole(file, new Uint8Array(await dump.arrayBuffer()));
    } catch {
      // a cache is an optimisation: this start already has its database
    }
  }
  return { db, from: 'initdb' };
}
