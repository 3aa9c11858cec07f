/**
 * Memory per VU and time to first iteration (issue 3 benchmark): N VUs of a constant-vus script
 * that sleeps, all inside their first iteration's sleep when memory is measured.
 *   node --expose-gc --import tsx bench/vu-memory.ts 1000 [script]
 * Prints RSS and heap deltas per VU and the time from start to every VU's first iteration start.
 */
import './args.ts'; // first: --help prints this file's opening comment before anything loads
import path from 'node:path';
import { createLogger } from '../engine/log.ts';
import { loadScript } from '../engine/loader/index.ts';
import type { MetricSink, ScenarioInfo } from '../engine/types.ts';
import { createVu, type Vu } from '../engine/vu/index.ts';

const n = Number(process.argv[2] ?? 1000);
const file = path.resolve(process.argv[3] ?? 'test/fixtures/scripts/sleeping-vus.js');
const gc = (globalThis as { gc?: () => void }).gc;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
};

let samples = 0;
const sink: MetricSink = { define() {}, add() { samples++; } };
const log = createLogger({ level: 'warning' });
const scenario: ScenarioInfo = { name: 'default', executor: 'constant-vus', startTime: Date.now(), progress: () => 0, iterationInInstance: 0, iterationInTest: 0 };
const instance = { iterationsInterrupted: 0, iterationsCompleted: 0, vusActive: n, vusInitialized: n, currentTestRunDuration: 0 };
const test = { abort(): never { throw new Error('abort'); }, fail() {} };

const script = await loadScript(file);
await settle();
const before = process.memoryUsage();
const t0 = performance.now();
const vus: Vu[] = [];
let started = 0;
let firstIterationsAt = 0;
const running: Promise<unknown>[] = [];
for (let id = 1; id <= n; id++) {
  const vu = await createVu(script, { idInInstance: id, idInTest: id, env: {}, options: {}, sink, log, instance: () => instance, test });
  vus.push(vu);
  vu.context.on('iterationStart', () => {
    if (++started === n) firstIterationsAt = performance.now() - t0;
  });
  running.push(vu.runIteration({ exec: 'default', scenario, iterationInScenario: 0, tags: {}, data: undefined }));
}
const initMs = performance.now() - t0;
await settle();
const during = process.memoryUsage();
const perVu = (k: 'rss' | 'heapUsed') => ((during[k] - before[k]) / n / 1024).toFixed(1);
console.log(
  JSON.stringify({
    vus: n,
    rssPerVuKB: Number(perVu('rss')),
    heapPerVuKB: Number(perVu('heapUsed')),
    initAllMs: Math.round(initMs),
    allFirstIterationsStartedMs: Math.round(firstIterationsAt),
    rssTotalMB: Math.round(during.rss / 1048576),
  }),
);
for (const vu of vus) vu.interrupt('signal');
await Promise.all(running);
for (const vu of vus) await vu.close();
