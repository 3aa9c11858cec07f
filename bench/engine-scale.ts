/**
 * Issue 21's scale and start-up figures, one command:  npx tsx bench/engine-scale.ts [--seconds 15] [--no-active]
 *
 *  1. Start-up: spawn → first request arriving at a loopback server in this process, for
 *     `aetos-load run` with 1 and 1,000 VUs and for autocannon -c 1 (the peer, same measure).
 *  2. First-iteration accuracy: 10 VUs × 3 iterations against the C server answering after 50 ms:
 *     the first iteration's http_req_duration against the later ones (goal: every request 50–60 ms).
 *  3. Active VUs (`http.get` + `sleep(1)`, bench/engine-scale-script.js) at 1,000 and 10,000 VUs
 *     against the C server: the rate reached as a share of the ideal (VUs per second), p95, and
 *     the resident set per VU between the two (median RSS over the run's second half).
 * Absolute numbers move with the host's load (printed): compare within a run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { generatorVerdict } from '../engine/metrics/generator.ts';
import { cServers } from './c-server.ts';
import { readFlags } from './args.ts';
import { DISTURBED_CORES, stealMeter } from './host-steal.ts';

const here = import.meta.dirname;
const root = join(here, '..');
const { seconds, 'no-active': noActive } = readFlags({ seconds: 15, 'no-active': false });
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const aetos = (args: string[]) => [process.execPath, join(root, 'bin/aetos-load.js'), 'run', ...args] as const;

/** Spawns `cmd` and resolves with the ms from spawn to the first request at `url`'s server, and the command's output. */
async function firstRequestMs(cmd: readonly string[], env: Record<string, string> = {}): Promise<{ ms: number; out: string }> {
  let first = -1;
  let t0 = 0;
  const server = createServer((_req, res) => {
    if (first < 0) first = performance.now() - t0;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  t0 = performance.now();
  const child = spawn(cmd[0] as string, [...cmd.slice(1).map((a) => a.replace('{URL}', url))], { cwd: root, env: { ...process.env, URL: url, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await new Promise((r) => child.on('close', r));
  server.closeAllConnections();
  server.close();
  return { ms: first, out };
}

/** Runs `aetos-load run` and samples its RSS in the second half; returns the summary export's metrics. */
async function activeRun(url: string, vus: number): Promise<{ rssKb: number; metrics: Record<string, Record<string, number>> }> {
  const dir = mkdtempSync(join(tmpdir(), 'aetos-scale-'));
  const cmd = aetos(['-q', '--no-summary', '-u', String(vus), '-d', `${seconds}s`, '--summary-trend-stats', 'avg,med,p(95),p(99),max', '--summary-export', join(dir, 's.json'), '-e', `URL=${url}`, join(here, 'engine-scale-script.js')]);
  const child = spawn(cmd[0], cmd.slice(1), { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const t0 = performance.now();
  const samples: number[] = [];
  const timer = setInterval(() => {
    if (performance.now() - t0 < (seconds * 1000) / 2) return;
    try {
      // the whole process: main thread and worker threads share it
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) samples.push(Number(m[1]));
    } catch {}
  }, 250);
  await new Promise((r) => child.on('close', r));
  clearInterval(timer);
  samples.sort((a, b) => a - b);
  const metrics = (JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as { metrics: Record<string, Record<string, number>> }).metrics;
  rmSync(dir, { recursive: true, force: true });
  return { rssKb: samples[Math.floor(samples.length / 2)] ?? 0, metrics };
}

console.log(`engine scale benchmark: node ${process.version}, ${cpus().length} cores, load average ${load()}`);
const servers = cServers();
try {
  // 1. start-up. A throwaway run first: a checkout's first spawn builds and caches its engine
  // bundle (engine/build/app-bundle.js), which is not start-up a user sees twice.
  const oneVu = aetos(['-q', '--no-summary', '-u', '1', '-i', '1', '-e', 'SLEEP=0', join(here, 'engine-scale-script.js')]);
  await firstRequestMs(oneVu);
  console.log('\nstart-up: spawn → first request at the server');
  const one = await firstRequestMs(oneVu);
  const thousand = await firstRequestMs(aetos(['-q', '--no-summary', '-u', '1000', '-d', '2s', '-e', 'SLEEP=1', join(here, 'engine-scale-script.js')]));
  const peer = await firstRequestMs([join(root, 'node_modules/.bin/autocannon'), '-c', '1', '-a', '1', '{URL}']);
  console.log(`  aetos run, 1 VU      ${one.ms.toFixed(0)} ms   (goal ≤ 300)   / autocannon ${(one.ms / peer.ms).toFixed(2)} ×`);
  console.log(`  aetos run, 1,000 VUs ${thousand.ms.toFixed(0)} ms   (goal ≤ 500)   / autocannon ${(thousand.ms / peer.ms).toFixed(2)} ×`);
  console.log(`  autocannon -c 1      ${peer.ms.toFixed(0)} ms`);

  // 2. first-iteration accuracy
  const slow = await servers.start(50);
  const dir = mkdtempSync(join(tmpdir(), 'aetos-scale-'));
  const out = join(dir, 'points.json');
  await firstRequestMs(aetos(['-q', '--no-summary', '--out', `json=${out}`, '-e', `URL=${slow}`, '-e', 'SLEEP=0.1', '--vus', '10', '--iterations', '30', join(here, 'engine-scale-script.js')]));
  const points = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; metric: string; data: { time: string; value: number } })
    .filter((p) => p.type === 'Point' && p.metric === 'http_req_duration')
    .sort((a, b) => Date.parse(a.data.time) - Date.parse(b.data.time));
  rmSync(dir, { recursive: true, force: true });
  const firsts = points.slice(0, 10).map((p) => p.data.value);
  const later = points.slice(10).map((p) => p.data.value);
  const inBand = (xs: number[]) => xs.filter((v) => v >= 50 && v <= 60).length;
  console.log(`\nfirst-iteration accuracy, 10 VUs against a 50 ms server (load average ${load()})`);
  console.log(`  first requests: max ${Math.max(...firsts).toFixed(2)} ms, ${inBand(firsts)}/${firsts.length} within 50–60 ms`);
  console.log(`  later requests: max ${Math.max(...later).toFixed(2)} ms, ${inBand(later)}/${later.length} within 50–60 ms`);

  // 3. active VUs (--no-active: only the two figures above, e.g. beside a CPU hog)
  if (!noActive) {
    const fast = await servers.start();
    console.log(`\nactive VUs (http.get + sleep(1)) against the C server, ${seconds} s each`);
    const runs: [number, Awaited<ReturnType<typeof activeRun>>][] = [];
    for (const vus of [1000, 10_000]) {
      const stolen = stealMeter();
      const r = await activeRun(fast, vus);
      const stolenCores = stolen();
      runs.push([vus, r]);
      const iter = r.metrics.iteration_duration?.avg ?? Number.NaN;
      // each VU's ideal iteration is its 1 s sleep plus a sub-ms request
      console.log(
        `  ${vus.toLocaleString('en-US').padStart(6)} VUs: rate ${((1000 / iter) * 100).toFixed(1)} % of ideal (iteration ${iter.toFixed(1)} ms), ` +
          `p95 ${r.metrics.http_req_duration?.['p(95)']?.toFixed(2)} ms, RSS ${(r.rssKb / 1024).toFixed(0)} MB, load average ${load()}` +
          (stolenCores >= DISTURBED_CORES ? `; the host took ${stolenCores.toFixed(2)} cores meanwhile (bench/host-steal.ts)` : ''),
      );
      console.log(`         ${generatorVerdict((m) => r.metrics[m])?.message ?? 'the load generator was not saturated'}`);
    }
    const [[, k1], [, k10]] = runs as [[number, Awaited<ReturnType<typeof activeRun>>], [number, Awaited<ReturnType<typeof activeRun>>]];
    console.log(`  RSS per active VU, 1,000 → 10,000: ${((k10.rssKb - k1.rssKb) / 9000).toFixed(1)} KB (goal ≤ 32)`);
    console.log(`  p95 at 10,000 − p95 at 1,000: ${((k10.metrics.http_req_duration?.['p(95)'] ?? 0) - (k1.metrics.http_req_duration?.['p(95)'] ?? 0)).toFixed(2)} ms (goal ≤ 5)`);
  }
} finally {
  servers.close();
}
