// The peer of bench/target-logging.ts: a bare node:http server answering every request with the
// body the target sends for a cached `GET /api/inventory/SKU-000001`, no framework, auth or cache.
// What the host charges for one keep-alive request/response in Node: the target's figure divided by
// it compares across hosts (loopback costs differ several-fold between VMs). Prints its port, then
// serves until stdin closes (the bench ends it).
import http from 'node:http';
import { inventoryBody as body } from './inventory-body.js';

const server = http.createServer((_req, res) => {
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(body);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.stdin.on('end', () => process.exit(0)).resume();
