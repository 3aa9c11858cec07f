// Ctrl-C / SIGTERM: the first stops gracefully and still writes the summary export (exit 105); the
// second stops at once and still writes what it has.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, startCli } from './run-cli.ts';

async function waitFor(pred: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

describe('stop signals', () => {
  for (const workers of ['1', '2']) {
    it(`first SIGINT: graceful stop, summary written, exit 105 (--workers ${workers})`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-sig-'));
      const exported = path.join(dir, 'summary.json');
      let started = false;
      const { child, done } = startCli(['--quiet', '--workers', workers, '--summary-export', exported, fixture('long-run.js')]);
      child.stderr?.on('data', () => (started = true));
      // Let iterations run for a while (the script would run 30 s).
      await new Promise((r) => setTimeout(r, 3000));
      const t0 = Date.now();
      child.kill('SIGINT');
      const r = await done;
      expect(r.code, r.stderr).toBe(105);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(existsSync(exported), r.stderr).toBe(true);
      const summary = JSON.parse(readFileSync(exported, 'utf8'));
      expect(summary.metrics.iterations.count).toBeGreaterThan(5);
      void started;
    });
  }

  it('second SIGTERM: stops at once, still writes the summary', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-sig-'));
    const exported = path.join(dir, 'summary.json');
    const { child, done } = startCli(['--quiet', '--workers', '1', '--summary-export', exported, fixture('long-run.js')]);
    await new Promise((r) => setTimeout(r, 2500));
    child.kill('SIGTERM');
    await waitFor(() => false, 100);
    child.kill('SIGTERM');
    const t0 = Date.now();
    const r = await done;
    expect(r.code, r.stderr).toBe(105);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(existsSync(exported)).toBe(true);
  });
});
