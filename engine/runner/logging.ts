/**
 * The engine logger for a run, honouring k6's --log-output (stderr, stdout, none, file=PATH) and -v.
 * Used by the CLI in the main thread and by each worker thread, so every thread logs the same way.
 */
import { createWriteStream } from 'node:fs';
import { createLogger } from '../log.ts';
import type { Logger, LoggerOptions } from '../log.ts';

export function runLogger(
  logOutput: string,
  verbose: boolean,
  stderr: NodeJS.WritableStream = process.stderr,
  stdout: NodeJS.WritableStream = process.stdout,
  once?: LoggerOptions['once'],
): { log: Logger; close(): void } {
  const level = verbose ? 'debug' : 'info';
  if (logOutput === 'none') return { log: createLogger({ level, write: () => {} }), close() {} };
  if (logOutput === 'stdout') return { log: createLogger({ level, once, write: (l) => stdout.write(`${l}\n`) }), close() {} };
  if (logOutput.startsWith('file=')) {
    const file = createWriteStream(logOutput.slice('file='.length), { flags: 'a' });
    return { log: createLogger({ level, once, write: (l) => file.write(`${l}\n`) }), close: () => file.end() };
  }
  return { log: createLogger({ level, once, write: (l) => stderr.write(`${l}\n`) }), close() {} };
}
