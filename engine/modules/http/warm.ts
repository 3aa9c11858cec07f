/**
 * The transport's first request in a thread costs far more than the later ones: undici compiles
 * its HTTP/1.1 parser (llhttp, WebAssembly) and loads parts of itself on its first connection, Node
 * its socket internals, V8 the request path. When that happened inside the test's first iteration
 * it stalled every VU's first request: against a 50 ms server, first requests measured 62–95 ms
 * `waiting` and 12–27 ms `connecting` on loopback, later ones 50–52 ms (bench/engine-scale.ts, load
 * average 4). So once per thread, before iterations start, one request goes through the same
 * VuConnections/Exchange path to a throwaway listener on 127.0.0.1 (loopback only, no samples).
 */
import { createServer } from 'node:net';
import { warmUpBeforeIterations } from '../warm-up.ts';
import { Exchange } from './exchange.ts';
import { VuConnections } from './transport.ts';

const reply = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok';

let warmed: Promise<void> | null = null;

/** Starts the thread's warm-up on the first call and has iterations wait for it (later calls: nothing). */
export function warmTransportBeforeIterations(): void {
  if (warmed === null) warmUpBeforeIterations(warmTransport());
}

/** The thread's warm-up request (started once; later calls share it). Never rejects. */
export function warmTransport(): Promise<void> {
  warmed ??= (async () => {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.on('data', () => socket.write(reply));
    });
    try {
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
      const { port } = server.address() as { port: number };
      const connections = new VuConnections({});
      await new Promise<void>((resolve) => {
        const ex = new Exchange(true);
        ex.done = () => resolve();
        connections.dispatch({ origin: `http://127.0.0.1:${port}`, path: '/', method: 'GET', headers: ['user-agent', 'aetos-load warm-up'] }, ex);
      });
      await connections.destroy();
    } finally {
      server.close();
    }
  })().catch(() => undefined);
  return warmed;
}
