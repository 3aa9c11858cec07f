// Why: the guide's "retry logic: 3 attempts with backoff", for idempotent database reads only
// (a write retried after a lost answer could apply twice). An open breaker is not retried: it
// already says the database is away.
import { setTimeout as sleep } from 'node:timers/promises';

export async function retryTransient<T>(
  fn: () => Promise<T>,
  isTransient: (e: unknown) => boolean,
  opts: { attempts?: number; baseMs?: number; onRetry?: (attempt: number, e: unknown) => void } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 3;
  const base = opts.baseMs ?? 50;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= attempts || !isTransient(e)) throw e;
      opts.onRetry?.(attempt, e);
      // 50 ms, 100 ms, … with ±50 % jitter so many clients retrying at once spread out
      await sleep(base * 2 ** (attempt - 1) * (0.5 + Math.random()));
    }
  }
}
