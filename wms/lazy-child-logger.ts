// Why: fastify gives every request a child of the target's pino logger (bound to its request id),
// and pino serializes the child's bindings when it makes one: ~1 % of the CPU of a cached read
// (issue 21). Under a load test almost no request logs anything (request lines are sampled,
// request-log.ts; errors are rare), so the child is made by the first line a request logs. The lines
// are the same as the eager child's: the same bindings, options and parent.
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, LevelWithSilentOrString, Logger } from 'pino';

type Log = (...args: unknown[]) => void;

class LazyChildLogger {
  private made: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly own: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  /** The pino child, made on first use. */
  private get real(): Logger {
    return (this.made ??= this.parent.child(this.own, this.options));
  }

  /** Whether a line of `level` is written: asked of the parent (a child of the same level answers the same) until the child exists. */
  isLevelEnabled(level: LevelWithSilentOrString): boolean {
    if (this.made === undefined && this.options.level === undefined) return this.parent.isLevelEnabled(level);
    return this.real.isLevelEnabled(level);
  }

  private write(level: Level, args: unknown[]): void {
    if (this.isLevelEnabled(level)) (this.real[level] as Log)(...args);
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}

  get level(): LevelWithSilentOrString {
    return this.made?.level ?? this.options.level ?? this.parent.level;
  }
  set level(level: LevelWithSilentOrString) {
    this.real.level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.real.child(bindings, options);
  }

  bindings(): Bindings {
    return this.real.bindings();
  }
}

/** fastify's `childLoggerFactory`: a request's logger that makes its pino child on first use. */
export function lazyChildLogger(this: unknown, parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyChildLogger(parent as Logger, bindings, options) as unknown as FastifyBaseLogger;
}
