/**
 * A scenario never passes a criterion it could not measure: against a target whose /metrics lacks
 * process_resident_memory_bytes, the memory sampler fails the run (exit 99) with one line naming
 * what is missing and why; with the series, the same run passes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { criterionOf, evidenceThresholds } from '../../lib/evidence-criteria.ts';
import { runCli } from '../engine/cli/run-cli.ts';

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

/** A fixture target: only /metrics, with or without the RSS series (flat). */
async function metricsServer(withRss: boolean): Promise<string> {
  const rss = 100e6; // flat: no leak
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.end(`# TYPE http_requests_total counter\nhttp_requests_total 5\n${withRss ? `process_resident_memory_bytes ${rss}\n` : ''}`);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const script = path.join(import.meta.dirname, 'fixtures/memory-sampler.ts');

describe('evidence', () => {
  it('criteria and thresholds', () => {
    expect(criterionOf('http_req_duration{name:upload}')).toBe('http_req_duration_upload');
    expect(evidenceThresholds(['http_reqs', 'recovery_time'])).toEqual({ 'evidence{criterion:recovery_time}': ['count>0'] });
  });

  it('/metrics without process_resident_memory_bytes: exit 99 and one line naming what is missing, not ✓ value=0', async () => {
    const [without, withSeries] = await Promise.all([metricsServer(false), metricsServer(true)]);
    const [bad, good] = await Promise.all([
      runCli(['--quiet', '--no-color', '--workers', '1', '-e', `BASE_URL=${without}`, script]),
      runCli(['--quiet', '--no-color', '--workers', '1', '-e', `BASE_URL=${withSeries}`, script]),
    ]);
    expect(bad.code, bad.stderr).toBe(99);
    const lines = bad.stderr.split('\n').filter((l) => l.includes('target_memory_growth_mb_per_hour: '));
    expect(lines, bad.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/target_memory_growth_mb_per_hour: \/metrics has no process_resident_memory_bytes; 0 of \d+ samples/);
    expect(bad.stderr).toContain("thresholds on metrics 'evidence{criterion:target_memory_growth_mb_per_hour}' have been crossed");
    expect(bad.stdout).toMatch(/✗ 'count>0' count=0/);
    expect(good.code, good.stderr + good.stdout).toBe(0);
    expect(good.stderr).not.toContain('target_memory_growth_mb_per_hour: ');
  });
});
