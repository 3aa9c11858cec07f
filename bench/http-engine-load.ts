/**
 * The engine side of the k6/http benchmark: N VUs, each a loop of iterations doing
 * `http.get(URL)`, for D seconds, driving engine/modules/http directly through a VuContext that
 * does what the real VU does per sample (merge its tags, aggregate). Prints one JSON line:
 * requests, errors, CPU seconds, and http_req_duration percentiles.
 *   npx tsx bench/http-engine-load.ts URL VUS SECONDS
 */
import './args.ts'; // first: --help prints this file's opening comment before anything loads
import { httpModule } from '../engine/modules/http/index.ts';
import { createLogger } from '../engine/log.ts';
import type { Tags, VuContext, VuPhase } from '../engine/types.ts';

const [url = 'http://127.0.0.1:8080/', vusArg = '50', secsArg = '10'] = process.argv.slice(2);
const vus = Number(vusArg);
const secs = Number(secsArg);
/** BENCH_MERGE=0: skip the per-sample tag merge the real VU does (to see the module's own cost). */
const MERGE = process.env.BENCH_MERGE !== '0';

/** Per-metric aggregate, as a constant-memory sink keeps it; durations kept for percentiles. */
const agg = new Map<string, { count: number; sum: number }>();
const durations: number[] = [];
let errors = 0;

function makeVu(id: number): VuContext & { fire(e: string): Promise<void>; newIteration(): void } {
  const hooks: Record<string, (() => void | Promise<void>)[]> = { iterationStart: [], iterationEnd: [], close: [] };
  let controller = new AbortController();
  const vuTags: Tags = { scenario: 'default' };
  const log = createLogger({ level: 'warning' });
  let lastTags: Tags | undefined;
  let lastGroup = '';
  let lastMerged: Tags = {};
  const vu = {
    idInInstance: id,
    idInTest: id,
    phase: 'iteration' as VuPhase,
    env: {},
    options: Object.freeze({}),
    scriptPath: '',
    tags: vuTags,
    setTag() {
      throw new Error('the http benchmark VU has fixed tags');
    },
    deleteTag() {
      throw new Error('the http benchmark VU has fixed tags');
    },
    groupPath: '',
    iterationInInstance: 0,
    iterationInScenario: 0,
    scenario: null,
    instance: { iterationsInterrupted: 0, iterationsCompleted: 0, vusActive: vus, vusInitialized: vus, currentTestRunDuration: 0 },
    test: { abort: () => { throw new Error('abort'); }, fail: () => {} },
    get signal() {
      return controller.signal;
    },
    interruption: null,
    onInterrupt() {},
    log,
    emit(metric: string, value: number, tags?: Tags, _time?: number) {
      // The VU merges its tags under the call's. k6/http passes one tags object for all samples of
      // a request, so a VU that caches the last merge does it once per request, not nine times.
      let merged = tags;
      if (MERGE) {
        if (tags !== lastTags || vu.groupPath !== lastGroup) {
          lastTags = tags;
          lastGroup = vu.groupPath;
          lastMerged = Object.assign({}, vuTags, { group: vu.groupPath }, tags); // not {...a, ...b}: V8 spreads these ~30× slower
        }
        merged = lastMerged;
      }
      let a = agg.get(metric);
      if (!a) agg.set(metric, (a = { count: 0, sum: 0 }));
      a.count++;
      a.sum += value;
      if (metric === 'http_req_duration') durations.push(value);
      else if (metric === 'http_req_failed' && value === 1) errors++;
      void merged;
    },
    emitMany(metrics: readonly string[], values: readonly number[], tags?: Tags, time?: number) {
      for (let i = 0; i < values.length; i++) this.emit(metrics[i]!, values[i]!, tags, time);
    },
    define() {},
    track<T>(p: Promise<T>) {
      return p;
    },
    on(e: 'iterationStart' | 'iterationEnd' | 'close', fn: () => void | Promise<void>) {
      hooks[e]!.push(fn);
    },
    async fire(e: string) {
      for (const h of hooks[e]!) await h();
    },
    newIteration() {
      if (controller.signal.aborted) controller = new AbortController();
    },
    math: Math,
    timers() {
      throw new Error('the http benchmark VU has no timers');
    },
    sleep() {
      throw new Error('the http benchmark VU does not sleep');
    },
  };
  return vu;
}

const pool = Array.from({ length: vus }, (_, i) => {
  const vu = makeVu(i + 1);
  return { vu, http: httpModule(vu) as { get(u: string): Promise<{ status: number }> } };
});

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const end = t0 + secs * 1000;
let iterations = 0;
await Promise.all(
  pool.map(async ({ vu, http }) => {
    while (performance.now() < end) {
      vu.newIteration();
      await vu.fire('iterationStart');
      await http.get(url);
      await vu.fire('iterationEnd');
      iterations++;
    }
  }),
);
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
for (const { vu } of pool) await vu.fire('close');
durations.sort((a, b) => a - b);
const pct = (p: number) => durations[Math.min(durations.length - 1, Math.floor((p / 100) * durations.length))] ?? 0;
console.log(
  JSON.stringify({
    requests: agg.get('http_reqs')?.count ?? 0,
    iterations,
    errors,
    seconds: elapsed,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    samples: [...agg.values()].reduce((n, a) => n + a.count, 0),
  }),
);
