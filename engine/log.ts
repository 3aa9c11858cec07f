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

/** What a secret is replaced with in every log line (k6/secrets; k6's exact text). */
export const REDACTED = '***SECRET_REDACTED***';
const secrets = new Set<string>();

/**
 * Marks a value as secret (k6/secrets): from now on no line this thread logs shows it, whatever
 * the source (console, exceptions and their stacks, the repeated-error counter, any format).
 */
export function redactFromLogs(value: string): void {
  if (value !== '') secrets.add(value);
}

/** The text with every secret value replaced by REDACTED (longest first, so a secret that contains another goes whole). */
export function redact(text: string): string {
  if (secrets.size === 0 || text === '') return text;
  let out = text;
  for (const v of [...secrets].sort((a, b) => b.length - a.length)) if (out.includes(v)) out = out.split(v).join(REDACTED);
  return out;
}

/**
 * The stream with every text written to it redacted: for the few lines a command writes to stderr
 * itself rather than through a Logger (an engine error that ends the run can quote a script's
 * error, and with it a secret). Everything else about the stream (isTTY, columns, …) is the stream's.
 */
export function redactedWrites<T extends NodeJS.WritableStream>(stream: T): T {
  return new Proxy(stream, {
    get(target, prop, receiver) {
      if (prop !== 'write') return Reflect.get(target, prop, receiver);
      return (chunk: unknown, ...rest: unknown[]) => (target.write as (...a: unknown[]) => boolean).call(target, typeof chunk === 'string' ? redact(chunk) : chunk, ...rest);
    },
  });
}

/** A message and its fields with the secrets taken out of both (field names too, as k6 redacts whole lines). */
function redactEntry(msg: string, fields: LogFields): { msg: string; fields: LogFields } {
  if (secrets.size === 0) return { msg, fields };
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) out[redact(k)] = typeof v === 'string' ? redact(v) : v;
  return { msg: redact(msg), fields: out };
}

function quote(v: string): string {
  return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
}

export function formatLine(level: LogLevel, rawMsg: string, rawFields: LogFields = {}, now = new Date()): string {
  const { msg, fields } = redactEntry(rawMsg, rawFields);
  let line = `time="${now.toISOString()}" level=${level} msg=${JSON.stringify(msg)}`;
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${quote(String(v))}`;
  return line;
}

/** k6's --log-format: logfmt text (default), `raw` (the message alone), `json` (one object a line). */
export type LogFormat = 'text' | 'raw' | 'json';

/** Every log line is made here (or in formatLine), so this is where secrets are redacted. */
export function formatAs(format: LogFormat, level: LogLevel, rawMsg: string, rawFields: LogFields): string {
  if (format === 'text') return formatLine(level, rawMsg, rawFields);
  const { msg, fields } = redactEntry(rawMsg, rawFields);
  if (format === 'raw') return msg;
  const o: Record<string, unknown> = { level, msg };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && k !== 'level' && k !== 'msg') o[k] = v;
  o.time = new Date().toISOString();
  return JSON.stringify(o);
}

/**
 * One error, one line: the same iteration exception (source=stacktrace; same first line, same
 * place) is logged with its stack the first time, then only counted. Every `windowMs` one line
 * says how often each repeated ("… repeated 10,342 times in the last 10 s"), and `close()` sums
 * them up. Lives in the main thread; worker threads hand their exceptions to it (LoggerOptions.once
 * with a `repeatKeyPrefix` key), so the counts cover every worker.
 */
export class RepeatedErrors {
  private readonly seen = new Map<string, { msg: string; fields: LogFields; recent: number; total: number }>();
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (level: LogLevel, msg: string, fields: LogFields) => void,
    private readonly windowMs = 10_000,
  ) {
    if (windowMs > 0) {
      this.timer = setInterval(() => this.flush(), windowMs);
      this.timer.unref();
    }
  }

  /** Counts one occurrence; true the first time (the caller logs it in full). */
  note(key: string, msg: string, fields: LogFields): boolean {
    const e = this.seen.get(key);
    if (e) {
      e.recent++;
      e.total++;
      return false;
    }
    this.seen.set(key, { msg: msg.split('\n')[0] as string, fields, recent: 0, total: 1 });
    return true;
  }

  /** One line per exception that repeated since the last flush. */
  flush(): void {
    const secs = Math.round(this.windowMs / 1000);
    for (const e of this.seen.values()) {
      if (e.recent === 0) continue;
      this.write('error', `… repeated ${e.recent.toLocaleString('en-US')} times in the last ${secs} s: ${e.msg}`, e.fields);
      e.recent = 0;
    }
  }

  /** Stops the timer, flushes, and sums up every exception that was thrown more than once. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const e of this.seen.values()) e.recent = 0;
    for (const e of this.seen.values()) {
      if (e.total > 1) this.write('error', `thrown ${e.total.toLocaleString('en-US')} times in all: ${e.msg}`, e.fields);
    }
    this.seen.clear();
  }
}

/** `once` keys with this prefix are repeated exceptions: counted by the main thread's RepeatedErrors, never dropped. */
export const repeatKeyPrefix = 'repeat\u0000';

/** A `once` key with its secrets taken out (a repeated exception's key holds its first line). */
function redactKey(key: string): string {
  return secrets.size === 0 ? key : redact(key);
}

/** The identity of an iteration exception: its first line and where it was thrown. */
function repeatKey(msg: string, fields: LogFields): string {
  return `${repeatKeyPrefix}${msg.split('\n')[0]}\u0000${fields.at ?? ''}`;
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
  /** The main thread's counter of repeated exceptions (see RepeatedErrors). */
  repeats?: RepeatedErrors;
}

export function createLogger(opts: LoggerOptions = {}, base: LogFields = {}, seen = new Set<string>()): Logger {
  const min = order[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const format = opts.format ?? 'text';
  const line = (level: LogLevel, msg: string, all: LogFields) => (format === 'text' ? formatLine(level, msg, all) : formatAs(format, level, msg, all));
  const plain = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (order[level] < min) return;
    const all = { ...base, ...fields };
    const out = opts.writeConsole && all.source === 'console' ? opts.writeConsole : write;
    out(line(level, msg, all));
  };
  const log = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (level === 'error' && fields?.source === 'stacktrace' && (opts.repeats || opts.once)) {
      const all = { ...base, ...fields };
      const key = repeatKey(msg, all);
      if (opts.repeats) {
        if (opts.repeats.note(key, msg, all)) plain(level, msg, fields);
      } else {
        // handed to the main thread, which does not know this thread's secrets: redacted here
        const r = redactEntry(msg, all);
        opts.once?.(redactKey(key), level, r.msg, r.fields);
      }
      return;
    }
    plain(level, msg, fields);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warning', m, f),
    error: (m, f) => log('error', m, f),
    once(key, level, msg, fields) {
      // a worker's repeated exception: counted here, in the main thread
      if (key.startsWith(repeatKeyPrefix) && opts.repeats) {
        if (opts.repeats.note(key, msg, { ...base, ...fields })) write(line(level, msg, { ...base, ...fields }));
        return;
      }
      if (seen.has(key)) return;
      seen.add(key);
      if (opts.once) {
        const r = redactEntry(msg, { ...base, ...fields });
        opts.once(redactKey(key), level, r.msg, r.fields);
      } else log(level, msg, fields);
    },
    child: (fields) => createLogger(opts, { ...base, ...fields }, seen),
  };
}
