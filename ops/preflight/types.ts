/**
 * The preflight's vocabulary: one result per checklist item of the guide's pre-production list,
 * and the report that gathers them. `--json` prints a PreflightReport as it is.
 */
export type ItemStatus = 'pass' | 'warn' | 'fail' | 'not configured';

export interface PreflightItem {
  /** Stable key: health, tls, env, uploads, logging, backups, notifications, resources. */
  id: string;
  /** The checklist's words, for the table. */
  name: string;
  status: ItemStatus;
  /** One line saying why. */
  reason: string;
  /** What was measured, for --json readers (score, days left, age in hours, …). */
  measured?: Record<string, number | string | boolean>;
}

export interface PreflightReport {
  target: string;
  embedded: boolean;
  startedAt: string;
  durationMs: number;
  /** The config file read, when one was. */
  configFile?: string;
  items: PreflightItem[];
  /** 'fail' when any item failed, else 'pass' (warnings and unconfigured items do not fail it). */
  verdict: 'pass' | 'fail';
}

export function item(id: string, name: string, status: ItemStatus, reason: string, measured?: PreflightItem['measured']): PreflightItem {
  return measured ? { id, name, status, reason, measured } : { id, name, status, reason };
}
