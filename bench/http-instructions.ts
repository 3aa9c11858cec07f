/**
 * Instructions per request, counted rather than timed:
 *   npx tsx bench/http-instructions.ts [--short 20000] [--long 60000] [--vus 50] [--baseline <checkout>]
 *
 * On a shared or virtual machine, req/s of the same build moves ±20 % from one run to the next
 * (bench/RESULTS.md), so a change worth 5 % cannot be seen by timing. valgrind's callgrind counts
 * the user-space instructions a process executes, the same whatever else the machine does. Each
 * generator runs the `http.get` load of bench/http-throughput.ts (50 connections, the C server)
 * twice under callgrind, for --short and --long requests; the difference in instructions over the
 * difference in requests is its marginal cost per request (start-up, loading and most of the JIT's
 * work are in both runs and cancel out). Counts of requests, not durations: a timed run on a busy
 * machine spends more of its time starting, so two durations need not differ by the same work
 * (`aetos-load run -u 50 -i N`, the shared-iterations executor; `autocannon -a N`). Peers in the
 * same run: autocannon, and with --baseline another checkout's `aetos-load run` (its own
 * node_modules, so the two builds do not share a bundle cache). The kernel's share (the socket writes and reads, the same for every generator) is not
 * counted. Two counts of the same build differed by up to 18 % (41.8k–49.4k over six runs, bench/RESULTS.md):
 * compare builds counted in the same run, and count more than once.
 * Not part of `npm run bench`: under valgrind the engine makes ~1,000 requests a second (~10
 * minutes in all).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFlags } from './args.ts';
import { lastJsonLine } from './json-line.ts';
import { cServers } from './c-server.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const { short, long, vus, baseline } = readFlags({ short: 20_000, long: 60_000, vus: 50, baseline: undefined });

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('bench/http-instructions.ts: valgrind is not installed (apt-get install -y valgrind)');
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'aetos-instructions-'));
/** The generator being counted, killed with the rest on Ctrl-C. */
let current: ChildProcess | null = null;

interface Count {
  instructions: number;
  requests: number;
}

/** Runs `cmd args` under callgrind; the instructions of every process it counted, and the requests `requests()` reads afterwards. */
function counted(tag: string, cmd: string, args: string[], requests: (stdout: string) => number): Promise<Count> {
  const dir = mkdtempSync(join(work, `${tag}-`));
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', ['--tool=callgrind', '--trace-children=no', `--callgrind-out-file=${join(dir, 'callgrind.%p')}`, cmd, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    current = child;
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${tag}: exit ${code}: ${err.slice(-400)}`));
      let instructions = 0;
      for (const f of readdirSync(dir)) {
        if (!f.startsWith('callgrind.')) continue;
        const m = /^totals: (\d+)/m.exec(readFileSync(join(dir, f), 'utf8'));
        if (m) instructions += Number(m[1]);
      }
      try {
        resolve({ instructions, requests: requests(out) });
      } catch (e) {
        reject(new Error(`${tag}: cannot read its requests: ${(e as Error).message}`));
      }
    });
  });
}

/** `aetos-load run` of `checkout` for `n` requests (iterations); requests from its --summary-export. */
function engineRun(checkout: string, tag: string, url: string, n: number): Promise<Count> {
  const summary = join(work, `${tag}-${n}.json`);
  const args = [join(checkout, 'bin/aetos-load.js'), 'run', '-q', '-u', String(vus), '-i', String(n), '--summary-export', summary, '-e', `URL=${url}`, join(here, 'http-get-script.js')];
  return counted(`${tag}-${n}`, process.execPath, args, () => JSON.parse(readFileSync(summary, 'utf8')).metrics.http_reqs.count);
}

function autocannonRun(url: string, n: number): Promise<Count> {
  const bin = join(root, 'node_modules/autocannon/autocannon.js');
  return counted(`autocannon-${n}`, process.execPath, [bin, '-c', String(vus), '-a', String(n), '-j', url], (out) => {
    return lastJsonLine<{ requests: { total: number } }>(out).requests.total;
  });
}

/** Builds a checkout's app bundle (if its sources changed) outside the counted runs. */
function warm(checkout: string, url: string): void {
  execFileSync(process.execPath, [join(checkout, 'bin/aetos-load.js'), 'run', '-q', '-u', '1', '-i', '1', '-e', `URL=${url}`, join(here, 'http-get-script.js')], { stdio: 'ignore' });
}

async function marginal(name: string, run: (requests: number) => Promise<Count>): Promise<number> {
  const a = await run(short);
  const b = await run(long);
  const per = (b.instructions - a.instructions) / (b.requests - a.requests);
  console.log(
    `${name.padEnd(22)} ${a.requests} req: ${(a.instructions / 1e9).toFixed(2)} G instr   ${b.requests} req: ${(b.instructions / 1e9).toFixed(2)} G instr   → ${Math.round(per).toLocaleString('en-US')} instructions per request`,
  );
  return per;
}

const servers = cServers();
// Ctrl-C (or a kill) mid-count: the generator, the server, its binary and the count files go too.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    current?.kill('SIGKILL');
    servers.close();
    rmSync(work, { recursive: true, force: true });
    console.error(`bench/http-instructions.ts: stopped by ${signal}; nothing counted is kept`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
try {
  const url = await servers.start();
  console.log(`instructions per request under callgrind: ${vus} connections, runs of ${short} and ${long} requests, C server; node ${process.version}`);
  warm(root, url);
  const mine = await marginal('aetos run', (n) => engineRun(root, 'aetos', url, n));
  let base: number | undefined;
  if (baseline) {
    warm(baseline, url);
    base = await marginal('aetos run (baseline)', (n) => engineRun(baseline, 'baseline', url, n));
  }
  const ac = await marginal('autocannon', (n) => autocannonRun(url, n));
  console.log(`aetos run / autocannon = ${(mine / ac).toFixed(2)} × the user-space instructions per request (the kernel's share, the same per request for both, is not counted)`);
  if (base !== undefined) console.log(`aetos run / baseline = ${(mine / base).toFixed(2)} ×`);
} finally {
  servers.close();
  rmSync(work, { recursive: true, force: true });
}
