/**
 * Promise rejections nobody handles inside a script (`asyncFn()` without await, a `.then` without
 * a catch). Node's default would end the whole process; k6 logs "Uncaught (in promise)" and goes
 * on. Installed once per thread when the first script is compiled: a rejection whose stack runs
 * through a loaded script (or that is not an Error at all, which only scripts throw) is logged
 * k6-style with the original file:line; anything else is re-thrown, so engine bugs still crash.
 */
import { createLogger, type Logger } from '../log.ts';

const scripts = new Map<string, (stack: string) => string>();
let installed = false;
let log: Logger = createLogger();

/** Where script rejections are logged (default: the engine's stderr logger). */
export function setUnhandledRejectionLogger(logger: Logger): void {
  log = logger;
}

export function registerScriptForRejections(generatedFile: string, mapStack: (stack: string) => string): void {
  scripts.set(generatedFile, mapStack);
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    if (!(reason instanceof Error)) {
      log.error(`Uncaught (in promise) ${describe(reason)}`, { source: 'stacktrace' });
      return;
    }
    const stack = reason.stack ?? '';
    for (const [file, map] of scripts) {
      if (stack.includes(file)) {
        log.error(`Uncaught (in promise) ${map(stack)}`, { source: 'stacktrace' });
        return;
      }
    }
    process.nextTick(() => {
      throw reason;
    });
  });
}

function describe(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
