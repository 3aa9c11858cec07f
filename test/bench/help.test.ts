// `--help` on a benchmark prints its usage and exits at once, and a flag it does not take stops it
// with one line (bench/args.ts): the benchmarks that start servers and run for minutes must not
// start on either.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('bench --help', () => {
  for (const [file, usage] of [
    ['target-instructions.ts', 'npx tsx bench/target-instructions.ts [--warm 60]'],
    ['http-throughput.ts', 'npx tsx bench/http-throughput.ts [--seconds 10]'],
    // positional arguments: '--help' would be read as a number of runs
    ['worker-start.ts', 'Start-up cost of a run now that every VU runs in a worker thread'],
  ] as const)
    it(`${file} prints its opening comment, starts nothing and exits 0`, () => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', file), '--help'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(usage);
      expect(r.stdout).not.toMatch(/^\s*\*/m); // the comment's leading stars are gone
      expect(r.stdout).not.toContain('round 1'); // nothing ran
    }, 60_000);
});

describe('bench flags', () => {
  const run = (file: string, ...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', file), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

  it('an unknown flag exits 2 with one line naming it and the flags the benchmark takes, before starting anything', () => {
    const r = run('target-logging.ts', '--second', '60');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('target-logging.ts: unknown argument --second; it takes --seconds, --rounds, --no-issue-build (--help prints its usage)');
    expect(r.stdout).toBe(''); // no round, no server
  }, 60_000);

  it('a number flag given text, a stray positional, and a dash-leading value each exit 2 with one line', () => {
    const text = run('http-throughput.ts', '--seconds', 'ten');
    expect(text.status).toBe(2);
    expect(text.stderr.trim()).toBe('http-throughput.ts: --seconds takes a number, not "ten" (--help prints its usage)');
    const stray = run('http-throughput.ts', '10');
    expect(stray.status).toBe(2);
    expect(stray.stderr).toMatch(/^http-throughput\.ts: unknown argument 10; it takes --seconds, --vus, --rounds, --only/);
    const dash = run('target-instructions.ts', '--node-flags', '--predictable');
    expect(dash.status).toBe(2);
    expect(dash.stderr).toContain("use '--node-flags=-XYZ'");
    expect(dash.stderr.trim().split('\n')).toHaveLength(1);
    for (const r of [text, stray, dash]) expect(r.stdout).toBe('');
  }, 60_000);
});
