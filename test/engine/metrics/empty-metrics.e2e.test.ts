/**
 * Empty metrics are judged at the end, as k6 does: a Counter that never got a sample fails
 * `count>5` (exit 99, ✗ in the summary), though it was skipped while the run was going.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { runCli } from '../cli/run-cli.ts';

describe('empty metrics at the end of a run', () => {
  it("count>5 on a never-sampled Counter is crossed: exit 99 and ✗ 'count>5' count=0", async () => {
    const r = await runCli(['--quiet', '--no-color', path.join(import.meta.dirname, 'fixtures/empty-counter.js')]);
    expect(r.stderr).toContain("thresholds on metrics 'never_sampled' have been crossed");
    expect(r.stdout).toMatch(/✗ 'count>5' count=0/);
    expect(r.code).toBe(99);
  });
});
