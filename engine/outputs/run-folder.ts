/**
 * A run leaves one honest folder (DESIGN D10). `aetos-load load <name>` writes each run to
 * `results/<name>/<UTC time>/` and points `results/<name>/latest` at it; `--results DIR` writes
 * exactly to DIR. Each folder holds `run.json`:
 *
 *   { "scenario": "smoke", "profile": "quick", "baseUrl": "http://***:***@host/", "embeddedTarget": true,
 *     "startedAt": "2026-12-01T07:05:03.120Z", "endedAt": "…", "exitCode": 0, "exitReason": "passed: …",
 *     "engineVersion": "0.1.0", "gitCommit": "80e0207…" | null, "args": ["--", "--vus", "5"],
 *     "files": ["junit.xml", "summary.json", "run.json"],
 *     "generatorSaturated": "the load generator was saturated for 41 % of the run: …" }   (only then)
 *
 * `files` lists only what THIS run wrote (files in the folder modified since it started, plus any
 * extra files the caller names), so after a failed start no earlier file is claimed.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatorVerdict } from '../metrics/generator.ts';
import { makeDirs, tempNameFor, writeFileWhole } from './file-sink.ts';

/** `2026-12-01T07-05-03Z`: sorts by time, valid on every file system (no colons). */
export function runStamp(at: Date): string {
  return at.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/**
 * Creates `<root>/<name>/<UTC time>/` and returns it. The last level is made with a plain mkdir,
 * which fails when the folder exists, so two loads started in the same second never share one:
 * the second gets `<time>-2`. Throws (with the folder's path) when it cannot be created.
 */
export function createRunFolder(root: string, name: string, at: Date = new Date()): string {
  const parent = path.join(root, name);
  makeDirs(parent);
  const stamp = runStamp(at);
  for (let n = 1; ; n++) {
    const dir = path.join(parent, n === 1 ? stamp : `${stamp}-${n}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 1000) throw err;
    }
  }
}

/**
 * Points `<parent>/latest` at `dir` (a sibling folder): a relative symlink swapped in by rename,
 * or, where symlinks cannot be made, a file `latest` holding the folder's name.
 */
export function pointLatest(dir: string): string {
  const latest = path.join(path.dirname(dir), 'latest');
  const tmp = tempNameFor(latest);
  try {
    symlinkSync(path.basename(dir), tmp, 'dir');
    renameSync(tmp, latest);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // not made
    }
    writeFileWhole(latest, `${path.basename(dir)}\n`);
  }
  return latest;
}

/** The folder `latest` points at (symlink or file), or undefined. */
export function readLatest(parent: string): string | undefined {
  const latest = path.join(parent, 'latest');
  try {
    if (lstatSync(latest).isSymbolicLink()) return path.resolve(parent, readlinkSync(latest));
    return path.join(parent, readFileSync(latest, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** `http://user:secret@host/` → `http://***:***@host/`; anything unparsable is returned as is. */
export function maskCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    if (u.username) u.username = '***';
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//***@');
  }
}

/**
 * The files of `dir` (recursively, relative paths, sorted) written since `sinceMs`, plus `extra`
 * (relative to `dir`) that exist. Temporary names of unfinished writes are left out.
 */
export function filesWrittenSince(dir: string, sinceMs: number, extra: readonly string[] = []): string[] {
  const out = new Set<string>();
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && !/\.tmp-\d+-\d+$/.test(e.name)) {
        // a whole second of slack: some file systems keep mtimes in whole seconds
        if (statSync(full).mtimeMs >= Math.floor(sinceMs / 1000) * 1000) out.add(path.relative(dir, full));
      }
    }
  };
  walk(dir);
  for (const f of extra) {
    try {
      if (statSync(path.resolve(dir, f)).isFile()) out.add(f);
    } catch {
      // not written
    }
  }
  return [...out].sort();
}

const engineRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function engineVersion(): string {
  try {
    return String((JSON.parse(readFileSync(path.join(engineRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/** The checkout's commit (with "-dirty" when it has changes), or null outside a git checkout. */
export function gitCommit(cwd: string = engineRoot): string | null {
  try {
    const opts = { cwd, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'], timeout: 5000, encoding: 'utf8' as const };
    const head = execFileSync('git', ['rev-parse', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], opts).trim() !== '';
    return /^[0-9a-f]{40}$/.test(head) ? `${head}${dirty ? '-dirty' : ''}` : null;
  } catch {
    return null;
  }
}

/** What each exit code means, for run.json's exitReason. */
const exitReasons: Record<number, string> = {
  0: 'passed: every threshold held',
  1: 'the command failed before or after the test (see its output)',
  2: 'usage error',
  99: 'thresholds crossed',
  100: 'setup() timed out',
  101: 'teardown() timed out',
  103: 'a result file could not be written',
  104: 'invalid configuration (options, thresholds or an output path)',
  105: 'stopped from outside (signal)',
  107: 'script error',
  108: 'the script aborted the test',
  110: 'the script marked the test as failed',
};

export function exitReason(code: number, detail?: string): string {
  const base = exitReasons[code] ?? `exit code ${code}`;
  return detail ? `${base}: ${detail}` : base;
}

export interface RunRecord {
  scenario: string;
  profile: string;
  /** BASE_URL, credentials masked. */
  baseUrl: string | null;
  embeddedTarget: boolean;
  startedAt: string;
  endedAt: string;
  exitCode: number;
  exitReason: string;
  engineVersion: string;
  gitCommit: string | null;
  /** The extra k6 flags given after `--`. */
  args: string[];
  /** Files this run wrote, relative to the folder (run.json included). */
  files: string[];
  /** The one line saying the load generator was the bottleneck (engine/metrics/generator.ts); absent when it was not. */
  generatorSaturated?: string;
}

/** The generator verdict of the run from the folder's summary.json (--summary-export), when it says so. */
function generatorLine(dir: string, startedAt: number): string | undefined {
  const file = path.join(dir, 'summary.json');
  try {
    if (statSync(file).mtimeMs < startedAt) return undefined; // an earlier run's
    const metrics = (JSON.parse(readFileSync(file, 'utf8')) as { metrics?: Record<string, Record<string, number>> }).metrics;
    return metrics ? generatorVerdict((m) => metrics[m])?.message : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes `<dir>/run.json` (whole) with the files written since `startedAt` plus `extraFiles` (e.g.
 * report.html from a later step), and returns the record.
 */
export function writeRunRecord(dir: string, record: Omit<RunRecord, 'files'>, extraFiles: readonly string[] = []): RunRecord {
  const files = filesWrittenSince(dir, Date.parse(record.startedAt), extraFiles).filter((f) => f !== 'run.json');
  const full: RunRecord = { ...record, baseUrl: record.baseUrl === null ? null : maskCredentials(record.baseUrl), files: [...files, 'run.json'] };
  const generator = generatorLine(dir, Date.parse(record.startedAt));
  if (generator) full.generatorSaturated = generator;
  writeFileWhole(path.join(dir, 'run.json'), `${JSON.stringify(full, null, 2)}\n`);
  return full;
}
