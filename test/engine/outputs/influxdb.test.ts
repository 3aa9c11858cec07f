/**
 * --out influxdb=http://host:8086/db against the real InfluxDB 1.x from Debian on loopback: a 3 s
 * run's points are queried back with InfluxQL and compared with its end-of-test summary — one point
 * per sample (counts equal), tags as tags, vu/iter/url as fields (K6_INFLUXDB_TAGS_AS_FIELDS),
 * percentiles consistent — and the settings and line-protocol escaping are checked on their own.
 * (A dead InfluxDB costing points but not the run: prometheus-rw.test.ts runs both outputs against
 * dead ends in one run.) Skips the round trip with a message when `influxd` is missing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../engine/errors.ts';
import { influxConfig, linePoint } from '../../../engine/outputs/influxdb.ts';
import { root, runCli } from '../cli/run-cli.ts';
import { findBinary, startInfluxDb, type RunningServer } from './tsdb-servers.ts';

const script = join(root, 'test/fixtures/outputs/steady-get.js');
const influxBin = findBinary('influxd', 'INFLUXD_BIN');
if (!influxBin) console.warn('influxdb: SKIPPED the InfluxDB round trip: no `influxd` binary (apt-get install influxdb, or set INFLUXD_BIN)');

let target: Server;
let baseUrl = '';
const dirs: string[] = [];
beforeAll(async () => {
  target = createServer((_req, res) => setTimeout(() => res.end('{"ok":true}'), 2));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(target.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((r) => target.close(r));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Summary = { metrics: Record<string, Record<string, number>> };
async function run(out: string, env: Record<string, string>): Promise<{ summary: Summary; stderr: string; ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'aetos-influx-run-'));
  dirs.push(dir);
  const t0 = Date.now();
  const r = await runCli(['--out', out, '--tag', 'testid=influx', '--summary-export', join(dir, 's.json'), '--no-color', script], { BASE_URL: baseUrl, ...env });
  expect(r.code, r.stderr).toBe(0);
  return { summary: JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as Summary, stderr: r.stderr, ms: Date.now() - t0 };
}

describe('influxdb settings and line protocol', () => {
  it('URL, k6 environment names and defaults', () => {
    const c = influxConfig('http://u:p%40ss@127.0.0.1:8086/k6db?rp=autogen', {});
    expect(c).toMatchObject({ addr: 'http://127.0.0.1:8086', db: 'k6db', username: 'u', password: 'p@ss', pushIntervalMs: 1000, concurrentWrites: 4, writeParams: { rp: 'autogen' } });
    expect([...c.tagsAsFields]).toEqual([['vu', 'int'], ['iter', 'int'], ['url', 'string']]);
    const d = influxConfig('http://127.0.0.1:8086/k6', {
      K6_INFLUXDB_USERNAME: 'a',
      K6_INFLUXDB_PASSWORD: 'b',
      K6_INFLUXDB_PUSH_INTERVAL: '250ms',
      K6_INFLUXDB_CONCURRENT_WRITES: '2',
      K6_INFLUXDB_TAGS_AS_FIELDS: 'vu:int,status:float,error',
    });
    expect(d).toMatchObject({ username: 'a', password: 'b', pushIntervalMs: 250, concurrentWrites: 2 });
    expect([...d.tagsAsFields]).toEqual([['vu', 'int'], ['status', 'float'], ['error', 'string']]);
  });
  it.each([
    ['influxdb:8086/k6', {}, 'not an http(s) URL'],
    ['http://h:8086/a/b', {}, 'the path must be just the database name'],
    ['http://h:8086/k6?foo=1', {}, 'unknown parameter "foo"'],
    ['http://h:8086/k6', { K6_INFLUXDB_CONCURRENT_WRITES: '0' }, 'K6_INFLUXDB_CONCURRENT_WRITES: "0" must be a positive integer'],
    ['http://h:8086/k6', { K6_INFLUXDB_TAGS_AS_FIELDS: 'vu:integer' }, 'the type must be int, float, bool or string'],
  ])('%s %j → ConfigError', (url, env, message) => {
    expect(() => influxConfig(url, env)).toThrow(ConfigError);
    expect(() => influxConfig(url, env)).toThrow(message);
  });
  it('escapes measurement, tags, fields; tags as fields typed; ns timestamps', () => {
    const fields = influxConfig('http://h/k6', {}).tagsAsFields;
    const line = linePoint(
      { metric: 'my metric,x', time: 1700000000123.5, value: 12.5, tags: { name: 'a b=c,d', vu: '7', iter: '3', url: 'http://x/"q"\\', empty: '' } },
      fields,
    );
    expect(line).toBe('my\\ metric\\,x,name=a\\ b\\=c\\,d value=12.5,iter=3i,url="http://x/\\"q\\"\\\\",vu=7i 1700000000123500000');
    // the same series in the same microsecond: the next nanosecond, so InfluxDB keeps both points
    const last = new Map<string, bigint>();
    const s = { metric: 'm', time: 1700000000123, value: 1, tags: { vu: '1' } };
    expect([linePoint(s, fields, last), linePoint({ ...s, tags: { vu: '2' } }, fields, last), linePoint({ ...s, time: 1700000000124 }, fields, last)]).toEqual([
      'm value=1,vu=1i 1700000000123000000',
      'm value=1,vu=2i 1700000000123000001',
      'm value=1,vu=1i 1700000000124000000',
    ]);
  });
});

describe.skipIf(!influxBin)('against a real InfluxDB 1.x', () => {
  let influx: RunningServer;
  beforeAll(async () => {
    influx = await startInfluxDb(influxBin as string);
  }, 60_000);
  afterAll(async () => {
    await influx?.stop();
  });

  const query = async (q: string) => {
    const res = await fetch(`${influx.url}/query?${new URLSearchParams({ db: 'k6run', q, epoch: 'ms' })}`);
    const body = (await res.json()) as { results: { series?: { columns: string[]; values: unknown[][] }[]; error?: string }[] };
    const r = body.results[0];
    if (!r || r.error) throw new Error(`${q}: ${r?.error}`);
    return r.series?.[0];
  };

  it('one point per sample, tags as tags, url as a field, percentiles consistent with the summary', async () => {
    const { summary, stderr } = await run(`influxdb=${influx.url}/k6run`, { DURATION: '2s' });
    expect(stderr).not.toContain('influxdb:');
    const m = summary.metrics;
    const count = async (measurement: string) => Number((await query(`SELECT count("value") FROM "${measurement}" WHERE "testid" = 'influx'`))?.values[0]?.[1]);
    expect(await count('http_reqs')).toBe(m.http_reqs!.count);
    expect(await count('http_req_duration')).toBe(m.http_reqs!.count);
    expect(await count('iterations')).toBe(m.iterations!.count);
    // tags stay tags (GROUP BY works), vu and url became fields
    const tags = await query(`SHOW TAG KEYS FROM "http_req_duration"`);
    const tagKeys = (tags?.values ?? []).map((v) => v[0]);
    expect(tagKeys).toEqual(expect.arrayContaining(['method', 'name', 'status', 'scenario', 'testid', 'expected_response']));
    expect(tagKeys).not.toContain('url');
    // (vu and iter are not among the engine's default system tags, as in k6: nothing to move)
    const fieldKeys = ((await query(`SHOW FIELD KEYS FROM "http_req_duration"`))?.values ?? []).map((v) => `${v[0]}:${v[1]}`);
    expect(fieldKeys.sort()).toEqual(['url:string', 'value:float']);
    const stats = await query(`SELECT max("value"), min("value"), percentile("value", 95), percentile("value", 99) FROM "http_req_duration"`);
    const [, max, min, p95, p99] = stats!.values[0] as number[];
    // exact values against the summary's HDR histogram (3 significant digits) and its interpolation
    expect(max).toBeCloseTo(m.http_req_duration!.max!, 6);
    expect(min).toBeCloseTo(m.http_req_duration!.min!, 6);
    // InfluxDB's percentile is a nearest-rank sample, the summary's an interpolation in its HDR
    // histogram (3 significant digits): both must sit among the samples around that rank. (A fixed
    // tolerance failed on a loaded machine, whose sparse tail puts neighbouring samples far apart.)
    const all = ((await query(`SELECT "value" FROM "http_req_duration" WHERE "testid" = 'influx'`))?.values ?? []).map((v) => v[1] as number).sort((a, b) => a - b);
    expect(all).toHaveLength(m.http_reqs!.count);
    for (const [q, got, want] of [[0.95, p95, m.http_req_duration!['p(95)']!], [0.99, p99, m.http_req_duration!['p(99)']!]] as const) {
      const lo = all[Math.max(0, Math.floor(all.length * q) - 2)]!;
      const hi = all[Math.min(all.length - 1, Math.ceil(all.length * q) + 1)]!;
      expect(all, `${got} is a sample`).toContain(got);
      expect(got as number).toBeGreaterThanOrEqual(lo);
      expect(got as number).toBeLessThanOrEqual(hi);
      expect(want, `p(${q * 100}) ${want} within [${lo}, ${hi}]`).toBeGreaterThanOrEqual(lo * 0.999);
      expect(want).toBeLessThanOrEqual(hi * 1.001);
    }
  });
});
