/**
 * The engine logger for a run, honouring k6's --log-output (stderr, stdout, none, file=PATH) and -v.
 * Used by the CLI in the main thread and by each worker thread, so every thread logs the same way.
 * In the main thread (no `once` hand-off) the same iteration exception is logged once with its
 * stack, then counted: a line per 10 s window while it repeats, a total at close() (engine/log.ts
 * RepeatedErrors). Worker threads hand theirs to the main thread through `once`.
 */
import { createWriteStream } from 'node:fs';
import { createLogger, formatLine, RepeatedErrors } from '../log.ts';
import type { Logger, LoggerOptions } from '../log.ts';

export function runLogger(
  logOutput: string,
  verbose: boolean,
  stderr: NodeJS.WritableStream = process.stderr,
  stdout: NodeJS.WritableStream = process.stdout,
  once?: LoggerOptions['once'],
  repeatWindowMs = 10_000,
): { log: Logger; close(): void } {
  const level = verbose ? 'debug' : 'info';
  if (logOutput === 'none') return { log: createLogger({ level, write: () => {} }), close() {} };
  const file = logOutput.startsWith('file=') ? createWriteStream(logOutput.slice('file='.length), { flags: 'a' }) : undefined;
  const out = file ?? (logOutput === 'stdout' ? stdout : stderr);
  const write = (l: string) => void out.write(`${l}\n`);
  const repeats = once ? undefined : new RepeatedErrors((lvl, msg, fields) => write(formatLine(lvl, msg, fields)), repeatWindowMs);
  return {
    log: createLogger({ level, once, repeats, write }),
    close() {
      repeats?.close();
      file?.end();
    },
  };
}
