/**
 * k6/http's warm-up (engine/modules/http/warm.ts): once per thread, before the first iteration,
 * one request to a throwaway loopback listener. It must go nowhere else, count in no metric, leave
 * nothing open, and happen once however many VUs import k6/http.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warmTransport } from '../../../../engine/modules/http/warm.ts';
import { warmedUp, warmUpBeforeIterations } from '../../../../engine/modules/warm-up.ts';
import { runCli } from '../../cli/run-cli.ts';

const tcp = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'TCPSocketWrap').length;

describe('k6/http warm-up', () => {
  it('one request to its own loopback listener, shared by every caller, and nothing left open', async () => {
    const before = tcp();
    const a = warmTransport();
    expect(warmTransport()).toBe(a);
    await a;
    // the listener and both ends of the socket are closed once the promise settles (a tick later for the handles)
    await new Promise((r) => setTimeout(r, 50));
    expect(tcp()).toBe(before);
  });

  it('warmedUp() waits for registered work, and a failed warm-up does not fail it', async () => {
    let done = false;
    warmUpBeforeIterations(new Promise<void>((r) => setTimeout(() => r(void (done = true)), 30)));
    warmUpBeforeIterations(Promise.reject(new Error('no loopback')));
    await warmedUp();
    expect(done).toBe(true);
    await warmedUp(); // nothing pending: resolves at once
  });

  describe('in a run', () => {
    let server: Server;
    let url = '';
    let requests = 0;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-warm-'));
    beforeAll(async () => {
      server = createServer((_req, res) => {
        requests++;
        res.end('ok');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(async () => {
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    });

    it('the target sees only the script requests, and http_reqs counts only them (4 VUs on 2 threads, 8 iterations)', async () => {
      const script = path.join(dir, 'get.js');
      writeFileSync(script, "import http from 'k6/http';\nexport default function () { http.get(__ENV.URL); }\n");
      const summary = path.join(dir, 'summary.json');
      const r = await runCli(['--quiet', '--workers', '2', '-u', '4', '-i', '8', '-e', `URL=${url}`, '--summary-export', summary, script]);
      expect(r.code, r.stderr).toBe(0);
      expect(requests).toBe(8);
      const metrics = (JSON.parse(readFileSync(summary, 'utf8')) as { metrics: Record<string, { count?: number }> }).metrics;
      expect(metrics.http_reqs?.count).toBe(8);
    });
  });
});
