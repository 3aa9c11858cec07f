/**
 * Local system resources the guide watches: CPU (share of busy time across all cores between
 * two snapshots), memory (used share of total, counting the kernel's "available" as free) and
 * disk (used share of the filesystem holding a directory, as `df` computes it).
 * The guide's limits: CPU 80 %, memory 85 %, disk 90 %.
 */
import { statfs } from 'node:fs/promises';
import os from 'node:os';

export interface CpuSnapshot {
  idle: number;
  total: number;
}

export function cpuSnapshot(): CpuSnapshot {
  let idle = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/** Busy share in % between two snapshots; undefined when no time passed between them. */
export function cpuPercentBetween(a: CpuSnapshot, b: CpuSnapshot): number | undefined {
  const total = b.total - a.total;
  if (total <= 0) return undefined;
  return Math.min(100, Math.max(0, (100 * (total - (b.idle - a.idle))) / total));
}

/** CPU busy % sampled over `ms` (the health check uses ~1 s). */
export async function sampleCpuPercent(ms = 1000): Promise<number> {
  const a = cpuSnapshot();
  await new Promise((r) => setTimeout(r, ms));
  return cpuPercentBetween(a, cpuSnapshot()) ?? 0;
}

export interface MemoryUsage {
  totalBytes: number;
  usedBytes: number;
  percent: number;
}

export function memoryUsage(): MemoryUsage {
  const totalBytes = os.totalmem();
  const usedBytes = totalBytes - os.freemem(); // libuv's freemem is MemAvailable on Linux
  return { totalBytes, usedBytes, percent: (100 * usedBytes) / totalBytes };
}

export interface DiskUsage {
  path: string;
  totalBytes: number;
  freeBytes: number;
  percent: number;
}

/** Used share like `df`: used / (used + available to unprivileged users). */
export async function diskUsage(dir = process.cwd()): Promise<DiskUsage> {
  const s = await statfs(dir);
  const used = (s.blocks - s.bfree) * s.bsize;
  const avail = s.bavail * s.bsize;
  return { path: dir, totalBytes: s.blocks * s.bsize, freeBytes: avail, percent: used + avail > 0 ? (100 * used) / (used + avail) : 0 };
}

/** The guide's limits, in %. */
export const resourceLimits = { cpu: 80, memory: 85, disk: 90 } as const;
