/**
 * The per-VU connection layer. Each VU owns its connections (VuConnections: per origin, a list
 * of connections carrying one request at a time, kept alive across iterations, as k6's per-VU
 * transport). Every socket is opened through the timed connector (connector.ts); each request is
 * one Exchange (exchange.ts).
 */
import type { Client as UndiciClient, Dispatcher } from 'undici';
import { lazyRequire } from '../../lazy-require.ts';
import { timedConnector, type Connector, type TransportOptions } from './connector.ts';
import type { Exchange } from './exchange.ts';
import { H1Connection } from './h1-connection.ts';

// undici's Client is loaded for the first https: origin only (~50 ms of a worker's start-up on a
// slow 2-core host). Not its index: that also loads fetch, WebSocket, caches and mocks (~110 ms).
// Same module instance as the index's export (undici 7 has no exports map to forbid the path).
const undiciClient = lazyRequire<typeof UndiciClient>('undici/lib/dispatcher/client.js');

/**
 * undici writes a request on a Client synchronously only while the Client has room for it; with
 * pipelining 1, a request dispatched right after the previous response ended waits for undici's
 * setImmediate-deferred resume. We never put two of our exchanges on one Client (a Client is
 * chosen only when idle), so a depth of 2 only removes that wait; it does not pipeline.
 */
const PIPELINING = Number(process.env.AETOS_HTTP_PIPELINING ?? 2);

/**
 * Which transport carries plain http: requests: `h1` (h1-connection.ts, the default) or `undici`
 * (its Client, as https: always uses). For A/B measurements and as a way around a parser
 * problem; not a user option.
 */
const PLAIN = process.env.AETOS_HTTP_TRANSPORT === 'undici' ? 'undici' : 'h1';

/** One connection (one socket at a time) whichever transport carries it. */
interface Connection {
  dispatch(opts: Dispatcher.DispatchOptions, ex: Exchange): void;
  close(): Promise<void>;
  destroy(): Promise<void>;
  readonly connected: boolean;
}

/** undici's Client behind the Connection shape (https:, or http: with AETOS_HTTP_TRANSPORT=undici). */
class UndiciConnection implements Connection {
  private readonly client: UndiciClient;
  constructor(origin: string, connect: Connector) {
    const Client = undiciClient();
    this.client = new Client(origin, {
      connect,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: 0,
      bodyTimeout: 0,
      pipelining: PIPELINING,
    });
  }
  dispatch(opts: Dispatcher.DispatchOptions, ex: Exchange): void {
    this.client.dispatch(opts, ex as unknown as Dispatcher.DispatchHandler);
  }
  get connected(): boolean {
    return Number(this.client.stats.connected) > 0;
  }
  close(): Promise<void> {
    return this.client.close().catch(() => {});
  }
  destroy(): Promise<void> {
    return this.client.destroy().catch(() => {});
  }
}

function openConnection(origin: string, connect: Connector): Connection {
  if (PLAIN === 'h1' && origin.startsWith('http:')) {
    const u = new URL(origin);
    const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    return new H1Connection({ host: u.host, hostname, port: u.port }, connect);
  }
  return new UndiciConnection(origin, connect);
}

/** One connection and how many of our exchanges use it. */
interface Slot {
  conn: Connection;
  busy: number;
}

/**
 * A VU's connections: per origin, a list of connections, each carrying one request at a time
 * (no pipelining, as Go's transport). A request takes the first idle connection or opens a new
 * one. (undici's own Pool marks a Client free only a tick after its response completed, so a
 * VU's back-to-back requests would open a second socket; counting our own exchanges instead
 * keeps one socket per VU for sequential requests, as in k6.)
 */
export class VuConnections {
  private readonly origins = new Map<string, Slot[]>();
  private readonly connect: Connector;
  constructor(opts: TransportOptions) {
    this.connect = timedConnector(opts);
  }

  dispatch(opts: Dispatcher.DispatchOptions & { origin: string }, ex: Exchange): void {
    let slots = this.origins.get(opts.origin);
    if (!slots) {
      slots = [];
      this.origins.set(opts.origin, slots);
    }
    let slot: Slot | undefined;
    for (let i = 0; i < slots.length; i++)
      if (slots[i]!.busy === 0) {
        slot = slots[i];
        break;
      }
    if (!slot) {
      slot = { conn: openConnection(opts.origin, this.connect), busy: 0 };
      slots.push(slot);
    }
    slot.busy++;
    ex.slot = slot;
    slot.conn.dispatch(opts, ex);
  }

  /** Open sockets (tests, diagnostics). */
  connected(): number {
    let n = 0;
    for (const slots of this.origins.values()) for (const s of slots) n += Number(s.conn.connected);
    return n;
  }

  async destroy(): Promise<void> {
    const all: Promise<void>[] = [];
    for (const slots of this.origins.values()) for (const s of slots) all.push(s.conn.destroy());
    this.origins.clear();
    await Promise.all(all);
  }

  async close(): Promise<void> {
    const all: Promise<void>[] = [];
    for (const slots of this.origins.values()) for (const s of slots) all.push(s.conn.close());
    this.origins.clear();
    await Promise.all(all);
  }
}
