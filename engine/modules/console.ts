/**
 * The script's `console` (a per-VU global, not an import): k6 prints console output through its
 * logger as `level=info msg="…" source=console`; so does the engine, through engine/log.ts.
 * Objects are printed as JSON like k6 does; one console object is shared by all VUs that share a
 * logger (it holds no per-VU state).
 */
import { inspect } from 'node:util';
import type { Logger } from '../log.ts';

export interface ScriptConsole {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  trace(...args: unknown[]): void;
}

function formatArg(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Error) return v.stack ?? `${v.name}: ${v.message}`;
  if (v !== null && typeof v === 'object') {
    try {
      return JSON.stringify(v) ?? String(v);
    } catch {
      return inspect(v, { depth: 4 });
    }
  }
  return String(v);
}

/** k6 joins console arguments with spaces (secret values are redacted where every log line is made, engine/log.ts). */
export function formatConsoleArgs(args: unknown[]): string {
  return args.map(formatArg).join(' ');
}

const consoles = new WeakMap<Logger, ScriptConsole>();

export function consoleFor(log: Logger): ScriptConsole {
  let c = consoles.get(log);
  if (c) return c;
  const fields = { source: 'console' };
  c = {
    log: (...a) => log.info(formatConsoleArgs(a), fields),
    info: (...a) => log.info(formatConsoleArgs(a), fields),
    debug: (...a) => log.debug(formatConsoleArgs(a), fields),
    trace: (...a) => log.debug(formatConsoleArgs(a), fields),
    warn: (...a) => log.warn(formatConsoleArgs(a), fields),
    error: (...a) => log.error(formatConsoleArgs(a), fields),
  };
  consoles.set(log, c);
  return c;
}
