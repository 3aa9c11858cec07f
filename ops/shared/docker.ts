/**
 * The Docker engine API over its unix socket (DOCKER_HOST=unix:///path, default
 * /var/run/docker.sock): the containers, whether each runs, its health and its restart count.
 * The guide watches "Docker containers" and "container restarts"; where no engine socket
 * exists the answer is "not available", never an error.
 */
import http from 'node:http';
import { access } from 'node:fs/promises';

export interface ContainerState {
  id: string;
  name: string;
  image: string;
  /** running, exited, restarting, … */
  state: string;
  /** healthy, unhealthy, starting, or 'none' when the container has no health check. */
  health: string;
  restartCount: number;
}

/** `socketFound` tells "no engine here" (not counted) from "an engine that fails to answer". */
export type ContainerReport = { available: false; reason: string; socketFound: boolean } | { available: true; containers: ContainerState[]; ms: number };

export function dockerSocketPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const host = env.DOCKER_HOST;
  if (!host) return '/var/run/docker.sock';
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  return undefined; // tcp:// engines are not spoken to: the guide's setups use the local socket
}

function getJson(socketPath: string, path: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path, headers: { host: 'docker' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`Docker engine answered ${res.statusCode} on ${path}`));
        try {
          resolve(JSON.parse(body));
        } catch {
          reject(new Error(`Docker engine sent invalid JSON on ${path}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`Docker engine did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

interface ListedContainer {
  Id: string;
  Names?: string[];
  Image?: string;
  State?: string;
}
interface InspectedContainer {
  RestartCount?: number;
  State?: { Status?: string; Health?: { Status?: string } };
}

/**
 * Which containers are AetosWMS's: only those are judged, never another job's on the same host.
 * AETOS_CONTAINERS picks them: `project=NAME` (a compose project, the default with NAME from
 * COMPOSE_PROJECT_NAME or "aetos"), `label=KEY=VALUE` (any label), or `all`. Returns the Docker
 * API `filters` object (undefined for all).
 */
export function containerFilter(env: NodeJS.ProcessEnv = process.env): Record<string, string[]> | undefined {
  const spec = (env.AETOS_CONTAINERS ?? '').trim();
  if (spec === 'all') return undefined;
  if (spec.startsWith('label=')) return { label: [spec.slice('label='.length)] };
  const project = spec.startsWith('project=') ? spec.slice('project='.length) : env.COMPOSE_PROJECT_NAME || 'aetos';
  return { label: [`com.docker.compose.project=${project}`] };
}

/** Lists AetosWMS's containers (running or not; `containerFilter`) with their health and restart count. */
export async function inspectContainers(socketPath = dockerSocketPath(), timeoutMs = 5000, filter = containerFilter()): Promise<ContainerReport> {
  if (!socketPath) return { available: false, reason: 'not available (DOCKER_HOST is not a unix socket)', socketFound: false };
  try {
    await access(socketPath);
  } catch {
    return { available: false, reason: `not available (no Docker engine socket at ${socketPath})`, socketFound: false };
  }
  const start = performance.now();
  try {
    const query = filter ? `&filters=${encodeURIComponent(JSON.stringify(filter))}` : '';
    const list = (await getJson(socketPath, `/containers/json?all=1${query}`, timeoutMs)) as ListedContainer[];
    const containers = await Promise.all(
      list.map(async (c): Promise<ContainerState> => {
        const info = (await getJson(socketPath, `/containers/${encodeURIComponent(c.Id)}/json`, timeoutMs)) as InspectedContainer;
        return {
          id: c.Id.slice(0, 12),
          name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
          image: c.Image ?? '',
          state: info.State?.Status ?? c.State ?? 'unknown',
          health: info.State?.Health?.Status ?? 'none',
          restartCount: info.RestartCount ?? 0,
        };
      }),
    );
    return { available: true, containers, ms: performance.now() - start };
  } catch (err) {
    return { available: false, reason: `Docker engine at ${socketPath} failed: ${(err as Error).message}`, socketFound: true };
  }
}

/** The parts of `GET /containers/{id}/stats?stream=false` the resource readings use. */
export interface DockerStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: { inactive_file?: number; total_inactive_file?: number; cache?: number } };
}

/**
 * CPU and memory of one container in %, as `docker stats` shows them: CPU is the container's share
 * of the host's CPU time between the two samples the engine took, times the online CPUs; memory is
 * usage minus the page cache, of the container's limit (the host's memory when it has none).
 */
export function statsPercent(s: DockerStats): { cpuPercent?: number; memoryPercent?: number } {
  const out: { cpuPercent?: number; memoryPercent?: number } = {};
  const cpuDelta = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats?.online_cpus ?? s.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 1;
  if (sysDelta > 0 && cpuDelta >= 0) out.cpuPercent = (cpuDelta / sysDelta) * cpus * 100;
  const m = s.memory_stats;
  if (m?.usage !== undefined && m.limit) {
    const cache = m.stats?.inactive_file ?? m.stats?.total_inactive_file ?? m.stats?.cache ?? 0;
    out.memoryPercent = (100 * Math.max(0, m.usage - cache)) / m.limit;
  }
  return out;
}

/** One container's CPU and memory now (the engine samples CPU over about a second). */
export async function containerStats(socketPath: string, id: string, timeoutMs = 5000): Promise<{ cpuPercent?: number; memoryPercent?: number }> {
  return statsPercent((await getJson(socketPath, `/containers/${encodeURIComponent(id)}/stats?stream=false`, timeoutMs)) as DockerStats);
}
