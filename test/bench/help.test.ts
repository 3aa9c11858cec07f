// `--help` on a benchmark prints its usage and exits at once (bench/args.ts): the benchmarks that
// start servers and run for minutes must not start on it.
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
