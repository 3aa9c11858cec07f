// Execution segments from the command line (one instance of several, like a pod of an Indexed Job),
// also with worker threads inside the segment: the instances' totals add up to the whole test.
// And run tags (--tag) reach every sample an output sees.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, runCli } from '../cli/run-cli.ts';
import { tempDir } from '../../temp-dir.ts';

async function iterations(args: string[]): Promise<number> {
  const file = path.join(tempDir('aetos-seg-'), 'summary.json');
  const r = await runCli(['--quiet', '--no-summary', '--summary-export', file, ...args, fixture('shared-iterations.js')]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(file, 'utf8')).metrics.iterations.count;
}

describe('--execution-segment', () => {
  // Each instance keeps exactly its segment's share, split among its worker threads.
  it('three instances of 0,1/3,2/3,1 (two workers each) run 131 iterations between them', async () => {
    const seq = ['--execution-segment-sequence', '0,1/3,2/3,1'];
    const parts = await Promise.all([
      iterations(['--workers', '2', '--execution-segment', '0:1/3', ...seq]),
      iterations(['--workers', '2', '--execution-segment', '1/3:2/3', ...seq]),
      iterations(['--workers', '2', '--execution-segment', '2/3:1', ...seq]),
    ]);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(131);
    for (const p of parts) expect(p).toBeGreaterThan(30);
  });
});

describe('--tag', () => {
  it('run tags are on every sample written by --out json', async () => {
    const file = path.join(tempDir('aetos-tag-'), 'out.json');
    const r = await runCli(['--quiet', '--no-summary', '--workers', '2', '--tag', 'team=wms', '--out', `json=${file}`, fixture('shared-iterations.js')]);
    expect(r.code, r.stderr).toBe(0);
    const points = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === 'Point' && l.metric === 'iterations');
    expect(points).toHaveLength(131);
    for (const p of points) expect(p.data.tags.team).toBe('wms');
  });
});
