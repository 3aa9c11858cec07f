/**
 * The loader wraps a script in a function whose parameters and helpers have names of their own
 * (transform.ts WRAPPER_PARAMS, the runtime `__k6`, `__k6_default`, `__k6_thrown`). A script may
 * import or declare any of those names: each test below does, and checks that the script's own
 * binding wins and the engine's plumbing (imports, __VU, blocking array callbacks) still works.
 * Also: a non-Error `throw` is reported with the script's file:line and stack.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WRAPPER_PARAMS } from '../../../engine/loader/transform.ts';
import { harness } from '../vu/harness.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'aetos-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ownNames = [...WRAPPER_PARAMS, '__k6_default', '__k6_thrown', '__k6_1', 'arguments_'];

/** Loads `code` from a temp file, initialises VU 1, runs one iteration; returns exports and logs. */
async function runCode(name: string, code: string) {
  const file = path.join(dir, `${name}.js`);
  writeFileSync(file, code);
  const h = await harness(file);
  const vu = await h.vu(1);
  const [outcome] = await h.iterate(vu, 1);
  return { exports: vu.exports as Record<string, unknown>, outcome, h };
}

/** Plumbing every script below also exercises: a k6 import, __VU, a blocking forEach callback. */
const plumbing = `
import { sleep as k6sleep } from 'k6';
export default function () {
  const seen = [];
  [1, 2].forEach((i) => { k6sleep(0.001); seen.push(i * __VU); });
  if (seen.join() !== '1,2') throw new Error('forEach ran out of order: ' + seen.join());
}
`;

describe('names the wrapper uses are free for the script', () => {
  for (const n of ownNames) {
    it(`import { … as ${n} } and const ${n}`, async () => {
      const imported = await runCode(`import-${n}`, `import { check as ${n} } from 'k6';\nexport const kind = typeof ${n};\n${plumbing}`);
      expect(imported.exports.kind).toBe('function');
      expect(imported.outcome).toBe('completed');

      const declared = await runCode(`const-${n}`, `const ${n} = 'mine';\nexport const value = ${n};\n${plumbing}`);
      expect(declared.exports.value).toBe('mine');
      expect(declared.outcome).toBe('completed');

      const fn = await runCode(`function-${n}`, `function ${n}() { return 'fn'; }\nexport const value = ${n}();\n${plumbing}`);
      expect(fn.exports.value).toBe('fn');
      expect(fn.outcome).toBe('completed');
    });
  }

  it('an anonymous default export beside a script-declared __k6_default', async () => {
    const r = await runCode('default-name', `const __k6_default = 1;\nexport const v = __k6_default;\nexport default function () { console.log('ran'); }`);
    expect(r.exports.v).toBe(1);
    expect(r.h.rec.console).toEqual(['ran']);
  });

  it("import { setTimeout, … } from 'k6/timers' (k6's documented import) works", async () => {
    const h = await harness('names/timers-import.js');
    const vu = await h.vu(1);
    expect(await h.iterate(vu, 1)).toEqual(['completed']);
    expect(h.rec.console).toEqual(['timeout after 2 ticks']);
  });
});

describe('a non-Error throw', () => {
  it('in an iteration is logged with the script file:line and its stack', async () => {
    const h = await harness('names/throw-string.js');
    const vu = await h.vu(1);
    expect(await h.iterate(vu, 1)).toEqual(['completed']); // thrown, so completed (k6; issue 13)
    const line = h.rec.lines.find((l) => l.includes('level=error')) ?? '';
    expect(line).toContain('Uncaught text thrown at line 5');
    expect(line).toMatch(/at=[^ ]*names\/throw-string\.js:4/);
    expect(h.rec.errors[0]).toMatch(/at check2 \([^)]*names\/throw-string\.js:4:\d+\)/);
    expect(h.rec.errors[0]).toMatch(/at default \([^)]*names\/throw-string\.js:9:\d+\)/);
  });

  it('of an object names its line too', async () => {
    const h = await harness('names/throw-object.js');
    const vu = await h.vu(1);
    await h.iterate(vu, 1);
    expect(h.rec.lines.find((l) => l.includes('level=error'))).toMatch(/at=[^ ]*names\/throw-object\.js:2/);
  });

  it('in init code fails the load with file:line', async () => {
    const h = await harness('names/throw-in-init.js');
    await expect(h.vu(1)).rejects.toThrow(/names\/throw-in-init\.js:2: Uncaught init refused/);
  });
});
