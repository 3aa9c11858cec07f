// Why: the live fault settings every plugin consults (latency, error rate, leak, slow queries,
// outage). Kept apart from the routes so the db layer can read it without importing Fastify.
import type { FaultSettings } from '../config.ts';

export class FaultState {
  latencyMs = 0;
  errorRate = 0;
  leakMbPerMin = 0;
  slowQueryMs = 0;
  /** Epoch ms until which the database counts as down. */
  outageUntil = 0;
  leaked: Buffer[] = [];
  leakedBytes = 0;
  private leakTimer?: NodeJS.Timeout;
  private leakCarry = 0;
  private static readonly tickMs = 250;

  constructor(initial?: Partial<FaultSettings>) {
    if (initial) this.merge(initial);
  }

  merge(f: Partial<FaultSettings>): void {
    if (f.latencyMs !== undefined) this.latencyMs = f.latencyMs;
    if (f.errorRate !== undefined) this.errorRate = f.errorRate;
    if (f.slowQueryMs !== undefined) this.slowQueryMs = f.slowQueryMs;
    if (f.dbOutageSeconds !== undefined) this.outageUntil = f.dbOutageSeconds > 0 ? Date.now() + f.dbOutageSeconds * 1000 : 0;
    if (f.leakMbPerMin !== undefined) this.setLeak(f.leakMbPerMin);
  }

  /** Clears every fault and frees what the leak retained. */
  clear(): void {
    this.latencyMs = 0;
    this.errorRate = 0;
    this.slowQueryMs = 0;
    this.outageUntil = 0;
    this.setLeak(0);
    this.leaked = [];
    this.leakedBytes = 0;
  }

  dbDown(): boolean {
    return this.outageUntil > Date.now();
  }

  snapshot() {
    return {
      latencyMs: this.latencyMs,
      errorRate: this.errorRate,
      leakMbPerMin: this.leakMbPerMin,
      slowQueryMs: this.slowQueryMs,
      dbOutageSeconds: Math.max(0, Math.ceil((this.outageUntil - Date.now()) / 1000)),
      leakedBytes: this.leakedBytes,
    };
  }

  private setLeak(mbPerMin: number): void {
    this.leakMbPerMin = mbPerMin;
    if (this.leakTimer) clearInterval(this.leakTimer);
    this.leakTimer = undefined;
    if (mbPerMin <= 0) return;
    const perTick = (mbPerMin * 1024 * 1024 * FaultState.tickMs) / 60_000;
    this.leakTimer = setInterval(() => {
      this.leakCarry += perTick;
      const n = Math.floor(this.leakCarry);
      if (n <= 0) return;
      this.leakCarry -= n;
      // allocUnsafe + fill touches every page, so the leak shows in RSS, not only in the counter.
      const b = Buffer.allocUnsafe(n).fill(0x5a);
      this.leaked.push(b);
      this.leakedBytes += n;
    }, FaultState.tickMs);
    this.leakTimer.unref();
  }

  stop(): void {
    if (this.leakTimer) clearInterval(this.leakTimer);
    this.leakTimer = undefined;
  }
}
