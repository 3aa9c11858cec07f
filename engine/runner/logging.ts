/**
 * The engine logger for a run, honouring k6's --log-output (stderr, stdout, none, file=PATH), -v,
 * --log-format and --console-output. Used by the CLI in the main thread and by each worker thread,
 * so every thread logs the same way. In the main thread (no `once` hand-off) the same iteration
 * exception is logged once with its stack, then counted: a line per 10 s window while it repeats,
 * a total at close() (engine/log.ts RepeatedErrors). Worker threads hand theirs to the main thread
 * through `once`.
 */
import { appendFileSync, createWriteStream, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger, formatAs, RepeatedErrors } from '../log.ts';
import type { LogFormat, Logger, LoggerOptions } from '../log.ts';

/**
 * --log-format and --console-output (k6's flags); `truncateConsole`: the first opener (the main
 * thread) starts the file afresh, workers append. `appendConsoleSync`: each console line is
 * appended before the call returns (worker threads: a thread is terminated once it has said it is
 * done, and an async stream's last lines died with it).
 */
export interface LogExtras {
  format?: LogFormat;
  consoleOutput?: string;
  truncateConsole?: boolean;
  appendConsoleSync?: boolean;
}

/** The LogExtras of consolidated settings; the console file is resolved against the run's folder. */
export function logExtrasOf(settings: { logFormat?: LogFormat; consoleOutput?: string }, cwd: string): LogExtras {
  return { format: settings.logFormat, consoleOutput: settings.consoleOutput && path.resolve(cwd, settings.consoleOutput) };
}

export function runLogger(
  logOutput: string,
  verbose: boolean,
  stderr: NodeJS.WritableStream = process.stderr,
  stdout: NodeJS.WritableStream = process.stdout,
  once?: LoggerOptions['once'],
  extras: LogExtras = {},
  repeatWindowMs = 10_000,
): { log: Logger; close(): void } {
  const level = verbose ? 'debug' : 'info';
  const format = extras.format ?? 'text';
  // Emptied synchronously, before any worker thread can start appending (an async 'w' open could
  // truncate lines a fast worker had already written).
  if (extras.consoleOutput && extras.truncateConsole) writeFileSync(extras.consoleOutput, '');
  const consoleOutput = extras.consoleOutput;
  const consoleFile = consoleOutput && !extras.appendConsoleSync ? createWriteStream(consoleOutput, { flags: 'a' }) : undefined;
  const writeConsole = consoleFile
    ? (l: string) => void consoleFile.write(`${l}\n`)
    : consoleOutput
      ? (l: string) => appendFileSync(consoleOutput, `${l}\n`)
      : undefined;
  if (logOutput === 'none') return { log: createLogger({ level, format, writeConsole, write: () => {} }), close: () => consoleFile?.end() };
  const file = logOutput.startsWith('file=') ? createWriteStream(logOutput.slice('file='.length), { flags: 'a' }) : undefined;
  const out = file ?? (logOutput === 'stdout' ? stdout : stderr);
  const write = (l: string) => void out.write(`${l}\n`);
  const repeats = once ? undefined : new RepeatedErrors((lvl, msg, fields) => write(formatAs(format, lvl, msg, fields)), repeatWindowMs);
  return {
    log: createLogger({ level, format, once, repeats, write, writeConsole }),
    close() {
      repeats?.close();
      file?.end();
      consoleFile?.end();
    },
  };
}
