/**
 * The web dashboard's settings, as k6 names them: K6_WEB_DASHBOARD (true: serve it),
 * K6_WEB_DASHBOARD_HOST (default 127.0.0.1), _PORT (default 5665; 0 picks a free port),
 * _PERIOD (how often the page updates; default 2s here, k6's is 10s), _OPEN (open a browser),
 * _EXPORT (write the HTML report to this file at the end). `--out web-dashboard=port=0&export=r.html`
 * sets the same keys (host, port, period, open, export) over the env's. A bad value is a
 * ConfigError naming the variable or the --out key (exit 104).
 */
import { ConfigError } from '../errors.ts';
import { durationMs, parseBoolean, parseInteger } from './values.ts';

export interface WebDashboardSettings {
  enabled: boolean;
  host: string;
  port: number;
  periodMs: number;
  open: boolean;
  /** File the HTML report is written to at the end ('' = none). */
  export: string;
}

const keys = { host: 'HOST', port: 'PORT', period: 'PERIOD', open: 'OPEN', export: 'EXPORT' } as const;

function apply(s: WebDashboardSettings, key: keyof typeof keys, value: string, name: string): void {
  if (key === 'host') s.host = value.trim() || '127.0.0.1';
  else if (key === 'port') {
    s.port = parseInteger(name, value);
    if (s.port > 65535) throw new ConfigError(name, `${s.port} is not a port (0-65535)`);
  } else if (key === 'period') {
    const ms = durationMs(value.trim());
    if (ms === undefined || ms < 100) throw new ConfigError(name, `"${value}" is not a duration of at least 100ms (e.g. 2s)`);
    s.periodMs = ms;
  } else if (key === 'open') s.open = parseBoolean(name, value);
  else s.export = value.trim();
}

export function webDashboardFromEnv(env: Record<string, string | undefined> = {}): WebDashboardSettings {
  const s: WebDashboardSettings = { enabled: false, host: '127.0.0.1', port: 5665, periodMs: 2000, open: false, export: '' };
  if (env.K6_WEB_DASHBOARD !== undefined) s.enabled = parseBoolean('K6_WEB_DASHBOARD', env.K6_WEB_DASHBOARD);
  for (const [key, suffix] of Object.entries(keys) as [keyof typeof keys, string][]) {
    const name = `K6_WEB_DASHBOARD_${suffix}`;
    const v = env[name];
    if (v !== undefined && v !== '') apply(s, key, v, name);
  }
  return s;
}

/** `--out web-dashboard=port=0&period=1s` (or `,`-separated) over the env's settings. */
export function webDashboardFromOut(arg: string, base: WebDashboardSettings): WebDashboardSettings {
  const s = { ...base, enabled: true };
  for (const part of arg.split(/[&,]/).filter((p) => p.trim() !== '')) {
    const eq = part.indexOf('=');
    const key = (eq === -1 ? part : part.slice(0, eq)).trim();
    if (!(key in keys)) throw new ConfigError('out', `"web-dashboard=${arg}": unknown key "${key}" (host, port, period, open, export)`);
    apply(s, key as keyof typeof keys, eq === -1 ? 'true' : part.slice(eq + 1), `--out web-dashboard ${key}`);
  }
  return s;
}
