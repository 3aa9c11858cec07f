/**
 * Heap held per sleeping VU, by what holds it: the state a VU of the `http.get` + `sleep(1)` script
 * keeps across its sleep. At 10,000 such VUs a worker's young generation is scavenged every few
 * hundred milliseconds; whatever a sleeping VU holds is copied by each scavenge and then promoted,
 * so these bytes, not the garbage, set the GC cost of many active VUs (issue 21). Counts bytes,
 * not time, so it gives the same figure on a busy machine.
 *   npx tsx bench/sleep-held.ts [--vus 2000] [--top 20]
 * (runs itself as a bundle, as the engine's worker threads do: bench/bundled.ts)
 *
 * The whole in-thread chain of a worker: a real Instance (engine/runner/instance.ts) with its
 * constant-vus executor, VUs, k6/http and the metrics collector, against the C server
 * (bench/http-server.c). Heap snapshots before the VUs exist, while they sleep in their third
 * iteration, and after the scenario ended (the same VUs idle, their connections still open).
 * Printed per VU, grouped by V8's node type and name: asleep − idle, what a sleeping iteration
 * holds; and idle − before, what a VU with its connection costs for the whole test.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeScenarios } from '../engine/executors/index.ts';
import { parseSegment } from '../engine/execution/segment.ts';
import { createLogger } from '../engine/log.ts';
import { loadScript } from '../engine/loader/index.ts';
import { createCollector } from '../engine/runner/metrics-bridge.ts';
import { Instance } from '../engine/runner/instance.ts';
import { cServers } from './c-server.ts';
import { readFlags } from './args.ts';
import { runBundled } from './bundled.ts';

await runBundled(import.meta.filename, ['--expose-gc']);

const { vus: n, top, seconds } = readFlags({ vus: 2000, top: 20, seconds: 3 });
type Heap = Map<string, { size: number; count: number }>;

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Self size by "type name" of every live node, from a heap snapshot, written to a file: a table
 * kept in memory would be counted in the next snapshot (its keys are strings on this heap).
 */
async function heapBySite(session: Session, file: string): Promise<void> {
  gc?.();
  gc?.();
  const chunks: string[] = [];
  const onChunk = (m: { params: { chunk: string } }) => chunks.push(m.params.chunk);
  session.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  session.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  const snap = JSON.parse(chunks.join('')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const out = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType]!]!;
    let name = snap.strings[snap.nodes[i + iName]!]!;
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '';
    const key = `${type} ${name.slice(0, 60)}`;
    const e = out.get(key) ?? { size: 0, count: 0 };
    e.size += snap.nodes[i + iSize]!;
    e.count++;
    out.set(key, e);
  }
  writeFileSync(file, JSON.stringify([...out]));
}

function readHeap(file: string): Heap {
  return new Map(JSON.parse(readFileSync(file, 'utf8')) as [string, { size: number; count: number }][]);
}

/** Prints `to − from` per VU: the total and the biggest rows. */
function printDiff(title: string, from: Heap, to: Heap): void {
  const rows: [string, number, number][] = [];
  let total = 0;
  for (const [key, b] of to) {
    const a = from.get(key) ?? { size: 0, count: 0 };
    rows.push([key, b.size - a.size, b.count - a.count]);
    total += b.size - a.size;
  }
  for (const [key, a] of from) {
    if (to.has(key)) continue;
    rows.push([key, -a.size, -a.count]);
    total -= a.size;
  }
  console.log(`${title}: ${(total / n).toFixed(0)} B per VU`);
  for (const [key, size, count] of rows.sort((x, y) => Math.abs(y[1]) - Math.abs(x[1])).slice(0, top)) {
    console.log(`${(size / n).toFixed(0).padStart(7)} B ${(count / n).toFixed(2).padStart(6)} objects  ${key}`);
  }
}

const servers = cServers();
const dir = mkdtempSync(join(tmpdir(), 'aetos-sleep-held-'));
const [before, asleep, idle] = ['before', 'asleep', 'idle'].map((name) => join(dir, `${name}.json`)) as [string, string, string];
try {
  const url = await servers.start();
  const script = await loadScript(new URL('./engine-scale-script.js', import.meta.url).pathname);
  const session = new Session();
  session.connect();
  const sink = createCollector();
  const log = createLogger({ level: 'warning' });
  await heapBySite(session, before);
  const instance = new Instance({
    script,
    options: {},
    env: { URL: url },
    scenarios: normalizeScenarios({ vus: n, duration: `${seconds}s` }),
    segment: parseSegment(),
    idOffset: 0,
    vuOffset: 0,
    sink,
    log,
    events: { abort() {}, fail() {} },
  });
  await instance.init();
  const ran = instance.run(Date.now(), undefined);
  // A request takes well under a millisecond, so at any moment nearly every VU is asleep.
  await new Promise((r) => setTimeout(r, seconds * 1000 - 500));
  await heapBySite(session, asleep);
  const active = instance.stats().vusActive;
  await ran;
  await heapBySite(session, idle);
  const stats = instance.stats();
  session.disconnect();
  await instance.close();
  console.log(`${n} VUs of http.get + sleep(1), ${active} in an iteration at the first snapshot, ${stats.iterationsCompleted} iterations in all (node ${process.version})`);
  printDiff('held across a sleep (asleep − idle)', readHeap(idle), readHeap(asleep));
  printDiff('\nan idle VU with its connection (idle − before the VUs)', readHeap(before), readHeap(idle));
} finally {
  servers.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
