/**
 * The k6 conformance suite: scripts of our own, written the way k6's documentation teaches each
 * module (scripts/), run by the real engine (`aetos-load run`) against local servers
 * (fixture.ts). Each run must exit as k6 would and its summary export must show the module's
 * metrics and checks. The module scripts run together through scripts/suite.js (one scenario
 * each, their own thresholds), in parallel with the runs that need options of their own.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceServers, type Conformance } from './fixture.ts';

const root = path.resolve(import.meta.dirname, '../..');
const scripts = path.join(import.meta.dirname, 'scripts');
let fx: Conformance;
let out = '';

interface Run {
  code: number | null;
  stderr: string;
  /** The end-of-test summary as printed. */
  stdout: string;
  summary: { metrics: Record<string, Record<string, unknown>>; root_group: { checks: Record<string, { passes: number; fails: number }>; groups: Record<string, { checks: Record<string, { passes: number; fails: number }> }> } };
}

function run(script: string): Promise<Run> {
  const summary = path.join(out, `${path.basename(script)}.summary.json`);
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [path.join(root, 'bin/aetos-load.js'), 'run', '-q', '--no-color', '-e', `HTTP=${fx.http}`, '-e', `WS=${fx.ws}`, '-e', `GRPC=${fx.grpc}`, '-e', `SENTINEL=${fx.sentinel}`, '--summary-export', summary, script],
      { cwd: root, timeout: 50_000 },
      (_err, stdout, stderr) => {
        let parsed: Run['summary'];
        try {
          parsed = JSON.parse(readFileSync(summary, 'utf8'));
        } catch {
          parsed = { metrics: {}, root_group: { checks: {}, groups: {} } };
        }
        resolve({ code: child.exitCode, stderr, stdout, summary: parsed });
      },
    );
  });
}

/** Every check of the run (root and groups) by name → [passes, fails]. */
function checks(r: Run): Record<string, [number, number]> {
  const all: Record<string, [number, number]> = {};
  const add = (c: Record<string, { passes: number; fails: number }>) => {
    for (const [k, v] of Object.entries(c)) all[k] = [v.passes, v.fails];
  };
  add(r.summary.root_group.checks ?? {});
  for (const g of Object.values(r.summary.root_group.groups ?? {})) add(g.checks ?? {});
  return all;
}

const results = new Map<string, Promise<Run>>();
const result = (name: string) => results.get(name) as Promise<Run>;

beforeAll(async () => {
  fx = await startConformanceServers();
  out = mkdtempSync(path.join(tmpdir(), 'k6-conformance-'));
  writeFileSync(
    path.join(out, 'ws-threshold-fails.js'),
    `import ws from 'k6/ws';
export const options = { iterations: 1, thresholds: { ws_msgs_sent: ['count>1000'] } };
export default function () {
  ws.connect(__ENV.WS + '/chat', (s) => { s.on('open', () => { s.send(JSON.stringify({ event: 'join' })); s.close(); }); });
}`,
  );
  // two lanes: each lane runs its scripts one after another; suite.js runs every module script
  // in one engine start (one scenario each), blocked.js needs its own options
  const lanes = [['suite.js'], [path.join(out, 'ws-threshold-fails.js'), 'blocked.js']];
  for (const lane of lanes) {
    let prev: Promise<unknown> = Promise.resolve();
    for (const s of lane) {
      const p = prev.then(() => run(path.isAbsolute(s) ? s : path.join(scripts, s)));
      results.set(path.basename(s), p);
      prev = p;
    }
  }
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(results.values());
  await fx?.close();
  rmSync(out, { recursive: true, force: true });
});

describe('k6 conformance (aetos-load run)', () => {
  it('k6/html + k6/http: parseHTML, response.html(), Selection and Element APIs, form post, digest auth', async () => {
    const r = await result('suite.js');
    expect(r.code, r.stderr).toBe(0);
    const c = checks(r);
    for (const name of ['title read', 'three rows', 'first sku', 'data attribute', 'map over rows', 'form echoed', 'element API', 'digest authenticated']) expect(c[name], name).toEqual([2, 0]);
  });

  it('k6/ws: ws_* metrics reach the summary and their thresholds', async () => {
    const r = await result('suite.js');
    expect(r.code, r.stderr).toBe(0);
    expect(checks(r)['status is 101']).toEqual([4, 0]);
    const m = r.summary.metrics;
    // ws.js: 4 sessions, 2 messages each way per session; websockets.js: 2 sessions, 1 each way
    expect(m.ws_sessions?.count).toBe(6);
    expect(m.ws_msgs_sent?.count).toBe(10);
    expect(m['ws_msgs_received{scenario:ws}']?.count).toBe(8);
    expect(m['ws_msgs_received{scenario:ws}']?.thresholds).toEqual({ 'count>=8': false });
    expect(m.ws_ping?.avg).toBeGreaterThan(0);
    expect(m.ws_connecting?.avg).toBeGreaterThan(0);
    expect(m['ws_session_duration{scenario:ws}']?.thresholds).toEqual({ 'p(95)<10000': false });
  });

  it("the printed summary groups each protocol's built-in metrics in k6's sections (GRPC, WEBSOCKET), not under CUSTOM", async () => {
    const r = await result('suite.js');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const heading = (name: string) => lines.findIndex((l) => l.trim() === name);
    const sectionOf = (metric: string) => {
      const at = lines.findIndex((l) => new RegExp(`^ {4}${metric}\\.`).test(l));
      expect(at, `${metric} is printed`).toBeGreaterThan(0);
      let h = at;
      while (h > 0 && !/^ {4}[A-Z]+$/.test(lines[h] as string)) h--;
      return (lines[h] as string).trim();
    };
    for (const m of ['grpc_req_duration', 'grpc_streams', 'grpc_streams_msgs_received', 'grpc_streams_msgs_sent']) expect(sectionOf(m), m).toBe('GRPC');
    for (const m of ['ws_connecting', 'ws_msgs_received', 'ws_msgs_sent', 'ws_ping', 'ws_session_duration', 'ws_sessions']) expect(sectionOf(m), m).toBe('WEBSOCKET');
    expect(sectionOf('http_reqs')).toBe('HTTP');
    expect(sectionOf('data_sent')).toBe('NETWORK');
    // k6's order: HTTP, EXECUTION, NETWORK, then the protocols
    const order = ['HTTP', 'EXECUTION', 'NETWORK', 'GRPC', 'WEBSOCKET'].map(heading);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('k6/websockets: the browser-like API; the iteration waits for the socket', async () => {
    const r = await result('suite.js');
    expect(r.code, r.stderr).toBe(0);
    expect(checks(r)).toMatchObject({ joined: [2, 0], closed: [2, 0] });
    expect(r.summary.metrics['ws_sessions{scenario:websockets}']?.thresholds).toEqual({ 'count==2': false });
  });

  it('k6/net/grpc: invoke, status constants, a server stream; grpc_* metrics with thresholds', async () => {
    const r = await result('suite.js');
    expect(r.code, r.stderr).toBe(0);
    expect(checks(r)).toMatchObject({ 'status is OK': [3, 0], message: [3, 0], 'not found': [3, 0], 'two items streamed': [3, 0] });
    expect(r.summary.metrics.grpc_streams?.count).toBe(3);
    expect(r.summary.metrics['grpc_req_duration{scenario:grpc}']?.thresholds).toEqual({ 'p(95)<5000': false });
    expect(r.summary.metrics['grpc_streams_msgs_received{scenario:grpc}']?.thresholds).toEqual({ 'count==6': false });
  });

  it('k6/experimental/fs + csv, k6/crypto and k6/encoding exactness', async () => {
    const r = await result('suite.js');
    expect(r.code, r.stderr).toBe(0);
    const c = checks(r);
    for (const name of ['csv rows', 'csv objects', 'file stat', 'digest twice', 'binary is an ArrayBuffer', 'null encoding is std']) expect(c[name], name).toEqual([1, 0]);
  });

  it('blacklistIPs / blockHostnames: k6 error codes, and no connection reaches the server', async () => {
    const r = await result('blocked.js');
    expect(r.code, r.stderr).toBe(0);
    expect(checks(r)).toEqual({ 'blacklisted IP': [1, 0], 'blocked hostname': [1, 0] });
    expect(r.summary.metrics['http_reqs{error_code:1111}']?.thresholds).toEqual({ 'count==1': false });
    expect(fx.sentinelConnections()).toBe(0);
  });

  it('a failed threshold on a module metric ends the run with exit 99, as in k6', async () => {
    const r = await result('ws-threshold-fails.js');
    expect(r.code, r.stderr).toBe(99);
    expect(r.summary.metrics.ws_msgs_sent?.thresholds).toEqual({ 'count>1000': true });
  });
});
