/**
 * CPU time (user + system) from a Linux /proc stat file: /proc/thread-self/stat for the calling
 * thread (generator-monitor.ts), /proc/<pid>/stat for another process (the benchmarks).
 */
import { readFileSync } from 'node:fs';

/** The kernel's clock ticks per second in /proc (USER_HZ: 100 on every Linux build that matters here). */
export const USER_HZ = 100;

/** Milliseconds of CPU the file's thread or process has used; undefined where it cannot be read (not Linux, gone). */
export function procStatCpuMs(file: string): number | undefined {
  try {
    const s = readFileSync(file, 'latin1');
    // pid (comm) state …: the fields after the command name, which may hold spaces and parentheses;
    // utime and stime (fields 14 and 15), in clock ticks
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}
