import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEngine, defaultRules, loadRulesFile, parseWindow, type AlertRule } from '../../../ops/monitor/rules.ts';

const rt: AlertRule = { name: 'rt', metric: 'api.responseMs', op: '>', threshold: 5000, for: 2 };

/** Feeds values one poll per second; returns the states of the events per poll. */
function feed(engine: AlertEngine, metric: string, values: (number | undefined)[], stepMs = 1000): string[][] {
  return values.map((v, i) => engine.evaluate({ [metric]: v }, 1_000_000 + i * stepMs).map((e) => `${e.rule}:${e.state}`));
}

describe('alert rule engine', () => {
  it('fires only after the window of consecutive polls, once', () => {
    const e = new AlertEngine([rt]);
    expect(feed(e, 'api.responseMs', [6000, 100, 6000, 6000, 6000])).toEqual([[], [], [], ['rt:firing'], []]);
    expect(e.firing()).toEqual(['rt']);
  });

  it('a single spike never fires a 2-poll rule', () => {
    const e = new AlertEngine([rt]);
    expect(feed(e, 'api.responseMs', [6000, 10, 6000, 10, 6000, 10]).flat()).toEqual([]);
  });

  it('clears when the value recovers, reporting how long it fired', () => {
    const e = new AlertEngine([rt]);
    const events = [6000, 6000, 6000, 20].map((v, i) => e.evaluate({ 'api.responseMs': v }, i * 1000)).flat();
    expect(events.map((x) => x.state)).toEqual(['firing', 'resolved']);
    expect(events[1].firingMs).toBe(2000);
    expect(events[0].message).toBe('api.responseMs 6000 > 5000');
    expect(events[0]).toMatchObject({ rule: 'rt', value: 6000, threshold: 5000, since: new Date(0).toISOString(), at: new Date(1000).toISOString() });
    expect(e.firing()).toEqual([]);
  });

  it('hysteresis: stays firing until the value is back past clearThreshold', () => {
    const e = new AlertEngine([{ name: 'cpu', metric: 'cpu', op: '>', threshold: 80, clearThreshold: 70, for: 1 }]);
    expect(feed(e, 'cpu', [85, 79, 75, 71, 82, 69, 79, 81])).toEqual([['cpu:firing'], [], [], [], [], ['cpu:resolved'], [], ['cpu:firing']]);
  });

  it('without hysteresis a value at the threshold resolves a ">" rule', () => {
    const e = new AlertEngine([{ name: 'd', metric: 'd', op: '>', threshold: 90 }]);
    expect(feed(e, 'd', [91, 90])).toEqual([['d:firing'], ['d:resolved']]);
  });

  it('clearFor needs sustained recovery too', () => {
    const e = new AlertEngine([{ ...rt, for: 1, clearFor: 3 }]);
    expect(feed(e, 'api.responseMs', [6000, 10, 10, 6000, 10, 10, 10])).toEqual([['rt:firing'], [], [], [], [], [], ['rt:resolved']]);
  });

  it('a duration window fires once the condition has held that long', () => {
    const e = new AlertEngine([{ ...rt, for: '10s' }]);
    // polls every 5 s: the condition starts at t=0 and has held 10 s at the third poll
    expect(feed(e, 'api.responseMs', [6000, 6000, 6000], 5000)).toEqual([[], [], ['rt:firing']]);
    const e2 = new AlertEngine([{ ...rt, for: '10s' }]);
    expect(feed(e2, 'api.responseMs', [6000, 6000, 10, 6000, 6000, 6000], 5000)).toEqual([[], [], [], [], [], ['rt:firing']]);
  });

  it('a missing value neither fires nor resolves nor breaks the streak', () => {
    const e = new AlertEngine([rt]);
    expect(feed(e, 'api.responseMs', [6000, undefined, 6000, undefined, 10])).toEqual([[], [], ['rt:firing'], [], ['rt:resolved']]);
  });

  it('"<" rules (api down) fire when the value drops', () => {
    const e = new AlertEngine(defaultRules.filter((r) => r.name === 'api-down'));
    expect(feed(e, 'api.up', [1, 0, 0, 1])).toEqual([[], [], ['api-down:firing'], ['api-down:resolved']]);
  });

  it('the guide thresholds are the defaults', () => {
    const th = Object.fromEntries(defaultRules.map((r) => [r.name, r.threshold]));
    expect(th).toMatchObject({ cpu: 80, memory: 85, 'response-time': 5000, 'error-rate': 5, disk: 90 });
  });

  it('parses windows', () => {
    expect(parseWindow(undefined, 'x')).toEqual({ polls: 1 });
    expect(parseWindow(3, 'x')).toEqual({ polls: 3 });
    expect(parseWindow('2 polls', 'x')).toEqual({ polls: 2 });
    expect(parseWindow('10s', 'x')).toEqual({ ms: 10_000 });
    expect(() => parseWindow(0, 'rule a.for')).toThrow('rule a.for: 0 must be a whole number of polls');
    expect(() => parseWindow('soon', 'rule a.for')).toThrow('rule a.for: "soon" is not a duration');
  });
});

describe('rules files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'aetos-rules-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function file(name: string, body: unknown): Promise<string> {
    const p = path.join(dir, name);
    await writeFile(p, typeof body === 'string' ? body : JSON.stringify(body));
    return p;
  }

  it('overrides a default by name, disables one and adds one', async () => {
    const p = await file('ok.json', {
      rules: [
        { name: 'response-time', threshold: 1000, for: '3s' },
        { name: 'disk', enabled: false },
        { name: 'lag', metric: 'target.eventLoopLagMs', op: '>', threshold: 100 },
      ],
    });
    const rules = await loadRulesFile(p);
    const rtRule = rules.find((r) => r.name === 'response-time')!;
    expect(rtRule).toMatchObject({ metric: 'api.responseMs', threshold: 1000, for: '3s', op: '>' });
    expect(rules.find((r) => r.name === 'lag')).toMatchObject({ threshold: 100 });
    expect(new AlertEngine(rules).rules().map((r) => r.name)).not.toContain('disk');
  });

  it('"defaults": false starts from no rules', async () => {
    const p = await file('only.json', { defaults: false, rules: [{ name: 'x', metric: 'm', op: '>=', threshold: 1 }] });
    expect((await loadRulesFile(p)).map((r) => r.name)).toEqual(['x']);
  });

  it('bad files give one line naming the file and the rule', async () => {
    await expect(loadRulesFile(path.join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: cannot read the rules file \(ENOENT\)/);
    await expect(loadRulesFile(await file('bad.json', '{ nope'))).rejects.toThrow(/bad\.json: not valid JSON/);
    await expect(loadRulesFile(await file('op.json', { rules: [{ name: 'a', metric: 'm', op: '=>', threshold: 1 }] }))).rejects.toThrow(
      /op\.json: rules\[0\] \(a\): "op" must be one of/,
    );
    await expect(loadRulesFile(await file('new.json', { rules: [{ name: 'fresh', threshold: 1 }] }))).rejects.toThrow(
      /new\.json: rules\[0\] \(fresh\): a new rule needs "metric", "op" and "threshold"/,
    );
    await expect(loadRulesFile(await file('win.json', { rules: [{ name: 'cpu', for: 'later' }] }))).rejects.toThrow(/win\.json: rules\[0\] \(cpu\)\.for: "later" is not a duration/);
    await expect(loadRulesFile(await file('typo.json', { rules: [{ name: 'cpu', treshold: 3 }] }))).rejects.toThrow(/unknown field "treshold"/);
  });
});
