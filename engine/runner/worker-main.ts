/**
 * The one entry of every worker thread (bundled by worker-bundle.ts). Each thread can play both
 * roles (the first one does; the others only get instance messages):
 *
 *  - `instance`: one execution segment of the test. It loads the script itself, builds its
 *    executors and VUs from the TestPlan, and streams metric deltas, stats and progress every
 *    500 ms until its scenarios end.
 *  - `lifecycle`: the script's one-off VUs. The init VU that reads `options` (the coordinator needs
 *    them to plan the test), then, once configured with the plan, the VU that runs setup(),
 *    teardown() and handleSummary().
 *
 * The coordinator enforces every time limit by terminating the thread, so nothing here needs to
 * guard against script code that never yields. See worker-protocol.ts for the messages.
 */
import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { EngineError, ExitCode, IterationInterrupted } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { InstanceInfo, TestControl } from '../types.ts';
import { GeneratorMonitor } from './generator-monitor.ts';
import { Instance } from './instance.ts';
import type { InstanceResume } from './instance.ts';
import { runLogger } from './logging.ts';
import { createCollector } from './thread-collector.ts';
import type { Collector } from './thread-collector.ts';
import { parseSegment } from './ports.ts';
import { createVu, loadScript, onFileOpened, preloadModules, warmedUp } from './script-ports.ts';
import type { Vu } from './script-ports.ts';
import type { TestPlan } from './test-plan.ts';
import { deltaIntervalMs, isPrewarmed } from './worker-protocol.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';
import type { WorkerStart } from './worker-start.ts';

const port = parentPort;
if (!port) throw new Error('worker-main.ts must run in a worker thread');
let start: WorkerStart;
const post = (m: FromWorker) => port.postMessage(m);

function failure(of: ToWorker['type'], err: unknown): Extract<FromWorker, { type: 'failed' }> {
  if (err instanceof EngineError) return { type: 'failed', of, message: err.message, exitCode: err.exitCode };
  const e = err as Error;
  return { type: 'failed', of, message: e?.message ?? String(err), exitCode: ExitCode.ScriptException };
}

let scriptLoad: ReturnType<typeof loadScript>;

/**
 * Log lines travel to the main thread over the same port as the thread's other messages, not
 * through the thread's own process.stderr (a separate channel): so every line a VU logged arrives
 * before the 'closed' that lets the main thread terminate the thread, and none is lost with it.
 */
function portStream(to: 'stderr' | 'stdout'): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      post({ type: 'output', to, text: String(chunk) });
      done();
    },
  });
}

function threadLogger(logOutput: string, verbose: boolean): Logger {
  // `once` lines (k6's one warning per distinct error) go to the main thread, which dedupes across threads.
  const once: Parameters<typeof runLogger>[4] = (key, level, msg, fields) => post({ type: 'logOnce', key, level, msg, fields });
  return runLogger(logOutput, verbose, portStream('stderr'), portStream('stdout'), once, { ...start.logExtras, appendConsoleSync: true }).log;
}

const testControl: TestControl = {
  abort(reason?: string): never {
    post({ type: 'abort', reason });
    throw new IterationInterrupted('abort');
  },
  fail: (reason?: string) => post({ type: 'fail', reason }),
};

// --- instance -------------------------------------------------------------------------------------
function instanceRole(logOutput: string, verbose: boolean): void {
  let collector: Collector = createCollector();
  const log = threadLogger(logOutput, verbose);
  let instance: Instance | undefined;
  let aborted = false;

  async function init(plan: TestPlan, index: number, running: SharedArrayBuffer, resume: InstanceResume | undefined): Promise<void> {
    const mine = plan.instances[index];
    if (!mine) throw new Error(`no instance ${index} in the plan`);
    collector = createCollector(plan.thresholds, plan.keepSamples, plan.keepTimeline);
    Object.freeze(plan.options); // exec.test.options is read-only, as in k6
    const script = await scriptLoad;
    instance = new Instance({
      script,
      options: plan.options,
      env: plan.env,
      scenarios: plan.scenarios,
      segment: parseSegment(mine?.segment, mine?.sequence),
      idOffset: mine?.idOffset ?? 0,
      vuOffset: mine?.vuOffset ?? 0,
      sink: collector,
      log,
      running: new Int32Array(running),
      resume,
      events: {
        abort: (reason) => {
          if (!aborted) post({ type: 'abort', reason });
          aborted = true;
        },
        fail: (reason) => post({ type: 'fail', reason }),
      },
    });
    await instance.init();
    // the modules' one-time work (k6/http's first connection) ends before the first iteration
    await warmedUp();
  }

  async function run(startEpoch: number, setupData: string | undefined): Promise<void> {
    const inst = instance as Instance;
    // The thread measures itself into the same deltas (engine/metrics/generator.ts).
    const monitor = new GeneratorMonitor(collector);
    const tick = () => {
      monitor.sample();
      post({ type: 'tick', delta: collector.drain(), stats: inst.stats(), progress: inst.progress() });
    };
    const timer = setInterval(tick, deltaIntervalMs);
    // An early tick, so the main thread's vus gauge sees the VUs of even a sub-second test.
    const early = setTimeout(tick, 50);
    try {
      await inst.run(startEpoch, setupData);
    } finally {
      clearInterval(timer);
      clearTimeout(early);
      monitor.sample(true);
      post({ type: 'done', delta: collector.drain(), stats: inst.stats(), progress: inst.progress() });
    }
  }

  port?.on('message', (m: ToWorker) => {
    switch (m.type) {
      case 'init':
        init(m.plan, m.index, m.running, m.resume).then(
          () => post({ type: 'ready', stats: (instance as Instance).stats() }),
          (err) => post(failure('init', err)),
        );
        break;
      case 'run':
        run(m.startEpoch, m.setupData).catch((err) => post(failure('run', err)));
        break;
      case 'stats':
        if (instance) post({ type: 'stats', stats: instance.stats() });
        break;
      case 'stop':
        if (m.hard) instance?.stopHard();
        else instance?.stopGraceful();
        break;
      case 'close':
        if (m.role !== 'instance') break;
        Promise.resolve(instance?.close()).finally(() => post({ type: 'closed', role: 'instance', delta: collector.drain() }));
        break;
    }
  });
}

// --- lifecycle ------------------------------------------------------------------------------------
const noInstance: InstanceInfo = {
  iterationsInterrupted: 0,
  iterationsCompleted: 0,
  vusActive: 0,
  vusInitialized: 0,
  currentTestRunDuration: 0,
};

function lifecycleRole(logOutput: string, verbose: boolean): void {
  const log = threadLogger(logOutput, verbose);
  let collector: Collector = createCollector();
  let vu: Vu | undefined;
  const vuFor = async (env: Record<string, string>, options: Record<string, unknown>) => {
    const script = await scriptLoad;
    return createVu(script, { idInInstance: 0, idInTest: 0, env, options, sink: collector, log, instance: () => noInstance, test: testControl });
  };

  async function readOptions(env: Record<string, string>): Promise<FromWorker> {
    // the files init code open()s: `archive` packs them (k6's archive holds every open()ed file)
    const opened = new Set<string>();
    const stopWatching = onFileOpened((p) => opened.add(p));
    const optionsVu = await vuFor(env, {}).finally(stopWatching);
    const exported = (optionsVu.exports as Record<string, unknown>).options;
    // Plain data, as k6 sees options (functions and class instances do not survive JSON).
    const options: Record<string, unknown> = exported && typeof exported === 'object' ? (JSON.parse(JSON.stringify(exported)) as Record<string, unknown>) : {};
    await optionsVu.close();
    const exports = Object.keys(optionsVu.exports).filter((k) => typeof optionsVu.exports[k] === 'function');
    return { type: 'options', options, exports, definitions: [...collector.definitions()], opened: [...opened], delta: collector.drain() };
  }

  async function configure(plan: TestPlan): Promise<FromWorker> {
    collector = createCollector(plan.thresholds, plan.keepSamples, plan.keepTimeline);
    vu = await vuFor(plan.env, Object.freeze(plan.options));
    return { type: 'configured' };
  }

  async function call(name: 'setup' | 'teardown' | 'handleSummary', arg: unknown): Promise<FromWorker> {
    if (!vu) throw new Error('lifecycle worker not configured');
    const value = await vu.callLifecycle(name, arg);
    return { type: 'result', value: name === 'setup' ? (value === undefined ? undefined : JSON.stringify(value)) : value, delta: collector.drain() };
  }

  // A failed call's samples (the requests setup() made before throwing) still count.
  const answer = (of: ToWorker['type'], p: Promise<FromWorker>) => p.then(post, (err) => post({ ...failure(of, err), delta: collector.drain() }));
  port?.on('message', (m: ToWorker) => {
    if (m.type === 'options') answer(m.type, readOptions(m.env));
    else if (m.type === 'configure') answer(m.type, configure(m.plan));
    else if (m.type === 'call') answer(m.type, call(m.name, m.arg));
    else if (m.type === 'close' && m.role === 'lifecycle') {
      Promise.resolve(vu?.close()).finally(() => post({ type: 'closed', role: 'lifecycle', delta: collector.drain() }));
    }
  });
}

/** Runs the thread's roles. Synchronous up to their message listeners, so no message after `start` is missed. */
function begin(s: WorkerStart): void {
  start = s;
  // Started at once: by the time the plan arrives the script is usually ready.
  scriptLoad = loadScript(start.scriptPath);
  scriptLoad.catch(() => undefined);
  // The coordinator ends the thread (terminate) once no role needs it any more.
  instanceRole(start.logOutput, start.verbose);
  lifecycleRole(start.logOutput, start.verbose);
}

// A prewarmed thread (prewarm.ts) gets its WorkerStart as its first message; the others as workerData.
if (isPrewarmed(workerData)) {
  port.once('message', (m: ToWorker) => {
    if (m.type === 'start') begin(m.start);
  });
  // Until then the thread is idle while the main thread loads the command (~20–40 ms on 2 cores):
  // it loads the modules nearly every script imports, which a script's load then finds done (k6/http
  // is ~20 ms of a thread's start-up). A script that imports neither has spent idle time only.
  preloadModules(['k6', 'k6/http']);
} else begin(workerData as WorkerStart);
