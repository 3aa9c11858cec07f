/**
 * Every exit code and engine-level error class in one place (k6's codes: see k6's docs,
 * "errors/codes"). Commands return these numbers; nothing else should invent exit codes.
 */
export const ExitCode = {
  OK: 0,
  /** A threshold was crossed. */
  ThresholdsHaveFailed: 99,
  SetupTimeout: 100,
  TeardownTimeout: 101,
  GenericTimeout: 102,
  GenericEngine: 103,
  /** Options could not be validated: unknown executor, bad duration, bad threshold, … */
  InvalidConfig: 104,
  /** Stopped from outside: Ctrl-C / SIGTERM. */
  ExternalAbort: 105,
  /** An exception in init code or setup(). */
  ScriptException: 107,
  /** The script called `exec.test.abort()`. */
  ScriptAborted: 108,
  /** The script called `exec.test.fail()`. */
  MarkedAsFailed: 110,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that ends the run with a given exit code and a one-line message for the user. */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Invalid options (exit 104). `option` names the offending option, e.g. `scenarios.ramp.stages[1].duration`. */
export class ConfigError extends EngineError {
  constructor(
    readonly option: string,
    reason: string,
  ) {
    super(`invalid option ${option}: ${reason}`, ExitCode.InvalidConfig);
  }
}

/** A script problem found at load time (a blocking call the loader cannot make safe, a syntax error, an unsupported module): `file:line: text`. */
export class ScriptLoadError extends EngineError {
  constructor(message: string) {
    super(message, ExitCode.ScriptException);
  }
}

/**
 * Thrown inside a VU's pending blocking call (sleep, http) when its iteration is interrupted
 * (gracefulStop elapsed, test aborted). The runner counts the iteration as interrupted.
 */
export class IterationInterrupted extends Error {
  constructor(readonly reason: 'gracefulStop' | 'abort' | 'signal' = 'gracefulStop') {
    super(`iteration interrupted (${reason})`);
    this.name = 'IterationInterrupted';
  }
}

/** `exec.test.abort(reason)`: stops the whole test, exit 108. */
export class TestAborted extends EngineError {
  constructor(reason?: string) {
    super(reason ? `test aborted: ${reason}` : 'test aborted', ExitCode.ScriptAborted);
  }
}
