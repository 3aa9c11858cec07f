/**
 * The embedded target's user-space instructions per cached read, counted rather than timed:
 *   npx tsx bench/target-instructions.ts [--warm 60] [--seconds 15] [--runs 3] [--passes 2] [--node-flags=--predictable] [--peers 0] [--baseline <checkout>]
 *
 * bench/target-logging.ts times the target with wrk; on this VM the same build moved ±30 % between
 * runs, and one process read 13k req/s in both of its rounds where the next made 24k, so a change
 * worth 10 % of a request cannot be seen that way. Here each server runs under valgrind's
 * callgrind with instrumentation off (it starts in ~20 s), is warmed by wrk for --warm seconds,
 * then counted --runs times: `callgrind_control -z` zeroes the counters, `wrk -t1 -c10` runs
 * --seconds, `callgrind_control -d` dumps them, and the dump's total over wrk's request count is the
 * instructions per request (the kernel's share, the same per request for every server, is not
 * counted). From each total go V8's compilers (still busy minutes after the warm-up) and its full
 * (mark-compact) collections, which land in one run of three and add ~8k per request to it: they are
 * printed apart, amortised over every counted request of the server. The servers
 * run node with --predictable (see nodeFlags), one alive at a time:
 * - the target of this checkout with its default (sampled) request log to a file, the in-process
 *   cache, rate limit off: the configuration of issue 21's ≥ 25k req/s goal, but on Postgres
 *   (--database, default $DATABASE_TEST_URL or the local server; a schema of its own, dropped after);
 * - with --baseline, another checkout's target, the same way (before/after);
 * - the fastify floor (bench/fastify-floor-server.js: fastify, the one route, nothing else) and a bare
 *   node:http server (bench/bare-node-server.js), both sending the same body: `target − floor` is
 *   what the target's own hooks, logger, auth, cache and metrics cost.
 * The result is the median of each server's runs.
 * Not part of `npm run bench` (~20 minutes with the peers, ~10 without).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFlags } from './args.ts';
import { lastJsonLine } from './json-line.ts';
import { userToken } from './target-login.ts';

const here = import.meta.dirname;
const root = join(here, '..');
const flags = readFlags({
  warm: 60,
  peers: 1,
  seconds: 15,
  runs: 3,
  passes: 2,
  'node-flags': '--predictable',
  baseline: undefined,
  // Postgres, not the default PGlite: PGlite's heap is large, and one full GC of it lands in a
  // counted run as tens of thousands of instructions per request. The cached read never reaches it.
  database: process.env.DATABASE_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
});
const { warm: warmSeconds, seconds, runs, passes, baseline, database: databaseUrl } = flags;
const peers = flags.peers !== 0;
/**
 * Flags for every server's node (space-separated; `--node-flags=--predictable`, as its value starts
 * with a dash). V8's --predictable by default: without it two processes of one build counted 95k
 * and 135k instructions per request (its JIT and GC race their background threads, and a process
 * keeps what its race decided); with it, 94–96k, twice.
 */
const nodeFlags = flags['node-flags'].split(' ').filter(Boolean);
/** One schema per target, dropped at the end. */
const schemas: string[] = [];

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
  execFileSync('wrk', ['--version'], { stdio: 'ignore' });
} catch (e) {
  // wrk --version exits 1 after printing its version: only a missing binary is an error
  if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
    console.error('bench/target-instructions.ts: needs valgrind and wrk (apt-get install -y valgrind wrk)');
    process.exit(2);
  }
}

const work = mkdtempSync(join(tmpdir(), 'aetos-target-instructions-'));

interface Server {
  name: string;
  child: ChildProcess;
  /** Where its callgrind dumps go. */
  dir: string;
  url: string;
  /** A bearer token for the targets; '' for the peers (they check none). */
  token: string;
}
const servers: Server[] = [];

/** Starts `node args` under callgrind (instrumentation off); resolves once `listening` finds its URL on stdout. */
function start(name: string, args: string[], env: Record<string, string>, listening: (out: string) => string | undefined): Promise<Server> {
  const dir = mkdtempSync(join(work, 'server-'));
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--trace-children=no', `--callgrind-out-file=${join(dir, 'callgrind.%p')}`, process.execPath, ...nodeFlags, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const server: Server = { name, child, dir, url: '', token: '' };
  servers.push(server);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err = (err + d).slice(-2000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no URL on its stdout within 300 s\n${err}`)), 300_000);
    child.once('exit', (code) => reject(new Error(`${name}: exited ${code} before listening\n${err}`)));
    child.stdout!.on('data', (d) => {
      if (server.url) return;
      out += d;
      const url = listening(out);
      if (!url) return;
      clearTimeout(timer);
      server.url = url;
      resolve(server);
    });
  });
}

/** A target checkout's `aetos-load target`, default log to a file, rate limit off; logs in. */
async function startTarget(name: string, checkout: string): Promise<Server> {
  const log = join(work, `${name.replace(/\W+/g, '-')}.log`);
  const schema = `bench_instructions_${process.pid}_${servers.length}`;
  schemas.push(schema);
  const env = { RATE_LIMIT_PER_MINUTE: '0', DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema };
  const s = await start(name, [join(checkout, 'bin/aetos-load.js'), 'target', '--port', '0', '--log', log, '--exit-with-parent'], env, (out) => /AetosWMS target listening on (http:\/\/\S+)/.exec(out)?.[1]);
  s.token = await userToken(s.url);
  return s;
}

/** A peer of bench/ that prints its port as its first line and serves until stdin closes. */
const startPeer = (name: string, file: string) => start(name, [join(here, file)], {}, (out) => (/^(\d+)\n/.exec(out) ? `http://127.0.0.1:${/^(\d+)/.exec(out)![1]}` : undefined));

/** wrk -t1 -c10 on the cached read for `secs`; the requests it completed (none may fail in a counted run). */
function wrk(s: Server, secs: number, counted = true): number {
  // a generous timeout: the first requests after instrumentation is turned on wait for valgrind to translate the code again
  const args = ['-t', '1', '-c', '10', '-d', `${secs}s`, '--timeout', '20s', '-s', join(here, 'http-wrk-report.lua')];
  if (s.token) args.push('-H', `authorization: Bearer ${s.token}`);
  const out = execFileSync('wrk', [...args, `${s.url}/api/inventory/SKU-000001`], { encoding: 'utf8' });
  const j = lastJsonLine<{ requests: number; errors: number }>(out);
  if (counted && j.errors > 0) throw new Error(`${s.name}: ${j.errors} wrk errors (not a clean count)`);
  return j.requests;
}

const control = (s: Server, ...args: string[]) => execFileSync('callgrind_control', [...args, String(s.child.pid)], { stdio: 'ignore' });

/** The newest dump in the server's folder (callgrind numbers its dumps .1, .2, …). */
function lastDump(s: Server): string {
  const dumps = readdirSync(s.dir)
    .map((f) => /^callgrind\.\d+\.(\d+)$/.exec(f))
    .filter((m) => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]));
  const last = dumps.at(-1);
  if (!last) throw new Error(`${s.name}: callgrind wrote no dump`);
  return join(s.dir, last[0]);
}

/** V8's full collections: marking (main-thread under --predictable), evacuation, slot updates. */
const fullGcFunction = /v8::internal::(MarkCompactCollector|MarkingVisitorBase|MainMarkingVisitor|BodyDescriptorBase::Iterate\w*Pointers<v8::internal::(MainMarkingVisitor|RecordMigratedSlotVisitor)|RecordMigratedSlotVisitor|LiveObjectRange|EvacuateVisitorBase|EvacuateNewSpaceVisitor|EvacuateOldSpaceVisitor|\(anonymous namespace\)::RememberedSetUpdatingItem|Sweeper|IncrementalMarking|MarkingBarrier)\b/;

/**
 * A dump's instructions: all, those of V8's compilers (TurboFan, Maglev, Sparkplug, the parser
 * and bytecode generator) and those of its full collections, from callgrind_annotate's
 * per-function list. A full collection marks the whole heap: one in a 10 s run added 82M
 * instructions to it (7k per request) beside a run without one, so the runs read 95k and 103k where
 * the scavenges, which follow the garbage of each request, stay in every run. The compilers still run for
 * a minute of instrumented requests after the warm-up, and their share moved a count by up to 30 %
 * between runs (bench/RESULTS.md): a cost of the first minutes, not of a request.
 */
function instructions(file: string): { total: number; compiler: number; fullGc: number } {
  const out = execFileSync('callgrind_annotate', ['--threshold=100', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  let total = 0;
  let compiler = 0;
  let fullGc = 0;
  for (const line of out.split('\n')) {
    const m = /^\s*([\d,]+) \([^)]*\)\s+(.*)$/.exec(line);
    if (!m) continue;
    const n = Number(m[1].replaceAll(',', ''));
    if (m[2].startsWith('PROGRAM TOTALS')) total = n;
    else if (/v8::internal::(compiler|maglev|baseline|interpreter::BytecodeGenerator|Parser|Scanner)\b/.test(m[2])) compiler += n;
    else if (fullGcFunction.test(m[2])) fullGc += n;
  }
  if (total === 0) throw new Error(`no PROGRAM TOTALS in ${file}`);
  return { total, compiler, fullGc };
}

/** Zeroes the counters, runs `work`, dumps them: the instructions counted between. */
function counted(s: Server, work: () => void): ReturnType<typeof instructions> {
  control(s, '-z');
  work();
  control(s, '-d');
  return instructions(lastDump(s));
}

/** One server's counted runs: instructions per request of each, and its full collections over all of them. */
interface Tally {
  perRequest: number[];
  fullGc: number;
  requests: number;
}

/**
 * One counted run of `s`: its instructions per request, V8's compilers and full collections left
 * out. Instrumented only for the run, and 5 s before it (not counted) while valgrind translates the
 * code again.
 */
function countRun(s: Server, tally: Tally): void {
  control(s, '-i', 'on');
  wrk(s, 5, false);
  let requests = 0;
  const { total, compiler, fullGc } = counted(s, () => {
    requests = wrk(s, seconds);
  });
  control(s, '-i', 'off');
  const own = total - compiler - fullGc;
  tally.perRequest.push(own / requests);
  tally.fullGc += fullGc;
  tally.requests += requests;
  const f = (n: number) => Math.round(n / requests).toLocaleString('en-US').padStart(7);
  console.log(
    `${s.name.padEnd(28)} run ${tally.perRequest.length}: ${String(requests).padStart(6)} requests, ${f(own)} instructions per request (+${f(compiler)} in V8's compilers, +${f(fullGc)} in full collections)`,
  );
}

/** Whether the server's process is still running (a killed one has a signal and no exit code). */
const running = (s: Server) => s.child.exitCode === null && s.child.signalCode === null;

/**
 * Stops one server: SIGTERM, so a target closes and removes its upload folder, then SIGKILL after
 * 20 s (its callgrind files go with the work folder at the end).
 */
async function stop(s: Server): Promise<void> {
  if (!running(s)) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  const kill = setTimeout(() => s.child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(kill);
}

async function stopAll(): Promise<void> {
  await Promise.all(servers.map(stop));
  rmSync(work, { recursive: true, force: true });
  if (schemas.length === 0) return;
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  for (const schema of schemas) await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, async () => {
    await stopAll();
    console.error(`bench/target-instructions.ts: stopped by ${signal}; nothing counted is kept`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};
try {
  console.log(`user-space instructions per cached GET /api/inventory/:sku under callgrind: wrk -t1 -c10, warmed ${warmSeconds} s, ${runs} counted runs of ${seconds} s; node ${process.version}`);
  // One server alive at a time: started, warmed, counted, stopped. A server left idle for minutes
  // while another was counted came back with its JIT's work undone (a compile storm, then 30 % more
  // instructions per request than its twin counted first, whichever checkout it was). The servers
  // go in the order A B … then … B A (--passes 2), so none is always first or last.
  const kinds: [string, () => Promise<Server>][] = [
    ['target (default log)', () => startTarget('target (default log)', root)],
    ...(baseline ? [['baseline (default log)', () => startTarget('baseline (default log)', baseline)] as [string, () => Promise<Server>]] : []),
    ...(peers
      ? ([
          ['fastify floor (peer)', () => startPeer('fastify floor (peer)', 'fastify-floor-server.js')],
          ['bare node:http (peer)', () => startPeer('bare node:http (peer)', 'bare-node-server.js')],
        ] as [string, () => Promise<Server>][])
      : []),
  ];
  const counts = new Map<string, Tally>(kinds.map(([name]) => [name, { perRequest: [], fullGc: 0, requests: 0 }]));
  for (let pass = 0; pass < passes; pass++) {
    for (const [name, start] of pass % 2 === 0 ? kinds : [...kinds].reverse()) {
      const s = await start();
      // warmed at full speed (the JIT compiles the request path after so many calls, not seconds)
      console.log(`${name.padEnd(28)} warmed by ${wrk(s, warmSeconds, false)} requests`);
      for (let r = 1; r <= runs; r++) countRun(s, counts.get(name)!);
      await stop(s);
    }
  }
  const per = new Map([...counts].map(([name, c]) => [name, median(c.perRequest)]));
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const target = per.get('target (default log)')!;
  const floor = per.get('fastify floor (peer)');
  const bare = per.get('bare node:http (peer)');
  console.log(`\nmedian instructions per request (V8's compilers and full collections left out): ${[...per].map(([n, v]) => `${n} ${fmt(v)}`).join(', ')}`);
  console.log(`full collections, spread over every counted request: ${[...counts].map(([n, c]) => `${n} ${fmt(c.fullGc / c.requests)}`).join(', ')}`);
  if (floor !== undefined && bare !== undefined)
    console.log(`target − fastify floor = ${fmt(target - floor)} (what the target's own code costs); target / floor = ${(target / floor).toFixed(2)}; target / bare = ${(target / bare).toFixed(2)}`);
  const base = per.get('baseline (default log)');
  if (base !== undefined) console.log(`target / baseline = ${(target / base).toFixed(2)} ×${floor === undefined ? '' : `; of the target's own part (above the floor): ${((target - floor) / (base - floor)).toFixed(2)} ×`}`);
} finally {
  await stopAll();
}
