/**
 * The engine's logger, in k6's logfmt style on stderr:
 *   time="2026-11-28T15:00:00Z" level=warning msg="Request Failed" source=console
 * One logger for the whole engine; `once` logs a message only the first time its key is seen
 * (k6 warns once per distinct network error, not once per request).
 */
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Logs at `level` only the first time `key` is seen by this logger. */
  once(key: string, level: LogLevel, msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

const order: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 };

function quote(v: string): string {
  return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
}

export function formatLine(level: LogLevel, msg: string, fields: LogFields = {}, now = new Date()): string {
  let line = `time="${now.toISOString()}" level=${level} msg=${JSON.stringify(msg)}`;
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${quote(String(v))}`;
  return line;
}

/** k6's --log-format: logfmt text (default), `raw` (the message alone), `json` (one object a line). */
export type LogFormat = 'text' | 'raw' | 'json';

function formatAs(format: LogFormat, level: LogLevel, msg: string, fields: LogFields): string {
  if (format === 'raw') return msg;
  if (format === 'text') return formatLine(level, msg, fields);
  const o: Record<string, unknown> = { level, msg };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && k !== 'level' && k !== 'msg') o[k] = v;
  o.time = new Date().toISOString();
  return JSON.stringify(o);
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  write?: (line: string) => void;
  /** Where console output (`source=console` lines) goes instead of `write` (k6's --console-output). */
  writeConsole?: (line: string) => void;
  /**
   * Where `once` messages go instead of being written here: a worker thread hands them to the
   * main thread, whose logger remembers keys for all threads (else each worker warns once).
   */
  once?: (key: string, level: LogLevel, msg: string, fields: LogFields) => void;
}

export function createLogger(opts: LoggerOptions = {}, base: LogFields = {}, seen = new Set<string>()): Logger {
  const min = order[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const format = opts.format ?? 'text';
  const log = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (order[level] < min) return;
    const all = { ...base, ...fields };
    const out = opts.writeConsole && all.source === 'console' ? opts.writeConsole : write;
    out(format === 'text' ? formatLine(level, msg, all) : formatAs(format, level, msg, all));
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warning', m, f),
    error: (m, f) => log('error', m, f),
    once(key, level, msg, fields) {
      if (seen.has(key)) return;
      seen.add(key);
      if (opts.once) opts.once(key, level, msg, { ...base, ...fields });
      else log(level, msg, fields);
    },
    child: (fields) => createLogger(opts, { ...base, ...fields }, seen),
  };
}
