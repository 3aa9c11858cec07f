/**
 * The preflight as a library: `runPreflight(opts)` works through the guide's pre-production
 * checklist against one deployment — each item pass / warn / fail / not configured with one line
 * of reason. The CLI (cli/preflight.ts) resolves the target and prints; `readiness` calls this
 * before its load scenarios.
 */
import type { HealthOptions } from '../health/index.ts';
import type { PreflightConfig } from './config.ts';
import { backupsItem } from './items/backups.ts';
import { envItem } from './items/env.ts';
import { healthItem } from './items/health.ts';
import { loggingItem } from './items/logging.ts';
import { notificationsItem } from './items/notifications.ts';
import { defaultLevels, judgeResources, readResources, type ResourceReadings } from './items/resources.ts';
import { tlsItem } from './items/tls.ts';
import { uploadsItem } from './items/uploads.ts';
import type { PreflightReport } from './types.ts';

export type { PreflightItem, PreflightReport, ItemStatus } from './types.ts';
export { ConfigError, loadPreflightConfig, defaultConfigFile, type PreflightConfig } from './config.ts';

export interface PreflightOptions {
  url: string;
  embedded?: boolean;
  config: PreflightConfig;
  configFile?: string;
  /** TLS: warn when the certificate expires within this many days (default 30). */
  certDays?: number;
  /** Backups: the newest must be younger than this, ms (default 24 h). */
  backupAgeMs?: number;
  timeoutMs?: number;
  /** Restores the newest backup into a scratch database on this server. */
  databaseUrl?: string;
  /** The alert webhook (overrides notifications.webhook). */
  webhook?: string;
  /** Test user for logins (health, uploads): default HEALTH_USER / HEALTH_PASSWORD or user0001 / Passw0rd!. */
  user?: string;
  password?: string;
  /** Passed to the health check (database / Redis URLs, CPU sample length, …). */
  health?: Partial<HealthOptions>;
  /** The resource readings (default: read now); tests give their own. */
  readResources?: () => Promise<ResourceReadings>;
  env?: NodeJS.ProcessEnv;
}

export async function runPreflight(o: PreflightOptions): Promise<PreflightReport> {
  const env = o.env ?? process.env;
  const c = o.config;
  const url = o.url.replace(/\/+$/, '');
  const timeoutMs = o.timeoutMs ?? 10_000;
  const user = o.user ?? env.HEALTH_USER ?? 'user0001';
  const password = o.password ?? env.HEALTH_PASSWORD ?? 'Passw0rd!';
  const startedAt = new Date();
  const t0 = performance.now();

  // The health check and the resource readings first, while nothing of ours loads the target.
  const health = await healthItem({ ...o.health, url, embedded: o.embedded, timeoutMs, user, password });
  const diskPath = c.resources?.diskPath ?? process.cwd();
  const readings = await (o.readResources ?? (() => readResources(diskPath, timeoutMs)))();
  const resources = judgeResources(readings, { ...defaultLevels, ...definedOnly(c.resources) });

  const [tls, backups, notifications, logging] = await Promise.all([
    tlsItem({ url, certDays: o.certDays ?? 30, caFile: c.tls?.caFile, timeoutMs }),
    backupsItem({ ...c.backups, maxAgeMs: o.backupAgeMs ?? 24 * 3_600_000, databaseUrl: o.databaseUrl, timeoutMs }),
    notificationsItem({ webhook: o.webhook ?? c.notifications?.webhook, smtp: c.notifications?.smtp, target: url, timeoutMs, env }),
    loggingItem({ url, file: c.logging?.file, command: c.logging?.command, waitMs: c.logging?.waitMs, timeoutMs }),
  ]);
  const uploads = c.uploads
    ? await uploadsItem({ url, ...c.uploads, user, password, timeoutMs: Math.max(timeoutMs, 60_000) })
    : { id: 'uploads', name: 'Upload limits', status: 'not configured' as const, reason: 'no uploads.limitMb in the config file' };

  const items = [health, tls, envItem(c.requiredEnv, c.envFile, env), uploads, logging, backups, notifications, resources];
  return {
    target: url,
    embedded: o.embedded ?? false,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    ...(o.configFile ? { configFile: o.configFile } : {}),
    items,
    verdict: items.some((i) => i.status === 'fail') ? 'fail' : 'pass',
  };
}

function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([k, v]) => v !== undefined && k !== 'diskPath')) as Partial<T>;
}
