// `aetos-load merge` for real: one test of three scenarios (shared-iterations, constant-arrival-rate,
// ramping-vus) runs as 3 segment processes started by deploy/engine/run-segment.sh (as the pods of
// the Indexed Job run it: JOB_COMPLETION_INDEX, barrier on the results folder) and once whole in a
// 4th process; deploy/engine/merge.sh merges the segments as the merge Job does. The merged result
// matches the whole run: iterations exactly for shared-iterations, within one per segment for the
// time-based executors; the trend's HDR buckets bucket for bucket; and a threshold crossed only by
// the whole test (each segment passes it) gives 99. Two real segments started 3 s apart merge into
// the union of their time ranges (and --out html). Then the refusals, and the log framing of stdin.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as merge } from '../../cli/merge.ts';
import { testIdentity } from '../../engine/outputs/index.ts';
import type { SegmentResult } from '../../engine/metrics/index.ts';

const root = path.resolve(import.meta.dirname, '../..');
const aetos = `${process.execPath} ${path.join(root, 'bin/aetos-load.js')}`;

// shaped: one value per shared iteration, from its test-wide number, so the whole run and the
// segments together add exactly the same values. hits: each segment counts ≈ 20 of the 61 shared
// iterations, under the threshold count<40; the whole test crosses it.
const script = `
import { check, group, sleep } from 'k6';
import exec from 'k6/execution';
import { Counter, Gauge, Trend } from 'k6/metrics';
const shaped = new Trend('shaped');
const hits = new Counter('hits');
const lastShared = new Gauge('last_shared');
export const options = {
  scenarios: {
    shared: { executor: 'shared-iterations', vus: 5, iterations: 61, maxDuration: '20s', exec: 'shared' },
    arrival: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '2s', preAllocatedVUs: 6, maxVUs: 6, exec: 'arrival' },
    ramp: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '1s', target: 7 }, { duration: '1s', target: 7 }], gracefulRampDown: '10s', exec: 'ramp' },
  },
  thresholds: {
    'iterations{scenario:shared}': ['count>=0'],
    'iterations{scenario:arrival}': ['count>=0'],
    'iterations{scenario:ramp}': ['count>=0'],
    hits: ['count<40'],
  },
};
export function shared() {
  const i = exec.scenario.iterationInTest;
  shaped.add(i * 1.37 + 0.5);
  hits.add(1);
  lastShared.add(i);
  group('shared group', () => check(i, { 'odd or even': () => true, 'even': (n) => n % 2 === 0 }));
  sleep(0.02);
}
export function arrival() { sleep(0.05); }
// one iteration per VU: longer than the stages, so the count is the number of VUs started
export function ramp() { sleep(2.5); }
`;

interface Proc {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sh(file: string, env: Record<string, string>): Promise<Proc> {
  return new Promise((resolve) => {
    const child = spawn('sh', [file], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

function collect(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk;
      cb();
    },
  });
  return { stream, text: () => text };
}

async function mergeIn(dir: string, argv: string[], stdin?: string): Promise<Proc> {
  const out = collect();
  const err = collect();
  const code = await merge(argv, { cwd: dir, env: {}, stdout: out.stream, stderr: err.stream, stdin: stdin === undefined ? undefined : Readable.from([stdin]) });
  return { code, stdout: out.text(), stderr: err.text() };
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as SegmentResult;
const metric = (r: SegmentResult, key: string) => r.metrics.metrics.find(([k]) => k === key)?.[1];
const count = (r: SegmentResult, key: string) => {
  const s = metric(r, key);
  return s?.t === 'counter' ? s.sum : 0;
};
/** A trend's buckets as index → [count, sum], whatever the triples' order. */
function buckets(r: SegmentResult, key: string): Map<number, [number, number]> {
  const s = metric(r, key);
  if (s?.t !== 'trend') throw new Error(`${key} is not a trend`);
  const m = new Map<number, [number, number]>();
  for (let i = 0; i < s.pos.length; i += 3) m.set(s.pos[i] as number, [s.pos[i + 1] as number, s.pos[i + 2] as number]);
  return m;
}

let dir: string;
let results: string;
let segments: Proc[];
let whole: Proc;
let mergeJob: Proc;
const segFile = (i: number) => path.join(results, `segment-${i}.json`);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-merge-'));
  results = path.join(dir, 'results');
  writeFileSync(path.join(dir, 'plan.js'), script);
  const podEnv = (i: number) => ({
    JOB_COMPLETION_INDEX: String(i),
    SEGMENTS: '0:1/3 1/3:2/3 2/3:1',
    SEQUENCE: '0,1/3,2/3,1',
    PARALLELISM: '3',
    RESULTS: results,
    BARRIER_TIMEOUT: '40',
    AETOS_LOAD: aetos,
    AETOS_ARGS: '--quiet --no-summary --workers 1',
    SCRIPT: path.join(dir, 'plan.js'),
  });
  writeFileSync(path.join(dir, 'whole.sh'), `exec ${aetos} run --quiet --no-summary --workers 1 --out segment=${path.join(dir, 'whole.json')} ${path.join(dir, 'plan.js')}\n`);
  [whole, ...segments] = await Promise.all([sh(path.join(dir, 'whole.sh'), {}), ...[0, 1, 2].map((i) => sh(path.join(root, 'deploy/engine/run-segment.sh'), podEnv(i)))]);
  mergeJob = await sh(path.join(root, 'deploy/engine/merge.sh'), { RESULTS: results, PARALLELISM: '3', AETOS_LOAD: aetos, WAIT_TIMEOUT: '20' });
}, 90_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('merge of 3 segment processes against one whole run', () => {
  it('each segment passes its own share of the threshold; the whole run and the merge cross it (99)', () => {
    for (const s of segments) {
      expect(s.code, s.stderr).toBe(0);
      expect(s.stdout).not.toContain('thresholds crossed in this segment');
    }
    expect(whole.code, whole.stderr).toBe(99);
    expect(mergeJob.code, mergeJob.stderr).toBe(99);
    expect(readFileSync(path.join(results, 'verdict'), 'utf8').trim()).toBe('99');
    for (const i of [0, 1, 2]) expect(readFileSync(path.join(results, `exit-${i}`), 'utf8').trim()).toBe('0');
    expect(mergeJob.stdout).toContain('verdict: exit code 99 (thresholds crossed)');
    expect(mergeJob.stderr).toContain("thresholds on metrics 'hits' have been crossed");
    // k6's summary text, from the merged store
    const text = readFileSync(path.join(results, 'summary.txt'), 'utf8');
    expect(text).toMatch(/✗ 'count<40' count=61/);
    expect(text).toMatch(/iterations\.+: \d+/);
    const junit = readFileSync(path.join(results, 'junit.xml'), 'utf8');
    expect(junit).toContain('<failure message="threshold count&lt;40 on hits was crossed"/>');
  });

  it('the merge Job fails the test when a segment\'s own run failed, whatever the metrics say', async () => {
    const copy = path.join(dir, 'failed-run');
    mkdirSync(copy);
    for (const i of [0, 1, 2]) {
      copyFileSync(segFile(i), path.join(copy, `segment-${i}.json`));
      writeFileSync(path.join(copy, `exit-${i}`), i === 1 ? '107\n' : '0\n');
    }
    const r = await sh(path.join(root, 'deploy/engine/merge.sh'), { RESULTS: copy, PARALLELISM: '3', AETOS_LOAD: aetos, WAIT_TIMEOUT: '20' });
    expect(r.code).toBe(107);
    expect(r.stderr).toContain('merge: segment 1 ended with exit code 107: the test did not run as planned');
    expect(r.stdout).toContain('verdict: exit code 107 (a segment failed)');
    expect(readFileSync(path.join(copy, 'verdict'), 'utf8').trim()).toBe('107');
    expect(readFileSync(path.join(copy, 'summary.txt'), 'utf8')).toContain('TOTAL RESULTS');
  });

  it('iterations: exact for shared-iterations, within one per segment for the time-based executors', () => {
    const whole1 = read(path.join(dir, 'whole.json'));
    const merged = read(path.join(results, 'merged.json'));
    const parts = [0, 1, 2].map((i) => read(segFile(i)));
    expect(parts.map((p) => p.segment)).toEqual(['0:1/3', '1/3:2/3', '2/3:1']);
    const shared = 'iterations{scenario:shared}';
    expect(count(merged, shared)).toBe(61);
    expect(count(whole1, shared)).toBe(61);
    for (const p of parts) expect(count(p, shared)).toBeLessThan(40);
    for (const key of ['iterations{scenario:arrival}', 'iterations{scenario:ramp}']) {
      expect(count(merged, key)).toBe(parts.reduce((a, p) => a + count(p, key), 0));
      expect(Math.abs(count(merged, key) - count(whole1, key)), key).toBeLessThanOrEqual(parts.length);
    }
    expect(count(whole1, 'iterations{scenario:arrival}')).toBeGreaterThanOrEqual(39);
    // 7 VUs of one iteration each; a VU the loaded machine starts after the stages end runs none
    expect(count(whole1, 'iterations{scenario:ramp}')).toBeGreaterThanOrEqual(6);
    expect(count(whole1, 'iterations{scenario:ramp}')).toBeLessThanOrEqual(7);
    // the summary export has the same totals
    const exp = JSON.parse(readFileSync(path.join(results, 'summary.json'), 'utf8'));
    expect(exp.metrics['iterations{scenario:shared}'].count).toBe(61);
    expect(exp.metrics.hits.thresholds['count<40']).toBe(true);
    for (const p of parts) expect(count(p, 'hits')).toBeLessThan(40);
    // checks and groups add up: 61 runs of each check, 31 of them even
    const group = exp.root_group.groups['shared group'];
    expect(group.checks['odd or even']).toMatchObject({ passes: 61, fails: 0 });
    expect(group.checks.even).toMatchObject({ passes: 31, fails: 30 });
    // a custom gauge keeps the value written last in time, whichever segment wrote it
    const gauges = parts.map((p) => metric(p, 'last_shared')).filter((g) => g?.t === 'gauge') as { last: number; time: number }[];
    const newest = gauges.reduce((a, b) => (b.time >= a.time ? b : a));
    expect(metric(merged, 'last_shared')).toMatchObject({ last: newest.last, time: newest.time });
    expect(exp.metrics.last_shared.value).toBe(newest.last);
    // vus_max adds up across segments (6 + 5 + 7 planned VUs)
    const vm = metric(merged, 'vus_max');
    expect(vm?.t === 'gauge' && vm.max).toBe(18);
  });

  it('the trend merges bucket for bucket: the sum of the segments, and the whole run', () => {
    const merged = buckets(read(path.join(results, 'merged.json')), 'shaped');
    const wholeB = buckets(read(path.join(dir, 'whole.json')), 'shaped');
    const summed = new Map<number, [number, number]>();
    for (let i = 0; i < 3; i++) {
      for (const [idx, [c, s]] of buckets(read(segFile(i)), 'shaped')) {
        const had = summed.get(idx) ?? [0, 0];
        summed.set(idx, [had[0] + c, had[1] + s]);
      }
    }
    expect([...merged.keys()].sort((a, b) => a - b)).toEqual([...summed.keys()].sort((a, b) => a - b));
    expect([...merged.keys()].sort((a, b) => a - b)).toEqual([...wholeB.keys()].sort((a, b) => a - b));
    expect(merged.size).toBe(61);
    for (const [idx, [c, s]] of merged) {
      expect(c).toBe(summed.get(idx)?.[0]);
      expect(c).toBe(wholeB.get(idx)?.[0]);
      expect(s).toBeCloseTo(wholeB.get(idx)?.[1] as number, 9);
    }
  });

  it('reads the segments from a log (the pods printed @aetos-load-segment lines) mixed with other output', async () => {
    const log = segments.map((s, i) => `pod ${i} starting\n${s.stdout}some other line\n`).join('');
    const r = await mergeIn(dir, ['--no-color', '--summary-export', 'from-log.json', '-'], log);
    expect(r.code, r.stderr).toBe(99);
    expect(r.stderr).toMatch(/merge: 3 segments of .*plan\.js \(sequence 0,1\/3,2\/3,1\), started within \d+\.\d s of each other/);
    expect(JSON.parse(readFileSync(path.join(dir, 'from-log.json'), 'utf8')).metrics['iterations{scenario:shared}'].count).toBe(61);
    expect(r.stdout).toContain('TOTAL RESULTS');
  });

  it('reads gzip-compressed segment results (--out segment=FILE.gz)', async () => {
    writeFileSync(path.join(dir, 'segment-1.json.gz'), gzipSync(readFileSync(segFile(1))));
    const r = await mergeIn(dir, ['--no-summary', segFile(0), 'segment-1.json.gz', segFile(2)]);
    expect(r.code, r.stderr).toBe(99);
  });

  it('segments started seconds apart: the duration is the union of their time ranges', async () => {
    const parts = [0, 1, 2].map((i) => read(segFile(i)));
    const late = structuredClone(parts[2] as SegmentResult);
    const t = late.time as { start: number; end: number };
    late.time = { start: t.start + 8000, end: t.end + 8000 };
    writeFileSync(path.join(dir, 'late.json'), JSON.stringify(late));
    const r = await mergeIn(dir, ['--no-summary', '--summary-export', 'late-summary.json', segFile(0), segFile(1), 'late.json']);
    expect(r.code, r.stderr).toBe(99);
    const [t0, t1] = [parts[0]!.time as { start: number; end: number }, parts[1]!.time as { start: number; end: number }];
    const start = Math.min(t0.start, t1.start, t.start + 8000);
    const end = Math.max(t0.end, t1.end, t.end + 8000);
    const exp = JSON.parse(readFileSync(path.join(dir, 'late-summary.json'), 'utf8'));
    const iterations = exp.metrics.iterations.count as number;
    expect(exp.metrics.iterations.rate).toBeCloseTo(iterations / ((end - start) / 1000), 6);
    // the barrier released the pods within a second or two of each other; this one came 8 s later
    expect(Number(/started within (\d+\.\d) s of each other/.exec(r.stderr)?.[1])).toBeGreaterThan(6);
    expect(r.stderr).toMatch(/segment 2\/3:1 started \d+\.\d s after the first: the whole planned load never ran at once/);
  });
});

// Two real processes, the second started 3 s after the first (pods that the scheduler started
// apart): the merged timeline runs from the first start to the last end of the segments' own clocks,
// counter rates are over that union, and --out html gets the whole test's verdict and duration.
describe('segments started seconds apart, for real', () => {
  const staggered = `
import { sleep } from 'k6';
import { Counter } from 'k6/metrics';
const hits = new Counter('hits');
// one VU per segment, 2 hits each: each segment passes count<3, the whole test (4) crosses it
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 2 } }, thresholds: { hits: ['count<3'] } };
export default function () { hits.add(1); sleep(0.3); }
`;
  it('merge gives the union of their time ranges, the rate over it and one verdict (99: each segment alone passes)', async () => {
    const d = path.join(dir, 'staggered');
    mkdirSync(d);
    writeFileSync(path.join(d, 't.js'), staggered);
    const runSegment = (segment: string, file: string) => {
      const script = path.join(d, `${file}.sh`);
      writeFileSync(script, `exec ${aetos} run --quiet --no-summary --workers 1 --execution-segment ${segment} --execution-segment-sequence 0,1/2,1 --out segment=${path.join(d, file)} ${path.join(d, 't.js')}\n`);
      return sh(script, {});
    };
    const first = runSegment('0:1/2', 'a.json');
    await new Promise((r) => setTimeout(r, 3000));
    const [a, b] = await Promise.all([first, runSegment('1/2:1', 'b.json')]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const [ta, tb] = ['a.json', 'b.json'].map((f) => read(path.join(d, f)).time as { start: number; end: number });
    const start = Math.min(ta!.start, tb!.start);
    const end = Math.max(ta!.end, tb!.end);
    const r = await mergeIn(d, ['--no-summary', '--summary-export', 's.json', '--out', 'segment=m.json', '--out', 'html=r.html', 'a.json', 'b.json']);
    expect(r.code, r.stderr).toBe(99);
    for (const f of ['a.json', 'b.json']) expect(count(read(path.join(d, f)), 'hits')).toBe(2);
    expect(read(path.join(d, 'm.json')).time).toMatchObject({ start, end });
    const offset = Math.abs(tb!.start - ta!.start) / 1000;
    expect(r.stderr).toContain(`started within ${offset.toFixed(1)} s of each other, ${((end - start) / 1000).toFixed(1)} s in all`);
    const exp = JSON.parse(readFileSync(path.join(d, 's.json'), 'utf8'));
    expect(exp.metrics.hits.count).toBe(count(read(path.join(d, 'a.json')), 'hits') + count(read(path.join(d, 'b.json')), 'hits'));
    expect(exp.metrics.hits.rate).toBeCloseTo(exp.metrics.hits.count / ((end - start) / 1000), 6);
    // the HTML report of the merge: the whole test's verdict, threshold and duration
    const html = readFileSync(path.join(d, 'r.html'), 'utf8');
    expect(html).toContain(`"durationMs":${end - start}`);
    expect(html).toContain(`"passed":false,"thresholds":[{"metric":"hits","source":"count\\u003c3","ok":false,"value":${exp.metrics.hits.count}}]`);
  }, 60_000);
});

describe('merge refuses what is not one whole test, with one line', () => {
  const refused = async (argv: string[], pattern: RegExp) => {
    const r = await mergeIn(dir, argv);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  };

  it('a missing segment', () => refused([segFile(0), segFile(2)], /^aetos-load merge: refused: missing segment 1\/3:2\/3 of the sequence 0,1\/3,2\/3,1/));

  it('a duplicate segment', () => refused([segFile(0), segFile(1), segFile(1), segFile(2)], /refused: segment 1\/3:2\/3 is there twice: .*segment-1\.json and .*segment-1\.json/));

  it('overlapping segments', async () => {
    const odd = read(segFile(1));
    odd.segment = '1/4:2/3';
    writeFileSync(path.join(dir, 'odd.json'), JSON.stringify(odd));
    await refused([segFile(0), 'odd.json', segFile(2)], /refused: segments 0:1\/3 \(.*segment-0\.json\) and 1\/4:2\/3 \(odd\.json\) overlap/);
  });

  it('segments of a different test', async () => {
    const other = read(segFile(1));
    const options = { ...other.test.options, thresholds: { hits: ['count<100'] } };
    other.test = { ...testIdentity('changed', options), script: 'other.js' };
    writeFileSync(path.join(dir, 'other-script.json'), JSON.stringify(other));
    await refused([segFile(0), 'other-script.json', segFile(2)], /refused: .*segment-0\.json \(.*plan\.js\) and other-script\.json \(other\.js\) are segments of different tests: their scripts differ/);
    other.test = { ...testIdentity('x', options), scriptSha256: read(segFile(0)).test.scriptSha256, script: 'plan.js' };
    writeFileSync(path.join(dir, 'other-options.json'), JSON.stringify(other));
    await refused([segFile(0), 'other-options.json', segFile(2)], /different tests: their options differ \(thresholds\)/);
  });

  it('segments of different sequences, a newer version, a damaged or foreign file, no input', async () => {
    const half = read(segFile(2));
    half.segment = '1/2:1';
    half.sequence = '0,1/2,1';
    writeFileSync(path.join(dir, 'half.json'), JSON.stringify(half));
    await refused([segFile(0), segFile(1), 'half.json'], /overlap/);
    half.segment = '2/3:1';
    writeFileSync(path.join(dir, 'half.json'), JSON.stringify(half));
    await refused([segFile(0), segFile(1), 'half.json'], /was run with the sequence 0,1\/3,2\/3,1 and half\.json with 0,1\/2,1/);
    const future = { ...read(segFile(0)), version: 2 };
    writeFileSync(path.join(dir, 'future.json'), JSON.stringify(future));
    await refused(['future.json', segFile(1), segFile(2)], /refused: future\.json: segment result version 2 is not supported \(this aetos-load reads version 1\)/);
    const broken = read(segFile(0)) as unknown as { metrics: { metrics: [string, Record<string, unknown>][] } };
    (broken.metrics.metrics.find(([k]) => k === 'shaped') as [string, Record<string, unknown>])[1].pos = [1, 2];
    writeFileSync(path.join(dir, 'broken.json'), JSON.stringify(broken));
    await refused(['broken.json', segFile(1), segFile(2)], /refused: broken\.json: metrics\.metrics "shaped": trend pos must be \[index, count, sum\] triples/);
    writeFileSync(path.join(dir, 'junk.json'), '{"format":"something-else"}');
    await refused(['junk.json'], /refused: junk\.json: not a segment result/);
    await refused(['nope.json'], /refused: nope\.json: cannot read it \(ENOENT\)/);
    const r = await mergeIn(dir, ['-'], 'no segment here\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused: stdin: no segment result in it/);
  });
});
