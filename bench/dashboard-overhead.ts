/**
 * What the live web dashboard (and the HTML report's recorder) costs the engine: `aetos-load run`
 * with 50 VUs doing `http.get` against the C keep-alive server (bench/http-server.c), alternating
 * four configurations per round so drift on a shared machine hits them alike:
 *   plain            no output that needs raw samples
 *   json             --out json=FILE (k6 NDJSON): what any raw-sample output costs the engine
 *                    (collectors keep every sample and workers post them to the main thread)
 *   html             --out html=FILE (samples recorded into the report's time buckets)
 *   web-dashboard    --out web-dashboard=port=0&period=2s with one SSE client connected
 * Prints req/s and req per CPU-second per run, and each configuration's ratio to the plain run of
 * the same round (and the median of those ratios): the ratio, not the absolute rate, is the result.
 *   npx tsx bench/dashboard-overhead.ts [ROUNDS=3] [SECONDS=10] [VUS=50]
 * AETOS_BASELINE_BIN=<other checkout>/bin/aetos-load.js adds `plain@baseline` and `html@baseline`:
 * that checkout's engine without outputs and with --out html in the same rounds (before/after of a
 * change, same machine state).
 */
import './args.ts'; // first: --help prints this file's opening comment before anything loads
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunRecorder } from '../report/recorder.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..');
const [rounds = 3, seconds = 10, vus = 50] = process.argv.slice(2).map(Number);
const tmp = mkdtempSync(join(tmpdir(), 'aetos-dash-bench-'));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

interface Result {
  requests: number;
  cpuSeconds: number;
}

/** One `aetos-load run` under /usr/bin/time; requests from its --summary-export. */
function runEngine(url: string, extra: string[], env: NodeJS.ProcessEnv, onStderr?: (line: string) => void, engineBin = join(root, 'bin/aetos-load.js')): Promise<Result> {
  const summary = join(tmp, `summary-${Date.now()}.json`);
  return new Promise((resolve, reject) => {
    const args = ['-f', 'CPU %U %S', process.execPath, engineBin, 'run', '-q', '-u', String(vus), '-d', `${seconds}s`, '--summary-export', summary, '-e', `URL=${url}`, ...extra, join(here, 'http-get-script.js')];
    const child = spawn('/usr/bin/time', args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      for (const line of String(d).split('\n')) if (line) onStderr?.(line);
    });
    child.on('close', (code) => {
      const m = /CPU ([\d.]+) ([\d.]+)/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`run failed (${code}): ${err.slice(-400)}`));
      const j = JSON.parse(readFileSync(summary, 'utf8')) as { metrics: { http_reqs: { count: number } } };
      resolve({ requests: j.metrics.http_reqs.count, cpuSeconds: Number(m[1]) + Number(m[2]) });
    });
  });
}

/** Connects to the dashboard's SSE stream as soon as its URL is printed, and counts the updates. */
function sseClient() {
  let updates = 0;
  let ctl: AbortController | undefined;
  return {
    onStderr(line: string) {
      const m = /web dashboard: (http:\S+)/.exec(line);
      if (!m || ctl) return;
      ctl = new AbortController();
      void fetch(`${m[1]}events`, { signal: ctl.signal })
        .then(async (res) => {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) updates += (Buffer.from(chunk).toString().match(/^data: /gm) ?? []).length;
        })
        .catch(() => {});
    },
    done() {
      ctl?.abort();
      return updates;
    },
  };
}

/**
 * The report's own share, in this process: the samples one `http.get` iteration makes (13, with
 * k6's tags) through RunRecorder.addSamples in batches of 500 iterations. While the engine ships
 * raw samples to the outputs this is the report's whole main-thread work; once the workers build
 * per-second aggregates it is the sample-fed path (tests, recorded runs), not the engine's.
 */
function recorderAlone(requests: number): number {
  const metrics = ['http_reqs', 'http_req_duration', 'http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'http_req_sending', 'http_req_waiting', 'http_req_receiving', 'http_req_failed', 'data_sent', 'data_received', 'iteration_duration', 'iterations'];
  const tags = { method: 'GET', url: 'http://127.0.0.1:1/', name: 'http://127.0.0.1:1/', status: '200', proto: 'HTTP/1.1', scenario: 'default', expected_response: 'true' };
  const recorder = new RunRecorder();
  const t0 = Date.now();
  const batch = 500;
  const start = process.hrtime.bigint();
  for (let i = 0; i < requests; i += batch) {
    const samples = [];
    for (let k = 0; k < batch; k++) {
      const time = t0 + Math.floor((i + k) / 50);
      for (const metric of metrics) samples.push({ metric, time, value: metric === 'http_req_failed' ? 0 : 1 + ((i + k) % 97), tags });
    }
    recorder.addSamples(samples);
  }
  recorder.finish();
  return Number(process.hrtime.bigint() - start) / requests;
}

const bin = join(tmpdir(), `aetos-dash-bench-server-${process.pid}`);
execFileSync('gcc', ['-O2', '-o', bin, join(here, 'http-server.c')]);
const port = await freePort();
const server: ChildProcess = spawn(bin, [String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((r) => server.stdout!.once('data', r));
const url = `http://127.0.0.1:${port}/`;
console.log(`dashboard overhead: ${vus} VUs, ${seconds} s per run, ${rounds} rounds; node ${process.version}; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const baselineBin = process.env.AETOS_BASELINE_BIN;
const results: Record<string, Result[]> = { plain: [], json: [], html: [], 'web-dashboard': [], ...(baselineBin ? { 'plain@baseline': [], 'html@baseline': [] } : {}) };
try {
  for (let r = 1; r <= rounds; r++) {
    for (const name of Object.keys(results)) {
      const client = sseClient();
      const extra = name === 'json' ? ['--out', `json=${join(tmp, 'metrics.ndjson')}`] : name.startsWith('html') ? ['--out', `html=${join(tmp, 'report.html')}`] : name === 'web-dashboard' ? ['--out', 'web-dashboard=port=0&period=2s'] : [];
      const res = await runEngine(url, extra, {}, client.onStderr, name.endsWith('@baseline') ? baselineBin : undefined);
      const updates = client.done();
      (results[name] as Result[]).push(res);
      console.log(`round ${r} ${name.padEnd(14)} ${(res.requests / seconds).toFixed(0).padStart(7)} req/s  ${(res.requests / res.cpuSeconds).toFixed(0).padStart(7)} req/CPU-s${name === 'web-dashboard' ? `  ${updates} SSE updates received` : ''}`);
    }
  }
  // Each configuration against the plain run of the same round (interleaved, so a burst of load
  // from elsewhere hits the pair alike), then the median of those per-round ratios.
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  };
  const base = results.plain as Result[];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`ratios to plain in the same round (req/s; req/CPU-s), median of ${rounds}:`);
  for (const [name, xs] of Object.entries(results)) {
    if (name === 'plain') continue;
    const rps = xs.map((x, i) => x.requests / (base[i] as Result).requests);
    const eff = xs.map((x, i) => x.requests / x.cpuSeconds / ((base[i] as Result).requests / (base[i] as Result).cpuSeconds));
    const list = (v: number[]) => v.map((r) => r.toFixed(2)).join(' ');
    console.log(`${name.padEnd(14)} throughput ${median(rps).toFixed(2)} × plain [${list(rps)}]; per CPU-second ${median(eff).toFixed(2)} × [${list(eff)}]`);
  }
  const perRequestNs = recorderAlone(500_000);
  console.log(`RunRecorder.addSamples alone: ${(perRequestNs / 1000).toFixed(2)} µs per request (13 samples; includes building the sample objects), i.e. ${((perRequestNs / 1e9) * mean(base.map((x) => x.requests / x.cpuSeconds)) * 100).toFixed(0)} % of plain's CPU per request`);
  console.log(`load average at the end ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
  rmSync(bin, { force: true });
}
