/**
 * `aetos.config.json`: what the preflight needs to know about a deployment that it cannot find
 * out by itself — the environment variables it must have, its upload limit, where its log and
 * its backups are, where alerts go, and the resource levels to judge. Every key is optional: an
 * item without its settings is reported `not configured`, never guessed.
 *
 *   {
 *     "requiredEnv": ["DATABASE_URL", "JWT_SECRET"],
 *     "envFile": ".env.production",
 *     "tls": { "caFile": "ca.pem" },
 *     "uploads": { "path": "/api/uploads", "limitMb": 20, "field": "file", "dir": "/srv/uploads" },
 *     "logging": { "file": "/var/log/aetos/api.log" }            or { "command": "docker logs --since 2m aetos-api" },
 *     "backups": { "dir": "/backups", "pattern": "\\.dump$" }     or { "command": "ls -t /backups/*.dump | head -1" },
 *     "notifications": { "webhook": "https://hooks.example/alerts",
 *                        "smtp": { "host": "smtp.example", "port": 587, "user": "alerts", "passwordEnv": "SMTP_PASSWORD",
 *                                  "from": "aetos@example", "to": "ops@example" } },
 *     "resources": { "cpuPercent": 80, "memoryPercent": 85, "diskPercent": 90, "diskPath": "/" }
 *   }
 *
 * Paths are relative to the config file's folder. A malformed file is one line naming the key.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  user?: string;
  /** Name of the environment variable holding the password (never the password itself). */
  passwordEnv?: string;
  from: string;
  to: string;
}

export interface PreflightConfig {
  requiredEnv?: string[];
  /** A dotenv file of the deployment checked besides this process's environment. */
  envFile?: string;
  tls?: { caFile?: string };
  uploads?: { path?: string; limitMb: number; field?: string; dir?: string };
  logging?: { file?: string; command?: string; waitMs?: number };
  backups?: { dir?: string; pattern?: string; command?: string; restore?: boolean };
  notifications?: { webhook?: string; smtp?: SmtpSettings };
  resources?: { cpuPercent?: number; memoryPercent?: number; diskPercent?: number; diskPath?: string };
}

export const defaultConfigFile = 'aetos.config.json';

export class ConfigError extends Error {
  constructor(file: string, what: string) {
    super(`${file}: ${what}`);
    this.name = 'ConfigError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and checks the config; `undefined` when no file was named and the default does not exist. */
export function loadPreflightConfig(file: string | undefined, cwd = process.cwd()): { file?: string; config: PreflightConfig } {
  const named = file !== undefined;
  const f = path.resolve(cwd, file ?? defaultConfigFile);
  if (!existsSync(f)) {
    if (named) throw new ConfigError(file, 'no such file');
    return { config: {} };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(f, 'utf8'));
  } catch (err) {
    throw new ConfigError(f, `not valid JSON: ${(err as Error).message}`);
  }
  return { file: f, config: checkConfig(raw, f) };
}

/** Validates the shape and resolves the paths against the file's folder. Throws naming the key. */
export function checkConfig(raw: unknown, file: string): PreflightConfig {
  const bad = (key: string, want: string) => new ConfigError(file, `"${key}" must be ${want}`);
  if (!isObj(raw)) throw new ConfigError(file, 'must hold a JSON object');
  const dir = path.dirname(file);
  const rel = (p: string) => path.resolve(dir, p);
  const str = (o: Obj, key: string, where: string): string | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') throw bad(`${where}.${key}`, 'a non-empty string');
    return v;
  };
  const num = (o: Obj, key: string, where: string): number | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(`${where}.${key}`, 'a number ≥ 0');
    return v;
  };
  const section = (key: string): Obj | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (!isObj(v)) throw bad(key, 'an object');
    return v;
  };
  const out: PreflightConfig = {};
  if (raw.requiredEnv !== undefined) {
    if (!Array.isArray(raw.requiredEnv) || raw.requiredEnv.some((n) => typeof n !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)))
      throw bad('requiredEnv', 'a list of environment variable names');
    out.requiredEnv = raw.requiredEnv as string[];
  }
  if (raw.envFile !== undefined) out.envFile = rel(str(raw, 'envFile', '') as string);
  const tls = section('tls');
  if (tls) out.tls = { caFile: tls.caFile !== undefined ? rel(str(tls, 'caFile', 'tls') as string) : undefined };
  const up = section('uploads');
  if (up) {
    const limitMb = num(up, 'limitMb', 'uploads');
    if (limitMb === undefined || limitMb <= 0) throw bad('uploads.limitMb', 'the service\'s upload limit in MB (> 0)');
    const p = str(up, 'path', 'uploads');
    if (p !== undefined && !p.startsWith('/')) throw bad('uploads.path', 'a path starting with /');
    const d = str(up, 'dir', 'uploads');
    out.uploads = { limitMb, path: p, field: str(up, 'field', 'uploads'), dir: d && rel(d) };
  }
  const log = section('logging');
  if (log) {
    const f = str(log, 'file', 'logging');
    const command = str(log, 'command', 'logging');
    if (!f && !command) throw bad('logging', 'an object with "file" or "command"');
    out.logging = { file: f && rel(f), command, waitMs: num(log, 'waitMs', 'logging') };
  }
  const bk = section('backups');
  if (bk) {
    const d = str(bk, 'dir', 'backups');
    const command = str(bk, 'command', 'backups');
    if (!d && !command) throw bad('backups', 'an object with "dir" or "command"');
    const pattern = str(bk, 'pattern', 'backups');
    if (pattern !== undefined) {
      try {
        new RegExp(pattern);
      } catch {
        throw bad('backups.pattern', 'a regular expression');
      }
    }
    if (bk.restore !== undefined && typeof bk.restore !== 'boolean') throw bad('backups.restore', 'true or false');
    out.backups = { dir: d && rel(d), command, pattern, restore: bk.restore as boolean | undefined };
  }
  const no = section('notifications');
  if (no) {
    const webhook = str(no, 'webhook', 'notifications');
    if (webhook !== undefined && !/^https?:\/\//.test(webhook)) throw bad('notifications.webhook', 'an http(s) URL');
    out.notifications = { webhook };
    if (no.smtp !== undefined) {
      if (!isObj(no.smtp)) throw bad('notifications.smtp', 'an object');
      const s = no.smtp;
      const host = str(s, 'host', 'notifications.smtp');
      const port = num(s, 'port', 'notifications.smtp');
      const from = str(s, 'from', 'notifications.smtp');
      const to = str(s, 'to', 'notifications.smtp');
      if (!host || !port || !from || !to) throw bad('notifications.smtp', 'an object with host, port, from and to');
      if (s.secure !== undefined && typeof s.secure !== 'boolean') throw bad('notifications.smtp.secure', 'true or false');
      out.notifications.smtp = { host, port, from, to, secure: s.secure as boolean | undefined, user: str(s, 'user', 'notifications.smtp'), passwordEnv: str(s, 'passwordEnv', 'notifications.smtp') };
    }
  }
  const res = section('resources');
  if (res) {
    const pct = (k: string) => {
      const v = num(res, k, 'resources');
      if (v !== undefined && v > 100) throw bad(`resources.${k}`, 'a percentage (0–100)');
      return v;
    };
    const d = str(res, 'diskPath', 'resources');
    out.resources = { cpuPercent: pct('cpuPercent'), memoryPercent: pct('memoryPercent'), diskPercent: pct('diskPercent'), diskPath: d && rel(d) };
  }
  return out;
}
