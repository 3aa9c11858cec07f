// --workers N runs one execution segment per worker thread; iteration-count executors give the
// same totals as one in-process instance (read from --summary-export).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineWorkerCount } from '../../../engine/config/threads.ts';
import { tempDir } from '../../temp-dir.ts';
import { fixture, runCli } from '../cli/run-cli.ts';

/** The end-of-test metrics of a quiet run of `args` (its --summary-export, in a folder removed after the file's tests). */
async function summaryMetrics(args: string[]) {
  const file = path.join(tempDir('aetos-workers-'), 'summary.json');
  const r = await runCli(['--quiet', '--summary-export', file, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(file, 'utf8')).metrics;
}

async function totals(workers: number) {
  const metrics = await summaryMetrics(['--workers', String(workers), fixture('shared-iterations.js')]);
  return { iterations: metrics.iterations.count as number, vusMax: metrics.vus_max };
}

describe('--workers', () => {
  it('2 workers and 1 give the same iteration totals (101 shared + 3 x 10 per-VU = 131)', async () => {
    const one = await totals(1);
    const two = await totals(2);
    expect(one.iterations).toBe(131);
    expect(two.iterations).toBe(131);
  });
});

/** The largest share of VUs one thread initialised, for a run of `args` (read from --summary-export). */
async function largestThreadShare(args: string[]) {
  const metrics = await summaryMetrics(args);
  return { iterations: metrics.iterations?.count as number | undefined, largest: metrics.vus_per_thread.max as number };
}

describe('worker threads unasked (no --workers)', () => {
  it('up to 1,000 VUs run on one thread: from the script options, and from -u on the command line', async () => {
    const options = await largestThreadShare(['-e', 'VUS=50', fixture('vus-per-thread.js')]);
    expect(options).toMatchObject({ iterations: 50, largest: 50 });
    const flags = await largestThreadShare(['-u', '20', '-i', '20', fixture('vus-per-thread.js')]);
    expect(flags).toMatchObject({ iterations: 20, largest: 20 });
  });
  it('an arrival rate past 10,000 iterations a second takes a second thread, whatever its VUs', async () => {
    const fast = await largestThreadShare(['-e', 'VUS=4', '-e', 'RATE=20000', fixture('vus-per-thread.js')]);
    expect(fast.largest).toBe(machineWorkerCount() === 1 ? 4 : 2);
    const slow = await largestThreadShare(['-e', 'VUS=4', '-e', 'RATE=100', fixture('vus-per-thread.js')]);
    expect(slow.largest).toBe(4);
  });
  it('1,001 VUs take a second thread when the machine has a second core', async () => {
    const r = await largestThreadShare(['-e', 'VUS=1001', fixture('vus-per-thread.js')]);
    expect(r.iterations).toBe(1001);
    if (machineWorkerCount() === 1) expect(r.largest).toBe(1001);
    else expect(r.largest).toBeLessThanOrEqual(501);
  });
});

describe('setup data and teardown', () => {
  it('every VU gets its own copy of setup() data; teardown() gets the original', async () => {
    const r = await runCli(['--quiet', '--workers', '2', fixture('setup-data.ts')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/setup ran/g)).toHaveLength(1);
    const lines = [...r.stderr.matchAll(/vu=(\d+) token=(\S+) len=(\d+)/g)].map((m) => ({ vu: m[1], token: m[2], len: Number(m[3]) }));
    expect(lines).toHaveLength(6);
    for (const l of lines) expect(l.token).toBe('tok-123');
    // Per VU copies: a VU's n-th iteration sees its own n pushes, never another VU's.
    const byVu = new Map<string, number[]>();
    for (const l of lines) byVu.set(l.vu, [...(byVu.get(l.vu) ?? []), l.len]);
    for (const lens of byVu.values()) expect(lens).toEqual(lens.map((_, i) => 4 + i));
    expect(r.stderr).toMatch(/teardown got \{\\?"token\\?":\\?"tok-123\\?",\\?"list\\?":\[1,2,3\]\}/);
  });
});
