/**
 * CPU time the hypervisor gave to other guests while a benchmark ran ("steal" in /proc/stat): on
 * a virtual machine a round in which the host took CPU away measures the host, not the generator
 * (seen here: a generator that always holds one core held 0.86 of one, and its req/s fell by a
 * third). Read before and after a run; 0 where the kernel does not report it (not Linux).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { USER_HZ } from '../engine/runner/proc-stat-cpu.ts';

/** Seconds of CPU stolen from this machine since boot, over all its CPUs. */
function stolenSeconds(): number {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
    // cpu user nice system idle iowait irq softirq steal …
    const steal = Number(cpu[8]);
    return Number.isFinite(steal) ? steal / USER_HZ : 0;
  } catch {
    return 0;
  }
}

/** Starts measuring: the returned function gives the cores stolen on average since then. */
export function stealMeter(): () => number {
  const stolenBefore = stolenSeconds();
  const started = performance.now();
  return () => (stolenSeconds() - stolenBefore) / ((performance.now() - started) / 1000);
}

/** Rounds in which the host took this much (in cores, averaged over a run) are reported as disturbed. */
export const DISTURBED_CORES = 0.05;
