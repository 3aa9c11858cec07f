/**
 * "Verify backups": the newest backup is younger than --backup-age. It is the newest file in
 * `backups.dir` (matching `backups.pattern`), or what `backups.command` prints on its first line:
 * a file's path, or a time (for backups kept elsewhere, e.g. an object store's listing).
 * With a DATABASE_URL and a pg_dump custom-format archive (unless `restore: false`), the backup is
 * also restored — with pg_restore into a scratch database made for the check, which must then
 * answer a query listing the restored tables — and the scratch database is dropped.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { redactUrl } from '../../shared/datastores.ts';
import { item, type PreflightItem } from '../types.ts';
import { runShell } from './shell.ts';

export interface BackupOptions {
  dir?: string;
  pattern?: string;
  command?: string;
  maxAgeMs: number;
  /** Restore into a scratch database on this server (DATABASE_URL). */
  databaseUrl?: string;
  restore?: boolean;
  timeoutMs: number;
  now?: Date;
}

interface Newest {
  /** The file, when the backup is one here. */
  file?: string;
  at: Date;
}

async function newestInDir(dir: string, pattern: string | undefined): Promise<Newest | string> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    return `cannot read backups.dir ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  const re = pattern ? new RegExp(pattern) : undefined;
  let best: Newest | undefined;
  for (const n of names) {
    if (re && !re.test(n)) continue;
    const f = path.join(dir, n);
    const s = await stat(f).catch(() => undefined);
    if (!s?.isFile()) continue;
    if (!best || s.mtime > best.at) best = { file: f, at: s.mtime };
  }
  return best ?? `no backup${re ? ` matching /${pattern}/` : ''} in ${dir}`;
}

async function newestFromCommand(command: string, timeoutMs: number): Promise<Newest | string> {
  const r = await runShell(command, timeoutMs);
  if (!r.ok) return r.error ?? 'failed';
  const first = r.stdout.split('\n').map((l) => l.trim()).find(Boolean);
  if (!first) return `"${command}" printed nothing`;
  const s = await stat(first).catch(() => undefined);
  if (s?.isFile()) return { file: first, at: s.mtime };
  const t = new Date(first);
  if (!Number.isNaN(t.getTime())) return { at: t };
  return `"${command}" printed "${first.slice(0, 80)}": neither a file here nor a time`;
}

/** pg_dump's custom format starts with "PGDMP". */
async function isPgArchive(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(5);
    await fh.read(b, 0, 5, 0);
    return b.toString('latin1') === 'PGDMP';
  } finally {
    await fh.close();
  }
}

function pgRestore(file: string, url: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', `--dbname=${url}`, file], { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, _out, stderr) => {
      if (!err) return resolve(undefined);
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      resolve(e.code === 'ENOENT' ? 'pg_restore is not installed (PATH)' : e.killed ? `pg_restore timed out after ${timeoutMs} ms` : `pg_restore failed: ${stderr.trim().split('\n')[0] || e.message}`);
    });
  });
}

/** Restores into a fresh scratch database, counts its tables, drops it. Returns the table count or why not. */
export async function restoreCheck(file: string, databaseUrl: string, timeoutMs: number): Promise<{ tables: number; database: string } | string> {
  const database = `aetos_preflight_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs });
  admin.on('error', () => {});
  try {
    await admin.connect();
  } catch (err) {
    return `cannot connect to ${redactUrl(databaseUrl)}: ${(err as Error).message}`;
  }
  try {
    try {
      await admin.query(`CREATE DATABASE ${database}`);
    } catch (err) {
      return `cannot create a scratch database on ${redactUrl(databaseUrl)}: ${(err as Error).message}`;
    }
    const u = new URL(databaseUrl);
    u.pathname = `/${database}`;
    const failed = await pgRestore(file, u.toString(), timeoutMs * 6);
    if (failed) return failed;
    const scratch = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: timeoutMs });
    scratch.on('error', () => {});
    try {
      await scratch.connect();
      const r = await scratch.query<{ n: string }>("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')");
      return { tables: Number(r.rows[0]?.n ?? 0), database };
    } finally {
      await scratch.end().catch(() => {});
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => admin.query(`DROP DATABASE IF EXISTS ${database}`).catch(() => {}));
    await admin.end().catch(() => {});
  }
}

const hours = (ms: number) => (ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${Math.round(ms / 60_000)} min`);

export async function backupsItem(o: BackupOptions): Promise<PreflightItem> {
  const name = 'Backups';
  if (!o.dir && !o.command) return item('backups', name, 'not configured', 'no backups.dir or backups.command in the config file');
  const newest = o.dir ? await newestInDir(o.dir, o.pattern) : await newestFromCommand(o.command as string, o.timeoutMs);
  if (typeof newest === 'string') return item('backups', name, 'fail', newest);
  const ageMs = (o.now ?? new Date()).getTime() - newest.at.getTime();
  const what = newest.file ? path.basename(newest.file) : newest.at.toISOString();
  const measured: PreflightItem['measured'] = { ageHours: Math.round(ageMs / 36_000) / 100 };
  if (ageMs > o.maxAgeMs) return item('backups', name, 'fail', `newest backup ${what} is ${hours(ageMs)} old (limit --backup-age ${hours(o.maxAgeMs)})`, measured);
  const fresh = `newest backup ${what} is ${hours(Math.max(0, ageMs))} old`;
  if (o.restore === false || !o.databaseUrl) return item('backups', name, 'pass', `${fresh}${o.restore === false ? '' : '; not restored (no DATABASE_URL)'}`, measured);
  if (!newest.file) return item('backups', name, 'pass', `${fresh}; not restored (not a file here)`, measured);
  if (!(await isPgArchive(newest.file))) return item('backups', name, 'pass', `${fresh}; not restored (not a pg_dump custom-format archive)`, measured);
  const r = await restoreCheck(newest.file, o.databaseUrl, o.timeoutMs);
  if (typeof r === 'string') return item('backups', name, 'fail', `${fresh}, but the restore failed: ${r}`, measured);
  measured.restoredTables = r.tables;
  if (r.tables === 0) return item('backups', name, 'fail', `${fresh}, but it restored no tables`, measured);
  return item('backups', name, 'pass', `${fresh}; restored ${r.tables} tables into a scratch database (dropped)`, measured);
}
