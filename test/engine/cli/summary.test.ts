// The end of a run: handleSummary(data) replaces the default summary and its map is written
// (stdout, files); without it k6's text summary is printed; --no-summary prints none.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, runCli } from './run-cli.ts';
import { tempDir } from '../../temp-dir.ts';

describe('end-of-test summary', () => {
  it('handleSummary gets k6 data (with setup_data) and writes stdout and a file', async () => {
    const file = path.join(tempDir('aetos-hs-'), 'nested', 'summary.json');
    const r = await runCli(['--quiet', '--workers', '2', '-e', `SUMMARY_FILE=${file}`, fixture('handle-summary.js')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('CUSTOM SUMMARY iterations=6');
    expect(r.stdout).not.toContain('TOTAL RESULTS');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ iterations: 6, setup: { from: 'setup' } });
  });

  it('the default text summary, and none with --no-summary', async () => {
    const on = await runCli(['--quiet', '--workers', '1', '-i', '3', fixture('constant-sleep.js')]);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toMatch(/iterations\.+: 3\b/);
    const off = await runCli(['--quiet', '--no-summary', '--workers', '1', '-i', '3', fixture('constant-sleep.js')]);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).not.toMatch(/iterations/);
  });
});
