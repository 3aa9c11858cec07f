/**
 * The engine logger for a run, honouring k6's --log-output (stderr, stdout, none, file=PATH) and -v.
 * Used by the CLI in the main thread and by each worker thread, so every thread logs the same way.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../log.ts';
import type { LogFormat, Logger, LoggerOptions } from '../log.ts';

/** --log-format and --console-output (k6's flags); `truncateConsole`: the first opener (the main thread) starts the file afresh, workers append. */
export interface LogExtras {
  format?: LogFormat;
  consoleOutput?: string;
  truncateConsole?: boolean;
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
): { log: Logger; close(): void } {
  const level = verbose ? 'debug' : 'info';
  const base: LoggerOptions = { level, once, format: extras.format };
  // Emptied synchronously, before any worker thread can start appending (an async 'w' open could
  // truncate lines a fast worker had already written).
  if (extras.consoleOutput && extras.truncateConsole) writeFileSync(extras.consoleOutput, '');
  const consoleFile = extras.consoleOutput ? createWriteStream(extras.consoleOutput, { flags: 'a' }) : undefined;
  if (consoleFile) base.writeConsole = (l) => consoleFile.write(`${l}\n`);
  const closeConsole = () => consoleFile?.end();
  if (logOutput === 'none') return { log: createLogger({ ...base, write: () => {} }), close: closeConsole };
  if (logOutput === 'stdout') return { log: createLogger({ ...base, write: (l) => stdout.write(`${l}\n`) }), close: closeConsole };
  if (logOutput.startsWith('file=')) {
    const file = createWriteStream(logOutput.slice('file='.length), { flags: 'a' });
    return {
      log: createLogger({ ...base, write: (l) => file.write(`${l}\n`) }),
      close: () => {
        file.end();
        closeConsole();
      },
    };
  }
  return { log: createLogger({ ...base, write: (l) => stderr.write(`${l}\n`) }), close: closeConsole };
}
