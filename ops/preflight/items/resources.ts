/**
 * "Check resources": CPU, memory and disk below the guide's alert levels (80 / 85 / 90 %, the
 * monitor's defaults; `resources` in the config file sets others). The readings are those of
 * AetosWMS's containers when a Docker engine is reachable and runs them (the busiest container's
 * CPU and memory, `docker stats`'s way), otherwise of this machine; disk is always the filesystem
 * of `resources.diskPath` (default: the working directory). Reading and judging are apart, so
 * tests judge given readings and never the host's real state.
 */
import { containerStats, dockerSocketPath, inspectContainers } from '../../shared/docker.ts';
import { diskUsage, memoryUsage, resourceLimits, sampleCpuPercent } from '../../shared/system.ts';
import { item, type PreflightItem } from '../types.ts';

export interface ResourceReadings {
  /** Where CPU and memory were read: this machine, or N containers. */
  source: string;
  cpuPercent?: number;
  memoryPercent?: number;
  diskPercent?: number;
  /** Why a reading is missing. */
  notes?: string[];
}

export interface ResourceLevels {
  cpuPercent: number;
  memoryPercent: number;
  diskPercent: number;
}

export const defaultLevels: ResourceLevels = { cpuPercent: resourceLimits.cpu, memoryPercent: resourceLimits.memory, diskPercent: resourceLimits.disk };

/** Reads the containers' CPU / memory when Docker runs AetosWMS's, else the machine's; disk of `diskPath`. */
export async function readResources(diskPath: string, timeoutMs: number, socket = dockerSocketPath()): Promise<ResourceReadings> {
  const notes: string[] = [];
  const disk = await diskUsage(diskPath).catch((e: Error) => void notes.push(`disk: cannot read ${diskPath}: ${e.message}`));
  const diskPercent = disk ? disk.percent : undefined;
  const listed = await inspectContainers(socket, timeoutMs);
  const running = listed.available ? listed.containers.filter((c) => c.state === 'running') : [];
  if (socket && running.length) {
    const stats = await Promise.all(running.map((c) => containerStats(socket, c.id, timeoutMs).catch(() => ({}) as { cpuPercent?: number; memoryPercent?: number })));
    const max = (k: 'cpuPercent' | 'memoryPercent') => {
      const v = stats.map((s) => s[k]).filter((x): x is number => x !== undefined);
      return v.length ? Math.max(...v) : undefined;
    };
    return { source: `${running.length} container${running.length === 1 ? '' : 's'}`, cpuPercent: max('cpuPercent'), memoryPercent: max('memoryPercent'), diskPercent, notes };
  }
  return { source: 'this machine', cpuPercent: await sampleCpuPercent(1000), memoryPercent: memoryUsage().percent, diskPercent, notes };
}

/** Pure: fail when a reading is above its level (as the monitor alerts), warn when one is missing. */
export function judgeResources(r: ResourceReadings, levels: ResourceLevels = defaultLevels): PreflightItem {
  const name = 'Resources';
  const rows: [string, number | undefined, number][] = [
    ['CPU', r.cpuPercent, levels.cpuPercent],
    ['memory', r.memoryPercent, levels.memoryPercent],
    ['disk', r.diskPercent, levels.diskPercent],
  ];
  const measured: PreflightItem['measured'] = { source: r.source };
  for (const [k, v] of rows) if (v !== undefined) measured[`${k.toLowerCase()}Percent`] = Math.round(v * 10) / 10;
  const show = ([k, v, lvl]: (typeof rows)[number]) => `${k} ${v === undefined ? '?' : `${v.toFixed(0)} %`} (≤ ${lvl})`;
  const over = rows.filter(([, v, lvl]) => v !== undefined && v > lvl);
  if (over.length) return item('resources', name, 'fail', `${r.source}: over the alert level: ${over.map(show).join(', ')}`, measured);
  const missing = rows.filter(([, v]) => v === undefined);
  if (missing.length) return item('resources', name, 'warn', `${r.source}: ${rows.map(show).join(', ')}; not read: ${missing.map(([k]) => k).join(', ')}${r.notes?.length ? ` (${r.notes.join('; ')})` : ''}`, measured);
  return item('resources', name, 'pass', `${r.source}: ${rows.map(show).join(', ')}`, measured);
}
