/**
 * The loader's blocking-call pass on real VUs: each fixture under test/fixtures/scripts/shapes is
 * a k6 script shape (helpers, nested groups, array callbacks, classes, closures, default params,
 * already-async code, timers, …). Each test runs it with real sleeps of a few ms and asserts what
 * k6 would observe: the order of console lines, returned values, metrics and their tags.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness } from '../vu/harness.ts';

/** Runs one iteration of a fixture on VU 1 and returns its console lines. */
async function run(file: string, env: Record<string, string> = {}, data?: unknown) {
  const h = await harness(`shapes/${file}`);
  const vu = await h.vu(1, env);
  const outcomes = await h.iterate(vu, 1, { data });
  return { h, vu, outcome: outcomes[0], console: h.rec.console };
}

let server: http.Server;
let base = '';
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/login') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: 't0k' }));
      return;
    }
    if (req.url === '/items') {
      res.writeHead(req.headers.authorization === 'Bearer t0k' ? 200 : 401, { 'content-type': 'text/plain' });
      res.end(req.headers.authorization === 'Bearer t0k' ? 'items' : 'no');
      return;
    }
    res.writeHead(req.url === '/pick' ? 201 : 200, { 'content-type': 'text/plain' });
    res.end(req.url === '/hello' ? 'hi' : 'other');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('shapes that block in k6 run in order on the engine', () => {
  it('01 plain sleep: the iteration lasts at least the sleep', async () => {
    const { h, outcome, console } = await run('01-plain-sleep.js');
    expect(outcome).toBe('completed');
    expect(console).toEqual(['before', 'after']);
    const [d] = h.rec.of('iteration_duration');
    expect(d?.value).toBeGreaterThanOrEqual(9);
    expect(h.rec.of('iterations')).toHaveLength(1);
  });

  it('02 a helper that sleeps returns its value after sleeping', async () => {
    expect((await run('02-helper.js')).console).toEqual(['helper abc', 'returned 3']);
  });

  it('03 helpers calling helpers (declarations and expressions) unwind in order', async () => {
    expect((await run('03-nested-helpers.js')).console).toEqual(['c', 'b', 'a', 'result 3']);
  });

  it('04 nested groups: group tags, group_duration per group, path restored', async () => {
    const { h, console } = await run('04-nested-groups.js');
    expect(console).toEqual(['after inner']);
    const checks = h.rec.of('checks').map((s) => [s.tags.check, s.tags.group, s.value]);
    expect(checks).toEqual([
      ['in outer', '::outer', 1],
      ['in inner', '::outer::inner', 1],
      ['at root', '', 1],
    ]);
    const groups = h.rec.of('group_duration').map((s) => s.tags.group);
    expect(groups).toEqual(['::outer::inner', '::outer']);
    expect(h.rec.of('group_duration')[0]?.value).toBeGreaterThanOrEqual(2);
  });

  it('05 forEach callbacks run one after another, in order, even when earlier ones sleep longer', async () => {
    expect((await run('05-foreach-order.js')).console).toEqual(['item 1', 'item 2', 'item 3', 'done']);
  });

  it('06 map/filter/reduce/some/every/find/findIndex/flatMap with blocking callbacks give Array results', async () => {
    const [line] = (await run('06-array-methods.js')).console;
    expect(JSON.parse(line as string)).toEqual({ doubled: [2, 4, 6, 8], even: [2, 4], sum: 10, some: true, every: true, found: 3, idx: 3, flat: 8 });
  });

  it('07 class methods, static methods, this-calls and super-calls', async () => {
    expect((await run('07-class-methods.js')).console).toEqual(['got token-a after 1', 'got token-b after 1', 'admin done']);
  });

  it('08 object-literal methods, function properties and arrow properties', async () => {
    expect((await run('08-object-methods.js')).console).toEqual(['got x', 'got y!', 'got z?']);
  });

  it('09 closures returned from factories and called through an array', async () => {
    expect((await run('09-closures.js')).console).toEqual(['step a', 'step b', 'step a', 'end']);
  });

  it('10 default parameters that block are evaluated (awaited) only when the argument is missing', async () => {
    expect((await run('10-default-params.js')).console).toEqual(['pick 7 3 arrow 18 2']);
  });

  it('11 already-async code and existing awaits are left alone', async () => {
    expect((await run('11-already-async.js')).console).toEqual(['async value', 'awaited sleep']);
  });

  it('12 top-level state is per VU and counts per VU', async () => {
    const h = await harness('shapes/12-per-vu-state.js');
    const vu1 = await h.vu(1);
    const vu2 = await h.vu(2);
    await h.iterate(vu1, 2);
    await h.iterate(vu2, 1);
    await h.iterate(vu1, 1);
    expect(h.rec.console).toEqual(['vu 1 n 1 iters 0', 'vu 1 n 2 iters 0,1', 'vu 2 n 1 iters 0', 'vu 1 n 3 iters 0,1,2']);
  });

  it('13 setup data is JSON-cloned once per VU: mutations stay inside that VU', async () => {
    const h = await harness('shapes/13-setup-data.js');
    const setupVu = await h.vu(0);
    const data = await setupVu.callLifecycle('setup');
    const vu1 = await h.vu(1);
    const vu2 = await h.vu(2);
    await h.iterate(vu1, 2, { data });
    await h.iterate(vu2, 1, { data });
    await setupVu.callLifecycle('teardown', data);
    expect(h.rec.console).toEqual(['vu 1 token abc len 2', 'vu 1 token abc len 3', 'vu 2 token abc len 2', 'teardown abc 1']);
    expect(data).toEqual({ token: 'abc', list: [1] });
  });

  it('14 setTimeout work is not lost: the iteration ends after the timer fired', async () => {
    const { h, console } = await run('14-settimeout.js');
    expect(console).toEqual(['body done', 'timer fired']);
    expect(h.rec.of('iteration_duration')[0]?.value).toBeGreaterThanOrEqual(14);
  });

  it('15 a timer callback that blocks (k6/timers and the global) is awaited before the iteration ends', async () => {
    expect((await run('15-timer-blocking-callback.js')).console).toEqual(['body done', 'global timer', 'timer after sleep']);
  });

  it('16 __VU, __ITER and __ENV resolve per VU (also in shorthand properties)', async () => {
    const h = await harness('shapes/16-vu-globals.js');
    await h.iterate(await h.vu(3, { WHO: 'three' }), 2);
    await h.iterate(await h.vu(4, { WHO: 'four' }), 1, { env: { WHO: 'scenario' } });
    expect(h.rec.console).toEqual(['vu 3 3 iter 0 env three', 'vu 3 3 iter 1 env three', 'vu 4 4 iter 0 env scenario']);
  });

  it('17 http.get in a helper and in a class method (real loopback server)', async () => {
    const { h, outcome, console } = await run('17-http-helper.js', { BASE: base });
    expect(h.rec.errors).toEqual([]);
    expect(outcome).toBe('completed');
    expect(console).toEqual(['status 200 body hi']);
    expect(h.rec.of('checks').map((s) => s.value)).toEqual([1]);
  });

  it('18 named exec functions run with the scenario env', async () => {
    const h = await harness('shapes/18-named-exec.js');
    const vu = await h.vu(1);
    await h.iterate(vu, 1, { exec: 'browse', env: { MODE: 'fast' } });
    await h.iterate(vu, 1, { exec: 'buy' });
    expect(h.rec.console).toEqual(['browse fast', 'buy']);
    expect(Object.keys(vu.exports).sort()).toEqual(['browse', 'buy', 'default']);
  });

  it('19 arrow functions with expression bodies (and a default-exported arrow)', async () => {
    expect((await run('19-arrow-expression.js')).console).toEqual(['value 2']);
  });

  it('20 IIFEs, fn.call and fn.apply', async () => {
    expect((await run('20-iife-call-apply.js')).console).toEqual(['iife 3 7']);
  });

  it('21 a blocking callback handed to a local higher-order function', async () => {
    expect((await run('21-higher-order.js')).console).toEqual(['try 0', 'try 1', 'try 2', 'got ok']);
  });

  it('22 member access on the result of a blocking call', async () => {
    expect((await run('22-member-chain.js')).console).toEqual(['n 2 name x', 'i 1', 'i 2']);
  });

  it('23 blocking calls inside ?:, ||, templates, arrays, objects, ** and !', async () => {
    expect((await run('23-expressions.js')).console).toEqual(['yes fallback t-1-2 d e obj 4 true']);
  });

  it('24 loops, switch and try/catch/finally around blocking calls', async () => {
    expect((await run('24-control-flow.js')).console).toEqual(['for0,for1,while0,while1,a,b,case,caught boom,finally']);
  });

  it('25 Map and Set forEach with blocking callbacks', async () => {
    expect((await run('25-map-set-foreach.js')).console).toEqual(['map a=1', 'map b=2', 'set x', 'set y']);
  });

  it('26 group returns its callback value', async () => {
    expect((await run('26-group-return.js')).console).toEqual(['group returned 42']);
  });

  it('27 optional calls and computed-member calls of blocking functions', async () => {
    expect((await run('27-optional-and-escape.js')).console).toEqual(['ran undefined table']);
  });

  it('28 setInterval keeps the iteration alive until cleared; clearTimeout cancels', async () => {
    const { console, outcome } = await run('28-interval.js');
    expect(outcome).toBe('completed');
    expect(console).toEqual(['tick 1', 'tick 2', 'tick 3']);
  });

  it('29 an exception is logged with the original file:line and the iteration still counts (k6: iterations, iteration_duration)', async () => {
    const { h, outcome, console } = await run('29-throws.js');
    expect(outcome).toBe('completed');
    expect(console).toEqual(['start']);
    const [err] = h.rec.errors;
    expect(err).toContain('Error: boom at line 4');
    expect(err).toMatch(/29-throws\.js:4:\d+/);
    expect(err).toMatch(/29-throws\.js:8:\d+/);
    expect(h.rec.lines.find((l) => l.includes('level=error'))).toContain('source=stacktrace');
    expect(h.rec.of('iterations')).toHaveLength(1);
    expect(h.rec.of('iteration_duration')).toHaveLength(1);
  });

  it('31 randomSeed makes Math.random reproducible per VU, without touching the realm', async () => {
    const h = await harness('shapes/31-random-seed.js');
    await h.iterate(await h.vu(1), 1);
    await h.iterate(await h.vu(2), 1);
    const [a, b] = h.rec.console;
    expect(a).toBe(b);
    expect(a).toMatch(/^r 0\.\d{6} floor 2$/);
    expect(Math.random).not.toBe(undefined);
  });

  it('32 hoisted declarations, aliases, renamed and namespace imports', async () => {
    expect((await run('32-hoisted-and-aliases.js')).console).toEqual(['hoisted ok', 'alias ok', 'namespace sleep done']);
  });

  it('33 a TypeScript scenario with a relatively imported class: open(), groups in reduce/map, k6/execution', async () => {
    const h = await harness('ts/main.ts');
    const vu = await h.vu(1);
    expect(await h.iterate(vu, 1)).toEqual(['completed']);
    expect(h.rec.console).toEqual(['hello from open order 3 lines 6 total 6 calls 3 vu 1']);
    expect(h.rec.of('group_duration').map((s) => s.tags.group)).toEqual(['::pick']);
    expect((vu.exports.options as Record<string, unknown>).vus).toBe(1);
  });

  it('34 a runtime error in a .ts scenario points at the .ts line', async () => {
    const h = await harness('ts/main.ts');
    const vu = await h.vu(1, { EXPLODE: '1' });
    expect(await h.iterate(vu, 1)).toEqual(['completed']);
    const [err] = h.rec.errors;
    expect(err).toContain('exploded on purpose');
    expect(err).toMatch(/ts\/main\.ts:17:\d+/);
  });

  it('35 an exception in init code is a 107 error naming the .ts line', async () => {
    const h = await harness('ts/init-error.ts');
    const err = await h.vu(1).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 107 });
    expect((err as Error).message).toMatch(/ts\/init-error\.ts:6: Error: need 2 values$/);
  });
  it('36 a blocking method named get does not make Map/URLSearchParams .get() calls block (no false refusal)', async () => {
    const { h, outcome, console } = await run('36-method-name-collisions.js', { BASE: base });
    expect(h.rec.errors).toEqual([]);
    expect(outcome).toBe('completed');
    expect(console).toEqual(['status 200 ok']);
    expect(h.rec.of('checks').map((s) => s.value)).toEqual([1, 1]);
  });

  it('37 a script that swallows the interruption in a loop still ends its iteration', async () => {
    const h = await harness('shapes/37-swallowed-interrupt.js');
    const vu = await h.vu(1);
    const t0 = performance.now();
    const p = h.iterate(vu, 1);
    setTimeout(() => vu.interrupt('gracefulStop'), 10);
    expect(await p).toEqual(['interrupted']);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(h.rec.console[0]).toBe('caught IterationInterrupted');
  });

  it('38 CommonJS require() is a clear error, not a silent non-blocking call', async () => {
    const { h, outcome } = await run('38-commonjs-require.js');
    expect(outcome).toBe('completed');
    expect(h.rec.errors[0]).toMatch(/require\("k6\/http"\) is not supported by the aetos-load engine: use import/);
  });

  it('39 export lists, renamed default, exported let and classes', async () => {
    const h = await harness('shapes/39-export-forms.js');
    const vu = await h.vu(1);
    expect(Object.keys(vu.exports).sort()).toEqual(['Page', 'default', 'options', 'scenarioHelper', 'viaClass']);
    await h.iterate(vu, 1);
    await h.iterate(vu, 1, { exec: 'scenarioHelper' });
    await h.iterate(vu, 1, { exec: 'viaClass' });
    expect(h.rec.console).toEqual(['main ran', 'helper ran', 'opened']);
  });

  it('40 async callbacks to Promise.all(map(...)) keep their concurrency (not serialised)', async () => {
    expect((await run('40-async-foreach-untouched.js')).console).toEqual(['results 2,1']);
  });
  it('41 TypeScript class fields and #private methods that esbuild lowers (es2020), and destructured methods', async () => {
    const h = await harness('ts/lowered-classes.ts');
    await h.iterate(await h.vu(1), 1);
    expect(h.rec.errors).toEqual([]);
    expect(h.rec.console).toEqual(['fetched /a', 'fetched /b', 'secret after 2 calls']);
  });

  it('42 destructured k6/http functions and methods, assignments and for-of over a batch', async () => {
    const { h, console } = await run('42-destructured.js', { BASE: base });
    expect(h.rec.errors).toEqual([]);
    expect(console).toEqual(['batch hi', 'status 200 ping 200 later other']);
  });
  it('43 __ENV is copy-on-write per VU: one VU writing it does not change it for the others', async () => {
    const h = await harness('shapes/43-env-writes.js');
    const env = { WHO: 'shared' };
    const vu1 = await h.vu(1, env);
    const vu2 = await h.vu(2, env);
    await h.iterate(vu1, 1);
    await h.iterate(vu2, 1);
    expect(h.rec.console).toEqual([
      'vu 1 before shared now changed by 1 keys EXTRA1,WHO json true has true',
      'vu 2 before shared now changed by 2 keys EXTRA2,WHO json true has true',
    ]);
    expect(env).toEqual({ WHO: 'shared' });
  });
  it('44 syntax corners: computed and quoted method keys, super, static, new args, void/typeof, chained array helpers, IIFE arrows, for-update, spread, optional calls, labels', async () => {
    expect((await run('44-syntax-corners.js')).console).toEqual(['computed quoted child+base boxed  number 4+6 arrow-object n2 11 undefined opt do x2 ab']);
  });

  it('45 an error thrown in a relatively imported .ts module names that module and the caller, at their lines', async () => {
    const h = await harness('ts/lib-error.ts');
    expect(await h.iterate(await h.vu(1), 1)).toEqual(['completed']);
    const [err] = h.rec.errors;
    expect(err).toMatch(/^RangeError: order id must be positive, got -1\n/);
    expect(err).toMatch(/at validateOrder \(test\/fixtures\/scripts\/ts\/lib\/fails\.ts:7:\d+\)/);
    expect(err).toMatch(/at (async )?default \(test\/fixtures\/scripts\/ts\/lib-error\.ts:6:\d+\)/);
    expect(h.rec.lines.find((l) => l.includes('level=error'))).toContain('at=test/fixtures/scripts/ts/lib/fails.ts:7');
  });
  it('46 an un-awaited http.asyncRequest is tracked: the iteration ends after its callback ran', async () => {
    const { h, console } = await run('46-async-request-not-awaited.js', { BASE: base });
    expect(h.rec.errors).toEqual([]);
    expect(console).toEqual(['body done', 'async status 200 hi']);
  });
  it('48 a WMS-style TypeScript scenario: client class with get/post methods, login cached per VU, weighted action table, groups, Trend, SharedArray, setup data', async () => {
    const h = await harness('ts/wms/scenario.ts');
    const setupVu = await h.vu(0, { BASE: base });
    const data = await setupVu.callLifecycle('setup');
    const vu1 = await h.vu(1, { BASE: base });
    const vu2 = await h.vu(2, { BASE: base });
    expect(await h.iterate(vu1, 2, { data })).toEqual(['completed', 'completed']);
    expect(await h.iterate(vu2, 1, { data })).toEqual(['completed']);
    expect(h.rec.errors).toEqual([]);
    expect(h.rec.console).toEqual(['yes true items pick 201', 'yes true items pick 201', 'yes true items pick 201']);
    // one login per VU (top-level state), checked once each
    expect(h.rec.of('checks').map((s) => [s.tags.check, s.value])).toEqual([
      ['login 200', 1],
      ['login 200', 1],
    ]);
    expect(h.rec.of('group_duration').map((s) => s.tags.group)).toEqual(['::browse', '::pick', '::browse', '::pick', '::browse', '::pick']);
    expect(h.rec.of('wms_pick_latency')).toHaveLength(3);
    expect(await setupVu.callLifecycle('handleSummary', {})).toEqual({ stdout: 'done' });
  });
  it('49 forEach with async callbacks that block (sleep/http) runs them one after another, as k6 does', async () => {
    expect((await run('49-async-foreach-blocking.js')).console).toEqual(['item 1', 'item 2', 'item 3', 'after forEach']);
  });
  it('50 an async function nobody awaits still holds the iteration open while it sleeps', async () => {
    const { h, console } = await run('50-unawaited-async-sleeps.js');
    expect(console).toEqual(['body done', 'background done']);
    expect(h.rec.of('iteration_duration')[0]?.value).toBeGreaterThanOrEqual(19);
  });
  it('51 #private fields and methods (esbuild helpers) alongside escaped blocking functions: no false refusal of constructors or getters', async () => {
    const h = await harness('ts/private-fields.ts');
    await h.iterate(await h.vu(1), 1);
    expect(h.rec.errors).toEqual([]);
    expect(h.rec.console).toEqual(['apple+pear+plum size 3']);
  });
  it('52 globalThis is shared between VUs (one realm): it works and the difference is warned about once, with its line', async () => {
    const h = await harness('shapes/52-global-this.js');
    const vu1 = await h.vu(1);
    const vu2 = await h.vu(2);
    await h.iterate(vu1, 1);
    await h.iterate(vu2, 1);
    expect(h.rec.console).toEqual(['vu 1 mine 1 shared 1', 'vu 2 mine 1 shared 2']);
    const warnings = h.rec.lines.filter((l) => l.includes('level=warning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/52-global-this\.js:4: globalThis\.aetosSharedCounter = .*globalThis is shared by all VUs in the engine \(one realm\), while each k6 VU has its own/);
    delete (globalThis as Record<string, unknown>).aetosSharedCounter;
  });
  it('53 import.meta.url and import.meta.resolve() name the script the user ran', async () => {
    expect((await run('53-import-meta.js')).console).toEqual(['true true']);
  });
  it('54 top-level declarations may reuse the names of hidden or per-VU globals (process, open, global, Buffer)', async () => {
    expect((await run('54-shadowed-globals.js')).console).toEqual(['2,4 not the open() global mine 3']);
  });
});

