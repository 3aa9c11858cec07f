/**
 * The VUs of one instance (segment), shared by all its scenarios as in k6: the planned number is
 * initialised before the test starts; when an executor asks for more (arrival-rate growing towards
 * maxVUs) one more is initialised on demand. `active` counts VUs handed out to executors
 * (k6/execution's vusActive, the `vus` metric); `initialized` is `vus_max`.
 */

/** What the pool needs of a VU. */
export interface PoolVu {
  readonly idInInstance: number;
  interrupt(reason?: 'gracefulStop' | 'abort' | 'signal'): void;
  close(): Promise<void> | void;
}

/** VUs initialised concurrently during the up-front init (bounded so 10,000 do not all compile at once). */
const initConcurrency = 64;

export class VuPool<V extends PoolVu> {
  private readonly all: V[] = [];
  /** A stack, lowest id on top: acquire and release are O(1) even with 10,000 VUs. */
  private readonly free: V[] = [];
  private readonly busy = new Set<V>();
  private nextId = 1;
  private creating = 0;

  constructor(private readonly create: (idInInstance: number) => Promise<V>) {}

  get initialized(): number {
    return this.all.length;
  }
  get active(): number {
    return this.busy.size;
  }

  /** Initialises VUs until `n` exist; rejects with the first init error. */
  async initUpTo(n: number): Promise<void> {
    while (this.all.length + this.creating < n) {
      const batch: Promise<void>[] = [];
      while (batch.length < initConcurrency && this.all.length + this.creating < n) batch.push(this.grow());
      await Promise.all(batch);
    }
    this.free.sort((a, b) => b.idInInstance - a.idInInstance);
  }

  private async grow(): Promise<void> {
    const id = this.nextId++;
    this.creating++;
    try {
      const vu = await this.create(id);
      this.all.push(vu);
      this.free.push(vu);
    } finally {
      this.creating--;
    }
  }

  /** A free VU, initialising a new one when none is free. */
  async acquire(): Promise<V> {
    let vu = this.free.pop();
    if (!vu) {
      const id = this.nextId++;
      this.creating++;
      try {
        vu = await this.create(id);
      } finally {
        this.creating--;
      }
      this.all.push(vu);
    }
    this.busy.add(vu);
    return vu;
  }

  release(vu: V): void {
    if (!this.busy.delete(vu)) return;
    this.free.push(vu);
  }

  /** Interrupts every VU that is running an iteration now. */
  interruptActive(reason?: 'gracefulStop' | 'abort' | 'signal'): void {
    for (const vu of this.busy) vu.interrupt(reason);
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.all.map((vu) => vu.close()));
  }
}
