/**
 * The delivery half of the time-series outputs (experimental-prometheus-rw, influxdb): batches are
 * POSTed with a bounded number in flight and a timeout each, queued up to a bound of samples, and
 * dropped — counted, never retried forever — when the remote end is slow, down or refuses them. The
 * first failure is logged once; stop() waits for the queue only up to a deadline. So a broken remote
 * end costs data points, never the test's verdict or its end.
 */
import type * as Undici from 'undici';
import { lazyRequire } from '../lazy-require.ts';
import type { Logger } from '../log.ts';

/** undici loads when a time-series output is used, not at every start. */
const undici = lazyRequire<typeof Undici>('undici');

export interface RemoteBatch {
  body: Uint8Array | string;
  /** Samples (points, series values) in the batch: what a drop costs. */
  samples: number;
}

export interface RemoteWriterOptions {
  /** Output name for messages, e.g. "experimental-prometheus-rw". */
  name: string;
  url: string;
  headers: Record<string, string>;
  /** Samples waiting (not in flight) above which the oldest batches are dropped. */
  maxQueuedSamples: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Per request. */
  timeoutMs: number;
  log: Logger;
  /** Skip TLS certificate checks (K6_*_INSECURE…). */
  insecure?: boolean;
}

export class RemoteWriter {
  private readonly queue: RemoteBatch[] = [];
  private queued = 0;
  private inFlight = 0;
  private readonly idle = new Set<() => void>();
  /** Samples delivered (2xx) and dropped (refused, failed, timed out, or over the bound). */
  sent = 0;
  dropped = 0;
  private firstError: string | null = null;

  private readonly dispatcher: Undici.Dispatcher | undefined;

  constructor(private readonly o: RemoteWriterOptions) {
    this.dispatcher = o.insecure ? new (undici().Agent)({ connect: { rejectUnauthorized: false } }) : undefined;
  }

  /** Queues a batch; drops the oldest queued ones while the bound is exceeded. Never blocks. */
  enqueue(batch: RemoteBatch): void {
    if (batch.samples === 0) return;
    this.queue.push(batch);
    this.queued += batch.samples;
    while (this.queued > this.o.maxQueuedSamples && this.queue.length > 1) {
      const old = this.queue.shift() as RemoteBatch;
      this.queued -= old.samples;
      this.fail(old, `more than ${this.o.maxQueuedSamples} samples waiting for ${this.o.url} (the remote end is too slow)`);
    }
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.o.concurrency && this.queue.length > 0) {
      const batch = this.queue.shift() as RemoteBatch;
      this.queued -= batch.samples;
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
        if (this.inFlight === 0 && this.queue.length === 0) for (const resolve of this.idle) resolve();
      });
    }
  }

  private async send(batch: RemoteBatch): Promise<void> {
    try {
      const res = await undici().fetch(this.o.url, {
        method: 'POST',
        headers: this.o.headers,
        body: batch.body,
        signal: AbortSignal.timeout(this.o.timeoutMs),
        dispatcher: this.dispatcher,
      });
      const text = await res.text().catch(() => '');
      if (res.status >= 200 && res.status < 300) this.sent += batch.samples;
      else this.fail(batch, `HTTP ${res.status} ${text.trim().slice(0, 300)}`);
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${this.o.timeoutMs} ms` : e.cause?.code ?? e.cause?.message ?? e.message;
      this.fail(batch, why);
    }
  }

  private fail(batch: RemoteBatch, why: string): void {
    this.dropped += batch.samples;
    if (this.firstError !== null) return;
    this.firstError = why;
    this.o.log.error(`${this.o.name}: could not write to ${this.o.url}: ${why}; samples are dropped until it answers (the test goes on)`);
  }

  /** Waits until everything queued is delivered or `deadlineMs` has passed; what is left counts as dropped. */
  async drain(deadlineMs: number): Promise<void> {
    if (this.inFlight > 0 || this.queue.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      let done: (() => void) | undefined;
      await new Promise<void>((resolve) => {
        done = resolve;
        this.idle.add(resolve);
        timer = setTimeout(resolve, deadlineMs);
      });
      clearTimeout(timer);
      if (done) this.idle.delete(done);
    }
    for (const batch of this.queue.splice(0)) this.fail(batch, `still queued when the test ended`);
    this.queued = 0;
  }

  /** The end-of-test line for the summary, or undefined when nothing was lost. */
  report(): string | undefined {
    if (this.dropped === 0) return undefined;
    return `${this.o.name}: ${this.dropped} of ${this.dropped + this.sent} samples were dropped (first error: ${this.firstError})`;
  }
}
