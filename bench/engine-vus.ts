/**
 * Engine benchmark: memory per VU and time to first iteration.
 *
 *   npx tsx bench/engine-vus.ts            (or: node --import tsx bench/engine-vus.ts)
 *
 * Each size runs 3 times (REPEATS=n to change) and the run with the median RSS is reported.
 * Runs `aetos-load run --workers 1 --quiet -u N -d 12s bench/engine-vus-script.js` (constant-vus,
 * every VU sleeps 1 s per iteration) for N = 1, 1,000 and 10,000, samples the process's resident set
 * size (VmRSS from /proc, median of the samples) once all VUs are running, and reports
 * (RSS(N) − RSS(1)) / (N − 1) per VU.
 * Time to first iteration: from spawning the command to the first iteration's console line.
 * Targets (issue 3): ≤ 64 KB per VU (k6 documents 1–5 MB), ≤ 1 s to the first iteration at 1,000 VUs.
 */
import './args.ts'; // first: --help prints this file's opening comment before anything loads
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const script = path.join(root, 'bench/engine-vus-script.js');

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

interface Sample {
  vus: number;
  rssKb: number;
  firstIterationMs: number;
  code: number | null;
}

async function measure(vus: number, durationS = 12): Promise<Sample> {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [path.join(root, 'bin/aetos-load.js'), 'run', '--workers', '1', '--quiet', '--no-summary', '-u', String(vus), '-d', `${durationS}s`, script],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let firstIterationMs = -1;
  let buf = '';
  child.stderr.on('data', (d) => {
    buf += d;
    if (firstIterationMs < 0 && buf.includes('FIRST_ITERATION')) firstIterationMs = performance.now() - t0;
  });
  // Sample RSS in the second half of the run, when every VU has been running for a while; the
  // median of those samples is less at the mercy of one GC cycle than the peak.
  const samples: number[] = [];
  const sampler = setInterval(() => {
    if (performance.now() - t0 > (durationS * 1000) / 2) {
      const kb = rssKb(child.pid as number);
      if (kb > 0) samples.push(kb);
    }
  }, 250);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(sampler);
  samples.sort((a, b) => a - b);
  return { vus, rssKb: samples[Math.floor(samples.length / 2)] ?? 0, firstIterationMs, code };
}

/**
 * The engine's own start-up, without Node and tsx booting: `main(argv)` called in this process
 * (tsx already loaded), from the call to the first iteration's console line.
 */
async function engineStartToFirstIteration(vus: number): Promise<number> {
  const { main } = await import('../cli/run.ts');
  const { Writable } = await import('node:stream');
  let first = -1;
  const t0 = performance.now();
  const stderr = new Writable({
    write(chunk, _enc, cb) {
      if (first < 0 && String(chunk).includes('FIRST_ITERATION')) first = performance.now() - t0;
      cb();
    },
  });
  const stdout = new Writable({ write: (_c, _e, cb) => cb() });
  const code = await main(['--workers', '1', '--quiet', '--no-summary', '-u', String(vus), '-d', '2s', script], { stdout, stderr, cwd: root, handleSignals: false });
  if (code !== 0) throw new Error(`run exited ${code}`);
  return first;
}

/**
 * What a VU keeps: the engine in this process, N VUs running for 5 s, then a full GC (forced
 * through V8's gc, enabled at run time) and process.memoryUsage(); the run is then stopped.
 * RSS without a forced GC (above) also holds garbage not yet collected.
 */
async function retainedAfterGc(vus: number): Promise<{ heapKb: number; rssKb: number }> {
  const { main } = await import('../cli/run.ts');
  const { Writable } = await import('node:stream');
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  const ac = new AbortController();
  const run = main(['--workers', '1', '--quiet', '--no-summary', '-u', String(vus), '-d', '30s', script], {
    stdout: sink(),
    stderr: sink(),
    cwd: root,
    handleSignals: false,
    signal: ac.signal,
  });
  await new Promise((r) => setTimeout(r, 5000));
  gc();
  gc();
  const m = process.memoryUsage();
  ac.abort(); // graceful
  ac.abort(); // and at once
  await run;
  return { heapKb: m.heapUsed / 1024, rssKb: m.rss / 1024 };
}

// Warm-up (module loading of the engine itself), then the measured run.
await engineStartToFirstIteration(1);
const inProcess1k = await engineStartToFirstIteration(1000);

/** Each size is run `repeats` times; the run with the median RSS is reported (RSS moves with GC state). */
const repeats = Number(process.env.REPEATS ?? 3);
async function measureMedian(vus: number): Promise<Sample> {
  const runs: Sample[] = [];
  for (let i = 0; i < repeats; i++) runs.push(await measure(vus));
  runs.sort((a, b) => a.rssKb - b.rssKb);
  return runs[Math.floor(runs.length / 2)] as Sample;
}

const gc1 = await retainedAfterGc(1);
const gc1k = await retainedAfterGc(1000);
const gc10k = await retainedAfterGc(10_000);

const base = await measureMedian(1);
const rows: string[] = [];
const byVus = new Map<number, Sample>();
rows.push(`baseline 1 VU: RSS ${(base.rssKb / 1024).toFixed(1)} MB, first iteration after ${base.firstIterationMs.toFixed(0)} ms (exit ${base.code})`);
for (const n of [1000, 10_000]) {
  const s = await measureMedian(n);
  byVus.set(n, s);
  const perVuKb = (s.rssKb - base.rssKb) / (n - 1);
  rows.push(
    `${n} VUs: RSS ${(s.rssKb / 1024).toFixed(1)} MB, ${perVuKb.toFixed(1)} KB per VU, first iteration after ${s.firstIterationMs.toFixed(0)} ms ` +
      `(${(s.firstIterationMs - base.firstIterationMs).toFixed(0)} ms more than 1 VU) (exit ${s.code})`,
  );
}
const k1 = byVus.get(1000) as Sample;
const k10 = byVus.get(10_000) as Sample;
rows.push(`marginal 1,000 → 10,000 VUs: ${((k10.rssKb - k1.rssKb) / 9000).toFixed(1)} KB per VU`);
for (const [n, m] of [[1000, gc1k], [10_000, gc10k]] as const) {
  rows.push(
    `after a forced GC, in-process, ${n} VUs: heap ${((m.heapKb - gc1.heapKb) / (n - 1)).toFixed(1)} KB per VU, RSS ${((m.rssKb - gc1.rssKb) / (n - 1)).toFixed(1)} KB per VU`,
  );
}
rows.push(`engine start → first iteration, 1,000 VUs, in-process (main(argv) called with tsx loaded): ${inProcess1k.toFixed(0)} ms`);
console.log(rows.join('\n'));
