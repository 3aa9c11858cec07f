/**
 * Outputs through the CLI: a path that cannot be written stops the run before any VU starts
 * (one line naming it, exit 104); a write that still fails at the end makes the exit 103 though
 * every threshold held.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, runCli } from '../cli/run-cli.ts';
import { tempDir } from '../../temp-dir.ts';

const script = path.join(import.meta.dirname, 'fixtures/summary-to.js');

describe('outputs checked before the test starts', () => {
  it('--summary-export under a regular file: one line naming it, exit 104, no VU ran', async () => {
    const dir = tempDir('aetos-out-cli-');
    writeFileSync(path.join(dir, 'plain'), 'x');
    const target = path.join(dir, 'plain/summary.json');
    const r = await runCli(['--quiet', '--summary-export', target, fixture('shared-iterations.js')]);
    expect(r.code).toBe(104);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`aetos-load run: invalid option summary-export: cannot write ${target}: ENOTDIR`);
    expect(r.stdout).not.toContain('iterations');
  });

  it('--out json=/proc/x/s.ndjson: exit 104 at once, no loop', async () => {
    const t0 = Date.now();
    const r = await runCli(['--quiet', '--out', 'json=/proc/x/s.ndjson', fixture('shared-iterations.js')]);
    expect(r.code).toBe(104);
    expect(r.stderr).toMatch(/^aetos-load run: invalid option out: cannot write \/proc\/x\/s\.ndjson: /);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('a handleSummary file that cannot be written at the end: stderr names it, exit 103 though the thresholds held', async () => {
    const dir = tempDir('aetos-out-cli-');
    writeFileSync(path.join(dir, 'plain'), 'x');
    const r = await runCli(['--quiet', '-e', `SUMMARY_FILE=${path.join(dir, 'plain/s.txt')}`, script]);
    expect(r.stdout).toContain('summary printed');
    expect(r.stderr).toContain(`could not write the summary to ${path.join(dir, 'plain/s.txt')}`);
    expect(r.code).toBe(103);
  });
});
