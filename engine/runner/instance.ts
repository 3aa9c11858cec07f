/**
 * One instance: the part of a test one execution segment runs, in a worker thread (the main
 * thread, the coordinator, never runs script code). It creates its executors for its segment, initialises its share of
 * VUs up front (the VU pool), runs every scenario from its startTime, and keeps k6/execution's
 * instance numbers (iterations completed/interrupted, VUs active/initialised). The same code runs
 * in-process and in workers, so a one-worker run and an N-worker run differ only in segments.
 */
import { performance } from 'node:perf_hooks';
import { IterationInterrupted } from '../errors.ts';
import type { Logger } from '../log.ts';
import type {
  ExecIteration,
  Executor,
  ExecutorRuntime,
  ExecVu,
  InstanceInfo,
  MetricSink,
  ScenarioInfo,
  ScenarioProgress,
  SegmentInfo,
  Tags,
  TestControl,
} from '../types.ts';
import { createExecutor } from './ports.ts';
import type { ScenarioConfig } from './ports.ts';
import { createVu } from './script-ports.ts';
import type { IterationRun, LoadedScript, Vu } from './script-ports.ts';
import { maxPlannedVus, plannedVus } from './plan.ts';
import { VuPool } from './vu-pool.ts';

export type ScenarioConfigs = Record<string, ScenarioConfig>;

/** Counters an instance reports to the main thread (summed over instances for vus/vus_max/progress). */
export interface InstanceStats {
  vusActive: number;
  vusInitialized: number;
  iterationsCompleted: number;
  iterationsInterrupted: number;
}

export interface ScenarioStatus extends ScenarioProgress {
  name: string;
}

/** What happened that must reach the whole test (other instances, the main thread). */
export interface InstanceEvents {
  /** exec.test.abort() was called in this instance. */
  abort(reason: string | undefined): void;
  /** exec.test.fail() was called in this instance. */
  fail(reason: string | undefined): void;
}

/** A replacement instance: where the scenarios of the terminated thread it takes over stood. */
export interface InstanceResume {
  /** ms since the test start when the lost thread was last heard from. */
  lostAtMs: number;
  /** Per scenario, the iterations the lost thread started. */
  done: Record<string, number>;
  /** Scenarios that had ended (gracefulStop included) when it was terminated: not run again. */
  ended: string[];
}

export interface InstanceSetup {
  script: LoadedScript;
  /** Consolidated k6 options (exec.test.options). */
  options: Record<string, unknown>;
  /** __ENV. */
  env: Record<string, string>;
  /** Normalised scenarios (engine/executors normalizeScenarios). */
  scenarios: ScenarioConfigs;
  segment: SegmentInfo;
  /** Added to a VU's own number (1..) for exec.vu.idInTest (unique across instances). */
  idOffset: number;
  /** Added to a VU's own number (1..) for __VU / idInInstance (unique across this process's worker threads). */
  vuOffset: number;
  sink: MetricSink;
  log: Logger;
  events: InstanceEvents;
  /**
   * Iterations running now, one slot per scenario (in `scenarios` key order), shared with the
   * coordinator: it reads them while this thread is stuck in script code that does not yield.
   */
  running?: Int32Array;
  resume?: InstanceResume;
}

export class Instance {
  readonly executors: Executor[];
  private readonly pool: VuPool<Vu>;
  private readonly stopController = new AbortController();
  private startedAt = 0; // performance.now() at the test start
  private startEpoch = 0;
  private completed = 0;
  private interrupted = 0;
  /**
   * VUs inside an iteration now: k6's active VUs (`vus`, exec.instance.vusActive). Executors hold
   * VUs they are not using (ramping-vus below its target, idle arrival-rate VUs), so VUs taken from
   * the pool would overcount.
   */
  private running = 0;
  /** setup()'s result, parsed once; each VU clones it for itself (engine/vu). */
  private setupData: unknown;
  private readonly testControl: TestControl;
  private aborted = false;
  private hardStopped = false;

  constructor(private readonly s: InstanceSetup) {
    const ended = new Set(s.resume?.ended ?? []);
    this.executors = Object.entries(s.scenarios)
      .filter(([name]) => !ended.has(name))
      .map(([name, config]) => createExecutor(name, config, s.segment));
    const instance = this.instanceInfo();
    this.testControl = {
      abort: (reason?: string): never => {
        if (!this.aborted) {
          this.aborted = true;
          s.events.abort(reason);
        }
        throw new IterationInterrupted('abort');
      },
      fail: (reason?: string) => s.events.fail(reason),
    };
    this.pool = new VuPool<Vu>((id) =>
      createVu(s.script, {
        idInInstance: s.vuOffset + id,
        idInTest: s.idOffset + id,
        env: s.env,
        options: s.options,
        sink: s.sink,
        log: s.log,
        instance: () => instance,
        test: this.testControl,
      }),
    );
  }

  /** VUs to initialise up front, and the most this instance can hold. */
  plan(): { initial: number; max: number } {
    return { initial: plannedVus(this.executors), max: maxPlannedVus(this.executors) };
  }

  /** Initialises the planned VUs (init code runs here: exceptions end the run with 107). */
  async init(): Promise<void> {
    await this.pool.initUpTo(this.plan().initial);
  }

  private instanceInfo(): InstanceInfo {
    // Live getters: k6/execution reads them when the script asks.
    const self = this;
    return {
      get iterationsInterrupted() {
        return self.interrupted;
      },
      get iterationsCompleted() {
        return self.completed;
      },
      get vusActive() {
        return self.running;
      },
      get vusInitialized() {
        return self.pool.initialized;
      },
      get currentTestRunDuration() {
        return self.startedAt === 0 ? 0 : performance.now() - self.startedAt;
      },
    };
  }

  stats(): InstanceStats {
    return {
      vusActive: this.running,
      vusInitialized: this.pool.initialized,
      iterationsCompleted: this.completed,
      iterationsInterrupted: this.interrupted,
    };
  }

  progress(): ScenarioStatus[] {
    return this.executors.map((e) => ({ name: e.name, ...e.progress() }));
  }

  /** Ms since the test start (0 before it). */
  now(): number {
    return this.startedAt === 0 ? 0 : performance.now() - this.startedAt;
  }

  /**
   * Runs every scenario. `startEpoch` is the test's start (ms since the epoch) shared by all
   * instances, so their clocks agree; `setupData` is setup()'s result as JSON.
   */
  async run(startEpoch: number, setupData: string | undefined): Promise<void> {
    this.startEpoch = startEpoch;
    this.startedAt = performance.now() - Math.max(0, Date.now() - startEpoch);
    this.setupData = setupData === undefined ? undefined : JSON.parse(setupData);
    await Promise.all(this.executors.map((e) => this.runScenario(e)));
  }

  private async runScenario(executor: Executor): Promise<void> {
    // The executor waits for its startTime itself, on rt.now().
    const signal = this.stopController.signal;
    if (signal.aborted) return;
    const config = this.s.scenarios[executor.name];
    const scenarioStartEpoch = this.startEpoch + executor.startTime;
    const exec = config?.exec ?? 'default';
    const tags: Tags = { ...(config?.tags ?? {}), scenario: executor.name };
    const env = config?.env ? { ...this.s.env, ...config.env } : undefined;
    const slot = Object.keys(this.s.scenarios).indexOf(executor.name);
    const resume = this.s.resume;
    let inInstance = 0;
    const wrappers = new Map<Vu, ExecVu>();
    const owners = new WeakMap<ExecVu, Vu>();
    const rt: ExecutorRuntime = {
      scenario: executor.name,
      segment: this.s.segment,
      signal,
      getVu: async () => {
        const vu = await this.pool.acquire();
        let w = wrappers.get(vu);
        if (!w) {
          w = this.execVu(vu, executor, { exec, tags, env, scenarioStartEpoch, slot, next: () => inInstance++ });
          wrappers.set(vu, w);
          owners.set(w, vu);
        }
        return w;
      },
      returnVu: (w: ExecVu) => {
        const vu = owners.get(w);
        if (vu) this.pool.release(vu);
      },
      emit: (metric, value, extra) => this.s.sink.add(metric, value, { ...tags, ...extra }),
      now: () => this.now(),
      resume: resume ? { lostAtMs: resume.lostAtMs, done: resume.done[executor.name] ?? 0 } : undefined,
    };
    await executor.run(rt);
  }

  private execVu(
    vu: Vu,
    executor: Executor,
    bind: { exec: string; tags: Tags; env: Record<string, string> | undefined; scenarioStartEpoch: number; slot: number; next: () => number },
  ): ExecVu {
    const running = this.s.running;
    // One ScenarioInfo per VU and scenario, updated per iteration: k6/execution reads it at access
    // time, and a fresh object (with its closure) per iteration was measurable at 50k it/s.
    const scenario: { -readonly [K in keyof ScenarioInfo]: ScenarioInfo[K] } = {
      name: executor.name,
      executor: executor.type,
      startTime: 0,
      progress: () => executor.progress().fraction,
      iterationInInstance: 0,
      iterationInTest: 0,
    };
    // One IterationRun per VU and scenario too, and no async function around the VU's: its frame
    // would stay suspended while the script sleeps (issue 21). The counts are kept in `ended`.
    let call: ExecIteration | null = null;
    const run: IterationRun = {
      exec: bind.exec,
      scenario,
      iterationInScenario: 0,
      tags: bind.tags,
      env: bind.env,
      data: undefined,
      ended: (outcome) => {
        this.running--;
        if (running) Atomics.sub(running, bind.slot, 1);
        if (outcome === 'completed') this.completed++;
        else this.interrupted++;
        const c = call;
        call = null;
        c?.ended(execVu, outcome);
      },
    };
    const execVu: ExecVu = {
      idInInstance: vu.context.idInInstance,
      startIteration: (iter): void => {
        scenario.iterationInInstance = bind.next();
        scenario.iterationInTest = iter.iterationInTest;
        scenario.startTime = bind.scenarioStartEpoch;
        if (this.hardStopped) {
          this.interrupted++;
          iter.ended(execVu, 'interrupted');
          return;
        }
        this.running++;
        if (running) Atomics.add(running, bind.slot, 1);
        call = iter;
        run.iterationInScenario = iter.iterationInScenario;
        run.data = this.setupData;
        vu.startIteration(run);
      },
      interrupt: () => vu.interrupt(),
    };
    return execVu;
  }

  /** Start no new iterations; executors honour gracefulStop. */
  stopGraceful(): void {
    this.stopController.abort();
  }

  /** Stop now: interrupt every running iteration. */
  stopHard(): void {
    this.hardStopped = true;
    this.stopController.abort();
    this.pool.interruptActive('signal');
  }

  async close(): Promise<void> {
    await this.pool.closeAll();
  }
}
