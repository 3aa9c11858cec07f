// prepare(): the TestPlan is resolved once, is structured-cloneable (worker threads receive it as
// it is), and carries the thresholds parsed, so no worker thread parses them again.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../engine/errors.ts';
import { createLogger } from '../../../engine/log.ts';
import { createCollector } from '../../../engine/runner/metrics-bridge.ts';
import { prepare } from '../../../engine/runner/test-plan.ts';
import { fixture, runCli } from '../cli/run-cli.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const script = path.join(dir, 'script.js');
writeFileSync(script, 'export default function () {}\n');

function planOf(scriptOptions: Record<string, unknown>) {
  return prepare({
    scriptPath: script,
    script: 'script.js',
    scriptOptions,
    flags: { options: {}, settings: {} },
    processEnv: {},
    cwd: dir,
    definitions: new Map(),
    log: createLogger({ write: () => undefined }),
  }).plan;
}

describe('prepare()', () => {
  const thresholds = {
    'http_req_duration{name:login}': ['p(95)<500', { threshold: 'max<2000', abortOnFail: true, delayAbortEval: '10s' }],
    checks: ['rate>0.9'],
  };

  it('carries the thresholds parsed: selectors, aggregations, abortOnFail and delayAbortEval', () => {
    const plan = planOf({ iterations: 1, thresholds });
    expect(plan.thresholds).toHaveLength(2);
    const [login, checks] = plan.thresholds;
    expect(login?.selector).toMatchObject({ metric: 'http_req_duration', tags: { name: 'login' }, name: 'http_req_duration{name:login}' });
    expect(login?.thresholds.map((t) => [t.aggregationName, t.operator, t.value, t.abortOnFail, t.delayAbortEvalMs])).toEqual([
      ['p(95)', '<', 500, false, 0],
      ['max', '<', 2000, true, 10_000],
    ]);
    expect(checks?.thresholds[0]).toMatchObject({ aggregation: 'rate', operator: '>', value: 0.9 });
  });

  it('the whole plan survives structured cloning (what postMessage does) unchanged', () => {
    const plan = planOf({ iterations: 1, thresholds });
    expect(structuredClone(plan)).toEqual(plan);
  });

  it('a collector built from the plan aggregates the sub-metrics its thresholds name', () => {
    const plan = planOf({ iterations: 1, thresholds });
    const c = createCollector(structuredClone(plan.thresholds));
    c.add('http_req_duration', 12, { name: 'login' });
    c.add('http_req_duration', 40, { name: 'other' });
    const keys = c.drain().metrics.map(([k]) => k);
    expect(keys).toContain('http_req_duration{name:login}');
    expect(keys).not.toContain('http_req_duration{name:other}');
  });

  it('a threshold syntax error is a ConfigError naming the threshold', () => {
    expect(() => planOf({ iterations: 1, thresholds: { http_req_duration: ['p(95) << 500'] } })).toThrow(ConfigError);
    expect(() => planOf({ iterations: 1, thresholds: { http_req_duration: ['p(95) << 500'] } })).toThrow(/thresholds\["http_req_duration"\].*p\(95\) << 500/);
  });
});

describe('a threshold syntax error on the command line', () => {
  it('is one line naming it, exit 104, and no VU ran', async () => {
    const r = await runCli(['--quiet', fixture('threshold-syntax.js')]);
    expect(r.code, r.stderr).toBe(104);
    const lines = r.stderr.split('\n').filter((l) => /p\(95\) << 500/.test(l));
    expect(lines).toHaveLength(1);
    expect(r.stderr).not.toMatch(/VU_RAN/);
  });
});
