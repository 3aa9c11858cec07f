/**
 * The live dashboard's HTTP server: GET / is the report page in live mode, GET /events a
 * Server-Sent Events stream of the run's data (one `data:` message per update, the whole
 * ReportData as JSON), GET /data.json the latest data. Loopback by default; nothing is accepted
 * but GET.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DashboardServer {
  readonly url: string;
  /** Sends data to every open page (and to pages that connect later). */
  publish(json: string): void;
  /** Ends every stream and stops listening. */
  close(): Promise<void>;
}

export async function startDashboardServer(host: string, port: number, page: () => string): Promise<DashboardServer> {
  const clients = new Set<ServerResponse>();
  let latest = '';
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (url === '/' || url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page());
    } else if (url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('retry: 1000\n\n');
      if (latest) res.write(`data: ${latest}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
    } else if (url === '/data.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(latest || '{}');
    } else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}/`,
    publish(json) {
      latest = json;
      for (const c of clients) c.write(`data: ${json}\n\n`);
    },
    async close() {
      for (const c of clients) c.end();
      clients.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
