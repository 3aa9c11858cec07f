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
}
`;

describe('aetos-load run with k6/http', () => {
  it('runs a k6 script: all checks pass, 5 requests per iteration, 404s counted as failed', async () => {
    const file = join(dir, 'script.js');
    const summary = join(dir, 'summary.json');
    writeFileSync(file, script);
    const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [join(root, 'bin/aetos-load.js'), 'run', '-q', '--no-color', '-e', `URL=${fx.url}`, '--summary-export', summary, file],
        { cwd: root, timeout: 50_000 },
        (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
      );
    });
    expect(out.code, out.stderr).toBe(0);
    const s = JSON.parse(readFileSync(summary, 'utf8'));
    expect(s.metrics.checks.passes).toBe(30);
    expect(s.metrics.checks.fails).toBe(0);
    expect(s.metrics.http_reqs.count).toBe(30);
    // k6's rate: 'passes' counts failed requests (value 1); 6 of 30 were the 404s
    expect(s.metrics.http_req_failed.passes).toBe(6);
    for (const m of ['http_req_duration', 'http_req_waiting', 'http_req_blocked', 'data_sent', 'data_received'])
      expect(s.metrics[m], m).toBeDefined();
  });
});
