/**
 * A worker thread running one instance (execution segment) of the test: it loads the script itself,
 * builds its executors and VUs, and streams metric deltas, stats and progress to the main thread
 * every 500 ms until its scenarios end. See worker-protocol.ts for the messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EngineError, ExitCode } from '../errors.ts';
import type { InstancePlan } from './host.ts';
import { Instance } from './instance.ts';
import { deltaIntervalMs } from './local-host.ts';
import { runLogger } from './logging.ts';
import { createCollector } from './metrics-bridge.ts';
import { loadScript, parseSegment } from './ports.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('worker-main.ts must run in a worker thread');
const plan = workerData as InstancePlan;
const post = (m: FromWorker) => port.postMessage(m);
const collector = createCollector(plan.options, plan.keepSamples);
// `once` lines (k6's one warning per distinct error) go to the main thread, which dedupes across threads.
const { log } = runLogger(plan.logOutput, plan.verbose, undefined, undefined, (key, level, msg, fields) =>
  post({ type: 'logOnce', key, level, msg, fields }),
  plan.logExtras,
);
let instance: Instance | undefined;

function failure(err: unknown): FromWorker {
  if (err instanceof EngineError) return { type: 'failed', message: err.message, exitCode: err.exitCode };
  const e = err as Error;
  return { type: 'failed', message: e?.message ?? String(err), exitCode: ExitCode.ScriptException };
}

async function init(): Promise<void> {
  const script = await loadScript(plan.scriptPath);
  instance = new Instance({
    script,
    options: plan.options,
    env: plan.env,
    scenarios: plan.scenarios,
    segment: parseSegment(plan.segment, plan.sequence),
    idOffset: plan.idOffset,
    sink: collector,
    log,
    events: {
      abort: (reason) => post({ type: 'abort', reason }),
      fail: (reason) => post({ type: 'fail', reason }),
    },
  });
  await instance.init();
}

async function run(startEpoch: number, setupData: string | undefined): Promise<void> {
  const inst = instance as Instance;
  const tick = () => post({ type: 'tick', delta: collector.drain(), stats: inst.stats(), progress: inst.progress() });
  const timer = setInterval(tick, deltaIntervalMs);
  // An early tick, so the main thread's vus gauge sees the VUs of even a sub-second test.
  const early = setTimeout(tick, 50);
  try {
    await inst.run(startEpoch, setupData);
  } finally {
    clearInterval(timer);
    clearTimeout(early);
    post({ type: 'done', delta: collector.drain(), stats: inst.stats(), progress: inst.progress() });
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'init':
      init().then(
        () => post({ type: 'ready', stats: (instance as Instance).stats() }),
        (err) => post(failure(err)),
      );
      break;
    case 'run':
      run(m.startEpoch, m.setupData).catch((err) => post(failure(err)));
      break;
    case 'stats':
      if (instance) post({ type: 'stats', stats: instance.stats() });
      break;
    case 'stop':
      if (m.hard) instance?.stopHard();
      else instance?.stopGraceful();
      break;
    case 'close':
      Promise.resolve(instance?.close()).finally(() => {
        post({ type: 'closed', delta: collector.drain() });
        port.close();
      });
      break;
  }
});
