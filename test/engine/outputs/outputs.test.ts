/**
 * Outputs on a realistic run: json (k6 NDJSON Metric/Point lines, tags, streamed within a second,
 * gzip), csv (k6's columns, quoting, extra_tags, time formats), junit (well-formed XML, counts),
 * --summary-export (k6's legacy keys, threshold true = failed), Markdown appended to
 * $GITHUB_STEP_SUMMARY, several at once, and ConfigErrors for bad specs.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../engine/errors.ts';
import { csvColumns, createOutputs, OutputSet, renderJunit, renderMarkdown, renderSummaryExport, ResultsWriteError } from '../../../engine/outputs/index.ts';
import { OutputFileError, writeFileWhole } from '../../../engine/outputs/file-sink.ts';
import { sampleRun, T0 } from '../metrics/sample-run.ts';
import { tempDir } from '../../temp-dir.ts';

const tmp = () => tempDir('aetos-out-');

/** A strict-enough XML well-formedness check: one root, balanced tags, quoted attributes, valid entities. */
function assertWellFormedXml(xml: string): { tag: string; attrs: Record<string, string> }[] {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const elements: { tag: string; attrs: Record<string, string> }[] = [];
  const re = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let roots = 0;
  let pos = 0;
  while ((m = re.exec(body))) {
    pos = re.lastIndex;
    if (m[5] !== undefined) {
      if (stack.length === 0 && m[5].trim() !== '') throw new Error('text outside the root element');
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(m[5])) throw new Error(`bad entity in ${m[5]}`);
      continue;
    }
    const [, close, tag, attrText, self] = m as unknown as [string, string, string, string, string];
    if (/&(?!(amp|lt|gt|quot|apos);)/.test(attrText)) throw new Error(`bad entity in ${attrText}`);
    if (close) {
      if (stack.pop() !== tag) throw new Error(`unbalanced </${tag}>`);
      continue;
    }
    if (stack.length === 0) roots++;
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) attrs[a[1] as string] = a[2] as string;
    elements.push({ tag, attrs });
    if (!self) stack.push(tag);
  }
  if (pos !== body.length) throw new Error(`not XML at ${pos}: ${body.slice(pos, pos + 40)}`);
  if (stack.length) throw new Error(`unclosed ${stack.join(',')}`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return elements;
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

describe('createOutputs', () => {
  it.each([
    [['statsd=localhost:8125'], "invalid output type 'statsd', available types are: json, csv, junit, segment, experimental-prometheus-rw, influxdb"],
    [['json'], '"json": json needs a file name, e.g. --out json=results.json'],
    [['csv='], 'csv needs a file name'],
    [['csv=fileName=a.csv,timeFormat=weird'], 'unknown csv timeFormat "weird"'],
    [['csv=fileName=a.csv,foo=1'], 'unknown csv option "foo"'],
  ])('%j → ConfigError', (specs, message) => {
    let err: unknown;
    try {
      createOutputs(specs, { cwd: tmp() });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(104);
    expect((err as Error).message).toContain('invalid option out: ');
    expect((err as Error).message).toContain(message);
  });

  it('several at once, plus summary-export and GITHUB_STEP_SUMMARY', () => {
    const dir = tmp();
    const outs = createOutputs(['json=a.json', 'csv=b.csv', 'junit=c.xml'], { cwd: dir, summaryExport: 'd.json', env: { GITHUB_STEP_SUMMARY: join(dir, 'step.md') } });
    expect(outs.map((o) => o.description)).toEqual([
      `json (${join(dir, 'a.json')})`,
      `csv (${join(dir, 'b.csv')})`,
      `junit (${join(dir, 'c.xml')})`,
      `summary-export (${join(dir, 'd.json')})`,
      `markdown (${join(dir, 'step.md')})`,
    ]);
    expect(new OutputSet(outs).wantsSamples).toBe(true);
    expect(new OutputSet(createOutputs(['junit=x.xml'], { cwd: dir })).wantsSamples).toBe(false);
  });
});

describe('a whole run through OutputSet', () => {
  const dir = tmp();
  const step = join(dir, 'step-summary.md');
  writeFileSync(step, '# earlier step\n');
  const { store, delta, data } = sampleRun({ keepSamples: true });
  const samples = delta.samples ?? [];
  beforeAll(async () => {
    const set = new OutputSet(
      createOutputs(['json=out/results.json', 'csv=out/results.csv', 'junit=out/junit.xml', 'json=out/results.json.gz', 'csv=fileName=out/rfc.csv,timeFormat=rfc3339'], {
        cwd: dir,
        summaryExport: 'out/export.json',
        env: { GITHUB_STEP_SUMMARY: step },
      }),
    );
    await set.start({ definition: (n) => store.definition(n), thresholds: store.thresholdSets() });
    set.addSamples(samples.slice(0, 100));
    set.addSamples(samples.slice(100));
    await set.stop(data);
  });

  it('json: a Metric line before the first Point of each metric; Points carry time, value and tags', () => {
    const lines = readFileSync(join(dir, 'out/results.json'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'Point')).toHaveLength(samples.length);
    const seen = new Set<string>();
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(['data', 'metric', 'type']);
      if (l.type === 'Metric') {
        expect(seen.has(l.metric)).toBe(false);
        seen.add(l.metric);
        expect(Object.keys(l.data).sort()).toEqual(['contains', 'name', 'submetrics', 'thresholds', 'type']);
      } else {
        expect(seen.has(l.metric), `Metric line before ${l.metric}`).toBe(true);
        expect(Object.keys(l.data).sort()).toEqual(['tags', 'time', 'value']);
      }
    }
    const dur = lines.find((l) => l.type === 'Metric' && l.metric === 'http_req_duration');
    expect(dur.data).toMatchObject({ type: 'trend', contains: 'time', thresholds: ['p(95)<500', 'avg<90'] });
    expect(dur.data.submetrics).toEqual([{ name: 'http_req_duration{name:login}', suffix: 'name:login', tags: { name: 'login' } }]);
    expect(lines.find((l) => l.metric === 'cart_time' && l.type === 'Metric').data).toMatchObject({ type: 'trend', contains: 'time', thresholds: [], submetrics: null });
    const p = lines.find((l) => l.type === 'Point' && l.metric === 'http_req_duration');
    expect(p.data).toEqual({ time: new Date(T0).toISOString(), value: 20, tags: expect.objectContaining({ name: 'login', method: 'POST', status: '200', group: '::auth', custom: 'x,"y"' }) });
    expect(lines.find((l) => l.type === 'Point' && l.metric === 'vus').data.tags).toBeNull();
  });

  it('json.gz: the same lines, gzip-compressed', () => {
    const plain = readFileSync(join(dir, 'out/results.json'), 'utf8');
    expect(gunzipSync(readFileSync(join(dir, 'out/results.json.gz'))).toString('utf8')).toBe(plain);
  });

  it("csv: k6's header, one row per sample, tags in their columns, the rest in extra_tags, quoting", () => {
    const text = readFileSync(join(dir, 'out/results.csv'), 'utf8');
    const rows = text.trimEnd().split('\n');
    expect(rows[0]).toBe('metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata');
    expect(csvColumns).toHaveLength(19);
    expect(rows).toHaveLength(samples.length + 1);
    const parse = (line: string) => {
      const cells: string[] = [];
      const re = /(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g;
      for (const m of line.matchAll(re)) cells.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] as string));
      return cells;
    };
    const first = parse(rows.find((r) => r.startsWith('http_req_duration,')) as string);
    expect(first).toHaveLength(19);
    const row = Object.fromEntries(csvColumns.map((c, i) => [c, first[i]]));
    expect(row).toMatchObject({
      metric_name: 'http_req_duration',
      timestamp: String(Math.floor(T0 / 1000)),
      metric_value: '20.000000',
      expected_response: 'true',
      group: '::auth',
      method: 'POST',
      name: 'login',
      proto: 'HTTP/1.1',
      scenario: 'default',
      status: '200',
      url: 'http://127.0.0.1:1234/login',
      extra_tags: 'custom=x,"y"',
      metadata: '',
    });
    const check = Object.fromEntries(csvColumns.map((c, i) => [c, parse(rows.find((r) => r.startsWith('checks,')) as string)[i]]));
    expect(check).toMatchObject({ check: 'status is 200', metric_value: '1.000000' });
    const rfc = readFileSync(join(dir, 'out/rfc.csv'), 'utf8').split('\n')[1] as string;
    expect(rfc.split(',')[1]).toBe(new Date(T0).toISOString());
  });

  it('junit: well-formed, one testcase per threshold and per check, failures where crossed/failed', () => {
    const xml = readFileSync(join(dir, 'out/junit.xml'), 'utf8');
    expect(xml).toBe(renderJunit(data));
    const els = assertWellFormedXml(xml);
    const root = els[0];
    expect(root?.tag).toBe('testsuites');
    const suites = els.filter((e) => e.tag === 'testsuite');
    expect(suites.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures])).toEqual([
      ['thresholds', '6', '3'],
      ['checks', '3', '1'],
    ]);
    expect(root?.attrs).toMatchObject({ tests: '9', failures: '4' });
    const cases = els.filter((e) => e.tag === 'testcase').map((e) => unescapeXml(e.attrs.name as string));
    expect(cases).toContain('http_req_duration - p(95)<500');
    expect(cases).toContain('http_req_duration{name:login} - max<1000');
    expect(cases).toContain('::shop::cart::status is 200');
    expect(els.filter((e) => e.tag === 'failure')).toHaveLength(4);
  });

  it('junit escapes hostile names', () => {
    const hostile = structuredClone(data);
    hostile.root_group.checks.push({ name: `a <b> & "c" 'd'\u0001`, path: `::a <b> & "c" 'd'\u0001`, id: 'x', passes: 0, fails: 1 });
    const els = assertWellFormedXml(renderJunit(hostile));
    expect(els.some((e) => e.tag === 'testcase' && unescapeXml(e.attrs.name as string) === `::a <b> & "c" 'd'`)).toBe(true);
  });

  it("summary-export: k6's legacy keys and types; threshold booleans are true when failed", () => {
    const exp = JSON.parse(readFileSync(join(dir, 'out/export.json'), 'utf8'));
    expect(exp).toEqual(renderSummaryExport(data));
    expect(Object.keys(exp).sort()).toEqual(['metrics', 'root_group']);
    expect(exp.metrics.http_reqs).toEqual({ count: 200, rate: 20 });
    expect(exp.metrics.vus).toEqual({ value: 6, min: 5, max: 7 });
    expect(exp.metrics.checks).toEqual({ passes: 380, fails: 20, value: 0.95, thresholds: { 'rate>0.99': true } });
    expect(exp.metrics.http_req_failed).toEqual({ passes: 20, fails: 180, value: 0.1, thresholds: { 'rate<0.2': false } });
    expect(exp.metrics.http_req_duration.thresholds).toEqual({ 'p(95)<500': false, 'avg<90': true });
    expect(Object.keys(exp.metrics.http_req_duration).sort()).toEqual(['avg', 'max', 'med', 'min', 'p(90)', 'p(95)', 'thresholds']);
    expect(exp.root_group).toMatchObject({ name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect(exp.root_group.checks['body has items']).toMatchObject({ name: 'body has items', path: '::body has items', passes: 200, fails: 0 });
    expect(exp.root_group.groups.shop.groups.cart.checks['status is 200']).toMatchObject({ passes: 140, fails: 20 });
  });

  it('Markdown is appended to $GITHUB_STEP_SUMMARY', () => {
    const md = readFileSync(step, 'utf8');
    expect(md.startsWith('# earlier step\n## aetos-load results')).toBe(true);
    expect(md).toBe(`# earlier step\n${renderMarkdown(data)}`);
    expect(md).toContain('❌ 3 of 6 thresholds crossed.');
    expect(md).toContain('| ❌ | `http_req_duration` | `avg<90` |');
    expect(md).toContain('| ❌ | ::shop::cart::status is 200 | 140 | 20 |');
    expect(md).toMatch(/\| `http_reqs` \| 200 \(20\/s\) \|/);
  });
});

describe('json streams while the test runs', () => {
  it('samples reach the temporary file within about a second; the name holds the earlier run until stop() renames it whole', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'live.json'), 'EARLIER RUN\n');
    const { store, delta, data } = sampleRun({ keepSamples: true, n: 5 });
    const set = new OutputSet(createOutputs(['json=live.json'], { cwd: dir }));
    await set.start({ definition: (n) => store.definition(n), thresholds: store.thresholdSets() });
    set.addSamples(delta.samples);
    const t0 = Date.now();
    let text = '';
    while (Date.now() - t0 < 3000) {
      await new Promise((r) => setTimeout(r, 100));
      const temp = readdirSync(dir).find((f) => f.startsWith('live.json.tmp-'));
      try {
        text = temp ? readFileSync(join(dir, temp), 'utf8') : '';
      } catch {
        text = '';
      }
      if (text.split('\n').length > (delta.samples?.length ?? 0)) break;
    }
    const waited = Date.now() - t0;
    expect(text.trimEnd().split('\n').filter((l) => l.includes('"Point"'))).toHaveLength(delta.samples?.length ?? -1);
    // a fixed budget on a loaded machine: the flush is every second, the margin absorbs the load
    expect(waited).toBeLessThan(2500);
    expect(readFileSync(join(dir, 'live.json'), 'utf8')).toBe('EARLIER RUN\n');
    await set.stop(data);
    expect(readFileSync(join(dir, 'live.json'), 'utf8').split('\n').filter((l) => l.includes('"Point"'))).toHaveLength(delta.samples?.length ?? -1);
    expect(readdirSync(dir)).toEqual(['live.json']);
  });
});

describe('every file whole, every path checked before the test', () => {
  it('a path under a regular file or under /proc: one ConfigError (104) naming it, at once (no mkdir loop)', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'plain'), 'x');
    const t0 = Date.now();
    for (const [spec, exportPath, flag] of [
      [[], join(dir, 'plain/sub/summary.json'), 'summary-export'],
      [['json=/proc/x/s.ndjson'], undefined, 'out'],
      [[`csv=${join(dir, 'plain/x.csv')}`], undefined, 'out'],
      [[`junit=${dir}`], undefined, 'out'],
    ] as const) {
      let err: unknown;
      try {
        createOutputs(spec, { cwd: dir, summaryExport: exportPath });
      } catch (e) {
        err = e;
      }
      expect(err, String(spec)).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).exitCode).toBe(104);
      expect((err as Error).message).toMatch(new RegExp(`^invalid option ${flag}: cannot write /`));
    }
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(readdirSync(dir)).toEqual(['plain']);
  });

  it('writeFileWhole replaces a file by rename, and a failed write leaves the old file and no temporary', () => {
    const dir = tmp();
    const file = join(dir, 'summary.json');
    writeFileWhole(file, 'good');
    expect(readFileSync(file, 'utf8')).toBe('good');
    writeFileWhole(file, 'better');
    expect(readFileSync(file, 'utf8')).toBe('better');
    mkdirSync(join(dir, 'taken'));
    expect(() => writeFileWhole(join(dir, 'taken'), 'x')).toThrow(OutputFileError);
    expect(readdirSync(dir).sort()).toEqual(['summary.json', 'taken']);
  });

  it('an output that fails at the end: OutputSet.stop throws ResultsWriteError (exit 103) naming the file, the others are still written', async () => {
    const dir = tmp();
    const { data } = sampleRun();
    const set = new OutputSet(createOutputs([`junit=${join(dir, 'gone/junit.xml')}`], { cwd: dir, summaryExport: join(dir, 'summary.json') }));
    await set.start({ definition: () => undefined, thresholds: [] });
    // the folder is replaced by a file while the test runs
    rmSync(join(dir, 'gone'), { recursive: true, force: true });
    writeFileSync(join(dir, 'gone'), 'a file now');
    const err = await set.stop(data).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ResultsWriteError);
    expect((err as ResultsWriteError).exitCode).toBe(103);
    expect((err as Error).message).toContain(join(dir, 'gone/junit.xml'));
    expect(existsSync(join(dir, 'summary.json'))).toBe(true);
  });
});
