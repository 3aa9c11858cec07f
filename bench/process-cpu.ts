/**
 * CPU seconds (user + system) a process has used, from /proc/<pid>/stat: read around a run, a
 * server's CPU per request is what its own code decides, where its req/s also depends on how much
 * of the host the load generator and the hypervisor leave it. Linux only (NaN elsewhere).
 */
import { procStatCpuMs } from '../engine/runner/proc-stat-cpu.ts';

export function processCpuSeconds(pid: number): number {
  return (procStatCpuMs(`/proc/${pid}/stat`) ?? Number.NaN) / 1000;
}
