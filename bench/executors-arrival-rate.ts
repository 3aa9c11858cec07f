/**
 * How exactly the constant-arrival-rate executor keeps its schedule at high rates, on this
 * machine, with VUs that do nothing but a 1 ms timer (so the executor's own cost is measured).
 * Reports, per rate: iterations started vs planned, dropped, start lateness (median, p99, max)
 * relative to each iteration's scheduled time, and the process CPU time spent.
 *
 *   npx tsx bench/executors-arrival-rate.ts [seconds=3]
 */
import './args.ts'; // first: --help prints this file's opening comment before anything loads
import { createExecutor, normalizeScenarios } from '../engine/executors/index.ts';
import { parseSegment } from '../engine/execution/segment.ts';
import type { ExecVu, ExecutorRuntime, IterationOutcome } from '../engine/types.ts';

const seconds = Number(process.argv[2] ?? 3);

async function measure(rate: number): Promise<string> {
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const lateness: number[] = [];
  let nextId = 1;
  let dropped = 0;
  const makeVu = (): ExecVu => {
    let wake: (() => void) | null = null;
    const vu: ExecVu = {
      idInInstance: nextId++,
      startIteration: (iter) => {
        lateness.push(now() - (iter.iterationInTest * 1000) / rate);
        const end = (outcome: IterationOutcome) => iter.ended(vu, outcome);
        const t = setTimeout(() => end('completed'), 1);
        wake = () => {
          clearTimeout(t);
          end('interrupted');
        };
      },
      interrupt: () => wake?.(),
    };
    return vu;
  };
  const rt: ExecutorRuntime = {
    scenario: 'bench',
    segment: parseSegment(),
    signal: new AbortController().signal,
    getVu: async () => makeVu(),
    returnVu: () => {},
    emit: (metric, value) => {
      if (metric === 'dropped_iterations') dropped += value;
    },
    now,
  };
  const config = normalizeScenarios({
    scenarios: { s: { executor: 'constant-arrival-rate', rate, duration: `${seconds}s`, preAllocatedVUs: Math.ceil(rate / 50), maxVUs: Math.ceil(rate / 10) } },
  }).s;
  const cpu0 = process.cpuUsage();
  await createExecutor('s', config, rt.segment).run(rt);
  const cpu = process.cpuUsage(cpu0);
  lateness.sort((a, b) => a - b);
  const q = (p: number) => lateness[Math.min(lateness.length - 1, Math.floor(p * lateness.length))].toFixed(2);
  const planned = rate * seconds;
  const cpuMs = ((cpu.user + cpu.system) / 1000).toFixed(0);
  return `| ${rate} | ${planned} | ${lateness.length} | ${dropped} | ${q(0.5)} | ${q(0.99)} | ${lateness[lateness.length - 1].toFixed(2)} | ${cpuMs} |`;
}

console.log(`constant-arrival-rate, ${seconds}s per rate, 1 ms fake iterations (node ${process.version})`);
console.log('| rate/s | planned | started | dropped | late p50 ms | late p99 ms | late max ms | CPU ms |');
console.log('|---|---|---|---|---|---|---|---|');
for (const rate of [100, 1000, 5000, 20000]) console.log(await measure(rate));
