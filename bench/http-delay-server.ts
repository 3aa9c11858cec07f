/**
 * The accuracy fixture of the k6/http benchmark: answers every request after a fixed delay
 * (default 50 ms). Runs as its own process so the generators do not share its event loop.
 *   npx tsx bench/http-delay-server.ts PORT [DELAY_MS]
 */
import http from 'node:http';

const port = Number(process.argv[2] ?? 18081);
const delay = Number(process.argv[3] ?? 50);
const server = http.createServer((_req, res) => {
  setTimeout(() => res.end('ok'), delay);
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
