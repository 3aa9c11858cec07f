/**
 * `--workers 1`: the instance runs in the main thread, with no worker thread in between. It reuses
 * the script the main thread already loaded and streams its metric deltas on the same schedule a
 * worker does, so both paths feed the metrics store the same way.
 */
import type { Logger } from '../log.ts';
import type { SegmentInfo } from '../types.ts';
import { emptyStats } from './host.ts';
import type { HostEvents, InstanceHost, InstancePlan } from './host.ts';
import { Instance } from './instance.ts';
import type { InstanceStats, ScenarioStatus } from './instance.ts';
import { createCollector } from './metrics-bridge.ts';
import type { LoadedScript } from './ports.ts';

/** How often an instance hands its metrics to the main thread (ms). */
export const deltaIntervalMs = 500;

export class LocalHost implements InstanceHost {
  private instance: Instance | undefined;
  private readonly collector;

  constructor(
    private readonly plan: InstancePlan,
    private readonly script: LoadedScript,
    private readonly segment: SegmentInfo,
    private readonly log: Logger,
    private readonly events: HostEvents,
  ) {
    this.collector = createCollector(plan.options, plan.keepSamples);
  }

  async init(): Promise<void> {
    this.instance = new Instance({
      script: this.script,
      options: this.plan.options,
      env: this.plan.env,
      scenarios: this.plan.scenarios,
      segment: this.segment,
      idOffset: this.plan.idOffset,
      sink: this.collector,
      log: this.log,
      events: { abort: (r) => this.events.abort(r), fail: (r) => this.events.fail(r) },
    });
    await this.instance.init();
  }

  async run(startEpoch: number, setupData: string | undefined): Promise<void> {
    const instance = this.instance as Instance;
    const timer = setInterval(() => this.flush(), deltaIntervalMs);
    try {
      await instance.run(startEpoch, setupData);
    } finally {
      clearInterval(timer);
      this.flush();
    }
  }

  /** Hands whatever was collected since the last flush to the main store. */
  flush(): void {
    this.events.delta(this.collector.drain());
  }

  stopGraceful(): void {
    this.instance?.stopGraceful();
  }
  stopHard(): void {
    this.instance?.stopHard();
  }
  stats(): InstanceStats {
    return this.instance ? this.instance.stats() : emptyStats();
  }
  async freshStats(): Promise<InstanceStats> {
    return this.stats();
  }
  progress(): ScenarioStatus[] {
    return this.instance ? this.instance.progress() : [];
  }
  async close(): Promise<void> {
    await this.instance?.close();
    this.flush();
  }
}
