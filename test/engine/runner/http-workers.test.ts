// A script that hits a tiny node:http server on 127.0.0.1: the server sees exactly the planned
// requests, with one worker and with two, and the summary export counts the same.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, runCli } from '../cli/run-cli.ts';
import { tempDir } from '../../temp-dir.ts';

let server: http.Server;
let hits = 0;
let baseUrl = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('http against a loopback server', () => {
  for (const workers of [1, 2]) {
    it(`--workers ${workers}: 50 requests reach the server, 50 counted`, async () => {
      hits = 0;
      const file = path.join(tempDir('aetos-http-'), 'summary.json');
      const r = await runCli(['--quiet', '--workers', String(workers), '-e', `BASE_URL=${baseUrl}`, '--summary-export', file, fixture('http-get.js')]);
      expect(r.code, r.stderr).toBe(0);
      expect(hits).toBe(50);
      const metrics = JSON.parse(readFileSync(file, 'utf8')).metrics;
      expect(metrics.http_reqs.count).toBe(50);
      expect(metrics.iterations.count).toBe(50);
    });
  }
});
