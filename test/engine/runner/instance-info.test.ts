// k6/execution's instance numbers come from the runner (iterations completed, VUs active and
// initialised, test duration), and exec.vu.idInTest is unique across worker threads.
import { describe, expect, it } from 'vitest';
import { fixture, runCli } from '../cli/run-cli.ts';

function parse(stderr: string) {
  return [...stderr.matchAll(/INFO ((?:\w+=\d+ ?)+)/g)].map((m) => Object.fromEntries((m[1] as string).trim().split(' ').map((kv) => kv.split('=').map((x, j) => (j ? Number(x) : x)))) as Record<string, number>);
}

describe('k6/execution instance info', () => {
  it('one instance: counts grow, 4 VUs initialised and active, duration grows', async () => {
    const r = await runCli(['--quiet', '--workers', '1', fixture('instance-info.js')]);
    expect(r.code, r.stderr).toBe(0);
    const rows = parse(r.stderr);
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      expect(row.initialized).toBe(4);
      // Active = VUs inside an iteration now (the VU asking counts itself).
      expect(row.active).toBeGreaterThanOrEqual(1);
      expect(row.active).toBeLessThanOrEqual(4);
      expect(row.interrupted).toBe(0);
    }
    expect(Math.max(...rows.map((r) => r.active as number))).toBe(4);
    const byIt = [...rows].sort((a, b) => (a.it as number) - (b.it as number));
    expect(byIt[19]!.completed).toBeGreaterThanOrEqual(12);
    expect(byIt[19]!.elapsed).toBeGreaterThan(byIt[0]!.elapsed as number);
    expect(new Set(rows.map((r) => r.idInTest))).toEqual(new Set([1, 2, 3, 4]));
  });

  it('two workers: each thread has 2 VUs; ids in test and __VU/idInInstance are 1..4 without duplicates (threads are not instances)', async () => {
    const r = await runCli(['--quiet', '--workers', '2', fixture('instance-info.js')]);
    expect(r.code, r.stderr).toBe(0);
    const rows = parse(r.stderr);
    expect(rows).toHaveLength(20);
    for (const row of rows) expect(row.initialized).toBe(2);
    expect(new Set(rows.map((r) => r.idInTest))).toEqual(new Set([1, 2, 3, 4]));
    expect(new Set(rows.map((r) => r.idInInstance))).toEqual(new Set([1, 2, 3, 4]));
    expect(new Set(rows.map((r) => r.it)).size).toBe(20);
  });

  it('separately started segments of one sequence get disjoint idInTest ranges', async () => {
    const seq = ['--execution-segment-sequence', '0,1/2,1'];
    const [a, b] = await Promise.all([
      runCli(['--quiet', '--workers', '1', '--execution-segment', '0:1/2', ...seq, fixture('instance-info.js')]),
      runCli(['--quiet', '--workers', '1', '--execution-segment', '1/2:1', ...seq, fixture('instance-info.js')]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(new Set(parse(a.stderr).map((r) => r.idInTest))).toEqual(new Set([1, 2]));
    expect(new Set(parse(b.stderr).map((r) => r.idInTest))).toEqual(new Set([3, 4]));
  });

  // k6 gives each of the two instances one of the 2 VUs and 10 of the 20 shared iterations; the
  // two worker threads inside each instance must split that share, not re-split the sequence
  // (which gave the first instance all 20).
  it('two segments × two workers each: 10 shared iterations per instance, iterationInTest disjoint and covering 0..19', async () => {
    const seq = ['--execution-segment-sequence', '0,1/2,1'];
    const [a, b] = await Promise.all(
      ['0:1/2', '1/2:1'].map((segment) => runCli(['--quiet', '--workers', '2', '-e', 'VUS=2', '--execution-segment', segment, ...seq, fixture('instance-info.js')])),
    );
    expect(a!.code, a!.stderr).toBe(0);
    expect(b!.code, b!.stderr).toBe(0);
    const its = [a!, b!].map((r) => parse(r.stderr).map((row) => row.it as number));
    expect(its.map((l) => l.length)).toEqual([10, 10]);
    expect([...its[0]!, ...its[1]!].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const idsA = new Set(parse(a!.stderr).map((r) => r.idInTest));
    expect(parse(b!.stderr).filter((r) => idsA.has(r.idInTest as number))).toEqual([]);
  });
});
