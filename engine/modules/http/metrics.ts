/**
 * The samples one request (one hop) emits, with k6's built-in metric names and system tags.
 * The VU merges its own tags (scenario, group, user tags); this adds the per-request ones.
 * data_sent/data_received carry only the VU's tags, as in k6, and are summed per iteration.
 */
import type { Tags, VuContext } from '../../types.ts';
import type { Timings } from './exchange.ts';

export interface HopSample {
  timings: Timings;
  tags: Tags;
  /** null when no response callback applies (no http_req_failed sample). */
  failed: boolean | null;
}

/** A hop's metrics, in the order emitHop gives their values; http_req_failed last (it may be absent). */
const HOP_METRICS = [
  'http_reqs',
  'http_req_duration',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
  'http_req_failed',
] as const;

export function emitHop(vu: VuContext, s: HopSample, time: number): void {
  const t = s.timings;
  // built at its final length: a push onto the literal would grow (copy) its backing store
  const values =
    s.failed === null
      ? [1, t.duration, t.blocked, t.connecting, t.tls_handshaking, t.sending, t.waiting, t.receiving]
      : [1, t.duration, t.blocked, t.connecting, t.tls_handshaking, t.sending, t.waiting, t.receiving, s.failed ? 1 : 0];
  vu.emitMany(HOP_METRICS, values, s.tags, time);
}

const DATA_METRICS = ['data_sent', 'data_received'] as const;

/** Sums bytes on the wire and emits data_sent/data_received at iteration end (or at once outside iterations). */
export class DataCounter {
  private sent = 0;
  private received = 0;
  constructor(private readonly vu: VuContext) {}
  add(sent: number, received: number): void {
    this.sent += sent;
    this.received += received;
    if (this.vu.phase !== 'iteration') this.flush();
  }
  flush(): void {
    if (this.sent === 0 && this.received === 0) return;
    this.vu.emitMany(DATA_METRICS, [this.sent, this.received], undefined, Date.now());
    this.sent = 0;
    this.received = 0;
  }
}
