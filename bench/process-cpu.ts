/**
 * CPU seconds (user + system) a process has used, from /proc/<pid>/stat: read around a run, a
 * server's CPU per request is what its own code decides, where its req/s also depends on how much
 * of the host the load generator and the hypervisor leave it. Linux only (NaN elsewhere).
 */
import { readFileSync } from 'node:fs';

/** The kernel's clock ticks per second for /proc (USER_HZ: 100 on every Linux build that matters here). */
export const USER_HZ = 100;

export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state … : the fields after the command name, which may hold spaces and parentheses
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ; // utime, stime (fields 14 and 15)
  } catch {
    return Number.NaN;
  }
}
