/**
 * A worker thread measuring itself while its VUs run (issue 21): per window (the time between two
 * metric deltas) its event-loop delay, CPU and whether it was saturated, recorded as the built-in
 * metrics `generator_event_loop_delay`, `generator_cpu` and `generator_saturated` (the rule and
 * the end-of-test line: engine/metrics/generator.ts). Costs one 10 ms timer inside Node's delay
 * monitor and a read of /proc/thread-self/stat per window.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import { loopDelayResolutionMs, windowSaturated } from '../metrics/generator.ts';
import type { MetricSink, Tags } from '../types.ts';
import { procStatCpuMs } from './proc-stat-cpu.ts';

/** Windows shorter than this are folded into the next one (the early 50 ms tick, a quick end). */
const minWindowMs = 200;
const noTags: Tags = Object.freeze({}) as Tags;

/** This thread's CPU time in ms; undefined where neither Node nor the OS gives it per thread. */
function threadCpuMs(): number | undefined {
  const own = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
  if (own) {
    const u = own();
    return (u.user + u.system) / 1000;
  }
  return procStatCpuMs('/proc/thread-self/stat'); // read on this thread
}

export class GeneratorMonitor {
  private readonly delay: IntervalHistogram;
  private elu: EventLoopUtilization;
  private cpuMs: number | undefined;
  private at: number;
  private stopped = false;

  constructor(private readonly sink: MetricSink) {
    this.delay = monitorEventLoopDelay({ resolution: loopDelayResolutionMs });
    this.delay.enable();
    this.elu = performance.eventLoopUtilization();
    this.cpuMs = threadCpuMs();
    this.at = performance.now();
  }

  /** Records the window since the last call (before a delta is drained); `last` also ends monitoring. */
  sample(last = false): void {
    if (this.stopped) return;
    const now = performance.now();
    const ms = now - this.at;
    if (last) this.stop();
    if (ms < minWindowMs) return;
    const utilization = performance.eventLoopUtilization(this.elu).utilization;
    const cpuMs = threadCpuMs();
    // Node's histogram holds whole timer periods (resolution included) in ns; an empty one (a window
    // of one long callback) reports NaN percentiles, and then the window itself was the delay.
    const p99 = this.delay.count > 0 ? this.delay.percentile(99) / 1e6 : ms;
    const delayMs = Math.max(0, p99 - loopDelayResolutionMs);
    const cpu = cpuMs !== undefined && this.cpuMs !== undefined ? Math.max(0, cpuMs - this.cpuMs) / ms : utilization;
    const time = Date.now();
    this.sink.add('generator_event_loop_delay', delayMs, noTags, time);
    this.sink.add('generator_cpu', cpu, noTags, time);
    this.sink.add('generator_saturated', windowSaturated({ utilization, delayMs }) ? 1 : 0, noTags, time);
    this.delay.reset();
    this.elu = performance.eventLoopUtilization();
    this.cpuMs = cpuMs;
    this.at = now;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.delay.disable();
  }
}
