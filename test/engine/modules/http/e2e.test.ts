/**
 * k6/http through the whole engine: `aetos-load run` on a k6 script (group, check, form post,
 * json selectors, batch, cookies) against the fixture server; the summary export must show every
 * check passing and k6's request counts. Proves the loader awaits the module's promises.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from './fixture-server.ts';

const root = join(import.meta.dirname, '../../../..');
let fx: Fixture;
let dir: string;

beforeAll(async () => {
  fx = await startFixture();
  dir = mkdtempSync(join(tmpdir(), 'aetos-http-e2e-'));
});
afterAll(async () => {
  await fx.close();
  rmSync(dir, { recursive: true, force: true });
});

const script = `
import http from 'k6/http';
import { check, group } from 'k6';
export const options = { vus: 2, iterations: 6 };
export default function () {
  group('api', () => {
    const r = http.post(\`\${__ENV.URL}/echo\`, { a: 1 });
    check(r, { 'echo 200': (x) => x.status === 200, 'form body': (x) => x.json('body') === 'a=1' });
  });
  const [a, b] = http.batch([\`\${__ENV.URL}/echo\`, ['GET', \`\${__ENV.URL}/status/404\`]]);
  check(a, { 'batch ok': (x) => x.status === 200 });
  check(b, { 'batch 404': (x) => x.error_code === 1404 });
  http.get(\`\${__ENV.URL}/set-cookie?k=v\`);
  const d = http.get(\`\${__ENV.URL}/echo\`);
  check(d, { 'cookie sent': (x) => x.json('headers.cookie') === 'k=v' });
  const e = http.get('http://127.0.0.1:1/refused');
  check(e, { 'refused is status 0 / 1212': (x) => x.status === 0 && x.error_code === 1212 });
}
`;

describe('aetos-load run with k6/http', () => {
  it('runs a k6 script: all checks pass, 6 requests per iteration, 404s and refused connections counted as failed; samples carry k6 default tags', async () => {
    const file = join(dir, 'script.js');
    const summary = join(dir, 'summary.json');
    const ndjson = join(dir, 'samples.ndjson');
    writeFileSync(file, script);
    const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [join(root, 'bin/aetos-load.js'), 'run', '-q', '--no-color', '-e', `URL=${fx.url}`, '--summary-export', summary, '--out', `json=${ndjson}`, file],
        { cwd: root, timeout: 50_000 },
        (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
      );
    });
    expect(out.code, out.stderr).toBe(0);
    const s = JSON.parse(readFileSync(summary, 'utf8'));
    expect(s.metrics.checks.passes).toBe(36);
    expect(s.metrics.checks.fails).toBe(0);
    expect(s.metrics.http_reqs.count).toBe(36);
    // k6's rate: 'passes' counts failed requests (value 1); 12 of 36 were the 404s and refusals
    expect(s.metrics.http_req_failed.passes).toBe(12);
    for (const m of ['http_req_duration', 'http_req_waiting', 'http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'http_req_sending', 'http_req_receiving', 'data_sent', 'data_received'])
      expect(s.metrics[m], m).toBeDefined();

    // k6's default tags on the samples the real VU wrote
    type Point = { metric: string; type: string; data: { tags: Record<string, string> } };
    const points = readFileSync(ndjson, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Point)
      .filter((p) => p.type === 'Point' && p.metric === 'http_reqs');
    expect(points).toHaveLength(36);
    const post = points.find((p) => p.data.tags.method === 'POST')!.data.tags;
    expect(post).toMatchObject({
      scenario: 'default',
      group: '::api',
      method: 'POST',
      url: `${fx.url}/echo`,
      name: `${fx.url}/echo`,
      status: '200',
      proto: 'HTTP/1.1',
      expected_response: 'true',
    });
    expect(post.error).toBeUndefined();
    const notFound = points.find((p) => p.data.tags.status === '404')!.data.tags;
    expect(notFound).toMatchObject({ group: '', error_code: '1404', expected_response: 'false' });
    const refused = points.find((p) => p.data.tags.status === '0')!.data.tags;
    expect(refused).toMatchObject({
      scenario: 'default',
      group: '',
      method: 'GET',
      url: 'http://127.0.0.1:1/refused',
      error_code: '1212',
      error: 'dial tcp 127.0.0.1:1: connect: connection refused',
      expected_response: 'false',
    });
    // one warning per distinct error, not one per failed request (6 here) nor one per worker
    expect(out.stderr.match(/Request Failed/g) ?? []).toHaveLength(1);
  });

  // Each worker thread has its own logger: once-only lines are deduped in the main thread.
  it('the "Request Failed" warning appears once per distinct error across worker threads', async () => {
    const file = join(dir, 'refused.js');
    writeFileSync(
      file,
      `import http from 'k6/http';\nexport const options = { vus: 4, iterations: 8 };\nexport default function () { http.get('http://127.0.0.1:1/x'); }\n`,
    );
    const stderr = await new Promise<string>((resolve) => {
      execFile(
        process.execPath,
        [join(root, 'bin/aetos-load.js'), 'run', '-q', '--no-color', '--workers', '2', file],
        { cwd: root, timeout: 50_000 },
        (_err, _stdout, err) => resolve(err),
      );
    });
    expect(stderr.match(/Request Failed/g) ?? []).toHaveLength(1);
  });
});
