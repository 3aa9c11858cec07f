// Ctrl-C / SIGTERM: the first stops gracefully and still writes the summary export (exit 105); the
// second stops at once and still writes what it has.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, startCli } from './run-cli.ts';
import { tempDir } from '../../temp-dir.ts';

async function waitFor(pred: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

describe('stop signals', () => {
  for (const workers of ['1', '2']) {
    it(`first SIGINT: graceful stop, summary written, exit 105 (--workers ${workers})`, async () => {
      const dir = tempDir('aetos-sig-');
      const exported = path.join(dir, 'summary.json');
      let stderr = '';
      const { child, done } = startCli(['--quiet', '--workers', workers, '--summary-export', exported, fixture('long-run.js')]);
      child.stderr?.on('data', (d) => (stderr += d));
      // Once iterations run (start-up is slow on a busy box), let them run a while; the script would run 30 s.
      await waitFor(() => stderr.includes('FIRST_ITERATION'), 20_000);
      await new Promise((r) => setTimeout(r, 1500));
      const t0 = Date.now();
      child.kill('SIGINT');
      const r = await done;
      expect(r.code, r.stderr).toBe(105);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(existsSync(exported), r.stderr).toBe(true);
      const summary = JSON.parse(readFileSync(exported, 'utf8'));
      expect(summary.metrics.iterations.count).toBeGreaterThan(5);
    });
  }

  it('second SIGTERM: stops at once, still writes the summary', async () => {
    const dir = tempDir('aetos-sig-');
    const exported = path.join(dir, 'summary.json');
    let stderr = '';
    let exited = false;
    const { child, done } = startCli(['--quiet', '--workers', '2', '--summary-export', exported, fixture('long-iterations.js')]);
    child.stderr?.on('data', (d) => (stderr += d));
    void done.then(() => (exited = true));
    await waitFor(() => stderr.includes('FIRST_ITERATION'), 20_000);
    child.kill('SIGTERM');
    // Graceful: the 20 s iterations are given their gracefulStop, so the run goes on.
    await new Promise((r) => setTimeout(r, 1500));
    expect(exited).toBe(false);
    child.kill('SIGTERM');
    const t0 = Date.now();
    const r = await done;
    expect(r.code, r.stderr).toBe(105);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(r.stderr).toMatch(/stopping the test now/);
    expect(existsSync(exported)).toBe(true);
  });
});
