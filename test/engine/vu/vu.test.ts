/**
 * The VU runtime on real scripts: interrupts end sleeping iterations promptly, lifecycle functions
 * (setup/teardown/handleSummary, timeouts, exceptions → 107 with file:line), timer exceptions,
 * iteration metrics and tags (options.tags, scenario tags, exec.vu.tags), module hooks.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { EngineError, ExitCode } from '../../../engine/errors.ts';
import type { IterationOutcome } from '../../../engine/types.ts';
import type { Vu } from '../../../engine/vu/index.ts';
import { type Harness, harness, scenario } from './harness.ts';

/** Runs one iteration of `vu` and interrupts it (gracefulStop) after `after` ms: its outcomes, and how long it took. */
async function interruptedAfter(h: Harness, vu: Vu, after: number): Promise<{ outcomes: IterationOutcome[]; ms: number }> {
  const t0 = performance.now();
  const pending = h.iterate(vu, 1);
  setTimeout(() => vu.interrupt('gracefulStop'), after);
  const outcomes = await pending;
  return { outcomes, ms: performance.now() - t0 };
}

describe('interrupt', () => {
  it('ends a sleeping iteration promptly as interrupted, with no iteration samples', async () => {
    const h = await harness('shapes/30-long-sleep.js');
    const vu = await h.vu(1);
    const { outcomes, ms } = await interruptedAfter(h, vu, 20);
    expect(outcomes).toEqual(['interrupted']);
    expect(ms).toBeLessThan(2000);
    expect(h.rec.console).toEqual(['sleeping']);
    expect(h.rec.errors).toEqual([]);
    expect(h.rec.of('iterations')).toEqual([]);
    // the VU runs the next iteration normally
    const h2 = await harness('shapes/01-plain-sleep.js');
    const vu2 = await h2.vu(1);
    expect(await h2.iterate(vu2, 1)).toEqual(['completed']);
  });

  it('ends an iteration waiting for an HTTP answer at once, and the next request of the VU is not cut short', async () => {
    // answers /ok, holds every other request (and notes when its client gives up on it)
    let held: Promise<void> | undefined;
    const server = createServer((req, res) => {
      if (req.url === '/ok') res.end('ok');
      else held = new Promise((r) => res.on('close', () => r()));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const h = await harness('shapes/55-hanging-request.js');
      const vu = await h.vu(1, { URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
      const { outcomes, ms } = await interruptedAfter(h, vu, 100);
      expect(outcomes).toEqual(['interrupted']);
      expect(ms).toBeLessThan(2000);
      expect(h.rec.console).toEqual(['requesting 0']);
      // the request itself was cancelled, not left running behind the ended iteration
      await expect(Promise.race([held, new Promise((r) => setTimeout(() => r('still open'), 1000))])).resolves.toBeUndefined();
      expect(await h.iterate(vu, 1)).toEqual(['completed']);
      expect(h.rec.console).toEqual(['requesting 0', 'requesting 1', 'answered 200']);
      await vu.close();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('a body that settles after its iteration was interrupted and dropped does not end the next iteration', async () => {
    const h = await harness('shapes/56-late-body.js');
    const vu = await h.vu(1);
    const { outcomes } = await interruptedAfter(h, vu, 20); // dropped after the 200 ms grace, still pending
    expect(outcomes).toEqual(['interrupted']);
    const t0 = performance.now();
    expect(await h.iterate(vu, 1)).toEqual(['completed']);
    // iteration 0's body settled ~180 ms into this one; this one ends when its own 600 ms wait does
    expect(performance.now() - t0).toBeGreaterThanOrEqual(590);
    expect(h.rec.console).toEqual(['iteration 0 settled late', 'iteration 1 done']);
  });

  it('an interrupt before the sleep starts still stops it', async () => {
    const h = await harness('shapes/30-long-sleep.js');
    const vu = await h.vu(1);
    const pending = h.iterate(vu, 1);
    vu.interrupt('abort');
    expect(await pending).toEqual(['interrupted']);
  });
});

describe('sleep', () => {
  it('side-by-side sleeps nobody awaits hold the iteration until both woke', async () => {
    const h = await harness('shapes/31-side-by-side-sleeps.js');
    const vu = await h.vu(1, { SECONDS: '0.05' });
    const t0 = performance.now();
    expect(await h.iterate(vu, 2)).toEqual(['completed', 'completed']);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2 * 99);
    expect(h.rec.console).toEqual(['returned', 'a woke', 'b woke', 'returned', 'a woke', 'b woke']);
    expect(h.rec.errors).toEqual([]);
  });

  it('an interrupt rejects every pending sleep at once, and the VU sleeps normally afterwards', async () => {
    const h = await harness('shapes/31-side-by-side-sleeps.js');
    const vu = await h.vu(1, { SECONDS: '30' });
    const t0 = performance.now();
    const pending = h.iterate(vu, 1);
    setTimeout(() => vu.interrupt('gracefulStop'), 20);
    expect(await pending).toEqual(['interrupted']);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(h.rec.console).toEqual(['returned', 'a: iteration interrupted (gracefulStop)', 'b: iteration interrupted (gracefulStop)']);
    expect(h.rec.of('iterations')).toEqual([]);
    const h2 = await harness('shapes/31-side-by-side-sleeps.js');
    const vu2 = await h2.vu(1, { SECONDS: '0.01' });
    expect(await h2.iterate(vu2, 1)).toEqual(['completed']);
    expect(h2.rec.console).toEqual(['returned', 'a woke', 'b woke']);
  });
});

describe('iteration metrics and tags', () => {
  it('iterations and iteration_duration carry options.tags, scenario tags and the scenario name', async () => {
    const h = await harness('shapes/01-plain-sleep.js');
    const vu = await h.vu(1, {}, { tags: { env: 'ci' } });
    await h.iterate(vu, 1, { tags: { flow: 'checkout' }, scenario: scenario('buyers') });
    await h.iterate(vu, 1, { scenario: scenario('browsers') });
    const tags = h.rec.of('iterations').map((s) => s.tags);
    expect(tags).toEqual([
      { env: 'ci', flow: 'checkout', scenario: 'buyers', group: '' },
      { env: 'ci', scenario: 'browsers', group: '' },
    ]);
  });

  it("a scenario's tags object reused across iterations is written again each time; another scenario's tags replace it", async () => {
    const h = await harness('shapes/01-plain-sleep.js');
    const vu = await h.vu(1, {}, { tags: { env: 'ci' } });
    const buyers = { flow: 'checkout', scenario: 'buyers' };
    await h.iterate(vu, 1, { tags: buyers, scenario: scenario('buyers') });
    // the script overwrote a scenario tag and added its own (exec.vu.tags) during that iteration
    vu.context.setTag('flow', 'overwritten');
    vu.context.setTag('user', 'u1');
    await h.iterate(vu, 1, { tags: buyers, scenario: scenario('buyers') });
    await h.iterate(vu, 1, { tags: { scenario: 'browsers' }, scenario: scenario('browsers') });
    expect(h.rec.of('iterations').map((s) => s.tags)).toEqual([
      { env: 'ci', flow: 'checkout', scenario: 'buyers', group: '' },
      { env: 'ci', flow: 'checkout', user: 'u1', scenario: 'buyers', group: '' },
      { env: 'ci', user: 'u1', scenario: 'browsers', group: '' },
    ]);
  });

  it('iterationStart / iterationEnd / close hooks fire in order', async () => {
    const h = await harness('shapes/01-plain-sleep.js');
    const vu = await h.vu(1);
    const events: string[] = [];
    vu.context.on('iterationStart', () => void events.push('start'));
    vu.context.on('iterationEnd', () => void events.push('end'));
    vu.context.on('close', async () => void events.push('close'));
    await h.iterate(vu, 2);
    await vu.close();
    expect(events).toEqual(['start', 'end', 'start', 'end', 'close']);
  });

  it('a hook that returns a promise holds the later hooks and the iteration until it settles', async () => {
    const h = await harness('shapes/01-plain-sleep.js');
    const vu = await h.vu(1);
    const events: string[] = [];
    vu.context.on('iterationEnd', () => void events.push('sync 1'));
    vu.context.on('iterationEnd', () => new Promise<void>((r) => setTimeout(() => r(void events.push('async')), 30)));
    vu.context.on('iterationEnd', () => void events.push('sync 2'));
    vu.context.on('iterationStart', () => void events.push('start'));
    expect(await h.iterate(vu, 1)).toEqual(['completed']);
    expect(events).toEqual(['start', 'sync 1', 'async', 'sync 2']);
  });

  it('a hook that throws ends the iteration as interrupted, logged, without iteration samples; the next one runs', async () => {
    const h = await harness('shapes/01-plain-sleep.js');
    const vu = await h.vu(1);
    let broken = true;
    const seen: string[] = [];
    vu.context.on('iterationEnd', () => {
      if (broken) throw new Error('hook broke');
    });
    const run = (n: number) => vu.runIteration({ exec: 'default', scenario: scenario(), iterationInScenario: n, tags: {}, data: undefined, ended: (o) => seen.push(o) });
    expect(await run(0)).toBe('interrupted');
    expect(h.rec.errors.join('\n')).toMatch(/hook broke/);
    expect(h.rec.of('iterations')).toEqual([]);
    broken = false;
    expect(await run(1)).toBe('completed');
    expect(seen).toEqual(['interrupted', 'completed']);
    expect(h.rec.of('iterations')).toHaveLength(1);
  });

  it('track(): the iteration waits for tracked work', async () => {
    const h = await harness('shapes/12-per-vu-state.js');
    const vu = await h.vu(1);
    let settled = false;
    vu.context.on('iterationStart', () => {
      vu.context.track(new Promise<void>((r) => setTimeout(() => r(void (settled = true)), 20)));
    });
    await h.iterate(vu, 1);
    expect(settled).toBe(true);
  });

  it('a timer callback exception ends the iteration, is logged, and still counts as an iteration (k6)', async () => {
    const h = await harness('modules/lifecycle.js');
    const vu = await h.vu(1, { TIMER_THROWS: '1' });
    expect(await h.iterate(vu, 1)).toEqual(['completed']);
    expect(h.rec.errors[0]).toMatch(/timer broke[\s\S]*lifecycle\.js:11:/);
    expect(h.rec.of('iterations')).toHaveLength(1);
    expect(h.rec.of('iteration_duration')).toHaveLength(1);
  });
});

describe('lifecycle', () => {
  it('setup waits for its timers; teardown gets a copy of the data; handleSummary returns its value', async () => {
    const h = await harness('modules/lifecycle.js');
    const vu = await h.vu(0);
    const data = await vu.callLifecycle('setup', undefined, 5000);
    expect(data).toEqual({ n: 1 });
    expect(h.rec.console).toEqual(['setup timer']);
    await vu.callLifecycle('teardown', data);
    expect(h.rec.console).toEqual(['setup timer', 'teardown {"n":1}']);
    expect(await vu.callLifecycle('handleSummary', { metrics: 3 })).toEqual({ stdout: 'summary 3' });
  });

  it('an exception in setup is exit 107 naming the line', async () => {
    const h = await harness('modules/lifecycle.js');
    const vu = await h.vu(0, { SETUP_THROWS: '1' });
    const err = await vu.callLifecycle('setup').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).exitCode).toBe(ExitCode.ScriptException);
    expect((err as Error).message).toMatch(/lifecycle\.js:3: Error: setup broke$/);
  });

  it('setupTimeout: a slow setup is exit 100', async () => {
    const h = await harness('modules/lifecycle.js');
    const vu = await h.vu(0, { SETUP_SLOW: '1' });
    const t0 = performance.now();
    const err = await vu.callLifecycle('setup', undefined, 50).catch((e: unknown) => e);
    expect((err as EngineError).exitCode).toBe(ExitCode.SetupTimeout);
    expect((err as Error).message).toBe('setup() execution timed out after 0 seconds');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('a missing lifecycle function resolves undefined', async () => {
    const h = await harness('shapes/01-plain-sleep.js');
    expect(await (await h.vu(0)).callLifecycle('setup')).toBeUndefined();
  });
});

describe('console and open', () => {
  it('console routes through the logger, k6 style, with source=console', async () => {
    const h = await harness('modules/console.js');
    await h.iterate(await h.vu(1), 1);
    const lines = h.rec.lines.filter((l) => l.includes('source=console'));
    expect(lines.map((l) => /level=(\w+)/.exec(l)?.[1])).toEqual(['info', 'info', 'warning', 'error', 'debug']);
    expect(h.rec.console.slice(0, 3)).toEqual(['plain 1 true', '{"a":1,"b":[2]}', 'careful']);
    expect(h.rec.console[3]).toMatch(/^Error: bad/);
  });

  it('open() reads relative to the script in init (text and binary) and is refused in iterations', async () => {
    const h = await harness('modules/open-init-only.js');
    await h.iterate(await h.vu(1), 1);
    expect(h.rec.console).toEqual(['hello from open 16 true open() can be used only in the init context (outside of exported functions)']);
  });

  it('open() of a missing file is an init error naming the script line', async () => {
    const h = await harness('modules/open-missing.js');
    const err = await h.vu(1).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/open-missing\.js:1: Error: open\(\): no such file: .*no-such-file\.csv$/);
  });
});

describe('emit tag merging', () => {
  it('reuses nothing stale: call-site tags mutated in place, vu.tags and the group change each show up', async () => {
    const h = await harness('shapes/01-plain-sleep.js');
    const vu = await h.vu(1, {}, { tags: { env: 'ci' } });
    const ctx = vu.context;
    const callTags: Record<string, string> = { name: 'a' };
    ctx.emit('m', 1, callTags);
    ctx.emit('m', 2, callTags);
    callTags.name = 'b';
    ctx.emit('m', 3, callTags);
    ctx.setTag('user', 'u1');
    ctx.emit('m', 4, callTags);
    ctx.groupPath = '::g';
    ctx.emit('m', 5, callTags);
    ctx.emit('m', 6, { name: 'b', status: 200 as unknown as string });
    ctx.emit('m', 7);
    expect(h.rec.of('m').map((s) => s.tags)).toEqual([
      { env: 'ci', group: '', name: 'a' },
      { env: 'ci', group: '', name: 'a' },
      { env: 'ci', group: '', name: 'b' },
      { env: 'ci', user: 'u1', group: '', name: 'b' },
      { env: 'ci', user: 'u1', group: '::g', name: 'b' },
      { env: 'ci', user: 'u1', group: '::g', name: 'b', status: '200' },
      { env: 'ci', user: 'u1', group: '::g' },
    ]);
  });

  it('emitMany gives every sample the same merge; a frozen call-site set is reused, VU-only and call-site merges do not mix', async () => {
    const h = await harness('shapes/01-plain-sleep.js');
    const vu = await h.vu(1, {}, { tags: { env: 'ci' } });
    const ctx = vu.context;
    const req = Object.freeze({ method: 'GET', status: '200' });
    ctx.emitMany(['a', 'b'], [1, 2], req);
    ctx.emit('c', 3); // VU-only merge between two call-site merges
    ctx.emitMany(['a', 'b'], [4, 5], req);
    ctx.setTag('user', 'u1');
    ctx.emitMany(['a', 'b', 'c'], [6, 7], req); // values decide how many metrics get a sample
    ctx.groupPath = '::g';
    ctx.emit('c', 8);
    ctx.emitMany(['a'], [9], Object.freeze({ method: 'POST' }));
    const all = h.rec.samples.filter((s) => ['a', 'b', 'c'].includes(s.name)).map((s) => [s.name, s.value, s.tags]);
    expect(all).toEqual([
      ['a', 1, { env: 'ci', group: '', method: 'GET', status: '200' }],
      ['b', 2, { env: 'ci', group: '', method: 'GET', status: '200' }],
      ['c', 3, { env: 'ci', group: '' }],
      ['a', 4, { env: 'ci', group: '', method: 'GET', status: '200' }],
      ['b', 5, { env: 'ci', group: '', method: 'GET', status: '200' }],
      ['a', 6, { env: 'ci', user: 'u1', group: '', method: 'GET', status: '200' }],
      ['b', 7, { env: 'ci', user: 'u1', group: '', method: 'GET', status: '200' }],
      ['c', 8, { env: 'ci', user: 'u1', group: '::g' }],
      ['a', 9, { env: 'ci', user: 'u1', group: '::g', method: 'POST' }],
    ]);
  });
});
