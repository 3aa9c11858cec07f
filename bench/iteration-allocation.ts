/**
 * Bytes allocated per iteration of the `http.get` script, by allocating function: the garbage a VU
 * makes per request, which sets how often the worker's young generation is collected and how much
 * of an active VU's sleep-spanning state gets promoted (issue 21). Counts bytes, not time, so it
 * gives the same figure on a busy machine.
 *   npx tsx bench/iteration-allocation.ts [--vus 50] [--iterations 20000] [--top 25] [--sleep 0]
 * (--sleep S: each iteration also sleeps S seconds, as the active-VU script of bench/engine-scale.ts does)
 * --survivors: only the bytes that outlived the young generation (promoted to the old one, dead or
 *   alive by the end, or still young and alive): what each iteration adds to the scavenges' copying
 *   and to the old generation's garbage. E.g. --vus 2000 --sleep 1 --iterations 10000 --survivors,
 *   near the 10,000-VU run of bench/engine-scale.ts.
 *
 * Real VUs (engine/vu) with the worker's metrics collector, drained every 5,000 iterations (a
 * worker at 10,000 it/s drains every 500 ms), against the C server (bench/http-server.c).
 * V8's sampling heap profiler, every 256 bytes, counting objects the GC has already collected.
 * It runs itself as a bundle, as the engine's worker threads do (bench/bundled.ts), with
 * --no-turbo-inlining, which keeps inlined callees under their own names.
 */
import { Session } from 'node:inspector/promises';
import { createLogger } from '../engine/log.ts';
import { loadScript } from '../engine/loader/index.ts';
import { createCollector } from '../engine/runner/metrics-bridge.ts';
import type { ScenarioInfo } from '../engine/types.ts';
import { createVu, type Vu } from '../engine/vu/index.ts';
import { cServers } from './c-server.ts';
import { readFlags } from './args.ts';
import { runBundled } from './bundled.ts';

await runBundled(import.meta.filename, ['--no-turbo-inlining']);

const { vus: n, iterations, top, sleep, survivors } = readFlags({ vus: 50, iterations: 20_000, top: 25, sleep: 0, survivors: false });

interface ProfileNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: ProfileNode[];
}

const servers = cServers();
try {
  const url = await servers.start();
  const sink = createCollector([], false, false);
  const log = createLogger({ level: 'warning' });
  const scenario: ScenarioInfo = { name: 'default', executor: 'constant-vus', startTime: Date.now(), progress: () => 0, iterationInInstance: 0, iterationInTest: 0 };
  const instance = { iterationsInterrupted: 0, iterationsCompleted: 0, vusActive: n, vusInitialized: n, currentTestRunDuration: 0 };
  const test = { abort(): never { throw new Error('abort'); }, fail() {} };
  const script = await loadScript(new URL('./engine-scale-script.js', import.meta.url).pathname);
  const vus: Vu[] = [];
  for (let id = 1; id <= n; id++) {
    vus.push(await createVu(script, { idInInstance: id, idInTest: id, env: { URL: url, SLEEP: String(sleep) }, options: {}, sink, log, instance: () => instance, test }));
  }
  let started = 0;
  const run = (total: number) =>
    Promise.all(
      vus.map(async (vu) => {
        while (started < total) {
          if (++started % 5000 === 0) sink.drain();
          await vu.runIteration({ exec: 'default', scenario, iterationInScenario: started, tags: {}, data: undefined });
        }
      }),
    );
  await run(5000); // warm-up: JIT, connections, histogram chunks
  started = 0;
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !survivors } as never);
  await run(iterations);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
  session.disconnect();
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: ProfileNode) => {
    const { functionName, url: file } = node.callFrame;
    // the bundle's files by their chunk's name (http-….js is k6/http; the bench's own file holds the engine's core)
    const where = file.replace(/^.*\/app-[0-9a-f]+\//, 'bundle:').replace(/^.*node_modules\//, '');
    const key = `${functionName || '(anonymous)'}  ${where}`;
    bySite.set(key, (bySite.get(key) ?? 0) + node.selfSize);
    total += node.selfSize;
    for (const c of node.children) walk(c);
  };
  walk(profile.head);
  console.log(`${n} VUs, ${iterations} iterations of http.get${sleep ? ` + sleep(${sleep})` : ''}: ${(total / iterations).toFixed(0)} bytes ${survivors ? 'outliving the young generation' : 'allocated'} per iteration (node ${process.version})`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(bytes / iterations).toFixed(0).padStart(7)} B  ${site}`);
} finally {
  servers.close();
}
process.exit(0);
