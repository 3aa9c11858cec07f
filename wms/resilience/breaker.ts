// Why: circuit breakers (opossum) around the database and Redis. While a dependency keeps failing,
// requests fail at once with 503 + Retry-After instead of piling up on a dead connection; after
// `resetMs` one trial request goes through (half-open) and a success closes the breaker again.
// Only "dependency unavailable" errors count as failures: a constraint violation or a refused
// order is an answer from a healthy database.
import CircuitBreaker from 'opossum';

export type BreakerState = 'closed' | 'half-open' | 'open';

/** Thrown while a breaker is open; the error handler answers 503 with Retry-After. */
export class BreakerOpenError extends Error {
  statusCode = 503;
  constructor(
    public breaker: string,
    public retryAfterSeconds: number,
  ) {
    super(`${breaker} unavailable (circuit open), retry in ${retryAfterSeconds} s`);
  }
}

export interface Breaker {
  name: string;
  run<T>(fn: () => Promise<T>): Promise<T>;
  state(): BreakerState;
  shutdown(): void;
}

export function createBreaker(
  name: string,
  opts: { resetMs: number; isFailure: (e: unknown) => boolean; timeoutMs?: number; volumeThreshold?: number },
): Breaker {
  const cb = new CircuitBreaker((fn: () => Promise<unknown>) => fn(), {
    timeout: opts.timeoutMs ?? false,
    resetTimeout: opts.resetMs,
    errorThresholdPercentage: 50,
    // At least this many calls in the rolling 10 s window before the breaker may open, so two
    // failed requests in a quiet minute do not cut the service off.
    volumeThreshold: opts.volumeThreshold ?? 10,
    errorFilter: (e: unknown) => !opts.isFailure(e),
  });
  let openedAt = 0;
  cb.on('open', () => (openedAt = Date.now()));
  const retryAfter = () => Math.max(1, Math.ceil((openedAt + opts.resetMs - Date.now()) / 1000));
  return {
    name,
    run: async <T>(fn: () => Promise<T>) => {
      try {
        return (await cb.fire(fn)) as T;
      } catch (e: any) {
        if (e?.code === 'EOPENBREAKER') throw new BreakerOpenError(name, retryAfter());
        throw e;
      }
    },
    state: () => (cb.opened ? 'open' : cb.halfOpen ? 'half-open' : 'closed'),
    shutdown: () => cb.shutdown(),
  };
}

/** Gauge value for a state: 0 closed, 1 half-open, 2 open. */
export const stateValue = (s: BreakerState): number => (s === 'closed' ? 0 : s === 'half-open' ? 1 : 2);
