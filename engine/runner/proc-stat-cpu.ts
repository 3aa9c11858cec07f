/**
 * CPU time (user + system) from a Linux /proc stat file: /proc/thread-self/stat for the calling
 * thread (generator-monitor.ts), /proc/<pid>/stat for another process (the benchmarks).
 */
import { readFileSync } from 'node:fs';

/** Milliseconds of CPU the file's thread or process has used; undefined where it cannot be read (not Linux, gone). */
export function procStatCpuMs(file: string): number | undefined {
  try {
    const s = readFileSync(file, 'latin1');
    // pid (comm) state …: the fields after the command name, which may hold spaces and parentheses;
    // utime and stime (fields 14 and 15) in clock ticks of 10 ms (USER_HZ 100)
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}
