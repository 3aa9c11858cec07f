// Config precedence as k6 documents it: defaults < config file < script options < K6_* env < flags,
// and the execution-options rule (a higher layer's duration/iterations/stages/scenarios replaces all four).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { consolidate, layerFromEnv, parseRunArgs } from '../../../engine/config/index.ts';
import { ConfigError } from '../../../engine/errors.ts';
import { tempDir } from '../../temp-dir.ts';

function run(script: Record<string, unknown>, env: Record<string, string>, argv: string[]) {
  const parsed = parseRunArgs([...argv, 'script.js']);
  return consolidate({ script, env: layerFromEnv(env), flags: parsed.flags, processEnv: env });
}

describe('precedence: defaults < script < env < flags', () => {
  const table: { name: string; script: Record<string, unknown>; env: Record<string, string>; argv: string[]; want: Record<string, unknown> }[] = [
    { name: 'script only', script: { vus: 3 }, env: {}, argv: [], want: { vus: 3 } },
    { name: 'env beats script', script: { vus: 3 }, env: { K6_VUS: '5' }, argv: [], want: { vus: 5 } },
    { name: 'flag beats env and script', script: { vus: 3 }, env: { K6_VUS: '5' }, argv: ['-u', '7'], want: { vus: 7 } },
    { name: 'flag beats script', script: { duration: '1m' }, env: {}, argv: ['--duration=2s'], want: { duration: '2s' } },
    { name: 'env duration beats script', script: { duration: '1m' }, env: { K6_DURATION: '3s' }, argv: [], want: { duration: '3s' } },
    { name: 'iterations flag', script: { iterations: 9 }, env: { K6_ITERATIONS: '4' }, argv: ['-i10'], want: { iterations: 10 } },
    { name: 'untouched keys stay', script: { vus: 2, userAgent: 'x' }, env: {}, argv: ['--tag', 'a=b'], want: { vus: 2, userAgent: 'x', tags: { a: 'b' } } },
  ];
  for (const row of table) {
    it(row.name, () => {
      const { options } = run(row.script, row.env, row.argv);
      expect(options).toMatchObject(row.want);
    });
  }

  it('a higher layer setting duration replaces the script scenarios', () => {
    const { options } = run({ scenarios: { a: { executor: 'constant-vus', duration: '1m' } } }, {}, ['-d', '5s', '-u', '2']);
    expect(options.scenarios).toBeUndefined();
    expect(options).toMatchObject({ duration: '5s', vus: 2 });
  });

  it('a higher layer setting iterations replaces a lower duration, and vus alone replaces nothing', () => {
    expect(run({ duration: '1m' }, { K6_ITERATIONS: '3' }, []).options).toEqual({ iterations: 3 });
    expect(run({ duration: '1m' }, {}, ['-u', '4']).options).toEqual({ duration: '1m', vus: 4 });
  });

  it('stages from flags fill missing targets from the previous one, starting at vus', () => {
    const { options } = run({}, {}, ['-u', '0', '-s', '1s:10', '-s', '2s', '-s', '1s:0']);
    expect(options.stages).toEqual([
      { duration: '1s', target: 10 },
      { duration: '2s', target: 10 },
      { duration: '1s', target: 0 },
    ]);
    expect(run({}, { K6_STAGES: '1s:5,2s:0' }, []).options.stages).toEqual([
      { duration: '1s', target: 5 },
      { duration: '2s', target: 0 },
    ]);
  });

  it('a config file sits below script options', () => {
    const dir = tempDir('aetos-config-');
    const file = path.join(dir, 'k6.json');
    writeFileSync(file, JSON.stringify({ vus: 8, userAgent: 'from-file' }));
    const { options } = run({ vus: 2 }, {}, ['--config', file]);
    expect(options).toMatchObject({ vus: 2, userAgent: 'from-file' });
  });
});

describe('settings and __ENV', () => {
  it('defaults: engine runner, workers left to the plan, system env included', () => {
    const { settings, scriptEnv } = run({}, { HOME_X: '1' }, ['-e', 'A=1', '-e', 'B=x=y']);
    expect(settings.runner).toBe('engine');
    expect(settings.workers).toBeUndefined(); // the plan picks: config/threads.ts planWorkerCount
    expect(scriptEnv).toMatchObject({ HOME_X: '1', A: '1', B: 'x=y' });
  });
  it('--include-system-env-vars=false leaves only -e pairs; -e beats the system env', () => {
    expect(run({}, { HOME_X: '1' }, ['--include-system-env-vars=false', '-e', 'A=2']).scriptEnv).toEqual({ A: '2' });
    expect(run({}, { A: '1' }, ['-e', 'A=2']).scriptEnv.A).toBe('2');
  });
  it('K6_OUT, K6_SUMMARY_EXPORT, K6_NO_COLOR are overridden by flags', () => {
    const env = { K6_OUT: 'json=a.json,csv=b.csv', K6_SUMMARY_EXPORT: 'env.json', K6_NO_COLOR: 'true' };
    expect(run({}, env, []).settings).toMatchObject({ out: ['json=a.json', 'csv=b.csv'], summaryExport: 'env.json', noColor: true });
    expect(run({}, env, ['-o', 'json=c.json', '--summary-export', 'flag.json', '--no-color=false']).settings).toMatchObject({
      out: ['json=c.json'],
      summaryExport: 'flag.json',
      noColor: false,
    });
  });
  it('--workers and --runner are engine flags, not handed to k6', () => {
    const parsed = parseRunArgs(['--workers', '3', '-u', '2', 'x.js', '--runner=k6', '--quiet']);
    expect(parsed.flags.settings).toMatchObject({ workers: 3, runner: 'k6', quiet: true });
    expect(parsed.k6Flags).toEqual(['-u', '2', '--quiet']);
    expect(parsed.script).toBe('x.js');
  });
});

describe('invalid values name the option and why', () => {
  const bad: [string[], Record<string, string>, RegExp][] = [
    [['--vus', 'ten'], {}, /--vus: "ten" is not an integer/],
    [['-d', '10 parsecs'], {}, /-d: "10 parsecs" is not a duration/],
    [['--bogus'], {}, /--bogus: unknown flag/],
    [['-s', '10s:x'], {}, /-s: "x" is not an integer/],
    [['-e', 'NOEQUALS'], {}, /-e: "NOEQUALS" is not NAME=VALUE/],
    [['--workers', '0'], {}, /--workers: must be 1 or more/],
    [['--runner', 'jmeter'], {}, /--runner: "jmeter" is not one of engine, k6/],
    [[], { K6_VUS: '-3' }, /K6_VUS: must be 0 or more/],
    [[], { K6_DURATION: 'soon' }, /K6_DURATION: "soon" is not a duration/],
    [[], { K6_NO_THRESHOLDS: 'maybe' }, /K6_NO_THRESHOLDS: "maybe" is not a boolean/],
  ];
  for (const [argv, env, re] of bad) {
    it(`${argv.join(' ')} ${JSON.stringify(env)}`, () => {
      let err: unknown;
      try {
        run({}, env, argv);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).exitCode).toBe(104);
      expect((err as Error).message).toMatch(re);
    });
  }
  it('no script, two scripts, a flag without its value', () => {
    expect(() => parseRunArgs(['x.js', '--vus'])).toThrow(/--vus: needs a value/);
    expect(() => parseRunArgs(['-u', '1'])).toThrow(/script: missing/);
    expect(() => parseRunArgs(['a.js', 'b.js'])).toThrow(/expected one script/);
  });
});
